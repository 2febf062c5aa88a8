"""Corpus-wide views: entities and speakers tables, mentions in context, charts.

The sourcing summary (anonymous sources per outlet, month, article) is in
``sourcing_view``, built on the table and CSV machinery here.

The tables are lazy: each model knows its row count from the store and
fetches pages as the view scrolls; sorting and filtering re-query the store.
Each table exports to CSV (all rows, not only those loaded), off the UI
thread: the export is fixed when asked for (the filter and order of then) and
reads through a connection of its own.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
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

from viewer.core.progress import Task
from viewer.core.store import overview
from viewer.core.store.database import close, open_readonly
from viewer.core.store.filters import distinct_values
from viewer.core.store.overview import EntityStat, Mention, SpeakerStat
from viewer.qt.errors import show_error
from viewer.qt.models.elide import elide_left
from viewer.qt.models.table_headers import column_header
from viewer.qt.operations import Operation
from viewer.qt.safe_text import plain_tooltip
from viewer.qt.theme import label_style

PAGE = 200
ROW_ROLE = Qt.ItemDataRole.UserRole  # the row object (EntityStat, SpeakerStat, Mention)
# A spreadsheet would run these as formulas; a leading apostrophe keeps them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")

Index = QModelIndex | QPersistentModelIndex


def csv_cell(value: object) -> object:
    """A value safe to open in a spreadsheet: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write rows to ``path`` atomically (temp file, then rename); returns the row count."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    n = 0
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow([csv_cell(v) for v in row])
                n += 1
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return n


# pages(db, offset, limit): a page of rows, with a filter and an order fixed beforehand
PageQuery = Callable[[Database, int, int], list[Any]]


class TableExportError(Exception):
    """A table's CSV could not be written; the message names the file."""


@dataclass(frozen=True)
class TableExport:
    """One table's CSV export as it was asked for: the header, the page query (the
    filter and order of then, whatever the table shows meanwhile) and a row's cells."""

    header: tuple[str, ...]
    pages: PageQuery
    cells: Callable[[Any], tuple]
    total: int  # rows when asked for (for the progress)

    def rows(self, db: Database | None, task: Task) -> Iterator[tuple]:
        offset = 0
        while db is not None and (page := self.pages(db, offset, 1000)):
            yield from (self.cells(r) for r in page)
            offset += len(page)
            task.progress(offset, self.total, f"Exported {offset} rows")

    def write(self, path: str | Path, db: Database | None, task: Task) -> int:
        try:
            return write_csv(path, self.header, self.rows(db, task))
        except OSError as exc:
            raise TableExportError(f"Could not write {path}: {exc.strerror or exc}") from exc

    def write_from(self, db_path: Path | None, path: str | Path, task: Task) -> int:
        """``write`` through a read-only connection of its own (another thread's);
        no database: the header alone."""
        if db_path is None:
            return self.write(path, None, task)
        db = open_readonly(db_path)
        try:
            return self.write(path, db, task)
        finally:
            close(db)


