"""The SQLite store: migrations, articles, the analysis cache, clear errors."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from viewer.core.model import Analysis, Article, Entity, Quote
from viewer.core.store import StoreError, default_db_path, open_db
from viewer.core.store.analyses import (
    count_pending,
    load_analysis,
    pending_articles,
    save_analyses,
)
from viewer.core.store.articles import article_rows, get_article, upsert_articles
from viewer.core.store.schema import migrations

TEXT = 'Ann Lee said "we will go" on Monday.'


def article(ext_id: str = "a1", text: str = TEXT) -> Article:
    return Article(
        id=ext_id, text=text, title="T", origin="a1.txt", source="Wire", meta={"lang": "en"}
    )


def sample_analysis() -> Analysis:
    return Analysis(
        entities=(Entity(0, 7, "PERSON", "Ann Lee"), Entity(29, 35, "DATE", "Monday")),
        quotes=(Quote(14, 24, "we will go", 0, 7, "Ann Lee", 8, 12, "said", attribution_id=1),),
    )


def test_new_database_uses_wal_and_migrations(tmp_path):
    db = open_db(tmp_path / "x.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names[:2] == ["0001_articles_and_analyses", "0002_analyst_layer"]
    assert names == [m.name for m in migrations.pending(Database(memory=True))]
    # Opening again applies nothing twice.
    db.close()
    db = open_db(tmp_path / "x.sqlite")
    assert db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(names)


def test_non_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="notes.sqlite"):
        open_db(path)
    assert path.read_bytes() == before


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    open_db(path).conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('viewer', '9999_future', 'now')"
    ).connection.commit()
    with pytest.raises(StoreError, match="newer version"):
        open_db(path)


def test_default_location_is_per_corpus_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VIEWER_DATA_DIR", str(tmp_path / "data"))
    a = default_db_path(tmp_path / "corpus_a")
    b = default_db_path(tmp_path / "corpus_b")
    assert a != b
    assert a.parent == tmp_path / "data" / "corpora"
    assert a.name.startswith("corpus_a-") and a.suffix == ".sqlite"


def test_articles_round_trip_and_update_in_place(tmp_path):
    db = open_db(tmp_path / "x.sqlite")
    [first] = upsert_articles(db, [article()])
    stored = get_article(db, first)
    assert (stored.ext_id, stored.text, stored.source, stored.meta) == (
        "a1",
        TEXT,
        "Wire",
        {"lang": "en"},
    )
    [again] = upsert_articles(db, [article(text=TEXT + " More.")])
    assert again == first
    assert get_article(db, first).text == TEXT + " More."


def test_a_known_article_is_read_again_with_its_text_only_if_it_changed(tmp_path):
    db = open_db(tmp_path / "x.sqlite")
    [aid] = upsert_articles(db, [article()])
    known = get_article(db, aid)
    again = get_article(db, aid, known)
    assert again == known and again.text is known.text  # reused, not read again
    upsert_articles(db, [article(text=TEXT + " More.")])
    changed = get_article(db, aid, known)
    assert changed.text == TEXT + " More." and changed.text_hash != known.text_hash
    [other] = upsert_articles(db, [article("a2", "Another text.")])
    assert get_article(db, other, known).text == "Another text."  # not another's text


def test_the_head_of_an_analysis_is_what_starts_before_an_offset(tmp_path):
    db = open_db(tmp_path / "x.sqlite")
    [aid] = upsert_articles(db, [article()])
    [[(row_id, digest, text)]] = list(pending_articles(db, "m@1", "p1"))
    save_analyses(db, "m@1", "p1", [(row_id, digest, text, sample_analysis())])
    analysis_id = get_article(db, aid).analysis_id
    head = load_analysis(db, analysis_id, before=20)
    assert head.entities == sample_analysis().entities[:1]  # Monday starts at 29
    assert head.quotes == sample_analysis().quotes  # starts at 14
    assert load_analysis(db, analysis_id, before=10).quotes == ()


def test_analysis_cache_links_and_survives_reimport(tmp_path):
    db = open_db(tmp_path / "x.sqlite")
    [aid] = upsert_articles(db, [article()])
    assert count_pending(db, "m@1", "p1") == 1
    [[(row_id, digest, text)]] = list(pending_articles(db, "m@1", "p1"))
    save_analyses(db, "m@1", "p1", [(row_id, digest, text, sample_analysis())])
    assert count_pending(db, "m@1", "p1") == 0
    assert load_analysis(db, get_article(db, aid).analysis_id) == sample_analysis()
    # Same text again: still cached. Another pipeline version: pending again.
    upsert_articles(db, [article()])
    assert count_pending(db, "m@1", "p1") == 0
    assert count_pending(db, "m@1", "p2") == 1
    rows = article_rows(db)
    assert (rows[0].entity_count, rows[0].quote_count) == (2, 1)


def test_changed_text_is_analysed_again(tmp_path):
    db = open_db(tmp_path / "x.sqlite")
    [aid] = upsert_articles(db, [article()])
    [[(row_id, digest, text)]] = list(pending_articles(db, "m@1", "p1"))
    save_analyses(db, "m@1", "p1", [(row_id, digest, text, sample_analysis())])
    upsert_articles(db, [article(text="Completely new text.")])
    assert get_article(db, aid).analysis_id is None
    assert count_pending(db, "m@1", "p1") == 1


def test_saving_a_span_that_does_not_match_the_text_fails(tmp_path):
    db = open_db(tmp_path / "x.sqlite")
    [aid] = upsert_articles(db, [article()])
    bad = Analysis(entities=(Entity(0, 3, "PERSON", "Bob"),))
    with pytest.raises(ValueError, match="does not match"):
        save_analyses(db, "m@1", "p1", [(aid, "h", TEXT, bad)])
    # Nothing of the failed batch was kept.
    assert db.execute("SELECT count(*) FROM analyses").fetchone()[0] == 0


def test_store_file_is_a_plain_sqlite_database(tmp_path):
    path = tmp_path / "x.sqlite"
    db = open_db(path)
    upsert_articles(db, [article()])
    db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT ext_id FROM articles").fetchall() == [("a1",)]
