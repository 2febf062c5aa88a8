"""Conflicts between annotators on one article (viewer.core.team.conflicts)."""

from __future__ import annotations

import pytest

from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.store.reviews import Review, set_review
from viewer.core.team.conflicts import article_conflicts, conflicts_in, corpus_conflicts

TEXT = 'Ann Lee met Bob Ray in Paris. "We agreed," the mayor said. Talks went on.'
ARTICLE = Article(id="one", text=TEXT, title="One", origin="t")
OTHER = Article(id="two", text="Nothing to see here.", title="Two", origin="t")


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "team.sqlite")
    upsert_articles(db, [ARTICLE, OTHER])
    yield db
    db.close()


def decide(db, who, part, when="2024-05-01T10:00:00+00:00", **values):
    start = TEXT.index(part)
    return insert_annotation(db, new_annotation(
        1, TEXT, ARTICLE.text_hash, start, start + len(part), annotator=who,
        created_at=when, updated_at=when, **values,
    ))  # fmt: skip


def test_accept_and_reject_of_one_entity_is_a_conflict_with_both_named(db):
    a = decide(db, "ann", "Ann Lee", kind="entity", action="accepted", model_label="PERSON")
    b = decide(db, "bob", "Ann Lee", kind="entity", action="rejected", model_label="PERSON")
    decide(db, "ann", "Paris", kind="entity", action="rejected", model_label="GPE")
    decide(db, "bob", "Paris", kind="entity", action="rejected", model_label="GPE")  # alike
    [conflict] = conflicts_in(db, 1)
    assert (conflict.what, conflict.text) == ("entity", "Ann Lee")
    assert conflict.decisions == (("ann", "accepted"), ("bob", "rejected"))
    assert conflict.annotation_ids == (a.id, b.id)
    assert conflict.words() == "ann: accepted; bob: rejected"


def test_only_each_annotators_latest_decision_counts(db):
    decide(db, "ann", "Bob Ray", "2024-01-01", kind="entity", action="rejected")
    decide(db, "ann", "Bob Ray", "2024-02-01", kind="entity", action="accepted")
    decide(db, "bob", "Bob Ray", "2024-03-01", kind="entity", action="accepted")
    assert conflicts_in(db, 1) == []


def test_attribution_conflicts_by_field(db):
    quote = "We agreed,"
    decide(db, "ann", quote, kind="quote", action="not_quote")
    decide(db, "bob", quote, kind="quote", action="speaker_changed", speaker_text="Ann Lee")
    [c] = conflicts_in(db, 1)
    assert c.what == "attribution"
    assert c.decisions == (("ann", "not an attribution"), ("bob", "speaker: Ann Lee"))


def test_a_speaker_by_one_and_a_kind_by_the_other_is_no_conflict(db):
    quote = "We agreed,"
    decide(db, "ann", quote, kind="quote", action="speaker_changed", speaker_text="the mayor")
    decide(db, "bob", quote, kind="quote", action="kind_changed", label="direct")
    assert conflicts_in(db, 1) == []
    decide(db, "bob", quote, kind="quote", action="speaker_changed", speaker_text="Bob Ray")
    [c] = conflicts_in(db, 1)
    assert dict(c.decisions)["bob"] == "speaker: Bob Ray, kind: direct"


def test_one_span_labelled_differently_and_differing_statuses(db):
    decide(db, "ann", "the mayor", kind="span", action="added", label="Source")
    decide(db, "bob", "the mayor", kind="span", action="added", label="Official")
    decide(db, "bob", "Talks", kind="span", action="added", label="Topic")  # bob's alone: none
    set_review(db, 1, Review("done"), "ann")
    set_review(db, 1, Review("in_progress"), "bob")
    status, label = conflicts_in(db, 1)
    assert (status.what, status.decisions) == ("status", (("ann", "done"), ("bob", "in_progress")))
    assert (label.what, label.text, label.decisions) == (
        "label", "the mayor", (("ann", "Source"), ("bob", "Official"))
    )  # fmt: skip


def test_one_annotator_alone_never_conflicts_and_the_corpus_list(db):
    decide(db, "ann", "Ann Lee", kind="entity", action="accepted")
    decide(db, "ann", "Ann Lee", "2024-06-01", kind="entity", action="rejected")
    assert article_conflicts([]) == [] and conflicts_in(db, 1) == []
    decide(db, "bob", "Ann Lee", kind="entity", action="accepted")
    assert [(aid, c.what) for aid, c in corpus_conflicts(db)] == [(1, "entity")]
