"""Hostile or damaged databases are refused at open, and nothing in them runs (issue 11, item 9).

A database shared by a colleague is input like any other. Its schema is compared
with what viewer's migrations define; a foreign trigger, view, table, column or
index, or a migrations table that lists tables which are not there, is refused
with a message naming the file, and the file is left byte for byte as it was.
The checks run under a time limit; a read-only folder or a full disk is named as
such, not as "not a usable SQLite database".
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from viewer.core.model import Article
from viewer.core.store import StoreError, open_db
from viewer.core.store import database as store_database
from viewer.core.store.annotations import annotations_for_article, insert_annotation, new_annotation
from viewer.core.store.articles import get_article, upsert_articles

TEXT = "Angela Merkel met Emmanuel Macron in Berlin."


def viewer_database(path: Path) -> Path:
    db = open_db(path)
    upsert_articles(db, [Article(id="a1", text=TEXT, title="T", origin="x")])
    db.close()
    return path


def tamper(path: Path, *statements: str) -> bytes:
    """Change the file with plain SQLite (as another program would); returns its bytes."""
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.read_bytes()


HOSTILE = {
    "trigger deleting every new annotation": (
        "CREATE TRIGGER eat AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END",
        "unexpected trigger 'eat'",
    ),
    "trigger rewriting a review note": (
        "CREATE TRIGGER rewrite AFTER UPDATE ON article_reviews "
        "BEGIN UPDATE article_reviews SET note = 'x'; END",
        "unexpected trigger 'rewrite'",
    ),
    "recursive view that never ends": (
        "CREATE VIEW forever AS WITH RECURSIVE n(i) AS "
        "(SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
        "unexpected view 'forever'",
    ),
    "foreign table": ("CREATE TABLE extra (x)", "unexpected table 'extra'"),
    "foreign column": ("ALTER TABLE annotations ADD COLUMN evil TEXT", "table 'annotations'"),
    "foreign index": ("CREATE INDEX by_note ON annotations(note)", "unexpected index 'by_note'"),
    "table listed by the migrations but missing": (
        "DROP TABLE merge_conflicts",
        "missing or altered table 'merge_conflicts'",
    ),
    "index of viewer's schema dropped": (
        "DROP INDEX annotations_by_span",
        "missing or altered index 'annotations_by_span'",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=lambda c: c.replace(" ", "-"))
def test_hostile_database_is_refused_by_name_and_left_untouched(tmp_path, case):
    sql, why = HOSTILE[case]
    path = viewer_database(tmp_path / "shared.sqlite")
    before = tamper(path, sql)
    with pytest.raises(StoreError) as refused:
        open_db(path)
    message = str(refused.value)
    assert str(path) in message and why in message and "not opened" in message
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists() or (
        path.with_name(path.name + "-wal").stat().st_size == 0
    )


def test_migrations_listing_a_migration_out_of_order_is_refused(tmp_path):
    path = viewer_database(tmp_path / "shared.sqlite")
    before = tamper(path, "DELETE FROM _sqlite_migrations WHERE name = (SELECT min(name) FROM "
                          "_sqlite_migrations)")  # fmt: skip
    with pytest.raises(StoreError, match="damaged viewer schema"):
        open_db(path)
    assert path.read_bytes() == before


def test_a_trigger_never_fires_because_the_file_is_never_opened(tmp_path):
    """The reproduction: with the trigger, every acknowledged edit vanished."""
    path = viewer_database(tmp_path / "shared.sqlite")
    tamper(path, HOSTILE["trigger deleting every new annotation"][0])
    with pytest.raises(StoreError):
        open_db(path)
    # Without the trigger the same file opens and keeps the edit.
    tamper(path, "DROP TRIGGER eat")
    db = open_db(path)
    article = get_article(db, 1)
    insert_annotation(db, new_annotation(1, article.text, article.text_hash, 0, 13,
                                         kind="span", action="added", label="PERSON"))  # fmt: skip
    assert [a.text for a in annotations_for_article(db, 1)] == ["Angela Merkel"]
    db.close()


def test_schema_functions_are_not_trusted(tmp_path):
    db = open_db(tmp_path / "a.sqlite")
    assert db.execute("PRAGMA trusted_schema").fetchone()[0] == 0
    db.close()


def test_checks_that_run_too_long_are_stopped_and_named(tmp_path, monkeypatch):
    path = tmp_path / "big.sqlite"
    db = open_db(path)  # enough pages that the checks run many SQLite steps
    upsert_articles(db, [Article(id=f"a{i}", text=f"{TEXT} {i}", title="T", origin="x")
                         for i in range(3000)])  # fmt: skip
    db.close()
    before = path.read_bytes()
    monkeypatch.setattr(store_database, "OPEN_CHECK_SECONDS", -1.0)  # already past
    with pytest.raises(StoreError, match=r"big\.sqlite: checking the database took longer"):
        open_db(path)
    assert path.read_bytes() == before


# -- read-only folder and full disk: real file systems (a small tmpfs), when we may mount --------


@contextmanager
def small_file_system(folder: Path, options: str):
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def can_mount():
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")


def test_new_database_in_a_read_only_folder_says_so(tmp_path, can_mount):
    with small_file_system(tmp_path / "ro", "ro,size=1m") as folder:
        with pytest.raises(StoreError) as refused:
            open_db(folder / "new.sqlite")
    message = str(refused.value)
    assert "new.sqlite" in message and "read-only" in message
    assert "not a usable SQLite database" not in message


def test_existing_database_in_a_read_only_folder_says_so(tmp_path, can_mount):
    source = viewer_database(tmp_path / "db.sqlite")
    with small_file_system(tmp_path / "ro", "size=4m") as folder:
        (folder / "db.sqlite").write_bytes(source.read_bytes())
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        with pytest.raises(StoreError) as refused:
            open_db(folder / "db.sqlite")
    message = str(refused.value)
    assert "db.sqlite" in message and "read-only" in message
    assert "not a usable SQLite database" not in message


def test_full_disk_at_open_says_so(tmp_path, can_mount):
    with small_file_system(tmp_path / "full", "size=64k") as folder:
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
        try:  # fill the disk to the last byte
            while os.write(fd, b"\0" * 512):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        with pytest.raises(StoreError) as refused:
            open_db(folder / "new.sqlite")
    message = str(refused.value)
    assert "new.sqlite" in message and "is full" in message
    assert "not a usable SQLite database" not in message
