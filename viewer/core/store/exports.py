"""The SQL behind the CSV exports (``viewer.core.tasks.export``): the rows, in export order.

Every function returns rows straight from a cursor (the exports stream a
million rows; nothing is held). ``who``: one annotator's work, or everyone's
(None); each "(? IS NULL OR x.annotator = ?)" takes the name twice, so one SQL
text serves both. Cells the annotations export writes are rendered in SQL
(``sql_text``): neutralised like ``export.neutralise`` unless ``raw``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

Rows = Iterator[Any]  # tuples from a cursor, in the SELECT's column order

_BY = "(? IS NULL OR {}.annotator = ?)"
_HAS_ANALYST_WORK = f"""
    EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = a.id AND {_BY.format("n")})
    OR EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND {_BY.format("t")})
    OR EXISTS (SELECT 1 FROM article_reviews r WHERE r.article_id = a.id AND {_BY.format("r")})
"""


def _whose(who: str | None, times: int = 1) -> list[str | None]:
    return [who, who] * times


def sql_text(column: str, raw: bool) -> str:
    """SQL giving ``column`` as export text: NULL -> '', neutralised unless raw.

    The same rule as export.neutralise(), written as comparisons (SQLite opcodes,
    no function calls) so a million rows pay almost nothing for it: the first
    byte is one of = + - @ TAB CR NUL. Most text starts at 'A' or above and
    is decided by the first comparison.
    """
    if raw:
        return f"ifnull({column}, '')"
    x = column
    risky = (
        f"{x} < 'A' AND ({x} >= '=' AND ({x} < '>' OR {x} >= '@') OR {x} < '.' AND "
        f"({x} >= '+' AND {x} < ',' OR {x} >= '-' OR {x} < char(14) AND "
        f"({x} >= char(13) OR {x} >= char(9) AND {x} < char(10) OR {x} > '' AND {x} < char(1))))"
    )
    return f"ifnull(CASE WHEN {risky} THEN '''' || {x} ELSE {x} END, '')"


# -- which articles ------------------------------------------------------------------------


def count_annotated_articles(db: Database, who: str | None = None) -> int:
    """Articles with an annotation, a tag or a review (``who``'s)."""
    sql = f"SELECT count(*) FROM articles a WHERE {_HAS_ANALYST_WORK}"
    return int(db.execute(sql, _whose(who, 3)).fetchone()[0])


_ANNOTATED_ARTICLES_SQL = f"""
    SELECT a.id, a.ext_id, a.title, a.source, a.date, a.url, a.text, a.text_hash
    FROM articles a
    WHERE {_HAS_ANALYST_WORK}
    ORDER BY a.id
"""
_ANNOTATED_RANGE_SQL = _ANNOTATED_ARTICLES_SQL.replace(
    f"WHERE {_HAS_ANALYST_WORK}", f"WHERE a.id BETWEEN ? AND ? AND ({_HAS_ANALYST_WORK})"
)


def annotated_articles(
    db: Database, who: str | None = None, id_range: tuple[int, int] | None = None
) -> Rows:
    """(id, ext_id, title, source, date, url, text, text_hash) of every article with
    ``who``'s work, in corpus order; ``id_range``: (first, last) row ids only."""
    if id_range is None:
        return db.execute(_ANNOTATED_ARTICLES_SQL, _whose(who, 3))
    return db.execute(_ANNOTATED_RANGE_SQL, [*id_range, *_whose(who, 3)])


LAST_ID = 2**63 - 1  # SQLite's largest row id
_ANNOTATION_ARTICLE_IDS = "SELECT {part} FROM (SELECT article_id AS x FROM annotations)"


def annotation_ranges(db: Database, parts: int) -> list[tuple[int, int]]:
    """Article id ranges holding about the same number of annotations each."""
    (count,) = db.execute(_ANNOTATION_ARTICLE_IDS.format(part="count(*)")).fetchone()
    if not count:
        return [(0, LAST_ID)]  # tags, statuses or notes only: one part
    # The outer ranges are open-ended: articles with only tags, a status or a
    # note may lie outside the annotated ones.
    bounds, start = [], 0
    for k in range(1, parts):
        (cut,) = db.execute(
            _ANNOTATION_ARTICLE_IDS.format(part="x") + " ORDER BY x LIMIT 1 OFFSET ?",
            [count * k // parts],
        ).fetchone()
        if cut > start:
            bounds.append((start, cut - 1))
            start = cut
    bounds.append((start, LAST_ID))
    return bounds


def articles_in_order(db: Database) -> Rows:
    """(id, ext_id, title, source, date, url, analysis_id) of every article, corpus order."""
    return db.execute(
        "SELECT id, ext_id, title, source, date, url, analysis_id FROM articles ORDER BY id"
    )


# The article's status and note: the latest review (anyone's, or the annotator's).
_LATEST_REVIEW = f"""(SELECT rv.rowid FROM article_reviews rv
    WHERE rv.article_id = a.id AND {_BY.format("rv")} ORDER BY rv.updated_at DESC LIMIT 1)"""
_ARTICLE_SUMMARY_SQL = f"""
    SELECT a.id, a.ext_id, a.title, a.source, a.date, a.url, a.analysis_id, a.origin, a.meta,
           coalesce(r.status, 'unreviewed'), r.note,
           (SELECT count(*) FROM annotations n WHERE n.article_id = a.id AND {_BY.format("n")})
    FROM articles a LEFT JOIN article_reviews r ON r.rowid = {_LATEST_REVIEW}
    ORDER BY a.id
"""


def article_summaries(db: Database, who: str | None = None) -> Rows:
    """(id, ext_id, title, source, date, url, analysis_id, origin, meta, status, note,
    annotation count) of every article, corpus order: the latest review (``who``'s)."""
    return db.execute(_ARTICLE_SUMMARY_SQL, _whose(who, 2))


# -- one article's analyst work -------------------------------------------------------------


def reviews(db: Database, article_id: int, who: str | None = None) -> Rows:
    """(status, note, annotator, updated_at) of the article's reviews, by annotator."""
    return db.execute(
        "SELECT status, note, annotator, updated_at FROM article_reviews r "
        f"WHERE r.article_id = ? AND {_BY.format('r')} ORDER BY r.annotator",
        [article_id, *_whose(who)],
    )


def tags(db: Database, article_id: int, who: str | None = None) -> Rows:
    """(tag, annotator, created_at) of the article's tags, by tag then annotator."""
    return db.execute(
        "SELECT tag, annotator, created_at FROM article_tags t "
        f"WHERE t.article_id = ? AND {_BY.format('t')} ORDER BY tag, annotator",
        [article_id, *_whose(who)],
    )


def tag_names(db: Database, article_id: int, who: str | None = None) -> list[str]:
    """The article's distinct tags (``who``'s), sorted."""
    rows = db.execute(
        f"SELECT DISTINCT tag FROM article_tags t WHERE t.article_id = ? AND {_BY.format('t')} "
        "ORDER BY tag",
        [article_id, *_whose(who)],
    )
    return [r[0] for r in rows]


# -- one article's annotations, rendered by SQLite -------------------------------------------
# The big export: a million rows must stream at close to SQLite's own CSV speed.
# SQLite renders and neutralises the cells and joins them (char(31), the export's
# cell separator) into two strings per row; Python adds only the two context cells.

CELLS_BEFORE_CONTEXT = 5  # kind, label, start, end, text
CELLS_AFTER_CONTEXT = 10  # origin .. provenance


def _annotation_cells(raw: bool) -> tuple[list[str], list[str]]:
    """SQL for the cells before the contexts (kind .. text) and after them (origin ..)."""
    t = functools.partial(sql_text, raw=raw)  # short: keeps the lists readable
    before = [t("n.kind"), t("n.label"), "CAST(n.start AS TEXT)", 'CAST(n."end" AS TEXT)',
              t("n.text")]  # fmt: skip
    after = ["CASE WHEN n.action = 'added' THEN 'analyst' ELSE 'model' END", t("n.action"),
             t("n.model_label"), t("n.speaker_text"), t("n.note"), t("n.annotator"),
             t("n.created_at"), t("n.updated_at"), t("n.anchor_status"),
             t("n.provenance")]  # fmt: skip
    assert (len(before), len(after)) == (CELLS_BEFORE_CONTEXT, CELLS_AFTER_CONTEXT)
    return before, after


def _annotation_sql(raw: bool, joined: bool) -> str:
    before, after = _annotation_cells(raw)
    glue = " || char(31) || " if joined else ", "
    return f"""
        SELECT {glue.join(before)},
               n.text_hash = ? AND n.anchor_status != 'orphaned',  -- anchored in this text
               n.start, n."end", n.left_context, n.right_context,
               {glue.join(after)}
        FROM annotations n WHERE n.article_id = ? AND {_BY.format("n")}
        ORDER BY n.start, n.id  -- index order
    """


_ANNOTATION_SQL = {
    (raw, joined): _annotation_sql(raw, joined) for raw in (False, True) for joined in (False, True)
}


def annotation_cells(
    db: Database,
    article_id: int,
    text_hash: str,
    raw: bool,
    joined: bool,
    who: str | None = None,
) -> Rows:
    """The article's annotations (``who``'s) as export cells, in index order.

    Each row: the cells before the contexts, then (anchored in the text of
    ``text_hash``, start, end, stored left and right context), then the cells
    after. ``joined``: the cells before and after come as one string each,
    joined by char(31); else one column per cell (for values holding it).
    """
    return db.execute(_ANNOTATION_SQL[raw, joined], [text_hash, article_id, *_whose(who)])
