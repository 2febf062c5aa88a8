"""Opening the database file: location, permissions, pragmas, migrations, clear errors.

Rules, in the order ``open_db`` applies them:

- the folder viewer creates for it is 0700, a new database file is created 0600
  before SQLite opens it (its -wal/-shm and backups get 0600 too), whatever the umask;
- a file that is not a SQLite database, is damaged, belongs to another
  program, or was made by a newer viewer is refused with a ``StoreError``
  naming it, before anything is written to it;
- an existing database with pending migrations is first backed up (SQLite's
  backup API) to ``<db>.backups/<stem>-<time>-pre-<migration>.sqlite``, then
  all pending migrations run in ONE transaction: an error leaves it as it was;
- every write transaction (``db.atomic()`` too) starts with BEGIN IMMEDIATE and
  waits up to BUSY_TIMEOUT_MS for another writer (a second window, a second
  viewer on the same file) instead of failing with "database is locked";
- ``atomic(db)`` nests: a multi-step user action (import and re-anchor, re-analyse
  and re-attach, an undo of a compound edit) wraps the store functions it calls in
  one ``atomic()``, and each of them becomes a savepoint of that one transaction;
- before a write transaction is used, the path must still name the file that was
  opened (same device and inode): a database moved or deleted while open raises
  ``DatabaseMoved`` instead of acknowledging edits into an orphaned file;
- the schema must be exactly what the applied migrations define (no foreign
  tables, columns, indexes, triggers or views); ``trusted_schema`` is off, and the
  checks run under a time limit, so a hostile file is refused, never run.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Literal

from sqlite_utils import Database

from viewer.core.store.backups import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    backup_now,
    create_private_file,
    make_private_dirs,
)
from viewer.core.store.schema import migrations

BUSY_TIMEOUT_MS = 10_000  # a writer waits this long for another's transaction (they last ms)
# PRAGMA quick_check reads every page: 0.42 s for a 337 MB file with a million annotations
# (measured here). Beyond this size an open checks only the header and schema, to keep
# opening quick; damage deeper in is still reported by SQLite when those pages are read.
QUICK_CHECK_MAX_BYTES = 128 * 1024 * 1024
# WAL + synchronous=FULL: a commit is on disk (fsync of the WAL) before the edit is
# acknowledged, so it survives a power cut too, not only an app crash (NORMAL would
# survive the crash but may lose the last commits on power loss). Measured with
# tests/benchmarks/bench_annotations.py here: insert commit p95 0.44 ms with FULL against
# 0.09 ms with NORMAL (100k annotations), 0.34 ms with FULL at 1M; all far under the 5 ms
# target, so durability wins. (fsync cost depends on the disk: re-run the benchmark there.)
SYNCHRONOUS = "FULL"
# The checks at open (header, schema, quick_check) must finish within this; a file
# built to make them hang is refused instead of freezing whoever opened it.
OPEN_CHECK_SECONDS = 20.0


class StoreError(Exception):
    """The database file cannot be used; the message names it and says why."""


class DatabaseMoved(StoreError):
    """The open database's path no longer names the file that was opened."""


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid of the row the INSERT run on ``cursor`` added."""
    if cursor.lastrowid is None:  # sqlite3 leaves it None only when nothing was inserted
        raise StoreError("the INSERT added no row")
    return cursor.lastrowid


def file_identity(path: str | Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``, or None when nothing is there."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


class ViewerDatabase(Database):
    """A sqlite-utils Database whose ``atomic()`` is the store's one transaction (atomic()).

    sqlite-utils opens transactions with a plain (deferred) BEGIN, also inside
    its own table methods (``db[t].insert`` calls ``self.atomic()``). A deferred
    transaction that reads and then writes fails at once with "database is
    locked" when another connection wrote meanwhile, whatever the busy timeout;
    BEGIN IMMEDIATE waits for the lock instead. Nested blocks stay savepoints.

    ``path`` and ``identity`` are the file opened; every outermost write
    transaction checks that the path still names it (one stat, microseconds).
    """

    path: Path | None = None
    identity: tuple[int, int] | None = None

    def check_still_there(self) -> None:
        if self.path is None or self.identity is None:
            return
        if file_identity(self.path) != self.identity:
            raise DatabaseMoved(
                f"{self.path}: the database file was moved or deleted while open; "
                "nothing more is saved to it (save a copy to a new file)"
            )

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        with _transaction(self):
            yield self


def atomic(db: Database) -> AbstractContextManager[Database]:
    """One write transaction, nesting: the one way store functions write.

    Outermost: BEGIN IMMEDIATE (the write lock before the first read), then, for
    a ViewerDatabase, the check that its file is still where it was opened;
    committed on exit, rolled back on any error. Inside another atomic(): a
    savepoint of it, so a whole user action commits or rolls back as one. A
    plain sqlite-utils Database (in memory, read only) gets the same transaction,
    without the file check. A ViewerDatabase goes through its ``atomic()`` method,
    the one entry point its own writes and sqlite-utils' table methods share.
    """
    return db.atomic() if isinstance(db, ViewerDatabase) else _transaction(db)


@contextmanager
def _transaction(db: Database) -> Iterator[Database]:
    """The one code path behind atomic() and ViewerDatabase.atomic()."""
    if db.conn.in_transaction:
        with Database.atomic(db):  # sqlite-utils' savepoint (never back through the method)
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        if isinstance(db, ViewerDatabase):
            db.check_still_there()
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def database_file(db: Database) -> str | None:
    """The file ``db`` is open on, or None for an in-memory database."""
    for _seq, name, file in db.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) or None
    return None


def close(db: Database) -> None:
    """Close ``db``'s connection (a second close does nothing)."""
    db.close()


