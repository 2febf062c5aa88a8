"""Annotations whose article text changed: where they sit now, to check by hand
(and mark checked, so the list shrinks). The list is read off the UI thread
(core.anchor_review); marking checked is a small edit, made at once."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from viewer.core.annotations.anchor_review import AnchorReview, read_anchor_review
from viewer.core.model import Annotation
from viewer.core.store.anchor_checks import mark_checked, unmark_checked
from viewer.core.store.annotations import default_annotator
from viewer.qt.editing.edits import Editor
from viewer.qt.operations import Operation
from viewer.qt.panels.annotations import describe
from viewer.qt.safe_text import plain_tooltip

STATUS_HELP = {
    "moved": "found at another place, with its text unchanged",
    "approximate": "its text changed; the closest match is shown",
    "orphaned": "not found in the new text; kept, with its old text",
}
# An orphaned decision whose text still stands at its offsets: the text did not
# change, the model did (no span of the current analysis takes the decision).
UNTAKEN_HELP = "no span in the current model output takes this decision; kept, not applied"


def status_help(ann: Annotation, text_in_place: bool) -> str:
    """Why ``ann`` is listed, in words (its anchor status, told apart by cause:
    ``text_in_place``, its text still stands at its offsets)."""
    if ann.anchor_status == "orphaned" and text_in_place:
        return UNTAKEN_HELP
    return STATUS_HELP.get(ann.anchor_status, "")


class AnchorReviewDialog(QDialog):
    """Orphaned and approximate annotations first; moved ones (the same text found
    elsewhere: no action needed) only when asked for. Mark Checked takes the selected
    rows off the list, in the database, until their text changes again.

    ``db`` is the window's connection to a database file (its ``path`` is read again
    on a connection of the reading's own).
    """

    annotation_requested = Signal(int, int, int)  # article id, start, end
    listed = Signal()  # the list read last is shown
    failed = Signal(str)  # the list could not be read; the message is shown instead

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        annotator: str = "",
        editor: Editor | None = None,
    ):
        super().__init__(parent)
        self.db, self.annotator = db, annotator or default_annotator()
        self.db_path = db.path  # a ViewerDatabase: the file it opened
        self._reading: Operation | None = None  # the latest reading; older ones are stale
        self.editor = editor  # given: marking checked is an undoable edit of the window
        self.setWindowTitle("Annotations to review")
        self.resize(860, 460)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.show_moved = QCheckBox(
            "Show moved (found elsewhere, text unchanged: no action needed)"
        )
        self.show_checked = QCheckBox("Show checked")
        for box in (self.show_moved, self.show_checked):
            box.toggled.connect(self.reload)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Article", "Annotation", "Status", "Text", "Checked"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.itemActivated.connect(self._open)
        self.tree.itemDoubleClicked.connect(self._open)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.check_button = QPushButton("&Mark Checked")
        self.check_button.setToolTip(
            "Take the selected annotations off the list (kept in the database)"
        )
        self.check_button.clicked.connect(self.mark_selected_checked)
        self.uncheck_button = QPushButton("&List Again")
        self.uncheck_button.clicked.connect(self.unmark_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.uncheck_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        options = QHBoxLayout()
        options.addWidget(self.show_moved)
        options.addWidget(self.show_checked)
        options.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(options)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        if editor is not None:  # an undo or redo in the window shows here at once
            editor.changed.connect(lambda _id: self.reload())
        self.reload()

    @property
    def busy(self) -> bool:
        """The list is being read."""
        return self._reading is not None

    def reload(self) -> None:
        """Read the list again, in the background; ``listed`` once it is shown."""
        db_path, moved, checked = (
            self.db_path,
            self.show_moved.isChecked(),
            self.show_checked.isChecked(),
        )
        self._reading = Operation(lambda _task: read_anchor_review(db_path, moved, checked))
        self._reading.succeeded.connect(self._show)
        self._reading.failed.connect(self._read_failed)
        self._reading.start()

    def _read_failed(self, message: str) -> None:
        if self.sender() is self._reading:
            self._reading = None
            self.summary.setText(f"Could not read the annotations to review: {message}")
            self.failed.emit(message)

    def _show(self, review: AnchorReview) -> None:
        if self.sender() is not self._reading:
            return  # another reading was asked for meanwhile
        self._reading = None
        self.summary.setText(_summary(review.counts))
        self.tree.clear()
        muted = self.palette().placeholderText()
        for item in review.rows:
            ann = item.annotation
            row = QTreeWidgetItem(
                [
                    item.title,
                    describe(ann),
                    ann.anchor_status,
                    " ".join(ann.text.split())[:80],
                    "\u2713" if item.checked else "",
                ]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, (ann.article_id, ann.start, ann.end))
            row.setData(1, Qt.ItemDataRole.UserRole, (ann.id, item.checked))
            row.setToolTip(2, status_help(ann, item.text_in_place))
            row.setToolTip(3, plain_tooltip(ann.text))
            if item.checked or ann.anchor_status == "moved":
                for col in range(self.tree.columnCount()):
                    row.setForeground(col, muted)
            self.tree.addTopLevelItem(row)
        self._update_buttons()
        self.listed.emit()

    def _selected(self, checked: bool) -> list[int]:
        found = (item.data(1, Qt.ItemDataRole.UserRole) for item in self.tree.selectedItems())
        return [ann_id for ann_id, is_checked in found if is_checked == checked]

    def _update_buttons(self) -> None:
        self.check_button.setEnabled(bool(self._selected(False)))
        self.uncheck_button.setEnabled(bool(self._selected(True)))
        self.uncheck_button.setVisible(self.show_checked.isChecked())

    def mark_selected_checked(self) -> None:
        ids = self._selected(False)
        if ids and self.editor is not None:
            self.editor.mark_anchors_checked(ids)  # reloads through editor.changed
        elif ids:
            mark_checked(self.db, ids, self.annotator)
            self.reload()

    def unmark_selected(self) -> None:
        ids = self._selected(True)
        if ids and self.editor is not None:
            self.editor.mark_anchors_checked(ids, checked=False)
        elif ids:
            unmark_checked(self.db, ids)
            self.reload()

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        article_id, start, end = item.data(0, Qt.ItemDataRole.UserRole)
        self.annotation_requested.emit(article_id, start, end)


def _summary(counts) -> str:
    look = counts["orphaned"] + counts["approximate"]
    if not look and not counts["moved"] and not counts["checked"]:
        return "Every annotation sits exactly where it was made."
    parts = []
    if look:
        parts.append(
            f"{look} to check after their article's text or the model's output changed"
            f" ({counts['orphaned']} orphaned, {counts['approximate']} approximate)"
        )
    else:
        parts.append("Nothing left to check")
    if counts["moved"]:
        parts.append(f"{counts['moved']} moved (no action needed)")
    if counts["checked"]:
        parts.append(f"{counts['checked']} checked")
    return "; ".join(parts) + "."
