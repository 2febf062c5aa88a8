"""Headless commands. Imports the core only, never Qt.

Each command lives in its own module, which defines ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; list it in COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from viewer.core.nlp.pipeline import ModelNotFound
from viewer.core.store import StoreError

COMMAND_MODULES = {
    "agreement": "viewer.cli.agreement",
    "analyze": "viewer.cli.analyze",
    "export": "viewer.cli.export",
    "import-analysis": "viewer.cli.import_analysis",
    "import-annotations": "viewer.cli.import_annotations",
    "synth": "viewer.cli.synth",
}
COMMANDS = tuple(COMMAND_MODULES)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="viewer", description="Headless viewer commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module_name in COMMAND_MODULES.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (StoreError, ModelNotFound, OSError) as exc:
        print(f"viewer: error: {exc}", file=sys.stderr)
        return 2
