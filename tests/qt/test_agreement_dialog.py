"""Review → Agreement…: two annotators' figures, span F1 chart, least agreed articles, CSV.

Real databases: ann and bob annotate the core tests' corpus (the same fixture as
`viewer agreement`'s tests), here in one team database; the dialog's figures are
checked against agreement() on the same work.
"""

from __future__ import annotations

import csv
import json
import threading

import pytest
from PySide6.QtCharts import QHorizontalBarSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QComboBox, QFileDialog

from tests.core.test_agreement import _analyst_db
from viewer.core.store import open_db
from viewer.core.tasks.transfer import export_jsonl
from viewer.core.team.agreement import AGREEMENT_COLUMNS, agreement, article_scores
from viewer.core.team.work import read_work
from viewer.qt.dialogs import agreement as agreement_dialog
from viewer.qt.dialogs.agreement import ONE_ANNOTATOR, SAME_WORK, AgreementDialog
from viewer.qt.errors import error_sink
from viewer.qt.operations import Operation

TIMEOUT_MS = 20_000
ANN = [("one", "PER", "Ann Lee"), ("one", "PER", "Bob Ray"), ("two", "LOC", "Rome")]
BOB = [("one", "PER", "Ann Lee"), ("one", "LOC", "Paris"), ("two", "LOC", "Rome")]


@pytest.fixture
def team_db(tmp_path):
    """One database holding the work of ann and bob (each with a review of "one" and "two")."""
    path = tmp_path / "team.sqlite"
    _analyst_db(path, "ann", ANN, "done", [("one", "economy")]).close()
    _analyst_db(path, "bob", BOB, "done", [("one", "economy"), ("two", "economy")]).close()
    return path


@pytest.fixture
def bob_jsonl(tmp_path):
    """bob's work alone, as `viewer export --jsonl` writes it."""
    db = _analyst_db(tmp_path / "bob.sqlite", "bob", BOB, "done", [("two", "economy")])
    out = tmp_path / "bob.jsonl"
    export_jsonl(db, out)
    db.close()
    return out


def open_dialog(qtbot, path, until: str = "computed") -> AgreementDialog:
    dialog = AgreementDialog(path)
    qtbot.addWidget(dialog)
    # Its jobs report through queued signals: none is delivered before the wait begins.
    with qtbot.waitSignal(getattr(dialog, until), timeout=TIMEOUT_MS):
        dialog.show()
    return dialog


def choices(box: QComboBox) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def table_texts(dialog: AgreementDialog) -> list[list[str]]:
    model = dialog.table.model()
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def expected_rows(a_path, a_name, b_path, b_name):
    return agreement(read_work(a_path)[a_name], read_work(b_path)[b_name], by_article=True)


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def no_file_dialog(*_args):
    raise AssertionError("no file dialog was asked for")


