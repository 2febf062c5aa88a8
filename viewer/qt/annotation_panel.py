"""The analyst's annotations of the current article, to review, edit or delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMenu, QTreeWidget, QTreeWidgetItem, QWidget

from viewer.core.model import Annotation
from viewer.qt.legend import swatch
from viewer.qt.safe_text import plain_tooltip

ID_ROLE = Qt.ItemDataRole.UserRole

ACTION_NAMES = {
    ("span", "added"): "label",
    ("entity", "added"): "entity added",
    ("entity", "accepted"): "entity accepted",
    ("entity", "rejected"): "entity rejected",
    ("entity", "relabelled"): "entity relabelled",
    ("entity", "resized"): "entity resized",
    ("quote", "added"): "quote added",
    ("quote", "not_quote"): "not a quote",
    ("quote", "speaker_changed"): "speaker changed",
}


def describe(ann: Annotation) -> str:
    what = ACTION_NAMES.get((ann.kind, ann.action), f"{ann.kind} {ann.action}")
    if ann.kind == "span":
        return ann.label or "(no label)"
    if ann.action in ("relabelled", "added") and ann.label:
        return f"{what}: {ann.label}"
    if ann.action == "speaker_changed":
        return f"{what}: {ann.speaker_text or '?'}"
    return what


class AnnotationPanel(QTreeWidget):
    span_requested = Signal(int, int)
    edit_note_requested = Signal(int)
    relabel_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderLabels(["Annotation", "Text", "Note", "Anchor"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.itemClicked.connect(self._clicked)
        self.itemDoubleClicked.connect(
            lambda item, _col: self.edit_note_requested.emit(item.data(0, ID_ROLE))
        )
        self._by_id: dict[int, Annotation] = {}

    def show_annotations(self, annotations: list[Annotation], colours: dict[str, str]) -> None:
        self.clear()
        self._by_id = {a.id: a for a in annotations}
        for ann in annotations:
            text = " ".join(ann.text.split())
            item = QTreeWidgetItem([describe(ann), text[:80], ann.note or "", ann.anchor_status])
            item.setData(0, ID_ROLE, ann.id)
            if ann.label in colours:
                item.setIcon(0, swatch(QColor(colours[ann.label])))
            item.setToolTip(1, plain_tooltip(ann.text))
            if ann.note:
                item.setToolTip(2, plain_tooltip(ann.note))
            if ann.anchor_status != "exact":
                item.setToolTip(3, "The article's text changed; check where this now sits")
            self.addTopLevelItem(item)
        for col in range(3):
            self.resizeColumnToContents(col)

    def selected_annotation(self) -> Annotation | None:
        item = self.currentItem()
        return self._by_id.get(item.data(0, ID_ROLE)) if item else None

    def keyPressEvent(self, event) -> None:
        ann = self.selected_annotation()
        if ann is not None and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_requested.emit(ann.id)
            return
        super().keyPressEvent(event)

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        ann = self._by_id.get(item.data(0, ID_ROLE))
        if ann is not None and ann.anchor_status != "orphaned":
            self.span_requested.emit(ann.start, ann.end)

    def _menu(self, point) -> None:
        ann = self.selected_annotation()
        if ann is None:
            return
        menu = QMenu(self)
        menu.addAction("Edit note…", lambda: self.edit_note_requested.emit(ann.id))
        if ann.kind == "span":
            menu.addAction("Change label…", lambda: self.relabel_requested.emit(ann.id))
        menu.addAction("Delete", lambda: self.delete_requested.emit(ann.id))
        menu.exec(self.viewport().mapToGlobal(point))
