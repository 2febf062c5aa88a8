"""Opening the database file: location, pragmas, migrations, clear errors."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from viewer.core.store.schema import migrations


class StoreError(Exception):
    """The database file cannot be used; the message names it and says why."""


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


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    Raises StoreError when the file is not a SQLite database, or was made by a
    newer viewer; such a file is never written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=10)
        # Read something first: a non-SQLite file fails here, before any write.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable SQLite database ({exc})") from exc
    db = Database(conn)
    _refuse_newer(db, path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives an app crash
    db.execute("PRAGMA foreign_keys=ON")
    migrations.apply(db)
    return db


def _refuse_newer(db: Database, path: Path) -> None:
    known = {m.name for m in migrations._migrations}
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - known
    if unknown:
        raise StoreError(
            f"{path}: made by a newer version of viewer (schema {max(unknown)}); "
            "upgrade viewer to open it"
        )
