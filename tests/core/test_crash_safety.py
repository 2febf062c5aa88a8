"""Crash safety: small runs of tests/benchmarks/stress_crash.py, and checks of its checker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.benchmarks import stress_crash
from tests.benchmarks.stress_crash import Checker, Figures, compare, parse_log

needs_sigkill = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


@needs_sigkill
def test_killed_edit_path_loses_nothing_acknowledged(tmp_path) -> None:
    seed = int.from_bytes(os.urandom(2))  # a new sample each run; named in any failure
    # 20 trials: the two compound actions are rare in the mix (2 and 5 in 105), and a
    # run of 10 on a loaded machine once acknowledged no import at all.
    figures = stress_crash.run(
        trials=20,
        seed=seed,
        db_path=tmp_path / "s.sqlite",
        max_delay=0.3,
        report=lambda _line: None,
    )
    assert figures.trials == 20
    assert figures.acknowledged > 0
    assert figures.acknowledged_reimport and figures.acknowledged_reanalyse, figures.lines()
    assert figures.ok and figures.problems == [], (seed, figures.lines(), figures.problems[:5])


# Kills aimed at the two compound actions: each lands at most this long after the
# child starts its first, second or third import (re-analysis), which take ~25 ms
# (~5 ms) here, so most land inside one.
AIMED = {"reimport": 0.03, "reanalyse": 0.01}


@needs_sigkill
@pytest.mark.parametrize("target", sorted(AIMED))
def test_killed_import_or_reanalysis_is_all_or_nothing(tmp_path, target) -> None:
    seed = int.from_bytes(os.urandom(2))
    figures = stress_crash.run(
        trials=6,
        seed=seed,
        db_path=tmp_path / "s.sqlite",
        max_delay=AIMED[target],
        report=lambda _line: None,
        mix="upkeep",
        target=target,
    )
    assert figures.kills[target].during > 0, (seed, figures.lines())
    counts = (figures.lost, figures.half_applied, figures.wrong_anchors, figures.stale_anchors)
    assert counts == (0, 0, 0, 0), (seed, figures.lines(), figures.problems[:5])
    assert figures.ok, (seed, figures.lines(), figures.problems[:5])


@needs_sigkill
def test_import_committed_in_two_transactions_is_caught(tmp_path) -> None:
    """--fault split-reimport: the texts commit before their re-anchoring."""
    seed = int.from_bytes(os.urandom(2))
    figures = stress_crash.run(
        trials=8,
        seed=seed,
        db_path=tmp_path / "s.sqlite",
        max_delay=0.025,
        report=lambda _line: None,
        fault="split-reimport",
        mix="upkeep",
        target="reimport",
    )
    assert figures.kills["reimport"].half_applied > 0, (seed, figures.lines())
    assert not figures.ok and figures.lost == 0, (seed, figures.lines(), figures.problems[:5])


@pytest.mark.parametrize("mix", ["all", "upkeep"])
def test_model_of_every_operation_matches_the_store(tmp_path, mix) -> None:
    """Without a kill, the database is exactly the acknowledged state: the model the
    checker applies to each operation (re-anchored and re-attached rows too) is right."""
    db_path = tmp_path / "s.sqlite"
    stress_crash.setup(db_path, seed=3)
    checker = Checker(db_path)
    child = subprocess.run(
        [sys.executable, stress_crash.__file__, "--child", str(db_path), "--seed", "5"]
        + ["--mix", mix, "--stop-after", "120"],
        capture_output=True,
        text=True,
        check=True,
    )
    checker.check(child.stdout)
    figures = checker.figures
    assert figures.acknowledged == 120 and figures.acknowledged_reimport > 0, figures.lines()
    assert figures.ok and figures.problems == [], (figures.lines(), figures.problems[:5])


def test_wrong_and_stale_anchors_are_counted_once(tmp_path) -> None:
    db_path = tmp_path / "s.sqlite"
    stress_crash.setup(db_path, seed=3)
    checker = Checker(db_path)
    db = stress_crash.open_db(db_path)
    first, second = [r[0] for r in db.execute("SELECT id FROM annotations ORDER BY id LIMIT 2")]
    with db.conn:
        # Offsets moved, the text hash kept: the annotation claims text that is not there.
        db.execute('UPDATE annotations SET start = start + 3, "end" = "end" + 3 WHERE id = ?',
                   [first])  # fmt: skip
        db.execute("UPDATE annotations SET text_hash = 'older' WHERE id = ?", [second])
    for _ in range(2):
        checker.check_anchors(db)
    db.close()
    assert (checker.figures.wrong_anchors, checker.figures.stale_anchors) == (1, 1)
    assert not checker.figures.ok


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


# An import that changes article x's text and re-anchors its annotation 1.
IMPORTED = {("article", "x"): "X", ("text", "x"): "h0", ("link", "x"): "p0", **BASE}
REIMPORT = {
    "op": "reimport",
    "articles": [["x", "X2", "h1"]],
    "anns": [[1, [1, "Claim", "a", 4, 7, "abc"]]],
}


def test_checker_accepts_an_import_rolled_back_or_committed() -> None:
    after = {
        **IMPORTED,
        ("article", "x"): "X2",
        ("text", "x"): "h1",
        ("ann", 1): [1, "Claim", "a", 4, 7, "abc"],
    }
    del after[("link", "x")]  # a changed text is analysed again
    for state in (IMPORTED, after):
        figures = Figures()
        compare(IMPORTED, state, [], REIMPORT, figures)
        assert figures.ok and figures.kills["reimport"].during == 1, figures.problems


def test_checker_finds_a_text_committed_without_its_reanchoring() -> None:
    text_only = {**IMPORTED, ("article", "x"): "X2", ("text", "x"): "h1"}
    del text_only[("link", "x")]
    figures = Figures()
    compare(IMPORTED, text_only, [], REIMPORT, figures)
    assert figures.kills["reimport"].half_applied == 1 and figures.lost == 0
    assert not figures.ok


def test_checker_accepts_a_repair_committed_before_its_import() -> None:
    """An import first re-anchors annotations an interrupted import left on an older
    text, in a transaction of its own: committed alone, that is no half-applied import."""
    repair = [[2, [1, "Claim", "b", 9, 12, "def"]]]
    repaired_only = {**IMPORTED, ("ann", 2): repair[0][1]}
    figures = Figures()
    compare(IMPORTED, repaired_only, [], {**REIMPORT, "repaired": repair}, figures)
    assert figures.ok and figures.kills["reimport"].rolled_back == 1, figures.problems


def test_checker_finds_an_analysis_saved_without_its_reattached_decisions() -> None:
    reanalyse = {
        "op": "reanalyse",
        "pipeline": "p1",
        "articles": [["x", "h0", [[0, 3, "ORG"]]]],
        "anns": [[2, [1, "ORG", "b", 3, 6, "def", "entity", "h0", "exact", 0, 3, "ORG"]]],
    }
    saved_only = {**IMPORTED, ("analysis", "p1", "h0"): [[0, 3, "ORG"]], ("link", "x"): "p1"}
    figures = Figures()
    compare(IMPORTED, saved_only, [], reanalyse, figures)
    assert figures.kills["reanalyse"].half_applied == 1 and not figures.ok


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
