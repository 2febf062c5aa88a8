"""The window's background work as plain functions: a Task carries progress and Cancel."""

from __future__ import annotations

import threading

from tests.core.test_anchor_checks import changed_db
from viewer.core.annotations.anchor_review import read_anchor_review
from viewer.core.progress import Task
from viewer.core.tasks.window import CorpusRun, read_and_analyse


def test_a_task_forwards_progress_and_is_cancelled_from_another_thread():
    seen = []
    task = Task(lambda done, total, what: seen.append((done, total, what)))
    task.progress(1, 2, "half")
    assert not task.should_stop()
    canceller = threading.Thread(target=task.cancel)
    canceller.start()
    canceller.join()
    assert task.should_stop() and seen == [(1, 2, "half")]


def test_a_corpus_cancelled_at_once_reads_nothing_and_loads_no_model(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("News from Rome.", encoding="utf-8")
    task, reports = Task(), []
    task.cancel()
    run = read_and_analyse(
        tmp_path / "db.sqlite", corpus, task, model="no_such_model", imported=reports.append
    )  # a missing model would raise: the analysis never started
    assert run == CorpusRun(False) and reports[0].articles_loaded == 0


def test_the_anchor_review_reads_titles_and_tells_causes_apart(tmp_path):
    db, _aid, _ids = changed_db(tmp_path)
    review = read_anchor_review(tmp_path / "db.sqlite", moved=True)
    assert [(r.annotation.text, r.annotation.anchor_status) for r in review.rows][-1] == (
        "Paris",
        "moved",
    )
    assert review.counts["orphaned"] == 1 and review.counts["approximate"] == 1
    assert all(r.title for r in review.rows)
    in_place = {r.annotation.text: r.text_in_place for r in review.rows}
    assert in_place["talks went well"] is False  # the text changed: not the model's doing
