"""Background work: read a corpus into the store and analyse it, off the UI thread.

The job opens its own connection to the database (SQLite connections belong
to one thread) and owns the spaCy model for its lifetime. It reports through
signals, which Qt delivers on the UI thread.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QThread, Signal

from viewer.core.annotation_io import AnnotationFileError, import_jsonl
from viewer.core.corrected_view import refresh_corrected
from viewer.core.model import ImportReport
from viewer.core.nlp.pipeline import Analyzer, ModelNotFound
from viewer.core.nlp.process_pool import WorkerFailed, processes_for
from viewer.core.store import StoreError, open_db
from viewer.core.store.analyses import count_pending
from viewer.core.store.overview import refresh_stats
from viewer.core.workflow import analyze_pending, import_corpus


class OpenJob(QThread):
    """Opens (checks, migrates) a database off the UI thread, then hands it over.

    The checks of a large or hostile file take time (under the store's time
    limit); the window stays responsive meanwhile. ``opened(db)``: the
    connection, now the UI thread's; ``failed(message)``: the file was refused
    and nothing was opened.
    """

    opened = Signal(object)  # a Database, opened with hand_over=True
    failed = Signal(str)

    def __init__(self, db_path: str | Path):
        super().__init__()
        self.db_path = Path(db_path)

    def run(self) -> None:
        try:
            db = open_db(self.db_path, hand_over=True)
        except (StoreError, OSError) as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a defect: keep its type for the report
            traceback.print_exc()
            reason = f"{type(exc).__name__}: {exc}"
            self.failed.emit(f"{self.db_path}: cannot open the database ({reason})")
            return
        self.opened.emit(db)


class CorpusJob(QThread):
    progress = Signal(int, int, str)  # done, total (0 = unknown), what
    imported = Signal(object)  # ImportReport, once the corpus is in the store
    batch_saved = Signal()  # some analyses were saved: counts may have changed
    failed = Signal(str)  # a message for the user
    done = Signal(bool)  # True: ran to the end; False: cancelled or failed

    def __init__(
        self,
        corpus: str | Path,
        db_path: str | Path,
        model: str | None = None,
        processes: int | None = None,
    ):
        super().__init__()
        self.corpus = Path(corpus)
        self.db_path = Path(db_path)
        self.model = model
        self.processes = processes  # None: one per core when the corpus is worth it
        self._stop = threading.Event()
        self._wanted: tuple[int, ...] = ()
        self.left: int | None = None  # after a cancel: articles still to analyse

    def cancel(self) -> None:
        self._stop.set()

    def want_first(self, article_ids: list[int]) -> None:
        """Analyse these articles (the one on screen, the next few) before the rest.
        Called on the UI thread; the job reads it before sending each batch."""
        self._wanted = tuple(article_ids)  # one assignment: safe across threads

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        try:
            finished = self._work()
        except (ModelNotFound, WorkerFailed) as exc:  # a message for the user as it is
            self.failed.emit(str(exc))
            finished = False
        except Exception as exc:  # shown to the user by the one error handler
            traceback.print_exc()
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            finished = False
        self.done.emit(finished)

    def _work(self) -> bool:
        db = open_db(self.db_path)
        try:
            report = ImportReport()
            import_corpus(db, self.corpus, report, self._progress, self._stop.is_set)
            self.imported.emit(report)
            if self._stop.is_set():
                return False
            analyzer = Analyzer(self.model)
            processes = self.processes or processes_for(
                count_pending(db, analyzer.key.model, analyzer.key.pipeline)
            )
            where = f"{processes} processes" if processes > 1 else "a worker process"
            self.progress.emit(0, 0, f"Loading model {analyzer.model_name} in {where}…")
            analyze_pending(
                db,
                analyzer,
                self._analysis_progress,
                self._stop.is_set,
                processes=processes,
                wanted_first=lambda: self._wanted,
                spawn=True,  # Cancel and closing the window kill the worker: never a wait
            )
            if self._stop.is_set():
                self.left = count_pending(db, analyzer.key.model, analyzer.key.pipeline)
                return False
            return True
        finally:
            db.close()

    def _progress(self, done: int, total: int, what: str) -> None:
        self.progress.emit(done, total, what)

    def _analysis_progress(self, done: int, total: int, what: str) -> None:
        self.progress.emit(done, total, what)
        if done:
            self.batch_saved.emit()


RESUME_ACTION = "&Resume Analysis"


def stopped_message(job: object) -> str:
    """What a cancelled corpus job left, and how to go on."""
    left = getattr(job, "left", None)
    how = f"Analysis → {RESUME_ACTION.replace('&', '')} goes on"
    if left is None:
        return f"Stopped reading the corpus; finished work was saved. {how}"
    if left == 0:
        return "Stopped; every article is analysed"
    noun = "article is" if left == 1 else "articles are"
    return f"Stopped; finished work was saved. {left:,} {noun} not analysed yet: {how}"


class StatsJob(QThread):
    """Rebuilds the stale final views of corrected articles, then counts the corpus-wide
    tables, on its own connection: a big corpus never freezes the window meanwhile."""

    done = Signal(bool)  # True: counted (or already fresh)
    failed = Signal(str)

    def __init__(self, db_path: str | Path):
        super().__init__()
        self.db_path = Path(db_path)

    def run(self) -> None:
        try:
            db = open_db(self.db_path)
            try:
                refresh_corrected(db)  # the final views that edits and imports made stale
                refresh_stats(db)
            finally:
                db.close()
        except Exception as exc:
            traceback.print_exc()
            self.failed.emit(f"Could not count the corpus: {type(exc).__name__}: {exc}")
            self.done.emit(False)
            return
        self.done.emit(True)


class ImportAnnotationsJob(QThread):
    """Merges a colleague's annotations file into the database on its own connection
    (the import backs the database up and writes in one transaction); ``done`` carries
    the report, ``failed`` a message naming the file (nothing was imported)."""

    progress = Signal(int, int, str)
    done = Signal(object)  # AnnotationImportReport
    failed = Signal(str)

    def __init__(self, db_path: str | Path, source: str | Path):
        super().__init__()
        self.db_path, self.source = Path(db_path), Path(source)

    def run(self) -> None:
        try:
            db = open_db(self.db_path)
            try:
                report = import_jsonl(db, self.source, progress=self.progress.emit)
            finally:
                db.close()
        except AnnotationFileError as exc:
            self.failed.emit(f"{exc}; nothing was imported")
            return
        except Exception as exc:  # the transaction was rolled back: nothing imported
            traceback.print_exc()
            self.failed.emit(f"{self.source}: {type(exc).__name__}: {exc}; nothing was imported")
            return
        self.done.emit(report)


class BackgroundCall(QThread):
    """One function run off the UI thread; its result or failure comes back as a
    signal carrying the caller's ticket (queued to the caller, on the UI thread).
    An ``expected`` exception is a message for the user as it is; any other keeps
    its type name (a defect)."""

    succeeded = Signal(int, object)
    failed = Signal(int, str)

    def __init__(
        self,
        ticket: int,
        work: Callable[[], object],
        expected: tuple[type[BaseException], ...] = (),
    ):
        # Owned by the application, not the dialog: closing the dialog while the
        # thread runs must not destroy it (Qt aborts on a running QThread's deletion).
        super().__init__(QCoreApplication.instance())
        self.ticket, self.work, self.expected = ticket, work, expected
        self.finished.connect(self.deleteLater)

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:
            if not isinstance(exc, self.expected):
                traceback.print_exc()
                self.failed.emit(self.ticket, f"{type(exc).__name__}: {exc}")
            else:
                self.failed.emit(self.ticket, str(exc))
            return
        self.succeeded.emit(self.ticket, result)
