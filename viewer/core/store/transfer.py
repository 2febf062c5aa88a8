"""The SQL behind the annotations file (``viewer export --jsonl``, ``viewer
import-annotations``): small reads and writes, one per step.

The caller (``viewer.core.tasks.transfer``) decides what to write and what to
merge, and wraps the writes in one ``atomic(db)``; nothing here opens a
transaction itself. Every value is a bound parameter. ``who``: one annotator's
work, or everyone's (None).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from sqlite_utils import Database

from viewer.core.model import Annotation
from viewer.core.store.database import inserted_id

# Everything an annotation holds but its row ids: what "the same content" compares.
CONTENT_FIELDS = tuple(f.name for f in fields(Annotation) if f.name not in ("id", "article_id"))
_CONTENT_SQL = ", ".join(f'"{c}"' for c in CONTENT_FIELDS)
_INSERT_SQL = (
    f'INSERT INTO annotations ("article_id", {_CONTENT_SQL}) '
    f"VALUES ({', '.join('?' * (len(CONTENT_FIELDS) + 1))})"
)
_CONFLICT_FIELDS = (
    "article_id", "field", "kept", "incoming", "incoming_annotator", "incoming_updated_at",
    "source", "created_at",
)  # fmt: skip


# -- export: the records, each type sorted by article id ---------------------------------

_WHOSE = "? IS NULL OR {}annotator = ?"


def record_count(db: Database, who: str | None = None) -> int:
    """How many records the file of ``who``'s work holds: the header, the labels,
    the reviews, tags and annotations."""
    total = 1 + int(db.execute("SELECT count(*) FROM labels").fetchone()[0])
    for table in ("article_reviews", "article_tags", "annotations"):
        sql = f"SELECT count(*) FROM {table} WHERE {_WHOSE.format('')}"
        total += int(db.execute(sql, [who, who]).fetchone()[0])
    return total


def label_records(db: Database) -> Iterator[Any]:
    """(name, color, position) of every label, in label order."""
    return db.execute("SELECT name, color, position FROM labels ORDER BY position, name")


def review_records(db: Database, who: str | None = None) -> Iterator[Any]:
    """(ext_id, status, note, annotator, updated_at) of every review."""
    return db.execute(
        "SELECT a.ext_id, r.status, r.note, r.annotator, r.updated_at "
        "FROM article_reviews r JOIN articles a ON a.id = r.article_id "
        f"WHERE {_WHOSE.format('r.')} ORDER BY a.ext_id, r.annotator",
        [who, who],
    )


def tag_records(db: Database, who: str | None = None) -> Iterator[Any]:
    """(ext_id, tag, annotator, created_at) of every tag."""
    return db.execute(
        "SELECT a.ext_id, t.tag, t.annotator, t.created_at "
        "FROM article_tags t JOIN articles a ON a.id = t.article_id "
        f"WHERE {_WHOSE.format('t.')} ORDER BY a.ext_id, t.tag, t.annotator",
        [who, who],
    )


def annotation_records(db: Database, who: str | None = None) -> Iterator[Any]:
    """(ext_id, *CONTENT_FIELDS) of every annotation, by article then row id."""
    cols = ", ".join(f'n."{c}"' for c in CONTENT_FIELDS)
    return db.execute(
        f"SELECT a.ext_id, {cols} FROM annotations n JOIN articles a ON a.id = n.article_id "
        f"WHERE {_WHOSE.format('n.')} ORDER BY a.ext_id, n.id",
        [who, who],
    )


# -- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleText:
    """The article an imported record names: its row id and current text."""

    id: int
    text: str
    text_hash: str


@dataclass(frozen=True)
class ReviewRow:
    status: str | None
    note: str | None
    annotator: str
    updated_at: str


@dataclass(frozen=True)
class MergeConflict:
    """A status or note that differed: ``kept`` is what the database holds after the
    merge, ``incoming`` the value not applied (with who set it, and when)."""

    article_id: int
    field: str  # "status" | "note"
    kept: str | None
    incoming: str | None
    incoming_annotator: str | None
    incoming_updated_at: str | None
    source: str  # the file it came from
    created_at: str


def find_article(db: Database, ext_id: str) -> ArticleText | None:
    row = db.execute(
        "SELECT id, text, text_hash FROM articles WHERE ext_id = ?", [ext_id]
    ).fetchone()
    return ArticleText(*row) if row else None


def review_row(db: Database, article_id: int, annotator: str) -> ReviewRow | None:
    """The annotator's review of the article, if they have one."""
    row = db.execute(
        "SELECT status, note, annotator, updated_at FROM article_reviews "
        "WHERE article_id = ? AND annotator = ?",
        [article_id, annotator],
    ).fetchone()
    return ReviewRow(*row) if row else None


