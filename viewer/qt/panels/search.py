"""Full-text search: a query box and the hits in context (keyword in context), lazily.

Each row is one matching article: the words before the match (right-aligned),
the match, the words after, and the title. Activating a row asks for the
article with the match selected.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from viewer.core.store.filters import ArticleFilter, filtered_count, filtered_search
from viewer.core.store.search import SearchError, SearchHit
from viewer.qt.models.elide import elide_left
from viewer.qt.models.table_headers import column_header
from viewer.qt.safe_text import plain_tooltip

COLUMNS = ("Before", "Match", "After", "Title")
PAGE = 100
HIT_ROLE = Qt.ItemDataRole.UserRole  # the SearchHit of a row

Index = QModelIndex | QPersistentModelIndex


class SearchResultsModel(QAbstractTableModel):
    """Hits of one query (within a filter), fetched a page at a time."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.db: Database | None = None
        self.filter = ArticleFilter()  # .query is the search; other fields narrow it
        self._hits: list[SearchHit] = []
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    def set_search(self, db: Database | None, f: ArticleFilter) -> None:
        """Run the search ``f.query`` among articles passing ``f``; raises SearchError."""
        self.beginResetModel()
        self.db, self.filter = db, f
        self._hits, self._total = [], 0
        try:
            if db is not None and f.query.strip():
                self._total = filtered_count(db, f)
                self._hits = filtered_search(db, f, 0, PAGE)
        finally:
            self.endResetModel()

    def hit_at(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._hits) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self.db is None:
            return
        try:
            more = filtered_search(self.db, self.filter, len(self._hits), PAGE)
        except SearchError:
            more = []
        if not more:
            self._total = len(self._hits)
            return
        first = len(self._hits)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._hits.extend(more)
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        return column_header(COLUMNS, section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._hits)):
            return None
        hit = self._hits[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if hit.start < 0 and col < 3:  # only the title matched
                return ("", "(title)", "", hit.title)[col]
            return (hit.left, hit.match, hit.right, hit.title)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if col == 0 else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{hit.title}\n{hit.matches} matches in this article")
        if role == HIT_ROLE:
            return hit
        return None


class SearchPanel(QWidget):
    """A search box over the corpus and its hits; typing searches after a short pause."""

    article_requested = Signal(int, int, int)  # article id, start, end (-1, -1: title only)
    searched = Signal(int)  # matching articles, after each search

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.db: Database | None = None
        self.within = ArticleFilter()  # other filters the search is narrowed by
        self.box = QLineEdit()
        self.box.setObjectName("search_box")
        self.box.setPlaceholderText('Search titles and texts — words, "a phrase", prefix*')
        self.box.setClearButtonEnabled(True)
        self.raw = QCheckBox("FTS syntax")
        self.raw.setToolTip("Use SQLite FTS5 syntax: AND, OR, NOT, NEAR(), title:word")
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.model = SearchResultsModel(self)
        self.view = QTableView()
        self.view.setObjectName("search_results")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        elide_left(self.view, 0)  # "Before" keeps the words next to the match

        top = QHBoxLayout()
        top.addWidget(self.box, 1)
        top.addWidget(self.raw)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)

        # Search as the user types, once they pause; Enter searches at once.
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.run_search)
        self.box.textChanged.connect(self._timer.start)
        self.box.returnPressed.connect(self.run_search)
        self.raw.toggled.connect(self.run_search)
        # A click or arrow key opens the hit; Enter or double-click opens it again.
        self.view.selectionModel().currentRowChanged.connect(self._on_activated)
        self.view.activated.connect(self._on_activated)

    def set_db(self, db: Database | None) -> None:
        self.db = db
        self.run_search()

    def set_filter(self, f: ArticleFilter) -> None:
        """Search only among the articles passing ``f`` (its own query is ignored)."""
        self.within = replace(f, query="", raw_query=False)
        self.run_search()

    def search(self, text: str, raw: bool = False) -> None:
        """Search for ``text`` now, as if typed."""
        self.raw.blockSignals(True)
        self.raw.setChecked(raw)
        self.raw.blockSignals(False)
        self.box.setText(text)
        self.run_search()

    def run_search(self) -> None:
        self._timer.stop()
        f = replace(self.within, query=self.box.text(), raw_query=self.raw.isChecked())
        try:
            self.model.set_search(self.db, f)
        except SearchError as exc:
            self.status.setText(str(exc))
            self.status.setProperty("error", True)
            return
        self.status.setProperty("error", False)
        if not f.query.strip():
            self.status.setText("")
        else:
            n = self.model.total
            where = "" if self.within.is_empty else " (within the filter)"
            self.status.setText(f"{n} article{'s' if n != 1 else ''} match{where}")
        self.searched.emit(self.model.total)

    def _on_activated(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        hit = self.model.hit_at(index.row())
        if hit is not None:
            self.article_requested.emit(hit.article_id, hit.start, hit.end)
