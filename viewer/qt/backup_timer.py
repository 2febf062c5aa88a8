"""Regular backups of the open database while the analyst works, off the UI thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from viewer.core.store.database import back_up_file


class BackupTimer(QObject):
    """Every ``minutes``, snapshot the current database into ``<db>.backups/``, keeping ``keep``.

    ``BackupTimer(db_path, minutes=10.0, keep=10, parent=None)``

    - ``db_path``: a callable returning the path of the database in use, or None
      when none is open (e.g. ``lambda: window.db_path``), so opening another
      corpus needs no rewiring;
    - ``minutes``: the interval; the timer starts at once;
    - ``keep``: how many regular backups of each database to keep (the newest);
    - ``parent``: the owner (the main window); its destruction waits for a
      running backup.

    The backup runs in a worker thread with its own SQLite connection (the
    backup API reads one consistent snapshot; in WAL mode edits go on
    meanwhile). A database unchanged since the last backup is not copied
    again, so an idle session does not prune away older, different backups.
    Signals: ``saved(path)`` after a backup, ``failed(message)`` when one
    could not be made (e.g. a full disk); nothing is shown by this class.
    Wire it with one line, e.g. ``self.backups = BackupTimer(lambda: self.db_path, parent=self)``.
    """

    saved = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        db_path: Callable[[], Path | str | None],
        minutes: float = 10.0,
        keep: int = 10,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._db_path = db_path
        self._keep = keep
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one backup at a time
        self._running: tuple[Path, tuple] | None = None  # the backup under way, if any
        self._signals: _Signals | None = None  # kept alive until its signal is delivered
        self._last: dict[Path, tuple] = {}  # database -> its fingerprint at the last backup
        self._timer = QTimer(self, interval=max(1, round(minutes * 60_000)))
        self._timer.timeout.connect(self.backup_now)
        self._timer.start()

    def backup_now(self) -> bool:
        """Start a backup now (if a database is open, changed, and none is running)."""
        raw = self._db_path()
        if raw is None or self._running is not None:
            return False
        path = Path(raw)
        fingerprint = _fingerprint(path)
        if fingerprint is None or self._last.get(path) == fingerprint:
            return False
        self._running = (path, fingerprint)
        job = _BackupJob(path, self._keep)
        # Bound methods of this QObject (not lambdas): delivered on the UI thread, queued.
        job.signals.saved.connect(self._finished)
        job.signals.failed.connect(self._failed)
        self._signals = job.signals
        self._pool.start(job)
        return True

    def stop(self) -> None:
        """Stop the timer and wait for a running backup to end."""
        self._timer.stop()
        self._pool.waitForDone()

    def wait(self, msecs: int = -1) -> bool:
        """Wait for a running backup (tests, shutdown); True when none is left."""
        return self._pool.waitForDone(msecs)

    def _finished(self, saved: str) -> None:
        if self._running is not None:
            path, fingerprint = self._running
            self._last[path] = fingerprint
        self._running = self._signals = None
        self.saved.emit(saved)

    def _failed(self, message: str) -> None:
        self._running = self._signals = None
        self.failed.emit(message)


def _fingerprint(path: Path) -> tuple | None:
    """Size and time of the file and its WAL: unchanged means no commit since."""
    parts = []
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            info = file.stat()
        except FileNotFoundError:
            if file == path:
                return None
            parts.append(None)
            continue
        parts.append((info.st_size, info.st_mtime_ns))
    return tuple(parts)


class _Signals(QObject):
    saved = Signal(str)
    failed = Signal(str)


class _BackupJob(QRunnable):
    """One backup with its own connection, opened and closed in the worker thread."""

    def __init__(self, path: Path, keep: int) -> None:
        super().__init__()
        self.path, self.keep = path, keep
        self.signals = _Signals()  # made on the UI thread: its signals are delivered there

    def run(self) -> None:
        try:
            # Read only: a database that vanished meanwhile is never created again.
            saved = back_up_file(self.path, keep=self.keep)
        except (OSError, sqlite3.Error) as exc:
            self.signals.failed.emit(f"Backup of {self.path} failed: {exc}")
            return
        self.signals.saved.emit(str(saved))
