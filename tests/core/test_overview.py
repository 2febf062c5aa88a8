"""Corpus-wide views: entities and speakers tables, mentions in context, chart data."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from viewer.core.model import Analysis, Article, Entity, Quote, text_hash
from viewer.core.store import open_db, overview
from viewer.core.store.analyses import save_analyses
from viewer.core.store.articles import upsert_articles
from viewer.core.store.overview import EntityStat, SpeakerStat

T1 = 'Berlin and Berlin again. "Ready," said Anna Lee.'
T2 = 'In Berlin, "not yet," said an aide. "Soon," Lee said.'
T3 = "Paris\nin spring."


def e(text: str, needle: str, label: str, nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Entity(start, start + len(needle), label, needle)


def q(text: str, content: str, speaker: str, name: str | None, anonymous: bool = False) -> Quote:
    s, p = text.index(content), text.index(speaker)
    return Quote(
        s, s + len(content), content, p, p + len(speaker), speaker,
        speaker_name=name, anonymous=anonymous,
    )  # fmt: skip


ANALYSES = {
    T1: Analysis(
        (e(T1, "Berlin", "GPE"), e(T1, "Berlin", "GPE", 1), e(T1, "Anna Lee", "PERSON")),
        (q(T1, "Ready,", "Anna Lee", "Anna Lee"),),
    ),
    T2: Analysis(
        (e(T2, "Berlin", "GPE"), e(T2, "Lee", "PERSON")),
        (q(T2, "not yet,", "an aide", None, anonymous=True), q(T2, "Soon,", "Lee", "Anna Lee")),
    ),
    T3: Analysis((e(T3, "Paris", "GPE"),), ()),
}
ROWS = [("a1", T1, "2024-01-03"), ("a2", T2, "2024-01-20"), ("a3", T3, "March 2024"),
        ("a4", T1, "2024-02-01")]  # fmt: skip


@pytest.fixture
def db(tmp_path) -> Database:
    db = open_db(tmp_path / "o.sqlite")
    ids = upsert_articles(
        db, [Article(id=x, text=t, title=f"T {x}", origin="o", date=d) for x, t, d in ROWS]
    )
    save_analyses(
        db,
        "m@1",
        "p",
        [(i, text_hash(t), t, ANALYSES[t]) for i, (_, t, _) in zip(ids, ROWS, strict=True)],
    )
    return db


def test_entities_count_articles_and_mentions(db):
    stats = overview.entity_stats(db)
    # a1 and a4 share one analysis: still two articles, and their mentions add up.
    # "Lee" alone is the corpus's one Lee, "Anna Lee": one row, three articles.
    assert set(stats) == {
        EntityStat("Berlin", "GPE", articles=3, mentions=5, forms=("Berlin",)),
        EntityStat("Anna Lee", "PERSON", 3, 3, ("Anna Lee", "Lee")),
        EntityStat("Paris", "GPE", 1, 1, ("Paris",)),
    }
    assert overview.entity_count(db) == 3


def test_entities_sort_filter_and_page(db):
    by_text = overview.entity_stats(db, sort="text", descending=False)
    assert [s.text for s in by_text] == ["Anna Lee", "Berlin", "Paris"]
    assert [s.text for s in overview.entity_stats(db, sort="mentions", limit=2)] == [
        "Berlin",
        "Anna Lee",
    ]
    assert [s.text for s in overview.entity_stats(db, search="LEE", sort="text")] == ["Anna Lee"]
    assert overview.entity_count(db, label="GPE") == 2
    assert overview.entity_stats(db, search="%", label=None) == []  # % is not a wildcard
    page = overview.entity_stats(db, sort="text", descending=False, offset=1, limit=2)
    assert [s.text for s in page] == ["Berlin", "Paris"]


def test_sort_column_must_be_known(db):
    with pytest.raises(ValueError, match="cannot sort"):
        overview.entity_stats(db, sort="text; DROP TABLE articles")
    with pytest.raises(ValueError):
        overview.speaker_stats(db, sort="1")


def test_mentions_in_context(db):
    mentions = overview.entity_mentions(db, "Berlin", "GPE")
    assert overview.mention_count(db, "Berlin", "GPE") == len(mentions) == 5
    first = mentions[0]
    assert (first.left, first.text) == ("", "Berlin")
    assert first.right.startswith(" and Berlin again.")
    second = mentions[1]
    assert second.left == "Berlin and " and second.start == T1.index("Berlin", 1)
    assert overview.entity_mentions(db, "berlin", "GPE") == []  # exact text of the row
    assert [m.start for m in overview.entity_mentions(db, "Berlin", "GPE", 4, 10)] == [11]


def test_context_is_one_line(db):
    (m,) = overview.entity_mentions(db, "Paris", "GPE")
    assert m.right == " in spring."


def test_speakers_table(db):
    stats = overview.speaker_stats(db)
    a2 = db.execute("SELECT id FROM articles WHERE ext_id = 'a2'").fetchone()[0]
    assert stats == [
        SpeakerStat("Anna Lee", attributions=3, articles=3, anonymous_share=0.0, direct=3),
        # Anonymous: a speaker of its article, shown with it.
        SpeakerStat("an aide", 1, 1, 1.0, direct=1, article_id=a2, article_title="T a2",
                    article_ext_id="a2"),
    ]  # fmt: skip
    assert stats[1].label == "an aide (in T a2)"
    assert overview.speaker_count(db, search="aide") == 1
    assert [s.name for s in overview.speaker_stats(db, sort="name", descending=False)] == [
        "an aide",
        "Anna Lee",
    ]


def test_top_n_for_charts(db):
    assert [s.text for s in overview.top_entities(db, 2)] == ["Anna Lee", "Berlin"]  # tie: by text
    assert [s.text for s in overview.top_entities(db, 5, label="PERSON")] == ["Anna Lee"]
    assert [s.name for s in overview.top_speakers(db, 1)] == ["Anna Lee"]


def test_articles_per_month_skips_other_date_formats(db):
    assert overview.articles_per_month(db) == [("2024-01", 2), ("2024-02", 1)]


def test_tables_follow_new_analyses(db):
    assert overview.entity_count(db) == 3
    text = "Rome."
    (new_id,) = upsert_articles(db, [Article(id="a5", text=text, title="T", origin="o")])
    save_analyses(
        db, "m@1", "p", [(new_id, text_hash(text), text, Analysis((e(text, "Rome", "GPE"),)))]
    )
    assert overview.entity_count(db) == 4
    # An article whose text changed drops its old analysis from the counts.
    upsert_articles(db, [Article(id="a3", text="Changed.", title="T", origin="o")])
    assert "Paris" not in {s.text for s in overview.entity_stats(db)}


def test_entities_without_some_labels(db):
    """The window's tables and charts leave out the labels hidden in the legend."""
    overview.refresh_stats(db)
    shown = overview.entity_stats(db, without={"GPE"})
    assert {s.label for s in shown} == {"PERSON"}
    assert overview.entity_count(db, without={"GPE"}) == len(shown) == 1
    assert overview.entity_count(db, without={"GPE", "PERSON"}) == 0
    assert overview.top_entities(db, 5, without={"PERSON"})[0].text == "Berlin"
    # One label asked for wins.
    assert {s.label for s in overview.entity_stats(db, label="GPE", without={"GPE"})} == {"GPE"}