def save_review(db: Database, article_id: int, review: ReviewRow) -> None:
    """Insert or replace the review of (article, review.annotator) with exactly these values."""
    db.execute(
        """INSERT INTO article_reviews (article_id, annotator, status, note, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(article_id, annotator) DO UPDATE SET status = excluded.status,
               note = excluded.note, updated_at = excluded.updated_at""",
        [article_id, review.annotator, review.status, review.note, review.updated_at],
    )


def insert_tag(db: Database, article_id: int, tag: str, annotator: str, created_at: str) -> bool:
    """Add the annotator's tag; False when they have it already (tags merge as a union)."""
    cur = db.execute(
        "INSERT OR IGNORE INTO article_tags (article_id, tag, annotator, created_at) "
        "VALUES (?, ?, ?, ?)",
        [article_id, tag, annotator, created_at],
    )
    return cur.rowcount == 1


def insert_label(db: Database, name: str, color: str, position: int) -> bool:
    """Add a label; False when one of that name exists (its colour is left as it is)."""
    cur = db.execute(
        "INSERT OR IGNORE INTO labels (name, color, position) VALUES (?, ?, ?)",
        [name, color, position],
    )
    return cur.rowcount == 1


def annotation_contents(db: Database, article_id: int) -> Iterator[tuple[object, ...]]:
    """The content (CONTENT_FIELDS, in order) of every annotation of the article:
    read once per article, so the duplicate check is a set lookup, not a query."""
    yield from db.execute(
        f"SELECT {_CONTENT_SQL} FROM annotations WHERE article_id = ?", [article_id]
    )


def insert_annotation(db: Database, ann: Annotation) -> int:
    """Store ``ann`` as a new row (its id, if any, is ignored); returns the new id."""
    values = [ann.article_id, *(getattr(ann, c) for c in CONTENT_FIELDS)]
    return inserted_id(db.execute(_INSERT_SQL, values))


def record_conflict(db: Database, conflict: MergeConflict) -> bool:
    """Keep a conflict for review; False when the same one is recorded already
    (importing a file twice), whatever file or time it was recorded from."""
    same = db.execute(
        "SELECT 1 FROM merge_conflicts WHERE article_id = ? AND field = ? AND kept IS ? "
        "AND incoming IS ? AND incoming_annotator IS ? AND incoming_updated_at IS ?",
        [conflict.article_id, conflict.field, conflict.kept, conflict.incoming,
         conflict.incoming_annotator, conflict.incoming_updated_at],
    ).fetchone()  # fmt: skip
    if same:
        return False
    db.execute(
        f"INSERT INTO merge_conflicts ({', '.join(_CONFLICT_FIELDS)}) "
        f"VALUES ({', '.join('?' * len(_CONFLICT_FIELDS))})",
        [getattr(conflict, name) for name in _CONFLICT_FIELDS],
    )
    return True


def merge_conflicts(db: Database, article_id: int | None = None) -> list[MergeConflict]:
    """Recorded conflicts (of one article, or all), oldest first."""
    where, params = ("WHERE article_id = ?", [article_id]) if article_id is not None else ("", [])
    rows = db.execute(
        f"SELECT {', '.join(_CONFLICT_FIELDS)} FROM merge_conflicts {where} ORDER BY id", params
    )
    return [MergeConflict(*row) for row in rows]
