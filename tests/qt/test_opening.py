"""Opening a database runs off the UI thread, and a refused one leaves the open one open."""

from __future__ import annotations

import sqlite3
import threading

from tests.qt.test_annotating import make_corpus, opened
from viewer.qt import jobs

TIMEOUT_MS = 120_000


def test_the_database_is_checked_off_the_ui_thread(make_window, tmp_path, qtbot, monkeypatch):
    gate, opened_in = threading.Event(), []
    real_open_db = jobs.open_db

    def slow_open_db(path, **options):  # stands for the checks of a large file
        opened_in.append(threading.current_thread())
        assert gate.wait(TIMEOUT_MS / 1000)
        return real_open_db(path, **options)

    monkeypatch.setattr(jobs, "open_db", slow_open_db)
    window = make_window()
    assert window.open_corpus(make_corpus(tmp_path), tmp_path / "db.sqlite")  # returns at once
    qtbot.waitUntil(lambda: bool(opened_in), timeout=TIMEOUT_MS)
    assert opened_in[0] is not threading.main_thread()
    assert window.db is None and "Opening" in window.statusBar().currentMessage()
    assert window.progress.isVisible()
    gate.set()
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=TIMEOUT_MS)
    assert window.last_job_finished is True
    assert window.articles.total == 2  # the connection works on the UI thread
    assert "Merkel" in window.view.text.text


def test_a_hostile_database_is_refused_and_the_open_one_stays_open(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    good = window.db_path
    hostile = tmp_path / "shared.sqlite"
    source, conn = sqlite3.connect(good), sqlite3.connect(hostile)
    source.backup(conn)  # a colleague's copy of the same database ...
    source.close()
    conn.execute(
        "CREATE TRIGGER eat AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END"
    )
    conn.commit()  # ... carrying a trigger that deletes every new annotation
    conn.close()
    before = hostile.read_bytes()

    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("Other news.", encoding="utf-8")
    assert window.open_corpus(other, hostile)
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=TIMEOUT_MS)
    assert window.last_job_finished is False
    message = window.statusBar().currentMessage()
    assert "shared.sqlite" in message and "unexpected trigger 'eat'" in message
    assert hostile.read_bytes() == before
    assert window.db_path == good and window.db is not None  # nothing else is lost
    text = window.view.text
    start = text.text.index("Paris")
    text.select_span(start, start + len("Paris"))
    assert window.annotating.label_selection(window._labels[0].name)
