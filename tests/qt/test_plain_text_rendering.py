"""Untrusted text is shown literally: markup in titles, texts, notes and labels is never run.

An article full of HTML is opened in the real window; every widget that shows
it must show the characters themselves (no bold, no image, no link). Tooltips
are checked as Qt shows them: a string Qt takes for rich text is rendered, and
the rendering must give back the literal text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import get_article
from viewer.core.store.labels import add_label
from viewer.core.store.reviews import Review, add_tag, set_review
from viewer.qt.dialogs.import_report import ImportReportDialog

TITLE = '<b>Bold title</b> <img src="file:///etc/passwd"> <a href="http://example.com">link</a>'
SOURCE = '<a href="http://evil.example">Wire</a>'
TEXT = (
    'Ann Lee said "we <b>will</b> go" in Paris on Monday. '
    '<img src="http://example.com/x.png"> <script>alert(1)</script>\n'
    "<a href='javascript:alert(1)'>click</a> and &amp; &lt;tags&gt; stay as typed."
)
NOTE = "<i>note</i> <img src='file:///etc/hosts'>\n<a href='x'>second line</a> &amp;"
LABEL = "<b>Claim</b>"
TAG = "<u>tag</u>"


def shown(tip: str) -> str:
    """What a tooltip (or any auto-format text) displays: rendered when Qt guesses rich text."""
    if not QtGuiNamespace.mightBeRichText(tip):
        return tip
    doc = QTextDocument()
    doc.setHtml(tip)
    return doc.toPlainText().replace("\u2028", "\n")


def has_markup_objects(doc: QTextDocument) -> bool:
    """Any image or link in a document: what rich-text interpretation would have made."""
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat() or fmt.isAnchor():
                return True
            it += 1
        block = block.next()
    return False


@pytest.fixture
def hostile_window(make_window, open_and_wait, tmp_path):
    corpus = tmp_path / "news<b>"  # the folder name is shown in the import report
    corpus.mkdir()
    record = {"id": "<i>id</i>", "title": TITLE, "source": SOURCE, "text": TEXT}
    (corpus / "feed.jsonl").write_text(json.dumps(record) + "\n{broken\n", encoding="utf-8")
    window = make_window()
    open_and_wait(window, corpus, tmp_path / "db.sqlite")
    return window


def add_analyst_work(window) -> None:
    db, article_id = window.db, window.current_id
    article = get_article(db, article_id)
    add_label(db, LABEL, "#aa3355")
    start = TEXT.index("Paris")
    ann = new_annotation(
        article_id,
        TEXT,
        article.text_hash,
        start,
        start + 5,
        kind="span",
        action="added",
        label=LABEL,
        note=NOTE,
        annotator="<b>me</b>",
    )
    insert_annotation(db, ann)
    set_review(db, article_id, Review("in_progress", NOTE))
    add_tag(db, article_id, TAG)
    window.show_article(article_id)


def test_title_meta_and_text_are_literal(hostile_window) -> None:
    view = hostile_window.view
    assert view.title.text() == TITLE
    assert view.title.textFormat() == Qt.TextFormat.PlainText
    assert SOURCE in view.meta.text() and "<i>id</i>" in view.meta.text()
    assert view.meta.textFormat() == Qt.TextFormat.PlainText
    assert view.text.toPlainText() == TEXT
    assert not has_markup_objects(view.text.document())


def test_article_list_shows_the_title_literally(hostile_window) -> None:
    model = hostile_window.articles
    index = model.index(0, 0)
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == TITLE
    assert shown(model.data(index, Qt.ItemDataRole.ToolTipRole)) == f"{TITLE}\nid: <i>id</i>"


def test_entity_and_quote_tooltips_are_escaped(hostile_window) -> None:
    text = hostile_window.view.text
    entities = [e for e in text.analysis.entities if e.label in text.visible_labels]
    assert entities or text.analysis.quotes, "the model found nothing to hover"
    for entity in entities:
        assert f"({entity.label}): {entity.text}" in shown(text._tooltip(text.hit_at(entity.start)))
    for quote in text.analysis.quotes:  # "we <b>will</b> go" is shown with its tags
        assert f"\u201c{quote.text}\u201d" in shown(text._tooltip(text.hit_at(quote.start)))


def test_notes_labels_and_tags_are_literal(hostile_window) -> None:
    window = hostile_window
    add_analyst_work(window)
    text = window.view.text
    tip = shown(text._tooltip(text.hit_at(TEXT.index("Paris"))))
    # Markup stays characters; (the hover tooltip folds the note's line break to a space).
    assert f"Label: {LABEL} by <b>me</b> {' '.join(NOTE.split())}" in " ".join(tip.split())

    model = window.annotation_panel.model()
    row = next(r for r in range(model.rowCount()) if "Paris" in model.data(model.index(r, 1)))
    assert LABEL in model.data(model.index(row, 0))
    assert model.data(model.index(row, 2)) == " ".join(NOTE.split())
    assert shown(model.data(model.index(row, 2), Qt.ItemDataRole.ToolTipRole)) == NOTE
    assert shown(model.data(model.index(row, 1), Qt.ItemDataRole.ToolTipRole)) == "Paris"

    review = window.review
    assert review.note.toPlainText() == NOTE
    assert [review.tags.item(i).text() for i in range(review.tags.count())] == [TAG]


def test_import_report_names_the_corpus_literally(hostile_window, qtbot) -> None:
    qtbot.waitUntil(lambda: bool(hostile_window.findChildren(ImportReportDialog)))
    (dialog,) = hostile_window.findChildren(ImportReportDialog)
    summary = dialog.findChild(QLabel)
    assert "feed.jsonl:2" in dialog.details.toPlainText()
    shown_text = (
        summary.text() if summary.textFormat() == Qt.TextFormat.PlainText else shown(summary.text())
    )
    assert str(Path(hostile_window.corpus)) in shown_text
