"""Corpus-wide widgets: lazy tables, search panel, filter bar, charts, CSV export."""

from __future__ import annotations

import csv
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from viewer.core.model import Analysis, Article, Entity, text_hash
from viewer.core.store import open_db
from viewer.core.store.analyses import save_analyses
from viewer.core.store.articles import upsert_articles
from viewer.core.store.filters import ArticleFilter, filtered_count
from viewer.core.store.overview import refresh_stats
from viewer.devtools.synthetic import generate
from viewer.qt.errors import error_sink
from viewer.qt.models import article_list
from viewer.qt.models.article_list import ArticleListModel
from viewer.qt.panels import corpus_views
from viewer.qt.panels.corpus_views import (
    ChartsView,
    EntitiesView,
    EntityTableModel,
    MentionsModel,
    SpeakersView,
    SpeakerTableModel,
    csv_cell,
)
from viewer.qt.panels.filter_bar import FilterBar
from viewer.qt.panels.search import SearchPanel, SearchResultsModel

N = 60


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A synthetic corpus with the generator's own entities and quotes as its analyses."""
    monkeypatch.setattr(corpus_views, "PAGE", 10)  # small pages: laziness is visible
    monkeypatch.setattr(article_list, "PAGE", 10)
    db = open_db(tmp_path / "v.sqlite")
    arts = list(generate(N, seed=11))
    ids = upsert_articles(
        db,
        [
            Article(id=a.id, text=a.text, title=a.title, origin="syn", source=a.source, date=a.date)
            for a in arts
        ],
    )
    save_analyses(
        db,
        "m@1",
        "p",
        [
            (i, text_hash(a.text), a.text, Analysis(a.entities, a.quotes))
            for i, a in zip(ids, arts, strict=True)
        ],
    )
    # The window counts in a background job before showing the tables; the
    # views themselves only read the figures as last counted.
    refresh_stats(db)
    yield db
    db.close()


def click_row(qtbot, view, row: int, double: bool = False) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    if double:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    else:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_models_pass_the_model_tester(db, qtmodeltester):
    entities = EntityTableModel()
    entities.set_db(db)
    qtmodeltester.check(entities)
    speakers = SpeakerTableModel()
    speakers.set_db(db)
    qtmodeltester.check(speakers)
    mentions = MentionsModel()
    first = entities.row_at(0)
    mentions.set_entity(db, first.text, first.label)
    qtmodeltester.check(mentions)
    results = SearchResultsModel()
    results.set_search(db, ArticleFilter(query="inflation"))
    qtmodeltester.check(results)
    articles = ArticleListModel(db)
    articles.set_filter(ArticleFilter(entity_label="PERSON", has_quotes=True))
    qtmodeltester.check(articles)


def test_entities_table_is_lazy_sortable_and_filterable(db):
    model = EntityTableModel()
    model.set_db(db)
    assert model.rowCount() == 10 < model.total
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 20
    counts = [model.row_at(i).articles for i in range(model.rowCount())]
    assert counts == sorted(counts, reverse=True)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    names = [model.row_at(i).text.lower() for i in range(model.rowCount())]
    assert names == sorted(names)
    model.set_search("bank", "ORG")
    assert model.total > 0
    assert all("bank" in model.row_at(i).text.lower() for i in range(model.rowCount()))
    assert model.data(model.index(0, 1)) == "ORG"


def test_clicking_an_entity_filters_and_opening_lists_mentions(db, qtbot):
    view = EntitiesView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.set_db(db)
    top = view.model.row_at(0)
    with qtbot.waitSignal(view.entity_selected) as selected:
        click_row(qtbot, view.table, 0)
    assert selected.args == [top.text, top.label]
    # The article list follows: as many articles as the table says.
    assert filtered_count(db, ArticleFilter(entity_text=top.text, entity_label=top.label)) == (
        top.articles
    )
    click_row(qtbot, view.table, 0, double=True)
    qtbot.waitUntil(lambda: view.mentions.rowCount() > 0)
    assert view.mentions.total == top.mentions
    with qtbot.waitSignal(view.article_requested) as requested:
        click_row(qtbot, view.mentions_table, 0)
    article_id, start, end = requested.args
    text = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    assert text[start:end] in top.forms


