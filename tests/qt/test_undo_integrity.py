"""Undo and redo with two windows on one database (issue 11, item 7).

Two Editors on two connections to one real SQLite file stand for two windows
(or two analysts sharing a file). An undo or redo must never touch the other's
work: ids are never reused, a write that fails leaves the stack where it was
and says why, and an undo restores only the fields its edit changed, refusing
when another writer has changed them since.
"""

from __future__ import annotations

import pytest

from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import (
    annotations_for_article,
    get_annotation,
    new_annotation,
    update_annotation,
)
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.store.reviews import get_review, set_review_fields
from viewer.qt.editing.edits import Editor

TEXT = "Angela Merkel met Emmanuel Macron in Berlin on Monday."


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "shared.sqlite"
    db = open_db(path)
    upsert_articles(db, [Article(id="a1", text=TEXT, title="T", origin="x")])
    db.close()
    return path


class Window:
    """One window's view of the file: its own connection, its own Editor and messages."""

    def __init__(self, path, name: str):
        self.db = open_db(path)
        self.editor = Editor(lambda: self.db, name)
        self.messages: list[str] = []
        self.editor.failed.connect(self.messages.append)

    def span(self, word: str, label: str = "PERSON"):
        article = get_article(self.db, 1)
        start = article.text.index(word)
        return new_annotation(
            1, article.text, article.text_hash, start, start + len(word),
            kind="span", action="added", label=label,
        )  # fmt: skip

    def stack_position(self) -> tuple[int, bool, bool]:
        stack = self.editor.stack
        return stack.index(), stack.canUndo(), stack.canRedo()


@pytest.fixture
def windows(qtbot, db_path):
    a, b = Window(db_path, "ana"), Window(db_path, "ben")
    yield a, b
    a.db.close()
    b.db.close()


def texts(db) -> list[str]:
    return sorted(ann.text for ann in annotations_for_article(db, 1))


def test_undo_in_one_window_never_deletes_the_other_analysts_annotation(windows):
    a, b = windows
    assert a.editor.add_annotation(a.span("Angela Merkel"))
    mine = a.editor.stack.command(0).ann.id
    assert a.editor.undo()  # A's annotation is gone ...
    assert b.editor.add_annotation(b.span("Emmanuel Macron"))  # ... and B adds one
    theirs = b.editor.stack.command(0).ann.id
    assert theirs != mine  # a deleted id is never handed out again
    assert a.editor.redo()  # puts back A's own row
    assert a.editor.undo()  # and removes A's own row again
    assert texts(a.db) == ["Emmanuel Macron"]
    assert get_annotation(a.db, theirs).annotator == "ben"
    assert a.messages == [] and b.messages == []


def test_a_failed_redo_leaves_the_stack_where_it_was_and_says_why(windows):
    a, b = windows
    assert a.editor.add_annotation(a.span("Berlin", "GPE"))
    ann = annotations_for_article(a.db, 1)[0]
    assert a.editor.update_annotation(ann, "Relabel entity", label="LOC")
    assert a.editor.undo()
    assert b.editor.delete_annotation(get_annotation(b.db, ann.id))  # B deletes it meanwhile
    before = a.stack_position()
    assert not a.editor.redo()
    assert a.stack_position() == before  # the stack did not move past the failed redo
    assert len(a.messages) == 1
    assert "Could not redo “Relabel entity”" in a.messages[0]
    assert "deleted meanwhile" in a.messages[0]


def test_undo_of_a_relabel_is_refused_when_another_window_relabelled_since(windows):
    a, b = windows
    assert a.editor.add_annotation(a.span("Berlin", "GPE"))
    ann = annotations_for_article(a.db, 1)[0]
    assert a.editor.update_annotation(ann, "Relabel entity", label="LOC")
    update_annotation(b.db, ann.id, label="ORG", annotator="ben")  # B's newer edit
    before = a.stack_position()
    assert not a.editor.undo()
    assert get_annotation(a.db, ann.id).label == "ORG"  # B's edit stands
    assert a.stack_position() == before
    assert "label changed meanwhile (by ben" in a.messages[0]


