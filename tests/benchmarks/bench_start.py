"""GUI start: process start to the first article on screen, without spaCy and with it.

    .venv/bin/python tests/benchmarks/bench_start.py [--runs 5]

Opens the bundled seeds, analysed beforehand (so the start analyses nothing),
in fresh processes (tests/qt/first_article_probe.py, offscreen). Each round runs
the start as it is (spaCy is imported only when an analysis runs) and, as the
baseline, the same start with spaCy imported first, as every start did before.
Prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from viewer.core.model import ImportReport  # noqa: E402
from viewer.core.nlp.pipeline import Analyzer  # noqa: E402
from viewer.core.store import open_db  # noqa: E402
from viewer.core.tasks.analyse import analyze_pending, import_corpus  # noqa: E402

PROBE = REPO / "tests" / "qt" / "first_article_probe.py"
SEEDS = REPO / "seeds"


def start_seconds(db: Path, *extra: str) -> tuple[float, bool]:
    out = subprocess.run(
        [sys.executable, str(PROBE), str(SEEDS), str(db), *extra],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    shown = json.loads(out.strip().splitlines()[-1])
    return shown["seconds"], shown["spacy"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "seeds.sqlite"
        db = open_db(db_path)
        import_corpus(db, SEEDS, ImportReport())
        analyze_pending(db, Analyzer())
        db.close()
        start_seconds(db_path)  # warm the file cache once, untimed
        lazy, eager = [], []
        for _ in range(args.runs):  # interleaved: both see the same machine load
            seconds, spacy = start_seconds(db_path)
            assert not spacy, "spaCy was imported at start"
            lazy.append(seconds)
            eager.append(start_seconds(db_path, "--import-spacy")[0])
    a, b = statistics.median(lazy), statistics.median(eager)
    print(f"runs: {args.runs} each, interleaved")
    print(f"first article, spaCy not imported: {spread(lazy)}")
    print(f"first article, spaCy imported first (before): {spread(eager)}")
    print(f"ratio: {a / b:.2f} of the time ({b - a:.2f} s saved)")


def spread(seconds: list[float]) -> str:
    return f"{statistics.median(seconds):.2f} s (median; {min(seconds):.2f}-{max(seconds):.2f})"


if __name__ == "__main__":
    main()
