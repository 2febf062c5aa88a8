"""Review → Conflicts…: every place two annotators decided differently, to go and settle."""

from __future__ import annotations

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
from sqlite_utils import Database

from viewer.core.store.articles import get_article
from viewer.core.team.conflicts import corpus_conflicts
from viewer.qt.safe_text import plain_tooltip

_ROLE = Qt.ItemDataRole.UserRole  # (article id, start, end) of the row


class ConflictsDialog(QDialog):
    """Double-click (or Enter) opens the article at the conflict; Adjudicate settles it."""

    span_requested = Signal(int, int, int)  # article id, start, end (0, 0: the article)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Conflicts between annotators")
        self.resize(860, 440)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Article", "What", "Text", "Decisions"])
        self.tree.setRootIsDecorated(False)
        titles: dict[int, str] = {}
        for article_id, c in corpus_conflicts(db):
            if article_id not in titles:
                article = get_article(db, article_id)
                titles[article_id] = article.title if article else str(article_id)
            row = QTreeWidgetItem(
                [titles[article_id], c.what, " ".join(c.text.split())[:60], c.words()]
            )
            row.setData(0, _ROLE, (article_id, c.start or 0, c.end or 0))
            row.setToolTip(3, plain_tooltip(c.words().replace("; ", "\n")))
            self.tree.addTopLevelItem(row)
        count = self.tree.topLevelItemCount()
        summary = QLabel(
            f"{count} conflicts in {len(titles)} articles. Double-click one to open it; "
            "Review → Adjudicate Article… settles them."
            if count
            else "No conflicts: where two annotators decided the same thing, they agree."
        )
        summary.setWordWrap(True)
        for col, width in enumerate((240, 90, 200)):
            self.tree.setColumnWidth(col, width)
        self.tree.itemActivated.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)

    def _open(self, item: QTreeWidgetItem) -> None:
        self.span_requested.emit(*item.data(0, _ROLE))
