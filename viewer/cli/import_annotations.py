"""`viewer import-annotations`: merge a `viewer export --jsonl` file into a database of
the same corpus (a colleague's work, or one's own from another machine)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from viewer.cli.analyze import StderrProgress
from viewer.core.store import StoreError, open_db
from viewer.core.tasks.transfer import PREFERENCES, AnnotationFileError, import_jsonl

NAME = "import-annotations"
HELP = "merge annotations, statuses, tags, notes and labels from a `viewer export --jsonl` file"
MAX_ARTICLE_LINES = 20  # "skipped N records of article X" lines printed; the rest counted


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="the database to import into")
    parser.add_argument("file", help="a JSONL file written by `viewer export --jsonl`")
    parser.add_argument(
        "--prefer",
        choices=PREFERENCES,
        default="mine",
        help="when a status or note differs: keep this database's value (mine, the default) "
        "or the one changed later (newer); the other is kept in the merge_conflicts table",
    )


def run(args: argparse.Namespace) -> int:
    """0: everything imported (or already there); 1: some records skipped (bad, or
    their articles are not in this database); 2: nothing imported (an error)."""
    db_path, source = Path(args.db), Path(args.file)
    if not db_path.is_file():  # open_db would create an empty database
        return _fail(f"{db_path}: no such database file")
    if not source.exists():
        return _fail(f"{source}: no such file")
    db = open_db(db_path)
    try:
        report = import_jsonl(db, source, progress=StderrProgress(), prefer=args.prefer)
    except AnnotationFileError as exc:
        return _fail(f"{exc}; nothing was imported")
    except (StoreError, sqlite3.Error, OSError) as exc:  # the transaction was rolled back
        return _fail(f"{db_path}: {exc}; nothing was imported")
    finally:
        db.close()
    for line in report.summary().splitlines():
        print(f"viewer: {line}", file=sys.stderr)
    _print_missing_articles(report.skipped_articles, db_path)
    return 1 if report.skipped else 0


def _print_missing_articles(skipped: dict[str, int], db_path: Path) -> None:
    items = sorted(skipped.items())
    for ext_id, count in items[:MAX_ARTICLE_LINES]:
        records = "record" if count == 1 else "records"
        print(f"viewer: skipped {count} {records} of article {ext_id!r}: not in {db_path}",
              file=sys.stderr)  # fmt: skip
    if len(items) > MAX_ARTICLE_LINES:
        print(f"viewer: ... and {len(items) - MAX_ARTICLE_LINES} more articles", file=sys.stderr)


def _fail(message: str) -> int:
    print(f"viewer: error: {message}", file=sys.stderr)
    return 2
