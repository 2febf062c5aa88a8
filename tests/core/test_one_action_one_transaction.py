"""One user action is one transaction (issue 11, defects 4-6).

4. a re-import's new texts and their annotations' new anchors commit together, and
   anchors left stale by an older version are repaired at the next import;
5. a re-analysis re-attaches decisions in the transaction that read them and writes
   only what it computed, so edits made meanwhile in another window survive;
6. model A -> B -> A leaves every decision on its own entity: a decision is attached
   by its own span, never by a span another model run wrote into it.

Run as a script to measure the repair check on a database of 100,000 annotations:
``.venv/bin/python tests/core/test_one_action_one_transaction.py``.
"""

from __future__ import annotations

import csv
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from viewer.core.annotations import upkeep as annotation_upkeep
from viewer.core.annotations.corrections import apply_corrections, reattach
from viewer.core.model import Analysis, Annotation, Article, Entity, ImportReport, text_hash
from viewer.core.nlp.pipeline import AnalyzerKey
from viewer.core.store import open_db
from viewer.core.store.analyses import load_analysis, save_analyses
from viewer.core.store.annotations import (
    annotations_for_article,
    annotations_to_review,
    get_annotation,
    insert_annotation,
    new_annotation,
    stale_anchor_article_ids,
    update_annotation,
)
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.tasks.analyse import analyze_pending, import_corpus
from viewer.core.tasks.export import export_csv

REPO = Path(__file__).resolve().parents[2]
TEXT = 'Angela Merkel met Emmanuel Macron in Paris.\n"We agreed," Merkel said.\n'
EDITED = "Update: the meeting ran late.\n" + TEXT


def write_corpus(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    line = json.dumps({"id": "a", "title": "Summit", "text": text}) + "\n"
    (folder / "c.jsonl").write_text(line, encoding="utf-8")
    return folder


def annotate(db, article_id: int, part: str, **values) -> Annotation:
    art = get_article(db, article_id)
    start = art.text.index(part)
    values.setdefault("kind", "span")
    values.setdefault("action", "added")
    return insert_annotation(
        db, new_annotation(article_id, art.text, art.text_hash, start, start + len(part), **values)
    )


def assert_anchored_in_stored_text(db, article_id: int) -> None:
    """Every annotation refers to the article's stored text, at the right offsets."""
    art = get_article(db, article_id)
    for ann in annotations_for_article(db, article_id):
        assert ann.text_hash == art.text_hash, f"{ann.text!r} is anchored in another text"
        if ann.anchor_status != "orphaned":
            assert art.text[ann.start : ann.end] == ann.text


# -- 4. re-import and re-anchor are one commit ------------------------------------------


@pytest.fixture
def imported(tmp_path):
    """A database with one imported article and two annotations on it."""
    corpus = write_corpus(tmp_path / "corpus", TEXT)
    db = open_db(tmp_path / "db.sqlite")
    [aid] = import_corpus(db, corpus, ImportReport())
    annotate(db, aid, "Macron", label="Claim")
    annotate(db, aid, "Paris", label="Place", note="the venue")
    return db, corpus, aid


def test_reimport_and_reanchor_are_one_commit_a_crash_leaves_neither(imported, monkeypatch):
    db, corpus, aid = imported
    write_corpus(corpus, EDITED)

    def crash(*args, **kwargs):
        raise RuntimeError("killed while re-anchoring")

    monkeypatch.setattr(annotation_upkeep, "reanchor_annotation", crash)
    with pytest.raises(RuntimeError):
        import_corpus(db, corpus, ImportReport())
    # Rolled back together: the old text and the old anchors, which agree.
    assert get_article(db, aid).text == TEXT
    assert_anchored_in_stored_text(db, aid)

    monkeypatch.undo()
    report = ImportReport()
    import_corpus(db, corpus, report)
    assert get_article(db, aid).text == EDITED
    assert_anchored_in_stored_text(db, aid)
    assert {a.anchor_status for a in annotations_for_article(db, aid)} == {"moved"}
    [message] = [m for m in report.messages if "re-attached" in m.message]
    assert "2 moved" in message.message and message.path.endswith("c.jsonl:1")


CHILD = """
import sys, time
from viewer.core.annotations import upkeep as annotation_upkeep
from viewer.core.model import ImportReport
from viewer.core.store import open_db
from viewer.core.tasks.analyse import import_corpus

def hang(*args, **kwargs):
    print("re-anchoring", flush=True)  # the new text is written by now: kill me here
    time.sleep(60)

annotation_upkeep.reanchor_annotation = hang
import_corpus(open_db(sys.argv[1]), sys.argv[2], ImportReport())
"""


def test_reimport_and_reanchor_are_one_commit_sigkill_between_them(imported, tmp_path):
    db, corpus, aid = imported
    write_corpus(corpus, EDITED)
    argv = [sys.executable, "-c", CHILD, str(tmp_path / "db.sqlite"), str(corpus)]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=REPO) as child:
        try:
            ready, _, _ = select.select([child.stdout], [], [], 60)
            assert ready and child.stdout.readline().strip() == "re-anchoring"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
    assert get_article(db, aid).text == TEXT  # the uncommitted text died with the process
    assert_anchored_in_stored_text(db, aid)
    import_corpus(db, corpus, ImportReport())  # the next open does it all
    assert get_article(db, aid).text == EDITED
    assert_anchored_in_stored_text(db, aid)


