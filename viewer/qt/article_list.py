"""The article list: a table model that fetches rows from the store on demand."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from sqlite_utils import Database

from viewer.core.store.articles import ArticleRow, article_count, article_rows
from viewer.qt.safe_text import plain_tooltip

COLUMNS = ("Title", "Source", "Date", "Entities", "Quotes")
PAGE = 256

Index = QModelIndex | QPersistentModelIndex


class ArticleListModel(QAbstractTableModel):
    """Rows are loaded a page at a time (Qt's canFetchMore/fetchMore)."""

    def __init__(self, db: Database | None = None, parent=None):
        super().__init__(parent)
        self.db = db
        self._rows: list[ArticleRow] = []
        self._total = 0
        self.reload()

    def reload(self) -> None:
        """Re-read from the store, keeping as many rows as were loaded."""
        self.beginResetModel()
        keep = max(len(self._rows), PAGE)
        self._total = article_count(self.db) if self.db is not None else 0
        self._rows = article_rows(self.db, 0, keep) if self.db is not None else []
        self.endResetModel()

    def set_db(self, db: Database | None) -> None:
        self.db = db
        self._rows = []
        self.reload()

    @property
    def total(self) -> int:
        return self._total

    def row_at(self, row: int) -> ArticleRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, article_id: int) -> int | None:
        for i, r in enumerate(self._rows):
            if r.id == article_id:
                return i
        return None

    # -- Qt model interface -----------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self.db is None:
            return
        more = article_rows(self.db, len(self._rows), PAGE)
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                row.title,
                row.source or "",
                row.date or "",
                row.entity_count,
                row.quote_count,
            )
            value = values[col]
            if col >= 3:
                return "…" if value is None else value  # … = not analysed yet
            return value
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return plain_tooltip(f"{row.title}\nid: {row.ext_id}")
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
