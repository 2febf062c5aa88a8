"""Two analysts in one database, as the window shows them: who did what, conflicts
in the text and in the annotations tab, each analyst's own review and tags."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat

from tests.qt.test_annotating import opened
from viewer.core.annotations.corrections import apply_corrections
from viewer.core.store.analyses import load_analysis
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import get_article
from viewer.core.store.reviews import Review, add_tag, get_review, set_review, tags_for
from viewer.qt.panels.annotations import COLUMNS


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
    assert "entity rejected by bob" in tip and "entity accepted by ann" in tip
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


def test_your_review_is_yours_and_the_others_are_listed(
    make_window, open_and_wait, tmp_path, qtbot
):
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
    # Statuses now differ: a conflict (the panel follows the edit right after the paint).
    qtbot.waitUntil(lambda: "\u2260 yours" in panel.others.text())


def _dialog(window, cls):
    [dialog] = [d for d in window.findChildren(cls) if d.isVisible()]
    return dialog


def test_adjudication_takes_sides_with_provenance_and_undo(make_window, open_and_wait, tmp_path):
    from viewer.core.store.annotations import annotations_for_article
    from viewer.core.store.reviews import reviews_of
    from viewer.core.team.adjudication import ADJUDICATOR
    from viewer.qt.dialogs.adjudication import AdjudicationDialog

    window = opened(make_window, open_and_wait, tmp_path)
    _decide(window, "ann", "accepted", "Angela Merkel")
    _decide(window, "bob", "rejected", "Angela Merkel")
    _decide(window, "ann", "rejected", "Paris")
    set_review(window.db, window.current_id, Review("done"), "ann")
    window.adjudicate_article()
    dialog = _dialog(window, AdjudicationDialog)
    dialog.a.setCurrentText("ann")
    dialog.b.setCurrentText("bob")
    items = dialog.model.items
    assert [(i.what, i.text, i.a_words, i.b_words) for i in items] == [
        ("status", "", "done", "—"),
        ("entity", "Angela Merkel", "accepted", "rejected"),
        ("entity", "Paris", "rejected", "—"),
    ]
    # A's work tinted, B's underlined: the item both worked on has both marks
    merkel = items[1]
    marks = [s for s in dialog.text.extraSelections()
             if s.cursor.selectionStart() == dialog.text._map.to_qt(merkel.start)]  # fmt: skip
    assert any(s.format.background().color().alpha() == 90 for s in marks)
    assert any(s.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
               for s in marks)  # fmt: skip
    dialog.table.selectRow(1)
    assert not dialog.buttons["both"].isEnabled()  # two different decisions: one must win
    assert dialog.take_selected("b")

    def mine():
        return [(a.action, a.text, a.provenance)
                for a in annotations_for_article(window.db, window.current_id)
                if a.annotator == ADJUDICATOR]  # fmt: skip

    assert mine() == [("rejected", "Angela Merkel", "bob")]
    assert "B: rejected (from bob)" in dialog.model.data(dialog.model.index(1, 4))
    assert window.editor.undo()
    assert mine() == []
    assert dialog.take_all("a")  # the whole article, status included: one undo step
    assert sorted(mine()) == [("accepted", "Angela Merkel", "ann"), ("rejected", "Paris", "ann")]
    assert {r.annotator: r.review.status for r in reviews_of(window.db, window.current_id)}[
        ADJUDICATOR
    ] == "done"
    assert window.editor.undo() and mine() == []


def test_conflicts_dialog_lists_and_opens_the_article(make_window, open_and_wait, tmp_path, qtbot):
    from viewer.qt.dialogs.conflicts import ConflictsDialog

    window = opened(make_window, open_and_wait, tmp_path)
    first = window.current_id
    _decide(window, "ann", "accepted", "Paris")
    _decide(window, "bob", "rejected", "Paris")
    window.next_action.trigger()
    assert window.current_id != first
    window.show_conflicts()
    dialog = _dialog(window, ConflictsDialog)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1, timeout=20_000)
    row = dialog.tree.topLevelItem(0)
    assert (row.text(1), row.text(2), row.text(3)) == (
        "entity", "Paris", "ann: accepted; bob: rejected"
    )  # fmt: skip
    dialog.tree.itemActivated.emit(row, 0)
    assert window.current_id == first
    assert window.view.text.selected_span()[1] - window.view.text.selected_span()[0] == 5


def test_import_a_colleagues_file_in_the_window(
    make_window, open_and_wait, tmp_path, qtbot, monkeypatch
):
    import json

    from PySide6.QtWidgets import QMessageBox

    window = opened(make_window, open_and_wait, tmp_path)
    ext = get_article(window.db, window.current_id).ext_id
    colleague = tmp_path / "bob.jsonl"
    colleague.write_text(
        json.dumps({"type": "viewer-annotations", "version": 1}) + "\n"
        + json.dumps({"type": "review", "article": ext, "status": "done", "note": "ok",
                      "annotator": "bob", "updated_at": "2024-05-01T10:00:00+00:00"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    summaries = []
    monkeypatch.setattr(QMessageBox, "information", lambda _w, _t, text: summaries.append(text))
    window.import_annotations(str(colleague))
    qtbot.waitUntil(lambda: bool(summaries), timeout=20_000)
    assert "reviews: 1 added" in summaries[0]
    assert "bob: Done" in window.review.others.text()
    combo = window.filter_bar.annotator
    assert "bob" in [combo.itemText(i) for i in range(combo.count())]


def test_agreement_from_the_review_menu_opens_the_least_agreed_article(
    make_window, open_and_wait, tmp_path, qtbot
):
    from viewer.qt.dialogs.agreement import AgreementDialog

    window = opened(make_window, open_and_wait, tmp_path)
    first = window.current_id
    _decide(window, "ann", "accepted", "Paris")
    _decide(window, "bob", "rejected", "Paris")
    window.next_action.trigger()
    window.show_agreement()
    dialog = _dialog(window, AgreementDialog)
    qtbot.waitUntil(lambda: not dialog.busy and bool(dialog.rows), timeout=20_000)
    entity = next(r for r in dialog.rows if r.scope == "entity" and r.article_id is None)
    assert (entity.a_count, entity.b_count, entity.matched) == (1, 1, 0)
    dialog.article_requested.emit(get_article(window.db, first).ext_id)
    assert window.current_id == first


def test_a_rejected_entity_says_who_rejected_it(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    _decide(window, "bob", "rejected", "Paris")
    window.show_article(window.current_id)
    text = window.view.text
    start = text.text.index("Paris")
    assert [e.text for e in text.view.rejected_entities] == ["Paris"]  # struck out
    assert "entity rejected by bob" in text._tooltip(text.hit_at(start + 1))


def test_a_file_that_cannot_be_imported_is_shown_naming_it(
    make_window, open_and_wait, tmp_path, qtbot
):
    from viewer.qt.errors import error_sink

    window = opened(make_window, open_and_wait, tmp_path)
    junk = tmp_path / "notes.jsonl"
    junk.write_text("not an annotations file\n", encoding="utf-8")
    with qtbot.waitSignal(error_sink().shown, timeout=20_000) as shown:
        window.import_annotations(str(junk))
    title, message = shown.args
    assert title == "Annotations not imported"
    assert str(junk) in message and message.endswith("nothing was imported")
    assert window.statusBar().currentMessage() == message
