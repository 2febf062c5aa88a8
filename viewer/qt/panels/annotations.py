"""The analyst's annotations of the current article, to review, edit or delete.

A table model over plain Annotation rows: cells are made only when shown, so
an article with hundreds of annotations opens as fast as one with none.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QWidget

from viewer.core.model import Annotation
from viewer.core.names.speaker_names import is_anonymous
from viewer.qt.models.table_headers import column_header
from viewer.qt.panels.legend import swatch
from viewer.qt.safe_text import plain_tooltip
from viewer.qt.theme import label_name

ACTION_NAMES = {
    ("span", "added"): "label",
    ("entity", "added"): "entity added",
    ("entity", "accepted"): "entity accepted",
    ("entity", "rejected"): "entity rejected",
    ("entity", "relabelled"): "entity relabelled",
    ("entity", "resized"): "entity resized",
    ("quote", "added"): "attribution added",
    ("quote", "not_quote"): "not an attribution",
    ("quote", "speaker_changed"): "speaker set",
    ("quote", "kind_changed"): "kind changed",
}
COLUMNS = ("Annotation", "Text", "Note", "Annotator", "Anchor")
CONFLICT_HELP = "Another annotator decided this differently: {}"
ANCHOR_HELP = "The article's text changed; check where this now sits"

Index = QModelIndex | QPersistentModelIndex
EMPTY: Mapping[int, str] = MappingProxyType({})


def describe(ann: Annotation) -> str:
    """The decision in words: 'kind changed: indirect', 'speaker set: Tony Blair'."""
    what = ACTION_NAMES.get((ann.kind, ann.action), f"{ann.kind} {ann.action}")
    if ann.kind == "span":
        return ann.label or "(no label)"
    if ann.kind == "quote":
        return _describe_attribution(ann, what)
    if ann.action in ("relabelled", "added") and ann.label:
        return f"{what}: {label_name(ann.label)}"  # the legend's name, not spaCy's code
    return what


def _speaker_words(ann: Annotation) -> str:
    if ann.speaker_text is None:
        return (
            "no speaker" if ann.action == "added" and ann.label in (None, "direct") else "no source"
        )
    anonymous = " (anonymous)" if is_anonymous(ann.speaker_text) else ""
    return f"{ann.speaker_text}{anonymous}"


def _describe_attribution(ann: Annotation, what: str) -> str:
    if ann.action == "added":
        return f"{what}: {ann.label or 'direct'}, {_speaker_words(ann)}"
    if ann.action == "speaker_changed":
        return f"{what}: {_speaker_words(ann)}"
    if ann.action == "kind_changed":
        return f"{what}: {ann.label or '?'}"
    return what


class AnnotationModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Annotation] = []
        self._icons: dict[str, QIcon] = {}
        self._colours: dict[str, str] = {}
        self._conflicts: dict[int, str] = {}  # annotation id -> the other decisions, in words

    def set_rows(
        self, rows: list[Annotation], colours: dict[str, str], conflicts: Mapping[int, str] = EMPTY
    ) -> None:
        self.beginResetModel()
        self.rows = rows
        self._conflicts = dict(conflicts)
        if colours != self._colours:
            self._colours, self._icons = dict(colours), {}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        return column_header(COLUMNS, section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        ann, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return describe(ann)
            if col == 1:
                return " ".join(ann.text.split())[:80]
            if col == 2:
                return " ".join((ann.note or "").split())[:80]
            if col == 3:
                taken = f" \u2190 {ann.provenance}" if ann.provenance else ""  # adjudicated
                return ann.annotator + taken + (" \u26a0" if ann.id in self._conflicts else "")
            return ann.anchor_status
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return plain_tooltip(f"{describe(ann)}\nby {ann.annotator}, {ann.updated_at}")
            if col == 1:
                return plain_tooltip(ann.text)
            if col == 2 and ann.note:
                return plain_tooltip(ann.note)
            if col == 3 and ann.id in self._conflicts:
                return plain_tooltip(CONFLICT_HELP.format(self._conflicts[ann.id]))
            if col == 4 and ann.anchor_status != "exact":
                return ANCHOR_HELP
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and ann.label in self._colours:
            if ann.label not in self._icons:
                self._icons[ann.label] = swatch(QColor(self._colours[ann.label]))
            return self._icons[ann.label]
        return None


class AnnotationPanel(QTreeView):
    span_requested = Signal(int, int)
    edit_note_requested = Signal(int)
    relabel_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.annotations = AnnotationModel(self)
        self.setModel(self.annotations)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((130, 200, 140, 90, 70)):
            self.setColumnWidth(col, width)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.clicked.connect(self._clicked)
        self.doubleClicked.connect(
            lambda index: self.edit_note_requested.emit(self.annotations.rows[index.row()].id)
        )

    def show_annotations(
        self,
        annotations: list[Annotation],
        colours: dict[str, str],
        conflicts: Mapping[int, str] = EMPTY,
    ) -> None:
        """The article's annotations; ``conflicts`` marks the ones another
        annotator decided differently (id -> their decisions, in words)."""
        self.annotations.set_rows(annotations, colours, conflicts)

    def count(self) -> int:
        return self.annotations.rowCount()

    def selected_annotation(self) -> Annotation | None:
        index = self.currentIndex()
        rows = self.annotations.rows
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def keyPressEvent(self, event) -> None:
        ann = self.selected_annotation()
        if ann is not None and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_requested.emit(ann.id)
            return
        super().keyPressEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        ann = self.annotations.rows[index.row()]
        if ann.anchor_status != "orphaned":
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
