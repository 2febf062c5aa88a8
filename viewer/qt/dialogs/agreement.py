"""Review → Agreement…: how far two annotators agree, and where they differ most.

A team lead picks annotator A among the open database's annotators and B
among its others, or among those of another file of the same corpus (a
colleague's database or a ``viewer export --jsonl`` file). The figures are
those of ``viewer agreement --by-article`` (viewer.core.team.agreement): the
corpus rows in a table, span F1 per label as bars, and the articles least
agreed on, which the window opens on request.

Reading the work and comparing run off the UI thread (a large database takes
a while and the window must keep painting). Each job is given file paths and
reads them itself — read_work opens its own read-only connection — so no
connection crosses threads.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QChart, QChartView, QValueAxis
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from viewer.core.store.articles import article_row, ids_for_ext_ids
from viewer.core.store.database import close, open_readonly
from viewer.core.tasks.export_target import ExportError, check_export_target
from viewer.core.team.agreement import (
    AGREEMENT_COLUMNS,
    ALL,
    AgreementRow,
    NoSharedArticles,
    agreement,
    article_scores,
    figure,
    write_agreement_csv,
)
from viewer.core.team.work import AnnotatorWork, WorkSourceError, read_work
from viewer.qt.errors import show_error
from viewer.qt.models.table_headers import column_header
from viewer.qt.operations import Operation
from viewer.qt.panels.corpus_views import horizontal_bars, percent
from viewer.qt.safe_text import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
Key = tuple[str, str]  # (the file it was read from, the annotator's name)
Handler = Callable[[int, Any], None]  # (the job's ticket, its result or message)

LOWEST_SHOWN = 200  # articles listed (and titles looked up); the CSV has them all
EXT_ID_ROLE = Qt.ItemDataRole.UserRole
NUMERIC = frozenset(range(2, len(AGREEMENT_COLUMNS)))  # counts and figures: aligned right
COLUMN_HELP = {
    "scope": "span: spans drawn, matched exactly; entity, attribution: decisions about "
    "the model's output; status and tag: reviews",
    "label": "the label, field or tag; * for all of them together",
    "a_count": "items A made",
    "b_count": "items B made",
    "matched": "items both made alike",
    "precision": "matched / A's items",
    "recall": "matched / B's items",
    "f1": "the harmonic mean of precision and recall",
    "kappa": "Cohen's kappa over the items both decided",
    "alpha": "Krippendorff's alpha over every character of the articles both annotated",
}
ONE_ANNOTATOR = (
    "Only one annotator ({name}) in this database: import a colleague's work "
    "(File → Import Annotations…) or compare with a file."
)
NO_ANNOTATOR = (
    "No annotator's work (annotations, reviews or tags) in this database yet: nothing to compare."
)
SAME_WORK = "A and B are the same work ({name}): choose another annotator for B."


# -- the work done off the UI thread -------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    rows: list[AgreementRow]  # the corpus rows, then the per-article rows
    scores: list[tuple[str, float]]  # (ext_id, share alike), lowest first
    titles: dict[str, str]  # ext_id -> title, for the articles listed


def compare(a: AnnotatorWork, b: AnnotatorWork, db_path: Path) -> Comparison:
    rows = agreement(a, b, by_article=True)
    scores = article_scores(rows)
    listed = [ext for ext, _ in scores[:LOWEST_SHOWN]]
    return Comparison(rows, scores, article_titles(db_path, listed))


def article_titles(db_path: Path, ext_ids: Sequence[str]) -> dict[str, str]:
    """Titles by corpus id from the database; ids it lacks are left out. The list is
    usable without titles, so a database that cannot be read gives none."""
    try:
        db = open_readonly(db_path)
    except sqlite3.Error:
        return {}
    try:
        titles = {}
        for ext in ext_ids:
            ids = ids_for_ext_ids(db, [ext])
            row = article_row(db, ids[0]) if ids else None
            if row is not None:
                titles[ext] = " ".join(row.title.split())  # one line in the list
        return titles
    except sqlite3.Error:
        return {}
    finally:
        close(db)


def write_agreement_file(
    rows: Sequence[AgreementRow], path: Path, sources: Iterable[Path]
) -> tuple[Path, int]:
    """The rows to ``path`` (never over one of the files compared); the path and the
    row count. Every failure is an ExportError naming the file."""
    for source in sources:
        check_export_target(source, path, overwrite=True)  # never over an input
    try:
        write_agreement_csv(rows, path, by_article=True)
    except OSError as exc:
        raise ExportError(f"Could not write {path}: {exc.strerror or exc}") from exc
    return path, len(rows)


# -- the table and the chart ------------------------------------------------------------------


class AgreementTableModel(QAbstractTableModel):
    """Agreement rows, one column per AGREEMENT_COLUMNS, figures to 3 decimals."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[AgreementRow] = []

    def set_rows(self, rows: Sequence[AgreementRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(AGREEMENT_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(AGREEMENT_COLUMNS)
        ):
            return COLUMN_HELP[AGREEMENT_COLUMNS[section]]
        return column_header(AGREEMENT_COLUMNS, section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not (index.isValid() and 0 <= index.row() < len(self.rows)):
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole and 0 <= col < len(AGREEMENT_COLUMNS):
            return figure(self.rows[index.row()].cells()[col])
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMERIC:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


def span_label_rows(rows: Sequence[AgreementRow]) -> list[AgreementRow]:
    """The corpus's span rows of each label (not ``*``), in label order."""
    return [r for r in rows if r.article_id is None and r.scope == "span" and r.label != ALL]


def f1_chart(rows: Sequence[AgreementRow], palette: QPalette) -> QChart | None:
    """Span F1 per label as horizontal bars, the value written beside each label
    (readable whatever the bar's length); None when no span has a label."""
    spans = span_label_rows(rows)
    if not spans:
        return None
    chart = QChart()
    chart.setTitle("Span F1 per label (exact matches)")
    chart.legend().hide()
    chart.setBackgroundRoundness(0)
    items = [(f"{r.label}  {figure(r.f1) or 'undefined'}", r.f1 or 0.0) for r in spans]
    series = horizontal_bars(chart, "F1", items)
    x = QValueAxis()
    x.setRange(0.0, 1.0)
    x.setTickCount(6)
    x.setLabelFormat("%.1f")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    paint_chart(chart, palette)
    return chart


def paint_chart(chart: QChart, palette: QPalette) -> None:
    """The palette's colours: Qt's chart themes ignore it, so a dark palette would
    get a glaring white chart among dark widgets."""
    text = palette.color(QPalette.ColorRole.WindowText)
    chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Window))
    chart.setTitleBrush(text)
    for axis in chart.axes():
        axis.setLabelsColor(text)
        axis.setLinePenColor(palette.color(QPalette.ColorRole.Mid))
        axis.setGridLineColor(palette.color(QPalette.ColorRole.Midlight))
    for series in chart.series():
        for bars in series.barSets():
            bars.setColor(palette.color(QPalette.ColorRole.Highlight))
            bars.setBorderColor(palette.color(QPalette.ColorRole.Highlight))


# -- the dialog --------------------------------------------------------------------------------


class AgreementDialog(QDialog):
    """Two annotators' agreement: table, span F1 chart, the least agreed articles, CSV."""

    article_requested = Signal(str)  # an article's corpus id (ext_id): open it in the window
    annotators_ready = Signal()  # the choices were filled from a file just read
    computed = Signal()  # the figures of the chosen pair are shown
    failed = Signal(str)  # reading or comparing failed; the message is shown in the dialog
    exported = Signal(str)  # the path an export CSV wrote

    def __init__(self, db_path: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path).absolute()  # the same file picked again: the same key
        self.rows: list[AgreementRow] = []  # what Export CSV writes
        self._keys: list[Key] = []  # a choice's item data is its index here
        self._works: dict[Key, AnnotatorWork] = {}
        self._db_names: list[str] = []  # the choices of A
        self._tickets = itertools.count(1)
        self._jobs: dict[int, tuple[str, Handler, Handler]] = {}  # running: what, done, failed
        self._comparing = 0  # the latest comparison's ticket: older results are stale
        self._build()
        path = self.db_path
        self._start(
            "Reading the annotators of this database…",
            lambda: read_work(path),
            self._database_read,
            self._read_failed,
        )

    # -- public ----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A file is being read or two annotators compared."""
        return bool(self._jobs)

    def compare_with_file(self, path: str | Path) -> None:
        """Add the annotators of another database or annotations file to B (read in the
        background; the first of them is then chosen and compared)."""
        path = Path(path).absolute()
        self._start(
            f"Reading {path.name}…",
            lambda: read_work(path),
            lambda _ticket, found: self._file_read(path, found),
            self._read_failed,
        )

    def export_csv(self, path: str | Path) -> Operation:
        """Write the rows (the corpus's, then each article's) to ``path`` in the
        background; ``exported(path)`` once written, a failure shown (naming the file)
        through the error sink, never raised."""
        rows, sources = list(self.rows), {self.db_path, *(Path(s) for s, _ in self._keys)}
        job = Operation(lambda _task: write_agreement_file(rows, Path(path), sources),
                        expected=(ExportError,), context=str(path))  # fmt: skip
        job.succeeded.connect(self._agreement_written)
        job.failed.connect(self._agreement_not_written)
        job.start()
        return job

    def _agreement_written(self, written: tuple[Path, int]) -> None:
        path, rows = written
        self._say(f"Wrote {rows} rows to {path}")
        self.exported.emit(str(path))

    def _agreement_not_written(self, message: str) -> None:
        show_error(self, "Export agreement", message)

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle("Agreement between annotators")
        self.setSizeGripEnabled(True)
        self.resize(900, 600)  # fits a 1024x700 screen with the window's frame
        self.a_box, self.b_box = QComboBox(), QComboBox()
        for box in (self.a_box, self.b_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.setMinimumContentsLength(12)
            box.currentIndexChanged.connect(self._compare)
        self.file_button = QPushButton("Compare with a &file…")
        self.file_button.setEnabled(False)  # until this database's annotators are known (A)
        self.file_button.setToolTip(
            "Add the annotators of another viewer database or a `viewer export --jsonl` file "
            "of the same corpus to B"
        )
        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # no measure of progress: it only moves
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(120)
        bar = QHBoxLayout()
        for text, box in (("Annotator &A", self.a_box), ("Annotator &B", self.b_box)):
            label = QLabel(text)
            label.setBuddy(box)
            bar.addWidget(label)
            bar.addWidget(box)
        bar.addWidget(self.file_button)
        bar.addStretch(1)

        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # names and paths, never markup
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.results = self._build_results()
        self.results.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton(
            "&Export CSV…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_button.setEnabled(False)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.busy_bar)
        bottom.addWidget(self.busy_label)
        bottom.addWidget(buttons, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.results, 1)
        layout.addStretch(0)
        layout.addLayout(bottom)
        # Enter in the article list opens the article; as an unhandled key it would
        # also reach the dialog and press its default button.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.file_button.clicked.connect(self._ask_file)
        self.export_button.clicked.connect(self._ask_export)
        self._show_busy()

    def _build_results(self) -> QWidget:
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.model = AgreementTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("agreement_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # labels and tags

        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.no_chart = QLabel("No labelled spans in the articles both annotated: no chart.")
        self.no_chart.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_chart.setWordWrap(True)
        self.chart_stack = QStackedWidget()
        self.chart_stack.addWidget(self.chart_view)
        self.chart_stack.addWidget(self.no_chart)

        self.lowest_title = QLabel("Lowest agreement")
        self.lowest = QListWidget()
        self.lowest.setObjectName("lowest_agreement")
        self.lowest.setToolTip(
            "Open an article (double-click or Enter) to see both annotators' work"
        )
        self.lowest_title.setBuddy(self.lowest)
        self.lowest.activated.connect(self._on_article)
        lowest = QWidget()
        lowest_layout = QVBoxLayout(lowest)
        lowest_layout.setContentsMargins(0, 0, 0, 0)
        lowest_layout.addWidget(self.lowest_title)
        lowest_layout.addWidget(self.lowest, 1)

        below = QSplitter(Qt.Orientation.Horizontal)
        below.addWidget(self.chart_stack)
        below.addWidget(lowest)
        below.setSizes([500, 400])
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(below)
        splitter.setSizes([260, 240])
        results = QWidget()
        layout = QVBoxLayout(results)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        return results

    # -- jobs --------------------------------------------------------------------------------

    def _start(self, what: str, work: Callable[[], object], done: Handler, failed: Handler) -> int:
        ticket = next(self._tickets)
        job = Operation(
            lambda _task: work(), expected=(WorkSourceError, NoSharedArticles), ticket=ticket
        )
        self._jobs[ticket] = (what, done, failed)
        job.succeeded.connect(self._job_succeeded)
        job.failed.connect(self._job_failed)
        self._show_busy()
        job.start()
        return ticket

    def _job_succeeded(self, result: object) -> None:
        ticket = self.sender().ticket
        _what, done, _failed = self._jobs.pop(ticket)
        self._show_busy()
        done(ticket, result)

    def _job_failed(self, message: str) -> None:
        ticket = self.sender().ticket
        _what, _done, failed = self._jobs.pop(ticket)
        self._show_busy()
        failed(ticket, message)

    def _show_busy(self) -> None:
        running = list(self._jobs.values())
        self.busy_label.setText(running[-1][0] if running else "")
        self.busy_label.setVisible(bool(running))
        self.busy_bar.setVisible(bool(running))

    # -- choosing --------------------------------------------------------------------------

    def _database_read(self, _ticket: int, found: dict[str, AnnotatorWork]) -> None:
        self._db_names = sorted(found)
        source = str(self.db_path)
        for name in self._db_names:
            self._remember((source, name), found[name])
        self._refill()
        self.file_button.setEnabled(True)
        self.annotators_ready.emit()
        self._compare()

    def _file_read(self, path: Path, found: dict[str, AnnotatorWork]) -> None:
        if not found:
            self._say(f"{path}: no annotations, reviews or tags: nobody to compare with.")
            return
        keys = [(str(path), name) for name in sorted(found)]
        for key in keys:
            self._remember(key, found[key[1]])  # read again: its latest work replaces the old
        self._refill(b_key=keys[0])
        self.annotators_ready.emit()
        self._compare()

    def _read_failed(self, _ticket: int, message: str) -> None:
        self._say(message)
        self.failed.emit(message)

    def _remember(self, key: Key, work: AnnotatorWork) -> None:
        if key not in self._works:
            self._keys.append(key)
        self._works[key] = work

    def _refill(self, b_key: Key | None = None) -> None:
        """Both choices from what was read, keeping what was chosen (A: first, B: second
        by default); B's choice becomes ``b_key`` when given."""
        a_key, old_b = self._chosen(self.a_box), self._chosen(self.b_box)
        source = str(self.db_path)
        a_keys = [(source, name) for name in self._db_names]
        for box, keys, keep, fallback in (
            (self.a_box, a_keys, a_key, 0),
            (self.b_box, self._keys, b_key or old_b, 1),
        ):
            box.blockSignals(True)  # one comparison after both are set, not one per item
            box.clear()
            for key in keys:
                box.addItem(self._choice_name(key), self._keys.index(key))
            at = keys.index(keep) if keep in keys else min(fallback, len(keys) - 1)
            box.setCurrentIndex(at)
            box.blockSignals(False)

    def _choice_name(self, key: Key) -> str:
        source, name = key
        return name if source == str(self.db_path) else f"{name} — {Path(source).name}"

    def _chosen(self, box: QComboBox) -> Key | None:
        index = box.currentData()
        return self._keys[index] if isinstance(index, int) else None

    def _why_not(self, a: Key | None, b: Key | None) -> str | None:
        """Why the chosen pair cannot be compared, or None."""
        others = len(self._keys) - len(self._db_names)  # from files
        if not self._db_names:
            return NO_ANNOTATOR
        if len(self._db_names) == 1 and not others:
            return ONE_ANNOTATOR.format(name=self._db_names[0])
        if a is None or b is None:
            return "Choose annotators A and B."
        if a == b:
            return SAME_WORK.format(name=a[1])
        return None

    # -- comparing ---------------------------------------------------------------------------

    def _compare(self) -> None:
        a, b = self._chosen(self.a_box), self._chosen(self.b_box)
        why = self._why_not(a, b)
        if why is not None or a is None or b is None:
            self._comparing = 0  # a comparison still running is of another pair
            self._show_nothing(why or "")
            return
        work_a, work_b, db_path = self._works[a], self._works[b], self.db_path
        self.export_button.setEnabled(False)  # the rows shown are of the previous pair
        self._comparing = self._start(
            f"Comparing {a[1]} and {b[1]}…",
            lambda: compare(work_a, work_b, db_path),
            self._compared,
            self._comparison_failed,
        )

    def _compared(self, ticket: int, comparison: Comparison) -> None:
        if ticket != self._comparing:
            return  # another pair was chosen meanwhile
        self.rows = comparison.rows
        corpus = [r for r in self.rows if r.article_id is None]
        shared = len({r.article_id for r in self.rows} - {None})
        a, b = self._chosen(self.a_box), self._chosen(self.b_box)
        if a is not None and b is not None:
            self.summary.setText(
                f"A: {self._choice_name(a)}   B: {self._choice_name(b)}   "
                f"({shared} articles annotated by both)"
            )
        self.model.set_rows(corpus)
        self._draw_chart()
        self._list_lowest(comparison)
        self._say("")
        self.results.show()
        self.export_button.setEnabled(True)
        self.computed.emit()

    def _comparison_failed(self, ticket: int, message: str) -> None:
        if ticket != self._comparing:
            return
        self._show_nothing(message)  # e.g. no shared article: a message, not a table
        self.failed.emit(message)

    def _show_nothing(self, why: str) -> None:
        self.rows = []
        self.model.set_rows([])
        self.lowest.clear()
        self.results.hide()
        self.export_button.setEnabled(False)
        self._say(why)

    def _draw_chart(self) -> None:
        chart = f1_chart(self.rows, self.palette())
        if chart is None:
            self.chart_stack.setCurrentWidget(self.no_chart)
            return
        old = self.chart_view.chart()
        self.chart_view.setChart(chart)
        if old is not None and old is not chart:
            old.deleteLater()  # the view does not delete a chart it is given
        self.chart_stack.setCurrentWidget(self.chart_view)

    def _list_lowest(self, comparison: Comparison) -> None:
        self.lowest.clear()
        for ext, score in comparison.scores[:LOWEST_SHOWN]:
            title = comparison.titles.get(ext)
            item = QListWidgetItem(f"{percent(score)}  {ext}" + (f" — {title}" if title else ""))
            item.setData(EXT_ID_ROLE, ext)
            item.setToolTip(plain_tooltip(f"{ext}\n{title or ''}\n{percent(score)} treated alike"))
            self.lowest.addItem(item)
        n = len(comparison.scores)
        more = f", the {LOWEST_SHOWN} lowest shown" if n > LOWEST_SHOWN else ""
        self.lowest_title.setText(f"&Lowest agreement ({n} articles{more})")

    # -- acting ----------------------------------------------------------------------------------

    def _on_article(self, index: QModelIndex) -> None:
        ext = index.data(EXT_ID_ROLE)
        if isinstance(ext, str):
            self.article_requested.emit(ext)

    def _ask_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Compare with a file",
            str(self.db_path.parent),
            "Viewer databases and annotation files (*.sqlite *.db *.jsonl);;All files (*)",
        )
        if path:
            self.compare_with_file(path)

    def _ask_export(self) -> None:
        if not self.rows:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export agreement", str(self.db_path.with_name("agreement.csv")),
            "CSV files (*.csv)",
        )  # fmt: skip
        if path:
            self.export_csv(path)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        palette_events = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in palette_events and self.rows:
            self._draw_chart()  # in the new palette's colours
