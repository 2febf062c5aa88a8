"""`viewer agreement A [B]`: how far two annotators agree, as a table and a CSV.

A and B are each a viewer database or a `viewer export --jsonl` file of the same
corpus (articles matched by corpus id); B defaults to A, for two annotators of
one database picked with --annotator-a / --annotator-b. The figures are defined
in viewer.core.team.agreement.
"""

from __future__ import annotations

import argparse
import sys

from viewer.core.tasks.export import ExportError
from viewer.core.team.agreement import (
    AgreementRow,
    NoSharedArticles,
    agreement,
    csv_columns,
    csv_values,
    figure,
    write_agreement_csv,
)
from viewer.core.team.work import WorkSourceError, pick_annotator, read_work

NAME = "agreement"
HELP = "agreement of two annotators (span F1 and alpha, decision and status kappa), table and CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", help="a viewer database or annotations JSONL file")
    parser.add_argument(
        "b", metavar="B", nargs="?", help="another one of the same corpus (default: A again)"
    )
    parser.add_argument("--annotator-a", help="whose work in A (needed when A holds several)")
    parser.add_argument("--annotator-b", help="whose work in B (needed when B holds several)")
    parser.add_argument("--csv", metavar="OUT", help="also write the rows to this CSV file")
    parser.add_argument(
        "--by-article", action="store_true", help="add one row per article and scope"
    )


def run(args: argparse.Namespace) -> int:
    """0: figures printed (and written); 2: an input unusable, or no shared article."""
    b_path = args.b or args.a
    try:
        found_a = read_work(args.a)
        found_b = found_a if b_path == args.a else read_work(b_path)
        a = pick_annotator(found_a, args.annotator_a, args.a)
        b = pick_annotator(found_b, args.annotator_b, b_path)
        if a is b:
            return _fail(f"{args.a}: A and B are the same annotator's work ({a.annotator})")
        rows = agreement(a, b, by_article=args.by_article)
    except (WorkSourceError, NoSharedArticles) as exc:
        return _fail(str(exc))
    print(f"A: {a.annotator} ({args.a})   B: {b.annotator} ({b_path})")
    print(render_table(rows, args.by_article))
    if args.csv:
        try:
            write_agreement_csv(rows, args.csv, args.by_article)
        except (ExportError, OSError) as exc:
            return _fail(f"{args.csv}: {exc}")
        print(f"viewer: wrote {len(rows)} rows to {args.csv}", file=sys.stderr)
    return 0


def render_table(rows: list[AgreementRow], by_article: bool = False) -> str:
    """The rows as an aligned text table (figures to 3 decimals, empty when undefined)."""
    header = csv_columns(by_article)
    body = [[figure(v) for v in csv_values(r, by_article)] for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in body)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in body]
    return "\n".join(line.rstrip() for line in lines)


def _fail(message: str) -> int:
    print(f"viewer: error: {message}", file=sys.stderr)
    return 2
