"""Glue shared by the CLI and the GUI's background job: load, store, analyse.

Every step reports progress through a callback and polls ``should_stop``
between batches, so a caller can show a bar and offer Cancel.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

from sqlite_utils import Database

from viewer.core.annotation_upkeep import (
    reanchor_articles,
    reattach_decisions,
    reattach_to_cached,
    repair_stale_anchors,
)
from viewer.core.corpus import corpus_files, iter_articles
from viewer.core.model import Analysis, Article, ImportReport, LoadMessage
from viewer.core.nlp.pipeline import Analyzer
from viewer.core.store.analyses import (
    cached_analysis_id,
    count_pending,
    link_if_current,
    pending_articles,
    save_analyses,
)
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.store.database import atomic

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
    """Read the corpus into the store; returns the article row ids in corpus order.

    First repairs anchors an interrupted import of an older version left stale
    (the window imports whenever it opens a corpus). Then each batch of articles
    and the re-anchoring of the annotations of those whose text changed are one
    transaction: a new text is never committed without its annotations' anchors.
    """
    repaired: dict[int, Counter[str]] = {}
    repair_stale_anchors(db, repaired)
    _report_reanchored(db, report, repaired, "annotations stored against an older text")
    total_files = len(corpus_files(corpus))
    ids: list[int] = []
    batch: list[Article] = []
    for article in iter_articles(corpus, report, should_stop):
        batch.append(article)
        if len(batch) >= IMPORT_BATCH:
            ids.extend(_store_batch(db, batch, report))
            batch = []
            progress(report.files_read, total_files, f"Reading corpus: {len(ids)} articles")
    if batch:
        ids.extend(_store_batch(db, batch, report))
    progress(report.files_read, total_files, f"Read {len(ids)} articles")
    return ids


def _store_batch(db: Database, batch: list[Article], report: ImportReport) -> list[int]:
    """Store a batch and re-anchor its changed articles' annotations, in one transaction."""
    changed: list[int] = []  # articles whose text differs from the stored one
    with atomic(db):
        ids = upsert_articles(db, batch, changed)
        statuses = reanchor_articles(db, changed)
    origins = {article_id: art.origin for article_id, art in zip(ids, batch, strict=True)}
    _report_reanchored(db, report, statuses, "text changed", origins)
    return ids


def _report_reanchored(
    db: Database,
    report: ImportReport,
    per_article: dict[int, Counter[str]],
    why: str,
    origins: dict[int, str] | None = None,
) -> None:
    """A warning per article whose annotations were not all re-attached exactly."""
    for article_id, statuses in per_article.items():
        inexact = {s: n for s, n in statuses.items() if s != "exact"}
        if not inexact:
            continue
        origin = (origins or {}).get(article_id)
        if origin is None:
            article = get_article(db, article_id)
            origin = article.origin if article else str(article_id)
        counts = ", ".join(f"{n} {s}" for s, n in sorted(inexact.items()))
        report.messages.append(LoadMessage(
            origin, None, "warning",
            f"{why}; annotations re-attached: {counts} (Review → Annotations to Review)",
        ))  # fmt: skip


def analyze_pending(
    db: Database,
    analyzer: Analyzer,
    progress: Progress = _quiet,
    should_stop: StopCheck = _never,
    processes: int = 1,
) -> int:
    """Analyse every article lacking this analyzer's results; returns how many ran NLP.

    Texts already analysed under the same key (same text elsewhere, or an
    earlier run) reuse the cache and never reach spaCy. Results are saved
    every batch, so a cancelled or crashed run keeps what it finished, and the
    next run finds the rest from the database and continues. Texts stream
    through one ``analyze_many`` call, so ``processes`` > 1 starts spaCy's
    workers once for the whole run.
    """
    key = analyzer.key
    total = count_pending(db, key.model, key.pipeline)
    progress(0, total, "Analysing")
    if not total or should_stop():
        return 0
    state = RunState(total)
    queue: deque[tuple[int, str, str]] = deque()  # sent to spaCy, not saved yet
    todo = uncached(db, key.model, key.pipeline, state)
    first = next(todo, None)  # nothing to run: the model is never loaded
    if first is None:
        progress(state.done, total, f"Analysed {state.done} of {total} articles (cached)")
        return 0

    def texts() -> Iterator[str]:
        for item in itertools.chain([first], todo):
            if should_stop():  # let spaCy finish what it holds; the rest stays pending
                return
            state.start_clock()
            queue.append(item)
            yield item[2]

    results: list[tuple[int, str, str, Analysis]] = []
    analyses = analyzer.analyze_many(texts(), n_process=processes, should_stop=should_stop)
    with closing(analyses):  # on cancel: stops spaCy's workers; unsaved work stays pending
        for analysis in analyses:
            article_id, digest, text = queue.popleft()
            results.append((article_id, digest, text, analysis))
            if len(results) >= ANALYSIS_BATCH or (not queue and state.input_done):
                save_results(db, key.model, key.pipeline, results, state, progress)
                results = []
                if should_stop():
                    break
        else:
            if results:
                save_results(db, key.model, key.pipeline, results, state, progress)
    return state.ran


class RunState:
    """Counts and the clock behind the progress line's rate and time left."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0  # analysed or linked to a cached analysis
        self.ran = 0  # analysed by spaCy in this run
        self.input_done = False
        self._t0: float | None = None

    def start_clock(self) -> None:
        # From the first text handed to spaCy: loading the model is not the rate.
        if self._t0 is None:
            self._t0 = time.monotonic()

    def message(self) -> str:
        line = f"Analysing: {self.done} of {self.total} articles"
        elapsed = time.monotonic() - self._t0 if self._t0 is not None else 0.0
        if self.ran and elapsed > 0:
            rate = self.ran / elapsed
            left = (self.total - self.done) / rate
            line += f" — {rate:.1f} articles/s, about {_duration(left)} left"
        return line


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def uncached(
    db: Database, model: str, pipeline: str, state: RunState
) -> Iterator[tuple[int, str, str]]:
    """Pending (id, hash, text) that need spaCy; links cached ones on the way."""
    for page in pending_articles(db, model, pipeline, batch=ANALYSIS_BATCH):
        rest = _link_cached(db, page, model, pipeline)
        state.done += len(page) - len(rest)
        yield from rest
    state.input_done = True


def save_results(
    db: Database,
    model: str,
    pipeline: str,
    results: list[tuple[int, str, str, Analysis]],
    state: RunState,
    progress: Progress,
) -> None:
    with atomic(db):  # the analyses and the decisions re-attached to them: one commit
        linked = set(save_analyses(db, model, pipeline, results))
        reattach_decisions(db, [(a, analysis) for a, _, _, analysis in results if a in linked])
    state.done += len(results)
    state.ran += len(results)
    progress(state.done, state.total, state.message())


def _link_cached(
    db: Database, page: list[tuple[int, str, str]], model: str, pipeline: str
) -> list[tuple[int, str, str]]:
    """Link articles whose text is already analysed, re-attaching their decisions to
    that analysis in the same transaction; return the rest."""
    rest = []
    linked: list[tuple[int, int]] = []
    with atomic(db):
        for article_id, digest, text in page:
            cached = cached_analysis_id(db, digest, model, pipeline)
            if cached is None:
                rest.append((article_id, digest, text))
            elif link_if_current(db, article_id, digest, cached):
                linked.append((article_id, cached))
        reattach_to_cached(db, linked)
    return rest
