"""Starting the GUI: arguments, the QApplication, the main window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from viewer.core.bundled import seeds
from viewer.qt.main_window import MainWindow

# The bundled sample corpus, opened when no corpus is given.
SEEDS = seeds()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="viewer",
        description="Read a news corpus with entities and quotes highlighted. "
        "Headless: 'viewer analyze --help'.",
    )
    parser.add_argument(
        "corpus",
        nargs="?",
        help="a .txt/.jsonl/.csv file or a folder (default: the bundled sample corpus)",
    )
    parser.add_argument("--db", help="database file (default: one per corpus, see README)")
    parser.add_argument("--model", help="spaCy model name or folder (default: see README)")
    return parser


def create_window(argv: list[str], settings: QSettings | None = None) -> MainWindow:
    """The main window, shown, with the corpus of the command line (or the seeds) opening."""
    args = build_parser().parse_args(argv)
    window = MainWindow(settings or QSettings(), model=args.model)
    window.show()
    corpus = args.corpus or (SEEDS if SEEDS.is_dir() else None)
    if corpus is not None:
        window.open_corpus(corpus, args.db)
    return window


def run_gui(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("viewer")
    app.setApplicationName("viewer")
    window = create_window(argv)  # noqa: F841 - kept alive while the app runs
    return app.exec()
