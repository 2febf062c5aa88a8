"""After an edit of the article shown, its highlight is drawn first (nothing but
its annotations read again), and the rest of the window follows right after:
the panels, the list's marks, the stored corrected view the corpus tables and
the list's counts read."""

from __future__ import annotations

from PySide6.QtCore import Qt

import viewer.qt.main_window as main_window
from tests.qt.test_annotating import opened, press
from tests.qt.test_entity_menus import entity
from viewer.core.store.annotations import annotations_for_article
from viewer.core.store.corrected import stale_corrected


def test_a_label_edit_shows_its_highlight_before_the_panels(
    make_window, open_and_wait, tmp_path, qtbot, monkeypatch
):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    reads = []
    get_article = main_window.get_article
    monkeypatch.setattr(main_window, "get_article", lambda *a: reads.append(a) or get_article(*a))
    start = text.text.index("Emmanuel Macron")
    text.select_span(start, start + len("Emmanuel Macron"))
    press(qtbot, window, Qt.Key.Key_1)
    [ann] = annotations_for_article(window.db, window.current_id)
    # At once: the highlight, the article itself not read again.
    assert [a.id for a in text.spans] == [ann.id]
    assert any(m.cursor.selectionStart() == text._map.to_qt(start) for m in text.extraSelections())
    assert reads == []
    assert window.annotation_panel.count() == 0  # not yet: after the paint
    qtbot.waitUntil(lambda: window.annotation_panel.count() == 1)
    assert reads == []


def test_a_correction_refreshes_the_stored_corrected_view_right_after(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    article_id = window.current_id
    macron = entity(window, "Emmanuel Macron")
    assert window.annotating.decide_entity(macron, "rejected")
    # Shown at once: struck out in the text.
    assert macron not in window.view.text.analysis.entities
    # Then stored for the list's counts, the filters and the corpus tables.
    qtbot.waitUntil(lambda: stale_corrected(window.db, [article_id]) == [])
    assert window._corpus_views_stale
    qtbot.waitUntil(lambda: window.annotation_panel.count() == 1)
