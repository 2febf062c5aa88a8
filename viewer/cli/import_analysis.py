"""`viewer import-analysis DIR --db DB`: load the analysis shards of a cluster run
(`viewer analyze --dask ... --shards DIR`) into a database of the same corpus."""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import sys
from pathlib import Path

from viewer.core.store import StoreError, open_db
from viewer.core.tasks.shards import import_shards

NAME = "import-analysis"
HELP = "load analysis shards (viewer analyze --dask --shards DIR) into a database"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shards", metavar="DIR", help="the folder of shard-*.jsonl.gz files")
    parser.add_argument("--db", required=True, help="a database holding the same corpus")


def run(args: argparse.Namespace) -> int:
    """0: every analysis stored (or there already); 1: some were of articles missing here
    or changed since; 2: nothing could be read or written."""
    folder, db_path = Path(args.shards), Path(args.db)
    if not folder.is_dir():
        return _fail(f"{folder}: no such folder")
    if not db_path.is_file():  # open_db would create an empty database
        return _fail(f"{db_path}: no such database file")
    db = open_db(db_path)
    try:
        report = import_shards(db, folder)
    except (OSError, EOFError, gzip.BadGzipFile, json.JSONDecodeError, KeyError, TypeError) as exc:
        return _fail(f"{folder}: a shard cannot be read ({type(exc).__name__}: {exc})")
    except (StoreError, sqlite3.Error) as exc:
        return _fail(f"{db_path}: {exc}")
    finally:
        db.close()
    print(f"viewer: {report.summary()}", file=sys.stderr)
    if report.examples:
        print(f"viewer: for example {', '.join(map(repr, report.examples))}", file=sys.stderr)
    return 1 if report.missing or report.changed else 0


def _fail(message: str) -> int:
    print(f"viewer: error: {message}", file=sys.stderr)
    return 2
