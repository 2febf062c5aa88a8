"""Sourcing summary: how many attributions name their source, and how many are anonymous.

Counted over attributions, not pieces (the pieces of one interrupted
attribution share ``attribution_id`` and count once, as in
``viewer.core.attributions``; a piece without an id is an attribution of its
own, and an attribution's kind and anonymity are those of its first piece).
Like the entities and speakers tables, the figures are the final view: the
model's output with the analyst's corrections applied (see store.corrected).

Counting a big corpus's quotes takes a while, so ``build_sourcing_stats`` fills
``stats_sourcing`` (one row per analysed article) when the corpus tables are
rebuilt (``overview.refresh_stats``, in the window a background job). The
summary then groups those few numbers per article through ``articles``, the
whole corpus, per outlet (``articles.source``) or per month (the first seven
characters of an ISO ``articles.date``; anything else is "unknown"), reading
only the small indexed columns. Sort columns come from a whitelist; values are
bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from viewer.core.attributions import ATTRIBUTION_KINDS
from viewer.core.store.corrected import FINAL_IDS

GROUPINGS = ("outlet", "month", "article")
UNKNOWN = "unknown"  # the group of articles without an outlet or an ISO month

# The counted columns, in ATTRIBUTION_KINDS order ("no-source" -> no_source).
KIND_COLUMNS = tuple(k.replace("-", "_") for k in ATTRIBUTION_KINDS)

# One row per attribution of each analysed article: the model's for an article
# without corrections, the stored final view's for a corrected one. With min()
# the other bare columns come from that row (SQLite's rule): the first piece's
# kind, anonymity and speaker.
ATTRIBUTIONS_TABLE = "temp.stats_attributions"
_ATTRIBUTIONS_SQL = f"""
    CREATE TEMP TABLE stats_attributions AS
    SELECT a.id AS article_id, min(q.start) AS start, q.kind AS kind,
           q.anonymous != 0 AS anonymous,
           coalesce(q.speaker_name, q.speaker_text) AS name
    FROM articles a JOIN quotes q ON q.analysis_id = a.analysis_id
    WHERE a.id NOT IN ({FINAL_IDS})
    GROUP BY a.id, q.attribution_id, CASE WHEN q.attribution_id IS NULL THEN q.rowid END
    UNION ALL
    SELECT f.article_id, min(f.start), f.kind, f.anonymous != 0,
           coalesce(f.speaker_name, f.speaker_text)
    FROM final_quotes f
    WHERE f.article_id IN ({FINAL_IDS})
    GROUP BY f.article_id, f.attribution_id, CASE WHEN f.attribution_id IS NULL THEN f.rowid END
