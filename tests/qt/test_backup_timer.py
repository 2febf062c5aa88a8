"""Regular backups while working: the BackupTimer (proposed tests/qt/test_backup_timer.py)."""

from __future__ import annotations

import os
import stat

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from viewer.core.store import open_db  # noqa: E402
from viewer.core.store.backups import list_backups  # noqa: E402
from viewer.qt.backup_timer import BackupTimer  # noqa: E402


def test_backups_run_off_the_ui_thread_skip_unchanged_and_are_pruned(qtbot, tmp_path) -> None:
    path = tmp_path / "work.sqlite"
    db = open_db(path)
    current = {"path": path}
    timer = BackupTimer(lambda: current["path"], minutes=60, keep=2)
    saved: list[str] = []
    timer.saved.connect(saved.append)
    for n in range(4):
        db.execute("INSERT INTO settings VALUES (?, 'v')", [f"k{n}"])
        with qtbot.waitSignal(timer.saved, timeout=10_000):
            assert timer.backup_now()
    assert not timer.backup_now()  # nothing changed since the last backup
    kept = list_backups(path, "auto")
    assert [str(p) for p in kept] == saved[-2:]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    current["path"] = None  # no database open: nothing to do
    assert not timer.backup_now()
    timer.stop()
    db.close()


def test_a_failed_backup_is_reported(qtbot, tmp_path) -> None:
    path = tmp_path / "work.sqlite"
    open_db(path).close()
    (tmp_path / "work.sqlite.backups").write_text("a file where the folder should be")
    timer = BackupTimer(lambda: path, minutes=60)
    with qtbot.waitSignal(timer.failed, timeout=10_000) as failed:
        assert timer.backup_now()
    assert "work.sqlite" in failed.args[0]
    timer.stop()


def test_the_timer_fires_on_its_own(qtbot, tmp_path) -> None:
    path = tmp_path / "work.sqlite"
    open_db(path).close()
    timer = BackupTimer(lambda: path, minutes=0.001, keep=5)  # 60 ms
    with qtbot.waitSignal(timer.saved, timeout=10_000):
        pass
    timer.stop()
