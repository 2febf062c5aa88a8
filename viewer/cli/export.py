"""`viewer export`: a CSV of annotations, quotes, entities or articles, or the JSONL
of all the analyst's work (for `viewer import-annotations`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from viewer.cli.analyze import StderrProgress
from viewer.core.store import open_db
from viewer.core.store.database import default_db_path
from viewer.core.store.filters import distinct_values
from viewer.core.tasks.export import WHAT_CHOICES, WHATS, ExportError, ExportResult, export_csv
from viewer.core.tasks.export_target import TargetExists, check_export_target
from viewer.core.tasks.transfer import export_jsonl

NAME = "export"
HELP = "export a CSV (--csv OUT --what ...) or the analyst's work as JSONL (--jsonl OUT)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "corpus",
        nargs="?",
        metavar="CORPUS",
        help="the corpus (file or folder) whose database to export: the one the window uses",
    )
    parser.add_argument("--db", help="the database file to export from (instead of CORPUS)")
    out = parser.add_mutually_exclusive_group(required=True)
    out.add_argument("--csv", metavar="OUT", help="write a CSV file")
    out.add_argument("--jsonl", metavar="OUT", help="write every annotation, status, tag, note")
    parser.add_argument(
        "--what",
        choices=WHAT_CHOICES,
        help="which CSV (required with --csv); quotes is the old name of attributions",
    )
    parser.add_argument(
        "--raw", action="store_true", help="exact values, for programs (no spreadsheet guard)"
    )
    parser.add_argument(
        "--bom", action="store_true", help="start with a byte-order mark (for spreadsheets)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace OUT when it exists (never the database)"
    )
    parser.add_argument(
        "--annotator",
        metavar="NAME",
        help="only this annotator's work (e.g. adjudicated): their annotations, statuses, "
        "notes and tags, and the corrected views with their decisions alone",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=min(2, os.cpu_count() or 1),
        metavar="N",
        help="render the annotations CSV in N processes (default: up to 2, one per core)",
    )


def run(args: argparse.Namespace) -> int:
    problem = _argument_problem(args)
    if problem:
        return _fail(problem)
    db_path = Path(args.db) if args.db else default_db_path(args.corpus)
    out = Path(args.csv or args.jsonl)
    if not db_path.is_file():  # open_db would create an empty database
        if not args.db:
            return _fail(f"{args.corpus}: no database for this corpus yet ({db_path}); "
                         "open it in the viewer or run viewer analyze first")  # fmt: skip
        return _fail(f"{db_path}: no such database file")
    try:
        check_export_target(db_path, out, overwrite=args.force)
    except TargetExists as exc:
        return _fail(f"{exc}; add --force to replace it")
    except ExportError as exc:  # the database's own file, a folder
        return _fail(str(exc))
    db = open_db(db_path)
    try:
        result = _export(db, args, out)
    except ExportError as exc:
        return _fail(str(exc))
    finally:
        db.close()
    unit = "records" if args.jsonl else f"{result.what} rows"
    print(f"viewer: wrote {result.rows} {unit} to {result.path}", file=sys.stderr)
    return 0


def _argument_problem(args: argparse.Namespace) -> str | None:
    if bool(args.corpus) == bool(args.db):
        return "give a CORPUS or --db DB (one of them)"
    if args.csv and not args.what:
        return "--csv needs --what (" + "|".join(WHATS) + ")"
    if args.jsonl and (args.what or args.raw or args.bom):
        return "--what, --raw and --bom go with --csv, not --jsonl"
    return None


def _export(db, args: argparse.Namespace, out: Path) -> ExportResult:
    progress = StderrProgress()
    if args.annotator is not None and args.annotator not in distinct_values(db, "annotator"):
        raise ExportError(f"{args.db}: no work by {args.annotator!r} in this database")
    if args.jsonl:
        return export_jsonl(db, out, progress=progress, annotator=args.annotator)
    return export_csv(db, out, args.what, raw=args.raw, bom=args.bom, progress=progress,
                      workers=max(1, args.processes), annotator=args.annotator)  # fmt: skip


def _fail(message: str) -> int:
    print(f"viewer: error: {message}", file=sys.stderr)
    return 2
