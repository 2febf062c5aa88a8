"""Benchmark `viewer import-annotations` with many records on one article (run by hand).

    .venv/bin/python tests/benchmarks/bench_import.py [--records 20000] [--runs 3]

Writes an annotations file of --records different annotations on ONE article
(the case whose duplicate check used to be quadratic: 71 s for 20,000), in two
shapes: one annotation per word ("spread"), and all on the same span with
different notes ("same span", the worst case for an index on the offsets).
For each, in a fresh database of the same corpus, times (best of --runs):

- import: ``import_jsonl`` into an empty database (check pass + backup + write pass);
- lock held: the write pass alone, the only time the write lock is held;
- again: the same file a second time (everything already present);
- command: ``python -m viewer import-annotations`` in a new process, wall time
  (includes the interpreter and imports starting).

Target: under 5 s for 20,000 records.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from viewer.core.model import Article, text_hash  # noqa: E402
from viewer.core.store import open_db  # noqa: E402
from viewer.core.store.annotations import new_annotation  # noqa: E402
from viewer.core.store.articles import upsert_articles  # noqa: E402
from viewer.core.tasks import transfer as annotation_io  # noqa: E402

STAMP = "2025-01-01T12:00:00+00:00"
WORD = 7  # "w00000 " per word


def article(words: int) -> Article:
    return Article(id="long", text=" ".join(f"w{i:05d}" for i in range(words)), title="Long",
                   origin="bench.jsonl:1")  # fmt: skip


def records(art: Article, count: int, same_span: bool) -> list[dict]:
    digest = text_hash(art.text)
    out = []
    for i in range(count):
        start = 0 if same_span else WORD * i
        ann = new_annotation(0, art.text, digest, start, start + 6, kind="span", action="added",
                             label="Claim", note=f"note {i}", annotator="bench",
                             created_at=STAMP, updated_at=STAMP)  # fmt: skip
        record = {"type": "annotation", "article": art.id}
        record.update({k: getattr(ann, k) for k in annotation_io.ANNOTATION_FIELDS})
        out.append(record)
    return out


def write_file(path: Path, recs: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"type": annotation_io.FORMAT, "version": 1}) + "\n")
        for rec in recs:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def fresh_db(path: Path, art: Article):
    for leftover in path.parent.glob(path.name + "*"):
        if leftover.is_file():
            leftover.unlink()
    db = open_db(path)
    upsert_articles(db, [art])
    return db


class WritePassTimer:
    """Wraps the write pass (the one holding the write lock) and times it."""

    def __init__(self):
        self.seconds = 0.0
        self._real = annotation_io._apply_file

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self._real(*args, **kwargs)
        finally:
            self.seconds = time.perf_counter() - started


def bench(shape: str, art: Article, count: int, runs: int, folder: Path) -> dict[str, float]:
    source = folder / f"{shape.replace(' ', '-')}.jsonl"
    write_file(source, records(art, count, shape == "same span"))
    timer = WritePassTimer()
    annotation_io._apply_file = timer
    best: dict[str, float] = {}
    try:
        for _ in range(runs):
            db = fresh_db(folder / "target.sqlite", art)
            started = time.perf_counter()
            report = annotation_io.import_jsonl(db, source)
            figures = {"import": time.perf_counter() - started, "lock held": timer.seconds}
            assert report.annotations_added == count, report.summary()
            started = time.perf_counter()
            again = annotation_io.import_jsonl(db, source)
            figures["again"] = time.perf_counter() - started
            assert again.annotations_present == count and again.annotations_added == 0
            db.close()
            fresh_db(folder / "target.sqlite", art).close()
            figures["command"] = run_command(folder / "target.sqlite", source)
            for name, seconds in figures.items():
                best[name] = min(seconds, best.get(name, seconds))
    finally:
        annotation_io._apply_file = timer._real
    return best


def run_command(db_path: Path, source: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "viewer", "import-annotations", "--db", str(db_path), str(source)],
        cwd=REPO, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    art = article(args.records + 10)
    print(f"{args.records:,} annotation records on one article "
          f"({len(art.text):,} characters), best of {args.runs}:")  # fmt: skip
    print(f"{'shape':<10} {'import':>8} {'lock held':>10} {'again':>8} {'command':>8}")
    with tempfile.TemporaryDirectory(prefix="viewer-bench-import-") as tmp:
        for shape in ("spread", "same span"):
            best = bench(shape, art, args.records, args.runs, Path(tmp))
            print(f"{shape:<10} {best['import']:>7.2f}s {best['lock held']:>9.2f}s "
                  f"{best['again']:>7.2f}s {best['command']:>7.2f}s")  # fmt: skip


if __name__ == "__main__":
    main()
