"""`viewer import-annotations`: load a `viewer export --jsonl` file into a database of
the same corpus (merging or moving an analyst's work)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viewer.cli.analyze import StderrProgress
from viewer.core.annotation_io import AnnotationFileError, import_jsonl
from viewer.core.store import open_db

NAME = "import-annotations"
HELP = "load annotations, statuses, tags, notes and labels from a `viewer export --jsonl` file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="the database to import into")
    parser.add_argument("file", help="a JSONL file written by `viewer export --jsonl`")


def run(args: argparse.Namespace) -> int:
    """0: everything imported (or already there); 1: some records skipped (their
    articles are not in this database); 2: nothing imported (an error)."""
    db_path, source = Path(args.db), Path(args.file)
    if not db_path.is_file():  # open_db would create an empty database
        return _fail(f"{db_path}: no such database file")
    if not source.is_file():
        return _fail(f"{source}: no such file")
    db = open_db(db_path)
    try:
        report = import_jsonl(db, source, progress=StderrProgress())
    except AnnotationFileError as exc:
        return _fail(f"{exc}; nothing was imported")
    finally:
        db.close()
    for line in report.summary().splitlines():
        print(f"viewer: {line}", file=sys.stderr)
    for ext_id, count in sorted(report.skipped_articles.items()):
        print(f"viewer: skipped {count} records of article {ext_id!r}: not in {db_path}",
              file=sys.stderr)  # fmt: skip
    return 1 if report.skipped else 0


def _fail(message: str) -> int:
    print(f"viewer: error: {message}", file=sys.stderr)
    return 2
