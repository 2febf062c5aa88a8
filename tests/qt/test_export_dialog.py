"""File → Export…: the dialog runs the export in the background, the same bytes as the CLI."""

from __future__ import annotations

import threading

import pytest

from tests.core.test_export import build_sample_db
from viewer.__main__ import main
from viewer.core.tasks import export
from viewer.qt.dialogs.export import CHOICES, ExportDialog

TIMEOUT_MS = 30_000


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "sample.sqlite"
    build_sample_db(path).close()
    return path


@pytest.fixture
def dialog(qtbot, db_path):
    d = ExportDialog(db_path)
    qtbot.addWidget(d)
    d.show()
    yield d
    d.close()  # cancels and waits for a job still running


def run_export(qtbot, dialog, what, out, **options):
    dialog.set_choice(what, out, **options)
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT_MS) as blocker:
        dialog.export_button.click()
    return blocker.args[0]


@pytest.mark.parametrize("what", [w for w, _ in CHOICES])
def test_gui_export_writes_the_same_bytes_as_the_command(qtbot, dialog, db_path, tmp_path, what):
    gui, cli = tmp_path / f"gui-{what}", tmp_path / f"cli-{what}"
    if what == "jsonl":
        result = run_export(qtbot, dialog, what, gui)
        args = ["--jsonl", str(cli)]
    else:
        result = run_export(qtbot, dialog, what, gui, bom=True)
        args = ["--csv", str(cli), "--what", what, "--bom"]
    assert main(["export", "--db", str(db_path), *args]) == 0
    assert gui.read_bytes() == cli.read_bytes()
    assert result.rows > 0 and not result.cancelled
    assert str(result.rows) in dialog.status.text()


def test_annotator_choice_exports_their_work_as_the_command_does(qtbot, dialog, db_path, tmp_path):
    box = dialog.annotator_box
    assert [box.itemText(i) for i in range(box.count())][0] == "Everyone"
    box.setCurrentIndex(box.findData("ana"))
    run_export(qtbot, dialog, "annotations", tmp_path / "gui.csv")
    cli = tmp_path / "cli.csv"
    args = ["--csv", str(cli), "--what", "annotations", "--annotator", "ana"]
    assert main(["export", "--db", str(db_path), *args]) == 0
    assert (tmp_path / "gui.csv").read_bytes() == cli.read_bytes()
    everyone = tmp_path / "all.csv"
    assert (
        main(["export", "--db", str(db_path), "--csv", str(everyone), "--what", "annotations"]) == 0
    )
    assert cli.read_bytes() != everyone.read_bytes()  # others' work left out


def test_raw_option_reaches_the_export(qtbot, dialog, db_path, tmp_path):
    run_export(qtbot, dialog, "annotations", tmp_path / "gui.csv", raw=True)
    cli = tmp_path / "cli.csv"
    args = ["--csv", str(cli), "--what", "annotations", "--raw"]
    assert main(["export", "--db", str(db_path), *args]) == 0
    assert (tmp_path / "gui.csv").read_bytes() == cli.read_bytes()


def test_dialog_is_not_modal_and_locks_its_form_while_exporting(qtbot, dialog, tmp_path):
    assert not dialog.isModal()
    dialog.set_choice("annotations", tmp_path / "a.csv")
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT_MS):
        dialog.start_export()
        assert not dialog.what_box.isEnabled() and dialog.close_button.text() == "Cancel"
    assert dialog.what_box.isEnabled() and dialog.close_button.text() == "Close"
    assert dialog.job is None


def test_cancel_leaves_the_target_untouched(qtbot, dialog, tmp_path, monkeypatch):
    gate = threading.Event()

    def held_rows(db, raw, who=None):
        yield '"first"\r\n', 1
        gate.wait(TIMEOUT_MS / 1000)  # until the test has pressed Cancel
        yield '"second"\r\n', 1

    monkeypatch.setattr(export, "POLL_ARTICLES", 1)  # poll after every article
    monkeypatch.setitem(export._SOURCES, "articles", held_rows)
    out = tmp_path / "a.csv"
    out.write_text("previous", encoding="utf-8")
    monkeypatch.setattr(dialog, "confirm_overwrite", lambda path: True)  # "Replace it?" Yes
    dialog.set_choice("articles", out)
    dialog.start_export()
    dialog.close_button.click()  # reads "Cancel" while the job runs
    gate.set()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=TIMEOUT_MS)
    assert dialog.last_result is not None and dialog.last_result.cancelled
    assert out.read_text(encoding="utf-8") == "previous"
    assert "Cancelled" in dialog.status.text() and dialog.isVisible()


def test_failure_is_shown_and_signalled(qtbot, dialog, tmp_path):
    dialog.set_choice("quotes", tmp_path / "no" / "such" / "dir.csv")
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT_MS) as blocker:
        dialog.start_export()
    assert "cannot write there" in blocker.args[0]
    qtbot.waitUntil(lambda: dialog.job is None, timeout=TIMEOUT_MS)
    assert "Export failed" in dialog.status.text()


def test_export_button_needs_a_file_and_options_follow_the_choice(dialog):
    dialog.set_choice("jsonl", "")
    assert not dialog.export_button.isEnabled()
    assert not dialog.bom_box.isEnabled() and not dialog.raw_box.isEnabled()
    dialog.set_choice("entities", "x.csv")
    assert dialog.export_button.isEnabled() and dialog.bom_box.isEnabled()


def test_the_file_offered_is_named_after_the_corpus_and_the_kind(qtbot, db_path, tmp_path):
    d = ExportDialog(db_path, corpus=tmp_path / "bbc-news", folder=tmp_path / "exports")
    qtbot.addWidget(d)
    d.what_box.setCurrentIndex(d.what_box.findData("entities"))
    assert d.path_edit.text() == str(tmp_path / "exports" / "bbc-news-entities.csv")
    d.what_box.setCurrentIndex(d.what_box.findData("jsonl"))
    assert d.path_edit.text() == str(tmp_path / "exports" / "bbc-news-jsonl.jsonl")
    d.path_edit.setText("mine.csv")  # the user's own name stays when the kind changes
    d.what_box.setCurrentIndex(d.what_box.findData("articles"))
    assert d.path_edit.text() == "mine.csv"


def test_a_relative_name_goes_to_the_export_folder_not_the_working_one(
    qtbot, db_path, tmp_path, monkeypatch
):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    folder = tmp_path / "exports"
    folder.mkdir()
    d = ExportDialog(db_path, corpus=tmp_path / "bbc", folder=folder)
    qtbot.addWidget(d)
    result = run_export(qtbot, d, "articles", "mine.csv")
    assert result.path == folder / "mine.csv" and (folder / "mine.csv").is_file()
    assert not (elsewhere / "mine.csv").exists()


def test_the_window_offers_the_folder_of_the_last_export(
    make_window, open_and_wait, tmp_path, qtbot
):
    from tests.conftest import SEEDS

    window = make_window()
    open_and_wait(window, SEEDS, tmp_path / "seeds.sqlite")
    window.export()
    first = window.export_dialog
    assert first.path_edit.text().endswith(f"seeds-{first.what}.csv")  # named after the corpus
    out = tmp_path / "chosen" / "a.csv"
    out.parent.mkdir()
    run_export(qtbot, first, "articles", out)
    first.close()
    window.export()
    assert window.export_dialog.folder == out.parent
    assert window.export_dialog.path_edit.text().startswith(str(out.parent))
