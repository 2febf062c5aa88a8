"""Ingest that stops (cancel or crash) and continues where it stopped; several processes."""

from __future__ import annotations

import pytest

from viewer.cli import build_parser
from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.analyses import count_pending, load_analysis
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.tasks import analyse as workflow
from viewer.core.tasks.analyse import analyze_pending

N = 14


def texts(n: int = N) -> list[str]:
    return [
        f'Report {i} from Berlin. "We are ready," said Anna Schmidt of Siemens.' for i in range(n)
    ]


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setattr(workflow, "LOCAL_BATCH_TEXTS", 4)  # several batches from a few texts
    db = open_db(tmp_path / "r.sqlite")
    upsert_articles(
        db, [Article(id=f"a{i}", text=t, title=t, origin="r") for i, t in enumerate(texts())]
    )
    return db


def analysed(db) -> int:
    return db.execute("SELECT count(*) FROM articles WHERE analysis_id IS NOT NULL").fetchone()[0]


def test_cancelled_run_keeps_batches_and_next_run_continues(db, analyzer):
    calls = []

    def progress(done, total, what):
        calls.append(done)

    ran = analyze_pending(db, analyzer, progress, should_stop=lambda: len(calls) >= 2)
    assert ran == 4  # one batch saved, then the stop was seen
    assert analysed(db) == 4
    key = analyzer.key
    assert count_pending(db, key.model, key.pipeline) == N - 4
    seen = []
    ran = analyze_pending(db, analyzer, lambda d, t, w: seen.append((d, t)))
    assert ran == N - 4
    assert seen[0] == (0, N - 4) and seen[-1] == (N - 4, N - 4)
    assert analysed(db) == N
    # Nothing was analysed twice: one analysis per distinct text.
    assert db.execute("SELECT count(*) FROM analyses").fetchone()[0] == N


def test_crash_mid_run_keeps_saved_batches(db, analyzer):
    def crash(done, total, what):
        if done >= 8:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        analyze_pending(db, analyzer, crash)
    assert analysed(db) == 8
    assert analyze_pending(db, analyzer) == N - 8
    assert analysed(db) == N


def test_stop_before_start_runs_nothing(db, analyzer):
    assert analyze_pending(db, analyzer, should_stop=lambda: True) == 0
    assert analysed(db) == 0


def test_progress_tells_rate_and_time_left(db, analyzer):
    messages = []
    analyze_pending(db, analyzer, lambda d, t, w: messages.append(w))
    assert messages[0] == "Analysing"
    assert "articles/s" in messages[1] and "left" in messages[1]
    assert messages[-1].startswith(f"Analysing: {N} of {N} articles")


def test_two_processes_give_the_same_analyses(tmp_path, db, analyzer):
    analyze_pending(db, analyzer, processes=2)
    assert analysed(db) == N
    other = open_db(tmp_path / "one.sqlite")
    upsert_articles(
        other, [Article(id=f"a{i}", text=t, title=t, origin="r") for i, t in enumerate(texts())]
    )
    analyze_pending(other, analyzer, processes=1)
    for article_id in range(1, N + 1):
        a, b = get_article(db, article_id), get_article(other, article_id)
        assert load_analysis(db, a.analysis_id) == load_analysis(other, b.analysis_id)
        assert load_analysis(db, a.analysis_id).quotes  # quotes came back from the workers


def test_two_processes_resume_after_cancel(db, analyzer):
    calls = []
    analyze_pending(
        db, analyzer, lambda d, t, w: calls.append(d), lambda: len(calls) >= 2, processes=2
    )
    assert 0 < analysed(db) < N
    analyze_pending(db, analyzer, processes=2)
    assert analysed(db) == N


def test_cli_takes_a_process_count():
    parser = build_parser()
    args = parser.parse_args(["analyze", "c.jsonl", "--jsonl", "-", "--processes", "2"])
    assert args.processes == 2
    assert parser.parse_args(["analyze", "c.jsonl", "--jsonl", "-"]).processes == 1
    with pytest.raises(SystemExit):
        parser.parse_args(["analyze", "c.jsonl", "--jsonl", "-", "--processes", "0"])
