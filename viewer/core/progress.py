"""What a long operation is handed by whoever runs it: where to say how far it got,
and whether to stop.

    def work(task: Task) -> int:
        for n, batch in enumerate(batches, 1):
            if task.should_stop():
                break                          # finished batches stay done
            ...
            task.progress(n, len(batches), f"Batch {n}")

The command line passes a Task that prints; the window's background operation
(viewer.qt.operations) passes one whose progress becomes a signal and whose
``cancel()`` the Cancel button calls. Plain Python: the core never sees Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

# progress(done, total, what): total is 0 when unknown.
Progress = Callable[[int, int, str], None]
StopCheck = Callable[[], bool]


def quiet(done: int, total: int, what: str) -> None:
    """A Progress that says nothing."""


class Task:
    """The progress callback and the cancellation token of one run.

    ``cancel()`` may come from any thread (the UI's), ``should_stop()`` is polled by
    the work between batches; both are safe across threads.
    """

    def __init__(self, progress: Progress = quiet) -> None:
        self._progress = progress
        self._stop = threading.Event()

    def progress(self, done: int, total: int, what: str) -> None:
        self._progress(done, total, what)

    def cancel(self) -> None:
        self._stop.set()

    def should_stop(self) -> bool:
        return self._stop.is_set()
