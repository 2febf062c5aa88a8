"""Starting the GUI: arguments, the QApplication, the main window.

Arguments are parsed before any QApplication exists, so ``viewer --help`` and
argument errors need no display; then the xcb plugin's libraries are checked,
so a missing one is named instead of Qt's abort.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from viewer.qt.main_window import MainWindow
from viewer.qt.platform_libraries import startup_problem

# The bundled sample corpus, opened when no corpus is given.
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def commands_help() -> str:
    """The headless commands, one line each, from the command modules themselves."""
    from viewer.cli import COMMAND_MODULES

    width = max(map(len, COMMAND_MODULES))
    lines = ["commands (no window; 'viewer COMMAND --help' for each one's options):"]
    for name, module_name in COMMAND_MODULES.items():
        lines.append(f"  {name:<{width}}  {importlib.import_module(module_name).HELP}")
    return "\n".join(lines) + "\n"


class _WindowParser(argparse.ArgumentParser):
    def format_help(self) -> str:
        # Built only when asked for: the command modules import spaCy's side of the core.
        return super().format_help() + "\n" + commands_help()


def build_parser() -> argparse.ArgumentParser:
    parser = _WindowParser(
        prog="viewer",
        usage="viewer [CORPUS] [--db DB] [--model NAME]\n       viewer COMMAND ...",
        description="Read a news corpus with entities and quotes highlighted. "
        "With no CORPUS, the last corpus opened (the bundled sample corpus the first time).",
    )
    parser.add_argument(
        "corpus",
        nargs="?",
        help="a .txt/.jsonl/.csv file or a folder (default: the last one opened)",
    )
    parser.add_argument("--db", help="database file (default: one per corpus, see README)")
    parser.add_argument("--model", help="spaCy model name or folder (default: see README)")
    return parser


def create_window(
    argv: list[str] | argparse.Namespace, settings: QSettings | None = None
) -> MainWindow:
    """The main window, shown, with a corpus opening: the command line's, else the last
    one opened (at the article last read), else the bundled seeds."""
    args = argv if isinstance(argv, argparse.Namespace) else build_parser().parse_args(argv)
    window = MainWindow(settings or QSettings(), model=args.model)
    window.show()
    if args.corpus:
        window.open_corpus(args.corpus, args.db)
        return window
    last = window.recent.last()
    if last is not None and last.exists:
        window.open_corpus(last.corpus, args.db or last.db)
    elif SEEDS.is_dir():
        if last is not None:
            window.start_notice = (
                f"the last corpus, {last.corpus}, is not there any more: showing the sample corpus"
            )
        window.open_corpus(SEEDS, args.db)
        if window.start_notice:
            notice = window.start_notice
            window.statusBar().showMessage(notice[0].upper() + notice[1:])
    return window


def run_gui(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)  # --help and errors exit here, with no display
    problem = startup_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("viewer")
    app.setApplicationName("viewer")
    window = create_window(args)  # noqa: F841 - kept alive while the app runs
    return app.exec()
