"""The article list: a table model that fetches rows from the store on demand.

It shows the articles passing an ArticleFilter (all of them by default), a
page at a time, and says how many match; with each article the analyst's review
status and its tags. Source and Date are hidden while no article has one
(``follow_empty_columns``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QTableView
from sqlite_utils import Database

from viewer.core.store.articles import ArticleRow, article_count, column_in_use
from viewer.core.store.database import is_closed
from viewer.core.store.filters import ArticleFilter, filtered_count, filtered_rows
from viewer.core.store.reviews import ArticleMarks, article_marks
from viewer.core.store.search import SearchError
from viewer.qt.models.table_headers import column_header
from viewer.qt.panels.review import STATUS_NAMES
from viewer.qt.safe_text import plain_tooltip

COLUMNS = ("Title", "Status", "Source", "Date", "Entities", "Quotes")
STATUS_COLUMN, SOURCE_COLUMN, DATE_COLUMN, FIRST_COUNT = 1, 2, 3, 4
# Short enough for a narrow column; the tooltip says it in full.
STATUS_WORDS = {"unreviewed": "", "in_progress": "In progress", "done": "Done"}
PAGE = 256

Index = QModelIndex | QPersistentModelIndex


class ArticleListModel(QAbstractTableModel):
    """Rows are loaded a page at a time (Qt's canFetchMore/fetchMore)."""

    count_changed = Signal(int)  # articles matching the filter, after each reload
    filter_failed = Signal(str)  # the filter's search query is malformed: why

    def __init__(self, db: Database | None = None, parent=None):
        super().__init__(parent)
        self.db = db
        self.filter = ArticleFilter()
        self.error: str | None = None  # set while the filter cannot be applied
        self._rows: list[ArticleRow] = []
        self._total = 0
        self._marks: dict[int, ArticleMarks] = {}  # status and tags of the loaded rows
        self.annotator: Callable[[], str] = lambda: ""  # whose status the column shows
        self.empty_columns: set[int] = set()  # Source, Date when no article has one
        self.reload()

    def reload(self) -> None:
        """Re-read from the store, keeping as many rows as were loaded."""
        self.beginResetModel()
        keep = max(len(self._rows), PAGE)
        self.error = None
        try:
            self._total, self._rows = self._read(keep)
        except SearchError as exc:
            self._total, self._rows = 0, []
            self.error = str(exc)
        self._marks = self._read_marks(self._rows)
        self.empty_columns = self._read_empty_columns()
        self.endResetModel()
        if self.error is not None:
            self.filter_failed.emit(self.error)
        self.count_changed.emit(self._total)

    def _read(self, limit: int) -> tuple[int, list[ArticleRow]]:
        if self.db is None or is_closed(self.db):
            return 0, []
        if self.filter.is_empty:  # the plain count is a table's size, no join
            total = article_count(self.db)
        else:
            total = filtered_count(self.db, self.filter)
        return total, filtered_rows(self.db, self.filter, 0, limit)

    def _read_marks(self, rows: list[ArticleRow]) -> dict[int, ArticleMarks]:
        if self.db is None or is_closed(self.db) or not rows:
            return {}
        return article_marks(self.db, [r.id for r in rows], self.annotator())

    def _read_empty_columns(self) -> set[int]:
        if self.db is None or is_closed(self.db):
            return set()
        columns = ((SOURCE_COLUMN, "source"), (DATE_COLUMN, "date"))
        return {col for col, name in columns if not column_in_use(self.db, name)}

    def refresh_marks(self, article_id: int) -> None:
        """After an edit: the row's status and tags as stored now (no reload)."""
        row = self.row_of(article_id) if article_id >= 0 else None
        if row is None or self.db is None or is_closed(self.db):
            return
        self._marks.pop(article_id, None)
        self._marks.update(self._read_marks([self._rows[row]]))
        index = self.index(row, STATUS_COLUMN)
        self.dataChanged.emit(index, index)

    def set_db(self, db: Database | None) -> None:
        self.db = db
        self._rows = []
        self.reload()

    def set_filter(self, f: ArticleFilter) -> None:
        """Show only the articles passing ``f`` (from the first page again)."""
        self.filter = f
        self._rows = []
        self.reload()

    @property
    def total(self) -> int:
        """Articles matching the filter (all loaded or not)."""
        return self._total

    def row_at(self, row: int) -> ArticleRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, article_id: int) -> int | None:
        """The row of a loaded article (rows are in id order, so a binary search)."""
        lo, hi = 0, len(self._rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._rows[mid].id < article_id:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self._rows) and self._rows[lo].id == article_id:
            return lo
        return None

    # -- Qt model interface -----------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self.db is None or is_closed(self.db):
            return
        after = self._rows[-1].id if self._rows else None
        try:  # by key, not offset: a page deep in a long list costs the same
            more = filtered_rows(self.db, self.filter, 0, PAGE, after_id=after)
        except SearchError:
            more = []
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self._marks.update(self._read_marks(more))
        self.endInsertRows()

    def _status_text(self, article_id: int) -> str:
        marks = self._marks.get(article_id)
        if marks is None:
            return ""
        parts = [STATUS_WORDS[marks.status]] if STATUS_WORDS[marks.status] else []
        if marks.tags:
            parts.append("#" + " #".join(marks.tags))
        return " · ".join(parts)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        return column_header(COLUMNS, section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == STATUS_COLUMN:
                return self._status_text(row.id)
            values = (
                row.title,
                "",
                row.source or "",
                row.date or "",
                row.entity_count,
                row.quote_count,
            )
            value = values[col]
            if col >= FIRST_COUNT:
                return "…" if value is None else value  # … = not analysed yet
            return value
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return plain_tooltip(f"{row.title}\nid: {row.ext_id}")
        if role == Qt.ItemDataRole.ToolTipRole and col == STATUS_COLUMN:
            marks = self._marks.get(row.id, ArticleMarks())
            tags = ", ".join(marks.tags) or "none"
            return plain_tooltip(f"Your status: {STATUS_NAMES[marks.status]}\nTags: {tags}")
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= FIRST_COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def follow_empty_columns(view: QTableView, model: ArticleListModel) -> None:
    """Hide the Source and Date columns while no article has one (after each reload)."""

    def update() -> None:
        for col in (SOURCE_COLUMN, DATE_COLUMN):
            view.setColumnHidden(col, col in model.empty_columns)

    model.modelReset.connect(update)
    update()
