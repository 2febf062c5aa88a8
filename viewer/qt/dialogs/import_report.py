"""Small dialogs: the import report."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from viewer.core.model import ImportReport


class ImportReportDialog(QDialog):
    """What a corpus load did: counts, then every message naming its file."""

    def __init__(self, corpus: str, report: ImportReport, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import report")
        self.resize(760, 420)
        summary = QLabel(f"{corpus}\n{report.summary()}")
        summary.setTextFormat(Qt.TextFormat.PlainText)  # a path is never markup
        summary.setWordWrap(True)
        self.details = QPlainTextEdit()  # plain text: file names are shown as-is
        self.details.setReadOnly(True)
        lines = [str(m) for m in report.skipped] + [str(m) for m in report.warnings]
        self.details.setPlainText("\n".join(lines) or "No problems found.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