def test_two_annotators_of_the_database_are_compared(team_db, qtbot, qtmodeltester):
    dialog = open_dialog(qtbot, team_db)
    assert choices(dialog.a_box) == ["ann", "bob"] and choices(dialog.b_box) == ["ann", "bob"]
    assert (dialog.a_box.currentText(), dialog.b_box.currentText()) == ("ann", "bob")
    model = dialog.table.model()
    qtmodeltester.check(model)
    headers = tuple(
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    )
    assert headers == AGREEMENT_COLUMNS

    rows = expected_rows(team_db, "ann", team_db, "bob")
    corpus = [r for r in rows if r.article_id is None]
    shown = table_texts(dialog)
    assert [line[:2] for line in shown] == [[r.scope, r.label] for r in corpus]
    star = next(r for r in corpus if (r.scope, r.label) == ("span", "*"))
    # ann 3 spans, bob 3, alike 2 (Ann Lee, Rome): P = R = F1 = 2/3; no kappa for spans
    assert next(line for line in shown if line[:2] == ["span", "*"]) == [
        "span", "*", "3", "3", "2", "0.667", "0.667", "0.667", "", f"{star.alpha:.3f}",
    ]  # fmt: skip
    assert star.alpha is not None
    status = next(line for line in shown if line[0] == "status")
    assert status[4] == "2" and status[8] == ""  # both "done" twice: kappa undefined

    chart = dialog.chart_view.chart()
    (series,) = chart.series()
    assert isinstance(series, QHorizontalBarSeries)
    spans = {r.label: r.f1 for r in corpus if r.scope == "span" and r.label != "*"}
    assert series.barSets()[0].count() == len(spans) == 2  # LOC, PER
    (labels,) = chart.axes(Qt.Orientation.Vertical)
    assert set(labels.categories()) == {f"{label}  {f1:.3f}" for label, f1 in spans.items()}

    scores = article_scores(rows)
    assert scores[0][0] == "one"  # spans 1 alike of 3 made, status alike: 2 of 4
    first = dialog.lowest.item(0)
    assert first.data(Qt.ItemDataRole.UserRole) == "one"
    assert first.text() == "50%  one — One"
    assert dialog.lowest.count() == len(scores)

    assert dialog.size().width() == 900 and dialog.size().height() == 600  # none forced wider


def test_opening_an_article_asks_the_window_and_keeps_the_dialog(team_db, qtbot, monkeypatch):
    dialog = open_dialog(qtbot, team_db)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", no_file_dialog)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", no_file_dialog)
    lowest = dialog.lowest
    with qtbot.waitSignal(dialog.article_requested, timeout=TIMEOUT_MS) as opened:
        rect = lowest.visualItemRect(lowest.item(0))
        # A user's double-click: a click, then the double-click event.
        qtbot.mouseClick(lowest.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(lowest.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == ["one"]
    # Enter opens the article too, and must not reach a default button of the dialog.
    lowest.setCurrentRow(1)
    lowest.setFocus()
    with qtbot.waitSignal(dialog.article_requested, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(lowest, Qt.Key.Key_Return)
    assert opened.args == ["two"]
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_export_writes_corpus_and_article_rows(team_db, qtbot, monkeypatch, tmp_path):
    dialog = open_dialog(qtbot, team_db)
    out = tmp_path / "agreement.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    written_in = []
    real_write = agreement_dialog.write_agreement_csv

    def write(*args, **options):
        written_in.append(threading.current_thread())
        return real_write(*args, **options)

    monkeypatch.setattr(agreement_dialog, "write_agreement_csv", write)
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert written_in[0] is not threading.main_thread()  # the window stays responsive
    table = read_csv(out)
    assert tuple(table[0]) == ("article_id", *AGREEMENT_COLUMNS)
    rows = expected_rows(team_db, "ann", team_db, "bob")
    assert len(table) == 1 + len(rows)
    assert {line[0] for line in table[1:]} == {"", "one", "two"}
    star = next(line for line in table[1:] if line[:3] == ["", "span", "*"])
    assert float(star[AGREEMENT_COLUMNS.index("f1") + 1]) == pytest.approx(2 / 3)
    assert str(out) in dialog.message.text()


def test_export_refuses_the_database_and_names_a_file_it_cannot_write(
    team_db, qtbot, monkeypatch, tmp_path
):
    dialog = open_dialog(qtbot, team_db)
    exported: list[str] = []
    dialog.exported.connect(exported.append)
    before = team_db.read_bytes()
    with qtbot.waitSignal(error_sink().shown, timeout=TIMEOUT_MS) as shown:
        dialog.export_csv(team_db)
    title, text = shown.args
    assert title == "Export agreement"
    assert str(team_db) in text and "is the database itself" in text
    assert team_db.read_bytes() == before
    nowhere = tmp_path / "missing" / "agreement.csv"
    with qtbot.waitSignal(error_sink().shown, timeout=TIMEOUT_MS) as shown:
        dialog.export_csv(nowhere)
    assert str(nowhere) in shown.args[1] and "cannot write there" in shown.args[1]
    assert exported == []


def test_choosing_the_same_annotator_twice_says_so(team_db, qtbot):
    dialog = open_dialog(qtbot, team_db)
    dialog.b_box.setCurrentIndex(dialog.b_box.findText("ann"))
    assert dialog.message.text() == SAME_WORK.format(name="ann")
    assert not dialog.results.isVisibleTo(dialog) and not dialog.export_button.isEnabled()
    with qtbot.waitSignal(dialog.computed, timeout=TIMEOUT_MS):
        dialog.a_box.setCurrentIndex(dialog.a_box.findText("bob"))
    per = next(line for line in table_texts(dialog) if line[:2] == ["span", "PER"])
    assert per[2:5] == ["1", "2", "1"]  # A is bob now: 1 PER, ann 2, alike 1


def test_one_annotator_then_a_colleagues_jsonl_file(tmp_path, bob_jsonl, qtbot, monkeypatch):
    lone = tmp_path / "ann.sqlite"
    _analyst_db(lone, "ann", ANN, "done").close()
    dialog = open_dialog(qtbot, lone, until="annotators_ready")
    assert dialog.message.text() == ONE_ANNOTATOR.format(name="ann")
    assert dialog.message.text().startswith("Only one annotator (ann) in this database")
    assert not dialog.results.isVisibleTo(dialog) and not dialog.export_button.isEnabled()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bob_jsonl), ""))
    with qtbot.waitSignal(dialog.computed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.file_button, Qt.MouseButton.LeftButton)
    assert choices(dialog.a_box) == ["ann"]
    assert choices(dialog.b_box) == ["ann", "bob — bob.jsonl"]
    assert dialog.b_box.currentText() == "bob — bob.jsonl"
    assert dialog.message.isHidden() and dialog.results.isVisibleTo(dialog)
    rows = expected_rows(lone, "ann", bob_jsonl, "bob")
    star = next(r for r in rows if (r.scope, r.label, r.article_id) == ("span", "*", None))
    shown = next(line for line in table_texts(dialog) if line[:2] == ["span", "*"])
    assert shown[2:8] == ["3", "3", "2", "0.667", "0.667", "0.667"]
    assert shown[9] == f"{star.alpha:.3f}"

    # the same file read again replaces its annotator's work, without a second entry
    with qtbot.waitSignal(dialog.computed, timeout=TIMEOUT_MS):
        dialog.compare_with_file(bob_jsonl)
    assert choices(dialog.b_box) == ["ann", "bob — bob.jsonl"]


