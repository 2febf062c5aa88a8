"""Backups of the database file: SQLite's backup API, private files, pruning.

A backup is a consistent snapshot taken through SQLite (never a file copy,
which could catch a half-written page or miss the WAL). Backups live next to
the database in ``<db>.backups/`` (mode 0700), each readable by the user only:

    <db>.backups/<stem>-<UTC timestamp>-auto.sqlite            regular, pruned
    <db>.backups/<stem>-<UTC timestamp>-pre-<migration>.sqlite before a migration, kept
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
AUTO = "auto"
STALE_PARTIAL_SECONDS = 3600  # a backup in progress is far younger than this
_STAMP = "%Y%m%dT%H%M%S.%fZ"  # fixed width: names sort in time order
_NAME = re.compile(r"-(\d{8}T\d{6}\.\d{6}Z)-(.+)\.sqlite$")


def backups_dir(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".backups")


def backup_now(
    db: Database | sqlite3.Connection,
    db_path: str | Path,
    keep: int | None = 10,
    reason: str = AUTO,
) -> Path:
    """Snapshot the open database ``db`` (stored at ``db_path``) and prune old backups.

    ``keep`` is how many backups of this ``reason`` to keep (the newest);
    None keeps all. Returns the new backup's path. Safe to call from a worker
    thread with that thread's own connection: it only reads ``db``.
    """
    folder = backups_dir(db_path)
    make_private_dirs(folder)
    target = _free_name(folder, Path(db_path).stem, reason)
    copy_database(db, target)
    if keep is not None:
        prune_backups(db_path, keep, reason)
    return target


def list_backups(db_path: str | Path, reason: str | None = None) -> list[Path]:
    """This database's backups (of ``reason``, or all), oldest first."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.search(path.name)
        if match and (reason is None or match.group(2) == reason):
            found.append((match.group(1), path))
    return [path for _stamp, path in sorted(found)]


def prune_backups(db_path: str | Path, keep: int, reason: str = AUTO) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``reason``; returns those deleted.

    Also removes partial copies left by a crash mid-backup (old enough not to be
    another process's backup in progress).
    """
    backups = list_backups(db_path, reason)
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    _remove_stale_partials(backups_dir(db_path))
    return doomed


def _remove_stale_partials(folder: Path) -> None:
    limit = time.time() - STALE_PARTIAL_SECONDS
    for path in folder.glob("*.partial"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # finished or removed meanwhile
            continue


def copy_database(source: Database | sqlite3.Connection, target: Path) -> None:
    """Write a consistent copy of ``source`` to ``target`` (created 0600), atomically.

    The copy is written under a temporary name and renamed into place, so a
    crash mid-backup never leaves a half backup under a backup's name.
    """
    conn = source.conn if isinstance(source, Database) else source
    partial = target.with_name(target.name + ".partial")
    create_private_file(partial, exclusive=False)
    try:
        dest = sqlite3.connect(partial)
        try:
            # pages=-1: one step, one read transaction on the source, so the copy is
            # one snapshot; in WAL mode writers are not blocked meanwhile.
            conn.backup(dest, pages=-1)
            # A rollback-journal copy is one self-contained file (no -wal beside it).
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def create_private_file(path: Path, exclusive: bool = True) -> None:
    """Create ``path`` empty with mode 0600 whatever the umask (before SQLite opens it)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # the umask may have removed bits; never adds any
    finally:
        os.close(fd)


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and missing parents with mode 0700; existing ones are left alone."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made meanwhile by another process
            continue
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask


def _free_name(folder: Path, stem: str, reason: str) -> Path:
    """A new backup name; the timestamp has microseconds, the loop covers a clock step back."""
    while True:
        stamp = datetime.now(UTC).strftime(_STAMP)
        path = folder / f"{stem}-{stamp}-{reason}.sqlite"
        if not path.exists():
            return path
