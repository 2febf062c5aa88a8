"""The sourcing summary: attributions and anonymous sources per outlet, month or article.

A line for the whole corpus, a lazy table grouped as chosen (sortable,
exported to CSV) and a chart: anonymous share per outlet (bars), per month
(lines, with the share without source), or how many articles have which share
(grouped by article). Figures come from the stats tables the window counts in
the background (``sourcing``); nothing here counts the corpus itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QEvent, QMargins, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from viewer.core.store import sourcing
from viewer.core.store.sourcing import DEFAULT_SORT, GROUPINGS, SourcingRow
from viewer.qt.panels.corpus_views import (
    CsvExport,
    PagedTableModel,
    PageQuery,
    horizontal_bars,
    percent,
    table_view,
)
from viewer.qt.safe_text import plain_tooltip

GROUP_NAMES = {"outlet": "Outlet", "month": "Month", "article": "Article"}
COUNT_COLUMNS = (
    "Articles", "Attributions", "Direct", "Mixed", "Indirect", "No source", "Anonymous",
    "Anonymous share",
)  # fmt: skip
SHARE = len(COUNT_COLUMNS)  # the share's column (after the group's)


class SourcingTableModel(PagedTableModel):
    """One row per outlet, month or article: attributions per kind, anonymous, share."""

    sort_keys = ("key", "articles", "attributions", "direct", "mixed", "indirect", "no_source",
                 "anonymous", "anonymous_share")  # fmt: skip
    numeric = frozenset(range(1, len(COUNT_COLUMNS) + 1))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grouping = "outlet"
        self.columns = (GROUP_NAMES["outlet"], *COUNT_COLUMNS)
        self.sort_key = DEFAULT_SORT["outlet"]

    def set_grouping(self, grouping: str) -> None:
        """Group by outlet, month or article, in that grouping's default order."""
        if grouping not in GROUPINGS:
            raise ValueError(f"cannot group by {grouping!r}")
        self.grouping = grouping
        self.columns = (GROUP_NAMES[grouping], *COUNT_COLUMNS)
        self.sort_key = DEFAULT_SORT[grouping]
        self.descending = self.sort_key != "key"
        self.reload()

    def _count(self, db: Database) -> int:
        return sourcing.sourcing_count(db, self.grouping, refresh=False)

    def page_query(self) -> PageQuery:
        grouping, key, descending = self.grouping, self.sort_key, self.descending

        def page(db: Database, offset: int, limit: int) -> list[SourcingRow]:
            return sourcing.sourcing_rows(
                db, grouping, key, descending, offset, limit, refresh=False
            )

        return page

    def cells(self, row: SourcingRow) -> tuple:
        share = row.anonymous_share
        return (
            row.label, row.articles, row.attributions, row.direct, row.mixed, row.indirect,
            row.no_source, row.anonymous, "" if share is None else round(share, 4),
        )  # fmt: skip

    def export_columns(self) -> Sequence[str]:
        if self.grouping == "article":
            return ("Article id", "Title", *COUNT_COLUMNS)
        return self.columns

    def export_cells(self, row: SourcingRow) -> tuple:
        # By the row, not the grouping: an export in the background keeps its own.
        if row.article_id is not None:  # grouped by article
            return (row.key, *self.cells(row))
        return self.cells(row)

    def display(self, row: SourcingRow, col: int) -> Any:
        if col == SHARE:
            return percent(row.anonymous_share)
        return super().display(row, col)

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if role == Qt.ItemDataRole.ToolTipRole and row is not None and index.column() == 0:
            if row.article_id is not None:
                return plain_tooltip(f"{row.label}\n{row.key}")
            if row.key is None:
                what = "outlet" if self.grouping == "outlet" else "ISO date (YYYY-MM-DD)"
                return plain_tooltip(f"Articles without an {what}")
        return super().data(index, role)


def summary_text(row: SourcingRow) -> str:
    """One line about the whole corpus."""
    if not row.attributions:
        return f"Corpus: no attributions in {row.articles} analysed articles."
    return (
        f"Corpus: {row.attributions:,} attributions in {row.articles:,} articles — "
        f"anonymous {row.anonymous:,} ({percent(row.anonymous_share)}), "
        f"no source {row.no_source:,} ({percent(row.no_source_share)}); "
        f"direct {row.direct:,}, mixed {row.mixed:,}, indirect {row.indirect:,}"
    )


def _percent_axis(chart: QChart, series, alignment: Qt.AlignmentFlag, top: float) -> QValueAxis:
    axis = QValueAxis()
    axis.setLabelFormat("%.0f%%")
    axis.setRange(0, top)
    chart.addAxis(axis, alignment)
    series.attachAxis(axis)
    return axis


