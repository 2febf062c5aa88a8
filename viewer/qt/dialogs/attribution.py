"""Dialogs for attributions: add one with its speaker in one step, or set a speaker.

The speaker is picked from the article's people (PERSON entities and the speakers
already in it) or typed; either way it is resolved as the model's speakers are
(``viewer.core.names.speaker_names``), and the dialog shows whom it resolved to before
the analyst confirms. "No source" says nobody is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from viewer.core.model import Entity, Quote, QuoteKind
from viewer.core.names.speaker_names import SpeakerChoice, choose_speaker, speaker_choices

# As the legend names them (indirect is "Reported"); the first letters are menu keys.
KIND_NAMES: dict[QuoteKind, str] = {
    "direct": "Direct: the words in quotation marks",
    "mixed": "Mixed: quoted words inside reported speech",
    "indirect": "Reported (indirect): no quotation marks",
    "no-source": "No source: reported, nobody named",
}
OPENING_MARKS = "\"'“‘«„‚"
CLOSING_MARKS = "\"'”’»“"
PREVIEW_CHARS = 160


@dataclass(frozen=True)
class ArticleContext:
    """What resolving a speaker needs: the text, its entities and attributions, and
    where the attribution is (its content's start)."""

    text: str
    entities: Sequence[Entity]
    quotes: Sequence[Quote]
    at: int


def in_quotation_marks(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """The content of a selection without its quotation marks, and whether it was in
    marks: '"We agreed,"' and 'We agreed,' between marks are both direct."""
    if end - start >= 2 and text[start] in OPENING_MARKS and text[end - 1] in CLOSING_MARKS:
        inner_start, inner_end = start + 1, end - 1
        while inner_start < inner_end and text[inner_start].isspace():
            inner_start += 1
        while inner_end > inner_start and text[inner_end - 1].isspace():
            inner_end -= 1
        if inner_start < inner_end:
            return inner_start, inner_end, True
    before = text[:start].rstrip()[-1:]
    after = text[end:].lstrip(",.!?;:")[:1]
    return start, end, bool(before) and before in OPENING_MARKS and after in CLOSING_MARKS


def _shorten(text: str, limit: int = PREVIEW_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SpeakerPicker(QWidget):
    """The article's people to pick from, or a typed name; or no source."""

    changed = Signal()

    def __init__(self, context: ArticleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.choices = speaker_choices(context.text, context.entities, context.quotes, context.at)
        self.speaker = QComboBox()
        self.speaker.setEditable(True)
        self.speaker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.speaker.lineEdit().setPlaceholderText("Pick a person, or type a name or description")
        for choice in self.choices:
            self.speaker.addItem(choice.label(), choice)
        self.speaker.setCurrentIndex(-1)
        self.speaker.setEditText("")
        completer = QCompleter([c.label() for c in self.choices], self.speaker)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.speaker.setCompleter(completer)
        self.no_source = QCheckBox("No source (nobody named)")
        self.resolved = QLabel()
        self.resolved.setTextFormat(Qt.TextFormat.PlainText)
        self.resolved.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.speaker)
        layout.addWidget(self.resolved)
        layout.addWidget(self.no_source)
        self.speaker.editTextChanged.connect(self._update)
        self.no_source.toggled.connect(self._update)
        self._update()

    def set_typed(self, text: str) -> None:
        self.no_source.setChecked(False)
        self.speaker.setEditText(text)

    def pick(self, name: str) -> bool:
        """Choose one of the article's people by name; False if there is none of that name."""
        for i, choice in enumerate(self.choices):
            if choice.name.lower() == name.lower():
                self.no_source.setChecked(False)
                self.speaker.setCurrentIndex(i)
                return True
        return False

    def is_complete(self) -> bool:
        return self.no_source.isChecked() or self.choice() is not None

    def choice(self) -> SpeakerChoice | None:
        """The speaker as it will be stored; None for no source or nothing entered."""
        if self.no_source.isChecked():
            return None
        typed = self.speaker.currentText().strip()
        for choice in self.choices:  # one of the article's people, as listed
            if typed.lower() in (choice.label().lower(), choice.name.lower()):
                return choice
        c = self.context
        return choose_speaker(typed, c.text, c.entities, c.quotes, c.at) if typed else None

    def _update(self) -> None:
        self.speaker.setEnabled(not self.no_source.isChecked())
        choice = self.choice()
        if self.no_source.isChecked():
            self.resolved.setText("→ nobody named")
        elif choice is None:
            self.resolved.setText("")
        else:
            where = "" if choice.start is not None else " — not named in the text"
            self.resolved.setText(f"→ {choice.label()}{where}")
        self.changed.emit()


class _AttributionDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def _content_row(self, text: str) -> None:
        content = QLabel(f"“{_shorten(text)}”")
        content.setTextFormat(Qt.TextFormat.PlainText)  # article text is never rich text
        content.setWordWrap(True)
        self.form.addRow("Content:", content)

    def _enable_ok(self, ok: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


class AddAttributionDialog(_AttributionDialog):
    """Content (the selection), kind and speaker of a new attribution, in one step."""

    def __init__(
        self, context: ArticleContext, content: str, kind: QuoteKind, parent: QWidget | None = None
    ):
        super().__init__("Add attribution", parent)
        self._content_row(content)
        self.kind = QComboBox()
        for value, name in KIND_NAMES.items():
            self.kind.addItem(name, value)
        self.kind.setCurrentIndex(list(KIND_NAMES).index(kind))
        self.form.addRow("&Kind:", self.kind)
        self.picker = SpeakerPicker(context, self)
        self.form.addRow("&Speaker:", self.picker)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.picker.no_source.toggled.connect(self._no_source_toggled)
        self.picker.changed.connect(self._check)
        self._check()
        self.picker.speaker.setFocus()

    def chosen_kind(self) -> QuoteKind:
        return self.kind.currentData()

    def set_kind(self, kind: QuoteKind) -> None:
        self.kind.setCurrentIndex(list(KIND_NAMES).index(kind))

    def values(self) -> tuple[QuoteKind, SpeakerChoice | None]:
        """The kind and the speaker (None: no source) as they will be stored."""
        return self.chosen_kind(), self.picker.choice()

    def _kind_changed(self) -> None:
        if self.chosen_kind() == "no-source":  # nobody named, by definition
            self.picker.no_source.setChecked(True)
        self._check()

    def _no_source_toggled(self, checked: bool) -> None:
        if checked and self.chosen_kind() == "indirect":
            self.set_kind("no-source")
        elif not checked and self.chosen_kind() == "no-source":
            self.set_kind("indirect")

    def _check(self) -> None:
        self._enable_ok(self.picker.is_complete())


class SpeakerDialog(_AttributionDialog):
    """Set the speaker of an attribution: one of the article's people, typed, or no source."""

    def __init__(
        self,
        context: ArticleContext,
        content: str,
        current: str | None,
        parent: QWidget | None = None,
    ):
        super().__init__("Set speaker", parent)
        self._content_row(content)
        now = QLabel(current or "nobody named")
        now.setTextFormat(Qt.TextFormat.PlainText)
        self.form.addRow("Now:", now)
        self.picker = SpeakerPicker(context, self)
        self.form.addRow("&Speaker:", self.picker)
        self.picker.changed.connect(lambda: self._enable_ok(self.picker.is_complete()))
        self._enable_ok(self.picker.is_complete())
        self.picker.speaker.setFocus()
