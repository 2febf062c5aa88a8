"""Headless commands. Imports the core only, never Qt.

Each command lives in its own module, which defines ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; list it in COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import sys

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


def command_summaries() -> dict[str, str]:
    """Each command's HELP, read from its module's source rather than imported: the
    list of commands (`viewer --help`) need not wait for spaCy to load."""
    summaries = {}
    for name, module_name in COMMAND_MODULES.items():
        spec = importlib.util.find_spec(module_name)
        source = open(spec.origin, encoding="utf-8").read() if spec and spec.origin else ""
        summaries[name] = next(
            (
                node.value.value
                for node in ast.parse(source).body
                if isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == ["HELP"]
                and isinstance(node.value, ast.Constant)
            ),
            "",
        )
    return summaries


def commands_help() -> str:
    """The commands, one line each, for the end of `viewer --help`."""
    summaries = command_summaries()
    width = max(map(len, summaries))
    lines = ["commands (no window; 'viewer COMMAND --help' for each one's options):"]
    lines += [f"  {name:<{width}}  {summary}" for name, summary in summaries.items()]
    return "\n".join(lines)


def run(argv: list[str]) -> int:
    from viewer.core.nlp.pipeline import ModelNotFound  # imported with the commands anyway
    from viewer.core.store import StoreError

    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (StoreError, ModelNotFound, OSError) as exc:
        print(f"viewer: error: {exc}", file=sys.stderr)
        return 2
