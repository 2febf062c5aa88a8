"""Re-attached annotations an analyst has checked, and the list still to check.

An annotation re-attached after its article's text (or the model) changed is
listed for review by its anchor status, the most in need of a look first:
orphaned (not found), approximate (its text changed), then moved (found
elsewhere, its text unchanged: no action needed). Marking one checked records
the state it was checked in (status and text hash), so it leaves the list until
its text or status changes again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from viewer.core.model import Annotation
from viewer.core.store.annotations import _COLUMNS, _QUOTED
from viewer.core.store.articles import now
from viewer.core.store.database import atomic

# Most in need of a look first; "moved" needs none (the same text, elsewhere).
NEEDS_LOOK = ("orphaned", "approximate")

# A check holds while the annotation sits as it was checked.
_CHECKED = (
    "EXISTS (SELECT 1 FROM anchor_checks c WHERE c.annotation_id = n.id"
    " AND c.anchor_status = n.anchor_status AND c.text_hash = n.text_hash)"
)


@dataclass(frozen=True)
class ToReview:
    annotation: Annotation
    checked: bool


def review_list(
    db: Database, moved: bool = False, checked: bool = False, limit: int = 10_000
) -> list[ToReview]:
    """Re-attached annotations, orphaned first, then approximate, then (with ``moved``)
    moved ones; those checked only with ``checked``."""
    statuses = [*NEEDS_LOOK, *(["moved"] if moved else [])]
    marks = ", ".join("?" for _ in statuses)
    where = f"n.anchor_status IN ({marks})" + ("" if checked else f" AND NOT {_CHECKED}")
    columns = ", ".join(f"n.{c}" for c in _QUOTED.split(", "))
    rows = db.execute(
        f"SELECT {columns}, {_CHECKED} FROM annotations n WHERE {where} "
        "ORDER BY CASE n.anchor_status WHEN 'orphaned' THEN 0 WHEN 'approximate' THEN 1 "
        "ELSE 2 END, n.article_id, n.start, n.id LIMIT ?",
        [*statuses, limit],
    )
    return [
        ToReview(Annotation(**dict(zip(_COLUMNS, r[:-1], strict=True))), bool(r[-1])) for r in rows
    ]


def review_counts(db: Database) -> Counter[str]:
    """Unchecked re-attached annotations by anchor status, and "checked" for the rest."""
    rows = db.execute(
        f"SELECT CASE WHEN {_CHECKED} THEN 'checked' ELSE n.anchor_status END, count(*) "
        "FROM annotations n WHERE n.anchor_status != 'exact' GROUP BY 1"
    )
    return Counter({status: count for status, count in rows})


def mark_checked(db: Database, annotation_ids: Iterable[int], annotator: str) -> int:
    """Record these annotations as checked where they sit now; returns how many."""
    ids = list(annotation_ids)
    stamp = now()
    with atomic(db):
        for annotation_id in ids:
            db.execute(
                "INSERT INTO anchor_checks (annotation_id, anchor_status, text_hash, checked_by,"
                " checked_at) SELECT id, anchor_status, text_hash, ?, ? FROM annotations"
                " WHERE id = ? AND anchor_status != 'exact'"
                " ON CONFLICT (annotation_id) DO UPDATE SET anchor_status = excluded.anchor_status,"
                " text_hash = excluded.text_hash, checked_by = excluded.checked_by,"
                " checked_at = excluded.checked_at",
                [annotator, stamp, annotation_id],
            )
    return len(ids)


def unmark_checked(db: Database, annotation_ids: Iterable[int]) -> None:
    """List these annotations for review again."""
    with atomic(db):
        for annotation_id in annotation_ids:
            db.execute("DELETE FROM anchor_checks WHERE annotation_id = ?", [annotation_id])
