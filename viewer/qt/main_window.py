"""The main window: composition of the list, the text, the side panel and jobs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
)

from viewer.core.model import ImportReport
from viewer.core.nlp.pipeline import PREFERRED_MODELS, ModelNotFound, resolve_model_name
from viewer.core.store import StoreError, default_db_path, open_db
from viewer.core.store.analyses import load_analysis
from viewer.core.store.articles import get_article
from viewer.qt.article_list import ArticleListModel
from viewer.qt.article_view import ArticleView
from viewer.qt.dialogs import ImportReportDialog
from viewer.qt.jobs import CorpusJob
from viewer.qt.legend import Legend
from viewer.qt.side_panel import SidePanel

CORPUS_FILTER = "Corpus files (*.txt *.jsonl *.csv);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings, model: str | None = None):
        super().__init__()
        self.settings = settings
        # The --model flag wins; else the model chosen in an earlier session.
        self.model_name = model or settings.value("analysis/model", None, type=str) or None
        self.db = None
        self.db_path: Path | None = None
        self.corpus: Path | None = None
        self.job: CorpusJob | None = None
        # A QThread must outlive its run(); jobs wait here until truly finished.
        self._ending_jobs: set[CorpusJob] = set()
        self.report: ImportReport | None = None
        self.current_id: int | None = None
        self.last_job_finished: bool | None = None  # None while a job runs
        self.setWindowTitle("viewer")
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        # Analysis batches arrive often; refresh the list at most every 0.5 s.
        self._refresh_timer = QTimer(self, singleShot=True, interval=500)
        self._refresh_timer.timeout.connect(self._refresh_after_batch)
        self._restore_layout()

    # -- construction ------------------------------------------------------

    def _build_widgets(self) -> None:
        self.articles = ArticleListModel()
        self.list_view = QTableView()
        self.list_view.setObjectName("article_list")
        self.list_view.setModel(self.articles)
        self.list_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.verticalHeader().hide()
        self.list_view.setWordWrap(False)
        header = self.list_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.list_view.selectionModel().currentRowChanged.connect(self._on_row_changed)

        self.view = ArticleView()
        self.panel = SidePanel()
        self.panel.span_requested.connect(self.view.text.select_span)
        self.panel.quote_requested.connect(self.view.text.pin_quote)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.list_view)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([380, 820, 400])
        self.setCentralWidget(self.splitter)

        self.legend = Legend(self.settings, self)
        self.legend.changed.connect(self._apply_legend)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.legend)
        self._apply_legend()

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open Folder…", QKeySequence.StandardKey.Open, self._choose_folder)
        self._action(file_menu, "Open &File…", "Ctrl+Shift+O", self._choose_file)
        file_menu.addSeparator()
        self.report_action = self._action(file_menu, "Import &Report…", "Ctrl+R", self.show_report)
        self.report_action.setEnabled(False)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        go_menu = self.menuBar().addMenu("&Go")
        self.next_action = self._action(go_menu, "&Next Article", "Alt+Down", lambda: self.step(1))
        self.next_action.setShortcuts([QKeySequence("Alt+Down"), QKeySequence("Ctrl+PgDown")])
        self.prev_action = self._action(
            go_menu, "&Previous Article", "Alt+Up", lambda: self.step(-1)
        )
        self.prev_action.setShortcuts([QKeySequence("Alt+Up"), QKeySequence("Ctrl+PgUp")])

        analysis_menu = self.menuBar().addMenu("&Analysis")
        self._action(analysis_menu, "Choose &Model…", "Ctrl+M", self._choose_model)

        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.legend.toggleViewAction())
        quotes = self.legend.quotes_action
        quotes.setShortcut("Ctrl+Shift+Q")
        view_menu.addAction(quotes)

    def _choose_model(self) -> None:
        current = self.model_name or resolve_model_name()
        names = [n for n in PREFERRED_MODELS if importlib.util.find_spec(n) is not None]
        if current not in names:
            names.insert(0, current)
        name, ok = QInputDialog.getItem(
            self,
            "spaCy model",
            "Model package name or folder (analyses are cached per model):",
            names,
            names.index(current),
            True,
        )
        if ok and name.strip():
            self.set_model(name.strip())

    def set_model(self, name: str) -> None:
        """Use another model from now on (remembered) and analyse with it."""
        try:
            resolve_model_name(name)
        except ModelNotFound as exc:
            self.show_error(str(exc))
            return
        self.model_name = name
        self.settings.setValue("analysis/model", name)
        if self.corpus is not None and self.db_path is not None:
            self.open_corpus(self.corpus, self.db_path)

    def _action(self, menu, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.db_label = QLabel("no database")
        self.db_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop reading or analysing (finished work is kept)")
        self.cancel_button.clicked.connect(self.cancel_job)
        self.cancel_button.hide()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.db_label)

    # -- layout memory -------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1500, 900)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self._stop_job()
        if self.db is not None:
            self.db.close()
            self.db = None
        super().closeEvent(event)

    # -- opening a corpus ----------------------------------------------------

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open corpus folder")
        if folder:
            self.open_corpus(folder)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open corpus file", "", CORPUS_FILTER)
        if path:
            self.open_corpus(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_corpus(paths[0])

    def open_corpus(self, corpus: str | Path, db_path: str | Path | None = None) -> bool:
        """Show what the store already has at once, then read and analyse in the background."""
        corpus = Path(corpus)
        if not corpus.exists():
            self.show_error(f"{corpus}: no such file or folder")
            return False
        db_path = Path(db_path) if db_path else default_db_path(corpus)
        try:
            db = open_db(db_path)
        except (StoreError, OSError) as exc:
            self.show_error(str(exc))
            return False
        self._stop_job(wait=False)  # the old job ends after its batch, off the UI thread
        if self.db is not None:
            self.db.close()
        self.db, self.db_path, self.corpus = db, db_path, corpus
        self.current_id = None
        self.settings.setValue("last/corpus", str(corpus))
        self.setWindowTitle(f"{corpus.name} — viewer")
        self.db_label.setText(str(db_path))
        self.db_label.setToolTip("Database file")
        self.articles.set_db(db)
        self._select_first_if_none()
        self._start_job(corpus, db_path)
        return True

    def _start_job(self, corpus: Path, db_path: Path) -> None:
        job = CorpusJob(corpus, db_path, self.model_name)
        job.progress.connect(self._on_progress)
        job.imported.connect(self._on_imported)
        job.batch_saved.connect(self._on_batch_saved)
        job.failed.connect(self.show_error)
        job.done.connect(self._on_job_done)
        job.finished.connect(lambda: self._ending_jobs.discard(job))
        self._ending_jobs.add(job)
        self.job = job
        self.last_job_finished = None
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        job.start()

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage("Cancelling after the current batch…")

    def _stop_job(self, wait: bool = True) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None
        if wait:
            for job in list(self._ending_jobs):
                job.wait()

    # -- job feedback (UI thread) ---------------------------------------------

    def _from_stale_job(self) -> bool:
        """A cancelled job may still report while it finishes its batch."""
        return self.sender() is not self.job

    def _on_progress(self, done: int, total: int, what: str) -> None:
        if self._from_stale_job():
            return
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)  # busy indicator
        self.statusBar().showMessage(what)

    def _on_imported(self, report: ImportReport) -> None:
        if self._from_stale_job():
            return
        self.report = report
        self.report_action.setEnabled(True)
        self.articles.reload()
        self._select_first_if_none()
        self.statusBar().showMessage(report.summary())
        if report.messages:
            self.show_report()

    def _on_batch_saved(self) -> None:
        if not self._from_stale_job():
            self._refresh_timer.start()

    def _refresh_after_batch(self) -> None:
        self.articles.reload()
        if self.current_id is not None:
            row = self.articles.row_of(self.current_id)
            if row is not None:
                self._select_row(row, show=False)
            current = get_article(self.db, self.current_id)
            if current is not None and current.analysis_id != self._shown_analysis:
                self.show_article(self.current_id)
        self._select_first_if_none()

    def _on_job_done(self, finished: bool) -> None:
        if self._from_stale_job():
            return
        self.job = None
        self.progress.hide()
        self.cancel_button.hide()
        self._refresh_after_batch()
        self.last_job_finished = finished
        if finished:
            self.statusBar().showMessage(
                f"Ready: {self.articles.total} articles"
                + (f" — {self.report.summary()}" if self.report else "")
            )
        else:
            self.statusBar().showMessage("Stopped; finished work was saved")

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message)
        box = QMessageBox(QMessageBox.Icon.Warning, "viewer", message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setModal(False)
        box.show()

    def show_report(self) -> None:
        if self.report is not None:
            dialog = ImportReportDialog(str(self.corpus), self.report, self)
            dialog.show()

    # -- navigation ----------------------------------------------------------

    def _select_first_if_none(self) -> None:
        if self.current_id is None and self.articles.rowCount() > 0:
            self._select_row(0)

    def _select_row(self, row: int, show: bool = True) -> None:
        index = self.articles.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        if not show:
            self.list_view.selectionModel().blockSignals(True)
        self.list_view.selectionModel().setCurrentIndex(index, flags)
        if not show:
            self.list_view.selectionModel().blockSignals(False)
        self.list_view.scrollTo(index)

    def step(self, delta: int) -> None:
        current = self.list_view.currentIndex().row()
        target = max(0, current + delta)
        while target >= self.articles.rowCount() and self.articles.canFetchMore():
            self.articles.fetchMore()
        if 0 <= target < self.articles.rowCount() and target != current:
            self._select_row(target)

    def _on_row_changed(self, current, previous) -> None:
        row = self.articles.row_at(current.row())
        if row is not None:
            self.show_article(row.id)

    _shown_analysis: int | None = None

    def show_article(self, article_id: int) -> None:
        article = get_article(self.db, article_id)
        if article is None:
            return
        self.current_id = article_id
        self._shown_analysis = article.analysis_id
        analysis = load_analysis(self.db, article.analysis_id)
        meta = " · ".join(p for p in (article.source, article.date, article.url) if p)
        meta = f"{meta} · id {article.ext_id}" if meta else f"id {article.ext_id}"
        if article.analysis_id is None:
            meta += " · not analysed yet"
        self.view.show_article(article.title, meta, article.text, analysis)
        self.panel.show_analysis(analysis)

    def _apply_legend(self) -> None:
        self.view.text.set_visible_labels(self.legend.visible_labels(), self.legend.show_quotes())