def test_label_box_narrows_the_table(db, qtbot):
    view = EntitiesView()
    qtbot.addWidget(view)
    view.set_db(db)
    view.label_box.setCurrentIndex(view.label_box.findData("GPE"))
    assert view.model.total > 0
    assert {view.model.row_at(i).label for i in range(view.model.rowCount())} == {"GPE"}
    view.search_box.setText("zzz-no-such-entity")
    qtbot.waitUntil(lambda: view.model.total == 0)
    assert view.count.text() == "0 rows"


def test_speakers_table_and_click(db, qtbot):
    view = SpeakersView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    view.set_db(db)
    first = view.model.row_at(0)
    assert first.attributions >= view.model.row_at(1).attributions
    assert view.model.data(view.model.index(0, SpeakerTableModel.ANONYMOUS)).endswith("%")
    with qtbot.waitSignal(view.speaker_selected) as selected:
        click_row(qtbot, view.table, 0)
    assert selected.args == [first.name, None]  # a named speaker: every article
    # Most anonymous first: the generator's anonymous sources, each with its article.
    view.table.sortByColumn(SpeakerTableModel.ANONYMOUS, Qt.SortOrder.DescendingOrder)
    anonymous = view.model.row_at(0)
    assert anonymous.anonymous_share == 1.0 and anonymous.article_id is not None
    assert view.model.data(view.model.index(0, 1)) == anonymous.article_title
    with qtbot.waitSignal(view.speaker_selected) as selected:
        click_row(qtbot, view.table, 0)
    assert selected.args == [anonymous.name, anonymous.article_id]


def test_export_writes_every_row_not_only_loaded_ones(db, tmp_path):
    model = EntityTableModel()
    model.set_db(db)
    out = tmp_path / "entities.csv"
    assert model.export_csv(out) == model.total > model.rowCount()
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Entity", "Label", "Articles", "Mentions", "Also written as"]
    assert len(rows) == model.total + 1
    assert not list(tmp_path.glob(".*.tmp"))
    speakers = SpeakersView()
    assert speakers.export_csv(tmp_path / "s.csv") == 0  # no database yet: header only
    speakers.set_db(db)
    assert speakers.export_csv(tmp_path / "s.csv") == speakers.model.total


