"""The database file: refused when unusable (and never written), private, backed up, migrated."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from viewer.core.model import Article
from viewer.core.store import StoreError, open_db
from viewer.core.store import database as database_module
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.store.backups import backup_now, backups_dir, list_backups, prune_backups
from viewer.core.store.schema import migrations

FIRST = migrations._migrations[0].name
SECOND = migrations._migrations[1].name


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fingerprint(path: Path) -> tuple[str, float]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime


def sidecars(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p.name.startswith(path.name + "-")]


def filled_db(path: Path) -> None:
    db = open_db(path)
    (article_id,) = upsert_articles(
        db, [Article(id="a", text="Ann Lee spoke. " * 200, title="A", origin="a.txt")]
    )
    art = get_article(db, article_id)
    for i in range(20):
        ann = new_annotation(
            article_id,
            art.text,
            art.text_hash,
            i,
            i + 5,
            kind="span",
            action="added",
            label="Claim",
            note=f"n{i}",
        )
        insert_annotation(db, ann)
    db.close()


def old_db(path: Path) -> None:
    """A database as the first viewer version left it: only 0001 applied, with data."""
    db = Database(path)
    migrations.apply(db, stop_before=SECOND)
    db.execute(
        "INSERT INTO articles (ext_id, title, origin, text, text_hash, imported_at) "
        "VALUES ('old', 'Old', 'old.txt', 'Old text.', 'h', 'then')"
    )
    db.close()


# --- refused files are never written -----------------------------------------------------


def corrupt_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 2, len(data) - page, page * 3):
        data[offset + 8 : offset + 200] = os.urandom(192)
    path.write_bytes(bytes(data))


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def bad_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[16:24] = b"\xff" * 8  # page size and format bytes
    path.write_bytes(bytes(data))


def not_sqlite(path: Path) -> None:
    path.write_bytes(b"id,text\n1,hello\n" * 300)


def html_named(path: Path) -> None:
    path.write_bytes(b"<html><body>not a database</body></html>")


@pytest.mark.parametrize(
    "damage",
    [not_sqlite, html_named, bad_header, truncated, corrupt_middle],
    ids=lambda f: f.__name__,
)
def test_unusable_file_is_refused_with_its_name_and_left_untouched(tmp_path, damage) -> None:
    path = tmp_path / "work.sqlite"
    filled_db(path)
    damage(path)
    before = fingerprint(path)
    with pytest.raises(StoreError, match=r"work\.sqlite: not a usable SQLite database"):
        open_db(path)
    assert fingerprint(path) == before
    assert sidecars(path) == []  # no WAL left holding writes for it
    assert not backups_dir(path).exists()


def test_sqlite_file_of_another_program_is_refused_untouched(tmp_path) -> None:
    path = tmp_path / "photos.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO photos (name) VALUES ('cat.jpg')")
    conn.close()
    before = fingerprint(path)
    with pytest.raises(StoreError, match=r"photos\.db: a SQLite database of another program"):
        open_db(path)
    assert fingerprint(path) == before


def test_newer_database_is_refused_untouched(tmp_path) -> None:
    path = tmp_path / "new.sqlite"
    filled_db(path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('viewer', '9999_future', 'later')"
        )
    conn.close()
    before = fingerprint(path)
    with pytest.raises(StoreError, match="newer version of viewer"):
        open_db(path)
    assert fingerprint(path) == before
    assert not backups_dir(path).exists()


def test_folder_given_as_database_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(StoreError, match="cannot open the database"):
        open_db(tmp_path)


# --- older databases: backed up, then migrated in one transaction -----------------------


def test_older_database_is_backed_up_then_migrated(tmp_path) -> None:
    path = tmp_path / "old.sqlite"
    old_db(path)
    db = open_db(path)
    assert [m.name for m in migrations.pending(db)] == []
    assert db.execute("SELECT ext_id FROM articles").fetchall() == [("old",)]
    (backup,) = list_backups(path)
    assert backup.parent == tmp_path / "old.sqlite.backups"
    assert backup.name.startswith("old-") and backup.name.endswith(f"-pre-{SECOND}.sqlite")
    copy = Database(backup)
    assert [m.name for m in migrations.applied(copy)] == [FIRST]  # the state before migrating
    assert copy.execute("SELECT ext_id FROM articles").fetchall() == [("old",)]
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert mode(backup) == 0o600 and mode(backup.parent) == 0o700
    copy.close()


def test_new_database_needs_no_backup(tmp_path) -> None:
    open_db(tmp_path / "fresh.sqlite").close()
    assert not backups_dir(tmp_path / "fresh.sqlite").exists()


def test_all_pending_migrations_run_in_one_transaction(tmp_path, monkeypatch) -> None:
    path = tmp_path / "old.sqlite"
    old_db(path)
    statements: list[str] = []
    real_connect = sqlite3.connect

    def traced_connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(database_module.sqlite3, "connect", traced_connect)
    open_db(path).close()
    control = [s.split()[0].upper() for s in statements if _is_transaction_control(s)]
    # One BEGIN IMMEDIATE ... COMMIT around everything; each migration is a savepoint in it.
    assert control.count("BEGIN") == 1 and control.count("COMMIT") == 1
    begin, commit = statements.index("BEGIN IMMEDIATE"), statements.index("COMMIT")
    writes = [i for i, s in enumerate(statements) if s.lstrip().upper().startswith(_WRITES)]
    assert writes and all(begin < i < commit for i in writes)


_WRITES = ("CREATE", "INSERT", "UPDATE", "DELETE", "DROP", "ALTER")


def _is_transaction_control(sql: str) -> bool:
    return sql.split()[0].upper() in {"BEGIN", "COMMIT", "END", "ROLLBACK"}


def test_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch) -> None:
    path = tmp_path / "old.sqlite"
    old_db(path)
    staged = Migrations("viewer")
    staged(name=FIRST)(migrations._migrations[0].fn)

    @staged(name="0002_works")
    def _works(db: Database) -> None:
        db.execute("CREATE TABLE added_by_0002 (x)")

    @staged(name="0003_fails")
    def _fails(db: Database) -> None:
        db.execute("CREATE TABLE added_by_0003 (x)")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(database_module, "migrations", staged)
    with pytest.raises(RuntimeError, match="migration bug"):
        open_db(path)
    check = Database(path)
    assert [m.name for m in staged.applied(check)] == [FIRST]  # 0002 was rolled back too
    assert not check["added_by_0002"].exists() and not check["added_by_0003"].exists()
    assert check.execute("SELECT ext_id FROM articles").fetchall() == [("old",)]
    check.close()
    assert len(list_backups(path)) == 1  # taken before the attempt


# --- permissions ------------------------------------------------------------------------------


def test_new_database_and_its_wal_are_private_whatever_the_umask(tmp_path) -> None:
    old_umask = os.umask(0o000)  # the most permissive: nothing is filtered out
    try:
        path = tmp_path / "new" / "deeper" / "db.sqlite"
        db = open_db(path)
        filled = db.execute("SELECT count(*) FROM articles").fetchone()
        assert filled == (0,)
        db.execute("INSERT INTO settings VALUES ('k', 'v')")
        wal, shm = (path.with_name(path.name + s) for s in ("-wal", "-shm"))
        assert {mode(path), mode(wal), mode(shm)} == {0o600}
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
        backup = backup_now(db, path, keep=3)
        assert mode(backup) == 0o600 and mode(backup.parent) == 0o700
        db.close()
    finally:
        os.umask(old_umask)


def test_default_data_folder_is_private(tmp_path, monkeypatch) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # as an older viewer may have left it
    monkeypatch.setenv("VIEWER_DATA_DIR", str(data))
    path = database_module.default_db_path(tmp_path / "corpus")
    open_db(path).close()
    assert mode(data) == 0o700 and mode(data / "corpora") == 0o700 and mode(path) == 0o600


def test_existing_user_folder_is_left_as_it_is(tmp_path) -> None:
    os.chmod(tmp_path, 0o755)
    open_db(tmp_path / "mine.sqlite").close()
    assert mode(tmp_path) == 0o755


# --- regular backups ------------------------------------------------------------------------------


def test_backups_are_consistent_copies_and_pruned_to_the_newest(tmp_path) -> None:
    path = tmp_path / "work.sqlite"
    filled_db(path)
    db = open_db(path)
    made = []
    for n in range(5):
        db.execute("INSERT INTO settings VALUES (?, ?)", [f"k{n}", "v"])
        made.append(backup_now(db, path, keep=3))
    kept = list_backups(path, "auto")
    assert kept == made[-3:]
    for number, backup in enumerate(kept, start=2):
        copy = sqlite3.connect(backup)
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
        assert copy.execute("SELECT count(*) FROM settings").fetchone()[0] == number + 1
        assert copy.execute("SELECT count(*) FROM annotations").fetchone()[0] == 20
        copy.close()
    assert not [p for p in backups_dir(path).iterdir() if p.suffix == ".partial"]
    db.close()


def test_pruning_keeps_pre_migration_backups(tmp_path) -> None:
    path = tmp_path / "old.sqlite"
    old_db(path)
    db = open_db(path)
    for _ in range(3):
        backup_now(db, path, keep=1)
    assert len(list_backups(path, "auto")) == 1
    assert len(list_backups(path)) == 2  # the pre-migration one stays
    (auto,) = list_backups(path, "auto")
    assert prune_backups(path, keep=0) == [auto]
    assert [b.name.endswith(f"-pre-{SECOND}.sqlite") for b in list_backups(path)] == [True]
    db.close()


def test_backup_of_a_busy_database_is_a_snapshot(tmp_path) -> None:
    path = tmp_path / "work.sqlite"
    filled_db(path)
    reader = open_db(path)
    writer = open_db(path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO settings VALUES ('uncommitted', 'x')")
    backup = backup_now(reader, path)  # another connection's open transaction: not copied
    writer.execute("COMMIT")
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    copy.close()
    reader.close()
    writer.close()