def is_closed(db: Database) -> bool:
    """Whether ``db`` was closed (a window may close it while a refresh is still queued)."""
    try:
        db.conn.total_changes  # noqa: B018 - raises on a closed connection
    except sqlite3.ProgrammingError:
        return True
    return False


def file_uri(path: str | Path, mode: Literal["ro", "rw"]) -> str:
    """A SQLite URI opening the existing file ``path`` (never creating it), whatever
    characters its name holds: ``ro`` read only, ``rw`` read and write.

    Every character outside the unreserved set is percent-encoded, so a name
    with ``%``, ``#`` or ``?`` names that file and no other.
    """
    absolute = os.path.abspath(os.fspath(path))
    return "file:" + urllib.parse.quote(absolute, safe="/") + f"?mode={mode}"


def readonly_uri(path: str | Path) -> str:
    """A SQLite URI opening ``path`` read only (see file_uri)."""
    return file_uri(path, "ro")


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection to the existing database at ``path`` (never creates it)."""
    return _connect_existing(path, "ro")


def open_readonly(path: str | Path) -> Database:
    """``path`` opened read only, as a sqlite-utils Database (exports, workers)."""
    return Database(connect_readonly(path))


def back_up_file(path: str | Path, keep: int) -> Path:
    """Back up the database at ``path`` on a connection of its own (a worker thread's:
    a connection never crosses threads); returns the backup.

    Read and write (``rw``), though it only reads: as the file's last connection
    it checkpoints and removes the -wal and -shm on closing, which a read-only
    one cannot; a database that vanished meanwhile is still never created again.
    """
    conn = _connect_existing(path, "rw")
    try:
        return backup_now(conn, path, keep=keep)
    finally:
        conn.close()


def _connect_existing(path: str | Path, mode: Literal["ro", "rw"]) -> sqlite3.Connection:
    conn = sqlite3.connect(file_uri(path, mode), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA trusted_schema=OFF")  # nothing in the file's schema runs
    return conn


def data_dir() -> Path:
    """Where viewer keeps its databases: $VIEWER_DATA_DIR, else XDG data home."""
    if env := os.environ.get("VIEWER_DATA_DIR"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "viewer"


def default_db_path(corpus: str | Path) -> Path:
    """One database per corpus location, named so a person can tell which."""
    resolved = Path(corpus).expanduser().resolve()
    digest = hashlib.sha1(str(resolved).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return data_dir() / "corpora" / f"{resolved.stem or 'corpus'}-{digest}.sqlite"


def open_db(path: str | Path, *, hand_over: bool = False) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    Raises StoreError when the file cannot be used (not SQLite, damaged, another
    program's, made by a newer viewer, unreadable); such a file is never written.
    ``hand_over``: the connection may pass to another thread once this call has
    returned (the window opens off its UI thread, then uses the connection there;
    one thread at a time, never two at once).
    """
    path = Path(path)
    conn = _connect(path, check_same_thread=not hand_over)
    try:
        db = ViewerDatabase(conn)
        with _time_limit(conn, path):
            _check_usable(db, path)
        _configure(db, path)
        _migrate(db, path)
        db.path, db.identity = path, file_identity(path)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"{path}: cannot open the database ({_explain(path, exc)})") from exc
    except BaseException:
        conn.close()
        raise
    return db


