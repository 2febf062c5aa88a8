"""Glue shared by the CLI and the GUI's background job: load, store, analyse.

Every step reports progress through a callback and polls ``should_stop``
between batches, so a caller can show a bar and offer Cancel.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from sqlite_utils import Database

from viewer.core.annotations.corrected_view import refresh_corrected
from viewer.core.annotations.upkeep import (
    reanchor_articles,
    reattach_decisions,
    reattach_to_cached,
    repair_stale_anchors,
)
from viewer.core.corpus.files import corpus_files, iter_articles
from viewer.core.model import Analysis, Article, ImportReport, LoadMessage
from viewer.core.nlp.pipeline import Analyzer
from viewer.core.progress import Progress, StopCheck
from viewer.core.store.analyses import (
    cached_analysis_id,
    count_pending,
    link_if_current,
    pending_among,
    pending_articles,
    save_analyses,
)
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.store.database import atomic

# saves one batch of (article id, text hash, text) with their analyses
StoreBatch = Callable[[list[tuple[int, str, str]], list[Analysis]], None]

IMPORT_BATCH = 500
ANALYSIS_BATCH = 64  # pending articles read (and cached ones linked) per query
# A local batch: small enough that an article wanted first waits little behind
# it and progress moves often, big enough to keep spaCy's own batching efficient.
LOCAL_BATCH_TEXTS = 16
LOCAL_BATCH_CHARS = 200_000


def _never() -> bool:
    return False


def _quiet(done: int, total: int, what: str) -> None:
    pass


# wanted_first(): article ids to analyse before the rest (asked before every batch).
WantedFirst = Callable[[], Iterable[int]]


def _nothing_first() -> list[int]:
    return []


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
    wanted_first: WantedFirst = _nothing_first,
    spawn: bool | None = None,
) -> int:
    """Analyse every article lacking this analyzer's results; returns how many ran NLP.

    Texts already analysed under the same key (same text elsewhere, or an
    earlier run) reuse the cache and never reach spaCy. Work goes out in bounded
    batches (PendingWork: the articles ``wanted_first`` names, e.g. the one on
    screen, before the rest) and each batch is saved when it comes back, so a
    cancelled or crashed run keeps what it finished, and the next run finds the
    rest from the database and continues. ``processes`` > 1 analyses in that many
    worker processes (spawned, each loading the model once); ``spawn`` uses them even
    for one (the window: a cancel then kills the worker instead of waiting for its
    batch, and the window's own process never holds the model).
    """
    key = analyzer.key
    total = count_pending(db, key.model, key.pipeline)
    progress(0, total, "Analysing")
    if not total or should_stop():
        return 0
    state = RunState(total)
    work = PendingWork(db, key.model, key.pipeline, state, wanted_first)

    def store(batch: list[tuple[int, str, str]], analyses: list[Analysis]) -> None:
        results = [
            (a, digest, text, analysis)
            for (a, digest, text), analysis in zip(batch, analyses, strict=True)
        ]
        save_results(db, key.model, key.pipeline, results, state, progress)

    if processes > 1 if spawn is None else spawn:
        _run_in_processes(work, analyzer.model_name, processes, store, should_stop)
    else:
        _run_here(work, analyzer, store, should_stop)
    if not state.ran and state.done:
        progress(state.done, total, f"Analysed {state.done} of {total} articles (cached)")
    return state.ran


def _run_here(
    work: PendingWork, analyzer: Analyzer, store: StoreBatch, should_stop: StopCheck
) -> None:
    """Batch after batch in this process; the model loads with the first one."""
    for batch in work:
        work.state.start_clock()
        analyses = list(analyzer.analyze_many([t for _, _, t in batch], should_stop=should_stop))
        if len(analyses) < len(batch):  # cut short by a cancel: keep what is whole
            store(batch[: len(analyses)], analyses)
            return
        store(batch, analyses)
        if should_stop():
            return


def _run_in_processes(
    work: PendingWork, model_name: str, processes: int, store: StoreBatch, should_stop: StopCheck
) -> None:
    """Batches in ``processes`` workers, a few queued beyond the running ones (they never
    wait, and a batch wanted first is not stuck behind many); saved as they come back."""
    from viewer.core.nlp.process_pool import AnalyzerProcesses, WorkerFailed

    limit = processes + 1
    sent: dict[Future[list[Analysis]], list[tuple[int, str, str]]] = {}
    pool: AnalyzerProcesses | None = None
    try:
        while True:
            while len(sent) < limit and not should_stop():
                batch = work.next_batch()
                if batch is None:
                    break
                if pool is None:  # started with the first batch: a cached corpus never pays
                    pool = AnalyzerProcesses(model_name, processes)
                work.state.start_clock()
                sent[pool.submit([t for _, _, t in batch])] = batch
            if not sent or should_stop():
                return
            finished, _ = wait(sent, timeout=0.1, return_when=FIRST_COMPLETED)
            for future in finished:
                batch = sent.pop(future)
                try:
                    analyses = future.result()
                except BrokenProcessPool as exc:
                    raise WorkerFailed(
                        f"a worker process died while analysing {len(batch)} articles "
                        "(out of memory?); what finished is stored, open the corpus again to go on"
                    ) from exc
                store(batch, analyses)
    finally:
        if pool is not None:
            pool.stop()  # nothing of value is left in it: kill, never wait for a batch


class PendingWork:
    """What to analyse next, in batches: first the articles ``wanted_first`` names (the
    one on screen and the next few), then the rest in corpus order; an article goes
    out once per run. Cached texts are linked on the way and never come out."""

    def __init__(
        self,
        db: Database,
        model: str,
        pipeline: str,
        state: RunState,
        wanted_first: WantedFirst = _nothing_first,
        texts: int | None = None,
        chars: int | None = None,
    ):
        self.db, self.model, self.pipeline, self.state = db, model, pipeline, state
        self.wanted_first = wanted_first
        self._in_order = batches(
            uncached(db, model, pipeline, state),
            texts or LOCAL_BATCH_TEXTS,  # read at the call: tests make batches small
            chars or LOCAL_BATCH_CHARS,
            self._fresh,
        )
        self._sent: set[int] = set()

    def _fresh(self, item: tuple[int, str, str]) -> bool:
        if item[0] in self._sent:
            return False
        self._sent.add(item[0])
        return True

    def next_batch(self) -> list[tuple[int, str, str]] | None:
        wanted = [i for i in self.wanted_first() if i not in self._sent]
        if wanted:
            rows = pending_among(self.db, wanted, self.model, self.pipeline)
            rest = _link_cached(self.db, rows, self.model, self.pipeline)
            self.state.done += len(rows) - len(rest)
            batch = [item for item in rest if self._fresh(item)]
            if batch:
                return batch
        return next(self._in_order, None)

    def __iter__(self) -> Iterator[list[tuple[int, str, str]]]:
        while (batch := self.next_batch()) is not None:
            yield batch


def batches(
    items: Iterable[tuple[int, str, str]],
    texts: int,
    chars: int,
    keep: Callable[[tuple[int, str, str]], bool] = lambda item: True,
) -> Iterator[list[tuple[int, str, str]]]:
    """Pending (id, hash, text) in batches of at most ``texts`` texts and about ``chars``
    characters (one longer text is a batch of its own); ``keep`` filters them on the way."""
    batch: list[tuple[int, str, str]] = []
    size = 0
    for item in items:
        if not keep(item):
            continue
        if batch and (len(batch) >= texts or size + len(item[2]) > chars):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item[2])
    if batch:
        yield batch


class RunState:
    """Counts and the clock behind the progress line's rate and time left."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0  # analysed or linked to a cached analysis
        self.ran = 0  # analysed by spaCy in this run
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
    refresh_corrected(db, sorted(linked))  # corrected articles: their final view, re-applied
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
    refresh_corrected(db, [article_id for article_id, _ in linked])
    return rest