"""


def kind_sums(prefix: str = "") -> str:
    """``sum(kind = 'direct'), …`` for the kinds in KIND_COLUMNS order (constants only)."""
    return ", ".join(f"coalesce(sum({prefix}kind = '{k}'), 0)" for k in ATTRIBUTION_KINDS)


def build_attributions(db: Database) -> None:
    """(Re)create the per-connection table of attributions the stats are counted from."""
    db.execute(f"DROP TABLE IF EXISTS {ATTRIBUTIONS_TABLE}")
    db.execute(_ATTRIBUTIONS_SQL)
    db.execute("CREATE INDEX temp.stats_attributions_by_article ON stats_attributions(article_id)")


def drop_attributions(db: Database) -> None:
    db.execute(f"DROP TABLE IF EXISTS {ATTRIBUTIONS_TABLE}")


def build_sourcing_stats(db: Database) -> None:
    """Fill ``stats_sourcing`` from ``build_attributions``'s table (inside the caller's
    transaction): one row per analysed article, also those without attributions."""
    db.execute("DELETE FROM stats_sourcing")
    db.execute(
        f"""INSERT INTO stats_sourcing
               (article_id, attributions, {", ".join(KIND_COLUMNS)}, anonymous)
            SELECT a.id, count(t.article_id), {kind_sums("t.")}, coalesce(sum(t.anonymous), 0)
            FROM articles a LEFT JOIN {ATTRIBUTIONS_TABLE} t ON t.article_id = a.id
            WHERE a.analysis_id IS NOT NULL
            GROUP BY a.id"""
    )


@dataclass(frozen=True)
class SourcingRow:
    """The attributions of a group of articles (the corpus, an outlet, a month, an article).

    ``key`` is the outlet, the month (YYYY-MM) or the article's corpus id; None
    for the "unknown" outlet or month. ``label`` is what a table shows: the
    outlet, the month, the article's title, or "unknown".
    """

    key: str | None
    label: str
    articles: int  # analysed articles in the group
    attributions: int
    direct: int
    mixed: int
    indirect: int
    no_source: int
    anonymous: int  # attributions whose speaker is anonymous ("a spokesman")
    article_id: int | None = None  # grouping by article: the article's row id

    @property
    def anonymous_share(self) -> float | None:
        """Share of the attributions with an anonymous source; None without attributions."""
        return self.anonymous / self.attributions if self.attributions else None

    @property
    def no_source_share(self) -> float | None:
        return self.no_source / self.attributions if self.attributions else None


_COUNTS = (
    "count(*) AS articles, coalesce(sum(s.attributions), 0) AS attributions, "
    "coalesce(sum(s.direct), 0) AS direct, coalesce(sum(s.mixed), 0) AS mixed, "
    "coalesce(sum(s.indirect), 0) AS indirect, coalesce(sum(s.no_source), 0) AS no_source, "
    "coalesce(sum(s.anonymous), 0) AS anonymous"
)
_ONE = (
    "1 AS articles, s.attributions AS attributions, s.direct AS direct, s.mixed AS mixed, "
    "s.indirect AS indirect, s.no_source AS no_source, s.anonymous AS anonymous"
)
_JOIN = "FROM articles a JOIN stats_sourcing s ON s.article_id = a.id"
# A month only when the date starts with YYYY-MM, MM being 01..12, and no more digits.
_MONTH = (
    "CASE WHEN (a.date GLOB '[0-9][0-9][0-9][0-9]-0[1-9]*' "
    "OR a.date GLOB '[0-9][0-9][0-9][0-9]-1[0-2]*') "
    "AND substr(a.date, 8, 1) NOT GLOB '[0-9]' THEN substr(a.date, 1, 7) END"
)
_SHARE = "(CASE WHEN attributions > 0 THEN 1.0 * anonymous / attributions END)"

# What a caller may sort by -> the terms over a grouped row, each followed by the
# direction; None terms never turn: unknown groups and rows without a share stay last.
_SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "key": (("key IS NULL", False), ("label COLLATE NOCASE", True)),
    "articles": (("articles", True),),
    "attributions": (("attributions", True),),
    "direct": (("direct", True),),
    "mixed": (("mixed", True),),
    "indirect": (("indirect", True),),
    "no_source": (("no_source", True),),
    "anonymous": (("anonymous", True),),
    "anonymous_share": ((f"{_SHARE} IS NULL", False), (_SHARE, True)),
}
SOURCING_SORTS = tuple(_SORTS)
DEFAULT_SORT = {"outlet": "attributions", "month": "key", "article": "attributions"}


def _grouped(grouping: str) -> str:
    """A query of one row per group: key, label, article_id, then the counts."""
    if grouping == "outlet":
        return (
            f"SELECT a.source AS key, a.source AS label, NULL AS article_id, {_COUNTS} {_JOIN} "
            "GROUP BY a.source"
        )
    if grouping == "month":
        return (
            f"SELECT {_MONTH} AS key, {_MONTH} AS label, NULL AS article_id, {_COUNTS} {_JOIN} "
            "GROUP BY 1"
        )
    if grouping == "article":
        return f"SELECT a.ext_id AS key, a.title AS label, a.id AS article_id, {_ONE} {_JOIN}"
    raise ValueError(f"cannot group by {grouping!r}; choose one of {', '.join(GROUPINGS)}")


_NAMES = (
    "key, label, article_id, articles, attributions, direct, mixed, indirect, no_source, anonymous"
)


def _refresh(db: Database) -> None:
    from viewer.core.store.overview import refresh_stats  # overview builds these tables too

    refresh_stats(db)


def _row(r: tuple[Any, ...]) -> SourcingRow:
    key, label, article_id = r[0], r[1], r[2]
    articles, attributions, direct, mixed, indirect, no_source, anonymous = (
        int(v or 0) for v in r[3:10]
    )
    return SourcingRow(
        key, UNKNOWN if label is None else label,
        articles, attributions, direct, mixed, indirect, no_source, anonymous,
        article_id=article_id,
    )  # fmt: skip


def corpus_sourcing(db: Database, refresh: bool = True) -> SourcingRow:
    """The whole corpus (every analysed article) in one row, labelled "corpus"."""
    if refresh:
        _refresh(db)
    r = db.execute(f"SELECT {_COUNTS} {_JOIN}").fetchone()
    return SourcingRow(None, "corpus", *(int(v or 0) for v in r))


def sourcing_count(db: Database, grouping: str, refresh: bool = True) -> int:
    """How many rows the summary has when grouped by ``grouping``."""
    if refresh:
        _refresh(db)
    return int(db.execute(f"SELECT count(*) FROM ({_grouped(grouping)})").fetchone()[0])


def sourcing_rows(
    db: Database,
    grouping: str,
    sort: str | None = None,
    descending: bool | None = None,
    offset: int = 0,
    limit: int = -1,
    refresh: bool = True,
) -> list[SourcingRow]:
    """A page of the summary grouped by outlet, month or article.

    By default outlets and articles come by attributions (most first), months
    in order; the "unknown" outlet or month comes last either way.
    """
    if grouping not in GROUPINGS:
        raise ValueError(f"cannot group by {grouping!r}; choose one of {', '.join(GROUPINGS)}")
    if refresh:
        _refresh(db)
    sort = sort or DEFAULT_SORT[grouping]
    if sort not in _SORTS:
        raise ValueError(f"cannot sort by {sort!r}; choose one of {', '.join(_SORTS)}")
    if descending is None:
        descending = sort != "key"
    direction = " DESC" if descending else " ASC"
    order = ", ".join(term + (direction if turns else "") for term, turns in _SORTS[sort])
    if grouping == "article" and sort != "key":
        # Sort and page the counts alone (ties in corpus order), then read the titles
        # of that page only: a title is in the article's (large) row.
        page = (
            f"SELECT NULL AS key, NULL AS label, a.id AS article_id, {_ONE} {_JOIN} "
            f"ORDER BY {order}, article_id LIMIT ? OFFSET ?"
        )
        columns = _NAMES.replace("key, label, ", "t.ext_id, t.title, ")
        sql = (
            f"SELECT {columns} FROM ({page}) JOIN articles t ON t.id = article_id "
            f"ORDER BY {order}, article_id"
        )
    else:
        sql = (
            f"SELECT {_NAMES} FROM ({_grouped(grouping)}) ORDER BY {order}, "
            "key IS NULL, label COLLATE NOCASE, key, article_id LIMIT ? OFFSET ?"
        )
    return [_row(r) for r in db.execute(sql, [limit, offset]).fetchall()]


def share_per_month(db: Database, refresh: bool = True) -> list[tuple[str, float, int]]:
    """(YYYY-MM, anonymous share, attributions) for months with attributions, in order."""
    rows = sourcing_rows(db, "month", sort="key", descending=False, refresh=refresh)
    return [
        (r.key, r.anonymous_share, r.attributions)
        for r in rows
        if r.key is not None and r.anonymous_share is not None
    ]


# Bucket 0: no anonymous attribution; then (0, 10%], (10%, 20%], …, (90%, 100%],
# each named by its upper bound.
SHARE_BUCKETS = ("0%", *(f"≤{10 * i}%" for i in range(1, 11)))


def articles_by_share(db: Database, refresh: bool = True) -> list[tuple[str, int]]:
    """(SHARE_BUCKETS label, articles): articles with attributions by their anonymous share."""
    if refresh:
        _refresh(db)
    # ceil(10 * anonymous / attributions), in integers.
    rows = db.execute(
        f"""SELECT CASE WHEN s.anonymous = 0 THEN 0
                        ELSE min(10, (10 * s.anonymous + s.attributions - 1) / s.attributions)
                   END AS bucket, count(*)
            {_JOIN} WHERE s.attributions > 0 GROUP BY bucket"""
    ).fetchall()
    counts = dict.fromkeys(range(len(SHARE_BUCKETS)), 0)
    for bucket, n in rows:
        counts[int(bucket)] = int(n)
    return [(SHARE_BUCKETS[b], counts[b]) for b in range(len(SHARE_BUCKETS))]
