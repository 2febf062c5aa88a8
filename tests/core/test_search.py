"""Full-text search: hits in context, safe and raw queries, the index kept in step."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.articles import upsert_articles
from viewer.core.store.schema import migrations
from viewer.core.store.search import SearchError, fts_query, search, search_count

TEXTS = {
    "a1": ("Budget talks", "The minister said inflation was easing.\nBerlin agreed on Monday."),
    "a2": ("Inflation fears", "Prices rose again in Paris, traders said."),
    "a3": ("Café culture", "A new café opened in Lyon; the co-owner is pleased."),
    "a4": ("Markets", "Inflationary pressure and inflation worries: inflation everywhere."),
}


def art(ext_id: str, title: str, text: str) -> Article:
    return Article(id=ext_id, text=text, title=title, origin=f"{ext_id}.txt")


@pytest.fixture
def db(tmp_path) -> Database:
    db = open_db(tmp_path / "s.sqlite")
    upsert_articles(db, [art(k, t, x) for k, (t, x) in TEXTS.items()])
    return db


def ext(db: Database, article_id: int) -> str:
    return db.execute("SELECT ext_id FROM articles WHERE id = ?", [article_id]).fetchone()[0]


def test_hit_in_text_has_offsets_and_context(db):
    hits = search(db, "inflation")
    assert [ext(db, h.article_id) for h in hits] == ["a1", "a2", "a4"]
    first = hits[0]
    text = TEXTS["a1"][1]
    assert text[first.start : first.end] == "inflation" == first.match
    assert first.left.endswith("minister said ") and first.right.startswith(" was easing.")
    assert "\n" not in first.right  # one line per hit
    assert hits[2].matches == 2  # "Inflationary" is another word


def test_title_only_hit_has_no_text_position(db):
    (hit,) = [h for h in search(db, "inflation") if ext(db, h.article_id) == "a2"]
    assert (hit.start, hit.end) == (-1, -1)
    assert hit.match == "Inflation fears"


def test_count_and_pages(db):
    assert search_count(db, "inflation") == 3
    page = search(db, "inflation", offset=1, limit=1)
    assert [ext(db, h.article_id) for h in page] == ["a2"]


def test_prefix_phrase_and_diacritics(db):
    assert search_count(db, "inflation*") == 3
    assert search_count(db, '"inflation was easing"') == 1
    assert search_count(db, '"was inflation"') == 0
    assert search_count(db, "cafe") == 1  # accents are folded


@pytest.mark.parametrize(
    "query",
    [
        "foo AND",
        "NEAR(",
        "co-owner",
        "title:",
        'say "hi',
        "a OR",
        "*",
        "'; DROP TABLE articles; --",
    ],
)
def test_safe_mode_never_fails_on_user_input(db, query):
    search(db, query)
    search_count(db, query)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 4


def test_safe_mode_searches_operators_and_punctuation_as_words(db):
    assert search_count(db, "co-owner") == 1
    assert fts_query('co-owner "new café" infl*') == '"co-owner" "new café" "infl"*'
    assert fts_query("   ") == ""
    assert search(db, "") == []


def test_raw_mode_allows_fts_syntax(db):
    assert search_count(db, "paris OR lyon", raw=True) == 2
    assert search_count(db, "inflation NOT minister", raw=True) == 2
    assert search_count(db, "title:café", raw=True) == 1


@pytest.mark.parametrize("query", ["foo AND", "NEAR(", '"unclosed', "nosuchcolumn:word"])
def test_malformed_raw_query_is_a_clear_error(db, query):
    with pytest.raises(SearchError, match="Cannot search for") as info:
        search(db, query, raw=True)
    assert repr(query) in str(info.value)
    with pytest.raises(SearchError):
        search_count(db, query, raw=True)


def test_index_follows_changed_articles(db):
    upsert_articles(db, [art("a2", "Inflation fears", "Prices fell in Madrid.")])
    assert search_count(db, "paris") == 0
    assert search_count(db, "madrid") == 1
    upsert_articles(db, [art("a3", "Retitled in Lyon", TEXTS["a3"][1])])
    assert search_count(db, "retitled") == 1
    integrity = "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
    db.execute(integrity)  # raises if the index and the table disagree


def test_unchanged_reimport_does_not_touch_the_index(db):
    before = db.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0]
    upsert_articles(db, [art(k, t, x) for k, (t, x) in TEXTS.items()])
    assert db.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0] == before


def test_migration_indexes_existing_articles(tmp_path):
    db = Database(tmp_path / "old.sqlite")
    migrations.apply(db, stop_before="0003_search_and_filters")
    db.execute(  # as the viewer of that schema stored it
        "INSERT INTO articles (ext_id, title, origin, text, text_hash, imported_at) "
        "VALUES ('x', 'Old news', 'x.txt', 'Stored before search existed.', 'h', 'then')"
    )
    db.close()
    db = open_db(tmp_path / "old.sqlite")
    assert search_count(db, "existed") == 1


def test_a_nul_in_the_query_is_a_word_break_not_an_error():
    from viewer.core.store.search import fts_query

    assert fts_query("budget\x00talks") == fts_query("budget talks")


# -- texts highlight() cannot mark: a NUL (it stops there) or its own marks -------------------


@pytest.mark.parametrize("odd", ["\x00", "\x02", "\x03", "\x03 \x02", "\x00\x02\x03"],
                         ids=["nul", "open-mark", "close-mark", "both-marks", "all"])  # fmt: skip
def test_hits_point_at_the_word_in_texts_with_control_characters(tmp_path, odd):
    db = open_db(tmp_path / "odd.sqlite")
    text = f"Opening{odd} line.\nThe minister{odd} said inflation{odd} was easing; inflation again."
    upsert_articles(db, [art("odd", f"Title{odd} here", text)])
    [hit] = search(db, "inflation")
    assert text[hit.start : hit.end] == "inflation" == hit.match
    assert hit.start == text.index("inflation")
    assert hit.left.endswith("said ") and hit.right.startswith(odd.replace("\n", " "))
    assert hit.matches == 2
    [title_hit] = search(db, "title")
    assert (title_hit.start, title_hit.end) == (-1, -1) and title_hit.match == f"Title{odd} here"
    [phrase] = search(db, '"inflation again"')
    assert text[phrase.start : phrase.end] == "inflation again"


@pytest.mark.parametrize("query", ["inflation", "inflat*", "cafe", '"said inflation"', "co-owner",
                                   "paris OR lyon", "berlin", "Monday"])  # fmt: skip
def test_matching_in_python_agrees_with_fts5(db, query):
    from viewer.core.store import search as search_module

    match = fts_query(query)
    for hit in search(db, query):
        assert search_module._unmarkable_hit(db, hit.article_id, match) == hit
