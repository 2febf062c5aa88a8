"""Analysis throughput, side by side in one run (run by hand, not by pytest).

    .venv/bin/python tests/benchmarks/bench_throughput.py [--articles 1000] [--rounds 2]

On the same synthetic texts, measures articles per second of:

1. raw ``nlp.pipe`` of the same model (spacy.load, the Analyzer's batch size);
2. ``Analyzer.analyze_many`` (entities + quotes, as plain data);
3. ``analyze_pending`` into a fresh database (reading, analysing, saving);
4. ``analyze_pending(..., processes=2)`` into another fresh database (two spawned
   worker processes, as the window uses on a big corpus; started in each round, so
   their model loading is counted);
5. raw ``nlp.pipe(..., n_process=2)``, the ceiling for 4.

The texts are split into rounds and every method runs on each round in turn,
so a noisy neighbour on the machine slows them all alike. Prints the ratios
(target: analyze_many and analyze_pending >= 0.85 x raw; processes=2 >= 0.85 x
raw with 2 processes).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from viewer.core.model import Article  # noqa: E402
from viewer.core.nlp.pipeline import Analyzer, load_model  # noqa: E402
from viewer.core.store import open_db  # noqa: E402
from viewer.core.store.articles import upsert_articles  # noqa: E402
from viewer.core.tasks.analyse import analyze_pending  # noqa: E402
from viewer.devtools.synthetic import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    arts = list(generate(args.articles, seed=args.seed))
    words = sum(len(a.text.split()) for a in arts)
    print(
        f"{len(arts)} synthetic articles, {words / len(arts):.0f} words each on average; "
        f"{os.cpu_count()} CPUs; {args.rounds} rounds"
    )
    analyzer = Analyzer()
    raw = load_model(analyzer.model_name)  # the same model, without the analysis component
    _ = analyzer.nlp
    warm = [a.text for a in arts[:5]]
    list(raw.pipe(warm, batch_size=analyzer.batch_size))
    list(analyzer.analyze_many(warm))
    print(f"model {analyzer.key.model}: {', '.join(raw.pipe_names)}; batch {analyzer.batch_size}")

    tmp = Path(tempfile.mkdtemp(prefix="viewer-throughput-"))
    dbs = {p: open_db(tmp / f"p{p}.sqlite") for p in (1, 2)}

    times = dict.fromkeys(
        ("raw nlp.pipe", "analyze_many", "analyze_pending", "processes=2", "raw 2 processes"), 0.0
    )
    size = -(-len(arts) // args.rounds)
    for r in range(args.rounds):
        part = arts[r * size : (r + 1) * size]
        texts = [a.text for a in part]
        t = time.perf_counter()
        for _ in raw.pipe(texts, batch_size=analyzer.batch_size):
            pass
        times["raw nlp.pipe"] += time.perf_counter() - t
        t = time.perf_counter()
        for _ in analyzer.analyze_many(texts):
            pass
        times["analyze_many"] += time.perf_counter() - t
        for processes, name in ((1, "analyze_pending"), (2, "processes=2")):
            # Only this round's articles are pending (stored untimed, as an import would).
            db = dbs[processes]
            upsert_articles(db, [Article(a.id, a.text, a.title, "synthetic") for a in part])
            t = time.perf_counter()
            ran = analyze_pending(db, analyzer, processes=processes)
            times[name] += time.perf_counter() - t
            assert ran == len(part), (ran, len(part))
        t = time.perf_counter()
        for _ in raw.pipe(texts, batch_size=analyzer.batch_size, n_process=2):
            pass
        times["raw 2 processes"] += time.perf_counter() - t
        print(f"  round {r + 1}: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))

    n = len(arts)
    rates = {k: n / v for k, v in times.items()}
    for k, rate in rates.items():
        print(
            f"{k:>16}: {times[k]:7.1f} s  {rate:6.2f} articles/s  ({rate * words / n:,.0f} words/s)"
        )
    base = rates["raw nlp.pipe"]
    for name in ("analyze_many", "analyze_pending"):
        print(f"ratio {name} / raw nlp.pipe: {rates[name] / base:.3f}  (target >= 0.85)")
    print(
        f"ratio processes=2 / raw 2 processes: "
        f"{rates['processes=2'] / rates['raw 2 processes']:.3f}  (target >= 0.85)"
    )
    print(
        f"speed-up processes=2 / processes=1: {rates['processes=2'] / rates['analyze_pending']:.2f}"
    )
    for db in dbs.values():
        db.close()


if __name__ == "__main__":
    main()
