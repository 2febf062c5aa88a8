"""Adjudication: settling two annotators' work into a third (viewer.core.team.adjudication)."""

from __future__ import annotations

import pytest

from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import annotations_for_article, insert_annotation, new_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.store.reviews import Review, get_review, reviews_of, set_review
from viewer.core.team.adjudication import (
    ADJUDICATOR,
    AdjudicationError,
    adjudication_items,
    redo_change,
    take,
    undo_change,
)

TEXT = 'Ann Lee met Bob Ray in Paris. "We agreed," the mayor said.'
ARTICLE = Article(id="one", text=TEXT, title="One", origin="t")


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "team.sqlite")
    upsert_articles(db, [ARTICLE])
    yield db
    db.close()


def put(db, who, part, **values):
    start = TEXT.index(part)
    return insert_annotation(db, new_annotation(
        1, TEXT, ARTICLE.text_hash, start, start + len(part), annotator=who, **values
    ))  # fmt: skip


def items(db):
    return adjudication_items(annotations_for_article(db, 1), reviews_of(db, 1), "ann", "bob")


def by_text(db, text, what=None):
    [item] = [i for i in items(db) if i.text == text and (what is None or i.what == what)]
    return item


def adjudicated(db) -> list[tuple]:
    return sorted(
        (a.kind, a.action, a.label, a.text, a.provenance)
        for a in annotations_for_article(db, 1)
        if a.annotator == ADJUDICATOR
    )


@pytest.fixture
def two(db):
    put(db, "ann", "Ann Lee", kind="entity", action="accepted", model_label="PERSON")
    put(db, "bob", "Ann Lee", kind="entity", action="rejected", model_label="PERSON")
    put(db, "ann", "Paris", kind="entity", action="rejected", model_label="GPE")
    put(db, "bob", "Paris", kind="entity", action="rejected", model_label="GPE")
    put(db, "ann", "the mayor", kind="span", action="added", label="Source")
    put(db, "bob", "the mayor", kind="span", action="added", label="Official")
    set_review(db, 1, Review("done"), "ann")
    set_review(db, 1, Review("in_progress"), "bob")
    return db


def test_items_pair_each_annotators_work_on_the_same_thing(two):
    listed = items(two)
    assert [(i.what, i.text, i.a_words, i.b_words) for i in listed] == [
        ("status", "", "done", "in_progress"),
        ("entity", "Ann Lee", "accepted", "rejected"),
        ("entity", "Paris", "rejected", "rejected"),
        ("label", "the mayor", "Source", "Official"),
    ]
    assert [i.agreed for i in listed] == [False, False, True, False]
    assert {i.chosen for i in listed} == {None}  # nothing settled yet


def test_take_a_side_per_item_with_provenance(two):
    take(two, 1, [by_text(two, "Ann Lee")], "b")
    take(two, 1, [by_text(two, "Paris")], "a")  # both rejected it: the copy is both's
    take(two, 1, [by_text(two, "the mayor")], "both")
    assert adjudicated(two) == [
        ("entity", "rejected", None, "Ann Lee", "bob"),
        ("entity", "rejected", None, "Paris", "ann+bob"),
        ("span", "added", "Official", "the mayor", "bob"),
        ("span", "added", "Source", "the mayor", "ann"),
    ]
    assert by_text(two, "Ann Lee").chosen == "b" and by_text(two, "the mayor").chosen == "both"
    take(two, 1, [by_text(two, "the mayor")], "neither")
    assert [a[3] for a in adjudicated(two)] == ["Ann Lee", "Paris"]


def test_both_of_two_different_decisions_is_refused_and_nothing_written(two):
    with pytest.raises(AdjudicationError, match="decided this entity differently"):
        take(two, 1, [by_text(two, "Ann Lee")], "both")
    assert adjudicated(two) == []


def test_take_a_for_the_whole_article_and_the_status(two):
    change = take(two, 1, items(two), "a")
    assert get_review(two, 1, ADJUDICATOR).status == "done"
    assert [(a[1], a[3], a[4]) for a in adjudicated(two)] == [
        ("accepted", "Ann Lee", "ann"),
        ("rejected", "Paris", "ann+bob"),
        ("added", "the mayor", "ann"),
    ]
    assert {i.chosen for i in items(two)} == {"a"}
    # undo puts everything back as it was; redo writes the same rows again
    undo_change(two, change)
    assert adjudicated(two) == [] and get_review(two, 1, ADJUDICATOR) == Review()
    redo_change(two, change)
    assert len(adjudicated(two)) == 3 and get_review(two, 1, ADJUDICATOR).status == "done"


def test_retaking_replaces_the_previous_choice_and_undo_restores_it(two):
    first = take(two, 1, [by_text(two, "Ann Lee")], "a")
    second = take(two, 1, [by_text(two, "Ann Lee")], "b")
    assert [a[1] for a in adjudicated(two)] == ["rejected"]
    undo_change(two, second)
    assert [a[1] for a in adjudicated(two)] == ["accepted"]
    assert [a.id for a in annotations_for_article(two, 1) if a.annotator == ADJUDICATOR] == [
        first.added[0].id
    ]  # the very row, id and all
