"""A title is shown once: a headline in the text is drawn as its heading, a title made
from the opening sentence is not repeated above it, a title of its own stays above."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextCursor

from tests.conftest import SEED_FILE, SEEDS

HEADLINE = "Ceasefire talks resume in Cairo"
BODY = "Negotiators met in Cairo on Monday, officials said.\nMore talks follow."


def weight_at(text_edit, pos: int) -> int:
    cursor = QTextCursor(text_edit.document())
    cursor.setPosition(pos + 1)  # the format of the character before the cursor
    return cursor.charFormat().fontWeight()


def shown_title(window) -> str | None:
    title = window.view.title
    return title.text() if title.isVisibleTo(window) else None


def test_a_headline_is_the_texts_heading_not_repeated_above(make_window, open_and_wait, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "talks.txt").write_text(HEADLINE + "\n" + BODY, encoding="utf-8")
    window = make_window()
    open_and_wait(window, folder, tmp_path / "db.sqlite")
    text = window.view.text
    assert window.articles.data(window.articles.index(0, 0)) == HEADLINE  # the list's title
    assert shown_title(window) is None  # not twice
    assert text.toPlainText() == HEADLINE + "\n" + BODY  # offsets: the full text
    assert weight_at(text, 0) == QFont.Weight.Bold
    assert weight_at(text, len(HEADLINE) - 1) == QFont.Weight.Bold
    assert weight_at(text, len(HEADLINE) + 1) != QFont.Weight.Bold  # the body is not
    cairo = next(e for e in text.analysis.entities if e.text == "Cairo" and e.start < 40)
    assert text.text[cairo.start : cairo.end] == "Cairo"  # entities keep their offsets


def test_the_seed_is_titled_by_its_opening_sentence_shown_once(
    make_window, open_and_wait, tmp_path
):
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "db.sqlite")
    title = window.articles.data(window.articles.index(0, 0))
    assert title.startswith("The United States is on track") and title.endswith("\u2026")
    assert shown_title(window) is None  # the text opens with the sentence, in full
    assert window.view.text.toPlainText() == SEED_FILE.read_text("utf-8")
    assert weight_at(window.view.text, 0) != QFont.Weight.Bold  # a sentence, not a heading


def test_a_title_of_its_own_stays_above_the_text(make_window, open_and_wait, tmp_path):
    corpus = tmp_path / "feed.jsonl"
    record = {"id": "a", "title": "Talks in Egypt", "text": BODY}
    corpus.write_text(json.dumps(record) + "\n", encoding="utf-8")
    window = make_window()
    open_and_wait(window, corpus, tmp_path / "db.sqlite")
    assert shown_title(window) == "Talks in Egypt"
    assert window.view.title.textFormat() == Qt.TextFormat.PlainText
    assert weight_at(window.view.text, 0) != QFont.Weight.Bold
