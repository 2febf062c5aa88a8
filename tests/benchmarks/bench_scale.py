"""Scale benchmark on a big synthetic database (run by hand, not by pytest).

    .venv/bin/python tests/benchmarks/bench_scale.py [DB] [--articles 100000] [--sample 300]

Builds DB (default /tmp/viewer-bench-<N>.sqlite) unless it already holds the
articles, then measures, on this machine:

- open the database and show the first article in the real main window
  (a fresh Python process, Qt offscreen; wall time from process start, and
  peak resident memory, also after searching, filtering and opening the
  corpus-wide tables and charts);
- search: count + first page of hits in context, p50/p95 over many queries;
- entity filter: count + first page of the article list, p50/p95;
- the corpus tables counted afresh, and the attributions' share of that (the
  speakers' per-kind counts and the sourcing summary's per-analysis counts);
- sourcing summary: the corpus line, per outlet, per month, a page per article,
  the share histogram (what the Sourcing view reads), and the attribution
  filters (a kind; anonymous; anonymous of a kind), p50/p95;
- switching articles: load text + analysis and show it in ArticleView, p95.

How the analyses are made (stated again in the output): the first --sample
articles are analysed by the real spaCy model through Analyzer; the rest get
analysis rows generated from the synthetic generator's known entities and
quotes (same shape and density as model output), because running the small
model over 100,000 articles takes hours on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from viewer.core.model import Analysis, Article, text_hash  # noqa: E402
from viewer.core.nlp.pipeline import Analyzer  # noqa: E402
from viewer.core.store import open_db  # noqa: E402
from viewer.core.store.analyses import save_analyses  # noqa: E402
from viewer.core.store.articles import article_count, upsert_articles  # noqa: E402
from viewer.devtools.synthetic import generate  # noqa: E402

BATCH = 2000
QUERIES = [
    "inflation", "minister", "Berlin", "ready", "hospital", "strike", "election", "budget",
    "vaccine", "emissions", "Okafor", "Tanaka", "Ferreira", "Kowalski", "union", "bridge",
    '"interest rates"', '"the reform bill"', "infl*", "carb*", "Lagos", "Reykjavik",
    "privacy", "drought", "referendum", "freight", "according", "official", "spokesperson",
    "deficit", "Helix", "Northwind", "zebra", "Sabrina", "month", "families",
]  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def ms(values: list[float]) -> str:
    p50, p95 = 1000 * statistics.median(values), 1000 * percentile(values, 95)
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {1000 * max(values):.1f} ms (n={len(values)})"


# -- building -------------------------------------------------------------------


def build(path: Path, n: int, sample: int) -> None:
    if path.exists():
        db = open_db(path)
        have = article_count(db)
        db.close()
        if have >= n:
            print(f"reusing {path} ({have} articles)")
            return
        raise SystemExit(f"{path} has {have} articles, not {n}: remove it or choose another path")
    db = open_db(path)
    analyzer = Analyzer()
    key = analyzer.key
    t0 = time.perf_counter()
    sampled: list[tuple[int, str]] = []
    for start in range(0, n, BATCH):
        arts = list(generate(min(BATCH, n - start), seed=0, start=start))
        ids = upsert_articles(
            db,
            [Article(a.id, a.text, a.title, "synthetic", a.source, a.date, a.url) for a in arts],
        )
        known = []
        for index, (article_id, a) in enumerate(zip(ids, arts, strict=True), start):
            if index < sample:
                sampled.append((article_id, a.text))
            else:
                known.append(
                    (article_id, text_hash(a.text), a.text, Analysis(a.entities, a.quotes))
                )
        save_analyses(db, key.model, key.pipeline, known)
        done = start + len(arts)
        if done % 10_000 == 0 or done == n:
            print(f"  built {done} articles, {time.perf_counter() - t0:.0f} s", flush=True)
    t1 = time.perf_counter()
    print(f"inserted {n} articles + FTS index + generated analyses in {t1 - t0:.0f} s")
    analyses = analyzer.analyze_many(text for _, text in sampled)
    save_analyses(
        db,
        key.model,
        key.pipeline,
        [
            (article_id, text_hash(text), text, a)
            for (article_id, text), a in zip(sampled, analyses, strict=True)
        ],
    )
    print(f"analysed {len(sampled)} articles with {key.model} in {time.perf_counter() - t1:.0f} s")
    db.execute("ANALYZE")
    from viewer.core.store.overview import refresh_stats

    t2 = time.perf_counter()
    refresh_stats(db)  # what the window's first background count stores
    print(f"counted the corpus tables in {time.perf_counter() - t2:.0f} s")
    db.close()


# -- measuring in this process -------------------------------------------------------


def bench_queries(path: Path) -> None:
    from viewer.core.store import overview
    from viewer.core.store.filters import ArticleFilter, filtered_count, filtered_rows
    from viewer.core.store.search import search, search_count

    db = open_db(path)
    times = []
    for _ in range(3):
        for q in QUERIES:
            t = time.perf_counter()
            search_count(db, q)
            search(db, q, limit=100)
            times.append(time.perf_counter() - t)
    print(f"search (count + first 100 hits in context), {len(QUERIES)} queries x3: {ms(times)}")

    t = time.perf_counter()
    overview.refresh_stats(db, force=True)
    print(
        "entities/speakers/sourcing tables, counted afresh (in the app: a background job, "
        f"stored for the next open): {time.perf_counter() - t:.2f} s"
    )
    bench_sourcing(db)
    stats = overview.entity_stats(db, limit=20_000)
    rng = random.Random(1)
    picks = stats[:20] + rng.sample(stats[20:2000], 20) + rng.sample(stats, 20)
    times, sizes = [], []
    for _ in range(3):
        for e in picks:
            f = ArticleFilter(entity_text=e.text, entity_label=e.label)
            t = time.perf_counter()
            n = filtered_count(db, f)
            filtered_rows(db, f, 0, 256)
            times.append(time.perf_counter() - t)
            sizes.append(n)
    print(
        f"entity filter (count + first page of 256), {len(picks)} entities x3, "
        f"{min(sizes)}..{max(sizes)} matching articles: {ms(times)}"
    )
    combined = ArticleFilter(entity_text=picks[0].text, source="Daily Ledger", date_from="2021")
    times = []
    for _ in range(20):
        t = time.perf_counter()
        filtered_count(db, combined)
        filtered_rows(db, combined, 0, 256)
        times.append(time.perf_counter() - t)
    print(f"combined filter (entity + source + date): {ms(times)}")
    times = []
    for e in picks[:20]:
        t = time.perf_counter()
        overview.entity_mentions(db, e.text, e.label, limit=200)
        times.append(time.perf_counter() - t)
    print(f"mentions of an entity in context (first 200): {ms(times)}")
    db.close()


def bench_sourcing(db) -> None:
    """The attributions' part of the count, then what the Sourcing view and filters read."""
    from viewer.core.store import overview, sourcing
    from viewer.core.store.database import atomic
    from viewer.core.store.filters import ArticleFilter, filtered_count, filtered_rows

    with atomic(db):  # the same statements refresh_stats runs, timed one by one
        t0 = time.perf_counter()
        sourcing.build_attributions(db)
        t1 = time.perf_counter()
        overview._build_speakers(db)
        t2 = time.perf_counter()
        sourcing.build_sourcing_stats(db)
        t3 = time.perf_counter()
        n = db.execute(f"SELECT count(*) FROM {sourcing.ATTRIBUTIONS_TABLE}").fetchone()[0]
        sourcing.drop_attributions(db)
    quotes = db.execute("SELECT count(*) FROM quotes").fetchone()[0]
    print(
        f"  of which attributions ({quotes} pieces -> {n} attributions) {t1 - t0:.2f} s, "
        f"speakers by kind {t2 - t1:.2f} s, sourcing per analysis {t3 - t2:.2f} s"
    )
    total = sourcing.corpus_sourcing(db, refresh=False)
    print(
        f"  sourcing: {total.attributions} attributions in {total.articles} articles, "
        f"{total.anonymous} anonymous, {overview.speaker_count(db, refresh=False)} speakers"
    )
    reads = [
        ("corpus line", lambda: sourcing.corpus_sourcing(db, refresh=False)),
        ("per outlet (all rows)", lambda: sourcing.sourcing_rows(db, "outlet", refresh=False)),
        ("per month (all rows)", lambda: sourcing.sourcing_rows(db, "month", refresh=False)),
        (
            "per article: count + page of 200",
            lambda: (
                sourcing.sourcing_count(db, "article", refresh=False),
                sourcing.sourcing_rows(db, "article", limit=200, refresh=False),
            ),
        ),
        (
            "per article by anonymous share, page at row 50,000",
            lambda: sourcing.sourcing_rows(
                db, "article", "anonymous_share", offset=50_000, limit=200, refresh=False
            ),
        ),
        ("share histogram", lambda: sourcing.articles_by_share(db, refresh=False)),
        ("speakers page by attributions", lambda: overview.speaker_stats(db, refresh=False)),
    ]
    for name, read in reads:
        times = []
        for _ in range(10):
            t = time.perf_counter()
            read()
            times.append(time.perf_counter() - t)
        print(f"  sourcing {name}: {ms(times)}")
    for f in (
        ArticleFilter(attribution_kind="direct"),
        ArticleFilter(attribution_kind="mixed"),
        ArticleFilter(anonymous_quotes=True),
        ArticleFilter(anonymous_quotes=True, attribution_kind="direct"),
        ArticleFilter(attribution_kind="indirect", source="Daily Ledger"),
    ):
        times = []
        for _ in range(10):
            t = time.perf_counter()
            n = filtered_count(db, f)
            filtered_rows(db, f, 0, 256)
            times.append(time.perf_counter() - t)
        print(f"  filter {f.describe()!r} (count + first page of 256, {n} articles): {ms(times)}")


