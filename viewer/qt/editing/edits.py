"""Every analyst edit as an undoable command, saved the moment it is made.

A command's first ``apply`` runs before it is pushed: if the database write
fails, nothing is pushed and the UI never shows the edit as done. Undo and
redo write to the database too, each in its own transaction, and move the
stack only after that write succeeded. They change only the fields the edit
changed, and only while those still hold the edit's values: an undo never
reverts what another window or analyst saved meanwhile (EditConflict, shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QUndoCommand, QUndoStack
from sqlite_utils import Database

from viewer.core.model import Annotation
from viewer.core.store.anchor_checks import mark_checked, unmark_checked
from viewer.core.store.annotations import (
    delete_annotation,
    get_annotation,
    insert_annotation,
    spans_with_label,
    update_annotation,
)
from viewer.core.store.database import DatabaseMoved, atomic
from viewer.core.store.labels import (
    add_label,
    delete_label,
    list_labels,
    order_labels,
    recolour_label,
    rename_label,
)
from viewer.core.store.reviews import add_tag, get_review, remove_tag, set_review_fields
from viewer.core.team.adjudication import AdjudicationChange, redo_change, take, undo_change

# The fields an analyst's edit decides; who and when are bookkeeping, stamped by each write.
DECIDED_FIELDS = (
    "action", "label", "start", "end", "note", "speaker_start", "speaker_end", "speaker_text",
)  # fmt: skip


def decided(ann: Annotation) -> dict[str, object]:
    """What an undo or redo expects to find: the decided fields as this edit left them."""
    return {name: getattr(ann, name) for name in DECIDED_FIELDS}


class Edit(QUndoCommand):
    """Base: subclasses implement apply() and revert(); both write to the store.

    The Editor runs apply/revert itself and moves the stack only once the write
    succeeded; the stack's own redo()/undo() callbacks then have nothing left to do.
    """

    def __init__(self, editor: Editor, text: str, article_id: int | None):
        super().__init__(text)
        self.editor = editor
        self.article_id = article_id

    @property
    def db(self) -> Database:
        return self.editor.db()

    def apply(self) -> None:
        """The edit (a redo after the first time): raise and nothing is written."""
        raise NotImplementedError

    def revert(self) -> None:
        """Put back what apply changed; EditConflict when another writer changed it since."""
        raise NotImplementedError

    def redo(self) -> None:  # the Editor already wrote (see Editor.redo)
        pass

    def undo(self) -> None:  # the Editor already wrote (see Editor.undo)
        pass


class AddAnnotation(Edit):
    def __init__(self, editor: Editor, ann: Annotation, text: str = "Add annotation"):
        super().__init__(editor, text, ann.article_id)
        self.ann = ann

    def apply(self) -> None:
        # The first time the store assigns the id; a redo puts back that same row
        # (ids are never reused, so a taken id is a conflict, not someone else's row).
        self.ann = insert_annotation(self.db, self.ann)

    def revert(self) -> None:
        delete_annotation(self.db, self.ann.id, expected=decided(self.ann))


class AddAnnotations(Edit):
    """Several annotations one user action makes (every piece of an attribution):
    written in one transaction, undone in one, one step on the stack."""

    def __init__(self, editor: Editor, anns: list[Annotation], text: str):
        super().__init__(editor, text, anns[0].article_id)
        self.anns = list(anns)

    def apply(self) -> None:
        with atomic(self.db):
            stored = [insert_annotation(self.db, ann) for ann in self.anns]
        self.anns = stored  # only once all are written: a redo puts back the same rows

    def revert(self) -> None:
        with atomic(self.db):
            for ann in reversed(self.anns):
                delete_annotation(self.db, ann.id, expected=decided(ann))


class DeleteAnnotation(Edit):
    def __init__(self, editor: Editor, ann: Annotation):
        super().__init__(editor, "Delete annotation", ann.article_id)
        self.ann = ann
        self._expected: dict[str, object] | None = None  # the first delete: as the user saw it

    def apply(self) -> None:
        self.ann = delete_annotation(self.db, self.ann.id, expected=self._expected)

    def revert(self) -> None:
        insert_annotation(self.db, self.ann)
        self._expected = decided(self.ann)  # a redo deletes only what the undo put back


class UpdateAnnotation(Edit):
    def __init__(self, editor: Editor, ann: Annotation, text: str, /, **changes):
        super().__init__(editor, text, ann.article_id)
        self.ann_id = ann.id
        changes.pop("annotator", None)  # stamped by each write, not part of the edit
        self.new = changes
        self.old = {name: getattr(ann, name) for name in changes}
        self._expected: dict[str, object] | None = None

    def apply(self) -> None:
        update_annotation(
            self.db, self.ann_id, expected=self._expected,
            annotator=self.editor.annotator, **self.new,
        )  # fmt: skip
        self._expected = self.old  # from now on a redo follows an undo

    def revert(self) -> None:
        # Only the fields this edit changed, and only while they still hold its values.
        update_annotation(
            self.db, self.ann_id, expected=self.new, annotator=self.editor.annotator, **self.old
        )


class SetReview(Edit):
    """Status and/or note of an article; undo restores only the fields that changed."""

    def __init__(self, editor: Editor, article_id: int, changes: dict[str, str], text: str):
        super().__init__(editor, text, article_id)
        self.annotator = editor.annotator  # whose review, even if the name changes later
        current = get_review(editor.db(), article_id, self.annotator)
        self.new = {f: v for f, v in changes.items() if getattr(current, f) != v}
        self.old = {f: getattr(current, f) for f in self.new}
        self._expected: dict[str, str] | None = None

    def apply(self) -> None:
        set_review_fields(
            self.db, self.article_id, self.new, expected=self._expected, annotator=self.annotator
        )
        self._expected = self.old

    def revert(self) -> None:
        set_review_fields(
            self.db, self.article_id, self.old, expected=self.new, annotator=self.annotator
        )


class ChangeTag(Edit):
    def __init__(self, editor: Editor, article_id: int, tag: str, add: bool):
        super().__init__(editor, f"{'Add' if add else 'Remove'} tag “{tag}”", article_id)
        self.tag, self.add = tag, add
        self.annotator = editor.annotator  # a tag is its annotator's own

    def _set(self, present: bool) -> None:
        if present:
            add_tag(self.db, self.article_id, self.tag, self.annotator)
        else:
            remove_tag(self.db, self.article_id, self.tag, self.annotator)

    def apply(self) -> None:
        self._set(self.add)

    def revert(self) -> None:
        self._set(not self.add)


class Adjudicate(Edit):
    """One adjudication choice (an item, or a whole article): the first apply takes
    the side; undo and redo put back exactly the rows it replaced and wrote."""

    def __init__(self, editor: Editor, article_id: int, items, choice: str, adjudicator: str):
        super().__init__(editor, _adjudication_text(items, choice), article_id)
        self.items, self.choice, self.adjudicator = list(items), choice, adjudicator
        self.change: AdjudicationChange | None = None

    def apply(self) -> None:
        if self.change is None:
            self.change = take(self.db, self.article_id, self.items, self.choice, self.adjudicator)
        else:
            redo_change(self.db, self.change)

    def revert(self) -> None:
        undo_change(self.db, self.change)


def _adjudication_text(items, choice: str) -> str:
    side = {"a": "A", "b": "B", "both": "both", "neither": "neither"}[choice]
    what = f"“{items[0].text or items[0].what}”" if len(items) == 1 else "the article"
    return f"Take {side} for {what}"


class LabelEdit(Edit):
    """Label set changes: add, rename, recolour, delete (with its annotations' fate);
    also any other edit that is a pair of store calls (marking anchors checked)."""

    def __init__(self, editor: Editor, text: str, do: Callable[[], None], undo: Callable[[], None]):
        super().__init__(editor, text, None)
        self._do, self._undo = do, undo

    def apply(self) -> None:
        self._do()

    def revert(self) -> None:
        self._undo()


class Editor(QObject):
    """Owns the undo stack and its Undo/Redo actions; the one way the GUI changes data.

    Every write (the edit, an undo, a redo) runs first; only when it succeeded
    does the stack move. A failed one (a full disk, a moved database, another
    analyst's newer edit) leaves the stack where it was and emits ``failed``
    with the reason, shown in the window.
    """

    changed = Signal(int)  # article id touched (-1: not article-specific)
    failed = Signal(str)
    database_moved = Signal(str)  # a write refused: the file is no longer at its path

    def __init__(self, db: Callable[[], Database], annotator: str, parent=None):
        super().__init__(parent)
        self.db = db
        self.annotator = annotator
        self.stack = QUndoStack(self)
        self.undo_action = self._stack_action(
            "&Undo",
            self.undo,
            self.stack.canUndoChanged,
            self.stack.undoTextChanged,
            self.stack.canUndo,
        )
        self.redo_action = self._stack_action(
            "&Redo",
            self.redo,
            self.stack.canRedoChanged,
            self.stack.redoTextChanged,
            self.stack.canRedo,
        )

    def _stack_action(self, label: str, run, can_changed, text_changed, can) -> QAction:
        action = QAction(label, self)
        action.triggered.connect(run)
        action.setEnabled(can())
        can_changed.connect(action.setEnabled)
        name = label.replace("&", "")
        text_changed.connect(lambda text: action.setText(f"{label} {text}".strip()))
        action.setToolTip(name)
        return action

    def push(self, edit: Edit) -> bool:
        try:
            edit.apply()
        except Exception as exc:  # shown to the user; nothing was pushed
            self._report(exc, f"Could not save “{edit.text()}”")
            return False
        self.stack.push(edit)  # its redo() is a no-op: the write above was the edit
        self._touched(edit)
        return True

    def undo(self) -> bool:
        """Undo the latest edit; False (and ``failed``) when its write did not happen."""
        if not self.stack.canUndo():
            return False
        edit = self.stack.command(self.stack.index() - 1)
        return self._move(edit, edit.revert, "undo", self.stack.undo)

    def redo(self) -> bool:
        """Redo the next edit; False (and ``failed``) when its write did not happen."""
        if not self.stack.canRedo():
            return False
        edit = self.stack.command(self.stack.index())
        return self._move(edit, edit.apply, "redo", self.stack.redo)

    def _move(self, edit: Edit, write, verb: str, step) -> bool:
        try:
            write()
        except Exception as exc:
            self._report(exc, f"Could not {verb} “{edit.text()}”")
            return False
        step()
        self._touched(edit)
        return True

    def _report(self, exc: Exception, what: str) -> None:
        if isinstance(exc, DatabaseMoved):  # the window offers to save a copy instead
            self.database_moved.emit(str(exc))
        else:
            self.failed.emit(f"{what}: {exc}")

    def _touched(self, edit: Edit) -> None:
        self.changed.emit(edit.article_id if edit.article_id is not None else -1)

    # -- conveniences used by the window -----------------------------------

    def add_annotation(self, ann: Annotation, text: str = "Add annotation") -> bool:
        return self.push(AddAnnotation(self, replace(ann, annotator=self.annotator), text))

    def add_annotations(self, anns: list[Annotation], text: str) -> bool:
        """Add several annotations as one edit (one transaction, one undo step)."""
        if len(anns) == 1:
            return self.add_annotation(anns[0], text)
        stamped = [replace(ann, annotator=self.annotator) for ann in anns]
        return bool(stamped) and self.push(AddAnnotations(self, stamped, text))

    def delete_annotation(self, ann: Annotation) -> bool:
        return self.push(DeleteAnnotation(self, ann))

    def update_annotation(self, ann: Annotation, text: str, /, **changes) -> bool:
        return self.push(UpdateAnnotation(self, ann, text, annotator=self.annotator, **changes))

    def set_review_fields(self, article_id: int, changes: dict[str, str], text: str) -> bool:
        """Change the article's status and/or note; nothing is pushed when nothing changes."""
        edit = SetReview(self, article_id, changes, text)
        return True if not edit.new else self.push(edit)

    def adjudicate(self, article_id: int, items, choice: str, adjudicator: str) -> bool:
        """Take a side for some items of an article (stored as ``adjudicator``'s work)."""
        return bool(items) and self.push(Adjudicate(self, article_id, items, choice, adjudicator))

    def change_tag(self, article_id: int, tag: str, add: bool) -> bool:
        return self.push(ChangeTag(self, article_id, tag, add))

    def add_label(self, name: str, color: str) -> bool:
        db = self.db
        return self.push(
            LabelEdit(
                self,
                f"Add label “{name}”",
                lambda: add_label(db(), name, color),
                lambda: delete_label(db(), name),
            )
        )

    def rename_label(self, old: str, new: str) -> bool:
        db = self.db
        return self.push(
            LabelEdit(
                self,
                f"Rename label “{old}” to “{new}”",
                lambda: rename_label(db(), old, new),
                lambda: rename_label(db(), new, old),
            )
        )

    def mark_anchors_checked(self, annotation_ids: list[int], checked: bool = True) -> bool:
        """Take re-attached annotations off the Annotations to Review list (or put them
        back); undoable like every edit."""
        db, who, ids = self.db, self.annotator, list(annotation_ids)
        if not ids:
            return False
        mark = lambda: mark_checked(db(), ids, who)  # noqa: E731
        unmark = lambda: unmark_checked(db(), ids)  # noqa: E731
        n = f"{len(ids)} annotation{'' if len(ids) == 1 else 's'}"
        if checked:
            return self.push(LabelEdit(self, f"Mark {n} checked", mark, unmark))
        return self.push(LabelEdit(self, f"List {n} again", unmark, mark))

    def move_label(self, name: str, step: int) -> bool:
        """Move a label up (step < 0) or down the list: its key (1-9) changes with it."""
        db = self.db
        before = [lab.name for lab in list_labels(db())]
        if name not in before:
            return False
        after = list(before)
        j = max(0, min(len(after) - 1, after.index(name) + step))
        after.insert(j, after.pop(after.index(name)))
        if after == before:
            return False
        return self.push(
            LabelEdit(
                self,
                f"Move label “{name}” {'up' if step < 0 else 'down'}",
                lambda: order_labels(db(), after),
                lambda: order_labels(db(), before),
            )
        )

    def recolour_label(self, name: str, color: str) -> bool:
        db = self.db
        old = next((lab.color for lab in list_labels(db()) if lab.name == name), color)
        return self.push(
            LabelEdit(
                self,
                f"Recolour label “{name}”",
                lambda: recolour_label(db(), name, color),
                lambda: recolour_label(db(), name, old),
            )
        )

    def delete_label(self, name: str, mode: str, move_to: str | None = None) -> bool:
        """Delete a label; its annotations are moved to ``move_to`` or deleted too,
        and an undo brings back the label and every one of them."""
        db = self.db
        labels = {lab.name: lab for lab in list_labels(db())}
        if name not in labels:
            return False
        label = labels[name]
        affected = spans_with_label(db(), name)

        def undo() -> None:  # the label and all its annotations, or nothing
            with atomic(db()):
                add_label(db(), label.name, label.color)
                for ann in affected:
                    if get_annotation(db(), ann.id) is None:
                        insert_annotation(db(), ann)
                    else:
                        update_annotation(db(), ann.id, label=ann.label)

        return self.push(
            LabelEdit(
                self,
                f"Delete label “{name}”",
                lambda: delete_label(db(), name, mode, move_to),  # type: ignore[arg-type]
                undo,
            )
        )
