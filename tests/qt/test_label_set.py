"""The label editor reorders labels (the order gives keys 1–9, undoably); the same
label twice on the same span is refused with a word."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.qt.test_annotating import opened, press
from viewer.core.store.annotations import annotations_for_article
from viewer.core.store.labels import list_labels, move_label
from viewer.qt.dialogs.labels import LabelEditor


def names(window) -> list[str]:
    return [lab.name for lab in list_labels(window.db)]


def test_moving_a_label_up_gives_it_the_key(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    first, second, third = names(window)[:3]
    editor = LabelEditor(window.editor, window)
    qtbot.addWidget(editor)
    editor.list.setCurrentRow(2)
    editor.up_button.click()
    assert names(window)[:3] == [first, third, second]
    assert editor.current() == third  # still the one being moved
    assert editor.list.item(1).text() == f"{third}  [2]"
    editor.show()
    editor.activateWindow()
    editor.list.setFocus()
    qtbot.waitUntil(editor.list.hasFocus)
    qtbot.keyClick(editor.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert names(window)[:3] == [third, first, second]
    # Key 1 now labels with it.
    text = window.view.text
    s = text.text.index("Paris")
    text.select_span(s, s + 5)
    press(qtbot, window, Qt.Key.Key_1)
    [ann] = annotations_for_article(window.db, window.current_id)
    assert ann.label == third
    # Undo puts the order back, one move at a time.
    window.undo_action.trigger()  # the label
    window.undo_action.trigger()
    assert names(window)[:3] == [first, third, second]
    window.undo_action.trigger()
    assert names(window)[:3] == [first, second, third]
    editor.list.setCurrentRow(0)
    editor.up_button.click()  # the first cannot go higher: nothing pushed
    assert names(window)[:3] == [first, second, third]
    assert not window.editor.move_label(first, -1)


def test_move_label_in_the_store_keeps_every_label(tmp_path):
    from viewer.core.store import open_db
    from viewer.core.store.labels import ensure_default_labels

    db = open_db(tmp_path / "db.sqlite")
    ensure_default_labels(db)
    before = [lab.name for lab in list_labels(db)]
    after = move_label(db, before[-1], -100)
    assert after == [before[-1], *before[:-1]] == [lab.name for lab in list_labels(db)]
    assert [lab.position for lab in list_labels(db)] == list(range(len(before)))


def test_the_same_label_twice_on_a_span_is_refused(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text, label = window.view.text, window._labels[0].name
    s = text.text.index("Paris")
    text.select_span(s, s + 5)
    assert window.annotating.label_selection(label)
    text.select_span(s, s + 5)
    assert not window.annotating.label_selection(label)
    assert len(annotations_for_article(window.db, window.current_id)) == 1
    assert window.statusBar().currentMessage() == f"“Paris” is labelled {label} already"
    # Another label on it, or the same label on another span, is fine.
    text.select_span(s, s + 5)
    assert window.annotating.label_selection(window._labels[1].name)
    text.select_span(s, s + 4)
    assert window.annotating.label_selection(label)
    # Another annotator's label of the same span is their own work: allowed.
    window.editor.annotator = "bob"
    text.select_span(s, s + 5)
    assert window.annotating.label_selection(label)
    assert len(annotations_for_article(window.db, window.current_id)) == 4
