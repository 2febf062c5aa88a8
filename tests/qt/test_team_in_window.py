"""Two analysts in one database, as the window shows them: who did what, conflicts
in the text and in the annotations tab, each analyst's own review and tags."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.qt.test_annotating import opened
from viewer.core.corrections import apply_corrections
from viewer.core.store.analyses import load_analysis
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import get_article
from viewer.core.store.reviews import Review, add_tag, get_review, set_review, tags_for
from viewer.qt.annotation_panel import COLUMNS


def _entity(window, text: str):
    article = get_article(window.db, window.current_id)
    view = apply_corrections(load_analysis(window.db, article.analysis_id), [])
    [ent] = [e for e in view.entities if e.text == text]
    return article, ent


def _decide(window, who: str, action: str, text: str):
    article, ent = _entity(window, text)
    return insert_annotation(window.db, new_annotation(
        article.id, article.text, article.text_hash, ent.start, ent.end,
        kind="entity", action=action, model_label=ent.label, annotator=who,
    ))  # fmt: skip


def test_conflicting_decisions_are_marked_and_named(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    ann = _decide(window, "ann", "accepted", "Angela Merkel")
    bob = _decide(window, "bob", "rejected", "Angela Merkel")
    window.show_article(window.current_id)
    text = window.view.text
    [conflict] = text.conflicts
    assert conflict.decisions == (("ann", "accepted"), ("bob", "rejected"))
    tip = text._tooltip(text.hit_at(conflict.start + 1))
    assert "Conflict" in tip and "ann: accepted" in tip and "bob: rejected" in tip
    # marked in the text: the conflict colour over the span
    [mark] = [s for s in text.extraSelections()
              if s.format.underlineStyle() == s.format.UnderlineStyle.DotLine]  # fmt: skip
    assert (mark.cursor.selectionStart(), mark.cursor.selectionEnd()) == (
        text._map.to_qt(conflict.start), text._map.to_qt(conflict.end),
    )  # fmt: skip
    # listed: the annotations tab names each row's annotator and flags both
    model = window.annotation_panel.annotations
    col = COLUMNS.index("Annotator")
    rows = {model.rows[r].id: r for r in range(model.rowCount())}
    for decision, who in ((ann, "ann"), (bob, "bob")):
        cell = model.index(rows[decision.id], col)
        assert model.data(cell).startswith(who) and "\u26a0" in model.data(cell)
        assert "bob: rejected" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    tab = window.panel.tabText(window.panel.indexOf(window.annotation_panel))
    assert tab.startswith("Annotations (2") and "\u26a0" in tab


def test_your_review_is_yours_and_the_others_are_listed(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    me, article_id = window.editor.annotator, window.current_id
    set_review(window.db, article_id, Review("done", "their note"), "bob")
    add_tag(window.db, article_id, "economy", "bob")
    window.show_article(article_id)
    panel = window.review
    assert panel.status.currentData() == "unreviewed"  # bob's "done" is not mine
    assert "bob: Done" in panel.others.text() and "their note" in panel.others.text()
    [item] = [panel.tags.item(i) for i in range(panel.tags.count())]
    assert item.text() == "economy (bob)"
    panel._remove_item(item)  # bob's tag: not mine to take off
    assert tags_for(window.db, article_id) == ["economy"]
    window.set_status("in_progress")
    assert get_review(window.db, article_id, me).status == "in_progress"
    assert get_review(window.db, article_id, "bob").status == "done"
    assert "\u2260 yours" in panel.others.text()  # statuses now differ: a conflict
