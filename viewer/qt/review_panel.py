"""Article-level review: status, tags (with completion) and a note."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
)

from viewer.core.store.reviews import STATUSES, Review

STATUS_NAMES = {"unreviewed": "Unreviewed", "in_progress": "In progress", "done": "Done"}


class ReviewPanel(QWidget):
    """Emits what the analyst asked for; the window turns it into undoable edits."""

    status_chosen = Signal(str)
    note_edited = Signal(str)  # after a pause in typing, or on leaving the field
    tag_added = Signal(str)
    tag_removed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.status = QComboBox()
        for key in STATUSES:
            self.status.addItem(STATUS_NAMES[key], key)
        self.status.activated.connect(lambda i: self.status_chosen.emit(self.status.itemData(i)))
        self.tag_input = QLineEdit()
        self.tag_input.setPlaceholderText("Add a tag and press Enter")
        self._completions = QStringListModel(self)
        completer = QCompleter(self._completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tag_input.setCompleter(completer)
        self.tag_input.returnPressed.connect(self._add_tag)
        self.tags = QListWidget()
        self.tags.setFlow(QListWidget.Flow.LeftToRight)
        self.tags.setWrapping(True)
        self.tags.setMaximumHeight(54)
        self.tags.setToolTip("Double-click or press Delete to remove a tag")
        self.tags.itemDoubleClicked.connect(lambda item: self.tag_removed.emit(item.text()))
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("Note on this article")
        self.note.setMaximumHeight(80)
        # Save a note after a pause in typing: one undoable edit per burst.
        self._note_timer = QTimer(self, singleShot=True, interval=800)
        self._note_timer.timeout.connect(self.flush_note)
        self.note.textChanged.connect(self._note_typed)
        self.note.installEventFilter(self)
        self._saved_note = ""
        self._loading = False
        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        form.addRow("Status", self.status)
        form.addRow("Tags", self.tag_input)
        form.addRow("", self.tags)
        form.addRow("Note", self.note)

    def show_review(self, review: Review, tags: list[str], all_tags: list[str]) -> None:
        self._loading = True
        self.status.setCurrentIndex(STATUSES.index(review.status))
        self.tags.clear()
        self.tags.addItems(tags)
        self._completions.setStringList(all_tags)
        if self.note.toPlainText() != review.note:
            self.note.setPlainText(review.note)
        self._saved_note = review.note
        self._loading = False

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.tags.hasFocus() and self.tags.currentItem():
            self.tag_removed.emit(self.tags.currentItem().text())
            return
        super().keyPressEvent(event)

    def _add_tag(self) -> None:
        tag = " ".join(self.tag_input.text().split())
        if tag:
            self.tag_input.clear()
            self.tag_added.emit(tag)

    def _note_typed(self) -> None:
        if not self._loading:
            self._note_timer.start()

    def flush_note(self) -> None:
        """Save a pending note edit now (also called before switching article)."""
        self._note_timer.stop()
        text = self.note.toPlainText()
        if text != self._saved_note:
            self._saved_note = text
            self.note_edited.emit(text)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.note and event.type() == QEvent.Type.FocusOut:
            self.flush_note()
        return False
