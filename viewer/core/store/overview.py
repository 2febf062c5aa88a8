"""Corpus-wide views: entities and speakers tables, mentions in context, chart data.

Counting every entity of a large corpus takes seconds, so the per-entity and
per-speaker totals (and the sourcing summary's, see ``sourcing``) are counted
into stats tables and reused until the analyses change (checked by a cheap
fingerprint). Pages, sorting and filtering then run over those small tables.
Sort columns come from a whitelist; values are bound parameters.

Speakers count attributions, not pieces (see ``viewer.core.attributions``),
per kind; "no-source" attributions have no speaker. A named speaker is one
row for the whole corpus. An anonymous one ("a spokesman", "officials") is a
speaker of its article only: a name with an anonymous attribution in an
article is that article's speaker there, so two articles' spokesmen are two
rows. Every count is of the final view: the model's output with the analyst's
corrections applied (store.corrected holds it for corrected articles).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlite_utils import Database

from viewer.core.store.corrected import FINAL_IDS
from viewer.core.store.database import atomic
from viewer.core.store.entity_groups import GROUP_FORMS, build_entity_groups
from viewer.core.store.sourcing import (
    ATTRIBUTIONS_TABLE,
    build_attributions,
    build_sourcing_stats,
    drop_attributions,
)

MENTION_CONTEXT = 60  # characters on each side of a mention

# Every article's final entities (article_id, start, end, text, label): the model's
# for an article without corrections, the stored final view for a corrected one.
FINAL_ENTITIES = f"""
    SELECT a.id AS article_id, e.start AS start, e."end" AS "end", e.text AS text,
           e.label AS label
    FROM articles a JOIN entities e ON e.analysis_id = a.analysis_id
    WHERE a.id NOT IN ({FINAL_IDS})
    UNION ALL
    SELECT article_id, start, "end", text, label FROM final_entities
    WHERE article_id IN ({FINAL_IDS})"""


@dataclass(frozen=True)
class EntityStat:
    """One entity however written: ``text`` its name, ``forms`` how the corpus writes
    it, most mentioned first ("Tony Blair": "Blair", "Tony Blair", "Mr Blair")."""

    text: str
    label: str
    articles: int
    mentions: int
    forms: tuple[str, ...] = ()

    @property
    def variants(self) -> tuple[str, ...]:
        """The forms other than the name itself."""
        return tuple(f for f in self.forms if f != self.text)


@dataclass(frozen=True)
class SpeakerStat:
    name: str  # resolved name: speaker_name, else the speaker mention's text
    attributions: int  # all kinds; the pieces of one attribution count once
    articles: int
    anonymous_share: float  # 0..1, share of this speaker's attributions marked anonymous
    direct: int = 0
    mixed: int = 0
    indirect: int = 0
    article_id: int | None = None  # an anonymous speaker: the article it speaks in
    article_title: str | None = None
    article_ext_id: str | None = None  # that article's corpus id

    @property
    def label(self) -> str:
        """The name, and for an anonymous speaker its article, to tell them apart."""
        if self.article_id is None:
            return self.name
        return f"{self.name} (in {self.article_title or self.article_ext_id or self.article_id})"


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity, with its context (keyword in context)."""

    article_id: int
    title: str
    start: int
    end: int
    left: str
    text: str
    right: str


# Sortable columns: what a caller may name -> the SQL expression. Ties are
# broken by the text so paging is stable.
ENTITY_SORTS = {
    "text": "text COLLATE NOCASE",
    "label": "label",
    "articles": "articles",
    "mentions": "mentions",
}
SPEAKER_SORTS = {
    "name": "s.name COLLATE NOCASE",
    "direct": "s.direct",
    "mixed": "s.mixed",
    "indirect": "s.indirect",
    "attributions": "s.attributions",
    "articles": "s.articles",
    "anonymous_share": "s.anonymous_share",
}


def _fingerprint(db: Database) -> str:
    """Changes whenever an article gets another analysis, a new analysis is stored, or
    the final view of a corrected article changes."""
    row = db.execute(
        "SELECT (SELECT max(id) FROM analyses), (SELECT count(analysis_id) FROM articles), "
        "(SELECT total(analysis_id) FROM articles), (SELECT version FROM corrected_state), "
        f"(SELECT count(*) FROM ({FINAL_IDS}))"
    ).fetchone()
    return repr(tuple(row))


