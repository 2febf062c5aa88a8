"""Article-level work: review status, free-text note, tags."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from viewer.core.model import ReviewStatus
from viewer.core.store.annotations import EditConflict, default_annotator
from viewer.core.store.articles import now
from viewer.core.store.database import atomic

STATUSES: tuple[ReviewStatus, ...] = ("unreviewed", "in_progress", "done")


@dataclass(frozen=True)
class Review:
    status: ReviewStatus = "unreviewed"
    note: str = ""


def get_review(db: Database, article_id: int) -> Review:
    row = db.execute(
        "SELECT status, note FROM article_reviews WHERE article_id = ?", [article_id]
    ).fetchone()
    if row is None:
        return Review()
    # A status this viewer does not know (a damaged or foreign file) reads as unreviewed,
    # so every view of the article still works; the stored value is left as it is.
    status = row[0] if row[0] in STATUSES else "unreviewed"
    return Review(status, row[1] or "")


def set_review_fields(
    db: Database,
    article_id: int,
    changes: dict[str, str],
    *,
    expected: dict[str, str] | None = None,
    annotator: str = "",
) -> None:
    """Change only ``changes`` ("status" and/or "note") of an article's review.

    With ``expected``, only if those fields still hold those values (checked in
    the same transaction); else EditConflict and nothing is written. An undo of
    "Mark done" so restores the status and never touches a note saved meanwhile.
    """
    unknown = (set(changes) | set(expected or {})) - {"status", "note"}
    if unknown:
        raise ValueError(f"unknown review fields: {sorted(unknown)}")
    if "status" in changes and changes["status"] not in STATUSES:
        raise ValueError(f"unknown status {changes['status']!r}")
    with atomic(db):
        current = get_review(db, article_id)
        if expected:
            changed = [f for f, v in expected.items() if getattr(current, f) != v]
            if changed:
                raise EditConflict(
                    f"the article's {' and '.join(changed)} changed meanwhile "
                    "(another window or analyst)"
                )
        merged = Review(changes.get("status", current.status), changes.get("note", current.note))
        set_review(db, article_id, merged, annotator)


def set_review(db: Database, article_id: int, review: Review, annotator: str = "") -> None:
    """Store status and note together (one row per article; one transaction)."""
    if review.status not in STATUSES:
        raise ValueError(f"unknown status {review.status!r}")
    with atomic(db):
        db.execute(
            """INSERT INTO article_reviews (article_id, status, note, annotator, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(article_id) DO UPDATE SET status = excluded.status,
                   note = excluded.note, annotator = excluded.annotator,
                   updated_at = excluded.updated_at""",
            [
                article_id,
                review.status,
                review.note or None,
                annotator or default_annotator(),
                now(),
            ],
        )


def next_unreviewed(db: Database, after_article_id: int) -> int | None:
    """The next article (in corpus order, wrapping round) not yet reviewed."""
    sql = """SELECT a.id FROM articles a LEFT JOIN article_reviews r ON r.article_id = a.id
             WHERE (r.status IS NULL OR r.status = 'unreviewed') AND a.id {op} ?
             ORDER BY a.id LIMIT 1"""
    row = db.execute(sql.format(op=">"), [after_article_id]).fetchone()
    if row is None:
        row = db.execute(sql.format(op="<="), [after_article_id]).fetchone()
    return int(row[0]) if row else None


def tags_for(db: Database, article_id: int) -> list[str]:
    rows = db.execute(
        "SELECT tag FROM article_tags WHERE article_id = ? ORDER BY tag", [article_id]
    )
    return [r[0] for r in rows]


def all_tags(db: Database) -> list[str]:
    """Every tag in use, most used first: what tag completion offers."""
    rows = db.execute("SELECT tag FROM article_tags GROUP BY tag ORDER BY count(*) DESC, tag")
    return [r[0] for r in rows]


def add_tag(db: Database, article_id: int, tag: str, annotator: str = "") -> bool:
    """Tag an article; False when it already had the tag."""
    tag = " ".join(tag.split())
    if not tag:
        raise ValueError("a tag cannot be empty")
    with atomic(db):
        cur = db.execute(
            "INSERT OR IGNORE INTO article_tags (article_id, tag, annotator, created_at) "
            "VALUES (?, ?, ?, ?)",
            [article_id, tag, annotator or default_annotator(), now()],
        )
    return cur.rowcount == 1


def remove_tag(db: Database, article_id: int, tag: str) -> bool:
    with atomic(db):
        cur = db.execute(
            "DELETE FROM article_tags WHERE article_id = ? AND tag = ?", [article_id, tag]
        )
    return cur.rowcount == 1