def _top_percent(values: Sequence[float]) -> float:
    """An axis end a little above the largest share, in steps of 10%, at most 100%."""
    return min(100.0, 10.0 * (int(max(values, default=0.0) // 10) + 1))


def outlet_chart(rows: Sequence[SourcingRow], top: int = 15) -> QChart:
    """Anonymous share of the outlets with most attributions, largest share at the top."""
    chart = QChart()
    with_any = [r for r in rows if r.attributions]
    more = f" (the {top} with most attributions)" if len(with_any) > top else ""
    chart.setTitle("Anonymous share per outlet" + more)
    chart.legend().hide()
    chosen = sorted(with_any, key=lambda r: r.attributions, reverse=True)[:top]
    chosen.sort(key=lambda r: r.anonymous_share or 0.0, reverse=True)  # highest on top
    items = [(f"{r.label} ({r.attributions})", 100 * (r.anonymous_share or 0.0)) for r in chosen]
    values = [v for _, v in items]
    series = horizontal_bars(chart, "Anonymous share", items)
    _percent_axis(chart, series, Qt.AlignmentFlag.AlignBottom, _top_percent(values))
    return chart


def month_chart(rows: Sequence[SourcingRow]) -> QChart:
    """Anonymous share and share without source per month (months with attributions)."""
    chart = QChart()
    chart.setTitle("Share of attributions per month")
    anonymous, no_source = QLineSeries(), QLineSeries()
    anonymous.setName("Anonymous source")
    no_source.setName("No source")
    months = [r for r in rows if r.key is not None and r.attributions]
    for r in months:
        stamp = QDateTime.fromString(r.key + "-01", "yyyy-MM-dd").toMSecsSinceEpoch()
        anonymous.append(stamp, 100 * (r.anonymous_share or 0.0))
        no_source.append(stamp, 100 * (r.no_source_share or 0.0))
    x = QDateTimeAxis()
    x.setFormat("yyyy-MM")
    x.setTickCount(min(max(len(months), 2), 12))  # fitted to the view's size by SourcingView
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    values = []
    for series in (anonymous, no_source):
        series.setPointsVisible(len(months) < 40)
        chart.addSeries(series)
        series.attachAxis(x)
        values += [series.at(i).y() for i in range(series.count())]
    y = _percent_axis(chart, anonymous, Qt.AlignmentFlag.AlignLeft, _top_percent(values))
    no_source.attachAxis(y)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def share_histogram(buckets: Sequence[tuple[str, int]]) -> QChart:
    """Articles (with attributions) by their share of anonymous attributions."""
    chart = QChart()
    chart.setTitle("Articles by share of anonymous attributions")
    chart.legend().hide()
    bars = QBarSet("Articles")
    for _, n in buckets:
        bars.append(n)
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    # Eleven labels must fit a narrow chart: the upper bounds alone (0, 10, … 100).
    x.append([name.strip("≤%") for name, _ in buckets])
    x.setTitleText("Anonymous share, up to (%)")
    font = x.labelsFont()
    font.setPointSizeF(font.pointSizeF() * 0.85)
    x.setLabelsFont(font)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    y = QValueAxis()
    y.setLabelFormat("%d")
    y.setRange(0, max([n for _, n in buckets], default=1) or 1)
    y.applyNiceNumbers()
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(y)
    return chart


def _compact(chart: QChart) -> QChart:
    """Little margin: the chart shares a dock with the table."""
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.layout().setContentsMargins(0, 0, 0, 0)
    chart.setBackgroundRoundness(0)
    return chart


NICE_STEPS = (5, 10, 20, 25, 50, 100)  # percent between two ticks


def _percent_ticks(top: float, room: int) -> int:
    """The most ticks (at most ``room``) whose step from 0 to ``top`` is a round number."""
    for n in range(max(2, min(room, 11)), 2, -1):
        step = top / (n - 1)
        if step in NICE_STEPS:
            return n
    return 2


def fit_ticks(chart: QChart, width: int, height: int) -> None:
    """As many ticks as the chart's size has room for: a date label needs ~80 pixels,
    a percentage ~60 across or ~30 up (else Qt shows "…" for labels that overlap)."""
    for axis in chart.axes():
        if isinstance(axis, QDateTimeAxis):
            axis.setTickCount(max(2, min(12, width // 80)))
        elif isinstance(axis, QValueAxis) and axis.labelFormat().endswith("%%"):
            across = axis.orientation() == Qt.Orientation.Horizontal
            axis.setTickCount(_percent_ticks(axis.max(), width // 60 if across else height // 30))


def outlets_that_fit(height: int) -> int:
    """How many outlet bars leave room for their names (about 16 pixels each)."""
    return max(3, min(15, (height - 80) // 16))


class SourcingView(QWidget):
    """Corpus line, grouping chooser, table and chart; a click narrows the article list."""

    filter_requested = Signal(dict)  # ArticleFilter fields: an outlet's or a month's articles
    article_requested = Signal(int, int, int)  # an article row: article id, start, end

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.db: Database | None = None
        self._rows: list[SourcingRow] = []  # what the outlet or month chart shows
        self._outlets_shown = 15
        self.model = SourcingTableModel(self)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.grouping = QComboBox()
        for grouping in GROUPINGS:
            self.grouping.addItem(GROUP_NAMES[grouping], grouping)
        self.count = QLabel()
        self.export_button = QPushButton("Export CSV…")
        self.csv = CsvExport(self, self.export_button, self.model)
        self.table = table_view(self.model, "sourcing_table")
        self.chart = QChartView()
        self.chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart.setMinimumWidth(260)
        self.chart.installEventFilter(self)  # ticks follow its size
        bar = QHBoxLayout()
        group_label = QLabel("Group by")
        group_label.setBuddy(self.grouping)
        bar.addWidget(group_label)
        bar.addWidget(self.grouping)
        bar.addWidget(self.count)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])  # in proportion: the counts need room
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self.grouping.currentIndexChanged.connect(self._grouping_chosen)
        self.table.clicked.connect(self._on_clicked)
        self.model.modelReset.connect(self._show_count)
        self.model.modelReset.connect(self._fit_columns)
        self._show_count()

    # -- public ------------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        self.db = db
        self.model.set_db(db)
        self.refresh()

    def set_grouping(self, grouping: str) -> None:
        self.grouping.setCurrentIndex(self.grouping.findData(grouping))

    def refresh(self) -> None:
        """Show the figures as last counted (the window recounts in the background)."""
        db = self.db
        self.summary.setText(
            summary_text(sourcing.corpus_sourcing(db, refresh=False))
            if db is not None
            else "No corpus open."
        )
        self._draw_chart()

    def export_csv(self, path: str | Path) -> int:
        return self.model.export_csv(path)

    # -- internals -----------------------------------------------------------------

    def _grouping_chosen(self) -> None:
        grouping = self.grouping.currentData()
        self.model.set_grouping(grouping)
        self.table.setColumnHidden(1, grouping == "article")  # always 1 article
        header = self.table.horizontalHeader()
        header.blockSignals(True)  # the model is sorted already
        order = (
            Qt.SortOrder.DescendingOrder if self.model.descending else Qt.SortOrder.AscendingOrder
        )
        header.setSortIndicator(self.model.sort_keys.index(self.model.sort_key), order)
        header.blockSignals(False)
        header.viewport().update()
        self._draw_chart()

    def _draw_chart(self) -> None:
        db, grouping = self.db, self.model.grouping
        if grouping == "article":
            buckets = sourcing.articles_by_share(db, refresh=False) if db is not None else []
            chart = share_histogram(buckets)
        else:
            self._rows = (
                sourcing.sourcing_rows(db, grouping, refresh=False) if db is not None else []
            )
            if grouping == "outlet":
                self._outlets_shown = outlets_that_fit(self.chart.height())
                chart = outlet_chart(self._rows, self._outlets_shown)
            else:
                chart = month_chart(self._rows)
        self._show_chart(chart)

    def _show_chart(self, chart: QChart) -> None:
        old = self.chart.chart()
        self.chart.setChart(_compact(chart))
        if old is not None and old is not chart:
            old.deleteLater()  # the view does not delete a chart it is given
        fit_ticks(chart, self.chart.width(), self.chart.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.chart and event.type() == QEvent.Type.Resize:
            fits = outlets_that_fit(self.chart.height())
            if self.model.grouping == "outlet" and fits != self._outlets_shown:
                self._outlets_shown = fits  # redrawn from the rows read, not the store
                self._show_chart(outlet_chart(self._rows, fits))
            else:
                fit_ticks(self.chart.chart(), self.chart.width(), self.chart.height())
        return super().eventFilter(watched, event)

    def _show_count(self) -> None:
        noun = {"outlet": "outlets", "month": "months", "article": "articles"}[self.model.grouping]
        self.count.setText(f"{self.model.total} {noun}")

    def _fit_columns(self) -> None:
        """The counts as narrow as their figures and names; the group's name takes the rest."""
        for col in range(1, self.model.columnCount()):
            self.table.resizeColumnToContents(col)

    def _on_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is None:
            return
        if row.article_id is not None:
            self.article_requested.emit(row.article_id, 0, 0)
        elif row.key is None:
            return  # "unknown": no filter picks exactly those articles
        elif self.model.grouping == "outlet":
            self.filter_requested.emit({"source": row.key})
        else:
            self.filter_requested.emit({"date_from": row.key, "date_to": row.key})
