"""The analyst's attribution decisions: kind, speaker (resolved), added, not an attribution.

In the final view (kind and speaker on every piece, the speaker's name and
anonymity, the cue kept or dropped, kind and speaker agreeing), through a
re-analysis with other model output, the JSONL round trip and the CSV exports.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import replace

import pytest

from viewer.core.annotations.anchoring import context_of
from viewer.core.annotations.corrections import apply_corrections, reattach
from viewer.core.annotations.upkeep import reattach_decisions
from viewer.core.attributions import attribution_counts
from viewer.core.model import Analysis, Annotation, Article, Entity, Quote, text_hash
from viewer.core.store import open_db
from viewer.core.store.analyses import load_analysis, save_analyses
from viewer.core.store.annotations import annotations_for_article, insert_annotation
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.tasks.export import export_csv
from viewer.core.tasks.transfer import export_jsonl, import_jsonl

TEXT = (
    "Foreign Secretary Jack Straw flew to Washington on Monday. "
    "The talks, he said, would be hard. "
    "A spokesman said the visit was planned. "
    "It was reported that the meeting ended early."
)


def span(part: str) -> tuple[int, int]:
    """The first whole-word occurrence of ``part`` ("he" is not the one in "The")."""
    found = re.search(r"(?<!\w)" + re.escape(part) + r"(?!\w)", TEXT)
    assert found is not None, part
    return found.start(), found.end()


CUES = {"he": "said,", "A spokesman": "said the visit"}  # the cue of each model speaker


def quote(part: str, speaker: str | None, kind: str, aid: int, **values) -> Quote:
    who = span(speaker) if speaker else (None, None)
    cue = (TEXT.index(CUES[speaker]), TEXT.index(CUES[speaker]) + 4) if speaker else (None, None)
    return Quote(*span(part), part, *who, speaker, *cue, "said" if speaker else None,
                 kind=kind, attribution_id=aid, **values)  # fmt: skip


STRAW = Entity(*span("Jack Straw"), "PERSON", "Jack Straw")
TALKS = quote("The talks", "he", "indirect", 1, speaker_name="Jack Straw")
HARD = quote("would be hard", "he", "indirect", 1, speaker_name="Jack Straw")
VISIT = quote("the visit was planned", "A spokesman", "indirect", 2,
              speaker_name="A spokesman", anonymous=True)  # fmt: skip
ENDED = quote("the meeting ended early", None, "no-source", 3)
ANALYSIS = Analysis(entities=(STRAW,), quotes=(TALKS, HARD, VISIT, ENDED))

_ids = iter(range(1, 10_000))


def decision(action: str, q: Quote | tuple[int, int], **values) -> Annotation:
    start, end = (q.start, q.end) if isinstance(q, Quote) else q
    if action != "added":
        values.setdefault("model_start", start)
        values.setdefault("model_end", end)
    values.setdefault("id", next(_ids))
    left, right = context_of(TEXT, start, end)
    return Annotation(article_id=1, kind="quote", action=action, start=start, end=end,
                      text=TEXT[start:end], left_context=left, right_context=right,
                      text_hash=text_hash(TEXT), **values)  # fmt: skip


def speaker_at(part: str | None) -> dict:
    """The speaker fields as the window stores them: the name, at a mention of it."""
    if part is None:
        return {"speaker_start": None, "speaker_end": None, "speaker_text": None}
    s, e = span(part)
    return {"speaker_start": s, "speaker_end": e, "speaker_text": part}


def shown(view, q: Quote) -> Quote:
    (found,) = [f.quote for f in view.quotes if (f.quote.start, f.quote.end) == (q.start, q.end)]
    return found


def final(view, q: Quote):
    (found,) = [f for f in view.quotes if (f.quote.start, f.quote.end) == (q.start, q.end)]
    return found


# -- the final view -------------------------------------------------------------------


def test_a_kind_change_applies_to_every_piece_of_the_attribution():
    ann = decision("kind_changed", HARD, label="mixed")
    view = apply_corrections(ANALYSIS, [ann])
    for piece in (TALKS, HARD):
        f = final(view, piece)
        assert (f.quote.kind, f.decision, f.kind_annotation_id) == ("mixed", "kind_changed", ann.id)
        assert f.quote.speaker_name == "Jack Straw"  # the speaker is not touched
    assert shown(view, VISIT).kind == "indirect" and final(view, VISIT).decision is None


def test_a_kind_change_without_a_kind_is_not_applied():
    view = apply_corrections(ANALYSIS, [decision("kind_changed", VISIT, label="shouted")])
    assert shown(view, VISIT) == VISIT


def test_the_speaker_set_carries_its_name_and_anonymity_and_drops_a_far_cue():
    named = decision("speaker_changed", VISIT, **speaker_at("Jack Straw"))
    f = final(apply_corrections(ANALYSIS, [named]), VISIT)
    assert (f.quote.speaker_text, f.quote.speaker_name, f.quote.anonymous) == (
        "Jack Straw", "Jack Straw", False)  # fmt: skip
    assert (f.quote.speaker_start, f.quote.speaker_end) == span("Jack Straw")
    assert f.quote.cue_text is None  # "said" belongs to "A spokesman", far from Jack Straw
    assert (f.decision, f.speaker_annotation_id, f.origin) == ("speaker_changed", named.id, "model")
    # An unnamed description is anonymous; "said" right after it stays its cue.
    unnamed = decision("speaker_changed", TALKS, **speaker_at("A spokesman"))
    view = apply_corrections(ANALYSIS, [unnamed])
    for piece in (TALKS, HARD):
        q = shown(view, piece)
        assert (q.speaker_name, q.anonymous) == ("A spokesman", True)
        assert q.cue_text == "said"  # "he said," is within reach of "A spokesman"
    # A typed name the text does not have: no span, no cue.
    typed = decision("speaker_changed", VISIT, speaker_text="Colin Powell")
    q = shown(apply_corrections(ANALYSIS, [typed]), VISIT)
    assert (q.speaker_start, q.speaker_name, q.anonymous, q.cue_start) == (
        None, "Colin Powell", False, None)  # fmt: skip


def test_a_named_source_makes_a_no_source_attribution_indirect():
    ann = decision("speaker_changed", ENDED, **speaker_at("Jack Straw"))
    q = shown(apply_corrections(ANALYSIS, [ann]), ENDED)
    assert (q.kind, q.speaker_name) == ("indirect", "Jack Straw")


def test_no_source_set_on_reported_speech_makes_it_no_source():
    ann = decision("speaker_changed", VISIT, **speaker_at(None))
    q = shown(apply_corrections(ANALYSIS, [ann]), VISIT)
    assert (q.kind, q.speaker_text, q.speaker_name, q.anonymous, q.cue_text) == (
        "no-source", None, None, False, None)  # fmt: skip


def test_kind_and_speaker_disagreeing_the_later_decision_wins():
    kind = decision("kind_changed", VISIT, label="no-source", updated_at="2025-01-02")
    speaker = decision(
        "speaker_changed", VISIT, **speaker_at("Jack Straw"), updated_at="2025-01-01"
    )
    q = shown(apply_corrections(ANALYSIS, [speaker, kind]), VISIT)
    assert (q.kind, q.speaker_text) == ("no-source", None)  # nobody named, said last
    later = replace(speaker, updated_at="2025-01-03")
    f = final(apply_corrections(ANALYSIS, [kind, later]), VISIT)
    assert (f.quote.kind, f.quote.speaker_text) == ("indirect", "Jack Straw")
    assert (f.decision, f.annotation_id) == ("speaker_changed", later.id)
    assert (f.kind_annotation_id, f.speaker_annotation_id) == (kind.id, later.id)


def test_an_added_attribution_has_its_kind_and_resolved_speaker():
    added = decision("added", span("flew to Washington"), label="indirect",
                     **speaker_at("Jack Straw"))  # fmt: skip
    (f,) = [f for f in apply_corrections(ANALYSIS, [added]).quotes if f.origin == "analyst"]
    assert (f.quote.kind, f.quote.speaker_name, f.quote.anonymous, f.decision) == (
        "indirect", "Jack Straw", False, "added")  # fmt: skip
    unnamed = replace(added, speaker_start=None, speaker_end=None, speaker_text="officials")
    (f,) = [f for f in apply_corrections(ANALYSIS, [unnamed]).quotes if f.origin == "analyst"]
    assert (f.quote.speaker_name, f.quote.anonymous) == ("officials", True)
    nobody = replace(added, label="no-source")
    (f,) = [f for f in apply_corrections(ANALYSIS, [nobody]).quotes if f.origin == "analyst"]
    assert (f.quote.kind, f.quote.speaker_text) == ("no-source", None)
    unsourced = replace(added, **speaker_at(None))  # reported speech naming nobody
    (f,) = [f for f in apply_corrections(ANALYSIS, [unsourced]).quotes if f.origin == "analyst"]
    assert f.quote.kind == "no-source"
    legacy = replace(added, label=None)  # added before attributions had kinds
    (f,) = [f for f in apply_corrections(ANALYSIS, [legacy]).quotes if f.origin == "analyst"]
    assert f.quote.kind == "direct"


def test_the_counts_exports_report_follow_the_analysts_decisions():
    # direct, mixed, indirect, no-source, then anonymous
    assert attribution_counts(q for q in ANALYSIS.quotes) == (0, 0, 2, 1, 1)  # talks: one
    decisions = [
        decision("kind_changed", TALKS, label="direct"),
        decision("speaker_changed", VISIT, **speaker_at("Jack Straw")),  # no longer anonymous
        decision("not_quote", ENDED),
        decision("added", span("flew to Washington"), label="indirect", speaker_text="officials"),
    ]
    view = apply_corrections(ANALYSIS, decisions)
    assert attribution_counts(f.quote for f in view.quotes) == (1, 0, 2, 0, 1)
    assert view.rejected_quotes == (ENDED,)


# -- a re-analysis with other model output ------------------------------------------------


def model_b() -> Analysis:
    """Another model: the pieces as one wider content, other ids and cues, a kind it
    calls mixed, and the sourceless one found with a speaker."""
    talks = Quote(*span("The talks,"), "The talks,", *span("he"), "he", kind="mixed",
                  attribution_id=7)  # fmt: skip
    hard = Quote(*span("would be hard."), "would be hard.", *span("he"), "he", kind="mixed",
                 attribution_id=7)  # fmt: skip
    visit = Quote(*span("the visit was planned."), "the visit was planned.",
                  *span("A spokesman"), "A spokesman", kind="indirect", attribution_id=8,
                  speaker_name="A spokesman", anonymous=True)  # fmt: skip
    ended = Quote(*span("the meeting ended early."), "the meeting ended early.",
                  kind="no-source", attribution_id=9)  # fmt: skip
    return Analysis(entities=(STRAW,), quotes=(talks, hard, visit, ended))


def all_decisions() -> list[Annotation]:
    return [
        decision("kind_changed", TALKS, label="direct"),
        decision("speaker_changed", VISIT, **speaker_at("Jack Straw")),
        decision("not_quote", ENDED),
        decision("added", span("flew to Washington"), label="indirect", speaker_text="officials"),
    ]


def check_applied(view) -> None:
    by_text = {f.quote.text.rstrip(",."): f.quote for f in view.quotes}
    assert by_text["The talks"].kind == by_text["would be hard"].kind == "direct"
    assert (by_text["the visit was planned"].speaker_name,
            by_text["the visit was planned"].anonymous) == ("Jack Straw", False)  # fmt: skip
    assert "the meeting ended early" not in by_text
    assert [q.text.rstrip(".") for q in view.rejected_quotes] == ["the meeting ended early"]
    assert (by_text["flew to Washington"].kind, by_text["flew to Washington"].speaker_name) == (
        "indirect", "officials")  # fmt: skip


def test_attribution_decisions_survive_a_reanalysis_with_other_output():
    decisions = all_decisions()
    check_applied(apply_corrections(ANALYSIS, decisions))
    moved = reattach(decisions, model_b())
    assert all(a.anchor_status == "exact" for a in moved)
    check_applied(apply_corrections(model_b(), moved))


@pytest.fixture
def stored(tmp_path):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="straw", text=TEXT, title="t", origin="a.txt")])
    art = get_article(db, aid)
    save_analyses(db, "model-a@1", "p1", [(aid, art.text_hash, art.text, ANALYSIS)])
    for ann in all_decisions():
        insert_annotation(db, replace(ann, article_id=aid, id=None))
    return db, aid


def reanalyse(db, aid: int, model: str, analysis: Analysis) -> None:
    """What a re-analysis writes: the new analysis and the re-attached decisions, one commit."""
    art = get_article(db, aid)
    with db.conn:
        save_analyses(db, model, "p1", [(aid, art.text_hash, art.text, analysis)])
        reattach_decisions(db, [(aid, analysis)])


def current_view(db, aid: int):
    analysis = load_analysis(db, get_article(db, aid).analysis_id)
    return apply_corrections(analysis, annotations_for_article(db, aid))


def test_stored_attribution_decisions_survive_model_a_then_b_then_a(stored, tmp_path):
    db, aid = stored
    reanalyse(db, aid, "model-b@1", model_b())
    check_applied(current_view(db, aid))
    # Model C finds no attributions at all: the decisions wait, orphaned, not moved elsewhere.
    reanalyse(db, aid, "model-c@1", Analysis(entities=(STRAW,)))
    orphans = [a.action for a in annotations_for_article(db, aid) if a.anchor_status == "orphaned"]
    assert sorted(orphans) == ["kind_changed", "not_quote", "speaker_changed"]
    reanalyse(db, aid, "model-a@1", ANALYSIS)
    assert all(a.anchor_status == "exact" for a in annotations_for_article(db, aid))
    check_applied(current_view(db, aid))
    # The exports count what the analyst decided.
    out = tmp_path / "attributions.csv"
    export_csv(db, out, "attributions", raw=True)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = {r["text"]: r for r in csv.DictReader(fh)}
    assert rows["The talks"]["kind"] == "direct" and rows["The talks"]["decision"] == "kind_changed"
    visit = rows["the visit was planned"]
    assert (visit["speaker_name"], visit["anonymous"], visit["corrected"]) == (
        "Jack Straw",
        "0",
        "1",
    )
    assert rows["flew to Washington"]["origin"] == "analyst"
    assert "the meeting ended early" not in rows


# -- the JSONL round trip and the annotations CSV -------------------------------------


def test_jsonl_round_trip_keeps_kinds_and_speakers(stored, tmp_path):
    db, aid = stored
    out = tmp_path / "work.jsonl"
    export_jsonl(db, out)
    other = open_db(tmp_path / "other.sqlite")
    [oid] = upsert_articles(other, [Article(id="straw", text=TEXT, title="t", origin="a.txt")])
    art = get_article(other, oid)
    save_analyses(other, "model-a@1", "p1", [(oid, art.text_hash, art.text, ANALYSIS)])
    report = import_jsonl(other, out, backup=False)
    assert report.annotations_added == 4 and report.bad_records == 0
    check_applied(current_view(other, oid))


def test_jsonl_import_refuses_a_kind_change_without_a_kind(stored, tmp_path):
    db, _ = stored
    out = tmp_path / "work.jsonl"
    export_jsonl(db, out)
    lines = out.read_text("utf-8").splitlines()
    bad = []
    for line in lines:
        rec = json.loads(line)
        if rec.get("action") == "kind_changed":
            rec["label"] = "shouted"
        bad.append(json.dumps(rec, ensure_ascii=False))
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(bad) + "\n", "utf-8")
    report = import_jsonl(open_db(tmp_path / "other.sqlite"), path, backup=False)
    assert report.bad_records == 1
    assert "label must be one of direct, mixed, indirect, no-source" in report.problems[0]


def test_the_annotations_csv_lists_the_attribution_decisions(stored, tmp_path):
    db, _ = stored
    out = tmp_path / "annotations.csv"
    export_csv(db, out, "annotations", raw=True)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == "quote"]
    got = {(r["decision"], r["label"], r["speaker"], r["origin"]) for r in rows}
    assert got == {
        ("kind_changed", "direct", "", "model"),
        ("speaker_changed", "", "Jack Straw", "model"),
        ("not_quote", "", "", "model"),
        ("added", "indirect", "officials", "analyst"),
    }
