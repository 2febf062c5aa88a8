"""Entity menus speak the legend's names, Add entity offers the label under the
selection (else the last one added), adding over an identical model entity is
an Accept; and the status bar says what each correction did."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMenu

from tests.qt.test_annotating import opened, press
from viewer.core.store.annotations import annotations_for_article
from viewer.qt.theme import known_labels, label_name


def entity(window, text: str):
    return next(e for e in window.view.text.analysis.entities if e.text == text)


def menu_texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def submenu(menu: QMenu, title: str) -> QMenu:
    return next(a.menu() for a in menu.actions() if a.menu() and a.text() == title)


def test_relabel_and_add_entity_menus_show_display_names(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    paris = entity(window, "Paris")
    menu = QMenu()
    window.annotating._entity_entries(menu, paris, has_selection=False)
    relabel = menu_texts(submenu(menu, "Relabel as"))
    assert "Group" in relabel and "Work of art" in relabel and "Facility" in relabel
    assert not {"NORP", "WORK_OF_ART", "FAC", "ORG"} & set(relabel)
    assert "(Country/city)" in menu.actions()[0].text()  # the section names the label too
    start = text.text.index("budget")
    text.select_span(start, start + len("budget"))
    menu = QMenu()
    window.annotating._selection_entries(menu, window.view.text.hit_at(start))
    added = menu_texts(submenu(menu, "Add entity"))
    assert sorted(added) == sorted(label_name(label) for label in known_labels())
    assert "NORP" not in added and "Group" in added


def test_add_entity_offers_the_label_under_the_selection_else_the_last(
    make_window, open_and_wait, tmp_path
):
    window = opened(make_window, open_and_wait, tmp_path)
    text, annotating = window.view.text, window.annotating
    s = text.text.index("Angela Merkel")
    assert annotating.entity_label_for((s, s + 6)) == "PERSON"  # overlaps the model's PERSON
    s = text.text.index("Paris")
    assert annotating.entity_label_for((s, s + 3)) == "GPE"
    budget = text.text.index("budget")
    assert annotating.entity_label_for((budget, budget + 6)) == "PERSON"  # nothing yet
    annotating.add_entity((budget, budget + 6), "EVENT")
    item = text.text.index("Item")
    assert annotating.entity_label_for((item, item + 4)) == "EVENT"  # the last one added
    # The Ctrl+E dialog starts on it, by name, and stores the code.
    seen = {}

    def look(dialog) -> None:
        seen["offered"] = dialog.textValue()
        seen["items"] = dialog.comboBoxItems()
        QTimer.singleShot(0, dialog.accept)

    annotating.dialog_opened = look
    text.select_span(item, item + 4)
    annotating.pick_entity()
    assert seen["offered"] == "Event" and "NORP" not in seen["items"]
    added = [a for a in annotations_for_article(window.db, window.current_id) if a.text == "Item"]
    assert [(a.kind, a.action, a.label) for a in added] == [("entity", "added", "EVENT")]
    # The context menu's Add entity has the same label first, as its default.
    menu = QMenu()
    annotating._selection_entries(menu, text.hit_at(item))
    add = submenu(menu, "Add entity")
    assert add.defaultAction().text() == "Event" == menu_texts(add)[0]


def test_adding_an_identical_model_entity_accepts_it(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    paris = entity(window, "Paris")
    assert window.annotating.add_entity((paris.start, paris.end), "GPE")
    [ann] = annotations_for_article(window.db, window.current_id)
    assert (ann.kind, ann.action, ann.label) == ("entity", "accepted", "GPE")
    shown = [e for e in window.view.text.analysis.entities if e.text == "Paris"]
    assert [(e.decision, e.origin) for e in shown] == [("accepted", "model")]
    assert window.statusBar().currentMessage() == "Accepted “Paris” as Country/city"
    # Once more: nothing new, and it says so.
    assert not window.annotating.add_entity((paris.start, paris.end), "GPE")
    assert len(annotations_for_article(window.db, window.current_id)) == 1
    assert "already" in window.statusBar().currentMessage()
    # Another label over the same span is a relabel of that entity, not a second one.
    assert window.annotating.add_entity((paris.start, paris.end), "LOC")
    [ann] = annotations_for_article(window.db, window.current_id)
    assert (ann.action, ann.label, ann.model_label) == ("relabelled", "LOC", "GPE")


def test_status_bar_says_what_each_correction_did(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text, annotating, status = window.view.text, window.annotating, window.statusBar()
    s = text.text.index("Paris")
    text.select_span(s, s + 5)
    annotating.label_selection(window._labels[0].name)
    assert status.currentMessage().startswith("Labelled “Paris”")
    annotating.decide_entity(entity(window, "Emmanuel Macron"), "rejected")
    assert status.currentMessage() == "Rejected “Emmanuel Macron” (Person)"
    annotating.decide_entity(entity(window, "Angela Merkel"), "accepted")
    assert status.currentMessage() == "Accepted “Angela Merkel” as Person"
    [index] = [i for i, q in enumerate(text.analysis.quotes) if "budget" in q.text]
    s = text.text.index("Angela Merkel")
    annotating.set_speaker(index, (s, s + len("Angela Merkel")))
    assert status.currentMessage() == "Speaker of “We agreed on the budget,”: Angela Merkel"
    [index] = [i for i, q in enumerate(text.analysis.quotes) if "budget" in q.text]
    annotating.not_an_attribution(index)
    assert status.currentMessage() == "Marked “We agreed on the budget,” as not an attribution"


def test_set_as_speaker_names_the_quote(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    [index] = [i for i, q in enumerate(text.analysis.quotes) if "budget" in q.text]
    text.pin_quote(index)
    s = text.text.index("Angela Merkel")
    text.select_span(s, s + len("Angela Merkel"))
    menu = QMenu()
    window.annotating._selection_entries(menu, text.hit_at(s))
    assert "Set as speaker of “We agreed on the budget,”" in menu_texts(menu)


def test_a_decided_entity_can_be_decided_again_and_an_added_one_resized(
    make_window, open_and_wait, tmp_path
):
    """Regression: a second decision on an entity (and resizing one's own) raised
    TypeError: the annotation's ``text`` field clashed with the edit's description."""
    window = opened(make_window, open_and_wait, tmp_path)
    annotating, text = window.annotating, window.view.text
    annotating.decide_entity(entity(window, "Paris"), "accepted")
    assert annotating.decide_entity(entity(window, "Paris"), "relabelled", "LOC")
    assert entity(window, "Paris").label == "LOC"
    s = text.text.index("budget")
    annotating.add_entity((s, s + 6), "EVENT")
    assert annotating.decide_entity(entity(window, "budget"), "resized", span=(s - 4, s + 6))
    assert entity(window, "the budget").origin == "analyst"
    assert window.statusBar().currentMessage() == "Resized “budget” to “the budget”"


def test_deleting_your_label_says_so_not_the_old_labelled_message(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    s = text.text.index("budget")
    text.select_span(s, s + 6)
    label = window._labels[0].name
    window.annotating.label_selection(label)
    assert window.statusBar().currentMessage().startswith("Labelled")
    text.select_span(s + 1, s + 1)  # the caret in the label
    press(qtbot, window, Qt.Key.Key_Delete)
    assert annotations_for_article(window.db, window.current_id) == []
    assert window.statusBar().currentMessage() == f"Deleted your label {label} on “budget”"
