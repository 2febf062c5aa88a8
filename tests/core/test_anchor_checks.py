"""Annotations to review: orphaned and approximate before moved (which needs no action);
one marked checked leaves the list, in the database, until its text changes again."""

from __future__ import annotations

from viewer.core.annotations.upkeep import reanchor_changed_articles
from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.anchor_checks import (
    mark_checked,
    review_counts,
    review_list,
    unmark_checked,
)
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.store.database import atomic

TEXT = "Angela Merkel met Emmanuel Macron in Paris.\nThe talks went well, Merkel said.\n"
# Paris moves (text before it grows), Macron's name changes, the last sentence goes.
CHANGED = "On Monday Angela Merkel met Emmanuel Macrom in Paris.\n"


def article(db, text: str) -> int:
    [aid] = upsert_articles(db, [Article(id="a", text=text, title="t", origin="a.txt")])
    return aid


def labelled(db, aid: int, needle: str) -> int:
    art = get_article(db, aid)
    start = art.text.index(needle)
    ann = new_annotation(aid, art.text, art.text_hash, start, start + len(needle),
                         kind="span", action="added", label="Claim")  # fmt: skip
    return insert_annotation(db, ann).id


def changed_db(tmp_path):
    db = open_db(tmp_path / "db.sqlite")
    aid = article(db, TEXT)
    ids = {n: labelled(db, aid, n) for n in ("Paris", "Emmanuel Macron", "talks went well")}
    with atomic(db):
        article(db, CHANGED)
        reanchor_changed_articles(db, [aid])
    return db, aid, ids


def statuses(items) -> list[tuple[str, str]]:
    return [(i.annotation.text, i.annotation.anchor_status) for i in items]


def test_moved_is_listed_last_and_only_when_asked_for(tmp_path):
    db, _aid, _ids = changed_db(tmp_path)
    assert statuses(review_list(db)) == [
        ("talks went well", "orphaned"),
        ("Emmanuel Macrom", "approximate"),
    ]
    assert statuses(review_list(db, moved=True))[-1] == ("Paris", "moved")
    assert review_counts(db) == {"orphaned": 1, "approximate": 1, "moved": 1}


def test_marked_checked_leaves_the_list_and_stays_so_after_reopening(tmp_path):
    db, _aid, ids = changed_db(tmp_path)
    mark_checked(db, [ids["Emmanuel Macron"]], "ann")
    assert statuses(review_list(db)) == [("talks went well", "orphaned")]
    assert review_counts(db) == {"orphaned": 1, "moved": 1, "checked": 1}
    db.close()
    db = open_db(tmp_path / "db.sqlite")
    assert statuses(review_list(db)) == [("talks went well", "orphaned")]
    shown = review_list(db, moved=True, checked=True)
    assert [(i.annotation.text, i.checked) for i in shown] == [
        ("talks went well", False),
        ("Emmanuel Macrom", True),
        ("Paris", False),
    ]
    unmark_checked(db, [ids["Emmanuel Macron"]])
    assert len(review_list(db)) == 2


def test_a_check_lapses_when_the_text_changes_again(tmp_path):
    db, aid, ids = changed_db(tmp_path)
    mark_checked(db, [ids["Emmanuel Macron"], ids["talks went well"]], "ann")
    assert review_list(db) == []
    with atomic(db):
        article(db, "Today: " + CHANGED)
        reanchor_changed_articles(db, [aid])
    # Re-anchored against another text: listed again, to be looked at anew.
    assert [i.annotation.id for i in review_list(db)] == [
        ids["talks went well"],
        ids["Emmanuel Macron"],
    ]


def test_a_deleted_annotation_takes_its_check_with_it(tmp_path):
    db, _aid, ids = changed_db(tmp_path)
    mark_checked(db, [ids["Paris"]], "ann")
    with atomic(db):
        db.execute("DELETE FROM annotations WHERE id = ?", [ids["Paris"]])
    assert db.execute("SELECT count(*) FROM anchor_checks").fetchone()[0] == 0
