"""viewer/core/store is the only door to SQLite: no module outside it runs SQL,
opens a connection or reaches for the raw connection behind a Database.

Read from the source with ``ast`` (no import), so a new call site anywhere in
viewer/ (core, qt, cli) fails here, naming its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

VIEWER = REPO / "viewer"
STORE = VIEWER / "core" / "store"
# Methods of sqlite3 / sqlite-utils that run SQL text.
SQL_METHODS = frozenset({"execute", "executemany", "executescript", "query"})
# Names under which a database's raw sqlite3 connection is reached.
RAW_CONNECTION = frozenset({"conn"})


def _outside_store() -> list[Path]:
    return sorted(p for p in VIEWER.rglob("*.py") if STORE not in p.parents)


def _door(node: ast.AST) -> str | None:
    """What ``node`` does with SQLite behind the store's back, or None."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in SQL_METHODS:
            return f".{func.attr}(...)"
        if isinstance(func, ast.Attribute) and func.attr == "connect":
            if isinstance(func.value, ast.Name) and func.value.id == "sqlite3":
                return "sqlite3.connect(...)"
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name == "Database":  # a connection built by hand
            return "Database(...)"
    if isinstance(node, ast.Attribute) and node.attr in RAW_CONNECTION:
        return f".{node.attr}"
    if isinstance(node, ast.ImportFrom) and node.module == "sqlite3":
        if {alias.name for alias in node.names} & {"connect", "*"}:
            return "from sqlite3 import connect"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if "?mode=" in node.value:  # a SQLite URI (read only, ...) built by hand
            return "a hand-built SQLite URI"
    return None


def _doors(source: str, where: str) -> list[str]:
    """Every place in ``source`` that talks to SQLite without the store, as 'where:line what'."""
    found = [
        (node.lineno, door)
        for node in ast.walk(ast.parse(source, filename=where))
        if (door := _door(node)) is not None
    ]
    return [f"{where}:{line} {door}" for line, door in sorted(found)]


def test_no_module_outside_the_store_talks_to_sqlite():
    doors = [
        door
        for path in _outside_store()
        for door in _doors(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    ]
    assert doors == [], "SQL outside viewer/core/store:\n" + "\n".join(doors)


def test_the_walker_sees_each_kind_of_door():
    """The check above can fail: each pattern it forbids is found in a sample module."""
    sample = (
        "import sqlite3\n"
        "from sqlite3 import connect\n"
        "def f(db):\n"
        "    db.execute('SELECT 1')\n"
        "    db.conn.executemany('INSERT INTO t VALUES (?)', [])\n"
        "    db.executescript('')\n"
        "    db.query('SELECT 1')\n"
        "    sqlite3.connect('file:x?mode=ro', uri=True)\n"
        "    sqlite_utils.Database(memory=True)\n"
    )
    kinds = [door.split(" ", 1)[1] for door in _doors(sample, "sample.py")]
    assert sorted(kinds) == sorted([
        "from sqlite3 import connect",
        ".execute(...)",
        ".executemany(...)",
        ".conn",
        ".executescript(...)",
        ".query(...)",
        "sqlite3.connect(...)",
        "a hand-built SQLite URI",
        "Database(...)",
    ])  # fmt: skip


def test_read_only_opens_go_through_the_one_opener():
    """SQLite URIs (``?mode=ro``: the path-safe read-only open) are built in one
    place, store/database.py, and nothing else in the store connects by hand."""
    builders = sorted(
        str(path.relative_to(REPO))
        for path in VIEWER.rglob("*.py")
        if "?mode=" in path.read_text(encoding="utf-8")
    )
    assert builders == ["viewer/core/store/database.py"]
    connecting = sorted(
        str(path.relative_to(REPO))
        for path in STORE.rglob("*.py")
        if "sqlite3.connect(" in path.read_text(encoding="utf-8")
    )
    # database.py: the opener of the database and of existing files by URI;
    # backups.py: the new, empty backup file the SQLite backup API writes into.
    assert connecting == ["viewer/core/store/backups.py", "viewer/core/store/database.py"]
