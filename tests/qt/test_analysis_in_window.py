"""The window analyses a big corpus in one process per core, the article on screen first."""

from __future__ import annotations

import multiprocessing
import sqlite3

from viewer.core.nlp import process_pool

from .conftest import JOB_TIMEOUT_MS

N = 400  # above process_pool.WORTH_PROCESSES: the window uses worker processes


def _corpus(folder):
    folder.mkdir()
    for i in range(N):
        (folder / f"a{i:03d}.txt").write_text(
            f'Report {i} from Berlin. "We are ready," said Anna Schmidt of Siemens.',
            encoding="utf-8",
        )
    return folder


def analysed(db) -> int:
    return db.execute("SELECT count(*) FROM articles WHERE analysis_id IS NOT NULL").fetchone()[0]


def test_the_article_opened_is_analysed_before_the_rest(make_window, tmp_path, qtbot):
    assert N >= process_pool.WORTH_PROCESSES
    window = make_window()
    window.open_corpus(_corpus(tmp_path / "big"), tmp_path / "db.sqlite")
    qtbot.waitUntil(lambda: window.job is not None, timeout=30_000)
    with qtbot.waitSignal(window.job.imported, timeout=JOB_TIMEOUT_MS):
        pass
    qtbot.waitUntil(lambda: window.articles.total == N, timeout=30_000)
    far = window.db.execute("SELECT max(id) - 20 FROM articles").fetchone()[0]
    window.show_article(far)  # what choosing it in the list or the search does
    assert window.current_id == far and window._shown_analysis is None
    # Its highlights arrive while most of the corpus is still waiting.
    qtbot.waitUntil(lambda: window._shown_analysis is not None, timeout=JOB_TIMEOUT_MS)
    assert analysed(window.db) < N // 2
    assert "Anna Schmidt" in {e.text for e in window.view.text.analysis.entities}
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=JOB_TIMEOUT_MS)
    assert window.last_job_finished is True
    assert analysed(window.db) == N
    assert multiprocessing.active_children() == []  # the workers ended with the job


def test_closing_the_window_mid_analysis_stops_the_workers(make_window, tmp_path, qtbot):
    window = make_window()
    window.open_corpus(_corpus(tmp_path / "big"), tmp_path / "db.sqlite")
    qtbot.waitUntil(lambda: window.job is not None, timeout=30_000)
    with qtbot.waitSignal(window.job.batch_saved, timeout=JOB_TIMEOUT_MS):
        pass
    assert multiprocessing.active_children()  # analysing in worker processes
    window.close()  # waits for the job, which kills its workers rather than wait for them
    assert multiprocessing.active_children() == []
    assert window.db is None


def test_closing_during_one_long_article_kills_its_worker(make_window, tmp_path, qtbot):
    # One article: one worker process, still spaCy's for many seconds when closed.
    folder = tmp_path / "long"
    folder.mkdir()
    text = ("In Berlin, Anna Schmidt said the plan would work. " * 40 + "\n") * 400
    (folder / "long.txt").write_text(text, encoding="utf-8")
    window = make_window()
    window.open_corpus(folder, tmp_path / "db.sqlite")
    qtbot.waitUntil(lambda: multiprocessing.active_children() != [], timeout=JOB_TIMEOUT_MS)
    window.close()  # never waits for spaCy's batch: the worker is killed
    assert multiprocessing.active_children() == []
    with sqlite3.connect(tmp_path / "db.sqlite") as check:
        assert check.execute("SELECT count(*) FROM analyses").fetchone()[0] == 0


def test_batches_arriving_fast_still_refresh_the_window_as_they_come(
    make_window, open_and_wait, tmp_path, qtbot, monkeypatch
):
    """The refresh after a batch runs at most every 0.5 s, but runs: restarting its
    timer on each batch put it off to the end of the analysis."""
    from PySide6.QtCore import QObject, QTimer, Signal

    from tests.conftest import SEEDS

    class Batches(QObject):  # stands in for the job's signal, at a pace no test can rely on
        batch_saved = Signal()

    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "db.sqlite")
    reloads = []
    reload = window.articles.reload
    monkeypatch.setattr(window.articles, "reload", lambda: (reloads.append(1), reload()))
    job = Batches()
    job.batch_saved.connect(window._on_batch_saved)
    window.job = job
    pulse = QTimer(interval=50)
    pulse.timeout.connect(job.batch_saved.emit)  # 20 batches a second
    pulse.start()
    try:
        qtbot.waitUntil(lambda: len(reloads) >= 3, timeout=10_000)
    finally:
        pulse.stop()
        window.job = None