def test_reimport_and_reanchor_are_one_commit_stale_anchors_are_repaired(imported):
    """A database left by an older version (the text committed, the anchors not) is
    repaired by the next import, though the text is no longer 'changed'."""
    db, corpus, aid = imported
    write_corpus(corpus, EDITED)
    article = Article(id="a", text=EDITED, title="Summit", origin=f"{corpus / 'c.jsonl'}:1")
    upsert_articles(db, [article])  # what the old import committed before it was killed
    assert stale_anchor_article_ids(db) == [aid]

    report = ImportReport()
    import_corpus(db, corpus, report)
    assert_anchored_in_stored_text(db, aid)
    assert stale_anchor_article_ids(db) == []
    macron = next(a for a in annotations_for_article(db, aid) if a.label == "Claim")
    assert (macron.text, macron.anchor_status) == ("Macron", "moved")
    [message] = [m for m in report.messages if "re-attached" in m.message]
    assert "older text" in message.message and "2 moved" in message.message
    assert message.path.endswith("c.jsonl:1")


def test_reimport_and_reanchor_are_one_commit_repair_is_a_read_when_consistent(imported):
    db, _, aid = imported
    before = db.conn.total_changes
    assert annotation_upkeep.repair_stale_anchors(db) == Counter()
    assert db.conn.total_changes == before and not db.conn.in_transaction
    # An annotation made against a text replaced meanwhile (a window showing the old
    # text) is found the same way, and placed in the stored text.
    upsert_articles(db, [Article(id="a", text=EDITED, title="Summit", origin="x")])
    start = TEXT.index("Merkel said")
    insert_annotation(db, new_annotation(aid, TEXT, text_hash(TEXT), start, start + 6,
                                         kind="span", action="added", label="Who"))  # fmt: skip
    counts = annotation_upkeep.repair_stale_anchors(db)
    assert counts == Counter(moved=3)
    assert_anchored_in_stored_text(db, aid)


# -- 5. re-analysis never overwrites concurrent edits ------------------------------------


class ScriptedAnalyzer:
    """Stands in for spaCy: each text gets the entities ``script(text)`` names."""

    def __init__(self, name: str, script):
        self.key = AnalyzerKey(f"scripted-{name}@1", "1")
        self.script = script
        self.texts_seen = 0

    def analyze_many(self, texts, n_process: int = 1, should_stop=None):
        for text in texts:
            self.texts_seen += 1
            yield Analysis(tuple(self.script(text)))


