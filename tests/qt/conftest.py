"""GUI tests run offscreen with pytest-qt, each with its own settings file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from viewer.qt.main_window import MainWindow  # noqa: E402

JOB_TIMEOUT_MS = 120_000  # the first job loads the spaCy model


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    """Build a window; call open_and_wait on it to load a corpus fully."""

    def make(s: QSettings | None = None) -> MainWindow:
        window = MainWindow(s or settings)
        qtbot.addWidget(window)
        window.show()
        return window

    return make


@pytest.fixture
def open_and_wait(qtbot):
    def run(window: MainWindow, corpus, db=None) -> None:
        assert window.open_corpus(corpus, db)
        # Wait on the window's state, not a signal that may already have fired.
        qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=JOB_TIMEOUT_MS)
        assert window.last_job_finished is True

    return run
