"""The one way the window works in the background: a plain function, off the UI thread.

    op = Operation(lambda task: export_file(db_path, out, "entities", task),
                   expected=(ExportError, StoreError))
    op.progress.connect(show_progress)   # the function's task.progress(done, total, what)
    op.succeeded.connect(show_result)    # what the function returned
    op.failed.connect(show_message)      # a message naming the file and the problem
    op.start()
    ...
    op.cancel()                          # the function's task.should_stop() turns True

The function is core code: it gets a viewer.core.progress.Task (a progress
callback and a cancellation token) and never sees Qt. ``succeeded`` and
``failed`` come on the UI thread once the thread has ended, so a result (an
open connection, say) is never used by two threads at once. An ``expected``
exception is a message as it is; any other is a defect (see
errors.failure_message). Like napari's ``thread_worker`` and Anki's
``CollectionOp``.

A running QThread whose object is destroyed aborts the program: an operation
keeps itself alive until it has ended, whoever dropped it (a dialog closed
meanwhile). ``Operation.running()`` is every one not ended yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QThread, Signal

from viewer.core.progress import Task
from viewer.qt.errors import Expected, failure_message


class Operation(QThread):
    progress = Signal(int, int, str)  # done, total (0 = unknown), what
    succeeded = Signal(object)  # the function's result
    failed = Signal(str)  # a message for the user

    _alive: ClassVar[set[Operation]] = set()

    def __init__(
        self,
        work: Callable[[Task], Any],
        *,
        expected: Expected = (),
        context: str = "",
        ticket: int = 0,
    ):
        super().__init__()
        self.work = work
        self.expected, self.context = expected, context
        self.ticket = ticket  # the caller's: tells its operations apart (sender().ticket)
        self.task = Task(self.progress.emit)
        self._outcome: tuple[bool, Any] | None = None
        self.finished.connect(self._deliver)  # queued: on the UI thread, after run()

    def start(self, *args: Any) -> None:
        Operation._alive.add(self)
        # Replaced by run(); stays only if something beyond Exception ended it.
        self._outcome = (False, f"{self.context or 'The background work'}: ended without a result")
        super().start(*args)

    def cancel(self) -> None:
        """Ask the function to stop at its next check; it ends as it sees fit (a
        cancelled result, or an exception)."""
        self.task.cancel()

    @property
    def cancelled(self) -> bool:
        return self.task.should_stop()

    def run(self) -> None:
        try:
            self._outcome = (True, self.work(self.task))
        except Exception as exc:
            self._outcome = (False, failure_message(exc, self.expected, self.context))

    def _deliver(self) -> None:
        Operation._alive.discard(self)
        if self._outcome is None:
            return  # delivered already (a thread started twice ends twice)
        ok, value = self._outcome
        self._outcome = None
        if ok:
            self.succeeded.emit(value)
        else:
            self.failed.emit(value)

    @classmethod
    def running(cls) -> frozenset[Operation]:
        """Every operation started and not yet delivered."""
        return frozenset(cls._alive)
