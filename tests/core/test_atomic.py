"""One nesting atomic(): ``atomic(db)`` and ``db.atomic()`` (also what sqlite-utils'
own table methods call) are one mechanism, for viewer's database and a plain one."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from viewer.core.store import open_db
from viewer.core.store.database import DatabaseMoved, atomic


def _traced(db: Database) -> list[str]:
    """The transaction statements ``db`` runs from now on."""
    seen: list[str] = []
    words = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

    def keep(sql: str) -> None:
        if sql.split(" ", 1)[0].upper() in words:
            seen.append(sql.split(" ", 1)[0].upper() + (" IMMEDIATE" if "IMMEDIATE" in sql else ""))

    db.conn.set_trace_callback(keep)
    return seen


def _insert(db: Database, key: str) -> None:
    db.execute("INSERT INTO t VALUES (?)", [key])


def _keys(db: Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT k FROM t ORDER BY k")]


def _open(kind: str, folder) -> Database:
    if kind == "viewer":
        made = open_db(folder / "a.sqlite")
    else:  # a plain sqlite-utils Database: atomic(db) treats it the same way
        made = Database(sqlite3.connect(folder / "plain.sqlite"))
    made.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    return made


@pytest.fixture(params=["viewer", "plain"])
def db(request, tmp_path):
    made = _open(request.param, tmp_path)
    yield made
    made.close()


@pytest.mark.parametrize(
    ("kind", "enter"), [("viewer", "function"), ("viewer", "method"), ("plain", "function")]
)
def test_outermost_is_begin_immediate_nested_is_a_savepoint(tmp_path, kind, enter):
    db = _open(kind, tmp_path)
    begin = (lambda: atomic(db)) if enter == "function" else db.atomic
    seen = _traced(db)
    with begin():
        _insert(db, "a")
        with begin():
            _insert(db, "b")
    assert seen == ["BEGIN IMMEDIATE", "SAVEPOINT", "RELEASE", "COMMIT"]
    assert _keys(db) == ["a", "b"]
    db.close()


def test_sqlite_utils_own_writes_take_the_write_lock_first(tmp_path):
    """db[table].insert() calls db.atomic(): on viewer's database, BEGIN IMMEDIATE."""
    db = open_db(tmp_path / "a.sqlite")
    seen = _traced(db)
    db["settings"].insert({"key": "k", "value": "v"})
    assert seen == ["BEGIN IMMEDIATE", "COMMIT"]
    db.close()


def test_a_failed_nested_block_rolls_back_only_itself(db):
    with atomic(db):
        _insert(db, "a")
        with pytest.raises(sqlite3.IntegrityError), atomic(db):
            _insert(db, "b")
            _insert(db, "a")  # duplicate: this block fails
        _insert(db, "c")
    assert _keys(db) == ["a", "c"]


def test_a_failure_rolls_back_the_whole_action(db):
    with pytest.raises(RuntimeError), atomic(db):
        _insert(db, "a")
        with atomic(db):
            _insert(db, "b")
        raise RuntimeError("the action failed after its steps")
    assert _keys(db) == []
    assert not db.conn.in_transaction


@pytest.mark.parametrize("enter", ["function", "method"])
def test_a_moved_file_refuses_the_write_before_it_happens(tmp_path, enter):
    db = open_db(tmp_path / "a.sqlite")
    (tmp_path / "a.sqlite").rename(tmp_path / "elsewhere.sqlite")
    begin = (lambda: atomic(db)) if enter == "function" else db.atomic
    with pytest.raises(DatabaseMoved), begin():
        db.execute("INSERT INTO settings VALUES ('k', 'v')")
    assert not db.conn.in_transaction
    assert db.execute("SELECT count(*) FROM settings WHERE key = 'k'").fetchone()[0] == 0
    db.close()