def entity(text: str, part: str, label: str, nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return Entity(start, start + len(part), label, part)


NAMES = [f"Person{i} Name{i}" for i in range(12)]
CROWD = " and ".join(NAMES) + " met.\n"


def whole_names(text: str) -> list[Entity]:
    return [entity(text, n, "PERSON") for n in NAMES]


def surnames(text: str) -> list[Entity]:  # a new model drops the first names
    return [entity(text, n.split()[1], "PERSON") for n in NAMES]


def decide_all(db, article_id: int) -> list[Annotation]:
    """An accept decision on every model entity, as the window stores it."""
    art = get_article(db, article_id)
    out = []
    for e in load_analysis(db, art.analysis_id).entities:
        out.append(insert_annotation(db, new_annotation(
            article_id, art.text, art.text_hash, e.start, e.end, kind="entity",
            action="accepted", label=e.label, model_label=e.label, model_start=e.start,
            model_end=e.end)))  # fmt: skip
    return out


def test_reanalysis_keeps_edits_made_meanwhile_in_another_window(tmp_path, monkeypatch):
    path = tmp_path / "db.sqlite"
    analysing, window = open_db(path), open_db(path)
    [aid] = upsert_articles(analysing, [Article(id="a", text=CROWD, title="t", origin="x")])
    analyze_pending(analysing, ScriptedAnalyzer("A", whole_names))
    decisions = decide_all(window, aid)

    window.execute("PRAGMA busy_timeout = 0")  # find out at once whether it must wait
    acknowledged: dict[int, tuple[str, str]] = {}
    waiting: list[tuple[int, str, str]] = []

    def edit(ann_id: int, label: str, note: str) -> None:
        update_annotation(window, ann_id, label=label, note=note)
        acknowledged[ann_id] = (label, note)  # the window shows it as saved

    real_reattach = annotation_upkeep.reattach

    def reattach_while_the_analyst_edits(annotations, analysis):
        # Between the re-analysis's read of the decisions and its write: the other
        # window relabels every decision and writes a note on it.
        for i, ann in enumerate(decisions):
            try:
                edit(ann.id, f"LABEL{i}", f"checked {i}")
            except sqlite3.OperationalError as exc:  # locked: it would wait, then write
                assert "locked" in str(exc)
                waiting.append((ann.id, f"LABEL{i}", f"checked {i}"))
        return real_reattach(annotations, analysis)

    monkeypatch.setattr(annotation_upkeep, "reattach", reattach_while_the_analyst_edits)
    analyze_pending(analysing, ScriptedAnalyzer("B", surnames))
    window.execute("PRAGMA busy_timeout = 10000")
    for args in waiting:  # the waiting window gets the lock once the re-analysis commits
        edit(*args)

    assert len(acknowledged) == len(NAMES)
    for ann_id, (label, note) in acknowledged.items():
        stored = get_annotation(analysing, ann_id)
        assert (stored.label, stored.note) == (label, note), "an acknowledged edit was undone"
    # ...and the re-attachment is there too: every decision follows its surname.
    art = get_article(analysing, aid)
    for ann in annotations_for_article(analysing, aid):
        assert art.text[ann.model_start : ann.model_end] == ann.text.split()[1]
        assert ann.anchor_status == "exact"


def test_reanalysis_and_reattachment_are_one_commit(tmp_path, monkeypatch):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="a", text=CROWD, title="t", origin="x")])
    analyze_pending(db, ScriptedAnalyzer("A", whole_names))
    first = get_article(db, aid).analysis_id
    decide_all(db, aid)

    def crash(*args, **kwargs):
        raise RuntimeError("killed while re-attaching")

    monkeypatch.setattr(annotation_upkeep, "reattach", crash)
    with pytest.raises(RuntimeError):
        analyze_pending(db, ScriptedAnalyzer("B", surnames))
    # Neither the new analysis's link nor half the re-attachment was committed.
    assert get_article(db, aid).analysis_id == first
    assert all(
        (a.model_start, a.model_end) == (a.start, a.end) for a in annotations_for_article(db, aid)
    )


def test_analysis_of_a_text_replaced_meanwhile_is_not_linked(tmp_path):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="a", text=TEXT, title="t", origin="x")])
    old = get_article(db, aid)
    upsert_articles(db, [Article(id="a", text=EDITED, title="t", origin="x")])  # another window
    stale = Analysis((entity(TEXT, "Paris", "GPE"),))
    assert save_analyses(db, "m", "p", [(aid, old.text_hash, old.text, stale)]) == []
    assert get_article(db, aid).analysis_id is None  # still pending, for the new text


# -- 6. model A -> B -> A keeps decisions on their own entities --------------------------

SUMMIT = "Angela Merkel in Berlin met Emmanuel Macron on Monday, officials said.\n"


def model_a(text: str) -> list[Entity]:
    return [entity(text, "Angela Merkel", "PERSON"), entity(text, "Berlin", "GPE"),
            entity(text, "Emmanuel Macron", "PERSON"), entity(text, "Monday", "DATE")]  # fmt: skip


