"""The analyst's label set: seeded from resources, editable in the app.

A label still in use is never dropped silently: deleting one requires saying
what happens to its annotations (moved to another label, or deleted too).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlite_utils import Database

from viewer.core.bundled import resources
from viewer.core.store.database import atomic

DEFAULT_LABELS = resources() / "annotation_labels.json"


@dataclass(frozen=True)
class Label:
    name: str
    color: str  # "#rrggbb"
    position: int


class LabelInUse(Exception):
    """Raised when deleting a label that annotations still use, without a plan for them."""

    def __init__(self, name: str, count: int):
        super().__init__(f"label {name!r} is used by {count} annotations")
        self.name, self.count = name, count


def ensure_default_labels(db: Database, path: Path = DEFAULT_LABELS) -> None:
    """Fill an empty label table from the resources file."""
    if db.execute("SELECT count(*) FROM labels").fetchone()[0]:
        return
    spec = json.loads(path.read_text(encoding="utf-8"))
    with atomic(db):
        for position, item in enumerate(spec["labels"]):
            db.execute(
                "INSERT INTO labels (name, color, position) VALUES (?, ?, ?)",
                [item["name"], item["color"], position],
            )


def list_labels(db: Database) -> list[Label]:
    rows = db.execute("SELECT name, color, position FROM labels ORDER BY position, name")
    return [Label(*r) for r in rows]


def label_usage(db: Database, name: str) -> int:
    return int(
        db.execute(
            "SELECT count(*) FROM annotations WHERE kind = 'span' AND label = ?", [name]
        ).fetchone()[0]
    )


def add_label(db: Database, name: str, color: str) -> Label:
    name = name.strip()
    if not name:
        raise ValueError("a label needs a name")
    with atomic(db):
        if db.execute("SELECT 1 FROM labels WHERE name = ?", [name]).fetchone():
            raise ValueError(f"label {name!r} exists already")
        position = db.execute("SELECT coalesce(max(position), -1) + 1 FROM labels").fetchone()[0]
        db.execute(
            "INSERT INTO labels (name, color, position) VALUES (?, ?, ?)",
            [name, color, position],
        )
    return Label(name, color, position)


def rename_label(db: Database, old: str, new: str) -> None:
    """Rename a label and every annotation that carries it, in one transaction."""
    new = new.strip()
    if not new:
        raise ValueError("a label needs a name")
    with atomic(db):
        if db.execute("SELECT 1 FROM labels WHERE name = ?", [new]).fetchone():
            raise ValueError(f"label {new!r} exists already")
        db.execute("UPDATE labels SET name = ? WHERE name = ?", [new, old])
        db.execute("UPDATE annotations SET label = ? WHERE label = ? AND kind = 'span'", [new, old])


def order_labels(db: Database, names: list[str]) -> None:
    """Put the labels in this order (the first nine get the keys 1-9); labels not
    named keep their order, after these. One transaction."""
    with atomic(db):
        current = [r[0] for r in db.execute("SELECT name FROM labels ORDER BY position, name")]
        unknown = [n for n in names if n not in current]
        if unknown:
            raise ValueError(f"no label {unknown[0]!r}")
        order = [*dict.fromkeys(names), *(n for n in current if n not in names)]
        for position, name in enumerate(order):
            db.execute("UPDATE labels SET position = ? WHERE name = ?", [position, name])


def move_label(db: Database, name: str, step: int) -> list[str]:
    """Move a label ``step`` places up (negative) or down; returns the new order."""
    names = [lab.name for lab in list_labels(db)]
    i = names.index(name)
    j = max(0, min(len(names) - 1, i + step))
    names.insert(j, names.pop(i))
    order_labels(db, names)
    return names


def recolour_label(db: Database, name: str, color: str) -> None:
    with atomic(db):
        db.execute("UPDATE labels SET color = ? WHERE name = ?", [color, name])


def delete_label(
    db: Database,
    name: str,
    annotations: Literal["refuse", "move", "delete"] = "refuse",
    move_to: str | None = None,
) -> int:
    """Delete a label; returns how many annotations were moved or deleted.

    With annotations="refuse" (the default) a label in use raises LabelInUse,
    so a caller must ask the user first.
    """
    with atomic(db):
        used = label_usage(db, name)
        if used and annotations == "refuse":
            raise LabelInUse(name, used)
        if used and annotations == "move":
            if (
                not move_to
                or not db.execute("SELECT 1 FROM labels WHERE name = ?", [move_to]).fetchone()
            ):
                raise ValueError(f"no label {move_to!r} to move the annotations to")
            db.execute(
                "UPDATE annotations SET label = ? WHERE kind = 'span' AND label = ?",
                [move_to, name],
            )
        elif used and annotations == "delete":
            db.execute("DELETE FROM annotations WHERE label = ? AND kind = 'span'", [name])
        db.execute("DELETE FROM labels WHERE name = ?", [name])
    return used
