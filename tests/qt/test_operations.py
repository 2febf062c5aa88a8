"""The one background mechanism: a plain function off the UI thread, its progress, its
result or error back on the UI thread, and Cancel; and the one error sink."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from viewer.core.progress import Task
from viewer.qt.errors import error_sink, failure_message, show_error
from viewer.qt.operations import Operation

TIMEOUT_MS = 10_000


class Refused(Exception):
    """An error of ours: its message is for the user as it is."""


def test_the_result_comes_back_on_the_ui_thread_after_the_thread_ended(qtbot):
    ran_in, delivered_in = [], []

    def work(task: Task) -> int:
        ran_in.append(threading.current_thread())
        return 42

    op = Operation(work)
    op.succeeded.connect(
        lambda _result: delivered_in.append((threading.current_thread(), op.isFinished()))
    )
    with qtbot.waitSignal(op.succeeded, timeout=TIMEOUT_MS) as result:
        op.start()
    assert result.args == [42]
    assert ran_in[0] is not threading.main_thread()
    assert delivered_in == [(threading.main_thread(), True)]  # the worker let go of it
    assert op not in Operation.running()


def test_progress_arrives_in_order_before_the_result(qtbot):
    seen = []

    def work(task: Task) -> str:
        for n in range(1, 4):
            task.progress(n, 3, f"step {n}")
        return "done"

    op = Operation(work)
    op.progress.connect(lambda done, total, what: seen.append((done, total, what)))
    op.succeeded.connect(seen.append)
    with qtbot.waitSignal(op.succeeded, timeout=TIMEOUT_MS):
        op.start()
    assert seen == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3"), "done"]


def test_an_expected_error_is_its_message(qtbot):
    def work(task: Task) -> None:
        raise Refused("/x/a.csv: cannot write there")

    op = Operation(work, expected=(Refused,), context="/x/a.csv")
    succeeded = []
    op.succeeded.connect(succeeded.append)
    with qtbot.waitSignal(op.failed, timeout=TIMEOUT_MS) as failed:
        op.start()
    assert failed.args == ["/x/a.csv: cannot write there"]
    assert succeeded == []


def test_a_defect_keeps_its_type_and_names_what_failed(qtbot, capsys):
    def work(task: Task) -> None:
        raise KeyError("article 7")

    op = Operation(work, expected=(Refused,), context="/x/db.sqlite: cannot open the database")
    with qtbot.waitSignal(op.failed, timeout=TIMEOUT_MS) as failed:
        op.start()
    assert failed.args == ["/x/db.sqlite: cannot open the database (KeyError: 'article 7')"]
    assert "Traceback" in capsys.readouterr().err  # kept for a bug report


def test_cancel_reaches_the_function_as_should_stop(qtbot):
    started, polls = threading.Event(), [0]

    def work(task: Task) -> str:
        started.set()
        while not task.should_stop():  # a batch at a time, until told to stop
            polls[0] += 1
        return "stopped"

    op = Operation(work)
    op.start()
    assert started.wait(TIMEOUT_MS / 1000)
    assert not op.cancelled
    with qtbot.waitSignal(op.succeeded, timeout=TIMEOUT_MS) as result:
        op.cancel()
    assert result.args == ["stopped"] and op.cancelled and polls[0] > 0


def test_a_dropped_operation_lives_until_it_has_ended(qtbot):
    # Qt aborts the program when a running thread's object is destroyed.
    release = threading.Event()
    op = Operation(lambda task: release.wait(TIMEOUT_MS / 1000))
    op.start()
    assert op in Operation.running()
    del op  # the caller (a dialog closed meanwhile) forgets it
    release.set()
    qtbot.waitUntil(lambda: not Operation.running(), timeout=TIMEOUT_MS)


def test_every_error_shown_goes_through_the_sink(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    with qtbot.waitSignal(error_sink().shown, timeout=TIMEOUT_MS) as shown:
        box = show_error(parent, "Export CSV", "Could not write /x/<b>a</b>.csv: Disk full")
    assert shown.args == ["Export CSV", "Could not write /x/<b>a</b>.csv: Disk full"]
    assert box.isVisible() and not box.isModal()  # the window behind keeps working
    assert box.textFormat() == box.textFormat().PlainText  # a path is never markup
    assert box.icon() == QMessageBox.Icon.Warning
    box.close()


FILE_REFUSED = Refused("f.jsonl: not an annotations file")


@pytest.mark.parametrize(
    ("exc", "expected", "context", "message"),
    [
        (FILE_REFUSED, (Refused,), "f.jsonl", "f.jsonl: not an annotations file"),
        (ValueError("bad"), (Refused,), "", "ValueError: bad"),
        (ValueError("bad"), (), "f.jsonl: import", "f.jsonl: import (ValueError: bad)"),
    ],
)
def test_failure_message(exc, expected, context, message):
    assert failure_message(exc, expected, context) == message
