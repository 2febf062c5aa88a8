"""After Cancel the status bar says how many articles are left and how to go on;
Analysis → Resume Analysis analyses the rest."""

from __future__ import annotations

from PySide6.QtGui import QAction


def test_cancel_says_what_is_left_and_resume_finishes(make_window, tmp_path, qtbot):
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(300):
        (corpus / f"a{i:03d}.txt").write_text(
            f'Report {i} from Berlin. "We are ready," said Anna Schmidt of Siemens.',
            encoding="utf-8",
        )
    window = make_window()
    window.open_corpus(corpus, tmp_path / "db.sqlite")
    qtbot.waitUntil(lambda: window.job is not None, timeout=30_000)
    with qtbot.waitSignal(window.job.batch_saved, timeout=120_000):
        pass
    window.cancel_button.click()
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=120_000)
    left = window.db.execute("SELECT count(*) FROM articles WHERE analysis_id IS NULL").fetchone()[
        0
    ]
    assert 0 < left < 300
    message = window.statusBar().currentMessage()
    assert f"{left} articles are not analysed yet" in message
    assert "Analysis → Resume Analysis" in message
    [resume] = [a for a in window.findChildren(QAction) if a.text() == "&Resume Analysis"]
    resume.trigger()
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=120_000)
    assert window.last_job_finished is True
    assert (
        window.db.execute("SELECT count(*) FROM articles WHERE analysis_id IS NULL").fetchone()[0]
        == 0
    )
    assert window.statusBar().currentMessage().startswith("Ready: 300 articles")
