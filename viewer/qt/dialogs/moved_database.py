"""The open database file was moved or deleted: say so, and offer to save a copy.

The store refuses every write once the path no longer names the opened file
(DatabaseMoved), so nothing more is acknowledged into an orphaned file. The
connection still reads that file, with every edit saved so far: "Save a
Copy…" writes it (the SQLite backup API, one consistent snapshot) to a file
the user picks, and the window goes on working there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from sqlite_utils import Database

from viewer.core.store.backups import copy_database


class MovedDatabaseNotice(QObject):
    """``show(message)`` once per lost file; ``copy_saved(path)`` after a copy was written."""

    copy_saved = Signal(Path)
    failed = Signal(str)

    def __init__(self, parent: QWidget, db: Callable[[], Database | None]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._db = db  # the open (lost) database, or None
        self.box: QMessageBox | None = None

    def show(self, message: str) -> None:
        if self.box is not None and self.box.isVisible():
            return  # one notice, however many edits were refused
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Database moved or deleted",
            f"{message}.\n\nEverything saved until now is still readable here. "
            "Save a copy to a new file and go on working there?",
            parent=self._parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.save_button = box.addButton("Save a Copy…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setModal(False)
        box.buttonClicked.connect(self._clicked)
        self.box = box
        box.show()

    def _clicked(self, button) -> None:
        if button is self.save_button:
            self.save_copy()

    def save_copy(self, target: str | Path | None = None) -> Path | None:
        """Write the open database to ``target`` (asked for when None); the path, or None."""
        db: Database | None = self._db()
        if db is None:
            return None
        if target is None:
            name, _ = QFileDialog.getSaveFileName(
                self._parent, "Save a copy of the database", "", "SQLite databases (*.sqlite)"
            )
            if not name:
                return None
            target = name
        target = Path(target)
        try:
            copy_database(db, target)
        except (OSError, sqlite3.Error) as exc:
            reason = getattr(exc, "strerror", None) or exc
            self.failed.emit(f"{target}: could not save the copy ({reason})")
            return None
        if self.box is not None:
            self.box.close()
        self.copy_saved.emit(target)
        return target
