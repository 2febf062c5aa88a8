"""Whole operations the window runs in the background, as plain functions.

Each opens a connection of its own (a SQLite connection belongs to the thread
that made it), reports through the Task it is given and polls its
``should_stop()`` between batches. The window runs them with
viewer.qt.operations.Operation; a test or a script can call them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from viewer.core.annotations.corrected_view import refresh_corrected
from viewer.core.model import ImportReport
from viewer.core.nlp.pipeline import Analyzer
from viewer.core.nlp.process_pool import processes_for
from viewer.core.progress import Task
from viewer.core.store import open_db
from viewer.core.store.analyses import count_pending
from viewer.core.store.overview import refresh_stats
from viewer.core.tasks.analyse import WantedFirst, analyze_pending, import_corpus
from viewer.core.tasks.export import ExportResult, export_csv
from viewer.core.tasks.transfer import AnnotationImportReport, export_jsonl, import_jsonl


@dataclass(frozen=True)
class CorpusRun:
    """How reading and analysing a corpus ended."""

    finished: bool  # read and analysed to the end (False: cancelled)
    left: int | None = None  # cancelled during the analysis: articles not analysed yet


def _nothing_first() -> list[int]:
    return []


def _ignore(_report: ImportReport) -> None:
    pass


def _nothing() -> None:
    pass


def read_and_analyse(
    db_path: str | Path,
    corpus: str | Path,
    task: Task,
    *,
    model: str | None = None,
    processes: int | None = None,
    wanted_first: WantedFirst = _nothing_first,
    imported: Callable[[ImportReport], None] = _ignore,
    batch_saved: Callable[[], None] = _nothing,
) -> CorpusRun:
    """Read the corpus into the database, then analyse what is not analysed yet.

    ``imported(report)`` once the corpus is in the store; ``batch_saved()`` after
    each saved batch of analyses. ``processes``: None is one per core when the
    corpus is worth it. The analysis runs in spawned worker processes even for
    one: a cancel kills them at once instead of waiting for a batch.
    """
    db = open_db(db_path)
    try:
        report = ImportReport()
        import_corpus(db, corpus, report, task.progress, task.should_stop)
        imported(report)
        if task.should_stop():
            return CorpusRun(False)
        analyzer = Analyzer(model)
        key = analyzer.key
        processes = processes or processes_for(count_pending(db, key.model, key.pipeline))
        where = f"{processes} processes" if processes > 1 else "a worker process"
        task.progress(0, 0, f"Loading model {analyzer.model_name} in {where}…")

        def analysis_progress(done: int, total: int, what: str) -> None:
            task.progress(done, total, what)
            if done:
                batch_saved()

        analyze_pending(
            db,
            analyzer,
            analysis_progress,
            task.should_stop,
            processes=processes,
            wanted_first=wanted_first,
            spawn=True,
        )
        if task.should_stop():
            return CorpusRun(False, count_pending(db, key.model, key.pipeline))
        return CorpusRun(True)
    finally:
        db.close()


def count_corpus(db_path: str | Path, task: Task) -> None:
    """Rebuild the final views that edits and imports made stale, then the corpus-wide
    tables (entities, speakers, sourcing)."""
    db = open_db(db_path)
    try:
        refresh_corrected(db)
        refresh_stats(db)
    finally:
        db.close()


def import_annotations_file(
    db_path: str | Path, source: str | Path, task: Task
) -> AnnotationImportReport:
    """Merge an annotations file into the database (backed up first, one transaction)."""
    db = open_db(db_path)
    try:
        return import_jsonl(db, source, progress=task.progress)
    finally:
        db.close()


def export_file(
    db_path: str | Path,
    out: str | Path,
    what: str,
    task: Task,
    *,
    raw: bool = False,
    bom: bool = False,
    annotator: str | None = None,
) -> ExportResult:
    """The ``what`` export ("jsonl": every annotation, for import elsewhere; else a CSV
    kind) of the database to ``out``; the very function `viewer export` calls, so both
    write the same bytes. Cancelled: the result says so and ``out`` is untouched."""
    db = open_db(db_path)
    try:
        if what == "jsonl":
            return export_jsonl(
                db, out, progress=task.progress, should_stop=task.should_stop, annotator=annotator
            )
        return export_csv(
            db, out, what, raw=raw, bom=bom,
            progress=task.progress, should_stop=task.should_stop, annotator=annotator,
        )  # fmt: skip
    finally:
        db.close()
