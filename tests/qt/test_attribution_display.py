"""Attributions in the window: a style per kind, legend toggles per kind, the side panel.

The article is analysed by the model as usual, then a hand-made analysis with
one attribution of each kind (and a direct quote in two pieces) is linked to it,
so every kind is on screen whatever the model finds.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication

from viewer.core.attributions import ATTRIBUTION_KINDS
from viewer.core.model import Analysis, Entity, Quote, text_hash
from viewer.core.store.analyses import save_analyses
from viewer.qt.main_window import MainWindow
from viewer.qt.panels.legend import Legend
from viewer.qt.panels.side import KIND_ROLE, PIECES_ROLE, QUOTE_ROLE
from viewer.qt.text.article_view import HighlightedText, quote_tooltip
from viewer.qt.theme import colour, kind_style, known_labels, label_style

from .test_main_window import dark_palette, selections_at

TEXT = (
    'Mayor Ann Lee said: "The bridge opens in May." '
    'Lee said that the budget was "fully funded" and on track. '
    "A senior official told reporters that talks with Rome would resume. "
    "Prices are expected to rise next year. "
    '"We are ready," Ann Lee added, "and we will deliver."\n'
)


def span(text: str, after: int = 0) -> tuple[int, int, str]:
    start = TEXT.index(text, after)
    return start, start + len(text), text


def attribution(content, speaker=None, cue=None, **fields) -> Quote:
    s = speaker or (None, None, None)
    c = cue or (None, None, None)
    return Quote(*content, *s, *c, **fields)


LEE = span("Ann Lee")
DIRECT = attribution(
    span("The bridge opens in May."), LEE, span("said"), kind="direct",
    speaker_name="Ann Lee", attribution_id=1,
)  # fmt: skip
MIXED = attribution(
    span('the budget was "fully funded" and on track'), span("Lee", LEE[1]),
    span("said", DIRECT.cue_end), kind="mixed", speaker_name="Ann Lee", attribution_id=2,
)  # fmt: skip
INDIRECT = attribution(
    span("talks with Rome would resume"), span("A senior official"), span("told"),
    kind="indirect", speaker_name="a senior official", anonymous=True, attribution_id=3,
)  # fmt: skip
NO_SOURCE = attribution(
    span("Prices are expected to rise next year."), kind="no-source", attribution_id=4
)
SECOND_LEE = span("Ann Lee", INDIRECT.end)
READY = attribution(
    span("We are ready,"), SECOND_LEE, span("added"), kind="direct",
    speaker_name="Ann Lee", attribution_id=5,
)  # fmt: skip
DELIVER = attribution(
    span("and we will deliver."), SECOND_LEE, span("added"), kind="direct",
    speaker_name="Ann Lee", attribution_id=5,
)  # fmt: skip
QUOTES = (DIRECT, MIXED, INDIRECT, NO_SOURCE, READY, DELIVER)
ROME = Entity(*span("Rome")[:2], "GPE", "Rome")
ANALYSIS = Analysis((Entity(*LEE[:2], "PERSON", "Ann Lee"), ROME), QUOTES)
BY_KIND = {"direct": DIRECT, "mixed": MIXED, "indirect": INDIRECT, "no-source": NO_SOURCE}


@pytest.fixture
def open_window(make_window, open_and_wait, tmp_path):
    """A window showing TEXT with the hand-made ANALYSIS (given settings, or the test's)."""

    def run(settings: QSettings | None = None, name: str = "db") -> MainWindow:
        corpus = tmp_path / f"corpus_{name}"
        corpus.mkdir()
        (corpus / "lee.txt").write_text(TEXT, encoding="utf-8")
        window = make_window(settings)
        open_and_wait(window, corpus, tmp_path / f"{name}.sqlite")
        assert window.current_article.text == TEXT
        linked = save_analyses(
            window.db, "hand-made@1", "test",
            [(window.current_id, text_hash(TEXT), TEXT, ANALYSIS)],
        )  # fmt: skip
        assert linked == [window.current_id]
        window.show_article(window.current_id)
        assert window.view.text.analysis.quotes == QUOTES
        return window

    return run


marks_at = selections_at  # highlights covering exactly a Python span


def content_look(window, q: Quote) -> tuple:
    [mark] = marks_at(window, q.start, q.end)
    fmt = mark.format
    underlined = fmt.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline
    return (
        fmt.background().color().name(),
        fmt.underlineStyle(),
        fmt.underlineColor().name() if underlined else None,
    )


def all_marks(window) -> list[tuple]:
    return sorted(
        (s.cursor.selectionStart(), s.cursor.selectionEnd(), s.format.background().color().name())
        for s in window.view.text.marks()
    )


def mention_spans(q: Quote) -> list[tuple[int, int]]:
    return [
        (s, e)
        for s, e in ((q.start, q.end), (q.speaker_start, q.speaker_end), (q.cue_start, q.cue_end))
        if s is not None
    ]


def test_each_kind_has_its_own_style(open_window):
    window = open_window()
    looks = {kind: content_look(window, q) for kind, q in BY_KIND.items()}
    assert len(set(looks.values())) == 4, looks
    assert len({look[0] for look in looks.values()}) == 4  # four tints, not only underlines
    for kind, look in looks.items():
        style = kind_style(kind)
        assert look[0] == style.background.name()
        assert look[1] == style.underline
    # Reported speech is underlined (dotted), a direct quote is not.
    assert looks["indirect"][1] == QTextCharFormat.UnderlineStyle.DotLine
    assert looks["direct"][1] == QTextCharFormat.UnderlineStyle.NoUnderline
    # Both pieces of the interrupted quote look like a direct quote.
    assert content_look(window, READY) == content_look(window, DELIVER) == looks["direct"]
    # An entity inside reported speech keeps its tint and the dotted underline.
    [rome] = marks_at(window, ROME.start, ROME.end)
    assert rome.format.background().color() == label_style("GPE").background
    assert rome.format.underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine


@pytest.mark.parametrize("dark", [False, True])
def test_kind_tints_stand_apart_from_entities_and_each_other(qapp, dark):
    original = qapp.palette()
    if dark:
        palette = QPalette(original)
        palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
        palette.setColor(QPalette.ColorRole.Text, QColor("#e0e0e0"))
        qapp.setPalette(palette)
    try:
        text = qapp.palette().color(QPalette.ColorRole.Text)
        others = [label_style(label).background for label in known_labels()]
        others.append(colour("quote_active"))
        tints = [kind_style(kind).background for kind in ATTRIBUTION_KINDS]

        def distance(a: QColor, b: QColor) -> float:
            return sum((x - y) ** 2 for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))

        for tint in tints:
            assert min(distance(tint, other) for other in others) > 20**2, tint.name()
            # The text stays readable: far apart in lightness from the tint.
            assert abs(tint.lightness() - text.lightness()) > 120, tint.name()
        for i, a in enumerate(tints):
            for b in tints[i + 1 :]:
                assert distance(a, b) > 15**2, (a.name(), b.name())
    finally:
        qapp.setPalette(original)


