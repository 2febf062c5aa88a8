"""Team work at scale (run by hand, not by pytest).

    .venv/bin/python tests/benchmarks/bench_team.py [DB] [--articles 2000] [--per-article 10]

Copies DB (default /tmp/viewer-bench-100000.sqlite, built by bench_scale.py)
to a temporary file, opens it (the team migrations run on a copy, never on
the original), then gives two annotators ("ann", "bob") the same articles
(--articles of them), each with --per-article entity decisions (bob differs
on one in five) and a status, and measures on this machine:

- opening (migrating) the copy;
- the annotator filter (count + first page) against the same filter without
  an annotator, in the same run (a ratio: the machine's speed drops out);
- the conflicts of one article (what showing an article adds) against
  loading its annotations alone;
- every conflict of the corpus (Review → Conflicts…);
- reading both annotators' work and computing the agreement (viewer agreement).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from viewer.core.store import open_db  # noqa: E402
from viewer.core.store.annotations import annotations_for_article, new_annotation  # noqa: E402
from viewer.core.store.articles import get_article, now  # noqa: E402
from viewer.core.store.database import atomic  # noqa: E402
from viewer.core.store.filters import ArticleFilter, filtered_count, filtered_rows  # noqa: E402
from viewer.core.store.reviews import reviews_of  # noqa: E402
from viewer.core.store.transfer import insert_annotation  # noqa: E402
from viewer.core.team.agreement import agreement  # noqa: E402
from viewer.core.team.conflicts import article_conflicts, corpus_conflicts  # noqa: E402
from viewer.core.team.work import pick_annotator, read_work  # noqa: E402


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def populate(db, n_articles: int, per_article: int) -> list[int]:
    """Two annotators' decisions and statuses on the first n articles with entities."""
    ids = [r[0] for r in db.execute(
        "SELECT a.id FROM articles a JOIN analyses an ON an.id = a.analysis_id "
        "WHERE an.entity_count >= ? ORDER BY a.id LIMIT ?", [per_article, n_articles]
    )]  # fmt: skip
    stamp = now()
    with atomic(db):
        for article_id in ids:
            article = get_article(db, article_id)
            ents = db.execute(
                'SELECT start, "end", label FROM entities WHERE analysis_id = ? '
                "ORDER BY start LIMIT ?", [article.analysis_id, per_article],
            ).fetchall()  # fmt: skip
            for k, (start, end, label) in enumerate(ents):
                for who in ("ann", "bob"):
                    action = "rejected" if who == "bob" and k % 5 == 0 else "accepted"
                    insert_annotation(db, new_annotation(
                        article_id, article.text, article.text_hash, start, end,
                        kind="entity", action=action, model_label=label, annotator=who,
                        created_at=stamp, updated_at=stamp,
                    ))  # fmt: skip
            for who, status in (
                ("ann", "done"),
                ("bob", "done" if article_id % 3 else "in_progress"),
            ):
                db.execute(
                    "INSERT INTO article_reviews (article_id, annotator, status, note, updated_at) "
                    "VALUES (?, ?, ?, NULL, ?)", [article_id, who, status, stamp],
                )  # fmt: skip
    return ids


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", nargs="?", default="/tmp/viewer-bench-100000.sqlite")
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--per-article", type=int, default=10)
    args = ap.parse_args()
    source = Path(args.db)
    if not source.is_file():
        print(f"{source}: no such database (build it with tests/benchmarks/bench_scale.py)")
        return 2
    with tempfile.TemporaryDirectory(dir=source.parent) as tmp:
        copy = Path(tmp) / "team.sqlite"
        shutil.copyfile(source, copy)
        t_open, db = timed(lambda: open_db(copy))
        (n_articles,) = db.execute("SELECT count(*) FROM articles").fetchone()
        print(f"database: {n_articles} articles; open + team migrations on a copy: {t_open:.2f} s")
        t_fill, ids = timed(lambda: populate(db, args.articles, args.per_article))
        (n_ann,) = db.execute("SELECT count(*) FROM annotations").fetchone()
        print(f"two annotators on {len(ids)} articles: {n_ann} annotations, "
              f"{2 * len(ids)} reviews (written in {t_fill:.1f} s)")  # fmt: skip

        def listing(f):
            return lambda: (filtered_count(db, f), filtered_rows(db, f, limit=100))

        base, _ = timed(listing(ArticleFilter(status="done")), 5)
        mine, (count, _) = timed(listing(ArticleFilter(status="done", annotator="bob")), 5)
        print(f"filter status=done: {base * 1000:.1f} ms; by annotator bob: {mine * 1000:.1f} ms "
              f"({count} articles) = {mine / base:.2f}x")  # fmt: skip

        article = ids[len(ids) // 2]
        load, anns = timed(lambda: annotations_for_article(db, article), 20)
        both, _ = timed(lambda: article_conflicts(
            annotations_for_article(db, article), reviews_of(db, article)), 20)  # fmt: skip
        print(f"one article: annotations {load * 1000:.2f} ms; with its conflicts "
              f"{both * 1000:.2f} ms = {both / load:.2f}x ({len(anns)} annotations)")  # fmt: skip

        t_all, found = timed(lambda: list(corpus_conflicts(db)))
        print(f"every conflict of the corpus: {len(found)} in {t_all:.2f} s")
        db.close()

        def agree():
            work = read_work(copy)
            a, b = pick_annotator(work, "ann", "copy"), pick_annotator(work, "bob", "copy")
            return agreement(a, b, by_article=True)

        t_agree, rows = timed(agree)
        entity = next(r for r in rows if r.scope == "entity" and r.article_id is None)
        print(f"agreement (read both annotators' work, every figure, by article): {t_agree:.2f} s; "
              f"entity kappa {entity.kappa:.3f}, {len(rows)} rows")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
