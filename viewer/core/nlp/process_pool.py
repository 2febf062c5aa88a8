"""The model in N local worker processes: batches of texts in, analyses out.

spaCy's own ``n_process`` forks the calling process, which is unsafe from a Qt
application (its threads and open SQLite connections are copied half-way);
these workers are spawned afresh, load the model once each and then analyse
whole batches with the project's own Analyzer, so the output is a one-process
run's. Stopping kills the workers at once: a cancel never waits for a batch,
however long its article.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from types import TracebackType

from viewer.core.model import Analysis
from viewer.core.nlp.pipeline import Analyzer, resolve_model_name

# Below this many pending articles one process is faster: each worker first
# spends seconds and hundreds of MB loading the model.
WORTH_PROCESSES = 200

_analyzer: Analyzer | None = None  # in a worker: its model, loaded once
_load_error: str | None = None


def processes_for(pending: int) -> int:
    """How many processes to analyse ``pending`` articles in: one per core this
    process may use, or one for a small corpus."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1) if pending >= WORTH_PROCESSES else 1


class WorkerFailed(Exception):
    """A worker could not load the model or died (out of memory?); says which."""


def _start_worker(model_name: str) -> None:
    global _analyzer, _load_error
    # Ctrl+C belongs to the parent, which stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _analyzer = Analyzer(model_name)
        _ = _analyzer.nlp
    except Exception as exc:  # reported with the first batch: a failing initializer
        _load_error = f"{type(exc).__name__}: {exc}"  # would only break the pool


def _analyze_batch(texts: list[str]) -> list[Analysis]:
    if _analyzer is None:
        raise WorkerFailed(f"a worker process could not load the model ({_load_error})")
    return list(_analyzer.analyze_many(texts))


class AnalyzerProcesses:
    """``processes`` spawned workers holding ``model_name``; use as a context manager."""

    def __init__(self, model_name: str, processes: int):
        self.model_name = resolve_model_name(model_name)  # a missing model fails here, at once
        self.processes = processes
        self._pool = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.model_name,),
        )

    def submit(self, texts: list[str]) -> Future[list[Analysis]]:
        """A future of the texts' analyses, in order."""
        return self._pool.submit(_analyze_batch, texts)

    def stop(self) -> None:
        """Kill the workers now; batches still running are lost (their articles stay pending)."""
        # The executor has no public way to end a running task (3.14 adds terminate_workers).
        # Kill first, then let the executor's own thread reap the dead workers: joining
        # them here as well raced that thread, and the loser saw a reaped worker as alive.
        for worker in list(getattr(self._pool, "_processes", {}).values()):
            if worker.is_alive():
                worker.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Let queued batches finish, then end the workers."""
        self._pool.shutdown(wait=True)

    def __enter__(self) -> AnalyzerProcesses:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.stop()