def model_b(text: str) -> list[Entity]:
    """Spans shifted and merged: "Merkel in Berlin" is one place, Macron lost his first
    name, the date took the comma."""
    return [entity(text, "Merkel in Berlin", "GPE"), entity(text, "Macron", "PERSON"),
            entity(text, "Monday,", "DATE")]  # fmt: skip


def on(text: str, ent: Entity, action: str, ann_id: int, **values) -> Annotation:
    """A decision on a model entity, as the window makes it."""
    start, end = values.pop("span", (ent.start, ent.end))
    values.setdefault("label", ent.label)
    return new_annotation(
        1, text, text_hash(text), start, end,
        kind="entity", action=action, model_label=ent.label, model_start=ent.start,
        model_end=ent.end, id=ann_id, updated_at=f"2025-01-01T00:00:0{ann_id}", **values,
    )  # fmt: skip


def applied(view) -> dict[str, tuple[str, str, str | None]]:
    """Each shown or rejected entity's text -> (label, origin, decision)."""
    out = {e.text: (e.label, e.origin, e.decision) for e in view.entities}
    out.update({e.text: (e.label, "model", "rejected") for e in view.rejected_entities})
    return out


def summit_decisions() -> list[Annotation]:
    merkel, berlin, macron, monday = model_a(SUMMIT)
    on_monday = SUMMIT.index("on Monday")
    return [
        on(SUMMIT, merkel, "rejected", 2),  # the later decision: it would win a tie
        on(SUMMIT, berlin, "accepted", 1),
        on(SUMMIT, macron, "relabelled", 3, label="POLITICIAN"),
        on(SUMMIT, monday, "resized", 4, span=(on_monday, on_monday + len("on Monday"))),
    ]


def test_model_a_b_a_keeps_each_decision_on_its_own_entity():
    a, b = Analysis(tuple(model_a(SUMMIT))), Analysis(tuple(model_b(SUMMIT)))
    decisions = summit_decisions()
    assert applied(apply_corrections(a, decisions)) == {
        "Angela Merkel": ("PERSON", "model", "rejected"),
        "Berlin": ("GPE", "model", "accepted"),
        "Emmanuel Macron": ("POLITICIAN", "model", "relabelled"),
        "on Monday": ("DATE", "model", "resized"),
    }

    in_b = reattach(decisions, b)
    assert applied(apply_corrections(b, in_b)) == {
        # Mostly other text for both the rejection and the acceptance: neither applies.
        "Merkel in Berlin": ("GPE", "model", None),
        "Macron": ("POLITICIAN", "model", "relabelled"),  # the same name, shorter
        "on Monday": ("DATE", "model", "resized"),  # "Monday," is the one it resized
    }
    merkel, berlin, macron, monday = in_b
    assert merkel.anchor_status == berlin.anchor_status == "orphaned"  # listed for review
    assert (merkel.start, merkel.end, merkel.text) == (0, 13, "Angela Merkel")  # own span kept
    assert (macron.model_start, macron.model_end, macron.anchor_status) == (37, 43, "exact")
    assert (monday.model_start, monday.model_end) == (47, 53)  # the resized entity, kept

    back_in_a = reattach(in_b, a)
    assert applied(apply_corrections(a, back_in_a)) == applied(apply_corrections(a, decisions))
    assert [d.anchor_status for d in back_in_a] == ["exact"] * 4
    assert [(d.model_start, d.model_end) for d in back_in_a] == [
        (d.model_start, d.model_end) for d in decisions
    ]


def test_model_a_b_a_no_decision_lands_on_another_entitys_text():
    """After each step, a model entity that is mostly not any attached decision's own
    text is shown exactly as the model gave it: no decision moved onto it."""
    a, b = Analysis(tuple(model_a(SUMMIT))), Analysis(tuple(model_b(SUMMIT)))
    state = summit_decisions()
    for analysis in (a, b, a, b, a):
        state = reattach(state, analysis)
        view = apply_corrections(analysis, state)
        attached = [d for d in state if d.anchor_status != "orphaned"]
        untouched = {(e.start, e.end, e.label) for e in view.entities if e.decision is None}
        for m in analysis.entities:
            overlaps = [min(m.end, d.end) - max(m.start, d.start) for d in attached]
            if all(2 * o < m.end - m.start for o in overlaps):
                assert (m.start, m.end, m.label) in untouched, m
        rejected = {e.text for e in view.rejected_entities}
        assert rejected == ({"Angela Merkel"} if analysis is a else set())