def test_undo_of_a_relabel_restores_only_the_label(windows):
    a, b = windows
    assert a.editor.add_annotation(a.span("Berlin", "GPE"))
    ann = annotations_for_article(a.db, 1)[0]
    assert a.editor.update_annotation(ann, "Relabel entity", label="LOC")
    update_annotation(b.db, ann.id, note="checked with the desk", annotator="ben")
    assert a.editor.undo()
    now = get_annotation(a.db, ann.id)
    assert now.label == "GPE" and now.note == "checked with the desk"
    assert a.editor.redo()
    assert get_annotation(a.db, ann.id).label == "LOC"


def test_undo_of_an_add_is_refused_once_another_window_edited_the_annotation(windows):
    a, b = windows
    assert a.editor.add_annotation(a.span("Berlin", "GPE"))
    ann = annotations_for_article(a.db, 1)[0]
    update_annotation(b.db, ann.id, label="LOC", annotator="ben")
    assert not a.editor.undo()
    assert get_annotation(a.db, ann.id).label == "LOC"
    assert "label changed meanwhile" in a.messages[0]


def test_redo_of_a_delete_is_refused_once_another_window_edited_the_put_back_row(windows):
    a, b = windows
    assert a.editor.add_annotation(a.span("Berlin", "GPE"))
    ann = annotations_for_article(a.db, 1)[0]
    assert a.editor.delete_annotation(ann)
    assert a.editor.undo()  # the row is back, same id
    update_annotation(b.db, ann.id, label="LOC", annotator="ben")
    assert not a.editor.redo()
    assert get_annotation(a.db, ann.id).label == "LOC"


# A review is its annotator's own: these two are ana's, in her second window (b.db).


def test_undo_of_mark_done_keeps_the_note_saved_meanwhile(windows):
    a, b = windows
    assert a.editor.set_review_fields(1, {"status": "done"}, "Mark done")
    set_review_fields(b.db, 1, {"note": "source unclear"}, annotator="ana")
    assert a.editor.undo()
    assert get_review(a.db, 1, "ana") == get_review(b.db, 1, "ana")
    assert get_review(a.db, 1, "ana").status == "unreviewed"
    assert get_review(a.db, 1, "ana").note == "source unclear"


def test_undo_of_mark_done_is_refused_once_the_status_changed_again(windows):
    a, b = windows
    assert a.editor.set_review_fields(1, {"status": "done"}, "Mark done")
    set_review_fields(b.db, 1, {"status": "in_progress"}, annotator="ana")
    assert not a.editor.undo()
    assert get_review(a.db, 1, "ana").status == "in_progress"
    assert "status changed meanwhile" in a.messages[0]


def test_another_analysts_review_never_blocks_or_follows_your_undo(windows):
    a, b = windows
    assert a.editor.set_review_fields(1, {"status": "done"}, "Mark done")
    assert b.editor.set_review_fields(1, {"status": "in_progress"}, "Mark in progress")
    assert a.editor.undo()  # ben's status is his own: nothing of ana's changed meanwhile
    assert get_review(a.db, 1, "ana").status == "unreviewed"
    assert get_review(a.db, 1, "ben").status == "in_progress"


def test_a_review_edit_that_changes_nothing_is_not_an_undo_step(windows):
    a, _ = windows
    assert a.editor.set_review_fields(1, {"status": "unreviewed"}, "Mark unreviewed")
    assert a.stack_position() == (0, False, False)


def test_undo_action_text_follows_the_stack(windows):
    a, _ = windows
    assert not a.editor.undo_action.isEnabled()
    assert a.editor.add_annotation(a.span("Berlin", "GPE"), "Add GPE entity")
    assert a.editor.undo_action.isEnabled()
    assert a.editor.undo_action.text() == "&Undo Add GPE entity"
    a.editor.undo_action.trigger()
    assert a.editor.redo_action.isEnabled() and not a.editor.undo_action.isEnabled()
    assert texts(a.db) == []


def test_failed_undo_is_shown_in_the_window(make_window, open_and_wait, tmp_path, qtbot):
    from tests.qt.test_annotating import opened

    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    start = text.text.index("Paris")
    text.select_span(start, start + len("Paris"))
    window.annotating.label_selection(window._labels[0].name)
    [ann] = annotations_for_article(window.db, window.current_id)
    other = open_db(window.db_path)
    update_annotation(other, ann.id, label="ORG", annotator="ben")  # another window
    other.close()
    window.undo_action.trigger()
    assert "Could not undo" in window.statusBar().currentMessage()
    assert get_annotation(window.db, ann.id).label == "ORG"