def bench_switch(path: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from viewer.core.store.analyses import load_analysis
    from viewer.core.store.articles import get_article
    from viewer.qt.text.article_view import ArticleView

    # The offscreen platform warns on every show(); the figures are what matters.
    qInstallMessageHandler(lambda mode, context, message: None)
    app = QApplication.instance() or QApplication([])
    db = open_db(path)
    view = ArticleView()
    view.resize(900, 800)
    view.show()
    app.processEvents()
    n = article_count(db)
    ids = random.Random(2).sample(range(1, n + 1), 300)
    times, painted = [], []
    for article_id in ids:
        t = time.perf_counter()
        art = get_article(db, article_id)
        analysis = load_analysis(db, art.analysis_id)
        view.show_article(art.title, art.source or "", art.text, analysis)
        times.append(time.perf_counter() - t)
        app.processEvents()  # layout and paint, as the user sees it
        painted.append(time.perf_counter() - t)
    print(f"switch article (load text + analysis, show_article): {ms(times)}")
    print(f"switch article incl. layout + paint (processEvents): {ms(painted)}")
    db.close()


# -- opening, in a fresh process -------------------------------------------------------

CHILD = r"""
import json, os, resource, sys, time
t_start = float(sys.argv[2])
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[3])
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from viewer.core.store import open_db
from viewer.qt.main_window import MainWindow
app = QApplication([])
settings = QSettings(sys.argv[4], QSettings.Format.IniFormat)
window = MainWindow(settings)
window.show()
db = open_db(sys.argv[1])
window.db = db
window.articles.set_db(db)
window._select_first_if_none()  # what open_corpus does before its background job
app.processEvents()
shown = time.time() - t_start
def rss():
    # VmHWM: this process's own peak. getrusage's ru_maxrss is also printed, but
    # Linux carries it over from the parent across fork+exec.
    status = open("/proc/self/status").read()
    hwm = int(status.split("VmHWM:")[1].split()[0]) / 1024
    return hwm, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out = {"first_article_s": shown, "text_chars": len(window.view.text.text), "rss_open_mb": rss()}
from viewer.core.store.filters import ArticleFilter
from viewer.qt.panels.corpus_views import ChartsView, EntitiesView, SpeakersView
from viewer.qt.panels.sourcing import SourcingView
from viewer.qt.panels.search import SearchPanel
panel = SearchPanel(); panel.set_db(db); panel.search("minister"); panel.show()
while panel.model.canFetchMore() and panel.model.rowCount() < 2000: panel.model.fetchMore()
window.articles.set_filter(ArticleFilter(entity_label="PERSON", has_quotes=True))
model = window.articles
while model.canFetchMore() and model.rowCount() < 20000: model.fetchMore()
entities = EntitiesView(); entities.set_db(db); entities.show()
speakers = SpeakersView(); speakers.set_db(db); speakers.show()
charts = ChartsView(); charts.set_db(db); charts.show()
sourcing_view = SourcingView(); sourcing_view.show()
t = time.time(); sourcing_view.set_db(db); app.processEvents()
out["sourcing_view_s"] = time.time() - t
t = time.time()
for grouping in ("month", "article", "outlet"):
    sourcing_view.set_grouping(grouping); app.processEvents()
out["sourcing_groupings_s"] = time.time() - t
for i in range(200):
    window.step(1)
app.processEvents()
out["rss_after_use_mb"] = rss()
print(json.dumps(out))
"""


def bench_open(path: Path, tmp: Path) -> None:
    start = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), repr(start), str(REPO), str(tmp / "s.ini")],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print(proc.stderr)
        raise SystemExit("the window process failed")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"open database + show first article in the main window (new process, incl. Python "
        f"and Qt start-up): {out['first_article_s']:.2f} s; first text {out['text_chars']} chars"
    )
    hwm, maxrss = out["rss_open_mb"]
    print(f"peak resident memory after opening: {hwm:.0f} MB (VmHWM; ru_maxrss {maxrss:.0f} MB)")
    hwm, maxrss = out["rss_after_use_mb"]
    print(
        "peak resident memory after search (2,000 hits loaded), a filter (20,000 rows loaded), "
        f"entities/speakers tables, charts, sourcing view, 200 article switches: {hwm:.0f} MB "
        f"(VmHWM; ru_maxrss {maxrss:.0f} MB)"
    )
    print(
        f"sourcing view in the window process: filled {out['sourcing_view_s']:.2f} s "
        f"(corpus line, outlets, chart); month, article, outlet in turn "
        f"{out['sourcing_groupings_s']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="?")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300, help="articles analysed by spaCy")
    parser.add_argument("--build-only", action="store_true", help="build the database and stop")
    args = parser.parse_args()
    path = Path(args.db or f"/tmp/viewer-bench-{args.articles}.sqlite")
    print(f"database: {path}")
    build(path, args.articles, args.sample)
    print(f"size on disk: {path.stat().st_size / 1e6:.0f} MB")
    if args.build_only:
        return
    print(
        f"analyses: first {args.sample} by the real model; the rest generated from the "
        "synthetic generator's known entities and quotes"
    )
    tmp = path.parent
    bench_open(path, tmp)
    bench_queries(path)
    bench_switch(path)


if __name__ == "__main__":
    main()
