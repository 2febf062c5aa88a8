"""The article list: a Status column (the analyst's status and the article's tags),
and no Source or Date column while no article has one."""

from __future__ import annotations

import json

from tests.qt.test_annotating import opened
from viewer.qt.models.article_list import COLUMNS, DATE_COLUMN, SOURCE_COLUMN, STATUS_COLUMN


def status_cell(window, row: int = 0) -> str:
    return window.articles.index(row, STATUS_COLUMN).data()


def test_status_and_tags_show_in_the_list_as_they_are_edited(
    make_window, open_and_wait, tmp_path, qtmodeltester, qtbot
):
    window = opened(make_window, open_and_wait, tmp_path, n=3)
    assert COLUMNS[STATUS_COLUMN] == "Status"
    assert [status_cell(window, r) for r in range(3)] == ["", "", ""]

    def shows(cell: str) -> None:  # the list follows an edit right after the text's paint
        qtbot.waitUntil(lambda: status_cell(window) == cell)

    window.set_status("done")
    window._change_tag("check", True)
    window._change_tag("econ", True)
    shows("Done · #check #econ")
    assert "Your status: Done" in window.articles.index(0, STATUS_COLUMN).data(3)  # tooltip
    window.set_status("in_progress")
    shows("In progress · #check #econ")
    window.undo_action.trigger()
    shows("Done · #check #econ")
    # Another annotator's status is theirs: the column shows the window's annotator's.
    window.editor.annotator = "bob"
    window.articles.reload()
    assert status_cell(window) == "#check #econ"
    qtmodeltester.check(window.articles)


def test_source_and_date_columns_hide_while_no_article_has_one(
    make_window, open_and_wait, tmp_path
):
    window = opened(make_window, open_and_wait, tmp_path)  # .txt files: no source, no date
    assert window.list_view.isColumnHidden(SOURCE_COLUMN)
    assert window.list_view.isColumnHidden(DATE_COLUMN)
    assert not window.list_view.isColumnHidden(STATUS_COLUMN)
    corpus = tmp_path / "with_source.jsonl"
    corpus.write_text(
        json.dumps({"id": "x", "text": "Angela Merkel spoke.", "source": "Wire"}) + "\n",
        encoding="utf-8",
    )
    other = make_window()
    open_and_wait(other, corpus, tmp_path / "db2.sqlite")
    assert not other.list_view.isColumnHidden(SOURCE_COLUMN)  # "Wire"
    assert other.articles.index(0, SOURCE_COLUMN).data() == "Wire"
    assert other.list_view.isColumnHidden(DATE_COLUMN)  # still no dates
