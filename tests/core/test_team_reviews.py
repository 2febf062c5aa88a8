"""Each annotator's own status, note and tags of an article (store.reviews, filters,
migration 0007): two analysts in one database never overwrite each other."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.store.filters import ArticleFilter, distinct_values, filtered_rows
from viewer.core.store.reviews import (
    Review,
    add_tag,
    get_review,
    next_unreviewed,
    remove_tag,
    reviews_of,
    set_review,
    set_review_fields,
    tag_owners,
    tags_for,
)
from viewer.core.store.schema import migrations

STAMP = "2024-05-01T10:00:00+00:00"
ARTICLES = [
    Article(id=f"a{i}", text=f"Text number {i}.", title=f"T{i}", origin="t") for i in (1, 2, 3)
]


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "team.sqlite")
    upsert_articles(db, ARTICLES)
    yield db
    db.close()


def exts(db, f: ArticleFilter) -> list[str]:
    return [r.ext_id for r in filtered_rows(db, f)]


def test_two_annotators_reviews_are_each_their_own(db):
    set_review(db, 1, Review("done", "fine"), "ann")
    set_review(db, 1, Review("in_progress", "check the date"), "bob")
    set_review_fields(db, 1, {"note": "fine, checked"}, annotator="ann")
    assert get_review(db, 1, "ann") == Review("done", "fine, checked")
    assert get_review(db, 1, "bob") == Review("in_progress", "check the date")
    assert get_review(db, 1, "cy") == Review()
    assert [(r.annotator, r.review.status) for r in reviews_of(db, 1)] == [
        ("ann", "done"), ("bob", "in_progress"),
    ]  # fmt: skip


def test_tags_are_their_annotators_and_removing_takes_only_yours(db):
    assert add_tag(db, 1, "economy", "ann")
    assert add_tag(db, 1, "economy", "bob")  # bob's own, though ann has it too
    assert not add_tag(db, 1, "economy", "bob")
    add_tag(db, 1, "crime", "bob")
    assert tags_for(db, 1) == ["crime", "economy"]
    assert tag_owners(db, 1) == {"crime": ["bob"], "economy": ["ann", "bob"]}
    assert not remove_tag(db, 1, "crime", "ann")  # not ann's to remove
    assert remove_tag(db, 1, "economy", "ann")
    assert tag_owners(db, 1) == {"crime": ["bob"], "economy": ["bob"]}


def test_next_unreviewed_is_the_annotators_own(db):
    set_review(db, 2, Review("done"), "ann")
    assert next_unreviewed(db, 1, "ann") == 3
    assert next_unreviewed(db, 1, "bob") == 2  # ann's review is not bob's


def test_filter_by_annotator_makes_status_tag_and_label_theirs(db):
    set_review(db, 1, Review("done"), "ann")
    set_review(db, 2, Review("done"), "bob")
    add_tag(db, 3, "economy", "bob")
    art = ARTICLES[2]
    insert_annotation(db, new_annotation(
        3, art.text, art.text_hash, 0, 4, kind="span", action="added", label="X", annotator="cy"
    ))  # fmt: skip
    assert exts(db, ArticleFilter(status="done")) == ["a1", "a2"]  # anyone's
    assert exts(db, ArticleFilter(status="done", annotator="ann")) == ["a1"]
    assert exts(db, ArticleFilter(annotator="bob")) == ["a2", "a3"]  # what bob worked on
    assert exts(db, ArticleFilter(tag="economy", annotator="ann")) == []
    assert exts(db, ArticleFilter(annotation_label="X", annotator="cy")) == ["a3"]
    assert exts(db, ArticleFilter(status="unreviewed", annotator="ann")) == []  # only theirs
    assert exts(db, ArticleFilter(status="unreviewed")) == ["a3"]
    assert distinct_values(db, "annotator") == ["ann", "bob", "cy"]


def test_migration_keeps_reviews_and_makes_a_colleagues_kept_aside_values_theirs(tmp_path):
    path = tmp_path / "old.sqlite"
    old = Database(path)
    migrations.apply(old, stop_before="0007_reviews_and_tags_per_annotator")
    old.execute(
        "INSERT INTO articles (id, ext_id, title, origin, text, text_hash, imported_at) "
        "VALUES (1, 'a1', 'T', 'o', 'text', 'h', ?), (2, 'a2', 'T', 'o', 'text', 'h', ?)",
        [STAMP, STAMP],
    )
    old.execute(
        "INSERT INTO article_reviews (article_id, status, note, annotator, updated_at) "
        "VALUES (1, 'in_progress', 'my note', 'me', ?), (2, 'done', NULL, 'me', ?)",
        [STAMP, STAMP],
    )
    # an earlier merge kept kim's differing status aside; and my own other database's note
    old.execute(
        "INSERT INTO merge_conflicts (article_id, field, kept, incoming, incoming_annotator, "
        "incoming_updated_at, source, created_at) VALUES "
        "(1, 'status', 'in_progress', 'done', 'kim', '2024-06-01', 'k.jsonl', ?), "
        "(2, 'note', NULL, 'other note', 'me', '2024-06-01', 'm.jsonl', ?)",
        [STAMP, STAMP],
    )
    old.execute("INSERT INTO article_tags VALUES (1, 'economy', 'me', ?)", [STAMP])
    old.conn.commit()
    old.close()
    db = open_db(path)
    try:
        assert get_review(db, 1, "me") == Review("in_progress", "my note")
        assert get_review(db, 1, "kim") == Review("done", "")  # theirs; my note is not theirs
        assert get_review(db, 2, "me") == Review("done", "")  # my own conflict stays a conflict
        assert [r.annotator for r in reviews_of(db, 2)] == ["me"]
        assert tag_owners(db, 1) == {"economy": ["me"]}
        add_tag(db, 1, "economy", "kim")  # the new key: one tag per annotator
        assert tag_owners(db, 1) == {"economy": ["kim", "me"]}
    finally:
        db.close()
