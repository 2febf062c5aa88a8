"""`viewer` with no argument goes back to the last corpus, at the article last read;
File → Open Recent lists the corpora opened lately; the seeds only on a first run."""

from __future__ import annotations

import shutil

from tests.conftest import SEEDS
from tests.qt.conftest import JOB_TIMEOUT_MS
from viewer.qt.app import create_window
from viewer.qt.recent import MAX_RECENT, RecentCorpora


def corpus(folder, *names: str):
    folder.mkdir()
    for name in names:
        (folder / f"{name}.txt").write_text(f"News from {name.title()} today.", "utf-8")
    return folder


def started(qtbot, argv, settings):
    window = create_window(argv, settings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=JOB_TIMEOUT_MS)
    assert window.last_job_finished is True
    return window


def row_of_ext_id(window, ext_id: str) -> int:
    rows = window.articles
    return next(i for i in range(rows.rowCount()) if rows.row_at(i).ext_id == ext_id)


def test_no_argument_reopens_the_last_corpus_at_the_last_article(qtbot, settings, tmp_path):
    """Regression: `viewer` with no argument always opened the seeds."""
    news = corpus(tmp_path / "news", "berlin", "paris", "rome")
    db = tmp_path / "work.sqlite"
    first = started(qtbot, [str(news), "--db", str(db)], settings)
    first._select_row(row_of_ext_id(first, "paris"))
    assert first.current_article.ext_id == "paris"
    first.close()

    again = started(qtbot, [], settings)
    assert again.corpus.resolve() == news.resolve()
    assert again.db_path.resolve() == db.resolve()  # the database it was opened with
    assert again.current_article.ext_id == "paris"
    assert again.view.text.text == "News from Paris today."
    again.close()

    # The same corpus into another database (e.g. a copy): the same article, once read.
    other = started(qtbot, [str(news), "--db", str(tmp_path / "copy.sqlite")], settings)
    assert other.current_article.ext_id == "paris"


def test_a_first_run_opens_the_seeds(qtbot, settings):
    window = started(qtbot, [], settings)
    assert window.corpus == SEEDS
    assert RecentCorpora(settings).last().corpus == str(SEEDS.resolve())


def test_when_the_last_corpus_is_gone_the_seeds_open_and_say_why(qtbot, settings, tmp_path):
    gone = corpus(tmp_path / "gone", "oslo")
    RecentCorpora(settings).opened(gone, tmp_path / "gone.sqlite")
    shutil.rmtree(gone)
    window = create_window([], settings)
    qtbot.addWidget(window)
    assert window.corpus is None or window.corpus == SEEDS
    assert f"The last corpus, {gone}, is not there any more" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=JOB_TIMEOUT_MS)
    assert window.corpus == SEEDS
    message = window.statusBar().currentMessage()
    assert message.startswith("Ready") and "is not there any more" in message


def test_the_last_corpus_kept_by_an_earlier_version_is_reopened(qtbot, settings, tmp_path):
    news = corpus(tmp_path / "news", "lima")
    settings.setValue("last/corpus", str(news))
    window = started(qtbot, [], settings)
    assert window.corpus == news
    assert [e.corpus for e in window.recent.entries()] == [str(news.resolve())]


def test_open_recent_lists_the_latest_first_and_opens_one(make_window, qtbot, tmp_path):
    window = make_window()
    folders = [corpus(tmp_path / f"c{i}", "x") for i in range(MAX_RECENT + 2)]
    for folder in folders:
        window.recent.opened(folder, tmp_path / f"{folder.name}.sqlite")
    shutil.rmtree(folders[-2])  # the second newest has gone
    menu = window.recent_menu
    menu.rebuild()
    entries = [a for a in menu.actions() if not a.isSeparator()][:-1]  # last: Clear Menu
    assert len(entries) == MAX_RECENT
    assert [a.toolTip() for a in entries] == [str(f) for f in reversed(folders)][:MAX_RECENT]
    assert entries[0].text().startswith(f"&1 {folders[-1].name}")
    assert not entries[1].isEnabled() and entries[1].text().endswith("(not found)")
    assert all(a.isEnabled() for a in entries[2:])

    entries[2].trigger()  # c7, with the database it was opened with
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=JOB_TIMEOUT_MS)
    assert window.corpus == folders[-3]
    assert window.db_path == tmp_path / "c7.sqlite"
    assert window.recent.last().corpus == str(folders[-3])  # now the newest
    menu.rebuild()
    assert [a for a in menu.actions() if not a.isSeparator()][0].toolTip() == str(folders[-3])


def test_clear_menu_empties_the_list(make_window, tmp_path):
    window = make_window()
    window.recent.opened(corpus(tmp_path / "a", "x"), tmp_path / "a.sqlite")
    window.recent_menu.rebuild()
    clear = window.recent_menu.actions()[-1]
    assert clear.text() == "&Clear Menu" and clear.isEnabled()
    clear.trigger()
    window.recent_menu.rebuild()
    assert window.recent.entries() == []
    assert [a.text() for a in window.recent_menu.actions() if not a.isSeparator()][0] == (
        "No Recent Corpora"
    )


def test_a_damaged_recent_list_is_ignored_not_fatal(settings):
    settings.setValue("recent/corpora", "{not json")
    assert RecentCorpora(settings).entries() == []
    settings.setValue("recent/corpora", '[{"corpus": 3}, "x", {"corpus": "/a", "db": 5}]')
    [entry] = RecentCorpora(settings).entries()
    assert (entry.corpus, entry.db, entry.article) == ("/a", None, None)
