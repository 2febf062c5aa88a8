"""The database file moved or deleted while the window is open (issue 11, item 8).

Before each write the store checks that the path still names the opened file;
the window then stops acknowledging edits, says so, and offers to save a copy
to a new file, where work goes on with nothing lost.
"""

from __future__ import annotations

import os

import pytest

from tests.qt.test_annotating import opened
from viewer.core.store import open_db
from viewer.core.store.annotations import annotations_for_article


def label_word(window, word: str) -> bool:
    text = window.view.text
    start = text.text.index(word)
    text.select_span(start, start + len(word))
    return window.annotating.label_selection(window._labels[0].name)


def stored_texts(path) -> list[str]:
    db = open_db(path)
    try:
        return sorted(a.text for a in annotations_for_article(db, 1))
    finally:
        db.close()


@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_edits_after_the_file_moved_are_refused_and_a_copy_keeps_everything(
    make_window, open_and_wait, tmp_path, how, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    assert window.current_id == 1
    assert label_word(window, "Paris")  # saved while the file is in place
    db_path = window.db_path
    if how == "moved":
        os.rename(db_path, tmp_path / "elsewhere.sqlite")
    else:
        os.unlink(db_path)

    assert not label_word(window, "Macron")  # not acknowledged into an orphaned file
    assert "moved or deleted" in window.statusBar().currentMessage()
    assert "not saving" in window.db_label.text()
    notice = window.moved_notice.box
    assert notice is not None and notice.isVisible()
    assert not label_word(window, "Merkel")  # still refused; still one notice
    assert window.moved_notice.box is notice

    copy = tmp_path / "rescued.sqlite"
    assert window.moved_notice.save_copy(copy) == copy
    assert not notice.isVisible()
    qtbot.waitUntil(lambda: window.db_path == copy, timeout=30_000)  # opened off the UI thread
    assert stored_texts(copy) == ["Paris"]  # what was saved, and only that
    window.show_article(1)
    assert label_word(window, "Macron")  # work goes on in the copy
    assert stored_texts(copy) == ["Macron", "Paris"]


def test_a_copy_that_cannot_be_written_says_why(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    os.unlink(window.db_path)
    assert not label_word(window, "Paris")
    messages = []
    window.moved_notice.failed.connect(messages.append)
    target = tmp_path / "no such folder" / "copy.sqlite"
    assert window.moved_notice.save_copy(target) is None
    assert messages and str(target) in messages[0]
