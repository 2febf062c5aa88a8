"""Article filters that combine (AND), for the article list and search within it.

Entity and speaker filters go through ``articles.analysis_id``: entities and
quotes belong to an analysis (shared by every article with the same text), and
only an article's current analysis counts. Every value is a bound parameter;
the SQL text depends only on which fields are set.

Speakers are as in the speakers table (``overview``): a name is every speaker
of that name, and ``speaker_article`` narrows it to one article's speaker (an
anonymous speaker, "a spokesman", is a speaker of its article only). Entity
and attribution filters read the final view, like the corpus tables: the
model's output, or for a corrected article its stored final view
(store.corrected).

``annotator`` keeps the articles that annotator worked on (an annotation, a
review or a tag) and makes tag, status and annotation label theirs: "done"
then means done by them. Without it, status and tag are anyone's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from viewer.core.model import ReviewStatus
from viewer.core.names.label_names import entity_label_name
from viewer.core.store.articles import ArticleRow
from viewer.core.store.corrected import final_count, in_final
from viewer.core.store.entity_groups import GROUP_FORMS, GROUP_FORMS_ANY_LABEL
from viewer.core.store.search import SearchError, SearchHit, fts_query, hits, run

# Matches the article list's row query; ``an`` is the current analysis.
_FROM = "FROM articles a LEFT JOIN analyses an ON an.id = a.analysis_id"
_ROW_COLUMNS = (
    "a.id, a.ext_id, a.title, a.source, a.date, "
    f"{final_count('entity_count')}, {final_count('quote_count')}"
)
# Appended to an inclusive upper date bound so "2024-03" includes 2024-03-31.
_DATE_PREFIX_END = "\uffff"


@dataclass(frozen=True)
class ArticleFilter:
    """What the analyst narrowed the corpus to; unset fields do not filter.

    Text comparisons for entity and speaker ignore case. Dates compare as
    text, so ISO dates (YYYY-MM-DD) work and a prefix like "2024-03" is a
    whole month at either end.
    """

    query: str = ""  # full-text search (see store.search)
    raw_query: bool = False  # pass FTS5 syntax through instead of quoting words
    entity_text: str | None = None
    entity_label: str | None = None
    speaker: str | None = None  # resolved name: speaker_name, else speaker_text
    speaker_article: int | None = None  # the speaker of this article (row id) only
    anonymous_quotes: bool = False  # only articles with an anonymous attribution
    attribution_kind: str | None = None  # one of ATTRIBUTION_KINDS: articles with one
    tag: str | None = None
    status: ReviewStatus | None = None
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    has_quotes: bool | None = None  # True: some quotes; False: analysed, none
    annotation_label: str | None = None
    annotator: str | None = None  # their work only (see the module docstring)

    @property
    def is_empty(self) -> bool:
        return self == ArticleFilter()

    def describe(self) -> str:
        """A short summary in words, e.g. "entity “Fox” · without quotes"."""
        parts = []
        if self.query:
            parts.append(f"text “{self.query}”")
        if self.entity_text:
            label = f" ({entity_label_name(self.entity_label)})" if self.entity_label else ""
            parts.append(f"entity “{self.entity_text}”{label}")
        elif self.entity_label:
            parts.append(f"{entity_label_name(self.entity_label)} entities")
        if self.speaker:
            where = f" in article {self.speaker_article}" if self.speaker_article else ""
            parts.append(f"speaker “{self.speaker}”{where}")
        elif self.speaker_article is not None:
            parts.append(f"article {self.speaker_article}")
        if self.anonymous_quotes:
            kind = f" {self.attribution_kind}" if self.attribution_kind else ""
            parts.append(f"anonymous{kind} attributions")
        elif self.attribution_kind:
            parts.append(f"{self.attribution_kind} attributions")
        if self.tag:
            parts.append(f"tagged “{self.tag}”")
        if self.status:
            parts.append(self.status.replace("_", " "))
        if self.source:
            parts.append(f"source “{self.source}”")
        if self.date_from and self.date_to:
            parts.append(f"dated {self.date_from} to {self.date_to}")
        elif self.date_from:
            parts.append(f"dated from {self.date_from}")
        elif self.date_to:
            parts.append(f"dated up to {self.date_to}")
        if self.has_quotes is not None:
            parts.append("with quotes" if self.has_quotes else "without quotes")
        if self.annotation_label:
            parts.append(f"annotated “{self.annotation_label}”")
        if self.annotator:
            parts.append(f"worked on by {self.annotator}")
        return " · ".join(parts) or "all articles"

    def problems(self) -> list[str]:
        """Why the filter cannot be applied as typed (a date that is not a date)."""
        return [
            p for p in (date_problem(self.date_from), date_problem(self.date_to)) if p is not None
        ]


class FilterError(SearchError):
    """The filter cannot be applied as typed; the message says why, for the user."""


_ISO_PREFIX = re.compile(r"\d{4}(?:-(\d{2})(?:-(\d{2}))?)?")


def date_problem(value: str | None) -> str | None:
    """None for no date or an ISO date or prefix (2005, 2005-03, 2005-03-31); else why not.

    Dates compare as text, so "01/01/2005" would silently match nearly everything.
    """
    if not value:
        return None
    found = _ISO_PREFIX.fullmatch(value)
    month, day = (found.group(1), found.group(2)) if found else (None, None)
    try:
        if found is None:
            raise ValueError
        if day is not None:
            date.fromisoformat(value)
        elif month is not None and not 1 <= int(month) <= 12:
            raise ValueError
    except ValueError:
        return f"“{value}” is not a date: write YYYY-MM-DD (or YYYY-MM, or YYYY)"
    return None


def where_clause(f: ArticleFilter, with_query: bool = True) -> tuple[str, list[object]]:
    """``(sql, params)`` for a WHERE over ``a`` (articles) and ``an`` (analyses); '' if none."""
    clauses: list[str] = []
    params: list[object] = []

    def add(sql: str, *values: object) -> None:
        clauses.append(sql)
        params.extend(values)

    if problems := f.problems():
        raise FilterError(problems[0])
    if with_query and (match := fts_query(f.query, f.raw_query)):
        add("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", match)
    entity, entity_params = _entity_condition(f)
    if entity:
        add(_final_rows("entities", entity), *entity_params, *entity_params)
    if f.speaker:
        add(
            _final_rows("quotes", "coalesce(speaker_name, speaker_text) = ? COLLATE NOCASE"),
            f.speaker,
            f.speaker,
        )
    if f.speaker_article is not None:
        add("a.id = ?", f.speaker_article)
    # Both: an attribution that is anonymous and of that kind, not one of each.
    if f.anonymous_quotes and f.attribution_kind:
        add(
            _final_rows("quotes", "anonymous = 1 AND kind = ?"),
            f.attribution_kind,
            f.attribution_kind,
        )
    elif f.anonymous_quotes:
        add(_final_rows("quotes", "anonymous = 1"))
    elif f.attribution_kind:
        add(_final_rows("quotes", "kind = ?"), f.attribution_kind, f.attribution_kind)
    by, who = (" AND annotator = ?", [f.annotator]) if f.annotator else ("", [])
    if f.annotator:
        add(
            "(a.id IN (SELECT article_id FROM annotations WHERE annotator = ?)"
            " OR a.id IN (SELECT article_id FROM article_reviews WHERE annotator = ?)"
            " OR a.id IN (SELECT article_id FROM article_tags WHERE annotator = ?))",
            *[f.annotator] * 3,
        )
    if f.tag:
        add(f"a.id IN (SELECT article_id FROM article_tags WHERE tag = ?{by})", f.tag, *who)
    if f.status == "unreviewed":
        # No review row at all also means unreviewed.
        add(
            "a.id NOT IN (SELECT article_id FROM article_reviews "
            f"WHERE status != 'unreviewed'{by})",
            *who,
        )
    elif f.status:
        add(
            f"a.id IN (SELECT article_id FROM article_reviews WHERE status = ?{by})",
            f.status,
            *who,
        )
    if f.source:
        add("a.source = ?", f.source)
    if f.date_from:
        add("a.date >= ?", f.date_from)
    if f.date_to:
        add("a.date <= ?", f.date_to + _DATE_PREFIX_END)
    if f.has_quotes is True:
        add(f"{final_count('quote_count')} > 0")
    elif f.has_quotes is False:
        add(f"{final_count('quote_count')} = 0")
    if f.annotation_label:
        add(
            "a.id IN (SELECT article_id FROM annotations "
            f"WHERE label = ? AND action != 'rejected'{by})",
            f.annotation_label,
            *who,
        )
    return " AND ".join(clauses), params


def _entity_condition(f: ArticleFilter) -> tuple[str, list[object]]:
    """An entity by name: the text itself, or any form of the entity of that name in
    the entities table ("Tony Blair" also finds "Mr Blair"; see store.entity_groups)."""
    if f.entity_text and f.entity_label:
        return (
            f"text COLLATE NOCASE IN ({GROUP_FORMS}) AND label = ?",
            [f.entity_text, f.entity_label, f.entity_text, f.entity_label],
        )
    if f.entity_text:
        return f"text COLLATE NOCASE IN ({GROUP_FORMS_ANY_LABEL})", [f.entity_text] * 2
    if f.entity_label:
        return "label = ?", [f.entity_label]
    return "", []


def _final_rows(what: str, condition: str) -> str:
    """Articles whose final ``what`` (entities or quotes) has a row meeting ``condition``
    (its parameters are passed twice: the model's rows, then the stored final ones)."""
    return in_final(
        f"SELECT analysis_id FROM {what} WHERE {condition}",
        f"SELECT article_id FROM final_{what} WHERE {condition}",
    )


def filtered_count(db: Database, f: ArticleFilter) -> int:
    """How many articles pass the filter."""
    where, params = where_clause(f)
    # Only has_quotes needs the analysis row; without the join a count can be
    # answered from the covering indexes alone.
    source = _FROM if f.has_quotes is not None else "FROM articles a"
    sql = f"SELECT count(*) {source}" + (f" WHERE {where}" if where else "")
    return int(run(db, sql, params, f.query).fetchone()[0])


def filtered_rows(
    db: Database,
    f: ArticleFilter,
    offset: int = 0,
    limit: int = -1,
    after_id: int | None = None,
) -> list[ArticleRow]:
    """A page of the filtered article list, in corpus order.

    ``after_id`` pages by key (rows with a larger id), which stays fast deep
    into a long list; ``offset`` is then counted from there.
    """
    where, params = where_clause(f)
    if after_id is not None:
        where = f"a.id > ? AND ({where})" if where else "a.id > ?"
        params = [after_id, *params]
    sql = f"SELECT {_ROW_COLUMNS} {_FROM}" + (f" WHERE {where}" if where else "")
    sql += " ORDER BY a.id LIMIT ? OFFSET ?"
    rows = run(db, sql, [*params, limit, offset], f.query).fetchall()
    return [ArticleRow(*r) for r in rows]


def filtered_search(
    db: Database, f: ArticleFilter, offset: int = 0, limit: int = 50
) -> list[SearchHit]:
    """Search hits for ``f.query`` among the articles that pass the other fields."""
    match = fts_query(f.query, f.raw_query)
    if not match:
        return []
    where, params = where_clause(f, with_query=False)
    return hits(db, match, f.query, where, params, offset, limit)


def distinct_values(db: Database, column: str) -> list[str]:
    """Choices for a filter field: 'source', 'tag', 'label' (entity), 'annotation_label',
    'annotator'."""
    sql = _CHOICES.get(column)
    if sql is None:
        raise ValueError(f"no choices for {column!r}")
    return [r[0] for r in db.execute(sql).fetchall()]


# Fixed statements: the column name only picks one, it never enters SQL.
_CHOICES = {
    "source": "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL ORDER BY source",
    "tag": "SELECT DISTINCT tag FROM article_tags ORDER BY tag",
    "label": "SELECT DISTINCT label FROM entities ORDER BY label",
    "annotation_label": "SELECT DISTINCT label FROM annotations WHERE label IS NOT NULL "
    "ORDER BY label",
    "annotator": "SELECT annotator FROM annotations UNION SELECT annotator FROM article_reviews "
    "UNION SELECT annotator FROM article_tags ORDER BY 1",
}