def test_model_a_b_a_through_the_store_and_the_entities_export(tmp_path):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="a", text=SUMMIT, title="t", origin="x")])
    first_a, b, again_a = (ScriptedAnalyzer(n, s) for n, s in
                           (("A", model_a), ("B", model_b), ("A", model_a)))  # fmt: skip
    analyze_pending(db, first_a)
    for d in summit_decisions():
        insert_annotation(db, replace(d, article_id=aid, id=None))

    def exported() -> dict[str, tuple[str, str]]:
        out = tmp_path / "entities.csv"
        export_csv(db, out, "entities", raw=True)
        with out.open(encoding="utf-8", newline="") as fh:
            return {r["text"]: (r["label"], r["decision"]) for r in csv.DictReader(fh)}

    assert exported() == {"Berlin": ("GPE", "accepted"),
                          "Emmanuel Macron": ("POLITICIAN", "relabelled"),
                          "on Monday": ("DATE", "resized")}  # fmt: skip

    analyze_pending(db, b)
    assert exported() == {"Merkel in Berlin": ("GPE", ""),
                          "Macron": ("POLITICIAN", "relabelled"),
                          "on Monday": ("DATE", "resized")}  # fmt: skip
    review = {a.text: a.anchor_status for a in annotations_to_review(db)}
    assert review == {"Angela Merkel": "orphaned", "Berlin": "orphaned"}

    analyze_pending(db, again_a)  # the cached analysis of A: linked, not run again
    assert again_a.texts_seen == 0
    assert exported() == {"Berlin": ("GPE", "accepted"),
                          "Emmanuel Macron": ("POLITICIAN", "relabelled"),
                          "on Monday": ("DATE", "resized")}  # fmt: skip
    assert annotations_to_review(db) == []
    assert_anchored_in_stored_text(db, aid)


# -- measuring the repair check (run this file as a script) ------------------------------


def build_big_db(path: Path, articles: int, per_article: int, chars: int) -> None:
    db = open_db(path)
    filler = ("The minister said on Tuesday that the plan would go ahead. " * 200)[:chars]
    batch = [Article(id=f"a{i}", text=f"Story {i}. {filler}", title=f"t{i}", origin="bench")
             for i in range(articles)]  # fmt: skip
    upsert_articles(db, batch)
    rows = []
    for art_id in range(1, articles + 1):
        art = get_article(db, art_id)
        for k in range(per_article):
            start = (k * 37) % (len(art.text) - 20)
            ann = new_annotation(art_id, art.text, art.text_hash, start, start + 12,
                                 kind="span", action="added", label="L", annotator="bench",
                                 created_at="2025", updated_at="2025")  # fmt: skip
            rows.append(ann.__dict__ | {"id": None})
    with db.atomic():
        db["annotations"].insert_all(rows, batch_size=5000)
    db.close()


def measure(articles: int, per_article: int, chars: int, folder: Path) -> None:
    path = folder / f"bench-{articles}x{per_article}-{chars}.sqlite"
    if not path.exists():
        build_big_db(path, articles, per_article, chars)
    db = open_db(path)
    total = db.execute("SELECT count(*) FROM annotations").fetchone()[0]
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT DISTINCT n.article_id FROM "
        "(SELECT DISTINCT article_id, text_hash FROM annotations) AS n "
        "JOIN articles AS a ON a.id = n.article_id WHERE a.text_hash != n.text_hash"
    ).fetchall()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        annotation_upkeep.repair_stale_anchors(db)
        times.append(time.perf_counter() - t0)
    size = os.path.getsize(path) / 2**20
    best, worst = min(times) * 1000, max(times) * 1000
    print(f"{total:,} annotations on {articles:,} articles of {chars:,} chars ({size:.0f} MiB): "
          f"repair check {best:.0f} ms best, {worst:.0f} ms worst of 5")  # fmt: skip
    print("  plan: " + "; ".join(row[-1] for row in plan))
    db.close()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        measure(10_000, 10, 2_000, Path(tmp))
        measure(2_000, 50, 20_000, Path(tmp))
