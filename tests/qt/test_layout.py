"""The reading column gives up width last; KWIC "Before" columns cut on their left."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from tests.qt.test_annotating import opened
from viewer.qt.reading_splitter import SIDE_MINIMUM, TEXT_SHARE


def test_narrowing_the_window_takes_width_from_the_sides_first(make_window, qtbot):
    window = make_window()
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.splitter.width() > 1400)
    window.splitter.setSizes([380, 820, 400])  # as a wide window left it
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.splitter.width() < 1100)
    left, text, right = window.splitter.sizes()
    total = left + text + right
    assert text >= int(total * TEXT_SHARE)  # it was ~220 px between two ~380 px columns
    assert SIDE_MINIMUM <= left < 380 and SIDE_MINIMUM <= right < 400
    assert abs(left - right) < 30  # both sides gave way, in proportion
    # Wider again: the text takes the new room.
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: window.splitter.width() > 1300)
    assert window.splitter.sizes()[1] > text


def test_a_narrow_text_set_by_hand_stays_while_the_window_keeps_its_size(make_window, qtbot):
    window = make_window()
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.splitter.width() > 1400)
    window.splitter.setSizes([600, 400, 600])  # the analyst dragged the handles
    left, text, right = window.splitter.sizes()
    assert text < 0.3 * (left + text + right)  # not pushed back to half: no resize happened


def test_kwic_before_columns_elide_on_the_left(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    for view in (window.search_panel.view, window.entities_view.mentions_table):
        delegate = view.itemDelegateForColumn(0)
        assert delegate is not None and delegate is not view.itemDelegateForColumn(1)
    window.search_panel.search("budget")
    assert window.search_panel.model.rowCount() > 0
    view = window.search_panel.view
    option = QStyleOptionViewItem()
    view.itemDelegateForColumn(0).initStyleOption(option, window.search_panel.model.index(0, 0))
    assert option.textElideMode == Qt.TextElideMode.ElideLeft
    option = QStyleOptionViewItem()
    view.itemDelegate().initStyleOption(option, window.search_panel.model.index(0, 2))
    assert option.textElideMode != Qt.TextElideMode.ElideLeft  # "After" keeps its start
