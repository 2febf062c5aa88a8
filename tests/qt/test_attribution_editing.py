"""Editing attributions in the window: add one with its speaker, change its kind, set its
speaker from the article's people, mark it not an attribution; each one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from tests.qt.test_annotating import press
from viewer.core.model import Entity
from viewer.core.store.annotations import annotations_for_article
from viewer.qt.dialogs.attribution import AddAttributionDialog, ArticleContext, in_quotation_marks

BODY = (
    "Foreign Secretary Jack Straw flew to Washington on Monday.\n"
    '"We will not give way," Mr Straw told reporters.\n'
    "A spokesman said the visit had been planned for weeks.\n"
    "Colin Powell welcomed him at the State Department.\n"
    '"The talks are hard," Powell said, "but we are close."\n'
    "The two men hoped the talks would end the dispute.\n"
)
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def opened(make_window, open_and_wait, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "straw.txt").write_text(BODY, encoding="utf-8")
    window = make_window()
    open_and_wait(window, corpus, tmp_path / "db.sqlite")
    return window


def attribution(window, content: str):
    """The final-view attribution whose content starts with ``content``, and its index."""
    quotes = window.view.text.view.quotes
    [(index, fq)] = [(i, fq) for i, fq in enumerate(quotes) if fq.quote.text.startswith(content)]
    return index, fq


def put_cursor_in(window, content: str) -> None:
    start = window.view.text.text.index(content) + 2
    window.view.text.select_span(start, start)


def answer(window, fill) -> None:
    """The next dialog (or menu) the window opens is filled in by ``fill``, then closed."""

    def opened(dialog) -> None:
        window.annotating.dialog_opened = None
        QTimer.singleShot(0, lambda: fill(dialog))

    window.annotating.dialog_opened = opened


def stored(window):
    return [a for a in annotations_for_article(window.db, window.current_id) if a.kind == "quote"]


def panel_rows(window) -> list[str]:
    model = window.annotation_panel.annotations
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def listed(qtbot, window, row: str) -> None:
    """The annotations panel lists ``row`` (it follows an edit right after the text's paint)."""
    qtbot.waitUntil(lambda: row in panel_rows(window))


def test_the_shortcuts_are_in_the_edit_menu(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    a = window.annotating
    keys = {
        action.text().replace("&", ""): action.shortcut().toString()
        for action in (a.attribution_action, a.speaker_action, a.kind_action,
                       a.not_attribution_action)
    }  # fmt: skip
    assert keys == {
        "Add Attribution…": "Ctrl+T",
        "Set Speaker…": "Ctrl+K",
        "Change Attribution Kind…": "Ctrl+Shift+K",
        "Not an Attribution": "Ctrl+Shift+N",
    }
    [edit] = [m for m in window.menuBar().actions() if m.text() == "&Edit"]
    assert {a.attribution_action, a.speaker_action, a.kind_action,
            a.not_attribution_action} <= set(edit.menu().actions())  # fmt: skip
    ours = {a.attribution_action, a.speaker_action, a.kind_action, a.not_attribution_action}
    others = [x for x in window.findChildren(type(a.kind_action)) if x not in ours]
    assert not [
        x.text() for x in others if x.shortcut().toString() in set(keys.values())
    ]  # no clash


def test_add_an_attribution_with_its_speaker_in_one_step_and_undo_it(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    before = len(text.view.quotes)
    start = text.text.index("welcomed him")
    text.select_span(start, start + len("welcomed him at the State Department"))
    seen = {}

    def fill(dialog) -> None:
        seen["kind"] = dialog.chosen_kind()
        seen["people"] = [c.label() for c in dialog.picker.choices]
        dialog.picker.set_typed("Powell")  # a surname: the article's Colin Powell
        seen["preview"] = dialog.picker.resolved.text()
        dialog.accept()

    answer(window, fill)
    press(qtbot, window, Qt.Key.Key_T, CTRL)
    assert seen["kind"] == "indirect"  # not in quotation marks
    assert seen["people"][:2] == ["Jack Straw", "Colin Powell"]
    assert {"A spokesman (anonymous)", "The two men (anonymous)"} <= set(seen["people"])
    assert seen["preview"] == "→ Colin Powell"
    [ann] = stored(window)
    assert (ann.action, ann.label, ann.text) == (
        "added",
        "indirect",
        "welcomed him at the State Department",
    )
    powell = text.text.index("Colin Powell")
    assert (ann.speaker_start, ann.speaker_end, ann.speaker_text) == (
        powell, powell + len("Colin Powell"), "Colin Powell")  # fmt: skip
    _, fq = attribution(window, "welcomed him")
    assert (fq.origin, fq.quote.kind, fq.quote.speaker_name, fq.quote.anonymous) == (
        "analyst", "indirect", "Colin Powell", False)  # fmt: skip
    assert len(text.view.quotes) == before + 1
    listed(qtbot, window, "attribution added: indirect, Colin Powell")
    # One action, one undo step: the attribution and its speaker go together.
    window.undo_action.trigger()
    assert stored(window) == [] and len(text.view.quotes) == before
    window.redo_action.trigger()
    assert [a.speaker_text for a in stored(window)] == ["Colin Powell"]


def test_an_attribution_already_there_is_not_added_twice(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    start = text.text.index('"We will not give way,"')
    text.select_span(start, start + len('"We will not give way,"'))  # marks included
    window.annotating.pick_attribution()
    assert stored(window) == []
    assert "already" in window.statusBar().currentMessage()


def test_add_dialog_kind_follows_quotation_marks_and_no_source(qtbot):
    text = 'He wrote "a bold gamble" and then said it would pass.'
    s = text.index('"a bold')
    assert in_quotation_marks(text, s, s + len('"a bold gamble"')) == (s + 1, s + 14, True)
    assert in_quotation_marks(text, s + 1, s + 14) == (s + 1, s + 14, True)
    plain = text.index("it would pass")
    assert in_quotation_marks(text, plain, plain + 13)[2] is False
    context = ArticleContext(text, [Entity(0, 2, "PERSON", "He")], [], plain)
    dialog = AddAttributionDialog(context, "it would pass", "indirect")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # a speaker, or no source, first
    dialog.picker.no_source.setChecked(True)
    assert ok.isEnabled() and dialog.values() == ("no-source", None)
    dialog.set_kind("direct")
    dialog.picker.set_typed("a spokesman")
    assert dialog.values()[1].anonymous and dialog.values()[0] == "direct"


def test_change_kind_from_the_kind_menu(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    put_cursor_in(window, "The talks are hard")

    def choose_mixed(menu) -> None:
        [mixed] = [a for a in menu.actions() if a.text().startswith("&Mixed")]
        mixed.trigger()
        menu.close()

    answer(window, choose_mixed)
    press(qtbot, window, Qt.Key.Key_K, CTRL | SHIFT)
    for piece in ("The talks are hard", "but we are close"):  # every piece of it
        _, fq = attribution(window, piece)
        assert (fq.quote.kind, fq.decision) == ("mixed", "kind_changed")
    [ann] = stored(window)
    assert (ann.action, ann.label) == ("kind_changed", "mixed")
    listed(qtbot, window, "kind changed: mixed")
    # A second change updates the same decision; undo goes back one change.
    index, _ = attribution(window, "The talks are hard")
    window.annotating.change_kind(index, "indirect")
    assert [(a.action, a.label) for a in stored(window)] == [("kind_changed", "indirect")]
    window.undo_action.trigger()
    assert attribution(window, "but we are close")[1].quote.kind == "mixed"


def test_set_the_speaker_from_the_articles_people(make_window, open_and_wait, tmp_path, qtbot):
    window = opened(make_window, open_and_wait, tmp_path)
    _, fq = attribution(window, "the visit had been planned")
    assert (fq.quote.speaker_name, fq.quote.anonymous) == ("A spokesman", True)
    put_cursor_in(window, "the visit had been planned")
    answer(window, lambda d: (d.picker.pick("Jack Straw"), d.accept()))
    press(qtbot, window, Qt.Key.Key_K, CTRL)
    _, fq = attribution(window, "the visit had been planned")
    q = fq.quote
    assert (q.speaker_text, q.speaker_name, q.anonymous) == ("Jack Straw", "Jack Straw", False)
    assert (q.speaker_start, q.cue_text) == (window.view.text.text.index("Jack Straw"), None)
    listed(qtbot, window, "speaker set: Jack Straw")
    # Typed as a role the article gives him: resolved to him; the same decision updated.
    index, _ = attribution(window, "the visit had been planned")
    answer(window, lambda d: (d.picker.set_typed("the foreign secretary"), d.accept()))
    window.annotating.pick_speaker()
    [ann] = stored(window)
    assert (ann.action, ann.speaker_text) == ("speaker_changed", "Jack Straw")
    # No source: nobody named, so the reported speech becomes no-source.
    answer(window, lambda d: (d.picker.no_source.setChecked(True), d.accept()))
    window.annotating.pick_speaker()
    _, fq = attribution(window, "the visit had been planned")
    assert (fq.quote.kind, fq.quote.speaker_text) == ("no-source", None)
    window.undo_action.trigger()
    _, fq = attribution(window, "the visit had been planned")
    assert (fq.quote.kind, fq.quote.speaker_name) == ("indirect", "Jack Straw")


def test_a_selected_mention_is_resolved_as_the_speaker(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    index, _ = attribution(window, "the talks would end")
    s = text.text.index("Powell said")
    window.annotating.set_speaker(index, (s, s + len("Powell")))
    q = attribution(window, "the talks would end")[1].quote
    assert (q.speaker_name, q.anonymous) == ("Colin Powell", False)
    assert text.text[q.speaker_start : q.speaker_end] == "Colin Powell"


def test_not_an_attribution_marks_every_piece_in_one_step(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    text = window.view.text
    before = len(text.view.quotes)
    put_cursor_in(window, "but we are close")
    press(qtbot, window, Qt.Key.Key_N, CTRL | SHIFT)
    contents = [fq.quote.text for fq in text.view.quotes]
    assert not any(c.startswith(("The talks are hard", "but we are close")) for c in contents)
    assert len(text.view.rejected_quotes) == 2 and len(text.view.quotes) == before - 2
    qtbot.waitUntil(lambda: panel_rows(window) == ["not an attribution", "not an attribution"])
    window.undo_action.trigger()  # both pieces back at once
    assert len(text.view.quotes) == before and stored(window) == []
    # The analyst's own attribution: "not an attribution" removes it.
    start = text.text.index("welcomed him")
    window.annotating.add_attribution((start, start + 12), "indirect", None)
    index, fq = attribution(window, "welcomed him")
    assert (fq.origin, fq.quote.kind) == ("analyst", "no-source")  # no speaker: no source
    window.annotating.not_an_attribution(index)
    assert stored(window) == []


def test_the_context_menu_acts_on_the_attribution_clicked(make_window, open_and_wait, tmp_path):
    from PySide6.QtWidgets import QMenu

    window = opened(make_window, open_and_wait, tmp_path)
    put_cursor_in(window, "We will not give way")  # the text cursor is in another one
    index, _ = attribution(window, "the visit had been planned")
    menu = QMenu(window.view.text)
    window.annotating._attribution_entries(menu, index)
    entries = {a.text(): a for a in menu.actions()}
    assert {"Set speaker…", "Change kind", "Not an attribution"} <= set(entries)
    answer(window, lambda d: (d.picker.pick("Colin Powell"), d.accept()))
    entries["Set speaker…"].trigger()
    assert attribution(window, "the visit had been planned")[1].quote.speaker_name == "Colin Powell"
    assert attribution(window, "We will not give way")[1].quote.speaker_name == "Jack Straw"