def test_hiding_a_kind_removes_exactly_its_marks(open_window):
    window = open_window()
    text = window.view.text
    before = all_marks(window)
    window.legend.kind_actions["indirect"].setChecked(False)
    after = all_marks(window)
    # Its content, speaker and cue marks are gone; nothing else changed.
    gone = {(text._map.to_qt(s), text._map.to_qt(e)) for s, e in mention_spans(INDIRECT)}
    assert [m for m in before if (m[0], m[1]) not in gone] == after
    assert all(marks_at(window, s, e) == [] for s, e in mention_spans(INDIRECT))
    # Rome (an entity inside) is still highlighted, now without the dotted underline.
    [rome] = marks_at(window, ROME.start, ROME.end)
    assert rome.format.underlineStyle() == QTextCharFormat.UnderlineStyle.NoUnderline
    # Nor is it hovered or clicked any more; the others are.
    assert text.hit_at(INDIRECT.start + 1).quote is None
    assert text.hit_at(INDIRECT.cue_start).quote is None
    for kind, q in BY_KIND.items():
        if kind != "indirect":
            assert QUOTES[text.hit_at(q.start).quote] == q
            assert len(marks_at(window, q.start, q.end)) == 1
    window.legend.kind_actions["indirect"].setChecked(True)
    assert all_marks(window) == before


def mention_marks(text: HighlightedText, start: int, end: int) -> list:
    """The underlined speaker or cue marks covering exactly [start, end)."""
    qs, qe = text._map.to_qt(start), text._map.to_qt(end)
    return [
        s
        for s in text.marks()
        if (s.cursor.selectionStart(), s.cursor.selectionEnd()) == (qs, qe)
        and s.format.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline
    ]