class PagedTableModel(QAbstractTableModel):
    """A read-only table over a store query, fetched ``PAGE`` rows at a time.

    Subclasses name their columns, the sort key of each column, and how to
    count, query (``page_query()``: the filter and order of now, fixed) and show rows.
    """

    columns: tuple[str, ...] = ()
    sort_keys: tuple[str | None, ...] = ()  # per column; None: not sortable
    numeric: frozenset[int] = frozenset()  # columns aligned right

    def __init__(self, parent=None):
        super().__init__(parent)
        self.db: Database | None = None
        self.sort_key: str | None = None
        self.descending = True
        self._rows: list[Any] = []
        self._total = 0

    # -- what subclasses provide ---------------------------------------------------

    def _count(self, db: Database) -> int:
        raise NotImplementedError

    def page_query(self) -> PageQuery:
        """The page query with this table's filter and order as they are now."""
        raise NotImplementedError

    def cells(self, row: Any) -> tuple:
        """The row's values, one per column, as shown."""
        raise NotImplementedError

    def export_columns(self) -> Sequence[str]:
        """The CSV header: the columns, unless a subclass exports more."""
        return self.columns

    def export_cells(self, row: Any) -> tuple:
        """The row's values as exported (one per ``export_columns``)."""
        return self.cells(row)

    # -- public ------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    def set_db(self, db: Database | None) -> None:
        self.db = db
        self.reload()

    def reload(self) -> None:
        """Count again and show the first page (after a change of db, sort or filter)."""
        self.beginResetModel()
        self._rows, self._total = [], 0
        if self.db is not None:
            self._total = self._count(self.db)
            self._rows = self._page(self.db, 0, PAGE)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _page(self, db: Database, offset: int, limit: int) -> list[Any]:
        return self.page_query()(db, offset, limit)

    def csv_export(self) -> TableExport:
        """Every row's cells (not only those loaded), in the current order."""
        return TableExport(
            tuple(self.export_columns()), self.page_query(), self.export_cells, self.total
        )

    def export_csv(self, path: str | Path) -> int:
        """Write the CSV here and now, through the model's own connection."""
        return self.csv_export().write(path, self.db, Task())

    def csv_writer(self, path: str | Path) -> Callable[[Task], int]:
        """The CSV export as a plain function to run off the UI thread (see TableExport)."""
        export, db_path = self.csv_export(), getattr(self.db, "path", None)
        if self.db is not None and db_path is None:
            raise ValueError("a table exported in the background needs a database file")
        return lambda task: export.write_from(db_path, path, task)

    # -- Qt model interface ----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self.db is None:
            return
        more = self._page(self.db, len(self._rows), PAGE)
        if not more:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(self.sort_keys)) or self.sort_keys[column] is None:
            return
        self.sort_key = self.sort_keys[column]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        return column_header(self.columns, section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if not (0 <= col < len(self.columns)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = self.alignment(col)
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(str(self.display(row, col)))
        if role == ROW_ROLE:
            return row
        return None

    def display(self, row: Any, col: int) -> Any:
        return self.cells(row)[col]

    def alignment(self, col: int) -> Qt.AlignmentFlag:
        return Qt.AlignmentFlag.AlignRight if col in self.numeric else Qt.AlignmentFlag.AlignLeft


class EntityTableModel(PagedTableModel):
    """Entity (one row however written), label, articles it occurs in, mentions, the
    other forms it is written in; filter by text (of any form) and label."""

    columns = ("Entity", "Label", "Articles", "Mentions", "Also written as")
    sort_keys = ("text", "label", "articles", "mentions", None)
    numeric = frozenset({2, 3})

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sort_key = "articles"
        self.search = ""
        self.label: str | None = None
        self.without: frozenset[str] = frozenset()  # labels left out

    def set_search(
        self, search: str, label: str | None = None, without: Iterable[str] = ()
    ) -> None:
        self.search, self.label, self.without = search, label or None, frozenset(without)
        self.reload()

    def _count(self, db: Database) -> int:
        return overview.entity_count(db, self.search, self.label, False, self.without)

    def page_query(self) -> PageQuery:
        search, label, without = self.search, self.label, self.without
        key, descending = self.sort_key or "articles", self.descending

        def page(db: Database, offset: int, limit: int) -> list[EntityStat]:
            return overview.entity_stats(
                db, search, label, key, descending, offset, limit, refresh=False,
                without=without,
            )  # fmt: skip

        return page

    def cells(self, row: EntityStat) -> tuple:
        return (row.text, row.label, row.articles, row.mentions, "; ".join(row.variants))


def percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.0f}%"


class SpeakerTableModel(PagedTableModel):
    """Speaker (an anonymous one with its article), attributions per kind and in all,
    articles, share of attributions marked anonymous."""

    columns = (
        "Speaker",
        "Article",
        "Direct",
        "Mixed",
        "Indirect",
        "Total",
        "Articles",
        "Anonymous",
    )
    sort_keys = (
        "name", None, "direct", "mixed", "indirect", "attributions", "articles", "anonymous_share"
    )  # fmt: skip
    numeric = frozenset({2, 3, 4, 5, 6, 7})
    ANONYMOUS = 7

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sort_key = "attributions"
        self.search = ""

    def set_search(self, search: str) -> None:
        self.search = search
        self.reload()

    def _count(self, db: Database) -> int:
        return overview.speaker_count(db, self.search, refresh=False)

    def page_query(self) -> PageQuery:
        search, key, descending = self.search, self.sort_key or "attributions", self.descending

        def page(db: Database, offset: int, limit: int) -> list[SpeakerStat]:
            return overview.speaker_stats(db, search, key, descending, offset, limit, refresh=False)

        return page

    def cells(self, row: SpeakerStat) -> tuple:
        return (
            row.name, row.article_title or "", row.direct, row.mixed, row.indirect,
            row.attributions, row.articles, round(row.anonymous_share, 4),
        )  # fmt: skip

    def export_columns(self) -> Sequence[str]:
        return (*self.columns[:2], "Article id", *self.columns[2:])

    def export_cells(self, row: SpeakerStat) -> tuple:
        cells = self.cells(row)
        return (*cells[:2], row.article_ext_id or "", *cells[2:])

    def display(self, row: SpeakerStat, col: int) -> Any:
        if col == self.ANONYMOUS:
            return percent(row.anonymous_share)
        return super().display(row, col)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if role == Qt.ItemDataRole.ToolTipRole and row is not None and row.article_id is not None:
            return plain_tooltip(
                f"{row.name}: an anonymous speaker of “{row.article_title}” "
                f"({row.article_ext_id}) only"
            )
        return super().data(index, role)


class MentionsModel(PagedTableModel):
    """The mentions of one entity in context (keyword in context), in corpus order."""

    columns = ("Before", "Mention", "After", "Article")
    sort_keys = (None, None, None, None)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.entity: tuple[str, str] | None = None

    def set_entity(self, db: Database | None, text: str, label: str) -> None:
        self.db, self.entity = db, (text, label)
        self.reload()

    def _count(self, db: Database) -> int:
        return overview.mention_count(db, *self.entity) if self.entity else 0

    def page_query(self) -> PageQuery:
        entity = self.entity

        def page(db: Database, offset: int, limit: int) -> list[Mention]:
            if entity is None:
                return []
            return overview.entity_mentions(db, *entity, offset=offset, limit=limit)

        return page

    def cells(self, row: Mention) -> tuple:
        return (row.left, row.text, row.right, row.title)

    def alignment(self, col: int) -> Qt.AlignmentFlag:
        return Qt.AlignmentFlag.AlignRight if col == 0 else Qt.AlignmentFlag.AlignLeft

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == 1:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


def table_view(model: PagedTableModel, name: str, sortable: bool = True) -> QTableView:
    """A read-only table over a lazy model: whole rows selected, sorted by the header."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    if sortable:
        # The indicator first, so enabling sorting asks for the model's own order.
        default = model.sort_keys.index(model.sort_key) if model.sort_key else 0
        header.setSortIndicator(default, Qt.SortOrder.DescendingOrder)
        view.setSortingEnabled(True)
    return view


class _TableView(QWidget):
    """A filter box, a lazy table, a count and an Export button."""

    def __init__(self, model: PagedTableModel, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.export_button = QPushButton("Export CSV…")
        self.csv = CsvExport(self, self.export_button, model)
        self.search_box = QLineEdit(placeholderText="filter by name")
        self.search_box.setClearButtonEnabled(True)
        self.count = QLabel()
        self.table = table_view(model, name)
        self.bar = QHBoxLayout()
        self.bar.addWidget(self.search_box, 1)
        self.bar.addWidget(self.count)
        self.bar.addWidget(self.export_button)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addLayout(self.bar)
        self.layout_.addWidget(self.table, 1)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.apply_search)
        self.search_box.textChanged.connect(self._timer.start)
        model.modelReset.connect(self._show_count)

    def apply_search(self) -> None:
        raise NotImplementedError

    def _show_count(self) -> None:
        self.count.setText(f"{self.model.total} rows")

    def export_csv(self, path: str | Path) -> int:
        return self.model.export_csv(path)


class CsvExport(QObject):
    """A table's Export CSV… button: asks for a file, then writes it off the UI thread
    (the button waits meanwhile); a failure is shown, naming the file, never raised."""

    written = Signal(str, int)  # path, rows

    def __init__(self, parent: QWidget, button: QPushButton, model: PagedTableModel):
        super().__init__(parent)
        self._parent, self.button, self.model = parent, button, model
        self.job: Operation | None = None
        self._path = ""
        button.clicked.connect(self.ask)

    def ask(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self._parent, "Export CSV", "", "CSV files (*.csv)")
        if path:
            self.start(path)

    def start(self, path: str | Path) -> Operation:
        self._path = str(path)
        job = Operation(
            self.model.csv_writer(path), expected=(TableExportError,), context=str(path)
        )
        job.succeeded.connect(self._written)
        job.failed.connect(self._failed)
        self.job = job
        self.button.setEnabled(False)
        self.button.setText("Exporting…")
        job.start()
        return job

    def _ended(self) -> None:
        self.job = None
        self.button.setEnabled(True)
        self.button.setText("Export CSV…")

    def _written(self, rows: int) -> None:
        self._ended()
        self.written.emit(self._path, rows)

    def _failed(self, message: str) -> None:
        self._ended()
        show_error(self._parent, "Export CSV", message)


SHOWN_IN_LEGEND = "shown"  # the label box's default: what the legend shows


class LabelChoice(QComboBox):
    """Which labels a table or chart counts: by default all but those hidden in the
    legend (numbers and dates are, and would otherwise fill the top rows), every
    label, or one."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.hidden: frozenset[str] = frozenset()  # in the legend
        self.fill([])

    def fill(self, labels: Iterable[str]) -> None:
        """The labels the corpus has; the choice made stays when it is still there."""
        kept = self.currentData() if self.count() else SHOWN_IN_LEGEND
        self.blockSignals(True)
        self.clear()
        self.addItem("Labels shown in the legend", SHOWN_IN_LEGEND)
        self.addItem("All labels, hidden ones too", None)
        for label in labels:
            name = label_style(label).name
            self.addItem(name if name == label else f"{name} ({label})", label)
        index = self.findData(kept)
        self.setCurrentIndex(index if index >= 0 else 0)
        self.blockSignals(False)

    def choice(self) -> tuple[str | None, frozenset[str]]:
        """(one label, or None; the labels left out)."""
        data = self.currentData()
        if data == SHOWN_IN_LEGEND:
            return None, self.hidden
        return data, frozenset()


class EntitiesView(_TableView):
    """The entities table; a click filters the article list, opening lists the mentions."""

    entity_selected = Signal(str, str)  # text, label: filter the article list by it
    article_requested = Signal(int, int, int)  # a mention: article id, start, end

    def __init__(self, parent: QWidget | None = None):
        super().__init__(EntityTableModel(), "entities_table", parent)
        self.model.setParent(self)
        # The other forms share the room with the name: both can be long.
        self.table.horizontalHeader().setSectionResizeMode(
            EntityTableModel.columns.index("Also written as"), QHeaderView.ResizeMode.Stretch
        )
        self.label_box = LabelChoice()
        self.bar.insertWidget(1, self.label_box)
        self.mentions = MentionsModel(self)
        self.mentions_table = table_view(self.mentions, "mentions_table", sortable=False)
        elide_left(self.mentions_table, 0)  # "Before" keeps the words next to the mention
        self.mentions_title = QLabel("Open an entity (double-click or Enter) to list its mentions")
        self.mentions_title.setTextFormat(Qt.TextFormat.PlainText)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.mentions_title)
        lower_layout.addWidget(self.mentions_table, 1)
        self.layout_.removeWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        self.layout_.addWidget(splitter, 1)
        self.label_box.currentIndexChanged.connect(self.apply_search)
        self.table.clicked.connect(self._on_clicked)
        self.table.activated.connect(self.open_entity)
        self.mentions_table.activated.connect(self._on_mention)
        self.mentions_table.clicked.connect(self._on_mention)

    def set_db(self, db: Database | None) -> None:
        self.label_box.fill(distinct_values(db, "label") if db is not None else [])
        self.mentions.set_entity(None, "", "")
        label, without = self.label_box.choice()
        self.model.search, self.model.label = self.search_box.text().strip(), label
        self.model.without = without
        self.model.set_db(db)

    def set_hidden_labels(self, labels: Iterable[str]) -> None:
        """The legend changed: a table of the labels shown follows it."""
        self.label_box.hidden = frozenset(labels)
        self.apply_search()

    def apply_search(self) -> None:
        label, without = self.label_box.choice()
        self.model.set_search(self.search_box.text().strip(), label, without)

    def _on_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.entity_selected.emit(row.text, row.label)

    def open_entity(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is None:
            return
        self.mentions.set_entity(self.model.db, row.text, row.label)
        self.mentions_title.setText(f"{row.text} ({row.label}): {self.mentions.total} mentions")

    def _on_mention(self, index: QModelIndex) -> None:
        m = self.mentions.row_at(index.row())
        if m is not None:
            self.article_requested.emit(m.article_id, m.start, m.end)


class SpeakersView(_TableView):
    """The speakers table; a click filters the article list by that speaker."""

    # resolved name; the article's row id for an anonymous speaker, else None
    speaker_selected = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(SpeakerTableModel(), "speakers_table", parent)
        self.model.setParent(self)
        # An anonymous speaker's article title: as much room as the name.
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._on_clicked)

    def set_db(self, db: Database | None) -> None:
        self.model.set_db(db)

    def apply_search(self) -> None:
        self.model.set_search(self.search_box.text().strip())

    def _on_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.speaker_selected.emit(row.name, row.article_id)


