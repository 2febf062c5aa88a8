"""Benchmark the annotations CSV export against SQLite's own CSV output (run by hand).

    .venv/bin/python tests/benchmarks/bench_export.py [DB] [--rows 1000000] [--runs 3] [--check]

Builds DB (default /tmp/viewer-bench-export-<rows>.sqlite) unless it already
holds the rows: synthetic articles (viewer.devtools.synthetic, ~3,200 characters
each) with 100 annotations each, inserted with executemany in one
transaction; every 50th annotation refers to an older text, so the stored
context is used for it, as the export does in life.

Then, in fresh processes, interleaved, --runs times:

- `viewer`'s export_csv of the annotations, default (spreadsheet-safe) mode;
- the same with raw=True;
- `sqlite3 -csv` (the C limit) running the query that gives the same columns
  and rows (contexts by substr from the article text, the same order).

Prints seconds (best of the runs), the speed ratio sqlite3 / export (1.0 =
as fast as SQLite's own CSV writer), and the growth of peak resident memory
during the export (Linux VmHWM, reset just before it, minus VmRSS before),
which stays flat when rows stream. --check also reads both raw files back with the csv module and
compares them row by row.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import time
from itertools import zip_longest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from viewer.core.model import CONTEXT_CHARS, text_hash  # noqa: E402
from viewer.core.store import open_db  # noqa: E402
from viewer.devtools.synthetic import generate  # noqa: E402

PER_ARTICLE = 100
STAMP = "2025-01-01T12:00:00+00:00"
ACTIONS = [("entity", "accepted"), ("entity", "relabelled"), ("entity", "rejected"),
           ("span", "added"), ("quote", "speaker_changed")]  # fmt: skip

SQLITE_SQL = """
SELECT a.ext_id, a.title, a.source, a.date, a.url, n.kind, n.label, n.start, n."end", n.text,
  CASE WHEN n.text_hash = a.text_hash AND n.anchor_status != 'orphaned'
       THEN substr(a.text, max(n.start - 40, 0) + 1, n.start - max(n.start - 40, 0))
       ELSE n.left_context END,
  CASE WHEN n.text_hash = a.text_hash AND n.anchor_status != 'orphaned'
       THEN substr(a.text, n."end" + 1, 40) ELSE n.right_context END,
  CASE WHEN n.action = 'added' THEN 'analyst' ELSE 'model' END, n.action, n.model_label,
  n.speaker_text, n.note, n.annotator, n.created_at, n.updated_at, n.anchor_status,
  n.provenance
