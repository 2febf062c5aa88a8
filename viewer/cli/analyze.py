"""`viewer analyze`: load, analyse (cached) and write JSONL."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from viewer.core.model import ImportReport
from viewer.core.nlp.pipeline import Analyzer, AnalyzerKey
from viewer.core.store import default_db_path, open_db
from viewer.core.store.analyses import count_pending, load_analysis
from viewer.core.store.articles import get_article
from viewer.core.tasks.analyse import analyze_pending, import_corpus
from viewer.core.tasks.analyse_on_dask import DaskUnavailable

NAME = "analyze"
HELP = "load a corpus, analyse it (cached) and write one JSON object per article"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("corpus", help="a .txt/.jsonl/.csv file or a folder of them")
    parser.add_argument("--db", help="database file (default: one per corpus, see README)")
    parser.add_argument("--model", help="spaCy model name or folder (default: see README)")
    parser.add_argument("--jsonl", help="also write one JSON object per article here ('-': stdout)")
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="analyse on a Dask cluster: a scheduler (tcp://host:8786) or local:N "
        "(N worker processes started here); needs pip install 'viewer[dask]'",
    )
    parser.add_argument(
        "--shards",
        metavar="DIR",
        help="with --dask: also write each finished batch as a shard file in DIR (for "
        "`viewer import-analysis`); a re-run with the same DIR skips what it holds. "
        "Without --db the database is a temporary one: the shards are the result",
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
    if args.shards and not args.dask:
        print("viewer: error: --shards goes with --dask", file=sys.stderr)
        return 2
    if args.shards and not args.db:  # no database wanted: a temporary one keeps the books
        with tempfile.TemporaryDirectory(prefix="viewer-analyze-") as tmp:
            return analyze(args.corpus, str(Path(tmp) / "run.sqlite"), args.model, args.jsonl,
                           args.processes, args.dask, args.shards)  # fmt: skip
    return analyze(
        args.corpus, args.db, args.model, args.jsonl, args.processes, args.dask, args.shards
    )


def analyze(
    corpus: str,
    db_path: str | None,
    model: str | None,
    out: str | None,
    processes: int = 1,
    dask: str | None = None,
    shards: str | None = None,
) -> int:
    if not Path(corpus).exists():
        print(f"viewer: error: {corpus}: no such file or folder", file=sys.stderr)
        return 2
    db = open_db(db_path or default_db_path(corpus))
    try:
        return _analyze(db, corpus, model, out, processes, dask, shards)
    finally:
        db.close()


def _analyze(db, corpus, model, out, processes, dask, shards) -> int:
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
            analyzed, key = _on_dask(db, dask, model, progress, shards)
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
    elif out:
        with open(out, "w", encoding="utf-8", newline="\n") as fh:
            write_jsonl(db, ids, fh)
    return 0


def _on_dask(
    db, address: str, model: str | None, progress, shards: str | None
) -> tuple[int, AnalyzerKey]:
    from viewer.core.tasks.analyse_on_dask import analyze_pending_dask, dask_client
    from viewer.core.tasks.shards import import_shards

    key = Analyzer.key_for(model)
    if shards and Path(shards).is_dir():  # what an earlier run finished is cached now
        print(f"viewer: {import_shards(db, shards).summary()} (from {shards})", file=sys.stderr)
    if not count_pending(db, key.model, key.pipeline):
        return 0, key  # all analysed already: no cluster to start
    with dask_client(address) as client:
        where = Path(shards) if shards else None
        return analyze_pending_dask(db, client, model, progress, lambda: False, where), key


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