def test_the_export_button_writes_off_the_ui_thread_what_was_asked_for(
    db, tmp_path, qtbot, monkeypatch
):
    view = EntitiesView()
    qtbot.addWidget(view)
    view.set_db(db)
    view.search_box.setText("a")  # the filter of the moment the export is asked for
    qtbot.waitUntil(lambda: view.model.search == "a")  # applied once typing pauses
    asked = view.model.total
    assert asked > 0
    out = tmp_path / "entities.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    written_in, release = [], threading.Event()
    real_write = corpus_views.write_csv

    def held_write(*args):  # a big table takes a while to write
        written_in.append(threading.current_thread())
        assert release.wait(10)
        return real_write(*args)

    monkeypatch.setattr(corpus_views, "write_csv", held_write)
    view.export_button.click()
    qtbot.waitUntil(lambda: bool(written_in), timeout=10_000)
    assert written_in[0] is not threading.main_thread()
    assert not view.export_button.isEnabled()  # one export of this table at a time
    view.search_box.setText("")  # the table changes meanwhile; the export keeps its filter
    qtbot.waitUntil(lambda: view.model.search == "")
    assert view.model.total > asked
    with qtbot.waitSignal(view.csv.written, timeout=10_000) as written:
        release.set()
    assert written.args == [str(out), asked]
    with open(out, encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == asked + 1
    assert view.export_button.isEnabled()


def test_a_table_export_that_cannot_write_names_the_file(db, tmp_path, qtbot):
    view = SpeakersView()
    qtbot.addWidget(view)
    view.set_db(db)
    out = tmp_path / "missing" / "speakers.csv"
    with qtbot.waitSignal(error_sink().shown, timeout=10_000) as shown:
        view.csv.start(out)
    title, message = shown.args
    assert title == "Export CSV" and message.startswith(f"Could not write {out}: ")
    assert view.export_button.isEnabled()


def test_export_neutralises_formulas(tmp_path):
    db = open_db(tmp_path / "f.sqlite")
    text = "=HYPERLINK(1) met -Ann here."
    (aid,) = upsert_articles(db, [Article(id="x", text=text, title="t", origin="o")])
    analysis = Analysis((Entity(0, 13, "ORG", "=HYPERLINK(1)"), Entity(18, 22, "PERSON", "-Ann")))
    save_analyses(db, "m", "p", [(aid, text_hash(text), text, analysis)])
    refresh_stats(db)
    model = EntityTableModel()
    model.set_db(db)
    model.export_csv(tmp_path / "e.csv")
    cells = (tmp_path / "e.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(1)" in cells and "'-Ann" in cells
    assert csv_cell(-3) == -3 and csv_cell(None) == ""


def test_charts_show_top_entities_speakers_and_months(db, qtbot):
    charts = ChartsView()
    qtbot.addWidget(charts)
    charts.set_db(db)
    bars = charts.entities_chart.chart().series()[0].barSets()[0]
    assert bars.count() == charts.bars() >= 3
    assert charts.speakers_chart.chart().series()[0].barSets()[0].count() == charts.bars()
    assert charts.time_chart.chart().series()[0].count() > 10
    assert not charts.time_chart.isHidden() and charts.no_dates.isHidden()
    charts.label_box.setCurrentIndex(charts.label_box.findData("MONEY"))
    assert charts.entities_chart.chart().series()[0].barSets()[0].count() > 0


def bar_names(view) -> list[str]:
    axis = view.chart().axes(Qt.Orientation.Vertical)[0]
    return [name.rstrip("\u200b") for name in axis.categories()]


def test_charts_leave_out_the_labels_hidden_in_the_legend(db, qtbot):
    charts = ChartsView()
    qtbot.addWidget(charts)
    charts.set_db(db)
    charts.set_hidden_labels({"DATE", "CARDINAL", "ORDINAL"})
    names = bar_names(charts.entities_chart)
    assert names and not any(n.endswith(("(Date)", "(Cardinal)", "(Ordinal)")) for n in names)
    charts.label_box.setCurrentIndex(charts.label_box.findData(None))  # hidden ones too
    assert any(n.endswith("(Date)") for n in bar_names(charts.entities_chart))


def test_more_bars_in_a_taller_chart_each_name_whole(db, qtbot):
    charts = ChartsView()
    qtbot.addWidget(charts)
    charts.resize(900, 300)
    charts.show()
    charts.set_db(db)
    low = charts.bars()
    charts.resize(900, 1000)
    qtbot.waitUntil(lambda: charts.bars() > low and len(bar_names(charts.entities_chart)) > low)
    axis = charts.entities_chart.chart().axes(Qt.Orientation.Vertical)[0]
    assert not axis.truncateLabels()  # Qt would elide every name to "…" in a narrow dock
    assert all(len(n) <= corpus_views.BAR_NAME_CHARS for n in bar_names(charts.entities_chart))


def test_the_timeline_has_every_month_once_in_order():
    months = [("2019-11", 3), ("2020-02", 1), ("2020-03", 4)]
    assert corpus_views.every_month(months) == [
        ("2019-11", 3), ("2019-12", 0), ("2020-01", 0), ("2020-02", 1), ("2020-03", 4)
    ]  # fmt: skip
    axis = corpus_views.month_axis([m for m, _ in corpus_views.every_month(months)])
    assert [label for label in axis.categoriesLabels()] == [
        "2019-11", "2019-12", "2020-01", "2020-02", "2020-03"
    ]  # fmt: skip
    many = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(60)]
    shown = [x for x in corpus_views.month_axis(many).categoriesLabels() if x.strip("\u200b")]
    assert shown == many[::5]  # at most 12 labels, every 5th month, one tick each


def test_count_axes_step_by_whole_round_numbers():
    for most, step in ((1, 1), (5, 2), (68, 20), (136, 50), (291, 100)):
        axis = corpus_views.count_axis(most)
        assert axis.tickInterval() == step and axis.min() == 0 and axis.max() >= most


def test_charts_without_dates(tmp_path, qtbot):
    db = open_db(tmp_path / "n.sqlite")
    upsert_articles(db, [Article(id="x", text="No date.", title="t", origin="o")])
    charts = ChartsView()
    qtbot.addWidget(charts)
    charts.set_db(db)
    assert charts.time_chart.isHidden() and not charts.no_dates.isHidden()


def test_search_panel_lists_hits_and_opens_them(db, qtbot):
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.resize(800, 500)
    panel.show()
    panel.set_db(db)
    with qtbot.waitSignal(panel.searched) as searched:
        qtbot.keyClicks(panel.box, "minister")
    assert searched.args[0] == panel.model.total > 0
    assert "match" in panel.status.text()
    with qtbot.waitSignal(panel.article_requested) as requested:
        click_row(qtbot, panel.view, 0)
    article_id, start, end = requested.args
    text = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    assert text[start:end].lower() == "minister"


def test_search_panel_explains_a_malformed_query(db, qtbot):
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.set_db(db)
    panel.search("minister AND", raw=True)
    assert "Cannot search for" in panel.status.text()
    assert panel.model.rowCount() == 0
    panel.search("minister AND")  # the same words, safely quoted
    assert "match" in panel.status.text()


def test_search_within_a_filter(db, qtbot):
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.set_db(db)
    panel.search("minister")
    everywhere = panel.model.total
    panel.set_filter(ArticleFilter(source="Metro Tribune", query="ignored"))
    assert 0 < panel.model.total < everywhere
    assert "within the filter" in panel.status.text()


def test_filter_bar_emits_the_filter(db, qtbot):
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_db(db)
    assert bar.source.findText("Daily Ledger") > 0
    assert bar.label.findText("PERSON") > 0
    with qtbot.waitSignal(bar.changed) as changed:
        qtbot.keyClicks(bar.entity, "London")
    assert changed.args[0] == ArticleFilter(entity_text="London")
    with qtbot.waitSignal(bar.changed) as changed:
        bar.status.setCurrentText("done")
    assert changed.args[0].status == "done"
    with qtbot.waitSignal(bar.changed) as changed:
        bar.anonymous.setChecked(True)
    assert changed.args[0].anonymous_quotes is True
    f = ArticleFilter(entity_text="Paris", entity_label="GPE", has_quotes=False, date_to="2021")
    with qtbot.waitSignal(bar.changed) as changed:
        bar.set_filter(f)
    assert changed.args[0] == f == bar.filter()
    with qtbot.waitSignal(bar.changed) as changed:
        bar.clear_button.click()
    assert changed.args[0].is_empty


def test_article_list_follows_the_filter(db, qtbot):
    model = ArticleListModel(db)
    assert model.total == N and model.rowCount() == 10
    f = ArticleFilter(anonymous_quotes=True)
    with qtbot.waitSignal(model.count_changed) as counted:
        model.set_filter(f)
    assert counted.args == [filtered_count(db, f)] and model.total == counted.args[0]
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == model.total
    last = model.row_at(model.rowCount() - 1)
    assert model.row_of(last.id) == model.rowCount() - 1
    assert model.row_of(-1) is None
    with qtbot.waitSignal(model.filter_failed):
        model.set_filter(ArticleFilter(query="a AND", raw_query=True))
    assert model.total == 0 and model.error
    model.set_filter(ArticleFilter())
    model.reload()
    assert model.total == N and model.error is None


def test_an_entity_written_several_ways_is_one_row_listing_its_forms(tmp_path, qtbot):
    texts = ["Tony Blair spoke; Mr Blair left.", "Blair's aides, Tony Blair said.", "Mr Blair."]
    needles = [("Tony Blair", "Mr Blair"), ("Blair's", "Tony Blair"), ("Mr Blair",)]
    db = open_db(tmp_path / "b.sqlite")
    ids = upsert_articles(
        db, [Article(id=f"b{n}", text=t, title=f"B{n}", origin="o") for n, t in enumerate(texts)]
    )
    analyses = [
        Analysis(tuple(Entity(t.index(w), t.index(w) + len(w), "PERSON", w) for w in ws), ())
        for t, ws in zip(texts, needles, strict=True)
    ]
    save_analyses(
        db,
        "m@1",
        "p",
        [(i, text_hash(t), t, a) for i, t, a in zip(ids, texts, analyses, strict=True)],
    )
    refresh_stats(db)
    view = EntitiesView()
    qtbot.addWidget(view)
    view.set_db(db)
    assert view.model.rowCount() == 1
    also = view.model.data(view.model.index(0, 4))
    assert view.model.data(view.model.index(0, 0)) == "Tony Blair"
    assert sorted(also.split("; ")) == ["Blair's", "Mr Blair"]
    with qtbot.waitSignal(view.entity_selected) as selected:
        click_row(qtbot, view.table, 0)
    # The article list shows every article that writes him in any form.
    assert filtered_count(db, ArticleFilter(entity_text=selected.args[0])) == 3