FROM articles a JOIN annotations n ON n.article_id = a.id
ORDER BY a.id, n.start, n.id
"""


# -- building -----------------------------------------------------------------------


def build(path: Path, rows: int) -> None:
    db = open_db(path)
    have = db.execute("SELECT count(*) FROM annotations").fetchone()[0]
    if have == rows:
        return
    if have:
        sys.exit(f"{path} holds {have} annotations, not {rows}: remove it first")
    t0 = time.perf_counter()
    articles = list(generate(rows // PER_ARTICLE, seed=7))
    rng = random.Random(7)
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO articles (id, ext_id, title, source, date, url, origin, text, "
            "text_hash, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, a.id, a.title, a.source, a.date, a.url, "bench.jsonl", a.text,
              text_hash(a.text), STAMP) for i, a in enumerate(articles, 1)],
        )  # fmt: skip
        db.conn.executemany(
            'INSERT INTO annotations (article_id, kind, action, label, start, "end", text, '
            "left_context, right_context, text_hash, model_label, speaker_text, note, "
            "anchor_status, annotator, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row for i, a in enumerate(articles, 1) for row in _annotations(i, a, rng)),
        )
    print(f"built {path}: {len(articles)} articles, {rows} annotations "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip


def _annotations(article_id: int, article, rng: random.Random):
    text, digest = article.text, text_hash(article.text)
    spans = [(e.start, e.end, e.label) for e in article.entities]
    while len(spans) < PER_ARTICLE:
        start = rng.randrange(len(text) - 30)
        spans.append((start, start + rng.randrange(3, 30), "NOTE"))
    for k, (start, end, label) in enumerate(spans[:PER_ARTICLE]):
        kind, action = ACTIONS[k % len(ACTIONS)]
        yield (article_id, kind, action, label, start, end, text[start:end],
               text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS],
               "0" * 64 if k % 50 == 7 else digest, "ORG" if action == "relabelled" else None,
               "the spokesperson" if kind == "quote" else None,
               'checked, "twice"\nsee =notes' if k % 10 == 3 else None, "exact",
               "bench", STAMP, STAMP)  # fmt: skip


# -- measuring (each in a fresh process) --------------------------------------------------


def measure_export(db_path: str, out: str, raw: bool, workers: int = 1) -> dict:
    from viewer.core.store import open_db
    from viewer.core.tasks.export import export_csv

    db = open_db(db_path)
    before = _rss_kb()
    _reset_peak_rss()
    t0 = time.perf_counter()
    result = export_csv(db, out, "annotations", raw=raw, workers=workers)
    seconds = time.perf_counter() - t0
    peak = _peak_rss_kb()
    # With workers, each renders its part in its own process: their peak too.
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "rows": result.rows, "rss_before_kb": before,
            "rss_growth_kb": peak - before, "rss_peak_kb": peak,
            "worker_peak_kb": children}  # fmt: skip


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _rss_kb() -> int:
    return _status_kb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM, so the peak is the export's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_rss_kb() -> int:
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(db_path: Path, out: Path, raw: bool, workers: int = 1) -> dict:
    cmd = [sys.executable, __file__, str(db_path), "--child", str(out),
           "--processes", str(workers)] + (["--raw"] if raw else [])  # fmt: skip
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def run_sqlite(db_path: Path, out: Path) -> float:
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        subprocess.run(["sqlite3", "-csv", str(db_path), SQLITE_SQL], stdout=fh, check=True)
    return time.perf_counter() - t0


def check(ours: Path, theirs: Path) -> None:
    with (
        open(ours, encoding="utf-8", newline="") as a,
        open(theirs, encoding="utf-8", newline="") as b,
    ):
        mine = csv.reader(a)
        next(mine)  # our header; sqlite3 -csv prints none
        for n, (x, y) in enumerate(zip_longest(mine, csv.reader(b)), 1):
            if x != y:
                sys.exit(f"row {n} differs:\n  export  {x}\n  sqlite3 {y}")
    print(f"check: the raw export and sqlite3 -csv hold the same {n} rows", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", nargs="?")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="export processes (viewer export's default: up to 2)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_export(args.db, args.child, args.raw, args.processes)))
        return
    db_path = Path(args.db or f"/tmp/viewer-bench-export-{args.rows}.sqlite")
    build(db_path, args.rows)
    outs = {k: db_path.with_name(f"{db_path.stem}-{k}.csv") for k in ("safe", "raw", "sqlite")}
    times: dict[str, list[float]] = {"safe": [], "raw": [], "sqlite": []}
    growth: list[int] = []
    for run in range(1, args.runs + 1):
        sq = run_sqlite(db_path, outs["sqlite"])
        safe = run_child(db_path, outs["safe"], raw=False, workers=args.processes)
        raw = run_child(db_path, outs["raw"], raw=True, workers=args.processes)
        assert safe["rows"] == raw["rows"] == args.rows, (safe, raw)
        times["sqlite"].append(sq)
        times["safe"].append(safe["seconds"])
        times["raw"].append(raw["seconds"])
        growth += [safe["rss_growth_kb"], raw["rss_growth_kb"]]
        workers_peak = max(safe["worker_peak_kb"], raw["worker_peak_kb"])
        before = max(safe["rss_before_kb"], raw["rss_before_kb"])
        print(f"run {run}: sqlite3 -csv {sq:.2f} s | export {safe['seconds']:.2f} s "
              f"(ratio {sq / safe['seconds']:.2f}) | raw {raw['seconds']:.2f} s "
              f"(ratio {sq / raw['seconds']:.2f}) | peak RSS growth "
              f"{safe['rss_growth_kb'] / 1024:.1f} / {raw['rss_growth_kb'] / 1024:.1f} MiB",
              flush=True)  # fmt: skip
    best = {k: min(v) for k, v in times.items()}
    size = outs["safe"].stat().st_size / 2**20
    print(f"\n{args.rows} annotation rows, {size:.0f} MiB of CSV; best of {args.runs}:")
    print(f"  sqlite3 -csv (same columns)  {best['sqlite']:.2f} s")
    print(f"  export (spreadsheet-safe)    {best['safe']:.2f} s   ratio "
          f"{best['sqlite'] / best['safe']:.2f} of sqlite3's speed")  # fmt: skip
    print(f"  export --raw                 {best['raw']:.2f} s   ratio "
          f"{best['sqlite'] / best['raw']:.2f}")  # fmt: skip
    print(f"  peak RSS during export: at most {max(growth) / 1024:.1f} MiB above the "
          f"{before / 1024:.0f} MiB resident before it")  # fmt: skip
    if args.processes > 1:
        print(f"  {args.processes} export processes; the largest peaked at "
              f"{workers_peak / 1024:.0f} MiB resident in all")  # fmt: skip
    if args.check:
        check(outs["raw"], outs["sqlite"])


if __name__ == "__main__":
    main()