def stats_are_fresh(db: Database) -> bool:
    """Whether the entity and speaker tables match the analyses stored now."""
    row = db.execute("SELECT fingerprint FROM stats_state").fetchone()
    return row is not None and row[0] == _fingerprint(db)


def refresh_stats(db: Database, force: bool = False) -> bool:
    """(Re)build the tables behind the entities and speakers views when stale.

    They are ordinary tables, rebuilt in one transaction, so a background
    thread can do the slow counting while the window keeps reading the
    previous figures. Returns whether they were rebuilt.
    """
    if not force and stats_are_fresh(db):
        return False
    current = _fingerprint(db)
    with atomic(db):
        build_entity_groups(db, FINAL_ENTITIES)
        build_attributions(db)
        try:
            _build_speakers(db)
            build_sourcing_stats(db)
        finally:
            drop_attributions(db)
        db.execute("DELETE FROM stats_state")
        db.execute("INSERT INTO stats_state (fingerprint) VALUES (?)", [current])
    return True


def _build_speakers(db: Database) -> None:
    """Per (article, name), then per name: a name anonymous in an article is that article's."""
    db.execute("DELETE FROM stats_speakers")
    db.execute(
        f"""WITH per_article AS (
                SELECT article_id, name, count(*) AS n, sum(kind = 'direct') AS direct,
                       sum(kind = 'mixed') AS mixed, sum(kind = 'indirect') AS indirect,
                       sum(anonymous) AS anonymous
                FROM {ATTRIBUTIONS_TABLE}
                WHERE name IS NOT NULL AND kind != 'no-source'
                GROUP BY article_id, name
            )
            INSERT INTO stats_speakers
                (name, article_id, attributions, direct, mixed, indirect, articles,
                 anonymous_share)
            SELECT p.name, CASE WHEN p.anonymous > 0 THEN p.article_id END AS speaker_article,
                   sum(p.n), sum(p.direct), sum(p.mixed), sum(p.indirect), count(*),
                   1.0 * sum(p.anonymous) / sum(p.n)
            FROM per_article p
            GROUP BY p.name, speaker_article"""
    )


def _order(sorts: dict[str, str], sort: str, descending: bool, tie: str) -> str:
    if sort not in sorts:
        raise ValueError(f"cannot sort by {sort!r}; choose one of {', '.join(sorts)}")
    direction = "DESC" if descending else "ASC"
    return f"ORDER BY {sorts[sort]} {direction}, {tie}"


