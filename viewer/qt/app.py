"""Starting the GUI: arguments, the QApplication, the main window.

Arguments are parsed before any QApplication exists (and before the window's
modules load), so ``viewer --help`` and argument errors need no display; then the
xcb plugin's libraries are checked, so a missing one is named instead of Qt's abort.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from viewer.core.bundled import seeds
from viewer.qt.platform_libraries import create_application, startup_problem

if TYPE_CHECKING:  # the window's modules load only once arguments are parsed
    from PySide6.QtCore import QSettings

    from viewer.qt.main_window import MainWindow

# The bundled sample corpus, opened when no corpus is given.
SEEDS = seeds()


def build_parser(epilog: str = "") -> argparse.ArgumentParser:
    """The window's arguments; ``epilog``: the headless commands (the entry point
    lists them: the GUI does not import the commands)."""
    parser = argparse.ArgumentParser(
        prog="viewer",
        usage="viewer [CORPUS] [--db DB] [--model NAME]\n       viewer COMMAND ...",
        description="Read a news corpus with entities and quotes highlighted.\n"
        "With no CORPUS: the last corpus opened (the first time, the bundled sample corpus).",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    from PySide6.QtCore import QSettings

    from viewer.qt.main_window import MainWindow

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


def run_gui(argv: list[str] | argparse.Namespace) -> int:
    # Parsed before any QApplication: --help and errors need no display.
    args = argv if isinstance(argv, argparse.Namespace) else build_parser().parse_args(argv)
    problem = startup_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or create_application(lambda: QApplication(sys.argv[:1]))
    app.setOrganizationName("viewer")
    app.setApplicationName("viewer")
    window = create_window(args)  # noqa: F841 - kept alive while the app runs
    return app.exec()
