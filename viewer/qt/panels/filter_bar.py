"""Widgets to edit an ArticleFilter; every change emits the whole new filter.

Text fields wait for a short pause in typing, so a long corpus is not
re-filtered on every key.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)
from sqlite_utils import Database

from viewer.core.attributions import ATTRIBUTION_KINDS
from viewer.core.store.articles import article_row
from viewer.core.store.filters import ArticleFilter, date_problem, distinct_values

ANY = "Any"
STATUSES = ("unreviewed", "in_progress", "done")
HAS_QUOTES = {ANY: None, "With quotes": True, "Without quotes": False}
KIND_NAMES = {
    "direct": "Direct",
    "mixed": "Mixed",
    "indirect": "Indirect",
    "no-source": "No source",
}


def _combo(editable: bool = True) -> QComboBox:
    box = QComboBox()
    box.setEditable(editable)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    box.setMinimumContentsLength(10)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return box


class FilterBar(QWidget):
    """Entity, speaker, anonymous, attribution kind, tag, status, source, dates, quotes,
    annotation label, annotator, text."""

    changed = Signal(object)  # the new ArticleFilter

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._filter = ArticleFilter()
        self._loading = False  # set while widgets are filled programmatically
        self._db: Database | None = None
        self._speaker_article: int | None = None  # narrowed to one article's speaker

        self.query = QLineEdit(placeholderText="words in title or text")
        self.entity = QLineEdit(placeholderText="entity text")
        self.label = _combo()
        self.speaker = QLineEdit(placeholderText="speaker name")
        self.anonymous = QCheckBox("Anonymous attributions")
        self.anonymous.setToolTip(
            "Articles with an attribution to an anonymous source (of the kind chosen, if any)"
        )
        self.kind = _combo(editable=False)
        self.kind.addItem(ANY, None)
        for kind in ATTRIBUTION_KINDS:
            self.kind.addItem(KIND_NAMES.get(kind, kind), kind)
        self.kind.setToolTip("Articles with an attribution of this kind")
        # Shown when a click in the speakers table chose an anonymous speaker:
        # that article's speaker, not every speaker of the name.
        self.speaker_article = QCheckBox()
        self.speaker_article.setToolTip("Untick for every speaker of this name")
        self.speaker_article.hide()
        self.tag = _combo()
        self.status = _combo(editable=False)
        self.status.addItems([ANY, *STATUSES])
        self.source = _combo()
        self.date_from = QLineEdit(placeholderText="from YYYY-MM-DD")
        self.date_to = QLineEdit(placeholderText="to YYYY-MM-DD")
        self.has_quotes = _combo(editable=False)
        self.has_quotes.addItems(list(HAS_QUOTES))
        self.annotation_label = _combo()
        self.annotator = _combo()
        self.annotator.setToolTip(
            "Articles this annotator worked on; tag, status and label then mean theirs"
        )
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Show all articles")
        for w in (self.query, self.entity, self.speaker, self.date_from, self.date_to):
            w.setClearButtonEnabled(True)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        cells = [
            ("Text", self.query),
            ("Entity", self.entity),
            ("Label", self.label),
            ("Speaker", self.speaker),
            ("Tag", self.tag),
            ("Status", self.status),
            ("Source", self.source),
            ("Dates", self.date_from),
            ("", self.date_to),
            ("Quotes", self.has_quotes),
            ("Annotated as", self.annotation_label),
            ("Attributions", self.kind),
            ("Annotator", self.annotator),
        ]
        per_row = 7  # two rows of filters: the list and the text keep their height
        for i, (name, widget) in enumerate(cells):
            row, col = divmod(i, per_row)
            label = QLabel(name)
            label.setBuddy(widget)
            grid.addWidget(label, row * 2, col)
            grid.addWidget(widget, row * 2 + 1, col)
        grid.addWidget(self.anonymous, 3, per_row)
        grid.addWidget(self.clear_button, 1, per_row)
        grid.addWidget(self.speaker_article, 4, 0, 1, per_row)

        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self._emit)
        for edit in (self.query, self.entity, self.speaker, self.date_from, self.date_to):
            edit.textEdited.connect(self._timer.start)
            edit.returnPressed.connect(self._emit)
        for box in (self.label, self.tag, self.source, self.annotation_label, self.annotator):
            box.currentTextChanged.connect(self._changed_now)
        for box in (self.status, self.has_quotes, self.kind):
            box.currentIndexChanged.connect(self._changed_now)
        self.anonymous.toggled.connect(self._changed_now)
        self.speaker.textEdited.connect(self._forget_speaker_article)
        self.speaker_article.toggled.connect(self._speaker_article_toggled)
        self.clear_button.clicked.connect(self.clear)

    # -- public ----------------------------------------------------------------

    def filter(self) -> ArticleFilter:
        """The filter the widgets show now."""
        return self._read()

    def set_db(self, db: Database | None) -> None:
        """Offer the choices this database has (labels, tags, sources)."""
        self._db = db
        self._loading = True
        try:
            for box, column in (
                (self.label, "label"),
                (self.tag, "tag"),
                (self.source, "source"),
                (self.annotation_label, "annotation_label"),
                (self.annotator, "annotator"),
            ):
                current = box.currentText()
                box.clear()
                box.addItem("")
                if db is not None:
                    box.addItems(distinct_values(db, column))
                box.setEditText(current)
        finally:
            self._loading = False

    def set_filter(self, f: ArticleFilter, emit: bool = True) -> None:
        """Show ``f`` in the widgets (e.g. after a click in the entities table)."""
        self._loading = True
        try:
            self.query.setText(f.query)
            self.entity.setText(f.entity_text or "")
            self.label.setEditText(f.entity_label or "")
            self.speaker.setText(f.speaker or "")
            self._show_speaker_article(f.speaker_article if f.speaker else None)
            self.anonymous.setChecked(f.anonymous_quotes)
            self.kind.setCurrentIndex(max(0, self.kind.findData(f.attribution_kind)))
            self.tag.setEditText(f.tag or "")
            self.status.setCurrentText(f.status or ANY)
            self.source.setEditText(f.source or "")
            self.date_from.setText(f.date_from or "")
            self.date_to.setText(f.date_to or "")
            self.has_quotes.setCurrentText(
                next(k for k, v in HAS_QUOTES.items() if v is f.has_quotes)
            )
            self.annotation_label.setEditText(f.annotation_label or "")
            self.annotator.setEditText(f.annotator or "")
        finally:
            self._loading = False
        self._filter = self._read()  # what the widgets can show (e.g. no raw query)
        self._mark_dates(self._filter)
        if emit:
            self.changed.emit(self._filter)

    def clear(self) -> None:
        self.set_filter(ArticleFilter())

    # -- internals -------------------------------------------------------------

    def _read(self) -> ArticleFilter:
        def text(value: str) -> str | None:
            return value.strip() or None

        status = self.status.currentText()
        speaker = text(self.speaker.text())
        return ArticleFilter(
            query=self.query.text().strip(),
            entity_text=text(self.entity.text()),
            entity_label=text(self.label.currentText()),
            speaker=speaker,
            speaker_article=self._speaker_article
            if speaker and self.speaker_article.isChecked()
            else None,
            anonymous_quotes=self.anonymous.isChecked(),
            attribution_kind=self.kind.currentData(),
            tag=text(self.tag.currentText()),
            status=None if status == ANY else status,  # type: ignore[arg-type]
            source=text(self.source.currentText()),
            date_from=text(self.date_from.text()),
            date_to=text(self.date_to.text()),
            has_quotes=HAS_QUOTES[self.has_quotes.currentText()],
            annotation_label=text(self.annotation_label.currentText()),
            annotator=text(self.annotator.currentText()),
        )

    def _show_speaker_article(self, article_id: int | None) -> None:
        self._speaker_article = article_id
        known = self._db is not None and article_id is not None
        row = article_row(self._db, article_id) if known else None
        title = row.title if row is not None else f"article {article_id}"
        self.speaker_article.setText(f"Only the speaker in “{title}”")
        self.speaker_article.setChecked(article_id is not None)
        self.speaker_article.setVisible(article_id is not None)

    def _forget_speaker_article(self, *_args) -> None:
        """Another name typed: no longer one article's speaker."""
        if self._speaker_article is not None:
            self._loading = True
            try:
                self._show_speaker_article(None)
            finally:
                self._loading = False

    def _speaker_article_toggled(self, checked: bool) -> None:
        if not checked and not self._loading:
            self._show_speaker_article(None)
            self._emit()

    def _changed_now(self, *_args) -> None:
        if not self._loading:
            self._emit()

    def _mark_dates(self, f: ArticleFilter) -> None:
        """A date field that is not a date says so (red, with why): it is refused, never
        compared as text, which matched nearly everything."""
        for edit, value in ((self.date_from, f.date_from), (self.date_to, f.date_to)):
            problem = date_problem(value)
            edit.setProperty("invalid", problem is not None)
            edit.setStyleSheet("color: #c92a2a;" if problem else "")
            edit.setToolTip(problem or "YYYY-MM-DD, or YYYY-MM, or YYYY")

    def _emit(self) -> None:
        self._timer.stop()
        f = self._read()
        self._mark_dates(f)
        if f != self._filter:  # e.g. Enter after the pause already applied it
            self._filter = f
            self.changed.emit(f)
