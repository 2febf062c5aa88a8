"""Glue shared by the CLI and the GUI's background job: load, store, analyse.

Every step reports progress through a callback and polls ``should_stop``
between batches, so a caller can show a bar and offer Cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sqlite_utils import Database

from viewer.core.corpus import corpus_files, iter_articles
from viewer.core.model import Article, ImportReport
from viewer.core.nlp.pipeline import Analyzer
from viewer.core.store.analyses import (
    cached_analysis_id,
    count_pending,
    link_analysis,
    pending_articles,
    save_analyses,
)
from viewer.core.store.articles import upsert_articles

# progress(done, total, what): total is 0 when unknown.
Progress = Callable[[int, int, str], None]
StopCheck = Callable[[], bool]

IMPORT_BATCH = 500
ANALYSIS_BATCH = 64


def _never() -> bool:
    return False


def _quiet(done: int, total: int, what: str) -> None:
    pass


def import_corpus(
    db: Database,
    corpus: str | Path,
    report: ImportReport,
    progress: Progress = _quiet,
    should_stop: StopCheck = _never,
) -> list[int]:
    """Read the corpus into the store; returns the article row ids in corpus order."""
    total_files = len(corpus_files(corpus))
    ids: list[int] = []
    batch: list[Article] = []
    for article in iter_articles(corpus, report, should_stop):
        batch.append(article)
        if len(batch) >= IMPORT_BATCH:
            ids.extend(upsert_articles(db, batch))
            batch = []
            progress(report.files_read, total_files, f"Reading corpus: {len(ids)} articles")
    if batch:
        ids.extend(upsert_articles(db, batch))
    progress(report.files_read, total_files, f"Read {len(ids)} articles")
    return ids


def analyze_pending(
    db: Database,
    analyzer: Analyzer,
    progress: Progress = _quiet,
    should_stop: StopCheck = _never,
) -> int:
    """Analyse every article lacking this analyzer's results; returns how many ran NLP.

    Texts already analysed under the same key (same text elsewhere, or an
    earlier run) reuse the cache and never reach spaCy. Results are saved
    every batch, so a cancelled or crashed run keeps what it finished.
    """
    key = analyzer.key
    total = count_pending(db, key.model, key.pipeline)
    done = ran = 0
    progress(0, total, "Analysing")
    for page in pending_articles(db, key.model, key.pipeline, batch=ANALYSIS_BATCH):
        if should_stop():
            break
        to_run = _link_cached(db, page, key.model, key.pipeline)
        done += len(page) - len(to_run)
        for chunk in _batches(to_run, ANALYSIS_BATCH):
            analyses = analyzer.analyze_many(text for _, _, text in chunk)
            results = [
                (aid, digest, text, a)
                for (aid, digest, text), a in zip(chunk, analyses, strict=True)
            ]
            save_analyses(db, key.model, key.pipeline, results)
            done += len(chunk)
            ran += len(chunk)
            progress(done, total, f"Analysing: {done} of {total} articles")
            if should_stop():
                break
    return ran


def _link_cached(
    db: Database, page: list[tuple[int, str, str]], model: str, pipeline: str
) -> list[tuple[int, str, str]]:
    """Link articles whose text is already analysed; return the rest."""
    rest = []
    with db.atomic():
        for article_id, digest, text in page:
            cached = cached_analysis_id(db, digest, model, pipeline)
            if cached is None:
                rest.append((article_id, digest, text))
            else:
                link_analysis(db, article_id, cached)
    return rest


def _batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
