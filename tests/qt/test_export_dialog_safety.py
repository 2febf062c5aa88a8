"""Issue 11 in File → Export…: the database and its files are refused, another existing
file is replaced only when the user agrees, a new file gets the database's mode, and
an export error shows its message without the exception's type name."""

from __future__ import annotations

import os

import pytest

from tests.core.test_export import build_sample_db
from viewer.core.store.backups import backup_now, backups_dir
from viewer.core.tasks import export
from viewer.qt.dialogs.export import ExportDialog

TIMEOUT_MS = 30_000


@pytest.fixture
def open_db_path(tmp_path):
    """The sample database, held open as the main window holds it (its -wal exists)."""
    (tmp_path / "x").mkdir()
    path = tmp_path / "news.sqlite"
    db = build_sample_db(path)
    backup_now(db, path)
    yield path
    db.close()


@pytest.fixture
def dialog(qtbot, open_db_path, monkeypatch):
    d = ExportDialog(open_db_path)
    qtbot.addWidget(d)
    d.show()
    asked = []
    # No modal question in a test: record it and answer "no" unless a test says otherwise.
    answer = lambda path: asked.append(path) or False  # noqa: E731
    monkeypatch.setattr(d, "confirm_overwrite", answer, raising=False)
    d.asked = asked
    yield d
    d.close()  # cancels and waits for a job still running


def refused_message(qtbot, dialog, what, out) -> str:
    dialog.set_choice(what, out)
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT_MS) as blocker:
        dialog.export_button.click()
    assert dialog.job is None  # refused before any job started
    return blocker.args[0]


def protected_files(db_path):
    folder = db_path.parent
    (backup,) = backups_dir(db_path).iterdir()
    os.symlink(db_path.name, folder / "link.csv")
    return {
        str(db_path): ("is the database itself", db_path),
        str(folder / "x" / ".." / db_path.name): ("is the database itself", db_path),
        str(folder / "link.csv"): ("is the database itself", db_path),
        f"{folder}/x/../{db_path.name}-wal": ("-wal file", folder / f"{db_path.name}-wal"),
        f"{db_path}-shm": ("-shm file", folder / f"{db_path.name}-shm"),
        f"{db_path}-journal": ("-journal file", None),
        str(backups_dir(db_path)): ("backups folder", None),
        str(backup): ("backups folder", backup),
    }


@pytest.mark.parametrize("what", ["annotations", "jsonl"])
def test_dialog_refuses_the_open_database_and_its_files(qtbot, dialog, open_db_path, what):
    for typed, (reason, protected) in protected_files(open_db_path).items():
        before = protected.read_bytes() if protected else None
        message = refused_message(qtbot, dialog, what, typed)
        assert message.startswith(f"{typed}: ") and reason in message
        assert "choose another output file" in message
        assert dialog.status.text() == f"Not exported: {message}"
        if protected:
            assert protected.read_bytes() == before
    assert dialog.asked == []  # refused outright, never offered to replace


def test_dialog_asks_before_replacing_another_file(qtbot, dialog, tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    out.write_text("previous", encoding="utf-8")
    os.chmod(out, 0o644)
    dialog.set_choice("articles", out)
    dialog.export_button.click()  # the answer is "no"
    assert dialog.asked == [out] and dialog.job is None
    assert out.read_text(encoding="utf-8") == "previous"
    assert "left as it was" in dialog.status.text()

    monkeypatch.setattr(dialog, "confirm_overwrite", lambda path: dialog.asked.append(path) or True)
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT_MS):
        dialog.export_button.click()
    assert dialog.asked == [out, out]
    assert out.read_text(encoding="utf-8").startswith('"article_id"')
    assert out.stat().st_mode & 0o777 == 0o644  # a replaced file keeps its mode


def test_dialog_does_not_ask_for_a_new_file_and_gives_it_the_database_mode(
    qtbot, dialog, open_db_path, tmp_path
):
    out = tmp_path / "new.jsonl"
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT_MS):
        dialog.set_choice("jsonl", out)
        dialog.export_button.click()
    assert dialog.asked == []
    assert out.stat().st_mode & 0o777 == open_db_path.stat().st_mode & 0o777 == 0o600


def test_export_error_shows_just_its_message(qtbot, dialog, tmp_path):
    out = tmp_path / "no" / "such" / "folder.csv"
    dialog.set_choice("quotes", out)
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT_MS) as blocker:
        dialog.export_button.click()
    assert blocker.args[0].startswith(f"{out}: cannot write there")
    qtbot.waitUntil(lambda: dialog.job is None, timeout=TIMEOUT_MS)
    assert dialog.status.text() == f"Export failed: {blocker.args[0]}"


def test_unexpected_error_keeps_its_type_name(qtbot, dialog, tmp_path, monkeypatch):
    def broken(db, raw, who=None):
        raise RuntimeError("disk on fire")
        yield  # a generator, like the real sources

    monkeypatch.setitem(export._SOURCES, "articles", broken)
    out = tmp_path / "a.csv"
    dialog.set_choice("articles", out)
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT_MS) as blocker:
        dialog.export_button.click()
    assert blocker.args[0] == f"{out} (RuntimeError: disk on fire)"  # the file, the defect
    qtbot.waitUntil(lambda: dialog.job is None, timeout=TIMEOUT_MS)
