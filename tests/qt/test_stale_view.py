"""No stale article: opening another corpus clears the view and the side panel until
its own articles arrive; an empty folder says so, in the view."""

from __future__ import annotations

from tests.conftest import SEED_FILE, SEEDS
from tests.qt.conftest import JOB_TIMEOUT_MS

EMPTY_FOLDER = "No articles in this folder (looked for .txt, .jsonl, .csv)"


def shows_nothing(window) -> bool:
    return (
        window.view.text.toPlainText() == ""
        and window.panel.quote_model.rowCount() == 0
        and window.panel.entity_model.rowCount() == 0
        and window.annotation_panel.count() == 0
        and not window.review.isEnabled()
        and window.current_article is None
    )


def test_an_empty_folder_clears_the_old_article_and_says_why(
    make_window, open_and_wait, tmp_path, qtbot
):
    """Regression: the seed article stayed on screen beside "0 articles"."""
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "seeds.sqlite")
    # The entities are grouped when their tab is shown: shown, and kept shown, so
    # the check below that they are gone means something.
    window.panel.setCurrentWidget(window.panel.entities)
    assert window.panel.entity_model.rowCount() > 0
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.4")  # not a corpus file
    open_and_wait(window, empty, tmp_path / "empty.sqlite")
    assert shows_nothing(window)
    assert window.view.title.text() == EMPTY_FOLDER
    assert window.view.title.isVisibleTo(window)
    assert window.count_label.text() == "0 articles"


def test_labelling_with_no_article_shown_says_so(make_window, open_and_wait, tmp_path):
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "seeds.sqlite")
    window.view.text.select_span(0, 20)  # text selected, then another corpus opened
    empty = tmp_path / "empty"
    empty.mkdir()
    open_and_wait(window, empty, tmp_path / "empty.sqlite")
    assert window.view.text.selected_span() == (0, 0)
    assert not window.annotating.label_selection("PERSON")
    message = window.statusBar().currentMessage()
    assert "Select some text first" not in message
    assert "No article is shown" in message


def test_a_corpus_being_read_never_shows_the_previous_one(
    make_window, open_and_wait, tmp_path, qtbot
):
    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "seeds.sqlite")
    seed_text = SEED_FILE.read_text("utf-8")
    assert window.view.text.toPlainText() == seed_text
    other = tmp_path / "other"
    other.mkdir()
    (other / "rome.txt").write_text("Giorgia Meloni met officials in Rome.", "utf-8")
    seen_on_open: list[str] = []
    assert window.open_corpus(other, tmp_path / "other.sqlite")
    # Right after the window takes the new database, before any article was read.
    window._opening.succeeded.connect(lambda _db: seen_on_open.append(window.view.title.text()))
    window._opening.succeeded.connect(lambda _db: seen_on_open.append(window.view.text.text))
    qtbot.waitUntil(lambda: window.last_job_finished is not None, timeout=JOB_TIMEOUT_MS)
    assert seen_on_open == ["Reading other…", ""]
    assert window.view.text.toPlainText() == "Giorgia Meloni met officials in Rome."
    assert window.review.isEnabled()


def test_a_note_being_typed_is_saved_before_another_corpus_opens(
    make_window, open_and_wait, tmp_path
):
    from viewer.core.store import open_db
    from viewer.core.store.reviews import get_review

    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "seeds.sqlite")
    article_id, me = window.current_id, window.editor.annotator
    window.review.note.setPlainText("check the second quote")  # not yet saved (a timer)
    empty = tmp_path / "empty"
    empty.mkdir()
    open_and_wait(window, empty, tmp_path / "empty.sqlite")
    db = open_db(tmp_path / "seeds.sqlite")
    try:
        assert get_review(db, article_id, me).note == "check the second quote"
    finally:
        db.close()