BAR_NAME_CHARS = 28  # a bar's name beyond this is cut: the bars keep most of the width


def short_name(name: str, limit: int = BAR_NAME_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def horizontal_bars(
    chart: QChart, value_name: str, items: Sequence[tuple[str, float]]
) -> QHorizontalBarSeries:
    """Add one horizontal bar per (name, value), the first item at the top, each
    name shown whole up to BAR_NAME_CHARS (Qt would elide every one to "…" in a
    narrow dock); the caller adds the value axis."""
    bars = QBarSet(value_name)
    names: list[str] = []
    for name, value in reversed(items):  # Qt draws the first category at the bottom
        bars.append(value)
        shown = short_name(name)
        while shown in names:  # categories must differ: two names alike once cut
            shown += "\u200b"
        names.append(shown)
    series = QHorizontalBarSeries()
    series.append(bars)
    chart.addSeries(series)
    y = QBarCategoryAxis()
    y.append(names)
    y.setTruncateLabels(False)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(y)
    return series


def count_axis(most: float) -> QValueAxis:
    """An axis of counts from 0: ticks at whole, round steps (never "1, 1, 2, 2")."""
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    step = 1
    while most / step > 4:  # at most about five labels: 1, 2, 5, 10, 20, 50, …
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    top = max(step, -(-int(most) // step) * step)
    axis.setRange(0, top)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    return axis


def _bar_chart(title: str, items: list[tuple[str, int]], value_name: str) -> QChart:
    """Horizontal bars, largest at the top."""
    chart = QChart()
    chart.setTitle(title)
    chart.legend().hide()
    series = horizontal_bars(chart, value_name, items)
    x = count_axis(max([v for _, v in items], default=1))
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    return chart


def every_month(months: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(YYYY-MM, articles) for every month from the first to the last, gaps as 0."""
    if not months:
        return []
    counts = dict(months)
    (y, m), (last_y, last_m) = (
        map(int, months[0][0].split("-")),
        map(int, months[-1][0].split("-")),
    )
    filled = []
    while (y, m) <= (last_y, last_m):
        key = f"{y:04d}-{m:02d}"
        filled.append((key, counts.get(key, 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return filled


MONTH_LABELS = 12  # at most this many month labels on the axis; ticks for every month


def month_axis(months: list[str]) -> QCategoryAxis:
    """One tick per month, each at its month; labelled every month, or every k-th
    (from the first) when there are more than MONTH_LABELS."""
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    step = max(1, -(-len(months) // MONTH_LABELS))
    for i, month in enumerate(months):
        # Labels must differ: an unlabelled month gets an invisible, unique one.
        axis.append(month if i % step == 0 else "\u200b" * (i + 1), i)
    axis.setRange(0, max(len(months) - 1, 1))
    axis.setTruncateLabels(False)
    return axis


def _time_chart(months: list[tuple[str, int]]) -> QChart:
    chart = QChart()
    chart.setTitle("Articles per month")
    chart.legend().hide()
    filled = every_month(months)
    series = QLineSeries()
    for i, (_month, n) in enumerate(filled):
        series.append(i, n)
    chart.addSeries(series)
    x = month_axis([m for m, _ in filled])
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    y = count_axis(max([n for _, n in filled], default=1))
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(y)
    return chart


class ChartsView(QWidget):
    """Top entities and top speakers as bar charts; articles over time when dates exist."""

    BAR_PIXELS = 24  # height a bar's name needs: fewer bars in a low chart, none elided
    MOST_BARS = 15

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.entities_chart = QChartView()
        self.speakers_chart = QChartView()
        self.time_chart = QChartView()
        self.no_dates = QLabel("No ISO dates (YYYY-MM-DD) in this corpus: no timeline.")
        for view in (self.entities_chart, self.speakers_chart, self.time_chart):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumSize(280, 220)  # below this no label is readable
        self.label_box = LabelChoice()
        self.db: Database | None = None
        top = QHBoxLayout()
        top.addWidget(QLabel("Top entities of"))
        top.addWidget(self.label_box)
        top.addStretch(1)
        charts = QHBoxLayout()
        charts.addWidget(self.entities_chart, 1)
        charts.addWidget(self.speakers_chart, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(charts, 2)
        layout.addWidget(self.time_chart, 1)
        layout.addWidget(self.no_dates)
        self.label_box.currentIndexChanged.connect(self._draw_entities)
        self._drawn_bars = 0
        self._resized = QTimer(self, singleShot=True, interval=150)
        self._resized.timeout.connect(self._redraw_if_resized)

    def bars(self) -> int:
        """How many bars fit the charts' height with every name readable."""
        room = self.entities_chart.height() - 110  # the title and the value axis
        return max(3, min(self.MOST_BARS, room // self.BAR_PIXELS))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._resized.start()

    def _redraw_if_resized(self) -> None:
        if self.db is not None and self.bars() != self._drawn_bars:
            self.refresh()

    def set_db(self, db: Database | None) -> None:
        self.db = db
        self.label_box.fill(distinct_values(db, "label") if db is not None else [])
        self.refresh()

    def set_hidden_labels(self, labels: Iterable[str]) -> None:
        self.label_box.hidden = frozenset(labels)
        self._draw_entities()

    def refresh(self) -> None:
        """Redraw from the store (e.g. after more articles were analysed)."""
        self._draw_entities()
        db = self.db
        speakers = overview.top_speakers(db, self.bars(), refresh=False) if db is not None else []
        self._set(
            self.speakers_chart,
            _bar_chart(
                "Top speakers (attributions)",
                [(s.label, s.attributions) for s in speakers],
                "Attributions",
            ),
        )
        months = overview.articles_per_month(db) if db is not None else []
        self._set(self.time_chart, _time_chart(months))
        self.time_chart.setVisible(bool(months))
        self.no_dates.setVisible(not months)

    def _draw_entities(self) -> None:
        label, without = self.label_box.choice()
        self._drawn_bars = n = self.bars()
        top = (
            overview.top_entities(self.db, n, label, refresh=False, without=without)
            if self.db is not None
            else []
        )
        chart = _bar_chart(
            "Top entities (articles)",
            [(f"{e.text} ({label_style(e.label).name})", e.articles) for e in top],
            "Articles",
        )
        self._set(self.entities_chart, chart)

    @staticmethod
    def _set(view: QChartView, chart: QChart) -> None:
        old = view.chart()
        view.setChart(chart)
        if old is not None and old is not chart:
            old.deleteLater()  # the view does not delete a chart it is given
