"""The window's list, filters and counts follow the analyst's corrections at once."""

from __future__ import annotations

from viewer.core.store.filters import ArticleFilter

from .test_annotating import opened


def test_a_rejected_entity_leaves_the_filtered_list_and_the_counts(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    window.filter_bar.set_filter(ArticleFilter(entity_text="Paris", entity_label="GPE"))
    qtbot.waitUntil(lambda: window.articles.total == 2)
    first = window.articles.row_at(0)
    window.show_article(first.id)
    paris = next(e for e in window.view.text.analysis.entities if e.text == "Paris")
    window.annotating.decide_entity(paris, "rejected")
    qtbot.waitUntil(lambda: window.articles.total == 1)  # the list is re-filtered
    assert window.articles.row_at(0).id != first.id
    window.filter_bar.set_filter(ArticleFilter())
    qtbot.waitUntil(lambda: window.articles.total == 2)
    (mine,) = [r for r in map(window.articles.row_at, range(2)) if r.id == first.id]
    assert mine.entity_count == first.entity_count - 1  # the list counts the final view
    window.undo_action.trigger()  # undone: the article is found again
    window.filter_bar.set_filter(ArticleFilter(entity_text="Paris", entity_label="GPE"))
    qtbot.waitUntil(lambda: window.articles.total == 2)
