"""Benchmark attribution detection against the gold sets (run by hand, not by pytest).

    .venv/bin/python tests/benchmarks/bench_quotes.py [--eval EVAL_ROOT]
        [--splits attributions-dev,attributions-train,quotes-dev] [--keep DIR]

EVAL_ROOT (default ../shared/eval beside the repository) holds the splits
and the two scorers. For each split the texts are parsed with the spaCy
model, detect_quotes runs on every Doc, and:

* score_attributions.py scores every attribution (direct, mixed, indirect,
  no-source) against a split's gold.jsonl (attributions-dev/-train);
* score_quotes.py scores the direct quotes (predictions of kind "direct")
  against quotes-dev/gold.jsonl and attributions-train/quotes.jsonl.

Then the time of the spaCy pipeline and the time detect_quotes adds, both
measured in this run on the same texts: the cost target is a ratio, so the
machine's speed does not matter.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from viewer.core.nlp.quotes import QUOTES_VERSION, detect_quotes  # noqa: E402

DEFAULT_EVAL = REPO.parent / "shared" / "eval"
DEFAULT_SPLITS = "attributions-dev,attributions-train,quotes-dev"


def _load_nlp():
    from viewer.core.nlp.pipeline import load_model, resolve_model_name

    return load_model(resolve_model_name())


def _texts(split_dir: Path) -> list[tuple[str, str]]:
    """(id, text) for every gold record, read as the scorers read them."""
    out = []
    with open(split_dir / "gold.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            path = split_dir / rec.get("text_file", f"texts/{rec['id']}.txt")
            with open(path, encoding="utf-8", newline="") as tf:
                out.append((rec["id"], tf.read()))
    return out


def _predict(nlp, texts: list[tuple[str, str]]) -> tuple[list[dict], float, float]:
    t_nlp = t_detect = 0.0
    records = []
    for doc_id, text in texts:
        t0 = time.perf_counter()
        doc = nlp(text)
        t1 = time.perf_counter()
        quotes = detect_quotes(doc)
        t2 = time.perf_counter()
        t_nlp += t1 - t0
        t_detect += t2 - t1
        records.append({"id": doc_id, "quotes": [asdict(q) for q in quotes]})
    return records, t_nlp, t_detect


def _write(records: list[dict], path: Path, kinds: set[str] | None = None) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            quotes = [q for q in rec["quotes"] if kinds is None or q["kind"] in kinds]
            fh.write(json.dumps({"id": rec["id"], "quotes": quotes}) + "\n")
    return path


def _score(scorer: Path, gold: Path, preds: Path, texts: Path, *extra: str) -> int:
    cmd = [sys.executable, str(scorer), str(gold), str(preds), "--texts", str(texts), *extra]
    print("$ " + " ".join(Path(c).name if c.endswith(".jsonl") else c for c in cmd[1:]))
    return subprocess.run(cmd, check=False).returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", default=str(DEFAULT_EVAL), help="folder with the splits and scorers")
    ap.add_argument("--splits", default=DEFAULT_SPLITS)
    ap.add_argument("--keep", help="also write each split's predictions into this folder")
    args = ap.parse_args()
    root = Path(args.eval).resolve()
    nlp = _load_nlp()
    nlp("Warm-up sentence, said the benchmark.")
    total_nlp = total_detect = 0.0
    rc = 0
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(args.keep) if args.keep else Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for split in [s.strip() for s in args.splits.split(",") if s.strip()]:
            split_dir = root / split
            texts = _texts(split_dir)
            records, t_nlp, t_detect = _predict(nlp, texts)
            total_nlp += t_nlp
            total_detect += t_detect
            n = sum(len(r["quotes"]) for r in records)
            print(f"\n=== {split}: {len(texts)} texts, {n} attribution pieces predicted "
                  f"(detector version {QUOTES_VERSION}); spaCy {t_nlp:.1f} s, "
                  f"detect_quotes {t_detect:.2f} s = {100 * t_detect / t_nlp:.1f}%")  # fmt: skip
            every = _write(records, out_dir / f"{split}.jsonl")
            direct = _write(records, out_dir / f"{split}.direct.jsonl", {"direct"})
            if (split_dir / "gold.jsonl").exists() and split.startswith("attributions"):
                rc |= _score(root / "score_attributions.py", split_dir / "gold.jsonl", every,
                             split_dir, "--min-overlap", "0.5")  # fmt: skip
            quotes_gold = split_dir / ("gold.jsonl" if split == "quotes-dev" else "quotes.jsonl")
            if quotes_gold.exists():
                rc |= _score(root / "score_quotes.py", quotes_gold, direct, split_dir)
    print(
        f"\nall splits: spaCy pipeline {total_nlp:.1f} s; detect_quotes (all attribution "
        f"work) {total_detect:.2f} s = {100 * total_detect / total_nlp:.1f}% of the spaCy "
        "time (target <= 15%)"
    )
    return rc


if __name__ == "__main__":
    sys.exit(main())
