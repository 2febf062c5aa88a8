"""Crash safety: a small run of tests/benchmarks/stress_crash.py, and checks of its checker."""

from __future__ import annotations

import os
import signal

import pytest

from tests.benchmarks import stress_crash
from tests.benchmarks.stress_crash import Figures, compare, parse_log


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_edit_path_loses_nothing_acknowledged(tmp_path) -> None:
    seed = int.from_bytes(os.urandom(2))  # a new sample each run; named in any failure
    figures = stress_crash.run(
        trials=10,
        seed=seed,
        db_path=tmp_path / "s.sqlite",
        max_delay=0.3,
        report=lambda _line: None,
    )
    assert figures.trials == 10
    assert figures.acknowledged > 0
    assert figures.ok and figures.problems == [], (seed, figures.lines(), figures.problems)


BASE = {("ann", 1): [1, "Claim", "a", 0, 3, "abc"], ("ann", 2): [1, "Claim", "b", 3, 6, "def"]}


def test_checker_accepts_the_in_flight_operation_either_way() -> None:
    inflight = {"op": "replace", "ids": [1, 2], "note": "bulk"}
    after = {key: [*value[:2], "bulk", *value[3:]] for key, value in BASE.items()}
    for state in (BASE, after):
        figures = Figures()
        compare(BASE, state, [], inflight, figures)
        assert figures.ok and figures.interrupted_bulk == 1


def test_checker_finds_a_half_applied_bulk_operation() -> None:
    inflight = {"op": "replace", "ids": [1, 2], "note": "bulk"}
    half = {**BASE, ("ann", 1): [1, "Claim", "bulk", 0, 3, "abc"]}
    figures = Figures()
    compare(BASE, half, [], inflight, figures)
    assert figures.half_applied == 1 and not figures.ok


def test_checker_finds_a_lost_acknowledged_edit() -> None:
    acked = [{"op": "update", "id": 2, "label": "Claim", "note": "changed"}]
    figures = Figures()
    compare(BASE, BASE, acked, None, figures)
    assert (figures.acknowledged, figures.lost) == (1, 1)


def test_log_without_an_ack_leaves_the_operation_in_flight() -> None:
    done = 'R\nB {"op": "delete", "id": 1}\nA\n'
    assert parse_log(done + 'B {"op": "delete", "id": 2}\n') == (
        [{"op": "delete", "id": 1}],
        {"op": "delete", "id": 2},
    )
    # A line cut by the kill: printed before the call, so that call never started.
    assert parse_log(done + 'B {"op": "del') == ([{"op": "delete", "id": 1}], None)
