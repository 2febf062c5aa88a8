"""The window's background jobs: operations (viewer.qt.operations) over core tasks.

Each opens its own connection to the database (SQLite connections belong to
one thread) and reports through the operation's signals, which Qt delivers on
the UI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from viewer.core.nlp.pipeline import ModelNotFound
from viewer.core.nlp.process_pool import WorkerFailed
from viewer.core.store import StoreError, open_db
from viewer.core.store.database import close
from viewer.core.store.labels import ensure_default_labels
from viewer.core.tasks.transfer import AnnotationFileError
from viewer.core.tasks.window import count_corpus, import_annotations_file, read_and_analyse
from viewer.qt.operations import Operation


def open_database(db_path: str | Path) -> Operation:
    """Opens (checks, migrates) a database, then hands the connection to the UI thread.

    The checks of a large or hostile file take time (under the store's time
    limit); the window stays responsive meanwhile. ``succeeded(db)``: the
    connection, opened with ``hand_over=True`` and now the UI thread's (the
    operation's thread has ended when it arrives); ``failed(message)``: the file
    was refused and nothing was opened.
    """
    db_path = Path(db_path)

    def work(_task) -> object:
        db = open_db(db_path, hand_over=True)
        try:
            ensure_default_labels(db)  # a first write: here, not on the UI thread
        except BaseException:
            close(db)
            raise
        return db

    return Operation(
        work, expected=(StoreError, OSError), context=f"{db_path}: cannot open the database"
    )


class CorpusJob(Operation):
    """Reads a corpus into the store and analyses it (core.tasks.read_and_analyse).

    The analysis runs in spawned worker processes; ``cancel()`` kills them at once.
    ``succeeded(CorpusRun)`` at the end, cancelled or not; ``failed(message)``.
    """

    imported = Signal(object)  # ImportReport, once the corpus is in the store
    batch_saved = Signal()  # some analyses were saved: counts may have changed

    def __init__(
        self,
        corpus: str | Path,
        db_path: str | Path,
        model: str | None = None,
        processes: int | None = None,
    ):
        super().__init__(self._work, expected=(ModelNotFound, WorkerFailed, StoreError))
        self.corpus, self.db_path = Path(corpus), Path(db_path)
        self.model = model
        self.processes = processes  # None: one per core when the corpus is worth it
        self._wanted: tuple[int, ...] = ()

    def want_first(self, article_ids: list[int]) -> None:
        """Analyse these articles (the one on screen, the next few) before the rest.
        Called on the UI thread; the job reads it before sending each batch."""
        self._wanted = tuple(article_ids)  # one assignment: safe across threads

    def _work(self, task) -> object:
        return read_and_analyse(
            self.db_path,
            self.corpus,
            task,
            model=self.model,
            processes=self.processes,
            wanted_first=lambda: self._wanted,
            imported=self.imported.emit,
            batch_saved=self.batch_saved.emit,
        )


RESUME_ACTION = "&Resume Analysis"


def stopped_message(left: int | None) -> str:
    """What a cancelled corpus job left (articles not analysed, None: unknown), and how
    to go on."""
    how = f"Analysis → {RESUME_ACTION.replace('&', '')} goes on"
    if left is None:
        return f"Stopped reading the corpus; finished work was saved. {how}"
    if left == 0:
        return "Stopped; every article is analysed"
    noun = "article is" if left == 1 else "articles are"
    return f"Stopped; finished work was saved. {left:,} {noun} not analysed yet: {how}"


def count_tables(db_path: str | Path) -> Operation:
    """Rebuilds the stale final views of corrected articles, then counts the corpus-wide
    tables, on its own connection: a big corpus never freezes the window meanwhile."""
    db_path = Path(db_path)
    return Operation(lambda task: count_corpus(db_path, task), context="Could not count the corpus")


def import_annotations(db_path: str | Path, source: str | Path) -> Operation:
    """Merges a colleague's annotations file into the database (backed up first, one
    transaction); ``succeeded`` carries the report, ``failed`` a message naming the
    file (nothing was imported)."""
    db_path, source = Path(db_path), Path(source)
    return Operation(
        lambda task: import_annotations_file(db_path, source, task),
        expected=(AnnotationFileError, StoreError),
        context=f"{source}: could not import",
    )
