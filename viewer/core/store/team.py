"""What the team features read (agreement, conflicts, adjudication): every
annotator's work, articles named by their corpus id (``articles.ext_id``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

# The annotation columns an annotator's work is compared on, in annotation_work's order.
WORK_COLUMNS = ("kind", "action", "label", "start", "end", "model_start", "model_end",
                "speaker_text", "updated_at")  # fmt: skip


def text_lengths(db: Database) -> dict[str, int]:
    """Each article's text length (characters), by corpus id."""
    return dict(db.execute("SELECT ext_id, length(text) FROM articles").fetchall())


def annotation_work(db: Database) -> Iterator[Any]:
    """(ext_id, annotator, *WORK_COLUMNS) of every annotation, in row id order."""
    quoted = ", ".join(f'n."{c}"' for c in WORK_COLUMNS)
    return db.execute(
        f"SELECT a.ext_id, n.annotator, {quoted} FROM annotations n "
        "JOIN articles a ON a.id = n.article_id ORDER BY n.id"
    )


def review_statuses(db: Database) -> Iterator[Any]:
    """(ext_id, annotator, status) of every review."""
    return db.execute(
        "SELECT a.ext_id, r.annotator, r.status FROM article_reviews r "
        "JOIN articles a ON a.id = r.article_id"
    )


def annotator_tags(db: Database) -> Iterator[Any]:
    """(ext_id, annotator, tag) of every tag."""
    return db.execute(
        "SELECT a.ext_id, t.annotator, t.tag FROM article_tags t "
        "JOIN articles a ON a.id = t.article_id"
    )


def articles_with_several_annotators(db: Database) -> list[int]:
    """Articles two or more annotators worked on (annotations or reviews), by row id."""
    rows = db.execute(
        """SELECT article_id FROM (
               SELECT article_id, annotator FROM annotations
               UNION SELECT article_id, annotator FROM article_reviews
           ) GROUP BY article_id HAVING count(*) > 1 ORDER BY article_id"""
    )
    return [r[0] for r in rows]