def test_a_speaker_two_kinds_share_stays_while_one_is_shown(qtbot):
    shared = '"It works," the official said, adding that more would come.'

    def at(piece: str) -> tuple[int, int, str]:
        start = shared.index(piece)
        return start, start + len(piece), piece

    official = at("the official")
    direct = Quote(*at("It works,"), *official, *at("said"), kind="direct", attribution_id=1)
    reported = Quote(
        *at("more would come"), *official, *at("adding"), kind="indirect", attribution_id=2
    )
    text = HighlightedText()
    qtbot.addWidget(text)
    text.set_content(shared, Analysis((), (direct, reported)))
    text.set_visible_labels(set(), {"indirect"})
    assert len(mention_marks(text, *official[:2])) == 1  # still the reported speech's speaker
    assert mention_marks(text, direct.cue_start, direct.cue_end) == []
    assert len(mention_marks(text, reported.cue_start, reported.cue_end)) == 1
    # Hovering the shared speaker now finds the reported speech; when lit, so is the speaker.
    assert text.hit_at(official[0]).quote == 1
    text.set_visible_labels(set(), set(ATTRIBUTION_KINDS))
    text.pin_quote(1)
    [mark] = mention_marks(text, *official[:2])
    assert mark.format.background().color() == colour("quote_active")
    text.set_visible_labels(set(), {"mixed"})
    assert mention_marks(text, *official[:2]) == []


def test_kind_toggles_are_remembered(open_window, settings, tmp_path):
    window = open_window(settings)
    window.legend.kind_actions["mixed"].setChecked(False)
    window.close()
    settings.sync()
    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert reread.value("legend/kind/mixed", type=bool) is False
    again = open_window(reread, "again")
    assert again.legend.visible_kinds() == set(ATTRIBUTION_KINDS) - {"mixed"}
    assert marks_at(again, MIXED.start, MIXED.end) == []
    assert len(marks_at(again, DIRECT.start, DIRECT.end)) == 1


