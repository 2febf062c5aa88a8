"""The sourcing view (table, grouping, chart, CSV), the speakers table's attribution
columns, the attribution filters in the filter bar, and all of it in the window."""

from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtCharts import QBarSeries, QHorizontalBarSeries, QLineSeries
from PySide6.QtCore import Qt

from tests.core.test_sourcing import ANALYSES, ROWS, add
from viewer.core.model import ImportReport
from viewer.core.nlp.pipeline import Analyzer
from viewer.core.store import open_db
from viewer.core.store.analyses import save_analyses
from viewer.core.store.articles import get_article
from viewer.core.store.filters import ArticleFilter
from viewer.core.store.overview import refresh_stats
from viewer.core.tasks.analyse import import_corpus
from viewer.qt.panels.corpus_views import SpeakersView, SpeakerTableModel
from viewer.qt.panels.filter_bar import FilterBar
from viewer.qt.panels.sourcing import SHARE, SourcingTableModel, SourcingView


@pytest.fixture
def corpus(tmp_path):
    """The core tests' corpus: two spokesmen, Ann Lee in two articles, bad dates."""
    db = open_db(tmp_path / "v.sqlite")
    ids = add(db, ROWS)
    refresh_stats(db)  # the window counts in a background job first
    yield db, ids
    db.close()


def shown(model, row: int) -> list:
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def click(qtbot, view, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_model_passes_the_model_tester(corpus, qtmodeltester):
    db, _ = corpus
    model = SourcingTableModel()
    model.set_db(db)
    qtmodeltester.check(model)
    for grouping in ("month", "article"):
        model.set_grouping(grouping)
        qtmodeltester.check(model)


def test_sourcing_per_outlet_table_and_bars(corpus, qtbot):
    db, _ = corpus
    view = SourcingView()
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    view.set_db(db)
    assert view.summary.text().startswith(
        "Corpus: 10 attributions in 5 articles — anonymous 2 (20%), no source 2 (20%)"
    )
    model = view.model
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Outlet"
    assert shown(model, 0) == ["Wire", 2, 6, 2, 1, 2, 1, 2, "33%"]
    assert shown(model, 1) == ["Post", 2, 4, 3, 0, 0, 1, 0, "0%"]
    assert shown(model, 2) == ["unknown", 1, 0, 0, 0, 0, 0, 0, "—"]
    assert view.count.text() == "3 outlets"
    (series,) = view.chart.chart().series()
    assert isinstance(series, QHorizontalBarSeries)
    bars = series.barSets()[0]
    # Outlets with attributions, the largest share drawn at the top (last).
    assert [round(bars.at(i), 1) for i in range(bars.count())] == [0.0, 33.3]
    assert view.chart.chart().axes(Qt.Orientation.Vertical)[0].categories() == [
        "Post (4)",
        "Wire (6)",
    ]
    with qtbot.waitSignal(view.filter_requested) as requested:
        click(qtbot, view.table, 0)
    assert requested.args == [{"source": "Wire"}]
    with qtbot.assertNotEmitted(view.filter_requested):
        click(qtbot, view.table, 2)  # "unknown": no filter picks those articles


def test_sourcing_per_month_lines_and_sorting(corpus, qtbot):
    db, _ = corpus
    view = SourcingView()
    qtbot.addWidget(view)
    view.set_db(db)
    view.set_grouping("month")
    model = view.model
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Month"
    assert [shown(model, i)[0] for i in range(model.rowCount())] == [
        "2024-01",
        "2024-02",
        "unknown",
    ]
    assert shown(model, 1)[SHARE] == "50%"
    header = view.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        0,
        Qt.SortOrder.AscendingOrder,
    )
    anonymous, no_source = view.chart.chart().series()
    assert isinstance(anonymous, QLineSeries)
    assert [anonymous.at(i).y() for i in range(anonymous.count())] == [25.0, 50.0]
    assert [no_source.at(i).y() for i in range(no_source.count())] == [25.0, 0.0]
    view.table.sortByColumn(SHARE, Qt.SortOrder.DescendingOrder)
    assert [shown(model, i)[0] for i in range(3)] == ["2024-02", "2024-01", "unknown"]
    with qtbot.waitSignal(view.filter_requested) as requested:
        click(qtbot, view.table, 0)
    assert requested.args == [{"date_from": "2024-02", "date_to": "2024-02"}]