@contextmanager
def _time_limit(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Interrupt the statements run inside after OPEN_CHECK_SECONDS."""
    deadline = time.monotonic() + OPEN_CHECK_SECONDS
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if time.monotonic() > deadline:
            raise StoreError(
                f"{path}: checking the database took longer than {OPEN_CHECK_SECONDS:.0f} s; "
                "not opened"
            ) from exc
        raise
    finally:
        conn.set_progress_handler(None, 0)


# --- the file ----------------------------------------------------------------------------


def _connect(path: Path, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection to ``path``, created private if new; nothing written to an existing file."""
    try:
        make_private_dirs(path.parent)
        _tighten_data_dir(path)
        _create_if_missing(path)
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=check_same_thread
        )
        # Nothing in the file's schema (a view, a trigger) may call SQL functions
        # with side effects; viewer's own schema needs none.
        conn.execute("PRAGMA trusted_schema=OFF")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot open the database ({_explain(path, exc)})") from exc
    return conn


def _create_if_missing(path: Path) -> None:
    try:
        create_private_file(path)  # O_EXCL: an existing file is never touched
    except FileExistsError:  # there already, or made meanwhile by another viewer
        pass


def _tighten_data_dir(path: Path) -> None:
    """viewer's own data folders are private, even when an older viewer made them 0755."""
    own = data_dir()
    if path.parent in (own, own / "corpora"):
        for folder in {own, path.parent}:
            os.chmod(folder, PRIVATE_DIR)


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


# SQLite's answers that are about the file system, not the file's content.
_FILE_SYSTEM_ERRORS = ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR",
                       "SQLITE_PERM")  # fmt: skip
MIN_FREE_BYTES = 1 << 20


def _is_file_system_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return True
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(_FILE_SYSTEM_ERRORS)


def _explain(path: Path, exc: BaseException) -> str:
    """Say which: a read-only folder or file, a full disk, or the system's own words."""
    if not _is_file_system_error(exc):
        return str(exc)
    folder = path.parent
    # os.access misses a read-only mount for root; EROFS says it whoever we are.
    if getattr(exc, "errno", None) == errno.EROFS or not os.access(folder, os.W_OK):
        return (f"the folder {folder} is read-only; viewer needs to write the database's "
                "-wal and -shm files beside it")  # fmt: skip
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = MIN_FREE_BYTES
    full = getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL"
    if free < MIN_FREE_BYTES or full or getattr(exc, "errno", None) == errno.ENOSPC:
        return f"the disk holding {folder} is full"
    return _reason(exc)


# --- checks before any write -------------------------------------------------------------


def _check_usable(db: Database, path: Path) -> None:
    """Refuse a file viewer must not write to; only reads happen here."""
    try:
        # A non-SQLite file fails on this first read, before any write.
        tables = _user_tables(db)
        if path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
            _quick_check(db)
    except sqlite3.DatabaseError as exc:
        if _is_file_system_error(exc):
            raise StoreError(f"{path}: cannot open the database ({_explain(path, exc)})") from exc
        if isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc):
            raise
        raise StoreError(f"{path}: not a usable SQLite database ({exc})") from exc
    if tables and "_sqlite_migrations" not in tables:
        raise StoreError(
            f"{path}: a SQLite database of another program (no viewer schema); "
            "choose another file for viewer's database"
        )
    _refuse_newer(db, path)
    if tables:
        _check_schema(db, path)


