"""`viewer synth`: write a synthetic news corpus (JSONL) for benchmarks."""

from __future__ import annotations

import argparse
import sys

from viewer.devtools.synthetic import write_jsonl

NAME = "synth"
HELP = "write a synthetic news corpus as JSONL (deterministic for a given seed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", help="the .jsonl file to write (replaced if it exists)")
    parser.add_argument("--articles", type=int, required=True, metavar="N", help="how many")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")


def run(args: argparse.Namespace) -> int:
    if args.articles < 0:
        print("viewer: error: --articles must be 0 or more", file=sys.stderr)
        return 2

    def progress(done: int, total: int) -> None:
        print(f"viewer: synth: {done} of {total} articles", file=sys.stderr, flush=True)

    n = write_jsonl(args.out, args.articles, args.seed, progress)
    print(f"viewer: wrote {n} synthetic articles to {args.out}", file=sys.stderr)
    return 0