def test_quotes_switched_off_before_kinds_existed_stay_off(qtbot, tmp_path):
    old = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
    old.setValue("legend/quotes", False)
    legend = Legend(old)
    qtbot.addWidget(legend)
    assert legend.visible_kinds() == set()
    assert not legend.attributions_action.isChecked()
    fresh = Legend(QSettings(str(tmp_path / "new.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(fresh)
    assert fresh.visible_kinds() == set(ATTRIBUTION_KINDS)


def test_ctrl_shift_q_switches_all_attributions(open_window, qtbot):
    window = open_window()
    action = window.legend.attributions_action
    assert action.shortcut().toString() == "Ctrl+Shift+Q"
    [view_menu] = [m.menu() for m in window.menuBar().actions() if m.text() == "&View"]
    assert action in view_menu.actions()
    window.legend.kind_actions["mixed"].setChecked(False)
    assert action.isChecked()  # some are still shown: the shortcut hides them all
    with qtbot.waitSignal(window.legend.changed):
        action.trigger()
    assert window.legend.visible_kinds() == set()
    assert all(marks_at(window, q.start, q.end) == [] for q in QUOTES)
    assert window.view.text.hit_at(DIRECT.start).quote is None
    action.trigger()
    assert window.legend.visible_kinds() == set(ATTRIBUTION_KINDS)
    assert all(len(marks_at(window, q.start, q.end)) == 1 for q in QUOTES)


def hover(qtbot, window, pos: int) -> None:
    """Move the mouse onto the character at Python offset ``pos``."""
    text = window.view.text
    rect = text.cursorRect(text.qt_cursor(pos, pos))  # the gap before that character
    qtbot.mouseMove(text.viewport(), rect.center() + QPoint(3, 0))


def lit(window, start: int, end: int) -> bool:
    active = colour("quote_active")
    return any(m.format.background().color() == active for m in marks_at(window, start, end))


def test_hovering_reported_speech_lights_its_speaker_and_cue(open_window, qtbot):
    window = open_window()
    text = window.view.text
    hover(qtbot, window, INDIRECT.start + 3)
    qtbot.waitUntil(lambda: text.active_quote == QUOTES.index(INDIRECT))
    assert all(lit(window, s, e) for s, e in mention_spans(INDIRECT))
    assert not lit(window, DIRECT.start, DIRECT.end)
    # The cue of a two-piece quote lights both pieces and the shared speaker.
    hover(qtbot, window, READY.cue_start + 1)
    qtbot.waitUntil(lambda: text.active_quote in (QUOTES.index(READY), QUOTES.index(DELIVER)))
    for q in (READY, DELIVER):
        assert all(lit(window, s, e) for s, e in mention_spans(q))
    assert not lit(window, INDIRECT.start, INDIRECT.end)


def test_tooltip_names_the_kind_and_anonymity():
    assert "direct quote" in quote_tooltip(DIRECT)
    assert "mixed" in quote_tooltip(MIXED)
    tip = quote_tooltip(INDIRECT)
    assert "reported speech" in tip and "anonymous" in tip and "A senior official" in tip
    tip = quote_tooltip(NO_SOURCE)
    assert "no source" in tip and "said by" not in tip and "anonymous" not in tip
    assert "anonymous" not in quote_tooltip(DIRECT)


def panel_groups(window) -> dict[tuple[str, str], list[tuple[str, str, list[int]]]]:
    """(group name, its mark) -> (kind, kind as shown, pieces) of each row."""
    model = window.panel.quote_model
    groups = {}
    for i in range(model.rowCount()):
        top = model.index(i, 0)
        groups[top.data(), top.siblingAtColumn(1).data()] = [
            (
                model.index(j, 0, top).data(KIND_ROLE),
                model.index(j, 1, top).data(),
                list(model.index(j, 0, top).data(PIECES_ROLE)),
            )
            for j in range(model.rowCount(top))
        ]
    return groups


def panel_row(window, group: int, row: int, column: int = 0):
    """The side panel's attribution row ``row`` of speaker group ``group``."""
    model = window.panel.quote_model
    return model.index(row, column, model.index(group, 0))


def test_side_panel_groups_attributions_by_speaker(open_window):
    window = open_window()
    i = QUOTES.index
    assert panel_groups(window) == {
        ("Ann Lee (3)", ""): [
            ("direct", "Direct", [i(DIRECT)]),
            ("mixed", "Mixed", [i(MIXED)]),
            ("direct", "Direct", [i(READY), i(DELIVER)]),  # two pieces, one row
        ],
        ("a senior official (1)", "anonymous"): [("indirect", "Reported", [i(INDIRECT)])],
        ("No source (1)", ""): [("no-source", "No source", [i(NO_SOURCE)])],
    }
    two_pieces = panel_row(window, 0, 2).data()
    assert "We are ready," in two_pieces and "deliver" in two_pieces
    assert "reported speech" in panel_row(window, 1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert window.panel.tabText(0) == "Quotes (5)"  # attributions, not pieces


def test_clicking_a_row_pins_all_pieces_of_its_attribution(open_window):
    window = open_window()
    row = panel_row(window, 0, 2)
    window.panel.quotes.clicked.emit(row)
    text = window.view.text
    assert text._pinned == row.data(QUOTE_ROLE) == QUOTES.index(READY)
    assert text.selected_span() == (READY.start, READY.end)
    assert lit(window, READY.start, READY.end) and lit(window, DELIVER.start, DELIVER.end)
    assert lit(window, READY.speaker_start, READY.speaker_end)
    # A reported-speech row lights its content, speaker and cue.
    window.panel.quotes.clicked.emit(panel_row(window, 1, 0))
    assert all(lit(window, s, e) for s, e in mention_spans(INDIRECT))
    assert not lit(window, READY.start, READY.end)


def test_dark_palette_recolours_each_kind(open_window, qtbot):
    window = open_window()
    light = {kind: content_look(window, q)[0] for kind, q in BY_KIND.items()}
    app = QApplication.instance()
    original = app.palette()
    dark = dark_palette(original)
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: content_look(window, DIRECT)[0] != light["direct"])
        now = {kind: content_look(window, q)[0] for kind, q in BY_KIND.items()}
        assert len(set(now.values())) == 4
        for kind, name in now.items():
            assert name == kind_style(kind).background.name() != light[kind]
        # The side panel's swatches follow.
        row = panel_row(window, 1, 0)
        assert row.data(KIND_ROLE) == "indirect"
        icon = panel_row(window, 1, 0, column=1).data(Qt.ItemDataRole.DecorationRole)
        swatch = icon.pixmap(14, 14).toImage().pixelColor(2, 2)
        assert swatch.name() == now["indirect"]
    finally:
        app.setPalette(original)
