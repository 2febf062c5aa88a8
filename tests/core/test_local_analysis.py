"""Local analysis in batches: what goes first, and N worker processes that stop at once."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import pytest

from viewer.core.model import Analysis, Article, Entity
from viewer.core.nlp.pipeline import AnalyzerKey
from viewer.core.nlp.process_pool import WorkerFailed
from viewer.core.store import open_db
from viewer.core.store.analyses import count_pending
from viewer.core.store.articles import upsert_articles
from viewer.core.tasks import analyse as workflow
from viewer.core.tasks import analyse_on_dask as dask_analysis
from viewer.core.tasks.analyse import analyze_pending, batches


class RecordingAnalyzer:
    """Stands in for spaCy where only the order of the work matters."""

    def __init__(self):
        self.key = AnalyzerKey("recording@1", "1")
        self.model_name = "recording"
        self.seen: list[str] = []

    def analyze_many(self, texts, should_stop=None):
        for text in texts:
            self.seen.append(text)
            yield Analysis((Entity(0, 6, "GPE", text[:6]),))


def corpus_db(path, texts):
    db = open_db(path, hand_over=True)  # a test may run the analysis in a thread
    upsert_articles(
        db, [Article(id=f"a{i}", text=t, title=f"t{i}", origin="r") for i, t in enumerate(texts)]
    )
    return db


def children() -> set:
    """Live processes this one started (other tests' may still be ending)."""
    return set(multiprocessing.active_children())


def analysed(db) -> int:
    return db.execute("SELECT count(*) FROM articles WHERE analysis_id IS NOT NULL").fetchone()[0]


def test_batches_bound_texts_and_characters():
    items = [(i, "h", "x" * 150_000) for i in range(5)] + [(9, "h", "short")]
    sizes = [[i for i, _, _ in b] for b in batches(iter(items), 32, 400_000)]
    assert sizes == [[0, 1], [2, 3], [4, 9]]  # 400,000 characters at most (one text may be more)
    many = [(i, "h", "t") for i in range(70)]
    assert [len(b) for b in batches(iter(many), 32, 400_000)] == [32, 32, 6]
    # The Dask path batches with the same code, with its own bounds.
    assert dask_analysis.BATCH_TEXTS == 32 and dask_analysis.BATCH_CHARS == 400_000


def test_the_article_wanted_first_is_analysed_and_saved_first(tmp_path, monkeypatch):
    monkeypatch.setattr(workflow, "LOCAL_BATCH_TEXTS", 4)
    texts = [f"Berlin report number {i}." for i in range(30)]
    db = corpus_db(tmp_path / "w.sqlite", texts)
    analyzer = RecordingAnalyzer()
    wanted = [[27, 28]]  # article ids: the one on screen and the next
    saved_first = []

    def progress(done, total, what):
        if done and not saved_first:
            saved_first.extend(
                r[0] for r in db.execute("SELECT id FROM articles WHERE analysis_id IS NOT NULL")
            )

    ran = analyze_pending(db, analyzer, progress, wanted_first=lambda: wanted[0])
    assert saved_first == [27, 28]  # the first batch saved held only them
    assert analyzer.seen[:2] == [texts[26], texts[27]]
    assert sorted(analyzer.seen) == sorted(texts)  # the rest in corpus order, none twice
    assert ran == 30 and analysed(db) == 30


def test_the_wanted_article_can_change_while_the_run_goes(tmp_path, monkeypatch):
    monkeypatch.setattr(workflow, "LOCAL_BATCH_TEXTS", 4)
    texts = [f"Paris dispatch {i}." for i in range(40)]
    db = corpus_db(tmp_path / "c.sqlite", texts)
    analyzer = RecordingAnalyzer()
    asked = []

    def wanted_first():
        asked.append(len(analyzer.seen))
        # The analyst moves to article 35 once the first two batches are done.
        return [35] if len(analyzer.seen) >= 8 else []

    analyze_pending(db, analyzer, wanted_first=wanted_first)
    assert analyzer.seen[:8] == texts[:8]
    assert analyzer.seen[8] == texts[34]  # article id 35 went next, alone
    assert analyzer.seen.count(texts[34]) == 1
    assert len(analyzer.seen) == 40


def test_a_wanted_article_already_cached_is_linked_not_analysed(tmp_path):
    texts = ["Rome news.", "Oslo news.", "Rome news."]  # article 3 repeats article 1's text
    db = corpus_db(tmp_path / "k.sqlite", texts)
    analyzer = RecordingAnalyzer()
    analyze_pending(db, analyzer, wanted_first=lambda: [1])
    assert analyzer.seen == ["Rome news.", "Oslo news."]  # the repeat reused the cache
    assert analysed(db) == 3


# -- worker processes (the real model) -----------------------------------------------------


def test_processes_analyse_the_wanted_article_first(tmp_path, analyzer, monkeypatch):
    monkeypatch.setattr(workflow, "LOCAL_BATCH_TEXTS", 2)
    texts = [f'Report {i} from Berlin. "We are ready," said Anna Schmidt. ' * 60 for i in range(11)]
    texts.append("A short note from Oslo.")  # article 12: done long before any other batch
    db = corpus_db(tmp_path / "p.sqlite", texts)
    first_saved = []
    before = children()

    def progress(done, total, what):
        if done and not first_saved:
            first_saved.extend(
                r[0] for r in db.execute("SELECT id FROM articles WHERE analysis_id IS NOT NULL")
            )

    analyze_pending(db, analyzer, progress, processes=2, wanted_first=lambda: [12])
    assert first_saved == [12]  # sent first, alone
    assert analysed(db) == 12
    assert children() <= before  # the workers are gone


def _long_article_db(path):
    # Long enough that the worker is still on it when the test stops or kills it.
    text = ("In Berlin, Anna Schmidt said the plan would work. " * 40 + "\n") * 600
    return corpus_db(path, ["A short note from Oslo.", text])


def test_cancel_kills_the_workers_without_waiting_for_their_batch(tmp_path, analyzer):
    db = _long_article_db(tmp_path / "l.sqlite")
    before = children()
    stop = threading.Event()
    saved = threading.Event()

    def progress(done, total, what):
        if done:
            saved.set()

    def run():
        analyze_pending(db, analyzer, progress, stop.is_set, processes=2, wanted_first=lambda: [1])

    runner = threading.Thread(target=run)
    runner.start()
    assert saved.wait(120)  # the short article came back: the long one is in a worker
    stop.set()
    runner.join(timeout=20)  # one batch of the long article takes minutes
    assert not runner.is_alive()
    assert children() <= before
    key = analyzer.key
    assert count_pending(db, key.model, key.pipeline) == 1  # the long one is left for later


def test_a_worker_that_dies_is_a_clear_error_and_keeps_what_finished(tmp_path, analyzer):
    db = _long_article_db(tmp_path / "d.sqlite")
    before = children()

    def kill_a_worker(done, total, what):
        if done:  # the short article is stored; the long one is in a worker
            for child in children() - before:
                os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(WorkerFailed, match="worker process died .* what finished is stored"):
        analyze_pending(db, analyzer, kill_a_worker, processes=2, wanted_first=lambda: [1])
    assert analysed(db) == 1
    assert children() <= before
