"""`viewer analyze`: load, analyse (cached) and write JSONL."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from viewer.core.dask_analysis import DaskUnavailable
from viewer.core.model import ImportReport
from viewer.core.nlp.pipeline import Analyzer, AnalyzerKey
from viewer.core.store import default_db_path, open_db
from viewer.core.store.analyses import load_analysis
from viewer.core.store.articles import get_article
from viewer.core.workflow import analyze_pending, import_corpus

NAME = "analyze"
HELP = "load a corpus, analyse it (cached) and write one JSON object per article"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("corpus", help="a .txt/.jsonl/.csv file or a folder of them")
    parser.add_argument("--db", help="database file (default: one per corpus, see README)")
    parser.add_argument("--model", help="spaCy model name or folder (default: see README)")
    parser.add_argument("--jsonl", required=True, help="output file, '-' for stdout")
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="analyse on a Dask cluster: a scheduler (tcp://host:8786) or local:N "
        "(N worker processes started here); needs pip install 'viewer[dask]'",
    )
    parser.add_argument(
        "--processes",
        type=_positive,
        default=1,
        metavar="N",
        help="analyse with N worker processes (default 1; at most the number of cores helps)",
    )


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {n}")
    return n


def run(args: argparse.Namespace) -> int:
    return analyze(args.corpus, args.db, args.model, args.jsonl, args.processes, args.dask)


def analyze(
    corpus: str,
    db_path: str | None,
    model: str | None,
    out: str,
    processes: int = 1,
    dask: str | None = None,
) -> int:
    if not Path(corpus).exists():
        print(f"viewer: error: {corpus}: no such file or folder", file=sys.stderr)
        return 2
    db = open_db(db_path or default_db_path(corpus))
    progress = StderrProgress()
    report = ImportReport()
    ids = import_corpus(db, corpus, report, progress)
    for message in report.messages:
        print(f"viewer: {message}", file=sys.stderr)
    print(f"viewer: {report.summary()}", file=sys.stderr)
    if not ids:
        print(f"viewer: error: {corpus}: no articles could be loaded", file=sys.stderr)
        return 1
    if dask:
        try:
            analyzed, key = _on_dask(db, dask, model, progress)
        except DaskUnavailable as exc:
            print(f"viewer: error: {exc}", file=sys.stderr)
            return 2
    else:
        analyzer = Analyzer(model)
        analyzed, key = analyze_pending(db, analyzer, progress, processes=processes), analyzer.key
    print(
        f"viewer: analysed {analyzed} articles with {key.model}, "
        f"{len(ids) - analyzed} from the cache",
        file=sys.stderr,
    )
    if out == "-":
        write_jsonl(db, ids, sys.stdout)
    else:
        with open(out, "w", encoding="utf-8", newline="\n") as fh:
            write_jsonl(db, ids, fh)
    return 0


def _on_dask(db, address: str, model: str | None, progress) -> tuple[int, AnalyzerKey]:
    from viewer.core.dask_analysis import analyze_pending_dask, dask_client

    key = Analyzer.key_for(model)
    with dask_client(address) as client:
        return analyze_pending_dask(db, client, model, progress, lambda: False), key


def write_jsonl(db, article_ids: list[int], fh: TextIO) -> None:
    for article_id in article_ids:
        article = get_article(db, article_id)
        if article is None:
            continue
        analysis = load_analysis(db, article.analysis_id)
        record = {
            "id": article.ext_id,
            "title": article.title,
            "entities": [asdict(e) for e in analysis.entities],
            "quotes": [asdict(q) for q in analysis.quotes],
        }
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")


class StderrProgress:
    """Progress lines on stderr, at most a few per second."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self._last = 0.0

    def __call__(self, done: int, total: int, what: str) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval or (total and done >= total):
            self._last = now
            print(f"viewer: {what}", file=sys.stderr, flush=True)
