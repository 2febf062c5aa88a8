"""Articles: insert or update from a corpus load; rows for the article list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlite_utils import Database

from viewer.core.model import Article
from viewer.core.store.corrected import final_count
from viewer.core.store.database import atomic, inserted_id


@dataclass(frozen=True)
class ArticleRow:
    """What the article list shows: no text, so a long list stays light."""

    id: int
    ext_id: str
    title: str
    source: str | None
    date: str | None
    entity_count: int | None  # None: not analysed yet
    quote_count: int | None


@dataclass(frozen=True)
class StoredArticle:
    id: int
    ext_id: str
    title: str
    text: str
    text_hash: str
    source: str | None
    date: str | None
    url: str | None
    origin: str
    meta: dict[str, object]
    warnings: list[str]
    analysis_id: int | None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def upsert_articles(
    db: Database, articles: Iterable[Article], changed: list[int] | None = None
) -> list[int]:
    """Store articles (one transaction), returning their row ids in order.

    An article already stored under the same id keeps its row; if its text
    changed, its analysis link is cleared so it is analysed again, and its id
    is appended to ``changed`` (its annotations need re-anchoring).
    """
    ids: list[int] = []
    stamp = now()
    with atomic(db):
        for art in articles:
            ids.append(_upsert_one(db, art, stamp, changed))
    return ids


def _upsert_one(db: Database, art: Article, stamp: str, changed: list[int] | None) -> int:
    fields = {
        "title": art.title,
        "source": art.source,
        "date": art.date,
        "url": art.url,
        "meta": json.dumps(dict(art.meta), ensure_ascii=False, default=str),
        "origin": art.origin,
        "warnings": json.dumps(list(art.warnings), ensure_ascii=False),
    }
    row = db.execute("SELECT id, text_hash FROM articles WHERE ext_id = ?", [art.id]).fetchone()
    if row is None:
        cur = db.execute(
            "INSERT INTO articles (ext_id, text, text_hash, imported_at, "
            + ", ".join(fields)
            + ") VALUES (?, ?, ?, ?, "
            + ", ".join("?" * len(fields))
            + ")",
            [art.id, art.text, art.text_hash, stamp, *fields.values()],
        )
        article_id = inserted_id(cur)
        _index_for_search(db, article_id, art.title, art.text)
        return article_id
    article_id, old_hash = row
    old_title = db.execute("SELECT title FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    if old_title != art.title or old_hash != art.text_hash:  # a re-import rewrites every row
        _unindex_for_search(db, article_id)
    sets = ", ".join(f"{name} = ?" for name in fields)
    db.execute(f"UPDATE articles SET {sets} WHERE id = ?", [*fields.values(), article_id])
    if old_title != art.title or old_hash != art.text_hash:
        _index_for_search(db, article_id, art.title, art.text)
    if old_hash != art.text_hash:
        if changed is not None:
            changed.append(int(article_id))
        db.execute(
            "UPDATE articles SET text = ?, text_hash = ?, analysis_id = NULL, "
            "imported_at = ? WHERE id = ?",
            [art.text, art.text_hash, stamp, article_id],
        )
    return int(article_id)


def _index_for_search(db: Database, article_id: int, title: str, text: str) -> None:
    db.execute(
        "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", [article_id, title, text]
    )


def _unindex_for_search(db: Database, article_id: int) -> None:
    """Remove the article's terms (an external-content index needs the old values)."""
    db.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, text) "
        "SELECT 'delete', id, title, text FROM articles WHERE id = ?",
        [article_id],
    )


# The counts are the final view's (a corrected article's own, see store.corrected).
_ROW_SQL = f"""
    SELECT a.id, a.ext_id, a.title, a.source, a.date, {final_count("entity_count")},
           {final_count("quote_count")}
    FROM articles a LEFT JOIN analyses an ON an.id = a.analysis_id
"""


def article_count(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def article_rows(db: Database, offset: int = 0, limit: int = -1) -> list[ArticleRow]:
    """A page of the article list, in corpus order."""
    cur = db.execute(_ROW_SQL + " ORDER BY a.id LIMIT ? OFFSET ?", [limit, offset])
    return [ArticleRow(*r) for r in cur.fetchall()]


def article_row(db: Database, article_id: int) -> ArticleRow | None:
    r = db.execute(_ROW_SQL + " WHERE a.id = ?", [article_id]).fetchone()
    return ArticleRow(*r) if r else None


def get_article(
    db: Database, article_id: int, known: StoredArticle | None = None
) -> StoredArticle | None:
    """The article; ``known``: this article as read before, whose text is reused
    if the stored one has the same hash (a 5 MB text is not read again)."""
    r = db.execute(
        "SELECT id, ext_id, title, text_hash, source, date, url, origin, meta, "
        "warnings, analysis_id FROM articles WHERE id = ?",
        [article_id],
    ).fetchone()
    if r is None:
        return None
    id_, ext_id, title, text_hash, source, date, url, origin, meta, warnings, analysis = r
    if known is not None and known.id == article_id and known.text_hash == text_hash:
        text = known.text
    else:
        (text,) = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
    return StoredArticle(
        id_,
        ext_id,
        title,
        text,
        text_hash,
        source,
        date,
        url,
        origin,
        json.loads(meta),
        json.loads(warnings),
        analysis,
    )


def current_text_hash(db: Database, article_id: int) -> str | None:
    """The hash of the article's stored text (None: no such article)."""
    row = db.execute("SELECT text_hash FROM articles WHERE id = ?", [article_id]).fetchone()
    return row[0] if row else None


def names_of(db: Database, article_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(corpus id, title) of each of ``article_ids`` that exists, by row id."""
    marks = ", ".join("?" * len(article_ids))
    rows = db.execute(f"SELECT id, ext_id, title FROM articles WHERE id IN ({marks})", article_ids)
    return {int(i): (ext_id, title) for i, ext_id, title in rows}


def ids_for_ext_ids(db: Database, ext_ids: list[str]) -> list[int]:
    out = []
    for ext in ext_ids:
        row = db.execute("SELECT id FROM articles WHERE ext_id = ?", [ext]).fetchone()
        if row:
            out.append(int(row[0]))
    return out


def column_in_use(db: Database, column: Literal["source", "date"]) -> bool:
    """Whether any article has a source (or date): the list hides an empty column.
    One index lookup (articles_by_source / articles_by_date)."""
    sql = {
        "source": "SELECT 1 FROM articles WHERE source IS NOT NULL AND source != '' LIMIT 1",
        "date": "SELECT 1 FROM articles WHERE date IS NOT NULL AND date != '' LIMIT 1",
    }[column]
    return db.execute(sql).fetchone() is not None