def test_unreadable_file_and_no_shared_article_are_messages(team_db, qtbot, tmp_path):
    dialog = open_dialog(qtbot, team_db)
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n", encoding="utf-8")
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT_MS) as failed:
        dialog.compare_with_file(junk)
    assert str(junk) in failed.args[0] and dialog.message.text() == failed.args[0]
    assert dialog.results.isVisibleTo(dialog)  # ann and bob's figures stay
    assert choices(dialog.b_box) == ["ann", "bob"]

    elsewhere = tmp_path / "cy.jsonl"
    elsewhere.write_text(
        json.dumps({"type": "viewer-annotations", "version": 1}) + "\n"
        + json.dumps({"type": "review", "article": "nowhere", "status": "done", "note": None,
                      "annotator": "cy", "updated_at": "2024-01-01T00:00:00+00:00"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT_MS) as failed:
        dialog.compare_with_file(elsewhere)
    assert dialog.b_box.currentText() == "cy — cy.jsonl"
    assert "share no annotated article" in failed.args[0]
    assert dialog.message.text() == failed.args[0]
    assert not dialog.results.isVisibleTo(dialog) and not dialog.export_button.isEnabled()


def test_no_labelled_spans_says_so_instead_of_a_chart(tmp_path, qtbot):
    path = tmp_path / "reviews.sqlite"
    _analyst_db(path, "ann", [], "done").close()
    _analyst_db(path, "bob", [], "in_progress").close()
    dialog = open_dialog(qtbot, path)
    assert dialog.chart_stack.currentWidget() is dialog.no_chart
    assert "No labelled spans" in dialog.no_chart.text()
    assert dialog.lowest.item(0).text().startswith("0%")  # their statuses differ


@pytest.mark.parametrize("dark", [False, True])
def test_chart_follows_the_palette_and_its_labels_stay_readable(team_db, qtbot, dark):
    dialog = open_dialog(qtbot, team_db)
    palette = QPalette(dialog.palette())
    if dark:
        for role, colour in (
            (QPalette.ColorRole.Window, QColor("#202124")),
            (QPalette.ColorRole.WindowText, QColor("#e8eaed")),
            (QPalette.ColorRole.Highlight, QColor("#8ab4f8")),
        ):
            palette.setColor(role, colour)
    dialog.setPalette(palette)  # redrawn on the change
    chart = dialog.chart_view.chart()
    background = chart.backgroundBrush().color()
    assert background == palette.color(QPalette.ColorRole.Window)
    for axis in chart.axes():
        text = axis.labelsColor()
        assert text == palette.color(QPalette.ColorRole.WindowText)
        assert abs(text.lightness() - background.lightness()) > 100


def test_an_empty_database_has_nobody_to_compare(tmp_path, qtbot):
    path = tmp_path / "empty.sqlite"
    open_db(path).close()
    dialog = open_dialog(qtbot, path, until="annotators_ready")
    assert choices(dialog.a_box) == [] and "nothing to compare" in dialog.message.text()


def test_closing_while_reading_leaves_the_job_to_finish(team_db, qtbot, monkeypatch):
    # Qt aborts the program when a running thread's object is deleted: the dialog's
    # jobs belong to the application and delete themselves once finished.
    release = threading.Event()

    def slow_read(path):
        release.wait(TIMEOUT_MS / 1000)
        return read_work(path)

    monkeypatch.setattr(agreement_dialog, "read_work", slow_read)
    dialog = AgreementDialog(team_db)
    assert dialog.busy
    with qtbot.waitSignal(dialog.destroyed, timeout=TIMEOUT_MS):
        dialog.deleteLater()  # while the job still reads
    del dialog
    release.set()
    qtbot.waitUntil(lambda: not Operation.running(), timeout=TIMEOUT_MS)


def test_a_slower_earlier_comparison_does_not_overwrite_the_latest(
    team_db, bob_jsonl, qtbot, monkeypatch
):
    dialog = open_dialog(qtbot, team_db)
    with qtbot.waitSignal(dialog.computed, timeout=TIMEOUT_MS):
        dialog.compare_with_file(bob_jsonl)
    release = threading.Event()
    real_compare = agreement_dialog.compare

    def compare(a, b, db_path):
        if b.source == str(team_db):  # the database's bob: held back until released
            release.wait(TIMEOUT_MS / 1000)
        return real_compare(a, b, db_path)

    monkeypatch.setattr(agreement_dialog, "compare", compare)
    dialog.b_box.setCurrentIndex(dialog.b_box.findText("bob"))  # slow
    with qtbot.waitSignal(dialog.computed, timeout=TIMEOUT_MS):
        dialog.b_box.setCurrentIndex(dialog.b_box.findText("bob — bob.jsonl"))  # fast
    release.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT_MS)
    assert dialog.rows == expected_rows(team_db, "ann", bob_jsonl, "bob")
    assert dialog.rows != expected_rows(team_db, "ann", team_db, "bob")
    assert "B: bob — bob.jsonl" in dialog.summary.text()


def test_a_database_that_cannot_be_read_is_a_message(tmp_path, qtbot):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all\n")
    dialog = open_dialog(qtbot, junk, until="failed")
    assert str(junk) in dialog.message.text()
    assert choices(dialog.a_box) == [] and not dialog.file_button.isEnabled()
