"""Crash safety: SIGKILL the edit path at random moments, reopen, check that nothing is lost.

    .venv/bin/python tests/benchmarks/stress_crash.py [--trials 200] [--seed 1] [--db PATH]

Each trial starts a child process (this file with ``--child``) that runs the
app's store functions in a loop: single edits (insert, update and delete an
annotation, add an entity decision, set a review, add a tag), bulk operations
(``replace_annotations`` of up to 300 rows, ``upsert_articles`` of 100 articles,
``rename_label`` that rewrites every annotation carrying it, a backup) and two
compound user actions:

- import + re-anchor: the child writes a JSONL corpus of 20-40 stored articles,
  most with edited texts (words inserted and deleted before annotated spans, so
  offsets move), and calls ``workflow.import_corpus``, the path the window and
  the CLI use: it stores the changed texts and re-anchors their annotations;
- re-analysis + re-attach: the child saves a new analysis of 3-12 articles and
  re-attaches the analyst's entity decisions to it with ``workflow.save_results``
  (``save_analyses``, then ``reattach_decisions``), as ``analyze_pending`` does.

Before each call the child prints ``B <operation as JSON>``, after it returns
``A`` (flushed): an "A" is an acknowledgement, what the UI would show as saved.
The operation says what the call will change, so the parent can compute the
state it must leave. The parent kills the child with SIGKILL at a random moment,
reopens the database with ``open_db`` and checks:

- ``PRAGMA integrity_check`` is ok;
- the database equals the state after every acknowledged operation, or that
  state plus the one operation in flight (committed but not yet acknowledged);
  anything else is a lost edit or a half-applied operation (for example an
  article's new text committed without its annotations re-anchored);
- no wrong anchors: every annotation stored against its article's current text
  (same ``text_hash``) and not orphaned has ``text == article_text[start:end]``;
  and no stale anchors: an annotation stored against an older text of its
  article means that article's re-anchoring was lost (an import repairs such
  anchors first, in a transaction of its own, which the checker accepts);
- every backup file (not ``.partial``) passes ``integrity_check``.

The trials share one database, so each also tests recovery from the last
crash. Prints the figures at the end, and a row for the README's table; exits 1
if anything was lost, half-applied or wrongly anchored.

``--fault split-bulk`` checks the checker: the child then applies
``replace_annotations`` row by row (one transaction each), and the run must
report half-applied bulk operations. ``--fault split-reimport`` (and
``split-reanalyse``) make every store call inside the import (re-analysis)
commit on its own, so the texts and their re-anchoring are two transactions; the
run must report half-applied imports (re-analyses).

``--target reimport`` aims the kills: each lands at most ``--max-delay`` seconds
after the child starts its first, second or third import (an import takes about
25 ms here, a re-analysis 5 ms). ``--mix upkeep`` makes the child do mostly imports
and re-analyses. ``pytest`` runs ``tests/core/test_crash_safety.py``: untargeted
and targeted trials, and the ``split-reimport`` fault, which must be caught.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as with_fields
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from viewer.core.annotations.anchoring import reanchor_annotation  # noqa: E402
from viewer.core.annotations.corrections import reattach  # noqa: E402
from viewer.core.model import (  # noqa: E402
    Analysis,
    Annotation,
    Article,
    Entity,
    ImportReport,
    text_hash,
)
from viewer.core.store import open_db  # noqa: E402
from viewer.core.store.analyses import load_analysis, save_analyses  # noqa: E402
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
from viewer.core.tasks import analyse as workflow  # noqa: E402

BULK = {"replace", "upsert", "rename"}
COMPOUND = {"reimport": "import + re-anchor", "reanalyse": "re-analysis + re-attach"}
FAULTS = ["split-bulk", "split-reimport", "split-reanalyse"]
STATUSES = ("unreviewed", "in_progress", "done")
TAGS = [f"tag{n}" for n in range(12)]
WORDS = "minister said budget talks Berlin agreement reporters policy election economy".split()
BASE_ARTICLES = 40
MODEL = "stress-model"  # the analyses are synthetic: see Child.reanalyse
HASH = 16  # characters of a text hash kept in the state
CORPUS_FILE = "corpus.jsonl"

# The annotation columns the state keeps (timestamps, context, annotator left out).
ANN_FIELDS = ("article_id", "label", "note", "start", "end", "text", "kind", "text_hash",
              "anchor_status", "model_start", "model_end", "model_label")  # fmt: skip
KIND, TEXT_HASH = ANN_FIELDS.index("kind"), ANN_FIELDS.index("text_hash")

State = dict[tuple, Any]  # ("ann", id) -> fields; ("tag", article, tag) -> True; ...


# --- the state: read from the database, or computed from acknowledged operations ---------


def read_state(db) -> State:
    state: State = {}
    columns = ", ".join(f'"{name}"' for name in ("id", *ANN_FIELDS))
    for row in db.execute(f"SELECT {columns} FROM annotations"):
        state[("ann", row[0])] = ann_values(row[1:])
    for article_id, status, note in db.execute(
        "SELECT article_id, status, note FROM article_reviews"
    ):
        state[("review", article_id)] = [status, note]
    for article_id, tag in db.execute("SELECT article_id, tag FROM article_tags"):
        state[("tag", article_id, tag)] = True
    for ext_id, title, digest in db.execute("SELECT ext_id, title, text_hash FROM articles"):
        state[("article", ext_id)] = title
        state[("text", ext_id)] = digest[:HASH]
    for ext_id, pipeline in db.execute(
        "SELECT a.ext_id, an.pipeline FROM articles a JOIN analyses an ON an.id = a.analysis_id"
    ):
        state[("link", ext_id)] = pipeline
    analyses = {}
    for analysis_id, pipeline, digest in db.execute("SELECT id, pipeline, text_hash FROM analyses"):
        analyses[analysis_id] = state[("analysis", pipeline, digest[:HASH])] = []
    for analysis_id, start, end, label in db.execute(
        'SELECT analysis_id, start, "end", label FROM entities ORDER BY 1, 2, 3, 4'
    ):
        analyses[analysis_id].append([start, end, label])
    for (name,) in db.execute("SELECT name FROM labels"):
        state[("label", name)] = True
    return state


def ann_values(row) -> list:
    """An annotation's state entry, from its ANN_FIELDS columns."""
    values = list(row)
    values[TEXT_HASH] = values[TEXT_HASH][:HASH]
    return values


