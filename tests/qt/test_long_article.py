"""A long article in the text view: only the blocks on screen and near it hold
their marks, correctly wherever the reader scrolls, and an edit, hover or
toggle re-formats only the blocks whose marks changed; the whole text and
marks of a long article arrive off the UI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from viewer.core.model import Analysis, Annotation, Article, Entity, Quote, text_hash
from viewer.core.store import open_db
from viewer.core.store.analyses import save_analyses
from viewer.core.store.articles import get_article
from viewer.core.store.articles import upsert_articles as store_articles
from viewer.qt.panels.side import AttributionsModel, EntitiesModel, SidePanel
from viewer.qt.text.article_loading import HEAD, ArticleLoader
from viewer.qt.text.article_view import AHEAD, WHOLE, HighlightedText
from viewer.qt.text.view_index import index_view
from viewer.qt.theme import label_style

PARAGRAPH = 'Ann Lee said "we are ready" in Rome.\n'
COPIES = 4_000  # 148,000 characters: far past WHOLE
TEXT = PARAGRAPH * COPIES
WIDE = len(PARAGRAPH)


def paragraph_marks(k: int) -> tuple[list[Entity], Quote]:
    at = k * WIDE
    person = Entity(at, at + 7, "PERSON", "Ann Lee")
    place = Entity(at + 31, at + 35, "GPE", "Rome")
    quote = Quote(
        at + 14, at + 26, "we are ready", at, at + 7, "Ann Lee", at + 8, at + 12, "said",
        kind="direct", speaker_name="Ann Lee", attribution_id=k + 1,
    )  # fmt: skip
    return [person, place], quote


def long_analysis(copies: int = COPIES) -> Analysis:
    entities, quotes = [], []
    for k in range(copies):
        pair, quote = paragraph_marks(k)
        entities += pair
        quotes.append(quote)
    return Analysis(tuple(entities), tuple(quotes))


def shown_spans(view: HighlightedText) -> set[tuple[int, int, str]]:
    return {
        (
            view._map.from_qt(s.cursor.selectionStart()),
            view._map.from_qt(s.cursor.selectionEnd()),
            s.format.background().color().name(),
        )
        for s in view.marks()
    }


def make_view(qtbot) -> HighlightedText:
    view = HighlightedText()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.set_visible_labels({"PERSON", "GPE"}, {"direct", "mixed", "indirect", "no-source"})
    view.set_content(TEXT, long_analysis())
    view.show()
    qtbot.waitExposed(view)
    return view


def person(k: int) -> tuple[int, int, str]:
    at = k * WIDE
    return (at, at + 7, label_style("PERSON").background.name())


def settled(qtbot, view: HighlightedText) -> None:
    """Painted, then idle until the blocks near the screen are formatted (the
    lay-ahead is done)."""
    qtbot.waitUntil(lambda: view._visible_blocks[1] >= 0)  # the first paint measured them
    qtbot.waitUntil(lambda: not view._ahead_scheduled)


def test_only_the_blocks_around_the_screen_hold_marks(qtbot):
    assert len(TEXT) > WHOLE
    view = make_view(qtbot)
    settled(qtbot, view)
    shown = shown_spans(view)
    assert person(0) in shown
    assert person(COPIES - 1) not in shown
    # The model's marks are the blocks' formats, not overlays every paint goes through.
    assert view.extraSelections() == []
    held = view._block_formats[view.document()].held()
    first, last = view._visible_blocks
    assert first == 0 and held[0] == 0
    # Those on screen and AHEAD characters below, laid out already; no further.
    assert held == list(range(held[-1] + 1))
    assert AHEAD - WIDE <= (held[-1] - last) * WIDE <= AHEAD + 2 * WIDE
    assert view.document().findBlockByNumber(held[-1]).layout().lineCount() > 0
    assert len(held) < COPIES // 10


def test_highlights_are_right_after_scrolling_to_the_last_paragraph(qtbot):
    view = make_view(qtbot)
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: person(COPIES - 1) in shown_spans(view))
    shown = shown_spans(view)
    assert person(0) not in shown
    # Every mark of the last paragraph, each once: both entities, content, speaker, cue.
    last = (COPIES - 1) * WIDE
    in_last = [s for s in view.marks() if view._map.from_qt(s.cursor.selectionStart()) >= last]
    assert len(in_last) == 5
    hit = view.hit_at(last + 16)
    assert hit.quote == COPIES - 1 and view.analysis.quotes[hit.quote].start == last + 14


def test_a_legend_toggle_hides_and_shows_the_label_on_a_long_article(qtbot):
    view = make_view(qtbot)
    kinds = set(view.visible_kinds)
    view.set_visible_labels({"GPE"}, kinds)
    assert person(0) not in shown_spans(view)
    assert (31, 35, label_style("GPE").background.name()) in shown_spans(view)
    view.set_visible_labels({"GPE", "PERSON"}, kinds)
    assert person(0) in shown_spans(view)


def test_a_label_edit_formats_no_block_and_lays_only_its_own_overlay(qtbot):
    view = make_view(qtbot)
    settled(qtbot, view)
    before = shown_spans(view)
    formatted = view.blocks_formatted()
    made = len(view._made)
    label = Annotation(
        1, "span", "added", 40, 47, "Ann Lee", "", "", text_hash(TEXT), label="Mayor"
    )
    view.set_content(TEXT, view._index, [label], {"Mayor": "#ff0000"}, keep_position=True)
    after = shown_spans(view)
    assert before < after and len(after - before) == 1  # the others stay as they were
    assert view.blocks_formatted() == formatted  # no block's formats set again
    assert len(view._made) == made + 1  # and no other overlay made again


def test_a_correction_re_formats_only_the_block_it_touches(qtbot):
    view = make_view(qtbot)
    settled(qtbot, view)
    formatted = view.blocks_formatted()
    rome = (WIDE + 31, WIDE + 35, label_style("GPE").background.name())
    assert rome in shown_spans(view)
    analysis = long_analysis()
    # The analyst rejected the second paragraph's "Rome": a new view of the marks.
    entities = tuple(e for e in analysis.entities if e.start != WIDE + 31)
    corrected = index_view(Analysis(entities, analysis.quotes))
    view.set_content(TEXT, corrected, keep_position=True)
    assert rome not in shown_spans(view)
    assert (31, 35, label_style("GPE").background.name()) in shown_spans(view)
    assert view.blocks_formatted() == formatted + 1  # that paragraph's block, no other


def test_hovering_another_attribution_lights_it_and_unlights_the_first(qtbot):
    view = make_view(qtbot)
    settled(qtbot, view)
    view.pin_quote(0)
    view.marks()
    lit = view._formats[("content", "direct", True)].background().color().name()

    def lit_contents() -> set[int]:
        return {s for s, _, bg in shown_spans(view) if bg == lit}

    assert 14 in lit_contents()
    formatted = view.blocks_formatted()
    view.pin_quote(1)
    assert WIDE + 14 in lit_contents() and 14 not in lit_contents()
    assert view.blocks_formatted() == formatted + 2  # the two attributions' paragraphs


def test_a_speaker_is_laid_out_bold_and_a_cue_italic(qtbot):
    view = make_view(qtbot)
    settled(qtbot, view)
    block = view.document().firstBlock()
    pieces = block.layout().formats()  # kept: each piece's format lives in it
    looks = {(p.start, p.length): p.format for p in pieces}
    assert looks[(0, 7)].fontWeight() == QFont.Weight.Bold  # "Ann Lee", the speaker
    assert looks[(8, 4)].fontItalic()  # "said"
    assert not looks[(14, 12)].fontItalic()  # the content


def test_a_long_articles_whole_text_and_marks_arrive_from_the_background(qtbot, tmp_path):
    db_path = tmp_path / "db.sqlite"
    db = open_db(db_path)
    [aid] = store_articles(db, [Article(id="long", text=TEXT, title="Long", origin="long.txt")])
    save_analyses(db, "hand-made@1", "test", [(aid, text_hash(TEXT), TEXT, long_analysis())])
    article = get_article(db, aid)
    view = HighlightedText()
    qtbot.addWidget(view)
    loader = ArticleLoader(view.font)
    loader.clear(db_path)
    first = loader.prepare(db, article, [])
    assert not first.complete
    assert first.document.characterCount() - 1 <= HEAD  # the head only, at once
    assert first.index.covers is not None
    assert all(e.start < first.index.covers[1] for e in first.index.analysis.entities)
    with qtbot.waitSignal(loader.ready, timeout=60_000) as ready:
        pass
    assert ready.args == [aid]
    whole = loader.prepare(db, article, [])
    assert whole.complete and whole.document.characterCount() - 1 == len(TEXT)
    assert len(whole.index.analysis.quotes) == COPIES
    # Kept: the same objects again, nothing read or made.
    again = loader.prepare(db, article, [])
    assert again.document is whole.document and again.index is whole.index
    view.set_content(TEXT, whole.index, document=whole.document, offsets=whole.offsets)
    assert view.complete
    db.close()


def test_the_side_panel_models_are_sound(qtmodeltester):
    analysis = long_analysis(50)
    quotes = AttributionsModel()
    quotes.show(analysis.quotes)
    qtmodeltester.check(quotes)
    assert quotes.rowCount() == 1 and quotes.rowCount(quotes.index(0, 0)) == 50
    entities = EntitiesModel()
    entities.show(analysis.entities)
    qtmodeltester.check(entities)
    person_row = next(
        r for r in range(entities.rowCount()) if "PERSON" in entities.index(r, 0).data()
    )
    ann_lee = entities.index(0, 0, entities.index(person_row, 0))
    assert ann_lee.data() == "Ann Lee" and entities.rowCount(ann_lee) == 50  # its mentions
    assert entities.index(0, 0, ann_lee).data(Qt.ItemDataRole.UserRole) == (0, 7)


def test_the_side_panel_of_a_long_article_makes_no_widget_per_row_nor_rows_unasked(qtbot):
    panel = SidePanel()
    qtbot.addWidget(panel)
    panel.resize(400, 600)
    panel.show()
    widgets = len(panel.findChildren(QWidget))
    index = index_view(long_analysis())
    panel.show_analysis(index.analysis, True, index.speaker_groups)
    qtbot.waitUntil(lambda: panel.quote_model.rowCount() == 1)  # "Ann Lee", 4,000 quotes
    panel.setCurrentWidget(panel.entities)
    model = panel.entity_model
    qtbot.waitUntil(lambda: model.rowCount() == 2)  # PERSON and GPE
    # Rows are the models' (drawn by the views): no widget was made for any.
    assert len(panel.findChildren(QWidget)) == widgets
    # Each name's 4,000 mentions are made only when its row is opened.
    names = [name for label in model._root._children for name in model._children(label)]
    assert len(names) == 2 and all(name._children is None for name in names)
    assert model.rowCount(model.index(0, 0, model.index(0, 0))) == COPIES