def _entity_where(
    search: str, label: str | None, without: Collection[str] = ()
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if search:
        # instr() rather than LIKE: '%' and '_' typed by the user mean themselves.
        # The name or any form of it ("Blair" finds the row "Tony Blair").
        clauses.append("(instr(lower(text), lower(?)) > 0 OR instr(lower(variants), lower(?)) > 0)")
        params.extend([search, search])
    if label:
        clauses.append("label = ?")
        params.append(label)
    elif without:  # e.g. the labels hidden in the legend
        clauses.append(f"label NOT IN ({', '.join('?' * len(without))})")
        params.extend(sorted(without))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def entity_count(
    db: Database,
    search: str = "",
    label: str | None = None,
    refresh: bool = True,
    without: Collection[str] = (),
) -> int:
    """How many distinct (entity text, label) rows the entities table has: of ``label``
    only, else of every label but those ``without``.

    ``refresh=False`` reads the figures as last counted (the window counts
    in the background; see refresh_stats)."""
    if refresh:
        refresh_stats(db)
    where, params = _entity_where(search, label, without)
    return int(db.execute(f"SELECT count(*) FROM stats_entities{where}", params).fetchone()[0])


def entity_stats(
    db: Database,
    search: str = "",
    label: str | None = None,
    sort: str = "articles",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
    refresh: bool = True,
    without: Collection[str] = (),
) -> list[EntityStat]:
    """A page of the entities table: text, label, articles it is in, mentions."""
    if refresh:
        refresh_stats(db)
    where, params = _entity_where(search, label, without)
    order = _order(ENTITY_SORTS, sort, descending, "text, label")
    rows = db.execute(
        f"SELECT text, label, articles, mentions, variants FROM stats_entities{where} "
        f"{order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [EntityStat(r[0], r[1], r[2], r[3], tuple(json.loads(r[4]))) for r in rows]


def top_entities(
    db: Database,
    n: int = 10,
    label: str | None = None,
    refresh: bool = True,
    without: Collection[str] = (),
) -> list[EntityStat]:
    """The entities found in most articles, for a bar chart."""
    return entity_stats(db, label=label, sort="articles", limit=n, refresh=refresh, without=without)


def _speaker_where(search: str) -> tuple[str, list[object]]:
    if not search:
        return "", []
    return " WHERE instr(lower(s.name), lower(?)) > 0", [search]


def speaker_count(db: Database, search: str = "", refresh: bool = True) -> int:
    """How many rows the speakers table has (each anonymous speaker once per article)."""
    if refresh:
        refresh_stats(db)
    where, params = _speaker_where(search)
    return int(db.execute(f"SELECT count(*) FROM stats_speakers s{where}", params).fetchone()[0])


def speaker_stats(
    db: Database,
    search: str = "",
    sort: str = "attributions",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
    refresh: bool = True,
) -> list[SpeakerStat]:
    """A page of the speakers table: name (and article, for an anonymous speaker),
    attributions per kind and in all, articles, share anonymous."""
    if refresh:
        refresh_stats(db)
    where, params = _speaker_where(search)
    order = _order(SPEAKER_SORTS, sort, descending, "s.name, s.article_id")
    rows = db.execute(
        "SELECT s.name, s.attributions, s.articles, s.anonymous_share, s.direct, s.mixed, "
        "s.indirect, s.article_id, a.title, a.ext_id "
        f"FROM stats_speakers s LEFT JOIN articles a ON a.id = s.article_id{where} "
        f"{order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [SpeakerStat(r[0], r[1], r[2], float(r[3] or 0.0), *r[4:]) for r in rows]


def top_speakers(db: Database, n: int = 10, refresh: bool = True) -> list[SpeakerStat]:
    """The speakers with most attributions, for a bar chart."""
    return speaker_stats(db, sort="attributions", limit=n, refresh=refresh)


# The final mentions of one entity (name, label) in every form it is written in:
# article_id, start, end, text. "text = f.text COLLATE NOCASE AND text = f.text"
# lets the NOCASE index find the rows of each form.
_MENTIONS = f"""
    WITH forms(text) AS ({GROUP_FORMS})
    SELECT a.id AS article_id, e.start AS start, e."end" AS "end", e.text AS text
    FROM forms f
    JOIN entities e ON e.text = f.text COLLATE NOCASE AND e.text = f.text AND e.label = ?
    JOIN articles a ON a.analysis_id = e.analysis_id
    WHERE a.id NOT IN ({FINAL_IDS})
    UNION ALL
    SELECT fe.article_id, fe.start, fe."end", fe.text
    FROM forms f
    JOIN final_entities fe ON fe.text = f.text COLLATE NOCASE AND fe.text = f.text
         AND fe.label = ?
    WHERE fe.article_id IN ({FINAL_IDS})"""


def _mention_params(text: str, label: str) -> list[object]:
    return [text, label, text, label, label]


def mention_count(db: Database, text: str, label: str) -> int:
    return int(
        db.execute(f"SELECT count(*) FROM ({_MENTIONS})", _mention_params(text, label)).fetchone()[
            0
        ]
    )


def entity_mentions(
    db: Database, text: str, label: str, offset: int = 0, limit: int = 100
) -> list[Mention]:
    """A page of the mentions of one entity, in corpus order, each in context.

    Context is cut by SQL (substr counts characters, as Python offsets do), so
    no article's whole text is read.
    """
    c = MENTION_CONTEXT
    rows = db.execute(
        f"""SELECT a.id, a.title, m.start, m."end",
                   substr(a.text, max(m.start - ? + 1, 1), min(m.start, ?)),
                   m.text,
                   substr(a.text, m."end" + 1, ?)
            FROM ({_MENTIONS}) m JOIN articles a ON a.id = m.article_id
            ORDER BY m.article_id, m.start LIMIT ? OFFSET ?""",
        [c, c, c, *_mention_params(text, label), limit, offset],
    ).fetchall()
    return [Mention(r[0], r[1], r[2], r[3], _flat(r[4]), r[5], _flat(r[6])) for r in rows]


_SPACES = str.maketrans("\n\t\r", "   ")


def _flat(text: str) -> str:
    return text.translate(_SPACES)


def articles_per_month(db: Database) -> list[tuple[str, int]]:
    """(YYYY-MM, articles) for articles whose date starts with an ISO year and month."""
    rows = db.execute(
        """SELECT substr(date, 1, 7) AS month, count(*) FROM articles
           WHERE date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]*'
           GROUP BY month ORDER BY month"""
    ).fetchall()
    return [(r[0], int(r[1])) for r in rows]
