"""Closing the window while an export runs: finish it first, stop it, or stay (the user picks)."""

from __future__ import annotations

import threading

import pytest

from tests.qt.test_annotating import opened
from viewer.core.tasks import export

TIMEOUT_MS = 30_000


@pytest.fixture
def running_export(make_window, open_and_wait, tmp_path, monkeypatch, qtbot):
    """A window whose export is held mid-way until the test releases ``gate``."""
    gate = threading.Event()

    def held_rows(db, raw, who=None):
        yield '"first"\r\n', 1
        assert gate.wait(TIMEOUT_MS / 1000)  # until the test has closed the window
        yield '"second"\r\n', 1

    monkeypatch.setattr(export, "POLL_ARTICLES", 1)
    monkeypatch.setitem(export._SOURCES, "articles", held_rows)
    window = opened(make_window, open_and_wait, tmp_path)
    window.export()
    dialog = window.export_dialog
    out = tmp_path / "articles.csv"
    dialog.set_choice("articles", out)
    dialog.start_export()
    assert dialog.job is not None
    job, cancel = dialog.job, dialog.job.cancel
    job.cancel = lambda: (cancel(), gate.set())  # the held rows go on only once cancelled
    # pytest-qt closes the window before fixtures end: unless a test says otherwise, stop.
    monkeypatch.setattr(window, "ask_about_running_export", lambda dialog: "stop")
    yield window, dialog, out, gate
    gate.set()


def ask(window, monkeypatch, choice: str) -> list:
    asked = []
    monkeypatch.setattr(window, "ask_about_running_export",
                        lambda dialog: asked.append(dialog) or choice)  # fmt: skip
    return asked


def test_finish_then_close_writes_the_whole_file(running_export, monkeypatch, qtbot):
    window, dialog, out, gate = running_export
    asked = ask(window, monkeypatch, "finish")
    assert not window.close()  # not yet: the export is running
    assert asked == [dialog] and window.isVisible()
    assert "closes once the export has finished" in window.statusBar().currentMessage()
    gate.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=TIMEOUT_MS)
    assert out.read_text(encoding="utf-8").splitlines()[1:] == ['"first"', '"second"']


def test_stop_and_close_leaves_no_file(running_export, monkeypatch, qtbot):
    window, dialog, out, gate = running_export
    asked = ask(window, monkeypatch, "stop")
    job = dialog.job
    assert window.close()
    assert asked == [dialog]
    assert job.isFinished()  # closing waited for the export to stop
    assert not out.exists()  # a stopped export leaves no file (and no partial one)
    assert not list(out.parent.glob(".articles.csv.*"))


def test_keep_working_leaves_window_and_export_running(running_export, monkeypatch, qtbot):
    window, dialog, out, gate = running_export
    ask(window, monkeypatch, "stay")
    assert not window.close()
    assert window.isVisible() and dialog.job is not None
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT_MS):
        gate.set()
    assert window.isVisible() and out.exists()


def test_a_second_export_shows_the_running_one(running_export):
    window, dialog, _out, _gate = running_export
    window.export()
    assert window.export_dialog is dialog