def _user_tables(db: Database) -> set[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def _quick_check(db: Database) -> None:
    problems = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError("damaged: " + "; ".join(problems))


def _refuse_newer(db: Database, path: Path) -> None:
    known = {m.name for m in migrations._migrations}
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - known
    if unknown:
        raise StoreError(
            f"{path}: made by a newer version of viewer (schema {max(unknown)}); "
            "upgrade viewer to open it"
        )


# --- the schema is exactly viewer's ---------------------------------------------------------


def _check_schema(db: Database, path: Path) -> None:
    """Refuse any table, column, index, trigger or view the applied migrations do not define.

    A shared database could carry a trigger that rewrites every acknowledged edit,
    or a view that never finishes; neither is ever run. The expected schema is
    made by applying the same migrations to an empty in-memory database.
    """
    applied = [m.name for m in migrations.applied(db)]
    names = [m.name for m in migrations._migrations]
    if applied != names[: len(applied)]:
        absent = [n for n in names[: len(applied)] if n not in applied]
        raise StoreError(
            f"{path}: damaged viewer schema (migrations out of order or missing: "
            f"{', '.join(absent) or ', '.join(applied)}); not opened"
        )
    expected = _expected_schema(len(applied))
    found = _schema_of(db)
    unexpected = sorted(found - expected)
    missing = sorted(expected - found)
    if unexpected or missing:
        parts = [f"unexpected {kind} {name!r}" for kind, name, _sql in unexpected[:3]]
        parts += [f"missing or altered {kind} {name!r}" for kind, name, _sql in missing[:3]]
        raise StoreError(
            f"{path}: the schema is not viewer's ({'; '.join(parts)}); not opened, "
            "so nothing in it runs"
        )


SchemaEntry = tuple[str, str, str]  # (type, name, normalised SQL)


def _schema_of(db: Database) -> frozenset[SchemaEntry]:
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return frozenset(
        (kind, name, " ".join((sql or "").split()))
        for kind, name, table, sql in rows
        if not name.startswith("sqlite_stat")  # ANALYZE's statistics: harmless, SQLite's own
        # sqlite-utils owns the migrations table's shape (it may reshape it itself).
        and not (table == migrations.migrations_table and kind in ("table", "index"))
    )


@lru_cache(maxsize=8)
def _expected_schema(applied: int) -> frozenset[SchemaEntry]:
    memory = Database(memory=True)
    names = [m.name for m in migrations._migrations]
    if applied < len(names):
        migrations.apply(memory, stop_before=names[applied])
    else:
        migrations.apply(memory)
    try:
        return _schema_of(memory) if applied else frozenset()
    finally:
        memory.close()


# --- setup and migrations ------------------------------------------------------------------


def _configure(db: Database, path: Path) -> None:
    _set_wal(db)
    db.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    db.execute("PRAGMA foreign_keys=ON")
    _private_sidecars(path)


def _set_wal(db: Database) -> None:
    """Switch to WAL, waiting while another viewer creates or migrates the file.

    Changing the journal mode needs the file to itself, and SQLite reports
    "locked" at once instead of calling the busy handler, so wait here.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _private_sidecars(path: Path) -> None:
    """SQLite gives -wal/-shm the database's mode; made sure of here, as they hold data too."""
    if not _is_private(path):
        return
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        try:
            os.chmod(sidecar, PRIVATE_FILE)
        except FileNotFoundError:
            continue


def _is_private(path: Path) -> bool:
    return (path.stat().st_mode & 0o777) == PRIVATE_FILE


def _migrate(db: Database, path: Path) -> None:
    """Back up an existing database, then apply every pending migration in one transaction."""
    pending = migrations.pending(db)
    if not pending:
        return
    if migrations.applied(db):  # existing data: keep it as it was before touching it
        backup_now(db, path, keep=None, reason=f"pre-{pending[0].name}")
    with db.atomic():  # BEGIN IMMEDIATE: another viewer migrating the same file waits here
        # Inside a transaction, each migration's own atomic() is a savepoint of this one.
        # pending() is read again under the lock: another process may have migrated already.
        migrations.apply(db)
