"""Review → Conflicts…: every place two annotators decided differently, to go and settle."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.core.store.articles import get_article
from viewer.core.store.database import close, open_readonly
from viewer.core.team.conflicts import Conflict, corpus_conflicts
from viewer.qt.operations import Operation
from viewer.qt.safe_text import plain_tooltip

_ROLE = Qt.ItemDataRole.UserRole  # (article id, start, end) of the row


def read_conflicts(db_path: str | Path) -> list[tuple[int, str, Conflict]]:
    """(article id, title, conflict) over the database, on a connection of its own
    (the dialog runs it off the UI thread: a team's database takes a while)."""
    try:
        db = open_readonly(db_path)
    except sqlite3.Error as exc:
        raise OSError(f"{db_path}: cannot read the conflicts ({exc})") from exc
    try:
        titles: dict[int, str] = {}
        out = []
        for article_id, c in corpus_conflicts(db):
            if article_id not in titles:
                article = get_article(db, article_id)
                titles[article_id] = article.title if article else str(article_id)
            out.append((article_id, titles[article_id], c))
        return out
    except sqlite3.Error as exc:
        raise OSError(f"{db_path}: cannot read the conflicts ({exc})") from exc
    finally:
        close(db)


class ConflictsDialog(QDialog):
    """Double-click (or Enter) opens the article at the conflict; Adjudicate settles it."""

    span_requested = Signal(int, int, int)  # article id, start, end (0, 0: the article)
    listed = Signal()  # the conflicts are shown

    def __init__(self, db_path: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Conflicts between annotators")
        self.resize(860, 440)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Article", "What", "Text", "Decisions"])
        self.tree.setRootIsDecorated(False)
        for col, width in enumerate((240, 90, 200)):
            self.tree.setColumnWidth(col, width)
        self.tree.itemActivated.connect(self._open)
        self.summary = QLabel("Looking for conflicts…")
        self.summary.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.job = Operation(lambda _task: read_conflicts(db_path), expected=(OSError,))
        self.job.succeeded.connect(self._show)
        self.job.failed.connect(self.summary.setText)
        self.job.start()

    def _show(self, found: list[tuple[int, str, Conflict]]) -> None:
        for article_id, title, c in found:
            row = QTreeWidgetItem([title, c.what, " ".join(c.text.split())[:60], c.words()])
            row.setData(0, _ROLE, (article_id, c.start or 0, c.end or 0))
            row.setToolTip(3, plain_tooltip(c.words().replace("; ", "\n")))
            self.tree.addTopLevelItem(row)
        articles = len({article_id for article_id, _, _ in found})
        self.summary.setText(
            f"{len(found)} conflicts in {articles} articles. Double-click one to open it; "
            "Review → Adjudicate Article… settles them."
            if found
            else "No conflicts: where two annotators decided the same thing, they agree."
        )
        self.listed.emit()

    def _open(self, item: QTreeWidgetItem) -> None:
        self.span_requested.emit(*item.data(0, _ROLE))
