"""Benchmark: analyst edits with a million annotations in the database.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_annotations.py [--total N]

Prints the commit time of single edits (insert, update, delete; each its own
transaction, as in the app) and the time to switch to an article carrying 500
annotations in the real window, with a same-run baseline for each: a bare
one-row INSERT + COMMIT in the same file, and switching to an article with
no annotations. Targets: edit p95 <= 5 ms; switch p95 <= 30 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from viewer.core.model import CONTEXT_CHARS, Article  # noqa: E402
from viewer.core.store import open_db  # noqa: E402
from viewer.core.store.annotations import (  # noqa: E402
    delete_annotation,
    insert_annotation,
    new_annotation,
    update_annotation,
)
from viewer.core.store.articles import get_article, upsert_articles  # noqa: E402

WORDS = (
    "minister officials said budget talks Berlin Paris agreement reporters policy "
    "parliament election spokesperson statement economy security coalition"
).split()


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def article_text(rng: random.Random, words: int = 600) -> str:
    paras = []
    for _ in range(words // 60):
        sentence = " ".join(rng.choice(WORDS) for _ in range(60))
        paras.append(sentence.capitalize() + ".")
    return "\n".join(paras)


def build(db_path: Path, total: int, articles: int, dense: int) -> list[int]:
    rng = random.Random(7)
    db = open_db(db_path)
    ids = upsert_articles(
        db,
        [
            Article(id=f"a{i}", text=article_text(rng), title=f"Article {i}", origin="bench")
            for i in range(articles)
        ],
    )
    rows = []
    now = "2026-11-28T00:00:00+00:00"
    # Two articles carry `dense` annotations, the last none (the baseline).
    per_other = (total - dense * 2) // (articles - 3)
    for n, article_id in enumerate(ids):
        art = get_article(db, article_id)
        count = dense if n < 2 else 0 if n == len(ids) - 1 else per_other
        if n == 2:  # the rounding remainder, so the total is exact
            count += total - dense * 2 - per_other * (articles - 3)
        for _ in range(count):
            start = rng.randrange(0, len(art.text) - 40)
            end = start + rng.randrange(3, 40)
            rows.append(
                (
                    article_id,
                    "span",
                    "added",
                    "Claim",
                    start,
                    end,
                    art.text[start:end],
                    art.text[max(0, start - CONTEXT_CHARS) : start],
                    art.text[end : end + CONTEXT_CHARS],
                    art.text_hash,
                    "bench",
                    now,
                    now,
                )
            )
    with db.atomic():
        db.conn.executemany(
            'INSERT INTO annotations (article_id, kind, action, label, start, "end", text, '
            "left_context, right_context, text_hash, annotator, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()
    return ids


def bench_edits(db_path: Path, article_id: int, n: int = 400) -> None:
    db = open_db(db_path)
    art = get_article(db, article_id)
    db.execute("CREATE TABLE IF NOT EXISTS bench_baseline (x INTEGER)")
    baseline = []
    for i in range(n):
        t = time.perf_counter()
        with db.atomic():
            db.execute("INSERT INTO bench_baseline VALUES (?)", [i])
        baseline.append(time.perf_counter() - t)
    inserts, updates, deletes = [], [], []
    made = []
    for i in range(n):
        ann = new_annotation(
            art.id,
            art.text,
            art.text_hash,
            10 + i,
            20 + i,
            kind="span",
            action="added",
            label="Claim",
            annotator="bench",
        )
        t = time.perf_counter()
        made.append(insert_annotation(db, ann))
        inserts.append(time.perf_counter() - t)
    for ann in made:
        t = time.perf_counter()
        update_annotation(db, ann.id, note="checked")
        updates.append(time.perf_counter() - t)
    for ann in made:
        t = time.perf_counter()
        delete_annotation(db, ann.id)
        deletes.append(time.perf_counter() - t)
    total = db.execute("SELECT count(*) FROM annotations").fetchone()[0]
    print(f"annotations in the database: {total:,}")
    print(
        f"baseline one-row INSERT+COMMIT: p50 {p(baseline, 0.5):.2f} ms, "
        f"p95 {p(baseline, 0.95):.2f} ms"
    )
    for name, values in (("insert", inserts), ("update", updates), ("delete", deletes)):
        print(
            f"edit commit ({name}): p50 {p(values, 0.5):.2f} ms, p95 {p(values, 0.95):.2f} ms "
            f"(target <= 5 ms), p95/baseline {p(values, 0.95) / p(baseline, 0.95):.2f}"
        )
    db.close()


def bench_switch(db_path: Path, dense_ids: list[int], empty_id: int, rounds: int = 60) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from viewer.qt.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    settings_dir = tempfile.mkdtemp()
    settings = QSettings(os.path.join(settings_dir, "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    window.db = open_db(db_path)
    window._labels = []
    from viewer.core.store.labels import ensure_default_labels, list_labels

    ensure_default_labels(window.db)
    window._labels = list_labels(window.db)

    def timed(article_id: int) -> float:
        t = time.perf_counter()
        window.show_article(article_id)
        app.processEvents()  # includes the layout and paint of the new text
        return time.perf_counter() - t

    dense, empty = [], []
    for i in range(rounds):
        dense.append(timed(dense_ids[i % 2]))
        shown = len(window.view.text.spans)
        empty.append(timed(empty_id))
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            for i in range(20):
                timed(dense_ids[i % 2])
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    print(
        f"switch to an article with {shown} annotations: p50 {p(dense, 0.5):.1f} ms, "
        f"p95 {p(dense, 0.95):.1f} ms (target <= 30 ms)"
    )
    print(
        f"baseline, same article size without annotations: p50 {p(empty, 0.5):.1f} ms, "
        f"p95 {p(empty, 0.95):.1f} ms; ratio {p(dense, 0.95) / p(empty, 0.95):.2f}"
    )
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--db", help="keep the database here (default: a temp file)")
    args = parser.parse_args()
    db_path = Path(args.db or Path(tempfile.mkdtemp()) / "bench.sqlite")
    t = time.perf_counter()
    ids = build(db_path, args.total, args.articles, dense=500)
    print(
        f"built {args.total:,} annotations over {args.articles} articles "
        f"in {time.perf_counter() - t:.1f} s ({db_path.stat().st_size / 1e6:.0f} MB)"
    )
    bench_edits(db_path, ids[5])
    bench_switch(db_path, ids[:2], ids[-1])


if __name__ == "__main__":
    main()
