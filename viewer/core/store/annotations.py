"""The analyst's annotations: each edit is its own committed transaction.

Functions return the stored row as an ``Annotation`` so the caller (the undo
stack) can put it back exactly, id included.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace
from typing import Any

from sqlite_utils import Database

from viewer.core.model import CONTEXT_CHARS, Annotation
from viewer.core.store.articles import now
from viewer.core.store.database import atomic, inserted_id

_COLUMNS = [f.name for f in fields(Annotation)]
_QUOTED = ", ".join(f'"{c}"' for c in _COLUMNS)
_WRITABLE = frozenset(_COLUMNS) - {"id"}
_MAX_PARAMS = 500  # ids bound per IN (...) query: well under SQLite's variable limit


class EditConflict(Exception):
    """Another writer changed what this write (an undo, a redo) would change; nothing written."""


def _check_expected(db: Database, annotation_id: int, expected: Mapping[str, object]) -> None:
    """Raise EditConflict unless the stored annotation still has the ``expected`` values."""
    current = get_annotation(db, annotation_id)
    if current is None:
        raise EditConflict("the annotation was deleted meanwhile (another window or analyst)")
    changed = [name for name, value in expected.items() if getattr(current, name) != value]
    if changed:
        raise EditConflict(
            f"{', '.join(changed)} changed meanwhile (by {current.annotator} at "
            f"{current.updated_at})"
        )


def default_annotator() -> str:
    try:
        return getpass.getuser() or "analyst"
    except (KeyError, OSError):  # no user name in some containers
        return "analyst"


def new_annotation(
    article_id: int, article_text: str, text_hash: str, start: int, end: int, **values: Any
) -> Annotation:
    """An annotation over ``article_text[start:end]`` with its anchor filled in."""
    if not (0 <= start <= end <= len(article_text)):
        raise ValueError(f"span {start}-{end} is outside the article ({len(article_text)} chars)")
    return Annotation(
        article_id=article_id,
        start=start,
        end=end,
        text=article_text[start:end],
        left_context=article_text[max(0, start - CONTEXT_CHARS) : start],
        right_context=article_text[end : end + CONTEXT_CHARS],
        text_hash=text_hash,
        **values,
    )


def insert_annotation(db: Database, ann: Annotation) -> Annotation:
    """Store a new annotation (or put back a deleted one, keeping its id).

    Ids are never reused (AUTOINCREMENT), so a put-back id that is taken means
    someone else put it back already: EditConflict.
    """
    stamp = now()
    ann = replace(
        ann,
        annotator=ann.annotator or default_annotator(),
        created_at=ann.created_at or stamp,
        updated_at=ann.updated_at or stamp,
    )
    values = [getattr(ann, c) for c in _COLUMNS]
    with atomic(db):
        if ann.id is not None and get_annotation(db, ann.id) is not None:
            raise EditConflict("the annotation is there already (restored meanwhile)")
        cur = db.execute(
            f"INSERT INTO annotations ({_QUOTED}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            values,
        )
    return replace(ann, id=inserted_id(cur))


def update_annotation(
    db: Database,
    annotation_id: int,
    *,
    expected: Mapping[str, object] | None = None,
    **changes: Any,
) -> Annotation:
    """Change some fields; returns the annotation as stored now.

    With ``expected`` (field -> value), the change is made only if the stored
    annotation still has those values, checked in the same transaction; else
    EditConflict and nothing is written (an undo never reverts someone's newer edit).
    """
    unknown = set(changes) - set(_COLUMNS) - {"id"}
    if unknown:
        raise ValueError(f"unknown annotation fields: {sorted(unknown)}")
    changes.setdefault("updated_at", now())
    sets = ", ".join(f'"{name}" = ?' for name in changes)
    with atomic(db):
        if expected is not None:
            _check_expected(db, annotation_id, expected)
        db.execute(
            f"UPDATE annotations SET {sets} WHERE id = ?", [*changes.values(), annotation_id]
        )
        stored = get_annotation(db, annotation_id)
    if stored is None:
        raise KeyError(annotation_id)
    return stored


def delete_annotation(
    db: Database, annotation_id: int, *, expected: Mapping[str, object] | None = None
) -> Annotation:
    """Remove an annotation; returns it so an undo can restore it.

    With ``expected``, only if it still has those values (see update_annotation).
    """
    with atomic(db):
        if expected is not None:
            _check_expected(db, annotation_id, expected)
        old = get_annotation(db, annotation_id)
        if old is None:
            raise KeyError(annotation_id)
        db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])
    return old


def get_annotation(db: Database, annotation_id: int) -> Annotation | None:
    row = db.execute(f"SELECT {_QUOTED} FROM annotations WHERE id = ?", [annotation_id]).fetchone()
    return Annotation(**dict(zip(_COLUMNS, row, strict=True))) if row else None


def annotations_for_article(db: Database, article_id: int) -> list[Annotation]:
    rows = db.execute(
        f"SELECT {_QUOTED} FROM annotations WHERE article_id = ? ORDER BY start, id",
        [article_id],
    )
    return [Annotation(*r) for r in rows]  # columns are selected in field order


def spans_with_label(db: Database, label: str) -> list[Annotation]:
    """The analyst's labelled spans carrying ``label`` (what deleting the label takes)."""
    rows = db.execute(
        f"SELECT {_QUOTED} FROM annotations WHERE kind = 'span' AND label = ? ORDER BY id",
        [label],
    )
    return [Annotation(*r) for r in rows]  # columns are selected in field order


def annotations_to_review(db: Database, limit: int = 10_000) -> list[Annotation]:
    """Annotations whose anchor is not exact: moved, approximate or orphaned."""
    rows = db.execute(
        f"SELECT {_QUOTED} FROM annotations WHERE anchor_status != 'exact' "
        "ORDER BY article_id, start LIMIT ?",
        [limit],
    )
    return [Annotation(**dict(zip(_COLUMNS, r, strict=True))) for r in rows]


def replace_annotations(db: Database, updated: list[Annotation]) -> None:
    """Rewrite several annotations in one transaction (re-anchoring, re-attaching)."""
    if not updated:
        return
    sets = ", ".join(f'"{c}" = ?' for c in _COLUMNS if c != "id")
    with atomic(db):
        for ann in updated:
            values = [getattr(ann, c) for c in _COLUMNS if c != "id"]
            db.execute(f"UPDATE annotations SET {sets} WHERE id = ?", [*values, ann.id])


def update_annotation_columns(
    db: Database, changes: Iterable[tuple[int, Mapping[str, object]]]
) -> int:
    """Set only the named columns of each annotation (one transaction); returns rows written.

    For upkeep that computes a few columns (re-attaching, re-anchoring): the other
    columns are not written, so an edit to them is never replaced by an older copy.
    ``updated_at`` is left alone: upkeep is not an analyst's decision, and the latest
    decision wins by it.
    """
    written = 0
    with atomic(db):
        for annotation_id, values in changes:
            if not values:
                continue
            unknown = set(values) - _WRITABLE
            if unknown:
                raise ValueError(f"unknown annotation fields: {sorted(unknown)}")
            sets = ", ".join(f'"{name}" = ?' for name in values)
            db.execute(
                f"UPDATE annotations SET {sets} WHERE id = ?", [*values.values(), annotation_id]
            )
            written += 1
    return written


def decided_article_ids(db: Database, article_ids: Sequence[int]) -> list[int]:
    """Those of ``article_ids`` with a decision on model output (any kind but a free span)."""
    found: list[int] = []
    for start in range(0, len(article_ids), _MAX_PARAMS):
        chunk = list(article_ids[start : start + _MAX_PARAMS])
        marks = ", ".join("?" * len(chunk))
        rows = db.execute(
            "SELECT DISTINCT article_id FROM annotations "
            f"WHERE kind != 'span' AND article_id IN ({marks}) ORDER BY article_id",
            chunk,
        )
        found.extend(int(r[0]) for r in rows)
    return found


def stale_anchor_article_ids(db: Database) -> list[int]:
    """Articles holding an annotation whose ``text_hash`` is not the article's current one.

    Such anchors refer to an older text: an import that committed a new text but
    not its re-anchoring (earlier versions did those in two transactions and could
    be killed between them), or an annotation made against a text replaced meanwhile.

    Cost: it runs at every open. No index holds an annotation's text_hash, so this
    reads the annotations table once (small rows: no article text), keeps one
    (article, hash) pair per article and looks each up by primary key: 35-50 ms
    for 100,000 annotations on 10,000 articles, linear in the annotations (run
    tests/core/test_one_action_one_transaction.py as a script to measure). An index
    on (article_id, text_hash) would make it about 23 ms; not worth a migration.
    """
    rows = db.execute(
        """SELECT DISTINCT n.article_id
           FROM (SELECT DISTINCT article_id, text_hash FROM annotations) AS n
           JOIN articles AS a ON a.id = n.article_id
           WHERE a.text_hash != n.text_hash
           ORDER BY n.article_id"""
    )
    return [int(r[0]) for r in rows]
