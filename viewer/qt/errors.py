"""The one error sink: every error message the user is shown goes through here.

    show_error(parent, "Export CSV", f"Could not write {path}: {reason}")

A message names the file and the problem; it is shown as plain text (a path or
a file's content is never markup) in a non-modal box, so the window behind
keeps painting and a background operation that failed never blocks it.
``error_sink().shown`` tells a test (or a log) every message shown.

``failure_message`` is how an exception becomes such a message: the project's
own errors already say what and why; anything else is a defect, which keeps
its type name for a report and its trace on stderr.
"""

from __future__ import annotations

import traceback

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

Expected = tuple[type[BaseException], ...]


class ErrorSink(QObject):
    shown = Signal(str, str)  # title, message: an error the user was just shown

    def show(self, parent: QWidget | None, title: str, message: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.shown.emit(title, message)
        return box


_sink: ErrorSink | None = None


def error_sink() -> ErrorSink:
    """The application's one sink (made on first use, on the UI thread)."""
    global _sink
    if _sink is None:
        _sink = ErrorSink()
    return _sink


def show_error(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """Show ``message`` (naming the file and the problem) to the user."""
    return error_sink().show(parent, title, message)


def failure_message(exc: BaseException, expected: Expected = (), context: str = "") -> str:
    """``exc`` as words for the user. An ``expected`` exception is a message as it is;
    any other is a defect: its trace goes to stderr, and the message keeps its type
    (after ``context``, e.g. "<file>: cannot open the database")."""
    if isinstance(exc, expected):
        return str(exc)
    traceback.print_exception(exc)
    defect = f"{type(exc).__name__}: {exc}"
    return f"{context} ({defect})" if context else defect
