"""Article-level work: review status, free-text note, tags — each annotator's own.

Every annotator has their own review (status and note) and tags of an
article; nothing here ever changes another annotator's. ``reviews_of`` and
``tag_owners`` show everyone's, for the window's "who did what".
"""

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


@dataclass(frozen=True)
class AnnotatorReview:
    annotator: str
    review: Review
    updated_at: str


def _known_status(value: str) -> ReviewStatus:
    # A status this viewer does not know (a damaged or foreign file) reads as unreviewed,
    # so every view of the article still works; the stored value is left as it is.
    return value if value in STATUSES else "unreviewed"


def get_review(db: Database, article_id: int, annotator: str = "") -> Review:
    """The annotator's own review of the article (default: this user's)."""
    row = db.execute(
        "SELECT status, note FROM article_reviews WHERE article_id = ? AND annotator = ?",
        [article_id, annotator or default_annotator()],
    ).fetchone()
    if row is None:
        return Review()
    return Review(_known_status(row[0]), row[1] or "")


def reviews_of(db: Database, article_id: int) -> list[AnnotatorReview]:
    """Every annotator's review of the article, by annotator name."""
    rows = db.execute(
        "SELECT annotator, status, note, updated_at FROM article_reviews "
        "WHERE article_id = ? ORDER BY annotator",
        [article_id],
    )
    return [AnnotatorReview(a, Review(_known_status(s), n or ""), t) for a, s, n, t in rows]


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
        current = get_review(db, article_id, annotator)
        if expected:
            changed = [f for f, v in expected.items() if getattr(current, f) != v]
            if changed:
                raise EditConflict(
                    f"the article's {' and '.join(changed)} changed meanwhile "
                    "(another window or analyst)"
                )
        status = changes.get("status", current.status)
        if status not in STATUSES:  # checked above; this narrows the type
            raise ValueError(f"unknown status {status!r}")
        merged = Review(status, changes.get("note", current.note))
        set_review(db, article_id, merged, annotator)


def set_review(db: Database, article_id: int, review: Review, annotator: str = "") -> None:
    """Store the annotator's status and note together (one transaction)."""
    if review.status not in STATUSES:
        raise ValueError(f"unknown status {review.status!r}")
    with atomic(db):
        db.execute(
            """INSERT INTO article_reviews (article_id, annotator, status, note, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(article_id, annotator) DO UPDATE SET status = excluded.status,
                   note = excluded.note, updated_at = excluded.updated_at""",
            [article_id, annotator or default_annotator(), review.status, review.note or None,
             now()],
        )  # fmt: skip


def next_unreviewed(db: Database, after_article_id: int, annotator: str = "") -> int | None:
    """The next article (in corpus order, wrapping round) the annotator has not reviewed."""
    sql = """SELECT a.id FROM articles a WHERE a.id {op} ? AND NOT EXISTS (
                 SELECT 1 FROM article_reviews r WHERE r.article_id = a.id
                 AND r.annotator = ? AND r.status != 'unreviewed')
             ORDER BY a.id LIMIT 1"""
    who = annotator or default_annotator()
    row = db.execute(sql.format(op=">"), [after_article_id, who]).fetchone()
    if row is None:
        row = db.execute(sql.format(op="<="), [after_article_id, who]).fetchone()
    return int(row[0]) if row else None


@dataclass(frozen=True)
class ArticleMarks:
    """What the article list shows of an article's review: the annotator's status and
    the article's tags (anyone's)."""

    status: ReviewStatus = "unreviewed"
    tags: tuple[str, ...] = ()


def article_marks(
    db: Database, article_ids: list[int], annotator: str = ""
) -> dict[int, ArticleMarks]:
    """Marks of these articles (a page of the list); articles with none left out."""
    who = annotator or default_annotator()
    status: dict[int, ReviewStatus] = {}
    tags: dict[int, list[str]] = {}
    for i in range(0, len(article_ids), 500):  # well under SQLite's bound-parameter limit
        chunk = article_ids[i : i + 500]
        marks = ", ".join("?" for _ in chunk)
        for article_id, value in db.execute(
            f"SELECT article_id, status FROM article_reviews WHERE annotator = ? "
            f"AND article_id IN ({marks})",
            [who, *chunk],
        ):
            status[article_id] = _known_status(value)
        for article_id, tag in db.execute(
            f"SELECT DISTINCT article_id, tag FROM article_tags WHERE article_id IN ({marks}) "
            "ORDER BY article_id, tag",
            chunk,
        ):
            tags.setdefault(article_id, []).append(tag)
    return {
        a: ArticleMarks(status.get(a, "unreviewed"), tuple(tags.get(a, ())))
        for a in {*status, *tags}
    }


def tags_for(db: Database, article_id: int) -> list[str]:
    """The article's tags, whoever added them."""
    rows = db.execute(
        "SELECT DISTINCT tag FROM article_tags WHERE article_id = ? ORDER BY tag", [article_id]
    )
    return [r[0] for r in rows]


def tag_owners(db: Database, article_id: int) -> dict[str, list[str]]:
    """Each tag of the article -> the annotators who added it."""
    owners: dict[str, list[str]] = {}
    for tag, who in db.execute(
        "SELECT tag, annotator FROM article_tags WHERE article_id = ? ORDER BY tag, annotator",
        [article_id],
    ):
        owners.setdefault(tag, []).append(who)
    return owners


def all_tags(db: Database) -> list[str]:
    """Every tag in use, most used first: what tag completion offers."""
    rows = db.execute("SELECT tag FROM article_tags GROUP BY tag ORDER BY count(*) DESC, tag")
    return [r[0] for r in rows]


def add_tag(db: Database, article_id: int, tag: str, annotator: str = "") -> bool:
    """Tag an article as the annotator; False when they had tagged it so already."""
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


def remove_tag(db: Database, article_id: int, tag: str, annotator: str = "") -> bool:
    """Take the annotator's own tag off; another annotator's stays theirs."""
    with atomic(db):
        cur = db.execute(
            "DELETE FROM article_tags WHERE article_id = ? AND tag = ? AND annotator = ?",
            [article_id, tag, annotator or default_annotator()],
        )
    return cur.rowcount == 1
