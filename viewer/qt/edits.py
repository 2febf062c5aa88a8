"""Every analyst edit as an undoable command, saved the moment it is made.

A command's first ``apply`` runs before it is pushed: if the database write
fails, nothing is pushed and the UI never shows the edit as done. Undo and
redo write to the database too, each in its own transaction, and name the
article they touched so the window can show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlite_utils import Database

from viewer.core.model import Annotation
from viewer.core.store.annotations import (
    delete_annotation,
    get_annotation,
    insert_annotation,
    update_annotation,
)
from viewer.core.store.labels import (
    add_label,
    delete_label,
    list_labels,
    recolour_label,
    rename_label,
)
from viewer.core.store.reviews import Review, add_tag, get_review, remove_tag, set_review


class Edit(QUndoCommand):
    """Base: subclasses implement apply() and revert(); both write to the store."""

    def __init__(self, editor: Editor, text: str, article_id: int | None):
        super().__init__(text)
        self.editor = editor
        self.article_id = article_id
        self._skip_redo = True  # the first redo happened in Editor.push

    @property
    def db(self) -> Database:
        return self.editor.db()

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.apply()
        self.editor.changed.emit(self.article_id if self.article_id is not None else -1)

    def undo(self) -> None:
        self.revert()
        self.editor.changed.emit(self.article_id if self.article_id is not None else -1)


class AddAnnotation(Edit):
    def __init__(self, editor: Editor, ann: Annotation, text: str = "Add annotation"):
        super().__init__(editor, text, ann.article_id)
        self.ann = ann

    def apply(self) -> None:
        # The first time the store assigns the id; later redos put back that same row.
        self.ann = insert_annotation(self.db, self.ann)

    def revert(self) -> None:
        delete_annotation(self.db, self.ann.id)


class DeleteAnnotation(Edit):
    def __init__(self, editor: Editor, ann: Annotation):
        super().__init__(editor, "Delete annotation", ann.article_id)
        self.ann = ann

    def apply(self) -> None:
        self.ann = delete_annotation(self.db, self.ann.id)

    def revert(self) -> None:
        insert_annotation(self.db, self.ann)


class UpdateAnnotation(Edit):
    def __init__(self, editor: Editor, ann: Annotation, text: str, **changes):
        super().__init__(editor, text, ann.article_id)
        self.ann_id = ann.id
        self.new = changes
        self.old = {name: getattr(ann, name) for name in changes}

    def apply(self) -> None:
        update_annotation(self.db, self.ann_id, **self.new)

    def revert(self) -> None:
        update_annotation(self.db, self.ann_id, **self.old)


class SetReview(Edit):
    def __init__(self, editor: Editor, article_id: int, new: Review, text: str):
        super().__init__(editor, text, article_id)
        self.new = new
        self.old = get_review(editor.db(), article_id)

    def apply(self) -> None:
        set_review(self.db, self.article_id, self.new, self.editor.annotator)

    def revert(self) -> None:
        set_review(self.db, self.article_id, self.old, self.editor.annotator)


class ChangeTag(Edit):
    def __init__(self, editor: Editor, article_id: int, tag: str, add: bool):
        super().__init__(editor, f"{'Add' if add else 'Remove'} tag “{tag}”", article_id)
        self.tag, self.add = tag, add

    def _set(self, present: bool) -> None:
        if present:
            add_tag(self.db, self.article_id, self.tag, self.editor.annotator)
        else:
            remove_tag(self.db, self.article_id, self.tag)

    def apply(self) -> None:
        self._set(self.add)

    def revert(self) -> None:
        self._set(not self.add)


class LabelEdit(Edit):
    """Label set changes: add, rename, recolour, delete (with its annotations' fate)."""

    def __init__(self, editor: Editor, text: str, do: Callable[[], None], undo: Callable[[], None]):
        super().__init__(editor, text, None)
        self._do, self._undo = do, undo

    def apply(self) -> None:
        self._do()

    def revert(self) -> None:
        self._undo()


class Editor(QObject):
    """Owns the undo stack; the one way the GUI changes the analyst's data."""

    changed = Signal(int)  # article id touched (-1: not article-specific)
    failed = Signal(str)

    def __init__(self, db: Callable[[], Database], annotator: str, parent=None):
        super().__init__(parent)
        self.db = db
        self.annotator = annotator
        self.stack = QUndoStack(self)

    def push(self, edit: Edit) -> bool:
        try:
            edit.apply()
        except Exception as exc:  # shown to the user; nothing was pushed
            self.failed.emit(f"Could not save: {exc}")
            return False
        self.stack.push(edit)
        self.changed.emit(edit.article_id if edit.article_id is not None else -1)
        return True

    # -- conveniences used by the window -----------------------------------

    def add_annotation(self, ann: Annotation, text: str = "Add annotation") -> bool:
        return self.push(AddAnnotation(self, replace(ann, annotator=self.annotator), text))

    def delete_annotation(self, ann: Annotation) -> bool:
        return self.push(DeleteAnnotation(self, ann))

    def update_annotation(self, ann: Annotation, text: str, **changes) -> bool:
        return self.push(UpdateAnnotation(self, ann, text, annotator=self.annotator, **changes))

    def set_review(self, article_id: int, review: Review, text: str) -> bool:
        return self.push(SetReview(self, article_id, review, text))

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
        affected = [
            get_annotation(db(), r[0])
            for r in db().execute(
                "SELECT id FROM annotations WHERE kind = 'span' AND label = ?", [name]
            )
        ]

        def undo() -> None:
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
