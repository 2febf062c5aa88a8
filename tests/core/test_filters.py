"""Article filters: each field alone, combined, with search, paged; current analysis only."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from viewer.core.model import Analysis, Article, Entity, Quote, text_hash
from viewer.core.store import open_db
from viewer.core.store.analyses import save_analyses
from viewer.core.store.articles import upsert_articles
from viewer.core.store.filters import (
    ArticleFilter,
    FilterError,
    date_problem,
    distinct_values,
    filtered_count,
    filtered_rows,
    filtered_search,
)
from viewer.core.store.search import SearchError

T1 = 'Anna Schmidt said "we are ready" in Berlin.'
T2 = '"Nothing is decided," said an official in berlin.'
T3 = "Paris was quiet on Sunday."
T4 = "Not analysed: Berlin and Anna Schmidt."


def ent(text: str, needle: str, label: str) -> Entity:
    start = text.index(needle)
    return Entity(start, start + len(needle), label, needle)


def quote(text: str, content: str, speaker: str, name: str | None, anonymous=False) -> Quote:
    s, p = text.index(content), text.index(speaker)
    return Quote(
        s,
        s + len(content),
        content,
        p,
        p + len(speaker),
        speaker,
        speaker_name=name,
        anonymous=anonymous,
        attribution_id=1,
    )


ANALYSES = {
    T1: Analysis(
        (ent(T1, "Anna Schmidt", "PERSON"), ent(T1, "Berlin", "GPE")),
        (quote(T1, "we are ready", "Anna Schmidt", "Anna Schmidt"),),
    ),
    T2: Analysis(
        (ent(T2, "berlin", "GPE"),),
        (quote(T2, "Nothing is decided,", "an official", None, anonymous=True),),
    ),
    T3: Analysis((ent(T3, "Paris", "GPE"), ent(T3, "Sunday", "DATE")), ()),
}

ARTICLES = [  # ext id, text, source, date
    ("a1", T1, "Wire", "2024-01-05"),
    ("a2", T2, "Post", "2024-02-10"),
    ("a3", T3, "Wire", "2023-12-31"),
    ("a4", T4, "Post", None),
    ("a5", T1, "Daily", "2024-03-01"),  # same text as a1: shares its analysis
]


@pytest.fixture
def db(tmp_path) -> Database:
    db = open_db(tmp_path / "f.sqlite")
    ids = upsert_articles(
        db,
        [
            Article(id=e, text=t, title=f"Title {e}", origin=f"{e}.txt", source=s, date=d)
            for e, t, s, d in ARTICLES
        ],
    )
    save_analyses(
        db,
        "m@1",
        "p1",
        [
            (i, text_hash(t), t, ANALYSES[t])
            for i, (_, t, _, _) in zip(ids, ARTICLES, strict=True)
            if t in ANALYSES
        ],
    )
    by_ext = dict(zip([a[0] for a in ARTICLES], ids, strict=True))
    stamp = "2024-01-01T00:00:00+00:00"
    db["article_tags"].insert_all(
        [
            {"article_id": by_ext[e], "tag": "check", "annotator": "x", "created_at": stamp}
            for e in ("a1", "a3")
        ]
    )
    db["article_reviews"].insert_all(
        [
            {"article_id": by_ext["a1"], "status": "done", "annotator": "x", "updated_at": stamp},
            {
                "article_id": by_ext["a2"],
                "status": "in_progress",
                "annotator": "x",
                "updated_at": stamp,
            },
            {
                "article_id": by_ext["a3"],
                "status": "unreviewed",
                "annotator": "x",
                "updated_at": stamp,
            },
        ]
    )
    for e, label, action in (("a3", "EVENT", "added"), ("a2", "GPE", "rejected")):
        db["annotations"].insert(
            {
                "article_id": by_ext[e],
                "kind": "entity",
                "action": action,
                "label": label,
                "start": 0,
                "end": 1,
                "text": "x",
                "left_context": "",
                "right_context": "",
                "text_hash": "h",
                "annotator": "x",
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    return db


def exts(db: Database, f: ArticleFilter) -> list[str]:
    rows = filtered_rows(db, f)
    assert filtered_count(db, f) == len(rows)
    return [r.ext_id for r in rows]


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (ArticleFilter(), ["a1", "a2", "a3", "a4", "a5"]),
        (ArticleFilter(entity_text="Berlin"), ["a1", "a2", "a5"]),  # case ignored
        (ArticleFilter(entity_text="berlin", entity_label="GPE"), ["a1", "a2", "a5"]),
        (ArticleFilter(entity_text="Berlin", entity_label="ORG"), []),
        (ArticleFilter(entity_label="DATE"), ["a3"]),
        (ArticleFilter(speaker="anna schmidt"), ["a1", "a5"]),
        (ArticleFilter(speaker="an official"), ["a2"]),  # no resolved name: the mention
        (ArticleFilter(anonymous_quotes=True), ["a2"]),
        (ArticleFilter(tag="check"), ["a1", "a3"]),
        (ArticleFilter(status="done"), ["a1"]),
        (ArticleFilter(status="in_progress"), ["a2"]),
        (ArticleFilter(status="unreviewed"), ["a3", "a4", "a5"]),  # also: never reviewed
        (ArticleFilter(source="Wire"), ["a1", "a3"]),
        (ArticleFilter(date_from="2024-01-05"), ["a1", "a2", "a5"]),
        (ArticleFilter(date_to="2024-01"), ["a1", "a3"]),  # a month is inclusive
        (ArticleFilter(date_from="2024-02", date_to="2024-03-01"), ["a2", "a5"]),
        (ArticleFilter(has_quotes=True), ["a1", "a2", "a5"]),
        (ArticleFilter(has_quotes=False), ["a3"]),  # a4 is not analysed: unknown
        (ArticleFilter(annotation_label="EVENT"), ["a3"]),
        (ArticleFilter(annotation_label="GPE"), []),  # a rejection is not a label
        (ArticleFilter(query="berlin"), ["a1", "a2", "a4", "a5"]),
    ],
)
def test_each_field(db, f, expected):
    assert exts(db, f) == expected


def test_fields_combine(db):
    f = ArticleFilter(entity_text="Berlin", source="Wire", tag="check", status="done")
    assert exts(db, f) == ["a1"]
    f = ArticleFilter(query="berlin", speaker="Anna Schmidt", date_from="2024-02")
    assert exts(db, f) == ["a5"]
    assert exts(db, ArticleFilter(speaker="Anna Schmidt", anonymous_quotes=True)) == []


def test_only_the_current_analysis_counts(db):
    # a1's text changes: its old analysis stays cached but is no longer a1's.
    upsert_articles(db, [Article(id="a1", text="Rewritten.", title="T", origin="a1.txt")])
    assert exts(db, ArticleFilter(entity_text="Anna Schmidt")) == ["a5"]


def test_pages_by_offset_and_by_key(db):
    f = ArticleFilter(entity_label="GPE")
    assert [r.ext_id for r in filtered_rows(db, f, 1, 2)] == ["a2", "a3"]
    first = filtered_rows(db, f, 0, 2)
    rest = filtered_rows(db, f, 0, 10, after_id=first[-1].id)
    assert [r.ext_id for r in first + rest] == ["a1", "a2", "a3", "a5"]
    assert filtered_rows(db, ArticleFilter(), 0, 1, after_id=first[-1].id)[0].ext_id == "a3"


def test_rows_carry_counts_for_the_list(db):
    (row,) = filtered_rows(db, ArticleFilter(source="Post", has_quotes=True))
    assert (row.title, row.source, row.entity_count, row.quote_count) == ("Title a2", "Post", 1, 1)


def test_search_within_a_filter(db):
    hits = filtered_search(db, ArticleFilter(query="berlin", source="Wire"))
    assert [h.article_id for h in hits] == [
        r.id for r in filtered_rows(db, ArticleFilter(source="Wire", query="berlin"))
    ]
    assert hits[0].match == "Berlin"
    assert filtered_search(db, ArticleFilter(source="Wire")) == []


def test_values_are_bound_not_spliced(db):
    evil = "x' OR '1'='1"
    for f in (
        ArticleFilter(source=evil),
        ArticleFilter(entity_text=evil),
        ArticleFilter(tag=evil),
        ArticleFilter(speaker=evil),
    ):
        assert filtered_count(db, f) == 0
    assert filtered_count(db, ArticleFilter(query=evil)) == 0
    with pytest.raises(FilterError):  # a date bound is refused before any SQL
        filtered_count(db, ArticleFilter(date_from=evil + "9"))


def test_malformed_raw_query_is_a_search_error(db):
    with pytest.raises(SearchError):
        filtered_count(db, ArticleFilter(query="berlin AND", raw_query=True))


def test_choices_for_the_filter_bar(db):
    assert distinct_values(db, "source") == ["Daily", "Post", "Wire"]
    assert distinct_values(db, "tag") == ["check"]
    assert distinct_values(db, "label") == ["DATE", "GPE", "PERSON"]
    assert distinct_values(db, "annotation_label") == ["EVENT", "GPE"]
    with pytest.raises(ValueError):
        distinct_values(db, "text; DROP TABLE articles")


def test_describe_and_empty():
    assert ArticleFilter().is_empty and ArticleFilter().describe() == "all articles"
    f = ArticleFilter(source="Wire", anonymous_quotes=True)
    assert not f.is_empty and f.describe() == "anonymous attributions · source “Wire”"


def test_describe_speaks_words_not_field_names():
    f = ArticleFilter(entity_text="Fox", has_quotes=False)
    assert f.describe() == "entity “Fox” · without quotes"
    f = ArticleFilter(
        query="budget", entity_text="Fox", entity_label="NORP", tag="check", status="in_progress",
        date_from="2005-01", date_to="2005-06-30", has_quotes=True, annotation_label="Claim",
        annotator="ann",
    )  # fmt: skip
    assert f.describe() == (
        "text “budget” · entity “Fox” (Group) · tagged “check” · in progress · dated 2005-01"
        " to 2005-06-30 · with quotes · annotated “Claim” · worked on by ann"
    )
    assert ArticleFilter(entity_label="WORK_OF_ART").describe() == "Work of art entities"
    assert ArticleFilter(date_to="2005").describe() == "dated up to 2005"
    assert "=" not in f.describe() and "_" not in f.describe()


@pytest.mark.parametrize("bad", ["01/01/2005", "2005-13", "2005-02-30", "yesterday", "05"])
def test_a_date_that_is_not_a_date_is_refused_not_matched_to_everything(db, bad):
    """Regression: dates compare as text, so "01/01/2005" matched (nearly) every article."""
    assert date_problem(bad) == f"“{bad}” is not a date: write YYYY-MM-DD (or YYYY-MM, or YYYY)"
    for f in (ArticleFilter(date_from=bad), ArticleFilter(date_to=bad)):
        assert f.problems()
        with pytest.raises(FilterError, match="is not a date"):
            filtered_count(db, f)
        with pytest.raises(FilterError):
            filtered_rows(db, f, 0, 10)


@pytest.mark.parametrize("good", ["2005", "2005-03", "2005-03-31", "2024-02-29"])
def test_iso_dates_and_prefixes_are_dates(good):
    assert date_problem(good) is None and ArticleFilter(date_from=good).problems() == []
