"""Article-level review: status, tags (with completion) and a note."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from viewer.core.store.reviews import STATUSES, AnnotatorReview, Review

STATUS_NAMES = {"unreviewed": "Unreviewed", "in_progress": "In progress", "done": "Done"}


_TAG_ROLE = Qt.ItemDataRole.UserRole  # the tag itself (the text may add its annotators)
_MINE_ROLE = Qt.ItemDataRole.UserRole + 1  # whether this analyst added it (may remove it)


class ReviewPanel(QWidget):
    """Emits what the analyst asked for; the window turns it into undoable edits.

    Status, note and tags shown for editing are this analyst's own; other
    annotators' reviews are listed below them, and their tags carry their names.
    """

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
        self.tags.setToolTip("Double-click or press Delete to remove a tag of yours")
        self.tags.itemDoubleClicked.connect(self._remove_item)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)  # Tab leaves the note; it typed tab characters
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
        self.others = QLabel()
        self.others.setWordWrap(True)
        self.others.setTextFormat(Qt.TextFormat.PlainText)
        self.others.setVisible(False)
        form.addRow("Others", self.others)
        self._others_label = form.labelForField(self.others)
        self._others_label.setVisible(False)

    def show_review(
        self,
        review: Review,
        tag_owners: dict[str, list[str]],
        all_tags: list[str],
        others: list[AnnotatorReview] = (),
        me: str = "",
    ) -> None:
        """This analyst's review, every tag (others' with their names) and the
        other annotators' reviews, a differing status marked as a conflict."""
        self._loading = True
        self.status.setCurrentIndex(STATUSES.index(review.status))
        self.tags.clear()
        for tag, owners in tag_owners.items():
            mine = me in owners
            theirs = [o for o in owners if o != me]
            text = tag if not theirs else f"{tag} ({', '.join(theirs)})"
            item = QListWidgetItem(text)
            item.setData(_TAG_ROLE, tag)
            item.setData(_MINE_ROLE, mine)
            item.setToolTip("Added by " + ", ".join(owners))
            if not mine:
                item.setForeground(self.palette().placeholderText())
            self.tags.addItem(item)
        self._completions.setStringList(all_tags)
        if self.note.toPlainText() != review.note:
            self.note.setPlainText(review.note)
        self._saved_note = review.note
        self._show_others(review, [r for r in others if r.annotator != me])
        self._loading = False

    def _show_others(self, review: Review, others: list[AnnotatorReview]) -> None:
        lines = []
        for r in others:
            mark = (
                " \u2260 yours"
                if review.status != "unreviewed" and (r.review.status != review.status)
                else ""
            )
            note = f" \u2014 \u201c{r.review.note}\u201d" if r.review.note else ""
            lines.append(f"{r.annotator}: {STATUS_NAMES[r.review.status]}{mark}{note}")
        self.others.setText("\n".join(lines))
        self.others.setVisible(bool(lines))
        self._others_label.setVisible(bool(lines))

    def _remove_item(self, item: QListWidgetItem) -> None:
        if item.data(_MINE_ROLE):
            self.tag_removed.emit(item.data(_TAG_ROLE))

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.tags.hasFocus() and self.tags.currentItem():
            self._remove_item(self.tags.currentItem())
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
