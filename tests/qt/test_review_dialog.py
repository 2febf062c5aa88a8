"""Review → Annotations to Review: each row says why it is listed, by cause."""

from __future__ import annotations

import threading
from dataclasses import replace

from tests.core.test_anchor_checks import changed_db
from tests.core.test_one_action_one_transaction import (
    SUMMIT,
    ScriptedAnalyzer,
    model_a,
    model_b,
    summit_decisions,
)
from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import insert_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.tasks.analyse import analyze_pending
from viewer.qt.dialogs import anchor_review as review_dialog
from viewer.qt.dialogs.anchor_review import STATUS_HELP, UNTAKEN_HELP, AnchorReviewDialog
from viewer.qt.editing.edits import Editor

TIMEOUT_MS = 20_000


def shown(qtbot, dialog: AnchorReviewDialog) -> AnchorReviewDialog:
    """Once the list read in the background is shown."""
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT_MS)
    return dialog


def rows(dialog: AnchorReviewDialog) -> dict[str, tuple[str, str]]:
    tree = dialog.tree
    return {
        tree.topLevelItem(i).text(3): (
            tree.topLevelItem(i).text(2),
            tree.topLevelItem(i).toolTip(2),
        )
        for i in range(tree.topLevelItemCount())
    }


def test_a_decision_the_new_model_does_not_take_says_so(tmp_path, qtbot):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="a", text=SUMMIT, title="t", origin="x")])
    analyze_pending(db, ScriptedAnalyzer("A", model_a))
    for d in summit_decisions():
        insert_annotation(db, replace(d, article_id=aid, id=None))
    analyze_pending(db, ScriptedAnalyzer("B", model_b))  # no span of B takes two of them
    dialog = AnchorReviewDialog(db)
    qtbot.addWidget(dialog)
    assert rows(shown(qtbot, dialog)) == {
        "Angela Merkel": ("orphaned", UNTAKEN_HELP),
        "Berlin": ("orphaned", UNTAKEN_HELP),
    }
    assert UNTAKEN_HELP != STATUS_HELP["orphaned"]


def listed(dialog: AnchorReviewDialog) -> list[tuple[str, str]]:
    tree = dialog.tree
    return [
        (tree.topLevelItem(i).text(3), tree.topLevelItem(i).text(2))
        for i in range(tree.topLevelItemCount())
    ]


def test_moved_is_hidden_by_default_and_mark_checked_shrinks_the_list(tmp_path, qtbot):
    db, _aid, _ids = changed_db(tmp_path)
    dialog = AnchorReviewDialog(db, annotator="ann")
    qtbot.addWidget(dialog)
    assert listed(shown(qtbot, dialog)) == [
        ("talks went well", "orphaned"),
        ("Emmanuel Macrom", "approximate"),
    ]
    assert dialog.summary.text() == (
        "2 to check after their article's text or the model's output changed"
        " (1 orphaned, 1 approximate); 1 moved (no action needed)."
    )
    dialog.show_moved.setChecked(True)
    assert listed(shown(qtbot, dialog))[-1] == ("Paris", "moved")
    dialog.show_moved.setChecked(False)
    shown(qtbot, dialog)
    assert not dialog.check_button.isEnabled()  # nothing selected
    dialog.tree.topLevelItem(1).setSelected(True)
    dialog.check_button.click()
    assert listed(shown(qtbot, dialog)) == [("talks went well", "orphaned")]
    assert "1 checked" in dialog.summary.text()
    # Kept in the database: a new dialog (another session) lists it no more.
    again = AnchorReviewDialog(open_db(tmp_path / "db.sqlite"))
    qtbot.addWidget(again)
    assert listed(shown(qtbot, again)) == [("talks went well", "orphaned")]
    checker = again.db.execute("SELECT checked_by FROM anchor_checks").fetchall()
    assert checker == [("ann",)]
    # Shown again on request, and listed again with List Again.
    dialog.show_checked.setChecked(True)
    shown(qtbot, dialog)
    assert [dialog.tree.topLevelItem(i).text(4) for i in range(2)] == ["", "\u2713"]
    dialog.tree.topLevelItem(1).setSelected(True)
    assert dialog.uncheck_button.isEnabled() and not dialog.check_button.isEnabled()
    dialog.uncheck_button.click()
    dialog.show_checked.setChecked(False)
    assert len(listed(shown(qtbot, dialog))) == 2


def test_mark_checked_in_the_window_is_undoable(tmp_path, qtbot):
    db, _aid, _ids = changed_db(tmp_path)
    editor = Editor(lambda: db, "ann")
    dialog = AnchorReviewDialog(db, annotator="ann", editor=editor)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog).tree.topLevelItem(0).setSelected(True)
    dialog.check_button.click()
    assert listed(shown(qtbot, dialog)) == [("Emmanuel Macrom", "approximate")]
    assert editor.undo_action.text().replace("&", "") == "Undo Mark 1 annotation checked"
    editor.undo()
    assert len(listed(shown(qtbot, dialog))) == 2  # the dialog follows the undo
    editor.redo()
    assert listed(shown(qtbot, dialog)) == [("Emmanuel Macrom", "approximate")]


def test_the_list_is_read_off_the_ui_thread(tmp_path, qtbot, monkeypatch):
    db, _aid, _ids = changed_db(tmp_path)
    read_in, release = [], threading.Event()
    real_read = review_dialog.read_anchor_review

    def held_read(*args):  # stands for the reading of many long articles
        read_in.append(threading.current_thread())
        assert release.wait(TIMEOUT_MS / 1000)
        return real_read(*args)

    monkeypatch.setattr(review_dialog, "read_anchor_review", held_read)
    dialog = AnchorReviewDialog(db, annotator="ann")  # returns while the list is read
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(read_in), timeout=TIMEOUT_MS)
    assert read_in[0] is not threading.main_thread()
    assert dialog.busy and dialog.tree.topLevelItemCount() == 0
    with qtbot.waitSignal(dialog.listed, timeout=TIMEOUT_MS):
        release.set()
    assert len(listed(dialog)) == 2


def test_a_list_asked_for_later_wins_over_an_earlier_one(tmp_path, qtbot):
    db, _aid, _ids = changed_db(tmp_path)
    dialog = AnchorReviewDialog(db, annotator="ann")
    qtbot.addWidget(dialog)
    dialog.show_moved.setChecked(True)  # asked for before the first list arrived
    assert listed(shown(qtbot, dialog))[-1] == ("Paris", "moved")
