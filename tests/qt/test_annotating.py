"""Analyst annotation in the window: label keys, corrections, review, undo, persistence."""

from __future__ import annotations

from PySide6.QtCore import Qt

from viewer.core.store import open_db
from viewer.core.store.annotations import annotations_for_article
from viewer.core.store.reviews import get_review, tags_for

BODY = (
    "Hello \U0001f44b desk.\n"
    "Angela Merkel met Emmanuel Macron in Paris on Monday.\n"
    '"We agreed on the budget," Merkel told reporters.\n'
)


def make_corpus(tmp_path, n: int = 2):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(n):
        (corpus / f"art{i}.txt").write_bytes(
            (BODY + f"Item {i}.\n").replace("\n", "\r\n").encode("utf-8")
        )
    return corpus


def opened(make_window, open_and_wait, tmp_path, n: int = 2):
    window = make_window()
    open_and_wait(window, make_corpus(tmp_path, n), tmp_path / "db.sqlite")
    return window


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key typed into the article text, as a user would (shortcuts need focus)."""
    window.activateWindow()
    window.view.text.setFocus()
    qtbot.waitUntil(window.view.text.hasFocus)
    qtbot.keyClick(window.view.text, key, modifier)


def test_digit_key_labels_the_selection_after_an_emoji(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    start = text.text.index("Emmanuel Macron")
    text.select_span(start, start + len("Emmanuel Macron"))
    press(qtbot, window, Qt.Key.Key_1)
    [ann] = annotations_for_article(window.db, window.current_id)
    assert ann.text == text.text[ann.start : ann.end] == "Emmanuel Macron"
    assert ann.label == window._labels[0].name and ann.kind == "span"
    assert ann.annotator == window.editor.annotator
    # It is shown: as a highlight at the right Qt positions, then in the panel.
    assert [a.id for a in text.spans] == [ann.id]
    qtbot.waitUntil(lambda: window.annotation_panel.count() == 1)


def test_selection_across_a_line_break(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    start = text.text.index("desk.")
    end = text.text.index("Merkel") + len("Merkel")
    text.select_span(start, end)
    press(qtbot, window, Qt.Key.Key_2)
    [ann] = annotations_for_article(window.db, window.current_id)
    assert ann.text == text.text[start:end] == "desk.\nAngela Merkel"
    assert ann.label == window._labels[1].name


def test_undo_and_redo_even_after_switching_articles(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    first_id = window.current_id
    start = text.text.index("Paris")
    text.select_span(start, start + 5)
    press(qtbot, window, Qt.Key.Key_3)
    assert len(annotations_for_article(window.db, first_id)) == 1
    window.next_action.trigger()
    assert window.current_id != first_id
    window.undo_action.trigger()  # Ctrl+Z
    assert annotations_for_article(window.db, first_id) == []
    assert window.current_id == first_id  # undo shows where it happened
    window.redo_action.trigger()
    [ann] = annotations_for_article(window.db, first_id)
    assert ann.text == "Paris"
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Shift+Z" in [s.toString() for s in window.redo_action.shortcuts()]


def test_reject_and_relabel_model_entities(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    paris = next(e for e in text.analysis.entities if e.text == "Paris")
    window.annotating.decide_entity(paris, "rejected")
    assert "Paris" not in [e.text for e in text.analysis.entities]
    assert "Paris" in [e.text for e in text.view.rejected_entities]
    window.undo_action.trigger()
    macron = next(e for e in text.analysis.entities if e.text == "Emmanuel Macron")
    window.annotating.decide_entity(macron, "relabelled", "ORG")
    shown = next(e for e in text.analysis.entities if e.text == "Emmanuel Macron")
    assert (shown.label, shown.model_label, shown.decision) == ("ORG", "PERSON", "relabelled")
    [ann] = annotations_for_article(window.db, window.current_id)
    assert (ann.kind, ann.action, ann.label, ann.model_label) == (
        "entity",
        "relabelled",
        "ORG",
        "PERSON",
    )


def test_add_missed_entity_and_resize(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    start = text.text.index("budget")
    window.annotating.add_entity((start, start + 6), "EVENT")
    added = next(e for e in text.analysis.entities if e.text == "budget")
    assert (added.origin, added.label) == ("analyst", "EVENT")
    merkel = next(e for e in text.analysis.entities if e.text == "Angela Merkel")
    s = text.text.index("Merkel met")
    window.annotating.decide_entity(merkel, "resized", span=(s, s + 6))
    resized = next(e for e in text.analysis.entities if e.start == s)
    assert (resized.text, resized.decision) == ("Merkel", "resized")


def test_quote_speaker_change_and_not_a_quote(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    [index] = [i for i, q in enumerate(text.analysis.quotes) if "budget" in q.text]
    assert text.analysis.quotes[index].speaker_text == "Merkel"
    s = text.text.index("Angela Merkel")
    window.annotating.set_speaker(index, (s, s + len("Angela Merkel")))
    quote = next(q for q in text.analysis.quotes if "budget" in q.text)
    assert quote.speaker_text == "Angela Merkel"
    window.annotating.not_an_attribution(index)
    assert not any("budget" in q.text for q in text.analysis.quotes)
    assert any("budget" in q.text for q in text.view.rejected_quotes)


def test_review_status_tags_note_and_next_unreviewed(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path, n=3)
    first = window.current_id
    window.set_status("done")
    assert get_review(window.db, first).status == "done"
    window.review.tag_input.setText("eu summit")
    qtbot.keyClick(window.review.tag_input, Qt.Key.Key_Return)
    assert tags_for(window.db, first) == ["eu summit"]
    window.review.note.setPlainText("Check the budget figure.")
    window.review.flush_note()
    assert get_review(window.db, first).note == "Check the budget figure."
    window.go_next_unreviewed()
    assert window.current_id != first
    second = window.current_id
    window.set_status("done")
    window.go_next_unreviewed()
    assert window.current_id not in (first, second)
    # Undo walks back through the article-level edits too.
    window.undo_action.trigger()
    assert get_review(window.db, second).status == "unreviewed"


def test_closing_and_reopening_restores_everything(
    make_window, open_and_wait, tmp_path, qtbot, settings
):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    start = text.text.index("Paris")
    text.select_span(start, start + 5)
    press(qtbot, window, Qt.Key.Key_1)
    window.set_status("in_progress")
    window.review.note.setPlainText("typed, then the window closed")
    article_id = window.current_id
    window.close()  # the pending note is saved on close
    db = open_db(tmp_path / "db.sqlite")
    [ann] = annotations_for_article(db, article_id)
    assert ann.text == "Paris"
    assert get_review(db, article_id).note == "typed, then the window closed"
    again = make_window(settings)
    open_and_wait(again, tmp_path / "corpus", tmp_path / "db.sqlite")
    assert [a.text for a in again.view.text.spans] == ["Paris"]
    assert again.review.status.currentData() == "in_progress"


def test_overlapping_labels_are_drawn_as_one_highlight():
    from viewer.core.model import Annotation
    from viewer.qt.text.article_view import merged_spans

    def ann(start, end, label):
        return Annotation(1, "span", "added", start, end, "x", "", "", "h", label=label)

    spans = [ann(0, 5, "A"), ann(3, 9, "A"), ann(12, 14, "A"), ann(2, 4, "B")]
    assert sorted(merged_spans(spans)) == [("A", (0, 9)), ("A", (12, 14)), ("B", (2, 4))]


def test_review_status_shortcuts(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    actions = {a.text(): a for a in window.findChildren(type(window.undo_action))}
    actions["Mark Done"].trigger()
    assert get_review(window.db, window.current_id).status == "done"
    assert actions["Mark Done"].shortcut().toString() == "Alt+3"
    actions["Mark In progress"].trigger()
    assert get_review(window.db, window.current_id).status == "in_progress"


def test_file_export_writes_the_annotations_csv(make_window, open_and_wait, tmp_path, qtbot):
    import csv

    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    start = text.text.index("Paris")
    text.select_span(start, start + 5)
    press(qtbot, window, Qt.Key.Key_1)
    window.export_action.trigger()
    dialog = window.export_dialog
    out = tmp_path / "annotations.csv"
    dialog.set_choice("annotations", str(out), raw=True)
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        dialog.start_export()
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    spans = [r for r in rows if r["kind"] == "span"]
    assert [(r["text"], r["label"]) for r in spans] == [("Paris", window._labels[0].name)]
    dialog.close()


def test_a_changed_article_reanchors_and_flags_its_annotations(
    make_window, open_and_wait, tmp_path, qtbot
):
    from viewer.qt.dialogs.anchor_review import AnchorReviewDialog

    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    article_id = window.current_id
    for word, key in (
        ("Paris", Qt.Key.Key_1),
        ("budget", Qt.Key.Key_2),
        ("reporters", Qt.Key.Key_3),
    ):
        start = text.text.index(word)
        text.select_span(start, start + len(word))
        press(qtbot, window, key)
    # The source changes: a paragraph is inserted before everything, "budget"
    # is reworded and "reporters" disappears.
    path = tmp_path / "corpus" / "art0.txt"
    old = path.read_bytes().decode("utf-8")
    new = (
        ("Breaking: an update.\r\n" + old)
        .replace("the budget", "the budgets")
        .replace(" told reporters", " said")
    )
    path.write_bytes(new.encode("utf-8"))
    open_and_wait(window, tmp_path / "corpus", tmp_path / "db.sqlite")
    stored = {a.text: a for a in annotations_for_article(window.db, article_id)}
    assert len(stored) == 3  # nothing deleted
    canonical = new.replace("\r\n", "\n")
    paris = stored["Paris"]
    assert paris.anchor_status == "moved"
    assert canonical[paris.start : paris.end] == "Paris"
    statuses = sorted(a.anchor_status for a in stored.values())
    assert "exact" not in statuses and "orphaned" in statuses
    assert any("re-attached" in m.message for m in window.report.messages)
    dialog = AnchorReviewDialog(window.db, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy)  # read in the background
    # "moved" needs no action: hidden until asked for.
    assert dialog.tree.topLevelItemCount() == sum(s != "moved" for s in statuses)
    dialog.show_moved.setChecked(True)
    qtbot.waitUntil(lambda: not dialog.busy)
    assert dialog.tree.topLevelItemCount() == 3
    # The text around the annotations changed, not the model: each status says that.
    from viewer.qt.dialogs.anchor_review import STATUS_HELP

    tips = {dialog.tree.topLevelItem(i).text(2): dialog.tree.topLevelItem(i).toolTip(2)
            for i in range(3)}  # fmt: skip
    assert tips == {status: STATUS_HELP[status] for status in tips}