def ann_row(ann: Annotation) -> list:
    return ann_values(getattr(ann, name) for name in ANN_FIELDS)


def apply(state: State, op: dict) -> dict[tuple, Any]:
    """The keys an operation changes, with their new values (None: removed)."""
    changes: dict[tuple, Any] = {}
    for step in steps(state, op):
        changes.update(step)
    return changes


def steps(state: State, op: dict) -> list[dict[tuple, Any]]:
    """What an operation changes, in the transactions it may commit one after the other
    (each a whole: any other partial state is a half-applied operation)."""
    if op["op"] == "reimport" and op.get("repaired"):
        # The import first repairs anchors an earlier, interrupted import left on an
        # older text (its own transaction, complete in itself), then imports.
        return [{("ann", i): row for i, row in op["repaired"]}, _changes(state, op)]
    return [_changes(state, op)]


def _changes(state: State, op: dict) -> dict[tuple, Any]:
    kind = op["op"]
    changes: dict[tuple, Any] = {}
    if kind in ("insert", "decide"):
        return {("ann", op["id"]): op["row"]}
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
        for n, digest in enumerate(op["hashes"]):
            ext_id = f"{op['prefix']}{n}"
            changes[("article", ext_id)] = op["title"]
            changes.update(_new_text(state, ext_id, digest))
        return changes
    if kind == "rename":
        changes = {("label", op["old"]): None, ("label", op["new"]): True}
        for key, value in state.items():
            # rename_label rewrites the analyst's own spans, not entity decisions.
            if key[0] == "ann" and value[1] == op["old"] and value[KIND:][:1] in ([], ["span"]):
                changes[key] = [value[0], op["new"], *value[2:]]
        return changes
    if kind == "reimport":  # new texts (and titles), and their annotations re-anchored
        for ext_id, title, digest in op["articles"]:
            changes[("article", ext_id)] = title
            changes.update(_new_text(state, ext_id, digest))
        changes.update({("ann", i): row for i, row in op["anns"]})
        return changes
    if kind == "reanalyse":  # analyses saved and linked, and the decisions re-attached
        for ext_id, digest, entities in op["articles"]:
            changes[("analysis", op["pipeline"], digest)] = entities
            changes[("link", ext_id)] = op["pipeline"]
        changes.update({("ann", i): row for i, row in op["anns"]})
        return changes
    return changes  # backup: no change to the data


def _new_text(state: State, ext_id: str, digest: str) -> dict[tuple, Any]:
    """A stored text that changes loses its analysis link (it is analysed again)."""
    changes: dict[tuple, Any] = {("text", ext_id): digest}
    if state.get(("text", ext_id)) != digest and ("link", ext_id) in state:
        changes[("link", ext_id)] = None
    return changes


def updated(state: State, changes: dict[tuple, Any]) -> State:
    new = dict(state)
    for key, value in changes.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    return new


# --- synthetic news text, entities and analyst decisions ----------------------------------