def test_sourcing_per_article_histogram_open_and_export(corpus, qtbot, tmp_path):
    db, ids = corpus
    view = SourcingView()
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    view.set_db(db)
    view.grouping.setCurrentIndex(view.grouping.findData("article"))
    model = view.model
    assert shown(model, 0) == ["Title a1", 1, 4, 2, 0, 1, 1, 1, "25%"]
    assert view.count.text() == "5 articles"
    (series,) = view.chart.chart().series()
    assert isinstance(series, QBarSeries)
    bars = series.barSets()[0]
    counts = [bars.at(i) for i in range(bars.count())]
    assert sum(counts) == 3 and counts[0] == 1  # a3: none anonymous
    with qtbot.waitSignal(view.article_requested) as requested:
        click(qtbot, view.table, 0)
    assert requested.args == [ids["a1"], 0, 0]
    out = tmp_path / "articles.csv"
    assert view.export_csv(out) == 5
    rows = read_csv(out)
    assert rows[0][:3] == ["Article id", "Title", "Articles"]
    assert rows[1] == ["a1", "Title a1", "1", "4", "2", "0", "1", "1", "1", "0.25"]
    assert rows[-1][0] == "a6" and rows[-1][-1] == ""  # no attributions: no share
    view.set_grouping("outlet")
    assert view.export_csv(out) == 3
    assert read_csv(out)[0] == [
        "Outlet", "Articles", "Attributions", "Direct", "Mixed", "Indirect", "No source",
        "Anonymous", "Anonymous share",
    ]  # fmt: skip


def test_without_a_database(qtbot, tmp_path):
    view = SourcingView()
    qtbot.addWidget(view)
    view.set_db(None)
    assert view.summary.text() == "No corpus open." and view.model.rowCount() == 0
    assert view.export_csv(tmp_path / "empty.csv") == 0


def test_speakers_table_counts_kinds_and_tells_spokesmen_apart(corpus, qtbot, tmp_path):
    db, ids = corpus
    view = SpeakersView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    view.set_db(db)
    model = view.model
    header = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    assert header == ["Speaker", "Article", "Direct", "Mixed", "Indirect", "Total", "Articles",
                      "Anonymous"]  # fmt: skip
    view.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    rows = [shown(model, i) for i in range(model.rowCount())]
    assert rows == [
        ["a spokesman", "Title a1", 1, 0, 0, 1, 1, "100%"],
        ["a spokesman", "Title a2", 0, 0, 1, 1, 1, "100%"],
        ["Ann Lee", "", 1, 1, 1, 3, 2, "0%"],
        ["Bob Stone", "", 3, 0, 0, 3, 1, "0%"],
    ]
    tip = model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole)
    assert "Title a2" in tip and "a2" in tip
    with qtbot.waitSignal(view.speaker_selected) as selected:
        click(qtbot, view.table, 1)
    assert selected.args == ["a spokesman", ids["a2"]]
    out = tmp_path / "speakers.csv"
    assert view.export_csv(out) == 4
    exported = read_csv(out)
    assert exported[0][:3] == ["Speaker", "Article", "Article id"]
    assert exported[2] == ["a spokesman", "Title a2", "a2", "0", "0", "1", "1", "1", "1.0"]
    assert model.sort_keys[SpeakerTableModel.ANONYMOUS] == "anonymous_share"


