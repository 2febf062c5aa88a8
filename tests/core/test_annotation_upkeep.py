"""Analyst decisions survive a re-analysis and a changed source text."""

from __future__ import annotations

from dataclasses import replace

from viewer.core.annotations.corrections import apply_corrections
from viewer.core.annotations.upkeep import reattach_decisions
from viewer.core.model import Analysis, Article, Entity, ImportReport
from viewer.core.nlp import pipeline
from viewer.core.nlp.pipeline import Analyzer
from viewer.core.store import open_db
from viewer.core.store.analyses import load_analysis
from viewer.core.store.annotations import (
    annotations_for_article,
    annotations_to_review,
    get_annotation,
    insert_annotation,
    new_annotation,
)
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.tasks.analyse import analyze_pending, import_corpus

TEXT = 'Angela Merkel met Emmanuel Macron in Paris.\n"We agreed," Merkel said.\n'


def test_decisions_are_kept_when_the_model_runs_again(tmp_path, analyzer, monkeypatch):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="a", text=TEXT, title="t", origin="a.txt")])
    analyze_pending(db, analyzer)
    art = get_article(db, aid)
    paris = next(e for e in load_analysis(db, art.analysis_id).entities if e.text == "Paris")
    insert_annotation(
        db,
        new_annotation(
            aid,
            art.text,
            art.text_hash,
            paris.start,
            paris.end,
            kind="entity",
            action="relabelled",
            label="LOC",
            model_label=paris.label,
            model_start=paris.start,
            model_end=paris.end,
        ),
    )
    # A new pipeline version: the analysis is redone, the decision re-attached.
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", "test-next")
    again = Analyzer(analyzer.model_name)
    again._nlp = analyzer.nlp  # same model object: this test is about the store
    assert analyze_pending(db, again) == 1
    art = get_article(db, aid)
    assert art.analysis_id is not None
    view = apply_corrections(load_analysis(db, art.analysis_id), annotations_for_article(db, aid))
    shown = next(e for e in view.entities if e.text == "Paris")
    assert (shown.label, shown.decision) == ("LOC", "relabelled")
    [decision] = annotations_for_article(db, aid)
    assert (decision.model_start, decision.model_end) == (paris.start, paris.end)


def test_reimport_of_changed_text_reanchors_and_reports(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    db = open_db(tmp_path / "db.sqlite")
    [aid] = import_corpus(db, corpus, ImportReport())
    art = get_article(db, aid)
    start = TEXT.index("Macron")
    insert_annotation(
        db,
        new_annotation(
            aid,
            art.text,
            art.text_hash,
            start,
            start + 6,
            kind="span",
            action="added",
            label="Claim",
        ),
    )
    (corpus / "a.txt").write_text("Update.\n" + TEXT, encoding="utf-8")
    report = ImportReport()
    import_corpus(db, corpus, report)
    [ann] = annotations_for_article(db, aid)
    assert ann.anchor_status == "moved"
    assert get_article(db, aid).text[ann.start : ann.end] == "Macron"
    assert ann.text_hash == get_article(db, aid).text_hash
    [message] = [m for m in report.messages if "re-attached" in m.message]
    assert "1 moved" in message.message and message.path.endswith("a.txt")


def test_reattach_writes_only_the_columns_it_computes(tmp_path):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="a", text=TEXT, title="t", origin="a.txt")])
    art = get_article(db, aid)
    start = TEXT.index("Emmanuel Macron")
    ann = insert_annotation(db, new_annotation(
        aid, art.text, art.text_hash, start, start + 15, kind="entity", action="relabelled",
        label="ORG", model_label="PERSON", model_start=start, model_end=start + 15,
        note="check"))  # fmt: skip
    macron = TEXT.index("Macron")
    shifted = Analysis(entities=(Entity(macron, macron + 6, "PER", "Macron"),))
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        assert reattach_decisions(db, [(aid, shifted)]) == 1
    finally:
        db.conn.set_trace_callback(None)
    # One statement (SQLite traces it again for each trigger it fires).
    [update] = {s for s in statements if s.lstrip().upper().startswith("UPDATE")}
    # Only what changed (the end is the same), and nothing but what re-attaching computes.
    assert update[update.index("SET") : update.index("WHERE")].strip() == (
        f'SET "model_start" = {macron}, "model_label" = \'PER\''
    )
    stored = get_annotation(db, ann.id)
    assert stored == replace(ann, model_start=macron, model_end=macron + 6, model_label="PER")


def test_decisions_no_span_takes_are_listed_for_review_and_come_back(tmp_path):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="a", text=TEXT, title="t", origin="a.txt")])
    art = get_article(db, aid)
    paris = Entity(TEXT.index("Paris"), TEXT.index("Paris") + 5, "GPE", "Paris")
    ann = insert_annotation(db, new_annotation(
        aid, art.text, art.text_hash, paris.start, paris.end, kind="entity",
        action="rejected", model_label="GPE", model_start=paris.start,
        model_end=paris.end))  # fmt: skip
    reattach_decisions(db, [(aid, Analysis())])
    assert [a.id for a in annotations_to_review(db)] == [ann.id]
    reattach_decisions(db, [(aid, Analysis(entities=(paris,)))])
    assert annotations_to_review(db) == [] and get_annotation(db, ann.id) == ann
