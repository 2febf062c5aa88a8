"""What the window says: the filter in words, a date that is not a date refused with
why, the import summary's records and files, an export error without a class name."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from tests.core.test_export import build_sample_db
from tests.qt.test_annotating import opened
from viewer.core.model import ImportReport, LoadMessage
from viewer.qt.dialogs.export import ExportDialog
from viewer.qt.dialogs.import_report import ImportReportDialog


def test_the_count_line_says_the_filter_in_words(make_window, open_and_wait, tmp_path):
    window = opened(make_window, open_and_wait, tmp_path)
    window.filter_by(entity_text="Paris", has_quotes=True)
    assert window.count_label.text() == "2 articles match: entity “Paris” · with quotes"
    window.filter_by(has_quotes=False)
    assert window.count_label.text() == "0 articles match: entity “Paris” · without quotes"


def test_a_date_that_is_not_a_date_is_refused_with_a_message(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path)
    bar = window.filter_bar
    bar.date_from.setText("01/01/2005")
    bar._emit()
    why = "“01/01/2005” is not a date: write YYYY-MM-DD (or YYYY-MM, or YYYY)"
    assert window.count_label.text() == f"Filter not applied: {why}"
    assert window.statusBar().currentMessage() == why
    assert bar.date_from.property("invalid") is True and bar.date_from.toolTip() == why
    assert window.articles.rowCount() == 0  # not "every article", as text comparison gave
    bar.date_from.setText("2005")
    bar._emit()
    assert bar.date_from.property("invalid") is False
    assert window.count_label.text() == "0 articles match: dated from 2005"


def test_the_import_summary_counts_records_and_files_apart(qtbot):
    report = ImportReport(files_read=7, articles_loaded=5)
    report.messages += [LoadMessage("a.jsonl", n, "skipped", "bad JSON") for n in range(2, 9)]
    report.messages.append(LoadMessage("b.txt", None, "skipped", "empty"))
    assert report.summary() == "5 articles from 7 files; 0 warnings, 1 file and 7 records skipped"
    dialog = ImportReportDialog("corpus", report)
    qtbot.addWidget(dialog)
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "corpus\n" + report.summary() in labels


def test_an_export_error_shows_no_class_name(qtbot, tmp_path):
    path = tmp_path / "sample.sqlite"
    build_sample_db(path).close()
    dialog = ExportDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_choice("entities", tmp_path / "no such folder" / "x.csv")
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as failed:
        dialog.export_button.click()
    [message] = failed.args
    assert message.startswith(str(tmp_path / "no such folder" / "x.csv") + ": cannot write there")
    assert "Error" not in message and "Error" not in dialog.status.text()
    dialog.close()