def test_filter_bar_kind_and_anonymous(corpus, qtbot):
    db, ids = corpus
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_db(db)
    assert [bar.kind.itemData(i) for i in range(bar.kind.count())] == [
        None, "direct", "mixed", "indirect", "no-source",
    ]  # fmt: skip
    with qtbot.waitSignal(bar.changed) as changed:
        bar.kind.setCurrentIndex(bar.kind.findData("indirect"))
    assert changed.args[0] == ArticleFilter(attribution_kind="indirect")
    with qtbot.waitSignal(bar.changed) as changed:
        bar.anonymous.setChecked(True)
    assert changed.args[0] == ArticleFilter(attribution_kind="indirect", anonymous_quotes=True)
    f = ArticleFilter(speaker="a spokesman", speaker_article=ids["a2"], attribution_kind="mixed")
    bar.set_filter(f, emit=False)
    assert bar.filter() == f
    assert bar.kind.currentData() == "mixed"
    assert not bar.speaker_article.isHidden()
    assert bar.speaker_article.text() == "Only the speaker in “Title a2”"
    with qtbot.waitSignal(bar.changed) as changed:
        bar.speaker_article.setChecked(False)  # every speaker of the name again
    assert changed.args[0] == ArticleFilter(speaker="a spokesman", attribution_kind="mixed")
    assert bar.speaker_article.isHidden()
    bar.set_filter(f, emit=False)
    with qtbot.waitSignal(bar.changed) as changed:
        qtbot.keyClicks(bar.speaker, "x")  # another name: no longer that article's speaker
    assert changed.args[0].speaker == "a spokesmanx"
    assert changed.args[0].speaker_article is None and bar.speaker_article.isHidden()


def test_in_the_window(make_window, open_and_wait, tmp_path, qtbot):
    """Opened as a user opens a corpus; its analyses are in the cache, so no NLP runs."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    with open(folder / "news.jsonl", "w", encoding="utf-8") as fh:
        for ext, text, source, date in ROWS:
            record = {"id": ext, "title": f"Title {ext}", "text": text, "source": source}
            fh.write(json.dumps(record | {"date": date}) + "\n")
    db_path = tmp_path / "db.sqlite"
    db = open_db(db_path)
    ids = import_corpus(db, folder, ImportReport())
    key = Analyzer().key  # the window's own model: the cache is used
    results = []
    for article_id in ids:
        art = get_article(db, article_id)
        if art.ext_id != "a5":
            results.append((article_id, art.text_hash, art.text, ANALYSES[art.text]))
    save_analyses(db, key.model, key.pipeline, results)
    db.close()

    window = make_window()
    open_and_wait(window, folder, db_path)
    assert window.articles.total == 6
    window.corpus_dock.show()
    sourcing = window.sourcing_view
    qtbot.waitUntil(lambda: sourcing.model.rowCount() > 0)
    tabs = window.corpus_dock.widget()
    assert tabs.tabText(tabs.indexOf(sourcing)) == "Sourcing"
    assert "anonymous 2 (20%)" in sourcing.summary.text()
    sourcing.table.clicked.emit(sourcing.model.index(0, 0))  # Wire
    assert window.filter_bar.filter().source == "Wire"
    assert window.articles.total == 3  # a5 too: not analysed, but from that outlet
    window.filter_bar.clear()

    speakers = window.speakers_view.model
    row = next(
        i
        for i in range(speakers.rowCount())
        if speakers.row_at(i).name == "a spokesman" and speakers.row_at(i).article_ext_id == "a2"
    )
    window.speakers_view.table.clicked.emit(speakers.index(row, 0))
    assert window.filter_bar.filter().speaker_article == speakers.row_at(row).article_id
    assert [window.articles.row_at(i).ext_id for i in range(window.articles.rowCount())] == ["a2"]
    assert "” in article" in window.count_label.text()
    window.filter_bar.speaker_article.setChecked(False)
    assert window.articles.total == 2  # both articles' spokesmen
