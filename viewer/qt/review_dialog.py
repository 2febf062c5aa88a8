"""Annotations whose article text changed: where they sit now, to check by hand."""

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

from viewer.core.model import Annotation
from viewer.core.store.annotations import annotations_to_review
from viewer.core.store.articles import get_article
from viewer.qt.annotation_panel import describe
from viewer.qt.safe_text import plain_tooltip

STATUS_HELP = {
    "moved": "found at another place, with its text unchanged",
    "approximate": "its text changed; the closest match is shown",
    "orphaned": "not found in the new text; kept, with its old text",
}
# An orphaned decision whose text still stands at its offsets: the text did not
# change, the model did (no span of the current analysis takes the decision).
UNTAKEN_HELP = "no span in the current model output takes this decision; kept, not applied"


def status_help(ann: Annotation, article_text: str | None) -> str:
    """Why ``ann`` is listed, in words (its anchor status, told apart by cause)."""
    if (
        ann.anchor_status == "orphaned"
        and article_text is not None
        and ann.end > ann.start
        and article_text[ann.start : ann.end] == ann.text
    ):
        return UNTAKEN_HELP
    return STATUS_HELP.get(ann.anchor_status, "")


class AnchorReviewDialog(QDialog):
    annotation_requested = Signal(int, int, int)  # article id, start, end

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Annotations to review")
        self.resize(820, 420)
        items = annotations_to_review(db)
        summary = QLabel(
            f"{len(items)} annotations were re-attached after their article's text"
            " or the model's output changed."
            if items
            else "Every annotation sits exactly where it was made."
        )
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Article", "Annotation", "Status", "Text"])
        self.tree.setRootIsDecorated(False)
        titles: dict[int, str] = {}
        texts: dict[int, str | None] = {}
        for ann in items:
            if ann.article_id not in titles:
                art = get_article(db, ann.article_id)
                titles[ann.article_id] = art.title if art else str(ann.article_id)
                texts[ann.article_id] = art.text if art else None
            row = QTreeWidgetItem(
                [
                    titles[ann.article_id],
                    describe(ann),
                    ann.anchor_status,
                    " ".join(ann.text.split())[:80],
                ]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, (ann.article_id, ann.start, ann.end))
            row.setToolTip(2, status_help(ann, texts[ann.article_id]))
            row.setToolTip(3, plain_tooltip(ann.text))
            self.tree.addTopLevelItem(row)
        self.tree.itemActivated.connect(self._open)
        self.tree.itemDoubleClicked.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        article_id, start, end = item.data(0, Qt.ItemDataRole.UserRole)
        self.annotation_requested.emit(article_id, start, end)
