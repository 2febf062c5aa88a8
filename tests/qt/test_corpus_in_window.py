"""Search, filters and corpus views inside the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt

from viewer.core.store.reviews import add_tag

ARTICLES = {
    "berlin": 'Angela Merkel spoke in Berlin. "We will act," Merkel said.',
    "paris": 'Emmanuel Macron visited Paris. "It is time," Macron told reporters.',
    "rome": "Giorgia Meloni met officials in Rome on Tuesday.",
}


def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def opened(make_window, open_and_wait, tmp_path):
    window = make_window()
    open_and_wait(window, corpus(tmp_path), tmp_path / "db.sqlite")
    return window


def titles(window) -> list[str]:
    return [window.articles.row_at(i).ext_id for i in range(window.articles.rowCount())]


def test_list_follows_status_and_tag_filters_and_counts(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    assert titles(window) == ["berlin", "paris", "rome"]
    assert window.count_label.text() == "3 articles"
    window.set_status("done")  # berlin
    add_tag(window.db, window.articles.row_at(1).id, "france")
    window.filter_by(status="done")
    assert titles(window) == ["berlin"]
    assert window.count_label.text().startswith("1 article matches")
    window.filter_bar.clear()
    window.filter_by(tag="france")
    assert titles(window) == ["paris"]
    assert window.view.text.text == ARTICLES["paris"]  # the list shows a matching article
    window.filter_bar.clear()
    window.filter_by(status="unreviewed")
    assert titles(window) == ["paris", "rome"]


def test_search_tab_opens_the_hit_selected(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    window.focus_search()
    assert window.left_tabs.currentWidget() is window.search_panel
    window.search_panel.search("reporters")
    assert window.search_panel.model.total == 1
    window.search_panel.view.selectRow(0)
    assert window.view.text.text == ARTICLES["paris"]
    start, end = window.view.text.selected_span()
    assert ARTICLES["paris"][start:end].lower() == "reporters"


def test_corpus_tables_fill_when_shown_and_filter_the_list(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    assert window.entities_view.model.rowCount() == 0  # nothing counted while hidden
    window.corpus_dock.show()
    qtbot.waitUntil(lambda: window.entities_view.model.rowCount() > 0)
    model = window.entities_view.model
    row = next(i for i in range(model.rowCount()) if "Macron" in model.row_at(i).forms)
    window.entities_view.table.clicked.emit(model.index(row, 0))
    assert titles(window) == ["paris"]
    speakers = window.speakers_view.model
    names = {speakers.row_at(i).name for i in range(speakers.rowCount())}
    assert {"Merkel", "Macron"} <= {n.split()[-1] for n in names}
    qtbot.keyClick(
        window,
        Qt.Key.Key_X,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert titles(window) == ["berlin", "paris", "rome"]
