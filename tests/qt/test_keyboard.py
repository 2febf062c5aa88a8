"""Keyboard and focus: Tab moves focus, F6 and Ctrl+1/2/3 reach every pane, the
article text can be selected and labelled from the keyboard, and one list of
keys feeds Help → Keyboard Shortcuts and is the README's keys table."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from tests.conftest import REPO
from tests.qt.test_annotating import opened
from viewer.core.store.annotations import annotations_for_article
from viewer.core.store.reviews import get_review
from viewer.qt.shortcuts import KEYS, ShortcutsDialog, bound_sequences, markdown_table

NoMod = Qt.KeyboardModifier.NoModifier


def focus(qtbot, window, widget) -> None:
    window.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def test_tab_in_the_note_moves_focus_and_types_no_tab(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    note = window.review.note
    focus(qtbot, window, note)
    qtbot.keyClicks(note, "checked")
    qtbot.keyClick(note, Qt.Key.Key_Tab)
    assert not note.hasFocus()
    assert note.toPlainText() == "checked"
    # Leaving the field saved the note as typed, without a tab.
    assert get_review(window.db, window.current_id, window.editor.annotator).note == "checked"


def test_a_note_saved_with_tabs_stays_as_it_is(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    window.editor.set_review_fields(window.current_id, {"note": "a\tb"}, "Edit note")
    window.show_article(window.current_id)
    assert window.review.note.toPlainText() == "a\tb"
    focus(qtbot, window, window.review.note)
    qtbot.keyClick(window.review.note, Qt.Key.Key_Tab)
    window.review.flush_note()
    assert get_review(window.db, window.current_id, window.editor.annotator).note == "a\tb"


def test_tab_in_the_article_list_leaves_it_on_the_same_article(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path, n=3)
    shown = window.current_id
    focus(qtbot, window, window.list_view)
    for _ in range(6):  # more than the list's columns: it used to walk them, then move on
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if not window.list_view.hasFocus():
            break
    assert not window.list_view.hasFocus()
    assert window.current_id == shown


def test_f6_and_ctrl_digits_put_focus_in_each_pane(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    focus(qtbot, window, window.list_view)
    order = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        order.append(QApplication.focusWidget())
    assert order == [window.view.text, window.panel.currentWidget(), window.list_view]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is window.panel.currentWidget()
    control = Qt.KeyboardModifier.ControlModifier
    for key, widget in (
        (Qt.Key.Key_2, window.view.text),
        (Qt.Key.Key_1, window.list_view),
        (Qt.Key.Key_3, window.panel.currentWidget()),
    ):
        qtbot.keyClick(QApplication.focusWidget(), key, control)
        assert QApplication.focusWidget() is widget
    # With the Search tab showing, the list pane's key goes to the search box.
    window.left_tabs.setCurrentWidget(window.search_panel)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1, control)
    assert QApplication.focusWidget() is window.search_panel.box


def test_the_text_is_selected_and_labelled_from_the_keyboard(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    focus(qtbot, window, window.list_view)
    qtbot.keyClick(window.list_view, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert text.hasFocus()
    start = text.text.index("Angela")
    text.select_span(start, start)  # the caret before "Angela"
    for _ in range(len("Angela")):
        qtbot.keyClick(text, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert text.selected_span() == (start, start + len("Angela"))
    qtbot.keyClick(text, Qt.Key.Key_1)
    [ann] = annotations_for_article(window.db, window.current_id)
    assert (ann.text, ann.label) == ("Angela", window._labels[0].name)
    # Tab leaves the text rather than doing nothing.
    qtbot.keyClick(text, Qt.Key.Key_Tab)
    assert not text.hasFocus()


def _window_keys(window) -> set[str]:
    keys = set()
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            keys.add(seq.toString(QKeySequence.SequenceFormat.PortableText))
    return keys - {""}


def test_every_key_of_the_window_is_listed_and_every_listed_key_is_bound(make_window):
    window = make_window()
    bound = _window_keys(window)
    assert bound - bound_sequences() == set(), "bound but not in viewer/qt/shortcuts.py"
    assert bound_sequences() - bound == set(), "listed but bound nowhere"


def test_the_readme_keys_table_is_the_list(qtbot):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^\| key \| does \|\n(?:^\|.*\|\n?)+", readme, re.MULTILINE)
    assert found, "the README has no keys table"
    assert found.group(0).strip() == markdown_table()


def test_help_keyboard_shortcuts_lists_every_key(make_window, qtbot):
    window = make_window()
    [action] = [
        a for a in window.findChildren(QAction) if a.text().replace("&", "") == "Keyboard Shortcuts"
    ]
    assert action.shortcut().toString() == "F1"
    action.trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    rows = [
        (dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text())
        for r in range(dialog.table.rowCount())
    ]
    assert rows == [(k.shown, k.does) for k in KEYS]
    assert ("Ctrl+Shift+R", "annotations to review after a text changed") in rows
