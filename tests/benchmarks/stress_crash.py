"""Crash safety: SIGKILL the edit path at random moments, reopen, check that nothing is lost.

    .venv/bin/python tests/benchmarks/stress_crash.py [--trials 200] [--seed 1] [--db PATH]

Each trial starts a child process (this file with ``--child``) that runs the
app's store functions in a loop: single edits (insert, update and delete an
annotation, set a review, add a tag) and bulk operations (``replace_annotations``
of up to 300 rows, ``upsert_articles`` of 100 articles, ``rename_label`` that
rewrites every annotation carrying it, a backup). Before each call the child
prints ``B <operation as JSON>``, after it returns ``A`` (flushed): an "A" is an
acknowledgement, what the UI would show as saved. The parent kills the child
with SIGKILL at a random moment, reopens the database with ``open_db`` and checks:

- ``PRAGMA integrity_check`` is ok;
- the database equals the state after every acknowledged operation, or that
  state plus the one operation in flight (committed but not yet acknowledged);
  anything else is a lost edit or a half-applied bulk operation;
- every backup file (not ``.partial``) passes ``integrity_check``.

The trials share one database, so each also tests recovery from the last
crash. Prints the figures at the end; exits 1 if anything was lost.

``--fault split-bulk`` checks the checker: the child then applies
``replace_annotations`` row by row (one transaction each), and the run must
report half-applied bulk operations.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from viewer.core.model import Article  # noqa: E402
from viewer.core.store import open_db  # noqa: E402
from viewer.core.store.annotations import (  # noqa: E402
    annotations_for_article,
    delete_annotation,
    insert_annotation,
    new_annotation,
    replace_annotations,
    update_annotation,
)
from viewer.core.store.articles import get_article, upsert_articles  # noqa: E402
from viewer.core.store.backups import backup_now, list_backups  # noqa: E402
from viewer.core.store.labels import ensure_default_labels, rename_label  # noqa: E402
from viewer.core.store.reviews import Review, add_tag, set_review  # noqa: E402

BULK = {"replace", "upsert", "rename"}
STATUSES = ("unreviewed", "in_progress", "done")
TAGS = [f"tag{n}" for n in range(12)]
WORDS = "minister said budget talks Berlin agreement reporters policy election economy".split()

State = dict[tuple, Any]  # ("ann", id) -> fields; ("tag", article, tag) -> True; ...


# --- the state: read from the database, or computed from acknowledged operations ---------


def read_state(db) -> State:
    state: State = {}
    for row in db.execute(
        'SELECT id, article_id, label, note, start, "end", text FROM annotations'
    ):
        state[("ann", row[0])] = list(row[1:])
    for article_id, status, note in db.execute(
        "SELECT article_id, status, note FROM article_reviews"
    ):
        state[("review", article_id)] = [status, note]
    for article_id, tag in db.execute("SELECT article_id, tag FROM article_tags"):
        state[("tag", article_id, tag)] = True
    for ext_id, title in db.execute("SELECT ext_id, title FROM articles"):
        state[("article", ext_id)] = title
    for (name,) in db.execute("SELECT name FROM labels"):
        state[("label", name)] = True
    return state


def apply(state: State, op: dict) -> dict[tuple, Any]:
    """The keys an operation changes, with their new values (None: removed)."""
    kind = op["op"]
    if kind == "insert":
        fields_ = [op["article"], op["label"], op["note"], op["start"], op["end"], op["text"]]
        return {("ann", op["id"]): fields_}
    if kind == "update":
        old = state[("ann", op["id"])]
        return {("ann", op["id"]): [old[0], op["label"], op["note"], *old[3:]]}
    if kind == "delete":
        return {("ann", op["id"]): None}
    if kind == "review":
        return {("review", op["article"]): [op["status"], op["note"] or None]}
    if kind == "tag":
        return {("tag", op["article"], op["tag"]): True}
    if kind == "replace":
        return {
            ("ann", i): [*state[("ann", i)][:2], op["note"], *state[("ann", i)][3:]]
            for i in op["ids"]
        }
    if kind == "upsert":
        return {("article", f"{op['prefix']}{n}"): op["title"] for n in range(op["n"])}
    if kind == "rename":
        changes: dict[tuple, Any] = {("label", op["old"]): None, ("label", op["new"]): True}
        for key, value in state.items():
            if key[0] == "ann" and value[1] == op["old"]:
                changes[key] = [value[0], op["new"], *value[2:]]
        return changes
    return {}  # backup: no change to the data


def updated(state: State, changes: dict[tuple, Any]) -> State:
    new = dict(state)
    for key, value in changes.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    return new


# --- the child: the app's edit path in a loop -----------------------------------------------


class Child:
    """Runs random operations on the database until killed, announcing each."""

    def __init__(self, db_path: Path, seed: int, fault: str = "") -> None:
        self.path = db_path
        self.fault = fault
        self.rng = random.Random(seed)
        self.seed = seed
        self.counter = 0
        self.db = open_db(db_path)
        self.articles = {
            r[0]: get_article(self.db, r[0])
            for r in self.db.execute("SELECT id FROM articles WHERE ext_id LIKE 'base-%'")
        }
        rows = self.db.execute("SELECT id, label FROM annotations").fetchall()
        self.ann_ids = [r[0] for r in rows]
        self.next_id = max(self.ann_ids, default=0) + 1
        self.labels = [r[0] for r in self.db.execute("SELECT name FROM labels")]
        self.prefixes = sorted(
            {
                r[0].rsplit("-", 1)[0] + "-"
                for r in self.db.execute("SELECT ext_id FROM articles WHERE ext_id LIKE 'bulk-%'")
            }
        )

    def uid(self) -> str:
        self.counter += 1
        return f"{self.seed}.{self.counter}"

    def run(self) -> None:
        say("R")
        choices = [
            self.insert,
            self.update,
            self.delete,
            self.review,
            self.tag,
            self.replace,
            self.upsert,
            self.rename,
            self.backup,
        ]
        weights = [30, 20, 10, 8, 8, 6, 4, 3, 1]
        while True:
            op, call = self.rng.choices(choices, weights)[0]()
            say("B " + json.dumps(op))
            call()
            say("A")

    def insert(self) -> tuple[dict, Callable[[], None]]:
        article_id = self.rng.choice(list(self.articles))
        art = self.articles[article_id]
        start = self.rng.randrange(0, len(art.text) - 30)
        end = start + self.rng.randrange(1, 30)
        ann_id, self.next_id = self.next_id, self.next_id + 1
        label, note = self.rng.choice(self.labels), f"note {self.uid()} <b>&'\""
        ann = new_annotation(
            article_id,
            art.text,
            art.text_hash,
            start,
            end,
            kind="span",
            action="added",
            label=label,
            note=note,
            id=ann_id,
        )
        op = {
            "op": "insert",
            "id": ann_id,
            "article": article_id,
            "label": label,
            "note": note,
            "start": start,
            "end": end,
            "text": ann.text,
        }
        self.ann_ids.append(ann_id)
        return op, lambda: insert_annotation(self.db, ann) and None

    def update(self) -> tuple[dict, Callable[[], None]]:
        if not self.ann_ids:
            return self.insert()
        ann_id = self.rng.choice(self.ann_ids)
        label, note = self.rng.choice(self.labels), f"edited {self.uid()}"
        op = {"op": "update", "id": ann_id, "label": label, "note": note}
        return op, lambda: update_annotation(self.db, ann_id, label=label, note=note) and None

    def delete(self) -> tuple[dict, Callable[[], None]]:
        if len(self.ann_ids) < 50:
            return self.insert()
        ann_id = self.ann_ids.pop(self.rng.randrange(len(self.ann_ids)))
        return {"op": "delete", "id": ann_id}, lambda: delete_annotation(self.db, ann_id) and None

    def review(self) -> tuple[dict, Callable[[], None]]:
        article_id = self.rng.choice(list(self.articles))
        review = Review(self.rng.choice(STATUSES), f"review {self.uid()}")
        op = {"op": "review", "article": article_id, "status": review.status, "note": review.note}
        return op, lambda: set_review(self.db, article_id, review, annotator="stress")

    def tag(self) -> tuple[dict, Callable[[], None]]:
        article_id, tag = self.rng.choice(list(self.articles)), self.rng.choice(TAGS)
        op = {"op": "tag", "article": article_id, "tag": tag}
        return op, lambda: add_tag(self.db, article_id, tag, annotator="stress") and None

    def replace(self) -> tuple[dict, Callable[[], None]]:
        current = [a for art in self.articles for a in annotations_for_article(self.db, art)]
        chosen = self.rng.sample(current, min(300, len(current)))
        note = f"bulk {self.uid()}"
        changed = [_with_note(a, note) for a in chosen]
        op = {"op": "replace", "ids": [a.id for a in chosen], "note": note}
        if self.fault == "split-bulk":  # deliberately wrong: one transaction per row
            return op, lambda: [replace_annotations(self.db, [a]) for a in changed] and None
        return op, lambda: replace_annotations(self.db, changed)

    def upsert(self) -> tuple[dict, Callable[[], None]]:
        if self.prefixes and self.rng.random() < 0.7:  # re-import: every title changes
            prefix = self.rng.choice(self.prefixes)
        else:
            prefix = f"bulk-{self.uid()}-"
            self.prefixes.append(prefix)
        title, n = f"title {self.uid()}", 100
        batch = [
            Article(
                id=f"{prefix}{k}",
                text=f"{prefix} {k} " + self.text(40),
                title=title,
                origin="stress",
            )
            for k in range(n)
        ]
        op = {"op": "upsert", "prefix": prefix, "n": n, "title": title}
        return op, lambda: upsert_articles(self.db, batch) and None

    def rename(self) -> tuple[dict, Callable[[], None]]:
        old = self.rng.choice(self.labels)
        new = f"L{self.uid()}"
        self.labels[self.labels.index(old)] = new
        return {"op": "rename", "old": old, "new": new}, lambda: rename_label(self.db, old, new)

    def backup(self) -> tuple[dict, Callable[[], None]]:
        return {"op": "backup"}, lambda: backup_now(self.db, self.path, keep=3) and None

    def text(self, words: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(words))


def _with_note(ann, note: str):
    from dataclasses import replace

    return replace(ann, note=note)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- the parent: trials and checks ------------------------------------------------------------


@dataclass
class Figures:
    trials: int = 0
    acknowledged: int = 0  # operations acknowledged (single edits + bulk)
    acknowledged_bulk: int = 0
    lost: int = 0  # acknowledged operations whose effect is missing
    interrupted_bulk: int = 0  # kills that landed during a bulk operation
    bulk_rolled_back: int = 0
    bulk_committed_unacked: int = 0
    half_applied: int = 0
    unacked_single_committed: int = 0
    integrity_failures: int = 0
    bad_backups: int = 0
    open_failures: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        failures = (self.lost, self.half_applied, self.integrity_failures, self.bad_backups)
        return not any(failures) and not self.open_failures

    def lines(self) -> list[str]:
        return [
            f"trials run: {self.trials}",
            f"operations acknowledged: {self.acknowledged} "
            f"(bulk: {self.acknowledged_bulk}); lost: {self.lost}",
            f"kills during a bulk operation: {self.interrupted_bulk} "
            f"(rolled back: {self.bulk_rolled_back}, committed before the ack: "
            f"{self.bulk_committed_unacked}, half-applied: {self.half_applied})",
            f"single edits committed but not yet acknowledged at the kill: "
            f"{self.unacked_single_committed}",
            f"integrity_check failures: {self.integrity_failures}; bad backups: "
            f"{self.bad_backups}; reopen failures: {self.open_failures}",
        ]


def setup(db_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    db = open_db(db_path)
    ensure_default_labels(db)
    text = " ".join(rng.choice(WORDS) for _ in range(400))
    articles = [
        Article(id=f"base-{n}", text=f"{n} {text}", title=f"Base {n}", origin="setup")
        for n in range(5)
    ]
    upsert_articles(db, articles)
    db.close()


def run(
    trials: int,
    seed: int = 1,
    db_path: Path | None = None,
    max_delay: float = 0.6,
    report: Callable[[str], None] = print,
    fault: str = "",
) -> Figures:
    """Run ``trials`` kill-and-check rounds on one database; returns the figures."""
    rng = random.Random(seed)
    folder = db_path.parent if db_path else Path(tempfile.mkdtemp(prefix="stress-crash-"))
    db_path = db_path or folder / "stress.sqlite"
    setup(db_path, seed)
    checker = Checker(db_path)
    for trial in range(trials):
        log = folder / f"child-{trial}.log"
        kill_child(db_path, log, seed * 100_003 + trial, rng.uniform(0, max_delay), fault)
        checker.check(log.read_text())
        log.unlink()
        if (trial + 1) % 25 == 0:
            figures = checker.figures
            report(
                f"... {trial + 1} trials, {figures.acknowledged} acknowledged, {figures.lost} lost"
            )
    return checker.figures


def kill_child(db_path: Path, log: Path, seed: int, delay: float, fault: str = "") -> None:
    """Start the child, let it work ``delay`` seconds after it is ready, SIGKILL it."""
    with open(log, "w") as out:
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", str(db_path), "--seed", str(seed)]
            + (["--fault", fault] if fault else []),
            stdout=out,
        )
    deadline = time.monotonic() + 30
    while not log.read_text().startswith("R") and child.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.005)
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()


def parse_log(text: str) -> tuple[list[dict], dict | None]:
    """The acknowledged operations, and the one announced but not acknowledged (if any)."""
    acked: list[dict] = []
    pending: dict | None = None
    for line in text.splitlines():
        if line.startswith("B "):
            try:
                pending = json.loads(line[2:])
            except json.JSONDecodeError:  # cut mid-line by the kill: the call never started
                pending = None
        elif line == "A" and pending is not None:
            acked.append(pending)
            pending = None
    return acked, pending


class Checker:
    """Reopens the database after each kill and compares it with what was acknowledged."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.figures = Figures()
        db = open_db(db_path)
        self.base = read_state(db)  # the state before the next trial
        db.close()

    def check(self, log: str) -> None:
        acked, inflight = parse_log(log)
        self.figures.trials += 1
        try:
            db = open_db(self.db_path)  # recovery from the kill happens here
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            self.figures.open_failures += 1
            self.figures.problems.append(f"reopen failed: {exc}")
            return
        try:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                self.figures.integrity_failures += 1
            self.figures.bad_backups += count_bad_backups(self.db_path)
            state = read_state(db)
        finally:
            db.close()
        compare(self.base, state, acked, inflight, self.figures)
        self.base = state