PEOPLE = ["Anna Berg", "Tom Reed", "Maria Lopez", "Olaf Brandt", "Lena Fischer", "Jonas Weber"]
PLACES = ["Berlin", "Paris", "Brussels", "Hamburg", "Vienna", "Lisbon"]
ORGS = ["Reuters", "Siemens", "Eurostat", "Commerzbank", "Bundestag", "Greenpeace"]
ENTITY_LABELS = {
    **dict.fromkeys([name.split()[0] for name in PEOPLE], "PERSON"),
    **dict.fromkeys(PLACES, "GPE"),
    **dict.fromkeys(ORGS, "ORG"),
}
VERBS = ["said", "told reporters", "warned", "argued", "announced", "denied", "confirmed"]
FILLER = (
    "the budget talks would resume next week after a long night of negotiations over "
    "taxes pensions energy prices and the cost of new housing for young families in "
    "cities where rents have doubled since the last election"
).split()
NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+)*")


def news_text(rng: random.Random, number: int, sentences: int = 18) -> str:
    parts = [f"{number}."]
    for _ in range(sentences):
        clause = " ".join(rng.choice(FILLER) for _ in range(rng.randint(4, 10)))
        parts.append(
            f"{rng.choice(PEOPLE)} {rng.choice(VERBS)} in {rng.choice(PLACES)} that "
            f"{rng.choice(ORGS)} expects {clause}."
        )
    return " ".join(parts)


def fresh_entities(text: str, rng: random.Random) -> list[Entity]:
    """What a first analysis might find: most capitalised names."""
    return [
        Entity(m.start(), m.end(), ENTITY_LABELS.get(m.group().split()[0], "MISC"), m.group())
        for m in NAME.finditer(text)
        if rng.random() < 0.85
    ]


def changed_entities(text: str, previous: tuple[Entity, ...], rng: random.Random) -> list:
    """A new model's view of the same text: some spans shifted, merged, relabelled or gone."""
    out: list[Entity] = []
    i = 0
    while i < len(previous):
        e, r = previous[i], rng.random()
        nxt = previous[i + 1] if i + 1 < len(previous) else None
        if r < 0.1:  # not found any more
            pass
        elif r < 0.25 and nxt is not None and 0 <= nxt.start - e.end <= 40:  # merged
            out.append(_entity(text, e.start, nxt.end, e.label))
            i += 1
        elif r < 0.45:  # one boundary moved by a few characters
            start, end = e.start, e.end
            if rng.random() < 0.5:
                start = min(max(0, start + rng.choice([-4, -2, 1, 2])), end - 1)
            else:
                end = max(min(len(text), end + rng.choice([-2, -1, 2, 5])), start + 1)
            out.append(_entity(text, start, end, e.label))
        elif r < 0.55:  # another label
            out.append(_entity(text, e.start, e.end, rng.choice(["PERSON", "ORG", "GPE", "NORP"])))
        else:
            out.append(e)
        i += 1
    taken = [(e.start, e.end) for e in out]
    for e in fresh_entities(text, rng):  # a few new ones
        if rng.random() < 0.15 and all(e.end <= s or e.start >= t for s, t in taken):
            out.append(e)
    return sorted(out, key=lambda e: (e.start, e.end))


def _entity(text: str, start: int, end: int, label: str) -> Entity:
    return Entity(start, end, label, text[start:end])


