"""The analyst layer in the store: annotations, labels, reviews, tags."""

from __future__ import annotations

import pytest

from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import (
    annotations_for_article,
    delete_annotation,
    get_annotation,
    insert_annotation,
    new_annotation,
    update_annotation,
)
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.store.labels import (
    LabelInUse,
    add_label,
    delete_label,
    ensure_default_labels,
    label_usage,
    list_labels,
    recolour_label,
    rename_label,
)
from viewer.core.store.reviews import (
    Review,
    add_tag,
    all_tags,
    get_review,
    next_unreviewed,
    remove_tag,
    set_review,
    tags_for,
)

TEXT = "Line one 👋 about Paris.\nMaria Lopez said the plan works, and then left."


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "a.sqlite")
    upsert_articles(
        db, [Article(id=f"a{i}", text=TEXT + str(i), title=f"T{i}", origin="x") for i in range(3)]
    )
    return db


def span(db, start, end, label="Claim", **extra):
    art = get_article(db, 1)
    return new_annotation(
        1, art.text, art.text_hash, start, end, kind="span", action="added", label=label, **extra
    )


def test_new_annotation_stores_text_and_context(db):
    start = TEXT.index("Maria")
    ann = insert_annotation(db, span(db, start, start + len("Maria Lopez")))
    assert ann.id is not None and ann.annotator and ann.created_at
    stored = get_annotation(db, ann.id)
    assert stored == ann
    assert stored.text == "Maria Lopez"
    assert stored.left_context == TEXT[max(0, start - 32) : start]
    assert stored.right_context == TEXT[start + 11 : start + 11 + 32]


def test_span_outside_the_article_is_refused(db):
    with pytest.raises(ValueError, match="outside"):
        span(db, 5, 10_000)


def test_update_and_delete_then_restore_with_same_id(db):
    ann = insert_annotation(db, span(db, 0, 4))
    changed = update_annotation(db, ann.id, note='check, "this"\nlater', label="Opinion")
    assert (changed.note, changed.label) == ('check, "this"\nlater', "Opinion")
    gone = delete_annotation(db, ann.id)
    assert gone == changed
    assert annotations_for_article(db, 1) == []
    back = insert_annotation(db, gone)
    assert back == gone


def test_each_edit_is_committed_at_once(db, tmp_path):
    insert_annotation(db, span(db, 0, 4))
    # Another connection (another process, or after a crash) sees it.
    other = open_db(tmp_path / "a.sqlite")
    assert len(annotations_for_article(other, 1)) == 1


def test_labels_seeded_renamed_recoloured(db):
    ensure_default_labels(db)
    names = [lab.name for lab in list_labels(db)]
    assert names[:3] == ["Claim", "Evidence", "Statistic"]
    ensure_default_labels(db)  # idempotent
    assert len(list_labels(db)) == len(names)
    insert_annotation(db, span(db, 0, 4, label="Claim"))
    rename_label(db, "Claim", "Assertion")
    assert annotations_for_article(db, 1)[0].label == "Assertion"
    recolour_label(db, "Assertion", "#000000")
    assert list_labels(db)[0].color == "#000000"
    add_label(db, "Irony", "#123456")
    assert list_labels(db)[-1].name == "Irony"
    with pytest.raises(ValueError, match="exists"):
        add_label(db, "Irony", "#123456")


def test_deleting_a_label_in_use_never_drops_annotations_silently(db):
    ensure_default_labels(db)
    insert_annotation(db, span(db, 0, 4, label="Claim"))
    with pytest.raises(LabelInUse) as info:
        delete_label(db, "Claim")
    assert info.value.count == 1
    assert "Claim" in [lab.name for lab in list_labels(db)]
    assert delete_label(db, "Claim", "move", move_to="Evidence") == 1
    assert annotations_for_article(db, 1)[0].label == "Evidence"
    assert delete_label(db, "Evidence", "delete") == 1
    assert annotations_for_article(db, 1) == []
    assert label_usage(db, "Evidence") == 0


def test_review_status_note_and_next_unreviewed(db):
    assert get_review(db, 1) == Review()
    set_review(db, 1, Review("done", "All checked."))
    assert get_review(db, 1) == Review("done", "All checked.")
    assert next_unreviewed(db, 1) == 2
    set_review(db, 2, Review("in_progress", ""))
    assert next_unreviewed(db, 1) == 3
    assert next_unreviewed(db, 3) == 3  # wraps round to itself
    with pytest.raises(ValueError):
        set_review(db, 1, Review("finished", ""))  # type: ignore[arg-type]


def test_tags(db):
    assert add_tag(db, 1, "  budget   talks ")
    assert not add_tag(db, 1, "budget talks")
    add_tag(db, 2, "budget talks")
    add_tag(db, 2, "iraq")
    assert tags_for(db, 1) == ["budget talks"]
    assert all_tags(db) == ["budget talks", "iraq"]
    assert remove_tag(db, 1, "budget talks")
    assert tags_for(db, 1) == []
