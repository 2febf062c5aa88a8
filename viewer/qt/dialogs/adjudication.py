"""Review → Adjudicate Article…: two annotators' work side by side, settled item by item.

The text shows A's work as a tint and B's as an underline (both visible where
both worked); the table lists each item with what A and B did and what the
adjudication holds. Every choice is an undoable edit of the window's Editor,
stored as the adjudicator's own annotations (see core.team.adjudication).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from viewer.core.annotations.corrected_view import final_view
from viewer.core.model import FinalView
from viewer.core.store.annotations import annotations_for_article
from viewer.core.store.articles import get_article
from viewer.core.store.filters import distinct_values
from viewer.core.store.reviews import reviews_of
from viewer.core.team.adjudication import (
    ADJUDICATOR,
    AdjudicationItem,
    adjudication_items,
)
from viewer.qt.editing.edits import Editor
from viewer.qt.models.table_headers import column_header
from viewer.qt.text.article_view import HighlightedText
from viewer.qt.theme import colour

COLUMNS = ("What", "Text", "A", "B", "Adjudicated")
CHOSEN_WORDS = {"a": "A", "b": "B", "both": "both", "neither": "neither", None: ""}


class ItemsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[AdjudicationItem] = []

    def set_items(self, items: list[AdjudicationItem]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=0):
        return column_header(COLUMNS, section, orientation, role)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item, col = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.what + ("" if item.agreed else " \u26a0"),
                " ".join(item.text.split())[:60],
                item.a_words,
                item.b_words,
                _result_words(item),
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 0 and not item.agreed:
            return "A and B differ here"
        return None


def _result_words(item: AdjudicationItem) -> str:
    if item.key == ("status",):
        held = item.result_status or ""
    else:
        held = ", ".join(
            f"{a.label or a.action}" + (f" (from {a.provenance})" if a.provenance else "")
            for a in item.result
        )
    chosen = CHOSEN_WORDS[item.chosen]
    if chosen and item.agreed:
        chosen = "A and B"  # they did the same: either side is both
    return f"{chosen}: {held}" if chosen and held else held or chosen


class AdjudicationDialog(QDialog):
    """Settle annotator A's and B's work on one article into the adjudicator's."""

    article_changed = Signal(int)

    def __init__(
        self, editor: Editor, db: Database, article_id: int, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.editor, self.db, self.article_id = editor, db, article_id
        article = get_article(db, article_id)
        self.setWindowTitle(f"Adjudicate — {article.title if article else article_id}")
        self.resize(1000, 640)
        names = distinct_values(db, "annotator")
        self.a, self.b = QComboBox(), QComboBox()
        for box in (self.a, self.b):
            box.addItems([n for n in names if n != ADJUDICATOR])
        if self.b.count() > 1:
            self.b.setCurrentIndex(1)
        self.adjudicator = QLineEdit(ADJUDICATOR)
        self.adjudicator.setToolTip("The annotator name the settled work is stored under")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.text = HighlightedText()
        self._article_text = article.text if article else ""
        self.model = ItemsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.selectionModel().currentRowChanged.connect(self._show_item)
        self.buttons = {}
        row = QHBoxLayout()
        for choice, label, keys in (
            ("a", "Take &A", "A"), ("b", "Take &B", "B"),
            ("both", "Take b&oth", "O"), ("neither", "Take &neither", "N"),
        ):  # fmt: skip
            button = QPushButton(label)
            button.setToolTip(f"For the selected item ({keys})")
            button.clicked.connect(lambda _=False, c=choice: self.take_selected(c))
            self.buttons[choice] = button
            row.addWidget(button)
        row.addStretch(1)
        for choice, label in (("a", "Take A for this article"), ("b", "Take B for this article")):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, c=choice: self.take_all(c))
            self.buttons[f"all_{choice}"] = button
            row.addWidget(button)
        undo, redo = QPushButton("Undo"), QPushButton("Redo")
        undo.clicked.connect(self.editor.undo)
        redo.clicked.connect(self.editor.redo)
        row.addWidget(undo)
        row.addWidget(redo)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.editor.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self, self.editor.redo)
        for key, choice in (("A", "a"), ("B", "b"), ("O", "both"), ("N", "neither")):
            QShortcut(QKeySequence(key), self.table, lambda c=choice: self.take_selected(c))

        pick = QGridLayout()
        pick.addWidget(QLabel("Annotator A (tint)"), 0, 0)
        pick.addWidget(self.a, 0, 1)
        pick.addWidget(QLabel("Annotator B (underline)"), 0, 2)
        pick.addWidget(self.b, 0, 3)
        pick.addWidget(QLabel("Store as"), 0, 4)
        pick.addWidget(self.adjudicator, 0, 5)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.text)
        split.addWidget(self.table)
        split.setSizes([320, 260])
        layout = QVBoxLayout(self)
        layout.addLayout(pick)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        layout.addLayout(row)
        for box in (self.a, self.b):
            box.currentTextChanged.connect(self.refresh)
        self.adjudicator.editingFinished.connect(self.refresh)
        self.editor.changed.connect(self._edited)
        self.refresh()

    # -- state ---------------------------------------------------------------------

    def names(self) -> tuple[str, str, str]:
        return (
            self.a.currentText(),
            self.b.currentText(),
            self.adjudicator.text().strip() or ADJUDICATOR,
        )

    def refresh(self) -> None:
        a, b, judge = self.names()
        row = self.table.currentIndex().row()
        if not a or not b or a == b:
            self.model.set_items([])
            self.message.setText("Pick two different annotators to compare.")
            self._enable(False)
            return
        anns = annotations_for_article(self.db, self.article_id)
        items = adjudication_items(anns, reviews_of(self.db, self.article_id), a, b, judge)
        self.model.set_items(items)
        open_items = sum(1 for i in items if i.chosen is None)
        differ = sum(1 for i in items if not i.agreed)
        self.message.setText(
            f"{len(items)} items, {differ} where {a} and {b} differ; {open_items} not settled yet."
            if items
            else f"Neither {a} nor {b} worked on this article."
        )
        self.text.set_content(
            self._article_text, load_view(self.db, self.article_id), keep_position=True
        )
        self._paint(items)
        self._enable(bool(items))
        if items:
            self.table.selectRow(min(max(row, 0), len(items) - 1))

    def _enable(self, on: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(on)

    def _edited(self, article_id: int) -> None:
        if article_id in (self.article_id, -1):
            self.refresh()
            self.article_changed.emit(self.article_id)

    def _paint(self, items: list[AdjudicationItem]) -> None:
        """A's work as a tint, B's as a wavy underline: both show where both worked."""
        tint = QColor(colour("speaker"))
        tint.setAlpha(90)
        line = colour("conflict")
        selections = []
        for item in items:
            if item.start is None:
                continue
            if item.a:
                fmt = QTextCharFormat()
                fmt.setBackground(tint)
                selections.append(self.text._selection(item.start, item.end, fmt))
            if item.b:
                fmt = QTextCharFormat()
                fmt.setFontUnderline(True)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(line)
                selections.append(self.text._selection(item.start, item.end, fmt))
        self.text.setExtraSelections(self.text.extraSelections() + selections)  # over the view

    def selected_items(self) -> list[AdjudicationItem]:
        row = self.table.currentIndex().row()
        return [self.model.items[row]] if 0 <= row < len(self.model.items) else []

    def _show_item(self, current: QModelIndex, _previous=None) -> None:
        items = self.model.items
        if 0 <= current.row() < len(items) and items[current.row()].start is not None:
            item = items[current.row()]
            self.text.select_span(item.start, item.end)
        chosen = items[current.row()] if 0 <= current.row() < len(items) else None
        # "both" is for spans, or for decisions A and B made alike
        can_both = chosen is not None and (chosen.what == "label" or chosen.agreed)
        self.buttons["both"].setEnabled(can_both)

    # -- choices ---------------------------------------------------------------------

    def take_selected(self, choice: str) -> bool:
        items = self.selected_items()
        _, _, judge = self.names()
        return bool(items) and self.editor.adjudicate(self.article_id, items, choice, judge)

    def take_all(self, choice: str) -> bool:
        _, _, judge = self.names()
        items = self.model.items
        return bool(items) and self.editor.adjudicate(self.article_id, items, choice, judge)


def load_view(db: Database, article_id: int) -> FinalView:
    """The article's model output with every correction applied (as the window shows it)."""
    article = get_article(db, article_id)
    return final_view(db, article_id, article.analysis_id if article else None)