def span_annotation(art, rng: random.Random, label: str, note: str, ann_id=None) -> Annotation:
    start = rng.randrange(0, len(art.text) - 30)
    end = start + rng.randrange(1, 30)
    return new_annotation(
        art.id,
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


def entity_decision(art, entity: Entity, rng: random.Random, note: str, ann_id=None):
    """An analyst's correction of a model entity: accepted, rejected, relabelled or resized."""
    action = rng.choice(["accepted", "rejected", "relabelled", "resized"])
    start, end = entity.start, entity.end
    if action == "resized":
        end = min(len(art.text), end + rng.randint(1, 6))
    label = rng.choice(["PERSON", "ORG", "GPE", "NORP"]) if action == "relabelled" else None
    return new_annotation(
        art.id,
        art.text,
        art.text_hash,
        start,
        end,
        kind="entity",
        action=action,
        label=label or entity.label,
        model_label=entity.label,
        model_start=entity.start,
        model_end=entity.end,
        note=note,
        id=ann_id,
    )


def edited_text(text: str, annotated: list[int], rng: random.Random, uid: str) -> str:
    """The text with words inserted and deleted, mostly just before annotated spans."""
    for n in range(rng.randint(1, 5)):
        if annotated and rng.random() < 0.7:
            at = text.rfind(" ", 0, max(0, rng.choice(annotated) - rng.randint(1, 40))) + 1
        else:
            at = text.rfind(" ", 0, rng.randrange(len(text))) + 1
        if n and rng.random() < 0.4:  # delete the word there
            stop = text.find(" ", at)
            text = text[:at] + (text[stop + 1 :] if stop != -1 else "")
        else:
            word = rng.choice(["reportedly", "on Tuesday", "Reuters", "again", f"rev{uid}"])
            text = text[:at] + word + " " + text[at:]
    return text


# --- the child: the app's edit path in a loop -----------------------------------------------


class Child:
    """Runs random operations on the database until killed, announcing each."""

    WEIGHTS = {
        "insert": 30,
        "update": 20,
        "delete": 10,
        "decide": 8,
        "review": 8,
        "tag": 8,
        "replace": 6,
        "upsert": 4,
        "rename": 3,
        "backup": 1,
        "reimport": 2,
        "reanalyse": 5,
    }
    # --mix upkeep: mostly the two compound actions (for the fault tests).
    UPKEEP = {"insert": 4, "decide": 4, "reimport": 10, "reanalyse": 10}

    def __init__(self, db_path: Path, seed: int, fault: str = "", mix: str = "all") -> None:
        self.path = db_path
        self.fault = fault
        self.weights = self.UPKEEP if mix == "upkeep" else self.WEIGHTS
        self.rng = random.Random(seed)
        self.seed = seed
        self.counter = 0
        self.db = open_db(db_path)
        self.corpus = db_path.parent / f"corpus-{seed}"
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

    def run(self, stop_after: int | None = None) -> None:
        say("R")
        names = list(self.weights)
        weights = list(self.weights.values())
        done = 0
        while stop_after is None or done < stop_after:
            op, call = getattr(self, self.rng.choices(names, weights)[0])()
            say("B " + json.dumps(op))
            call()
            say("A")
            done += 1

    def insert(self) -> tuple[dict, Callable[[], None]]:
        article_id = self.rng.choice(list(self.articles))
        ann_id, self.next_id = self.next_id, self.next_id + 1
        label, note = self.rng.choice(self.labels), f"note {self.uid()} <b>&'\""
        ann = span_annotation(self.articles[article_id], self.rng, label, note, ann_id)
        self.ann_ids.append(ann_id)
        op = {"op": "insert", "id": ann_id, "row": ann_row(ann)}
        return op, lambda: insert_annotation(self.db, ann) and None

    def decide(self) -> tuple[dict, Callable[[], None]]:
        """An entity decision (accept, reject, relabel, resize) on the article's analysis."""
        analysed = [a for a in self.articles.values() if a.analysis_id is not None]
        if not analysed:
            return self.insert()
        art = self.rng.choice(analysed)
        entities = load_analysis(self.db, art.analysis_id).entities
        if not entities:
            return self.insert()
        ann_id, self.next_id = self.next_id, self.next_id + 1
        entity = self.rng.choice(entities)
        ann = entity_decision(art, entity, self.rng, f"decided {self.uid()}", ann_id)
        self.ann_ids.append(ann_id)
        op = {"op": "decide", "id": ann_id, "row": ann_row(ann)}
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
        changed = [with_fields(a, note=note) for a in chosen]
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
        hashes = [a.text_hash[:HASH] for a in batch]
        op = {"op": "upsert", "prefix": prefix, "hashes": hashes, "title": title}
        return op, lambda: upsert_articles(self.db, batch) and None

    def rename(self) -> tuple[dict, Callable[[], None]]:
        old = self.rng.choice(self.labels)
        new = f"L{self.uid()}"
        self.labels[self.labels.index(old)] = new
        return {"op": "rename", "old": old, "new": new}, lambda: rename_label(self.db, old, new)

    def backup(self) -> tuple[dict, Callable[[], None]]:
        return {"op": "backup"}, lambda: backup_now(self.db, self.path, keep=3) and None

    def reimport(self) -> tuple[dict, Callable[[], None]]:
        """A corpus folder of edited stored articles, imported the way the window does it.

        The expected rows are what ``reanchor_annotation`` makes of every annotation
        not yet on the new text, for each article whose text changed: the anchoring
        itself is tested elsewhere; here it must all commit with the text, or not at all.
        Anchors an interrupted import left on an older text are repaired first.
        """
        uid = self.uid()
        chosen = self.rng.sample(sorted(self.articles), self.rng.randint(20, 40))
        repaired = self.repairs()
        records, articles, anns = [], [], []
        for article_id in chosen:
            art = get_article(self.db, article_id)
            current = [repaired.get(a.id, a) for a in annotations_for_article(self.db, article_id)]
            text = art.text
            if self.rng.random() < 0.85:  # else: same text, new title only
                text = edited_text(text, [a.start for a in current], self.rng, uid)
            digest, title = text_hash(text), f"{art.ext_id} {uid}"
            records.append({"id": art.ext_id, "title": title, "text": text})
            articles.append([art.ext_id, title, digest[:HASH]])
            if digest != art.text_hash:
                anns += [
                    [a.id, ann_row(reanchor_annotation(a, text, digest))]
                    for a in current
                    if a.text_hash != digest
                ]
        self.corpus.mkdir(exist_ok=True)
        lines = [json.dumps(r) + "\n" for r in records]
        (self.corpus / CORPUS_FILE).write_text("".join(lines), encoding="utf-8")

        def call() -> None:
            with self.split_if("split-reimport"):
                workflow.import_corpus(self.db, self.corpus, ImportReport())
            self.refresh(chosen)

        op = {"op": "reimport", "articles": articles, "anns": anns}
        if repaired:
            op["repaired"] = [[i, ann_row(a)] for i, a in repaired.items()]
        return op, call

    def repairs(self) -> dict[int, Annotation]:
        """Annotations left on an older text of their article, re-anchored to the stored
        text (what an import does first); none on a consistent database."""
        repaired = {}
        for article_id in sorted({row[3] for row in stale_anchors(self.db)}):
            art = get_article(self.db, article_id)
            for a in annotations_for_article(self.db, article_id):
                if a.text_hash != art.text_hash:
                    repaired[a.id] = reanchor_annotation(a, art.text, art.text_hash)
        return repaired

    def reanalyse(self) -> tuple[dict, Callable[[], None]]:
        """A new analysis of a few articles, saved and re-attached as analyze_pending does.

        The analyses are synthetic (entity spans over the real article text, some
        shifted, merged or relabelled compared with the previous analysis): the NLP
        model is not under test here, the store path is. The expected decisions are
        what ``corrections.reattach`` makes of them (after re-anchoring any left on an
        older text, in an article with decisions).
        """
        pipeline = f"p{self.uid()}"
        chosen = self.rng.sample(sorted(self.articles), self.rng.randint(3, 12))
        results, articles, anns = [], [], []
        for article_id in chosen:
            art = get_article(self.db, article_id)
            previous = load_analysis(self.db, art.analysis_id).entities
            entities = (
                changed_entities(art.text, previous, self.rng)
                if previous
                else fresh_entities(art.text, self.rng)
            )
            analysis = Analysis(tuple(entities))
            results.append((article_id, art.text_hash, art.text, analysis))
            spans = sorted([e.start, e.end, e.label] for e in entities)
            articles.append([art.ext_id, art.text_hash[:HASH], spans])
            current = annotations_for_article(self.db, article_id)
            if not any(a.kind != "span" for a in current):
                continue
            placed = {
                a.id: reanchor_annotation(a, art.text, art.text_hash)
                for a in current
                if a.text_hash != art.text_hash
            }
            anns += [[i, ann_row(a)] for i, a in placed.items()]
            decisions = [placed.get(a.id, a) for a in current if a.kind != "span"]
            new = reattach(decisions, analysis)
            anns += [[n.id, ann_row(n)] for n, old in zip(new, decisions, strict=True) if n != old]

        def call() -> None:
            with self.split_if("split-reanalyse"):
                # workflow.save_results: save_analyses, then reattach_decisions (the real path).
                state = workflow.RunState(len(results))
                workflow.save_results(self.db, MODEL, pipeline, results, state, workflow._quiet)
            self.refresh(chosen)

        return {"op": "reanalyse", "pipeline": pipeline, "articles": articles, "anns": anns}, call

    def refresh(self, article_ids: list[int]) -> None:
        for article_id in article_ids:
            self.articles[article_id] = get_article(self.db, article_id)

    @contextmanager
    def split_if(self, fault: str) -> Iterator[None]:
        if self.fault == fault:
            with every_store_call_commits(self.db):
                yield
        else:
            yield

    def text(self, words: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(words))


@contextmanager
def every_store_call_commits(db) -> Iterator[None]:
    """The fault: an ``atomic()`` inside another commits on its own instead of being a
    savepoint, so a compound action is as many transactions as the store calls it makes
    (whether or not the workflow wraps them in one ``atomic()``)."""
    outermost = db.atomic

    @contextmanager
    def split():
        if not db.conn.in_transaction:
            with outermost():
                yield db
            return
        db.conn.execute("COMMIT")  # what the enclosing block wrote so far
        db.conn.execute("BEGIN IMMEDIATE")
        yield db
        db.conn.execute("COMMIT")
        db.conn.execute("BEGIN IMMEDIATE")  # for the rest of the enclosing block

    db.atomic = split
    try:
        yield
    finally:
        del db.atomic


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- the parent: trials and checks ------------------------------------------------------------


@dataclass
class Kills:
    """Kills that landed during one kind of multi-row operation, and how each ended."""

    during: int = 0
    rolled_back: int = 0
    committed: int = 0  # committed just before the ack
    half_applied: int = 0

    def __str__(self) -> str:
        text = f"{self.during:,} ({self.rolled_back:,} rolled back, {self.committed:,} committed"
        text += " just before the ack"
        return text + (f", {self.half_applied:,} half-applied)" if self.half_applied else ")")


@dataclass
class Figures:
    trials: int = 0
    acknowledged: int = 0  # operations acknowledged (single edits + bulk + compound)
    acknowledged_bulk: int = 0
    acknowledged_reimport: int = 0
    acknowledged_reanalyse: int = 0
    lost: int = 0  # acknowledged operations whose effect is missing
    kills: dict[str, Kills] = field(
        default_factory=lambda: {"bulk": Kills(), "reimport": Kills(), "reanalyse": Kills()}
    )
    unacked_single_committed: int = 0
    wrong_anchors: int = 0  # annotations on their article's text whose text is not there
    stale_anchors: int = 0  # annotations left on an older text of their article
    integrity_failures: int = 0
    bad_backups: int = 0
    open_failures: int = 0
    child_failures: int = 0  # a child that ended before the kill (an error in the harness)
    problems: list[str] = field(default_factory=list)

    @property
    def interrupted_bulk(self) -> int:
        return self.kills["bulk"].during

    @property
    def bulk_rolled_back(self) -> int:
        return self.kills["bulk"].rolled_back

    @property
    def bulk_committed_unacked(self) -> int:
        return self.kills["bulk"].committed

    @property
    def half_applied(self) -> int:
        return sum(k.half_applied for k in self.kills.values())

    @property
    def ok(self) -> bool:
        failures = (self.lost, self.half_applied, self.wrong_anchors, self.stale_anchors,
                    self.integrity_failures, self.bad_backups, self.open_failures,
                    self.child_failures)  # fmt: skip
        return not any(failures)

    def lines(self) -> list[str]:
        return [
            f"trials run: {self.trials}",
            f"operations acknowledged: {self.acknowledged} (bulk: {self.acknowledged_bulk}, "
            f"imports: {self.acknowledged_reimport}, re-analyses: "
            f"{self.acknowledged_reanalyse}); lost: {self.lost}",
            f"kills during a bulk operation: {self.kills['bulk']}",
            f"kills during import + re-anchor: {self.kills['reimport']}",
            f"kills during re-analysis + re-attach: {self.kills['reanalyse']}",
            f"half-applied operations: {self.half_applied}",
            f"single edits committed but not yet acknowledged at the kill: "
            f"{self.unacked_single_committed}",
            f"wrong anchors: {self.wrong_anchors}; stale anchors (left on an older text): "
            f"{self.stale_anchors}",
            f"integrity_check failures: {self.integrity_failures}; bad backups: "
            f"{self.bad_backups}; reopen failures: {self.open_failures}; children that "
            f"ended before the kill: {self.child_failures}",
        ]

    TABLE_HEADER = (
        "| trials | operations acknowledged | lost | kills during a bulk operation "
        "| kills during import + re-anchor | kills during re-analysis + re-attach "
        "| half-applied | wrong anchors | integrity failures |"
    )

    def table_row(self) -> str:
        acked = (
            f"{self.acknowledged:,} ({self.acknowledged_bulk:,} bulk, "
            f"{self.acknowledged_reimport:,} imports, {self.acknowledged_reanalyse:,} "
            "re-analyses)"
        )
        cells = [self.trials, acked, self.lost, self.kills["bulk"], self.kills["reimport"],
                 self.kills["reanalyse"], self.half_applied, self.wrong_anchors,
                 self.integrity_failures + self.bad_backups]  # fmt: skip
        return "| " + " | ".join(map(str, cells)) + " |"


def setup(db_path: Path, seed: int) -> None:
    """Base articles with an analysis, the analyst's spans and entity decisions on them."""
    rng = random.Random(seed)
    db = open_db(db_path)
    ensure_default_labels(db)
    labels = [r[0] for r in db.execute("SELECT name FROM labels")]
    articles = [
        Article(id=f"base-{n}", text=news_text(rng, n), title=f"Base {n}", origin="setup")
        for n in range(BASE_ARTICLES)
    ]
    ids = upsert_articles(db, articles)
    stored = [get_article(db, i) for i in ids]
    results = [
        (a.id, a.text_hash, a.text, Analysis(tuple(fresh_entities(a.text, rng)))) for a in stored
    ]
    save_analyses(db, MODEL, "setup", results)
    for art, (*_, analysis) in zip(stored, results, strict=True):
        for n in range(5):
            insert_annotation(db, span_annotation(art, rng, rng.choice(labels), f"setup {n}"))
        for entity in rng.sample(analysis.entities, min(4, len(analysis.entities))):
            insert_annotation(db, entity_decision(art, entity, rng, "setup"))
    db.close()


def run(
    trials: int,
    seed: int = 1,
    db_path: Path | None = None,
    max_delay: float = 0.6,
    report: Callable[[str], None] = print,
    fault: str = "",
    mix: str = "all",
    target: str = "",
) -> Figures:
    """Run ``trials`` kill-and-check rounds on one database; returns the figures.

    With ``target`` (an operation name), each kill comes at most ``max_delay``
    seconds after the child starts its first, second or third such operation.
    """
    rng = random.Random(seed)
    folder = db_path.parent if db_path else Path(tempfile.mkdtemp(prefix="stress-crash-"))
    db_path = db_path or folder / "stress.sqlite"
    setup(db_path, seed)
    checker = Checker(db_path)
    for trial in range(trials):
        child_seed = seed * 100_003 + trial
        moment = Moment(rng.uniform(0, max_delay), target, rng.randint(1, 3))
        log, code = kill_child(db_path, child_seed, moment, fault, mix)
        if code != -signal.SIGKILL:
            checker.figures.child_failures += 1
            checker.figures.problems.append(f"child {child_seed} ended by itself ({code})")
        checker.check(log)
        shutil.rmtree(folder / f"corpus-{child_seed}", ignore_errors=True)
        if (trial + 1) % 25 == 0:
            figures = checker.figures
            report(
                f"... {trial + 1} trials, {figures.acknowledged} acknowledged, {figures.lost} lost"
            )
    return checker.figures


@dataclass(frozen=True)
class Moment:
    """When to kill: ``delay`` seconds after the child is ready, or after it starts
    its ``nth`` operation named ``target``."""

    delay: float
    target: str = ""
    nth: int = 1


def kill_child(
    db_path: Path, seed: int, moment: Moment, fault: str = "", mix: str = "all"
) -> tuple[str, int]:
    """Start the child, SIGKILL it at ``moment``; returns what it printed and its exit status.

    A thread reads the child's output as it comes (so the child never waits on a
    full pipe) and says when the child is ready, or has announced the target
    operation; what was written to the pipe before the kill is read after it.
    """
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", str(db_path), "--seed", str(seed), "--mix", mix]
        + (["--fault", fault] if fault else []),
        stdout=subprocess.PIPE,
    )
    chunks: list[bytes] = []
    start = threading.Event()  # the moment the delay counts from
    announced = f'B {{"op": "{moment.target}"'.encode()

    def read() -> None:
        assert child.stdout is not None
        seen = 0
        for line in child.stdout:
            chunks.append(line)
            if moment.target:
                seen += line.startswith(announced)
                if seen == moment.nth:
                    start.set()
            elif line == b"R\n":
                start.set()
        start.set()  # the child ended by itself: nothing more will come

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    start.wait(timeout=120)
    time.sleep(moment.delay)  # the random moment of the kill
    os.kill(child.pid, signal.SIGKILL)
    code = child.wait()
    reader.join()
    assert child.stdout is not None
    child.stdout.close()
    return b"".join(chunks).decode("utf-8", "replace"), code


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
        self.seen_wrong: set[tuple] = set()  # anchors already counted (they stay wrong)
        self.seen_stale: set[tuple] = set()
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
            self.check_anchors(db)
            state = read_state(db)
        finally:
            db.close()
        compare(self.base, state, acked, inflight, self.figures)
        self.base = state

    def check_anchors(self, db) -> None:
        """Count wrong and stale anchors not seen before (they stay until re-anchored)."""
        wrong = [r for r in wrong_anchors(db) if (r[0], r[1], r[2], r[5]) not in self.seen_wrong]
        self.seen_wrong.update((r[0], r[1], r[2], r[5]) for r in wrong)
        self.figures.wrong_anchors += len(wrong)
        if wrong:
            ann_id, start, end, text, article_text, _ = wrong[0]
            self.figures.problems.append(
                f"{len(wrong)} wrong anchors, e.g. annotation {ann_id} is {text!r} at "
                f"{start}-{end}, the text there is {article_text[start:end]!r}"
            )
        stale = [r for r in stale_anchors(db) if r not in self.seen_stale]
        self.seen_stale.update(stale)
        self.figures.stale_anchors += len(stale)
        if stale:
            articles = len({r[3] for r in stale})
            self.figures.problems.append(
                f"{len(stale)} stale anchors on {articles} articles: annotations left on an "
                f"older text of their article (its re-anchoring was lost), e.g. annotation "
                f"{stale[0][0]}"
            )


