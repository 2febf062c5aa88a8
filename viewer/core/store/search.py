"""Full-text search (SQLite FTS5) over titles and texts, with hits in context.

User input never becomes SQL: the FTS query is a bound parameter. In the
default safe mode every word (or "double-quoted phrase") is quoted as an FTS5
string, so characters like ``-`` ``:`` ``(`` or ``AND`` are searched for, not
interpreted; a trailing ``*`` keeps its prefix meaning. Raw mode passes FTS5
syntax through (AND/OR/NOT, NEAR, column filters) and turns its syntax errors
into a SearchError with a readable message.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from viewer.core.store.search_terms import first_match

CONTEXT_CHARS = 60  # shown on each side of a hit
# Marks put around matched tokens by FTS5's highlight(). A text that holds one,
# or a NUL (highlight() stops there), is matched in Python instead (search_terms).
_OPEN, _CLOSE = "\x02", "\x03"
_UNMARKABLE = ("\x00", _OPEN, _CLOSE)
_TERM = re.compile(r'"([^"]*)"?|(\S+)')


class SearchError(ValueError):
    """The query cannot be run; the message says why, in words for the user."""


@dataclass(frozen=True)
class SearchHit:
    """One matching article and its first match in context (keyword in context).

    ``start``/``end`` are offsets of the match in the article text, or -1 when
    only the title matched; ``left + match + right`` is the context line.
    """

    article_id: int
    title: str
    start: int
    end: int
    left: str
    match: str
    right: str
    matches: int  # matched tokens in this article (title and text)


def fts_query(query: str, raw: bool = False) -> str:
    """The FTS5 expression for what the user typed ('' when there is nothing to find)."""
    # FTS5 reads its query as a C string: a NUL would cut it short mid-quote.
    query = query.replace("\x00", " ")
    if raw:
        return query.strip()
    parts = []
    for m in _TERM.finditer(query):
        phrase, word = m.group(1), m.group(2)
        if phrase is not None:
            if phrase.strip():
                parts.append(_quoted(phrase))
            continue
        prefix = word.endswith("*") and len(word.rstrip("*")) > 0
        word = word.rstrip("*") if prefix else word
        if word.strip('*"'):
            parts.append(_quoted(word) + ("*" if prefix else ""))
    return " ".join(parts)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def search_count(db: Database, query: str, raw: bool = False) -> int:
    """How many articles match (0 for an empty query)."""
    match = fts_query(query, raw)
    if not match:
        return 0
    sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
    return int(run(db, sql, [match], query).fetchone()[0])


def search(
    db: Database, query: str, raw: bool = False, offset: int = 0, limit: int = 50
) -> list[SearchHit]:
    """A page of matching articles in corpus order, each with its first match in context."""
    match = fts_query(query, raw)
    if not match:
        return []
    return hits(db, match, query, "", [], offset, limit)


def hits(
    db: Database,
    match: str,
    query: str,
    where: str,
    params: Sequence[object],
    offset: int,
    limit: int,
) -> list[SearchHit]:
    """Hits for an FTS5 expression, optionally narrowed by ``AND <where>`` over ``a``.

    Corpus order (rowid) rather than relevance: FTS5 reads its lists in rowid
    order, so a page of a very common word costs the same as a rare one.
    """
    extra = f" AND {where}" if where else ""
    sql = f"""
        SELECT a.id, a.title,
               highlight(articles_fts, 0, '{_OPEN}', '{_CLOSE}'),
               highlight(articles_fts, 1, '{_OPEN}', '{_CLOSE}'),
               instr(a.title || a.text, char(0)) OR instr(a.title || a.text, char(2))
                   OR instr(a.title || a.text, char(3))
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE articles_fts MATCH ?{extra}
        ORDER BY articles_fts.rowid LIMIT ? OFFSET ?
    """
    rows = run(db, sql, [match, *params, limit, offset], query).fetchall()
    return [
        _unmarkable_hit(db, int(r[0]), match) if r[4] else _hit(int(r[0]), r[1], r[2], r[3])
        for r in rows
    ]


def run(db: Database, sql: str, params: Sequence[object], query: str) -> sqlite3.Cursor:
    """Execute a statement with a MATCH, naming a malformed query in words."""
    try:
        return db.execute(sql, list(params))
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "fts5" in message or "no such column" in message or "unterminated" in message:
            raise SearchError(
                f"Cannot search for {query!r}: {message.removeprefix('fts5: ')}. "
                "Put words in double quotes to search for them as they are."
            ) from exc
        raise


def _hit(article_id: int, title: str, marked_title: str, marked_text: str) -> SearchHit:
    text_match = _first_mark(marked_text)
    count = marked_text.count(_OPEN) + marked_title.count(_OPEN)
    if text_match is None:
        return SearchHit(article_id, title, -1, -1, "", title, "", count)
    start, end, plain = text_match
    left = _one_line(plain[max(0, start - CONTEXT_CHARS) : start])
    right = _one_line(plain[end : end + CONTEXT_CHARS])
    return SearchHit(article_id, title, start, end, left, plain[start:end], right, count)


def _unmarkable_hit(db: Database, article_id: int, match: str) -> SearchHit:
    """The hit of a text holding a NUL or a mark, found by search_terms."""
    title, text = db.execute(
        "SELECT title, text FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    in_text, in_title = first_match(text, match), first_match(title, match)
    count = (in_text[2] if in_text else 0) + (in_title[2] if in_title else 0)
    if in_text is None:
        return SearchHit(article_id, title, -1, -1, "", title, "", count)
    start, end, _ = in_text
    left = _one_line(text[max(0, start - CONTEXT_CHARS) : start])
    right = _one_line(text[end : end + CONTEXT_CHARS])
    return SearchHit(article_id, title, start, end, left, text[start:end], right, count)


def _first_mark(marked: str) -> tuple[int, int, str] | None:
    """(start, end) of the first highlighted run in the unmarked text, and that text."""
    i = marked.find(_OPEN)
    if i == -1:
        return None
    j = marked.find(_CLOSE, i)
    plain = marked.replace(_OPEN, "").replace(_CLOSE, "")
    # Marks before the first match are none, so i is already a plain offset.
    return i, j - 1, plain


_SPACES = str.maketrans("\n\t\r", "   ")


def _one_line(text: str) -> str:
    return text.translate(_SPACES)
