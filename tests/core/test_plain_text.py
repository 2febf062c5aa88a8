"""User values are data, never SQL: stored and read back verbatim, never in a statement's text.

Every statement the store runs is recorded (through a connection subclass, so
what is seen is the SQL text before binding). Hostile strings carry a marker;
the marker must never appear in any statement, whatever the function.
"""

from __future__ import annotations

import sqlite3

import pytest

from viewer.core.model import Article
from viewer.core.store import database as database_module
from viewer.core.store import open_db
from viewer.core.store.annotations import (
    get_annotation,
    insert_annotation,
    new_annotation,
    update_annotation,
)
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.store.filters import ArticleFilter, filtered_count, filtered_rows
from viewer.core.store.labels import add_label, list_labels, recolour_label, rename_label
from viewer.core.store.reviews import Review, add_tag, get_review, set_review, tags_for
from viewer.core.store.search import SearchError, search, search_count

MARK = "ZQX"  # in every hostile value; never in any SQL text
HOSTILE = [
    f"{MARK}'); DROP TABLE annotations; --",
    f'{MARK}" OR 1=1 --',
    f"{MARK} %_ LIKE wildcards \\ backslash",
    f"{MARK} <b>bold</b> <img src='file:///etc/passwd'> <a href='http://x'>x</a>",
    f'{MARK} NEAR(a b) AND title:x * ^ -minus "unclosed',
    f"{MARK}\x00nul \u202eright-to-left \U0001f600",
    f'{MARK} =HYPERLINK("http://x") +1 -1 @sum',
]
statements: list[str] = []


class RecordingCursor(sqlite3.Cursor):
    def execute(self, sql, *args):
        statements.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        statements.append(sql)
        return super().executemany(sql, *args)

    def executescript(self, sql):
        statements.append(sql)
        return super().executescript(sql)


class RecordingConnection(sqlite3.Connection):
    # Connection.execute() does not go through cursor() in C: record both ways.
    def cursor(self, factory=RecordingCursor):
        return super().cursor(factory)

    def execute(self, sql, *args):
        statements.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        statements.append(sql)
        return super().executemany(sql, *args)


@pytest.fixture
def db(tmp_path, monkeypatch):
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        database_module.sqlite3,
        "connect",
        lambda *a, **k: real_connect(*a, factory=RecordingConnection, **k),
    )
    statements.clear()
    database = open_db(tmp_path / "plain.sqlite")
    monkeypatch.undo()
    yield database
    database.close()


def marked_sql() -> list[str]:
    return [sql for sql in statements if MARK in sql]


def test_recording_sees_the_store_statements(db) -> None:
    statements.clear()
    upsert_articles(db, [Article(id="a", text="text", title="t", origin="o")])
    assert any(sql.lstrip().startswith("INSERT INTO articles (") for sql in statements)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_are_stored_verbatim_and_never_become_sql(db, value: str) -> None:
    text = f"Intro. {value} outro."
    article = Article(
        id=value, text=text, title=value, origin=value, source=value, meta={value: value}
    )
    (article_id,) = upsert_articles(db, [article])
    stored = get_article(db, article_id)
    assert (stored.ext_id, stored.title, stored.text, stored.source) == (value, value, text, value)
    assert stored.meta == {value: value}

    add_label(db, value, "#123456")
    recolour_label(db, value, "#654321")
    start = text.index(value)
    ann = insert_annotation(
        db,
        new_annotation(
            article_id,
            text,
            stored.text_hash,
            start,
            start + len(value),
            kind="span",
            action="added",
            label=value,
            note=value,
            annotator=value,
        ),
    )
    assert get_annotation(db, ann.id).text == value
    renamed = value + " renamed"
    rename_label(db, value, renamed)
    update_annotation(db, ann.id, note=value + "\nsecond line")
    again = get_annotation(db, ann.id)
    assert (again.label, again.note, again.annotator) == (renamed, value + "\nsecond line", value)
    assert renamed in [label.name for label in list_labels(db)]

    set_review(db, article_id, Review("done", value), annotator=value)
    assert get_review(db, article_id, annotator=value) == Review("done", value)
    tag = " ".join(value.split())  # tags are stored with whitespace runs collapsed
    add_tag(db, article_id, value, annotator=value)
    assert tags_for(db, article_id) == [tag]

    filtered = ArticleFilter(
        source=value, tag=tag, annotation_label=renamed, status="done", annotator=value
    )
    assert [row.id for row in filtered_rows(db, filtered)] == [article_id]
    assert filtered_count(db, ArticleFilter(entity_text=value, speaker=value)) == 0
    assert db.execute("SELECT count(*) FROM annotations").fetchone()[0] == 1  # not dropped
    assert marked_sql() == []


# NUL is left out here: a query's NUL becomes a word break (tests/core/test_search.py).
SEARCHABLE = [value for value in HOSTILE if "\x00" not in value]


@pytest.mark.parametrize("query", SEARCHABLE, ids=range(len(SEARCHABLE)))
def test_search_input_is_quoted_in_safe_mode(db, query: str) -> None:
    upsert_articles(db, [Article(id="a", text=f"Before {query} after.", title="T", origin="o")])
    assert search_count(db, query) == 1  # found as words, not run as syntax
    assert [hit.article_id for hit in search(db, query)] == [1]
    try:
        search_count(db, query, raw=True)  # raw FTS5 syntax: an error is a SearchError
    except SearchError:
        pass
    assert marked_sql() == []