def wrong_anchors(db) -> list[tuple]:
    """Annotations on their article's current text, not orphaned, whose text is not there."""
    rows = db.execute(
        'SELECT an.id, an.start, an."end", an.text, a.text, a.text_hash FROM annotations an '
        "JOIN articles a ON a.id = an.article_id "
        "WHERE an.text_hash = a.text_hash AND an.anchor_status != 'orphaned'"
    )
    return [row for row in rows if row[3] != row[4][row[1] : row[2]]]


def stale_anchors(db) -> list[tuple]:
    """Annotations whose offsets refer to another text than their article's.

    Rows of (annotation id, its text hash, its article's text hash, article id).
    """
    return db.execute(
        "SELECT an.id, an.text_hash, a.text_hash, a.id FROM annotations an "
        "JOIN articles a ON a.id = an.article_id WHERE an.text_hash != a.text_hash"
    ).fetchall()


def compare(
    base: State, state: State, acked: list[dict], inflight: dict | None, figures: Figures
) -> None:
    """Count what the database lacks of ``acked`` (applied to ``base``) in ``figures``."""
    figures.acknowledged += len(acked)
    figures.acknowledged_bulk += sum(op["op"] in BULK for op in acked)
    figures.acknowledged_reimport += sum(op["op"] == "reimport" for op in acked)
    figures.acknowledged_reanalyse += sum(op["op"] == "reanalyse" for op in acked)
    expected, last_op = base, {}
    for number, op in enumerate(acked):
        changes = apply(expected, op)
        expected = updated(expected, changes)
        last_op.update(dict.fromkeys(changes, number))
    touched = apply(expected, inflight) if inflight else {}
    doing = inflight["op"] if inflight else None
    group = "bulk" if doing in BULK else doing if doing in COMPOUND else None
    kills = figures.kills[group] if group else None
    if kills:
        kills.during += 1
    if state == expected:
        if kills:
            kills.rolled_back += 1
        return
    if state == updated(expected, touched):
        if kills:
            kills.committed += 1
        else:
            figures.unacked_single_committed += 1
        return
    if inflight and state in list(leading_steps(expected, inflight)):
        if kills:
            kills.rolled_back += 1  # only a complete step of its own before it committed
        return
    differing = {k for k in state.keys() | expected.keys() if state.get(k) != expected.get(k)}
    outside = differing - set(touched)
    figures.lost += len({last_op.get(k, -1) for k in outside})
    if outside:
        where = ", ".join(sorted(map(str, outside))[:3])
        figures.problems.append(f"{len(outside)} rows differ (e.g. {where}); in flight: {doing}")
    if differing & set(touched) and not kills:  # one row, neither before nor after
        where = ", ".join(sorted(map(str, differing & set(touched))))
        figures.problems.append(f"{doing} in flight left {where} with other values")
    if kills and differing & set(touched):
        kills.half_applied += 1
        changing = {k for k, value in touched.items() if expected.get(k) != value}
        done = {k for k in changing if state.get(k) == touched[k]}
        missing = sorted(map(str, changing - done))[:2]
        figures.problems.append(
            f"half-applied {doing}: {len(done)} of its {len(changing)} changed rows "
            f"committed (e.g. {', '.join(sorted(map(str, done))[:2])}; missing "
            f"{', '.join(missing)})"
        )


def leading_steps(state: State, op: dict) -> Iterator[State]:
    """The states after each whole step of ``op`` but the last."""
    for step in steps(state, op)[:-1]:
        state = updated(state, step)
        yield state


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
    parser.add_argument("--fault", choices=FAULTS, default="")
    parser.add_argument(
        "--mix",
        choices=["all", "upkeep"],
        default="all",
        help="upkeep: mostly imports and re-analyses",
    )
    parser.add_argument(
        "--target",
        choices=sorted(Child.WEIGHTS),
        default="",
        help="kill at most --max-delay seconds after the child starts this operation",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stop-after", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        Child(args.child, args.seed, args.fault, args.mix).run(args.stop_after)
        return
    started = time.perf_counter()
    figures = run(
        args.trials,
        args.seed,
        args.db,
        args.max_delay,
        fault=args.fault,
        mix=args.mix,
        target=args.target,
    )
    for line in figures.lines():
        print(line)
    for problem in figures.problems[:20]:
        print("problem:", problem)
    print(f"time: {time.perf_counter() - started:.0f} s")
    print()
    print(Figures.TABLE_HEADER)
    print("| --- " * Figures.TABLE_HEADER.count(" | ") + "| --- |")
    print(figures.table_row())
    sys.exit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()