def compare(
    base: State, state: State, acked: list[dict], inflight: dict | None, figures: Figures
) -> None:
    """Count what the database lacks of ``acked`` (applied to ``base``) in ``figures``."""
    figures.acknowledged += len(acked)
    figures.acknowledged_bulk += sum(op["op"] in BULK for op in acked)
    expected, last_op = base, {}
    for number, op in enumerate(acked):
        changes = apply(expected, op)
        expected = updated(expected, changes)
        last_op.update(dict.fromkeys(changes, number))
    touched = apply(expected, inflight) if inflight else {}
    bulk = inflight is not None and inflight["op"] in BULK
    figures.interrupted_bulk += bulk
    if state == expected:
        figures.bulk_rolled_back += bulk
        return
    if state == updated(expected, touched):
        figures.bulk_committed_unacked += bulk
        figures.unacked_single_committed += not bulk
        return
    differing = {k for k in state.keys() | expected.keys() if state.get(k) != expected.get(k)}
    outside = differing - set(touched)
    figures.lost += len({last_op.get(k, -1) for k in outside})
    if bulk and differing & set(touched):
        figures.half_applied += 1
    where = ", ".join(sorted(map(str, differing))[:3])
    doing = inflight["op"] if inflight else None
    figures.problems.append(f"{len(differing)} rows differ (e.g. {where}); in flight: {doing}")


def count_bad_backups(db_path: Path) -> int:
    bad = 0
    for backup in list_backups(db_path):
        conn = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            bad += conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
        except sqlite3.DatabaseError:
            bad += 1
        finally:
            conn.close()
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="the database to use (default: a temp file)")
    parser.add_argument(
        "--max-delay",
        type=float,
        default=0.6,
        help="seconds of work before the kill, at most (uniform)",
    )
    parser.add_argument("--fault", choices=["split-bulk"], default="")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        Child(args.child, args.seed, args.fault).run()
        return
    started = time.perf_counter()
    figures = run(args.trials, args.seed, args.db, args.max_delay, fault=args.fault)
    for line in figures.lines():
        print(line)
    for problem in figures.problems[:20]:
        print("problem:", problem)
    print(f"time: {time.perf_counter() - started:.0f} s")
    sys.exit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()
