"""The main window: composition of the list, the text, the side panel and jobs."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from viewer.core.annotations.corrected_view import refresh_corrected
from viewer.core.corpus.files import SUFFIXES
from viewer.core.model import Analysis, Annotation, ImportReport
from viewer.core.nlp.pipeline import PREFERRED_MODELS, ModelNotFound, resolve_model_name
from viewer.core.store import default_db_path
from viewer.core.store.annotations import (
    annotations_for_article,
    default_annotator,
    get_annotation,
)
from viewer.core.store.articles import StoredArticle, get_article
from viewer.core.store.labels import Label, list_labels
from viewer.core.store.reviews import (
    Review,
    all_tags,
    get_review,
    next_unreviewed,
    reviews_of,
    tag_owners,
)
from viewer.core.store.transfer import find_article
from viewer.core.tasks.window import CorpusRun
from viewer.core.team.conflicts import article_conflicts
from viewer.qt.backup_timer import BackupTimer
from viewer.qt.dialogs.adjudication import AdjudicationDialog
from viewer.qt.dialogs.agreement import AgreementDialog
from viewer.qt.dialogs.anchor_review import AnchorReviewDialog
from viewer.qt.dialogs.conflicts import ConflictsDialog
from viewer.qt.dialogs.export import ExportDialog
from viewer.qt.dialogs.import_report import ImportReportDialog
from viewer.qt.dialogs.labels import LabelEditor
from viewer.qt.dialogs.moved_database import MovedDatabaseNotice
from viewer.qt.editing.annotating import Annotating
from viewer.qt.editing.edits import Editor
from viewer.qt.errors import show_error
from viewer.qt.focus_panes import FocusPanes
from viewer.qt.jobs import (
    RESUME_ACTION,
    CorpusJob,
    count_tables,
    import_annotations,
    open_database,
    stopped_message,
)
from viewer.qt.models.article_list import ArticleListModel, follow_empty_columns
from viewer.qt.operations import Operation
from viewer.qt.panels.annotations import AnnotationPanel
from viewer.qt.panels.corpus_views import ChartsView, EntitiesView, SpeakersView
from viewer.qt.panels.filter_bar import FilterBar
from viewer.qt.panels.legend import Legend
from viewer.qt.panels.review import STATUS_NAMES, ReviewPanel
from viewer.qt.panels.search import SearchPanel
from viewer.qt.panels.side import SidePanel
from viewer.qt.panels.sourcing import SourcingView
from viewer.qt.reading_splitter import ReadingSplitter
from viewer.qt.recent import RecentCorpora, RecentCorpus, RecentMenu
from viewer.qt.shortcuts import ShortcutsDialog
from viewer.qt.text.article_loading import ArticleLoader, Ready
from viewer.qt.text.article_view import ArticleView

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
        self._opening: Operation | None = None  # the database being opened, if any
        self.export_dialog: ExportDialog | None = None
        # The window's operations not ended yet: closing waits for them.
        self._ending_jobs: set[Operation] = set()
        self.report: ImportReport | None = None
        self.recent = RecentCorpora(settings)
        self._resume_article: str | None = None  # where the analyst left this corpus
        self.start_notice = ""  # said with "Ready" once the first corpus is read
        self.current_id: int | None = None
        self.current_article: StoredArticle | None = None
        self._labels: list[Label] = []
        annotator = settings.value("annotator/name", "", type=str) or default_annotator()
        self.editor = Editor(lambda: self.db, annotator, self)
        self.editor.changed.connect(self._on_edited)
        self.editor.failed.connect(self.show_error)
        # The database file moved or deleted while open: stop, say so, offer a copy.
        self.moved_notice = MovedDatabaseNotice(self, lambda: self.db)
        self.editor.database_moved.connect(self._on_database_moved)
        self.moved_notice.copy_saved.connect(self._continue_in_copy)
        self.moved_notice.failed.connect(self.show_error)
        # Regular backups of the open database, pruned, off the UI thread.
        self.backups = BackupTimer(lambda: self.db_path, parent=self)
        self.backups.failed.connect(self.statusBar().showMessage)
        self.last_job_finished: bool | None = None  # None while a job runs
        self.setWindowTitle("viewer")
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        # Analysis batches arrive often; refresh the list at most every 0.5 s.
        self._refresh_timer = QTimer(self, singleShot=True, interval=500)
        self._refresh_timer.timeout.connect(self._refresh_after_batch)
        # An edit's highlight is shown at once; the rest of the window follows it,
        # once the text is painted, once for a burst of edits.
        self._edited: set[int] = set()
        self._shown_edit: tuple | None = None  # (article, annotations, reviews, ready) to list
        self._finishing = False  # _finish_edits is waiting for the text's paint
        self._restore_layout()

    # -- construction ------------------------------------------------------

    def _build_widgets(self) -> None:
        self.articles = ArticleListModel()
        self.articles.annotator = lambda: self.editor.annotator  # the Status column's
        self.list_view = QTableView()
        self.list_view.setObjectName("article_list")
        self.list_view.setModel(self.articles)
        self.list_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.verticalHeader().hide()
        self.list_view.setTabKeyNavigation(False)  # Tab leaves the list (it walked cells)
        self.list_view.setWordWrap(False)
        header = self.list_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, self.articles.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        follow_empty_columns(self.list_view, self.articles)
        self.list_view.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setWordWrap(True)  # a long filter summary or refusal stays readable
        self.articles.count_changed.connect(self._show_count)
        self.articles.filter_failed.connect(self.statusBar().showMessage)
        self.filter_bar = FilterBar()
        self.filter_bar.changed.connect(self.apply_filter)
        self.search_panel = SearchPanel()
        self.search_panel.article_requested.connect(self._open_hit)
        articles_tab = QWidget()
        articles_layout = QVBoxLayout(articles_tab)
        articles_layout.setContentsMargins(0, 0, 0, 0)
        articles_layout.addWidget(self.count_label)
        articles_layout.addWidget(self.list_view, 1)
        self.left_tabs = QTabWidget()
        self.left_tabs.addTab(articles_tab, "Articles")
        self.left_tabs.addTab(self.search_panel, "Search")

        self.view = ArticleView()
        self.loader = ArticleLoader(self.view.text.font, self)
        self.loader.ready.connect(self._on_article_ready)
        self.loader.failed.connect(self.statusBar().showMessage)
        self.panel = SidePanel()
        self.panel.span_requested.connect(self.view.text.select_span)
        self.panel.quote_requested.connect(self.view.text.pin_quote)
        self.annotation_panel = AnnotationPanel()
        self.panel.addTab(self.annotation_panel, "Annotations")
        self.annotation_panel.span_requested.connect(self.view.text.select_span)
        self.review = ReviewPanel()
        self.review.setEnabled(False)
        self.review.status_chosen.connect(self.set_status)
        self.review.note_edited.connect(self._save_note)
        self.review.tag_added.connect(lambda tag: self._change_tag(tag, True))
        self.review.tag_removed.connect(lambda tag: self._change_tag(tag, False))
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.review)
        right_layout.addWidget(self.panel, 1)
        self.annotating = Annotating(
            self,
            self.view.text,
            self.editor,
            lambda: self.current_article,
            lambda: self._labels,
            self.statusBar().showMessage,
        )
        self.annotation_panel.edit_note_requested.connect(
            lambda i: self._with_annotation(i, self.annotating.edit_note)
        )
        self.annotation_panel.relabel_requested.connect(
            lambda i: self._with_annotation(i, self.annotating.relabel_span)
        )
        self.annotation_panel.delete_requested.connect(
            lambda i: self._with_annotation(i, self.editor.delete_annotation)
        )

        self.splitter = ReadingSplitter()  # the text gives up width last
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.left_tabs)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(right)
        self.splitter.setSizes([380, 820, 400])
        self.setCentralWidget(self.splitter)

        self.filter_dock = QDockWidget("Filters", self)
        self.filter_dock.setObjectName("filters_dock")
        self.filter_dock.setWidget(self.filter_bar)
        self.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, self.filter_dock)
        self.entities_view = EntitiesView()
        self.speakers_view = SpeakersView()
        self.charts_view = ChartsView()
        self.sourcing_view = SourcingView()
        self.entities_view.entity_selected.connect(
            lambda text, label: self.filter_by(entity_text=text, entity_label=label)
        )
        self.entities_view.article_requested.connect(self._open_hit)
        self.speakers_view.speaker_selected.connect(
            lambda name, article: self.filter_by(speaker=name, speaker_article=article)
        )
        self.sourcing_view.filter_requested.connect(lambda fields: self.filter_by(**fields))
        self.sourcing_view.article_requested.connect(self._open_hit)
        corpus_tabs = QTabWidget()
        corpus_tabs.addTab(self.entities_view, "Entities")
        corpus_tabs.addTab(self.speakers_view, "Speakers")
        corpus_tabs.addTab(self.charts_view, "Charts")
        corpus_tabs.addTab(self.sourcing_view, "Sourcing")
        self.corpus_dock = QDockWidget("Corpus", self)
        self.corpus_dock.setObjectName("corpus_dock")
        self.corpus_dock.setWidget(corpus_tabs)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.corpus_dock)
        self.corpus_dock.hide()  # costly to count on a big corpus: only when asked for
        self.corpus_dock.visibilityChanged.connect(self._corpus_views_shown)
        self._corpus_views_stale = True
        self.stats_job: Operation | None = None
        self.import_job: Operation | None = None

        self.legend = Legend(self.settings, self)
        self.legend.changed.connect(self._apply_legend)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.legend)
        self._apply_legend()

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open Folder…", QKeySequence.StandardKey.Open, self._choose_folder)
        self._action(file_menu, "Open &File…", "Ctrl+Shift+O", self._choose_file)
        self.recent_menu = RecentMenu(self.recent, self)
        self.recent_menu.open_requested.connect(self.open_recent)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        self.report_action = self._action(file_menu, "Import &Report…", "Ctrl+R", self.show_report)
        self.report_action.setEnabled(False)
        self.export_action = self._action(file_menu, "&Export…", "Ctrl+Shift+E", self.export)
        self._action(file_menu, "Import &Annotations…", "Ctrl+Shift+I", self.import_annotations)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", "Ctrl+Q", self.close)  # StandardKey: none offscreen

        edit_menu = self.menuBar().addMenu("&Edit")
        undo, redo = self.editor.undo_action, self.editor.redo_action
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action, self.redo_action = undo, redo
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.annotating.pick_action)
        edit_menu.addAction(self.annotating.entity_action)
        edit_menu.addAction(self.annotating.delete_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.annotating.attribution_action)
        edit_menu.addAction(self.annotating.speaker_action)
        edit_menu.addAction(self.annotating.kind_action)
        edit_menu.addAction(self.annotating.not_attribution_action)
        edit_menu.addSeparator()
        self._action(edit_menu, "La&bels…", "Ctrl+Shift+L", self.edit_labels)
        self._action(edit_menu, "Annotator &Name…", None, self.choose_annotator)

        go_menu = self.menuBar().addMenu("&Go")
        self.next_action = self._action(go_menu, "&Next Article", "Alt+Down", lambda: self.step(1))
        self.next_action.setShortcuts([QKeySequence("Alt+Down"), QKeySequence("Ctrl+PgDown")])
        self.prev_action = self._action(
            go_menu, "&Previous Article", "Alt+Up", lambda: self.step(-1)
        )
        self.prev_action.setShortcuts([QKeySequence("Alt+Up"), QKeySequence("Ctrl+PgUp")])
        go_menu.addSeparator()
        self.next_unreviewed_action = self._action(
            go_menu, "Next &Unreviewed Article", "Ctrl+J", self.go_next_unreviewed
        )

        review_menu = self.menuBar().addMenu("&Review")
        for n, (status, name) in enumerate(STATUS_NAMES.items(), start=1):
            self._action(
                review_menu,
                f"Mark {name}",
                f"Alt+{n}",
                lambda _checked=False, status=status: self.set_status(status),
            )
        review_menu.addAction(self.next_unreviewed_action)
        review_menu.addSeparator()
        self._action(
            review_menu, "&Annotations to Review…", "Ctrl+Shift+R", self.show_anchor_review
        )
        review_menu.addSeparator()
        self._action(review_menu, "A&greement…", "Ctrl+Shift+G", self.show_agreement)
        self._action(review_menu, "&Conflicts…", "Ctrl+Shift+C", self.show_conflicts)
        self._action(review_menu, "A&djudicate Article…", "Ctrl+Shift+D", self.adjudicate_article)

        analysis_menu = self.menuBar().addMenu("&Analysis")
        self._action(analysis_menu, "Choose &Model…", "Ctrl+M", self._choose_model)
        self._action(analysis_menu, RESUME_ACTION, None, self.resume_analysis)

        view_menu = self.menuBar().addMenu("&View")
        self._action(view_menu, "&Search", QKeySequence.StandardKey.Find, self.focus_search)
        filters = self.filter_dock.toggleViewAction()
        filters.setShortcut("Ctrl+Shift+F")
        view_menu.addAction(filters)
        self._action(view_menu, "&Clear Filters", "Ctrl+Shift+X", self.filter_bar.clear)
        corpus = self.corpus_dock.toggleViewAction()
        corpus.setText("&Corpus Tables and Charts")
        corpus.setShortcut("Ctrl+Shift+T")
        view_menu.addAction(corpus)
        view_menu.addAction(self.legend.toggleViewAction())
        quotes = self.legend.attributions_action  # every attribution kind on/off
        quotes.setShortcut("Ctrl+Shift+Q")
        view_menu.addAction(quotes)
        view_menu.addSeparator()
        self.focus_panes = FocusPanes(self, self._panes())
        for action in self.focus_panes.actions():
            view_menu.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard Shortcuts", "F1", self.show_shortcuts)

    def _panes(self) -> list:
        """The panes F6 and Ctrl+1/2/3 put focus in: list (or search), text, side panel."""
        list_target = lambda: (  # noqa: E731
            self.list_view if self.left_tabs.currentIndex() == 0 else self.search_panel.box
        )
        right = self.review.parentWidget()
        return [
            (self.left_tabs, list_target),
            (self.view, lambda: self.view.text),
            (right, lambda: self.panel.currentWidget() or self.panel),
        ]

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).show()

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
        if shortcut is not None:
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
        self._split_by_share = not (
            isinstance(splitter, QByteArray) and self.splitter.restoreState(splitter)
        )

    # Without a remembered layout: list, text and side panel share the width
    # like this, so a small screen does not squeeze the text to a strip.
    SPLIT_SHARES = (0.24, 0.52, 0.24)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._split_by_share:
            self._split_by_share = False
            width = max(self.splitter.width(), self.width())
            self.splitter.setSizes([int(width * share) for share in self.SPLIT_SHARES])

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close_during_export():
            event.ignore()
            return
        self.review.flush_note()
        self.save_layout()
        self.backups.stop()
        self._stop_job()  # waits too for an annotations import: one transaction, let it land
        self._opening = None  # a database opened meanwhile is closed when it arrives
        self._refresh_timer.stop()  # it would read the database closed below
        for widget in (self.articles, self.filter_bar, self.search_panel):
            widget.set_db(None)
        if self.db is not None:
            self.db.close()
            self.db = None
        super().closeEvent(event)

    def _may_close_during_export(self) -> bool:
        """An export under way is finished first, stopped, or the window stays (the user's pick)."""
        dialog = self.export_dialog
        if dialog is None or dialog.job is None:
            return True
        choice = self.ask_about_running_export(dialog)
        if choice == "stop":
            dialog.close()  # cancels and waits: the target file is left as it was
            return True
        if choice == "finish":
            dialog.exported.connect(
                lambda _result: self.close(), Qt.ConnectionType.QueuedConnection
            )
            dialog.failed.connect(
                lambda message: self.statusBar().showMessage(
                    f"Not closed: the export failed: {message}"
                )
            )
            self.statusBar().showMessage("The window closes once the export has finished…")
        return False

    def ask_about_running_export(self, dialog: ExportDialog) -> str:
        """ "finish", "stop" or "stay" (tests replace this method)."""
        box = QMessageBox(
            QMessageBox.Icon.Question, "Export under way",
            f"An export to {dialog.path_edit.text()} is still running.", parent=self,
        )  # fmt: skip
        finish = box.addButton("Finish Export, Then Close", QMessageBox.ButtonRole.AcceptRole)
        stop = box.addButton("Stop Export and Close", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Keep Working", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(finish)
        box.exec()
        return {finish: "finish", stop: "stop"}.get(box.clickedButton(), "stay")

    # -- opening a corpus ----------------------------------------------------

    def open_recent(self, entry: RecentCorpus) -> bool:
        """Open a corpus of File → Open Recent, with the database it was opened with."""
        if not entry.exists:
            self.show_error(f"{entry.corpus} is not there any more")
            return False
        return self.open_corpus(entry.corpus, entry.db)

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
        """Open the corpus's database off the UI thread, show what it has, then read and
        analyse in the background. False when the corpus is not there; a refused
        database is reported once its checks end, and the open one stays open."""
        corpus = Path(corpus)
        if not corpus.exists():
            self.show_error(f"{corpus}: no such file or folder")
            return False
        db_path = Path(db_path) if db_path else default_db_path(corpus)
        opening = open_database(db_path)
        opening.succeeded.connect(lambda db: self._on_database_opened(opening, db, corpus, db_path))
        opening.failed.connect(lambda message: self._on_open_failed(opening, message))
        self._track(opening)
        self._opening = opening
        self.last_job_finished = None
        self.progress.setRange(0, 0)
        self.progress.show()
        self.statusBar().showMessage(f"Opening {db_path}…")
        opening.start()
        return True

    def _track(self, operation: Operation) -> None:
        """Closing the window waits for ``operation`` until it has ended."""
        operation.finished.connect(lambda: self._ending_jobs.discard(operation))
        self._ending_jobs.add(operation)

    def _on_open_failed(self, opening: Operation, message: str) -> None:
        if opening is not self._opening:
            return  # another open was asked for meanwhile
        self._opening = None
        if self.job is None:
            self.progress.hide()
        self.last_job_finished = False
        self.show_error(message)

    def _on_database_opened(self, opening: Operation, db, corpus: Path, db_path: Path) -> None:
        if opening is not self._opening:
            db.close()  # superseded by a later open
            return
        self._opening = None
        self._stop_job(wait=False)  # the old job ends after its batch, off the UI thread
        # Nothing of the old corpus stays on screen while the new one is read.
        self.clear_article(f"Reading {corpus.name}…")
        if self.db is not None:
            self.db.close()
        self.db, self.db_path, self.corpus = db, db_path, corpus
        self.loader.clear(db_path)
        self.editor.stack.clear()  # edits belong to the database they were made in
        self._labels = list_labels(db)
        # Back where the analyst left this corpus (if the database has it), else the first.
        before = self.recent.find(corpus.resolve())
        self._resume_article = before.article if before is not None else None
        self.recent.opened(corpus.resolve(), db_path.resolve())
        self.setWindowTitle(f"{corpus.name} — viewer")
        self.db_label.setText(str(db_path))
        self.db_label.setToolTip("Database file")
        self.articles.set_db(db)
        self.filter_bar.set_db(db)
        self.search_panel.set_db(db)
        self._corpus_views_stale = True
        if self.corpus_dock.isVisible():
            self._corpus_views_shown(True)
        self._select_first_if_none()
        self._start_job(corpus, db_path)

    def _start_job(self, corpus: Path, db_path: Path) -> None:
        job = CorpusJob(corpus, db_path, self.model_name)
        job.progress.connect(self._on_progress)
        job.imported.connect(self._on_imported)
        job.batch_saved.connect(self._on_batch_saved)
        job.succeeded.connect(self._on_job_done)
        job.failed.connect(self._on_job_failed)
        self._track(job)
        self.job = job
        self.last_job_finished = None
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self._analyse_first(self.current_id)
        job.start()

    def resume_analysis(self) -> None:
        """Go on with what a cancel left: read and analyse what is not done yet."""
        if self.job is None and self.corpus is not None and self.db_path is not None:
            self._start_job(self.corpus, self.db_path)

    # The article on screen and the next few in the list are analysed before the rest.
    ANALYSE_AHEAD = 3

    def _analyse_first(self, article_id: int | None) -> None:
        if self.job is None or article_id is None:
            return
        wanted = [article_id]
        row = self.articles.row_of(article_id)
        for ahead in range(1, self.ANALYSE_AHEAD + 1) if row is not None else ():
            following = self.articles.row_at(row + ahead)
            if following is not None:
                wanted.append(following.id)
        self.job.want_first(wanted)

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage("Cancelling…")

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
        self._resume_article = None
        if self.current_id is None and self.articles.rowCount() == 0:
            self.clear_article(self._nothing_read(report))
        self.statusBar().showMessage(report.summary())
        if report.messages:
            self.show_report()

    def _nothing_read(self, report: ImportReport) -> str:
        where = "this folder" if self.corpus is not None and self.corpus.is_dir() else "this file"
        if report.files_read == 0:
            return f"No articles in {where} (looked for {', '.join(SUFFIXES)})"
        return f"No article could be read from {where}: see File → Import Report (Ctrl+R)"

    def _on_batch_saved(self) -> None:
        # Started only when idle: restarting it on every batch would put the refresh
        # off for as long as batches come faster than its interval (to the very end).
        if not self._from_stale_job() and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh_after_batch(self) -> None:
        if self.db is None:
            return
        self._corpus_views_stale = True
        if self.corpus_dock.isVisible():
            self._corpus_views_shown(True)
        self.articles.reload()
        if self.current_id is not None:
            row = self.articles.row_of(self.current_id)
            if row is not None:
                self._select_row(row, show=False)
            current = get_article(self.db, self.current_id)
            if current is not None and current.analysis_id != self._shown_analysis:
                self.show_article(self.current_id)
        self._select_first_if_none()

    def _on_job_failed(self, message: str) -> None:
        self.show_error(message)
        if not self._from_stale_job():
            self._job_ended(CorpusRun(False))

    def _on_job_done(self, run: CorpusRun) -> None:
        if not self._from_stale_job():
            self._job_ended(run)

    def _job_ended(self, run: CorpusRun) -> None:
        self.job = None
        self.progress.hide()
        self.cancel_button.hide()
        self._refresh_after_batch()
        self.last_job_finished = run.finished
        if run.finished:
            self.statusBar().showMessage(
                f"Ready: {self.articles.total} article{'' if self.articles.total == 1 else 's'}"
                + (f" — {self.report.summary()}" if self.report else "")
                + (f" — {self.start_notice}" if self.start_notice else "")
            )
            self.start_notice = ""
        else:
            self.statusBar().showMessage(stopped_message(run.left))

    def show_error(self, message: str, title: str = "viewer") -> None:
        self.statusBar().showMessage(message)
        show_error(self, title, message)

    def _on_database_moved(self, message: str) -> None:
        self.statusBar().showMessage(f"Not saved: {message}")
        self.db_label.setText(f"{self.db_path} (moved or deleted: not saving)")
        self.moved_notice.show(message)

    def _continue_in_copy(self, path: Path) -> None:
        if self.corpus is not None:
            self.open_corpus(self.corpus, path)
            self.statusBar().showMessage(f"Saved a copy to {path}; working there now")

    def show_report(self) -> None:
        if self.report is not None:
            dialog = ImportReportDialog(str(self.corpus), self.report, self)
            dialog.show()

    # -- navigation ----------------------------------------------------------

    def _select_first_if_none(self) -> None:
        if self.current_id is None and self._resume_article is not None:
            found = find_article(self.db, self._resume_article)
            if found is not None:  # else perhaps once the corpus is read into a new database
                self._resume_article = None
                self.show_span(found.id, 0, 0)
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

    def clear_article(self, message: str = "") -> None:
        """Show no article: the text, the side panel and the review empty, ``message``
        in the view's place (e.g. why there is nothing to show)."""
        self.review.flush_note()  # typed for the article going away: saved to it
        self.current_id = None
        self.current_article = None
        self._shown_analysis = None
        self.view.clear(message)
        self.panel.show_analysis(Analysis())
        self.annotation_panel.show_annotations([], {})
        self.panel.setTabText(self.panel.indexOf(self.annotation_panel), "Annotations")
        self.review.show_review(Review(), {}, [])
        self.review.setEnabled(False)

    def show_article(self, article_id: int, keep_position: bool = False) -> None:
        """Show an article: model output with the analyst's corrections applied."""
        if article_id != self.current_id:
            self.review.flush_note()  # a note being typed belongs to the old article
        article = get_article(self.db, article_id, self.loader.known_article(article_id))
        if article is None:
            return
        self.current_id = article_id
        self.current_article = article
        if self.corpus is not None:
            self.recent.article_shown(self.corpus.resolve(), article.ext_id)
        self._shown_analysis = article.analysis_id
        self._analyse_first(article_id)
        annotations = annotations_for_article(self.db, article_id)
        reviews = reviews_of(self.db, article_id)
        ready = self._show_text(article, annotations, reviews, keep_position)
        self._show_panels(article_id, annotations, reviews, ready)

    def _show_text(
        self,
        article: StoredArticle,
        annotations: list[Annotation],
        reviews: list,
        keep_position: bool,
    ) -> Ready:
        """The article's text with every highlight: the model's marks with the
        corrections applied, the analyst's labels, the team's conflicts."""
        # Ready at once, or (a long article) its head now and the whole soon after.
        ready = self.loader.prepare(self.db, article, annotations)
        spans = [a for a in annotations if a.kind == "span"]
        meta = " · ".join(p for p in (article.source, article.date, article.url) if p)
        meta = f"{meta} · id {article.ext_id}" if meta else f"id {article.ext_id}"
        if article.analysis_id is None:
            meta += " · not analysed yet"
        colours = {lab.name: lab.color for lab in self._labels}
        self.view.show_article(
            article.title,
            meta,
            article.text,
            ready.index,
            spans,
            colours,
            keep_position,
            ready.document,
            ready.offsets,
        )
        self.view.text.set_decisions(annotations)
        self.view.text.set_conflicts(article_conflicts(annotations, reviews))
        return ready

    def _show_panels(
        self, article_id: int, annotations: list[Annotation], reviews: list, ready: Ready
    ) -> None:
        """Beside the text: its marks listed, its annotations, its review."""
        self.panel.show_analysis(
            self.view.text.analysis, ready.complete, ready.index.speaker_groups
        )
        conflicts = self.view.text.conflicts
        colours = {lab.name: lab.color for lab in self._labels}
        by_annotation = {i: c.words() for c in conflicts for i in c.annotation_ids}
        self.annotation_panel.show_annotations(annotations, colours, by_annotation)
        marks = f", {len(conflicts)} \u26a0" if conflicts else ""
        self.panel.setTabText(
            self.panel.indexOf(self.annotation_panel), f"Annotations ({len(annotations)}{marks})"
        )
        self.review.setEnabled(True)
        me = self.editor.annotator
        self.review.show_review(
            get_review(self.db, article_id, me),
            tag_owners(self.db, article_id),
            all_tags(self.db),
            reviews,
            me,
        )

    def _on_article_ready(self, article_id: int) -> None:
        """A long article's whole text and marks arrived: shown where the reader is
        (unless the window closed its database meanwhile)."""
        if self.db is not None and article_id == self.current_id:
            self.show_article(article_id, keep_position=True)

    # -- the analyst's edits ---------------------------------------------------

    def _on_edited(self, article_id: int) -> None:
        """After an edit, undo or redo: show the article it touched, as it is now, and
        count it corrected in the list, the filters and the corpus views.

        An edit of the article shown redraws its text at once (its highlights
        before the next paint); the panels, the list's marks and the stored
        corrected view follow right after that paint (``_finish_edits``)."""
        self._labels = list_labels(self.db) if self.db is not None else []
        if article_id >= 0:
            self._edited.add(article_id)
        if not self._finishing:
            self._finishing = True
            db = self.db
            self.view.text.after_paint(lambda: self._finish_edits(db))
        if self.db is None or self.current_id is None:
            return
        if article_id >= 0 and article_id != self.current_id:
            row = self.articles.row_of(article_id)
            if row is not None:
                self._select_row(row)
            else:
                self.show_article(article_id)
        elif article_id < 0 or self.current_article is None:  # labels, or many articles
            self.show_article(self.current_id, keep_position=True)
        else:
            # The article's text, title and analysis are as they were: only its
            # annotations (and so its reviews' conflicts) are read again.
            article = self.current_article
            annotations = annotations_for_article(self.db, article.id)
            reviews = reviews_of(self.db, article.id)
            ready = self._show_text(article, annotations, reviews, keep_position=True)
            self._shown_edit = (article.id, annotations, reviews, ready)

    def _finish_edits(self, db) -> None:
        """What follows the edits' highlights: the panels of the article shown, the
        list's marks, the stored corrected view (the list's counts, the filters and
        the corpus tables read it: refreshed, then they are)."""
        self._finishing = False
        edited, self._edited = sorted(self._edited), set()
        shown, self._shown_edit = self._shown_edit, None
        if self.db is None or self.db is not db:
            return  # closed since: its stale corrected views are rebuilt by its next count
        if shown is not None and shown[0] == self.current_id:
            self._show_panels(*shown)
        for article_id in edited:
            self.articles.refresh_marks(article_id)  # a status or tag edited
        if edited and refresh_corrected(self.db, edited):
            self._corpus_views_stale = True
            if not self._refresh_timer.isActive():  # the list's counts, filters, corpus tables
                self._refresh_timer.start()

    def _with_annotation(self, annotation_id: int, action) -> None:
        ann = get_annotation(self.db, annotation_id)
        if ann is not None:
            action(ann)

    def set_status(self, status: str) -> None:
        if self.current_id is None:
            return
        review = get_review(self.db, self.current_id, self.editor.annotator)
        if review.status != status:
            self.editor.set_review_fields(
                self.current_id, {"status": status}, f"Mark {STATUS_NAMES[status].lower()}"
            )

    def _save_note(self, note: str) -> None:
        if self.current_id is not None:
            self.editor.set_review_fields(self.current_id, {"note": note}, "Edit note")

    def _change_tag(self, tag: str, add: bool) -> None:
        if self.current_id is not None:
            self.editor.change_tag(self.current_id, tag, add)

    def go_next_unreviewed(self) -> None:
        if self.db is None:
            return
        target = next_unreviewed(self.db, self.current_id or 0, self.editor.annotator)
        if target is None:
            self.statusBar().showMessage("Every article has been reviewed")
            return
        row = self.articles.row_of(target)
        while row is None and self.articles.canFetchMore():
            self.articles.fetchMore()
            row = self.articles.row_of(target)
        if row is not None:
            self._select_row(row)

    # -- search, filters, corpus views -----------------------------------------

    def apply_filter(self, article_filter) -> None:
        """The article list (and the search) follow the filter bar."""
        self.articles.set_filter(article_filter)
        self.search_panel.set_filter(article_filter)
        row = self.articles.row_of(self.current_id) if self.current_id is not None else None
        if row is not None:
            self._select_row(row, show=False)  # the article shown still matches
        elif self.articles.rowCount():
            self._select_row(0)

    def filter_by(self, **fields) -> None:
        """Narrow the article list, e.g. to an entity clicked in the corpus table."""
        self.filter_dock.show()
        self.left_tabs.setCurrentIndex(0)
        self.filter_bar.set_filter(replace(self.filter_bar.filter(), **fields))

    def _show_count(self, count: int) -> None:
        f = self.articles.filter
        noun = "article" if count == 1 else "articles"
        if self.articles.error is not None:  # refused, e.g. a date that is not a date
            self.count_label.setText(f"Filter not applied: {self.articles.error}")
        elif f is None or f.is_empty:
            self.count_label.setText(f"{count} {noun}")
        else:
            verb = "matches" if count == 1 else "match"
            self.count_label.setText(f"{count} {noun} {verb}: {f.describe()}")

    def focus_search(self) -> None:
        self.left_tabs.setCurrentWidget(self.search_panel)
        self.search_panel.box.setFocus()
        self.search_panel.box.selectAll()

    def _open_hit(self, article_id: int, start: int, end: int) -> None:
        if start >= 0:
            self.show_span(article_id, start, end)
        else:
            self.show_span(article_id, 0, 0)

    def _corpus_views_shown(self, visible: bool) -> None:
        """Count in the background, then show the tables; the window stays usable."""
        if not visible or not self._corpus_views_stale or self.db_path is None:
            return
        if self.stats_job in Operation.running():
            return  # a finished count re-checks staleness
        self._corpus_views_stale = False
        self.statusBar().showMessage("Counting entities and speakers…")
        job = count_tables(self.db_path)
        job.failed.connect(self.show_error)
        job.succeeded.connect(lambda _none: self._stats_counted(job, True))
        job.failed.connect(lambda _message: self._stats_counted(job, False))
        self._track(job)
        self.stats_job = job
        job.start()

    def _stats_counted(self, job: Operation, ok: bool) -> None:
        if job is not self.stats_job or self.db is None:
            return
        for view in (self.entities_view, self.speakers_view, self.charts_view, self.sourcing_view):
            view.set_db(self.db)
        if ok:
            self.statusBar().showMessage("Corpus tables ready", 3000)
        if self._corpus_views_stale:  # more analyses arrived while counting
            QTimer.singleShot(0, lambda: self._corpus_views_shown(self.corpus_dock.isVisible()))

    def export(self) -> None:
        """CSV or JSONL export in the background; the window stays usable."""
        if self.db_path is None:
            self.show_error("Open a corpus first")
            return
        if self.export_dialog is not None and self.export_dialog.job is not None:
            self.export_dialog.raise_()  # one export at a time: show the one running
            self.export_dialog.activateWindow()
            return
        self.review.flush_note()  # the export must include what was just typed
        self.export_dialog = ExportDialog(
            self.db_path,
            self,
            corpus=self.corpus,
            folder=self.settings.value("export/folder", None, type=str) or None,
        )
        self.export_dialog.exported.connect(self._exported)
        self.export_dialog.show()

    def _exported(self, result) -> None:
        self.settings.setValue("export/folder", str(Path(result.path).parent))  # offered next
        self.statusBar().showMessage(f"Exported {result.rows} rows to {result.path}")

    def show_anchor_review(self) -> None:
        if self.db is None:
            return
        dialog = AnchorReviewDialog(self.db, self, self.editor.annotator, self.editor)
        dialog.annotation_requested.connect(self.show_span)
        dialog.show()

    def import_annotations(self, path: str | None = None) -> None:
        """Merge a colleague's (or your other database's) annotations file into this one."""
        if self.db is None or self.db_path is None:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import annotations", "", "Annotations (*.jsonl);;All files (*)"
            )
            if not path:
                return
        self.review.flush_note()
        job = import_annotations(self.db_path, path)
        job.progress.connect(lambda done, total, what: self.statusBar().showMessage(what))
        job.succeeded.connect(self._annotations_imported)
        job.failed.connect(self._import_failed)
        self._track(job)
        self.import_job = job
        self.statusBar().showMessage(f"Importing annotations from {path}…")
        job.start()

    def _annotations_imported(self, report) -> None:
        self.filter_bar.set_db(self.db)  # new annotators, tags and labels to filter by
        self._labels = list_labels(self.db)
        if self.current_id is not None:
            self.show_article(self.current_id, keep_position=True)
        self.statusBar().showMessage("Annotations imported")
        QMessageBox.information(self, "Annotations imported", report.summary())

    def _import_failed(self, message: str) -> None:
        self.show_error(f"{message}; nothing was imported", "Annotations not imported")

    def show_agreement(self) -> None:
        """Two annotators' agreement; an article picked there opens here, both their work shown."""
        if self.db is None or self.db_path is None:
            return
        dialog = AgreementDialog(self.db_path, self)
        dialog.article_requested.connect(self.show_article_by_corpus_id)
        dialog.show()

    def show_article_by_corpus_id(self, ext_id: str) -> None:
        found = find_article(self.db, ext_id) if self.db is not None else None
        if found is None:
            self.statusBar().showMessage(f"No article {ext_id!r} in this database")
            return
        self.show_span(found.id, 0, 0)

    def show_conflicts(self) -> None:
        if self.db is None or self.db_path is None:
            return
        dialog = ConflictsDialog(self.db_path, self)
        dialog.span_requested.connect(self.show_span)
        dialog.show()

    def adjudicate_article(self) -> None:
        """Settle two annotators' work on the current article (stored as a third)."""
        if self.db is None or self.current_id is None:
            return
        self.review.flush_note()
        dialog = AdjudicationDialog(self.editor, self.db, self.current_id, self)
        dialog.show()

    def show_span(self, article_id: int, start: int, end: int) -> None:
        """Go to an article and select a span in it."""
        row = self.articles.row_of(article_id)
        while row is None and self.articles.canFetchMore():
            self.articles.fetchMore()
            row = self.articles.row_of(article_id)
        if row is not None:
            self._select_row(row)
        else:
            self.show_article(article_id)
        if self.current_article is not None and end <= len(self.current_article.text):
            self.view.text.select_span(start, end)

    def edit_labels(self) -> None:
        if self.db is not None:
            LabelEditor(self.editor, self).exec()

    def choose_annotator(self) -> None:
        name, ok = QInputDialog.getText(
            self, "Annotator", "Your name (saved with each edit):", text=self.editor.annotator
        )
        if ok and name.strip():
            self.editor.annotator = name.strip()
            self.settings.setValue("annotator/name", name.strip())
            self.articles.reload()  # the Status column shows the annotator's own
            if self.current_id is not None:  # the review shown is the annotator's own
                self.show_article(self.current_id, keep_position=True)

    def _apply_legend(self) -> None:
        self.view.text.set_visible_labels(self.legend.visible_labels(), self.legend.visible_kinds())
        hidden = set(self.legend.label_actions) - self.legend.visible_labels()
        for view in (self.entities_view, self.charts_view):  # hidden there: off here too
            view.set_hidden_labels(hidden)
