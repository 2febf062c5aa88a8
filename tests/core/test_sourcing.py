"""Attributions in the corpus tables: speakers by kind, anonymous speakers per article,
the sourcing summary (corpus, outlet, month, article) and the attribution filters."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from viewer.core.attributions import attribution_counts
from viewer.core.model import Analysis, Article, Quote, text_hash
from viewer.core.store import open_db, overview, sourcing
from viewer.core.store.analyses import load_analysis, save_analyses
from viewer.core.store.articles import upsert_articles
from viewer.core.store.filters import ArticleFilter, filtered_count, filtered_rows
from viewer.core.store.overview import SpeakerStat, refresh_stats
from viewer.core.store.schema import migrations
from viewer.core.store.sourcing import SourcingRow
from viewer.devtools.synthetic import generate

T1 = (
    'A spokesman said "we are ready." "The plan," Ann Lee said, "will work." '
    "Ann Lee said the vote was close. It was reported that talks stalled."
)
T2 = 'Ann Lee called it "a bold step" for the city. A spokesman told reporters the deal was off.'
T3 = '"No comment," Bob Stone said. "Later," he said. "Never," he added. Prices are set to rise.'
T4 = "Nothing said here."
T5 = 'Unanalysed "words," said Ann Lee.'
T6 = "Quiet day."


def q(
    text: str,
    content: str,
    speaker: str | None,
    name: str | None,
    kind: str = "direct",
    attribution: int | None = None,
    anonymous: bool = False,
    nth: int = 0,
) -> Quote:
    """A quote whose content and speaker are found in text (the nth speaker mention)."""
    s = text.index(content)
    sp = sp_end = None
    if speaker is not None:
        sp = -1
        for _ in range(nth + 1):
            sp = text.index(speaker, sp + 1)
        sp_end = sp + len(speaker)
    return Quote(
        s, s + len(content), content, sp, sp_end, speaker, kind=kind,  # type: ignore[arg-type]
        speaker_name=name, anonymous=anonymous, attribution_id=attribution,
    )  # fmt: skip


ANALYSES = {
    T1: Analysis(
        quotes=(
            q(T1, "we are ready.", "A spokesman", "a spokesman", attribution=1, anonymous=True),
            # One attribution in two pieces: counts once.
            q(T1, "The plan,", "Ann Lee", "Ann Lee", attribution=2),
            q(T1, "will work.", "Ann Lee", "Ann Lee", attribution=2),
            q(T1, "the vote was close", "Ann Lee", "Ann Lee", "indirect", 3, nth=1),
            q(T1, "talks stalled", None, None, "no-source", 4),
        )
    ),
    T2: Analysis(
        quotes=(
            q(T2, "a bold step", "Ann Lee", "Ann Lee", "mixed", 1),
            q(T2, "the deal was off", "A spokesman", "a spokesman", "indirect", 2, True),
        )
    ),
    T3: Analysis(
        quotes=(
            q(T3, "No comment,", "Bob Stone", "Bob Stone", attribution=1),
            # Pieces without an id: each its own attribution.
            q(T3, "Later,", "he", "Bob Stone"),
            q(T3, "Never,", "he", "Bob Stone", nth=1),
            q(T3, "Prices are set to rise", None, None, "no-source", 2),
        )
    ),
    T4: Analysis(),
    T6: Analysis(),
}
#        ext id, text, source, date
ROWS = [
    ("a1", T1, "Wire", "2024-01-05"),
    ("a2", T2, "Wire", "2024-02-20T10:00:00Z"),
    ("a3", T3, "Post", "March 2024"),  # not ISO: unknown month
    ("a4", T4, None, None),  # no outlet, no date
    ("a5", T5, "Wire", "2024-01-09"),  # never analysed: in no count
    ("a6", T6, "Post", "2024-13-01"),  # no such month
]


def add(db: Database, rows) -> dict[str, int]:
    ids = upsert_articles(
        db,
        [
            Article(id=x, text=t, title=f"Title {x}", origin="o", source=s, date=d)
            for x, t, s, d in rows
        ],
    )
    save_analyses(
        db,
        "m@1",
        "p",
        [
            (i, text_hash(t), t, ANALYSES[t])
            for i, (_, t, _, _) in zip(ids, rows, strict=True)
            if t in ANALYSES
        ],
    )
    return {x: i for (x, *_), i in zip(rows, ids, strict=True)}


@pytest.fixture
def corpus(tmp_path) -> tuple[Database, dict[str, int]]:
    db = open_db(tmp_path / "s.sqlite")
    ids = add(db, ROWS)
    yield db, ids
    db.close()


def exts(db: Database, f: ArticleFilter) -> list[str]:
    rows = filtered_rows(db, f)
    assert filtered_count(db, f) == len(rows)
    return [r.ext_id for r in rows]


# -- speakers -------------------------------------------------------------------


def test_anonymous_speakers_are_speakers_of_their_article(corpus):
    db, ids = corpus
    stats = overview.speaker_stats(db, sort="name", descending=False)
    assert stats == [
        SpeakerStat("a spokesman", 1, 1, 1.0, direct=1, article_id=ids["a1"],
                    article_title="Title a1", article_ext_id="a1"),
        SpeakerStat("a spokesman", 1, 1, 1.0, indirect=1, article_id=ids["a2"],
                    article_title="Title a2", article_ext_id="a2"),
        # Named speakers merge across articles; the two-piece attribution counts once.
        SpeakerStat("Ann Lee", attributions=3, articles=2, anonymous_share=0.0,
                    direct=1, mixed=1, indirect=1),
        SpeakerStat("Bob Stone", 3, 1, 0.0, direct=3),
    ]  # fmt: skip
    assert overview.speaker_count(db) == 4
    assert overview.speaker_count(db, search="SPOKES") == 2
    assert [s.label for s in stats[:2]] == [
        "a spokesman (in Title a1)",
        "a spokesman (in Title a2)",
    ]
    # no-source attributions have no speaker: in no speaker's count.
    assert sum(s.attributions for s in stats) == 8


def test_speakers_sort_by_kind_and_top_speakers_keep_spokesmen_apart(corpus):
    db, ids = corpus
    by_direct = overview.speaker_stats(db, sort="direct")
    assert [(s.name, s.direct) for s in by_direct][:1] == [("Bob Stone", 3)]
    assert [s.direct for s in by_direct] == [3, 1, 1, 0]
    top = overview.speaker_stats(db, sort="indirect", limit=2)
    assert {(s.name, s.article_id) for s in top} == {("Ann Lee", None), ("a spokesman", ids["a2"])}
    assert [(s.name, s.attributions) for s in overview.top_speakers(db, 2)] == [
        ("Ann Lee", 3),
        ("Bob Stone", 3),
    ]
    with pytest.raises(ValueError, match="cannot sort"):
        overview.speaker_stats(db, sort="quotes; DROP TABLE quotes")


def test_an_article_sharing_a_text_has_its_own_spokesman(corpus):
    db, ids = corpus
    ids |= add(db, [("a7", T2, "Daily", "2024-02-21")])  # the same text: one analysis, shared
    spokesmen = overview.speaker_stats(db, search="spokesman", sort="name", descending=False)
    assert [(s.article_ext_id, s.indirect) for s in spokesmen] == [
        ("a1", 0),
        ("a2", 1),
        ("a7", 1),
    ]
    ann = overview.speaker_stats(db, search="Ann Lee")[0]
    assert (ann.attributions, ann.mixed, ann.articles) == (4, 2, 3)


def test_a_name_anonymous_in_an_article_is_that_articles_speaker_there(tmp_path):
    db = open_db(tmp_path / "m.sqlite")
    text = '"Yes," the source said. "No," the source said.'
    analysis = Analysis(
        quotes=(
            q(text, "Yes,", "the source", "the source", attribution=1, anonymous=True),
            q(text, "No,", "the source", "the source", attribution=2, nth=1),
        )
    )
    (aid,) = upsert_articles(db, [Article(id="x", text=text, title="X", origin="o")])
    save_analyses(db, "m", "p", [(aid, text_hash(text), text, analysis)])
    (stat,) = overview.speaker_stats(db)
    assert (stat.article_id, stat.attributions, stat.anonymous_share) == (aid, 2, 0.5)


# -- the sourcing summary ---------------------------------------------------------


def counts(row: SourcingRow) -> tuple:
    return (
        row.label, row.articles, row.attributions, row.direct, row.mixed, row.indirect,
        row.no_source, row.anonymous,
    )  # fmt: skip


def test_corpus_summary(corpus):
    db, _ = corpus
    total = sourcing.corpus_sourcing(db)
    # a5 is not analysed; a4 and a6 are, without attributions.
    assert counts(total) == ("corpus", 5, 10, 5, 1, 2, 2, 2)
    assert total.anonymous_share == pytest.approx(0.2)
    assert total.no_source_share == pytest.approx(0.2)


def test_summary_per_outlet(corpus):
    db, _ = corpus
    rows = sourcing.sourcing_rows(db, "outlet")
    assert [counts(r) for r in rows] == [
        ("Wire", 2, 6, 2, 1, 2, 1, 2),
        ("Post", 2, 4, 3, 0, 0, 1, 0),
        ("unknown", 1, 0, 0, 0, 0, 0, 0),  # no outlet: last
    ]
    assert [r.key for r in rows] == ["Wire", "Post", None]
    assert rows[0].anonymous_share == pytest.approx(1 / 3)
    assert rows[1].anonymous_share == 0.0 and rows[2].anonymous_share is None
    assert sourcing.sourcing_count(db, "outlet") == 3
    by_name = sourcing.sourcing_rows(db, "outlet", sort="key")
    assert [r.label for r in by_name] == ["Post", "Wire", "unknown"]


def test_summary_per_month_with_missing_and_bad_dates(corpus):
    db, _ = corpus
    rows = sourcing.sourcing_rows(db, "month")
    assert [counts(r) for r in rows] == [
        ("2024-01", 1, 4, 2, 0, 1, 1, 1),
        ("2024-02", 1, 2, 0, 1, 1, 0, 1),  # a date with a time of day
        ("unknown", 3, 4, 3, 0, 0, 1, 0),  # "March 2024", none, "2024-13-01"
    ]
    assert sourcing.share_per_month(db) == [("2024-01", 0.25, 4), ("2024-02", 0.5, 2)]
    newest_first = sourcing.sourcing_rows(db, "month", sort="key", descending=True)
    assert [r.label for r in newest_first] == ["2024-02", "2024-01", "unknown"]


def test_summary_per_article(corpus):
    db, ids = corpus
    rows = sourcing.sourcing_rows(db, "article")
    assert [(r.key, r.attributions) for r in rows] == [
        ("a1", 4), ("a3", 4), ("a2", 2), ("a4", 0), ("a6", 0),
    ]  # fmt: skip
    assert (rows[0].label, rows[0].article_id) == ("Title a1", ids["a1"])
    by_share = sourcing.sourcing_rows(db, "article", sort="anonymous_share")
    assert [(r.key, r.anonymous_share) for r in by_share] == [
        ("a2", 0.5), ("a1", 0.25), ("a3", 0.0), ("a4", None), ("a6", None),
    ]  # fmt: skip
    least_first = sourcing.sourcing_rows(db, "article", sort="anonymous_share", descending=False)
    assert [r.key for r in least_first] == ["a3", "a1", "a2", "a4", "a6"]  # none still last
    page = sourcing.sourcing_rows(db, "article", sort="anonymous_share", offset=1, limit=2)
    assert [r.key for r in page] == ["a1", "a3"]
    by_title = sourcing.sourcing_rows(db, "article", sort="key", limit=2)
    assert [r.label for r in by_title] == ["Title a1", "Title a2"]
    assert sourcing.sourcing_count(db, "article") == 5
    buckets = dict(sourcing.articles_by_share(db))
    assert (buckets["0%"], buckets["≤30%"], buckets["≤50%"]) == (1, 1, 1)  # 0, 25%, 50%
    assert sum(buckets.values()) == 3  # articles with attributions


def test_groups_add_up_to_the_corpus(corpus):
    db, _ = corpus
    total = counts(sourcing.corpus_sourcing(db))[1:]
    for grouping in sourcing.GROUPINGS:
        rows = [counts(r)[1:] for r in sourcing.sourcing_rows(db, grouping)]
        assert tuple(map(sum, zip(*rows, strict=True))) == total, grouping


def test_unknown_grouping_or_sort_is_refused(corpus):
    db, _ = corpus
    with pytest.raises(ValueError, match="cannot group"):
        sourcing.sourcing_rows(db, "source; DROP TABLE articles")
    with pytest.raises(ValueError, match="cannot group"):
        sourcing.sourcing_count(db, "year")
    with pytest.raises(ValueError, match="cannot sort"):
        sourcing.sourcing_rows(db, "outlet", sort="1")


def test_summary_follows_new_analyses_and_edited_metadata(corpus):
    db, _ = corpus
    add(db, [("a8", T2, "Daily", "2024-03-02")])
    assert counts(sourcing.corpus_sourcing(db))[1:3] == (6, 12)
    # A re-import that changes only the outlet shows without counting again.
    upsert_articles(db, [Article(id="a3", text=T3, title="Title a3", origin="o", source="Wire")])
    assert counts(sourcing.sourcing_rows(db, "outlet")[0])[:3] == ("Wire", 3, 10)


def test_per_article_counts_match_the_attribution_helper(tmp_path):
    """The SQL counts each article's attributions as viewer.core.attributions does."""
    db = open_db(tmp_path / "syn.sqlite")
    arts = list(generate(40, seed=5))
    ids = upsert_articles(
        db, [Article(a.id, a.text, a.title, "syn", a.source, a.date) for a in arts]
    )
    save_analyses(
        db,
        "m",
        "p",
        [
            (i, text_hash(a.text), a.text, Analysis(a.entities, a.quotes))
            for i, a in zip(ids, arts, strict=True)
        ],
    )
    rows = sourcing.sourcing_rows(db, "article")
    assert len(rows) == 40 and sum(r.anonymous for r in rows) > 0
    for r in rows:
        (analysis_id,) = db.execute(
            "SELECT analysis_id FROM articles WHERE id = ?", [r.article_id]
        ).fetchone()
        expected = attribution_counts(load_analysis(db, analysis_id).quotes)
        assert (r.direct, r.mixed, r.indirect, r.no_source, r.anonymous) == expected
        assert r.attributions == sum(expected[:4])


def test_a_database_counted_before_this_version_is_counted_again(tmp_path):
    path = tmp_path / "old.sqlite"
    old = Database(path)
    migrations.apply(old, stop_before="0006_attribution_stats")
    old.execute(
        "INSERT INTO stats_speakers (name, quotes, articles, anonymous_share) "
        "VALUES ('stale', 9, 9, 0)"
    )
    old.execute("INSERT INTO stats_state (fingerprint) VALUES ('(None, 0, 0.0)')")
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert overview.speaker_stats(db) == []  # the old figures are gone
    ids = add(db, ROWS[:2])
    assert overview.speaker_count(db) == 3
    assert sourcing.corpus_sourcing(db).attributions == 6
    assert ids


# -- filters ------------------------------------------------------------------------


def test_filter_by_attribution_kind(corpus):
    db, _ = corpus
    assert exts(db, ArticleFilter(attribution_kind="direct")) == ["a1", "a3"]
    assert exts(db, ArticleFilter(attribution_kind="mixed")) == ["a2"]
    assert exts(db, ArticleFilter(attribution_kind="indirect")) == ["a1", "a2"]
    assert exts(db, ArticleFilter(attribution_kind="no-source")) == ["a1", "a3"]
    f = ArticleFilter(attribution_kind="indirect", source="Wire", date_from="2024-02")
    assert exts(db, f) == ["a2"]
    assert ArticleFilter(attribution_kind="mixed").describe() == "mixed attributions"


def test_filter_by_anonymous_attributions(corpus):
    db, _ = corpus
    assert exts(db, ArticleFilter(anonymous_quotes=True)) == ["a1", "a2"]
    # Both: an anonymous attribution of that kind, not one of each.
    assert exts(db, ArticleFilter(anonymous_quotes=True, attribution_kind="direct")) == ["a1"]
    assert exts(db, ArticleFilter(anonymous_quotes=True, attribution_kind="indirect")) == ["a2"]
    assert exts(db, ArticleFilter(anonymous_quotes=True, attribution_kind="mixed")) == []
    assert (
        ArticleFilter(anonymous_quotes=True, attribution_kind="indirect").describe()
        == "anonymous indirect attributions"
    )


def test_speaker_filter_tells_anonymous_speakers_apart(corpus):
    db, ids = corpus
    # A name is every speaker of that name; with an article, that article's speaker.
    assert exts(db, ArticleFilter(speaker="A SPOKESMAN")) == ["a1", "a2"]
    f = ArticleFilter(speaker="a spokesman", speaker_article=ids["a2"])
    assert exts(db, f) == ["a2"]
    assert f.describe() == f"speaker “a spokesman” in article {ids['a2']}"
    # Each row of the speakers table filters to as many articles as it says.
    for s in overview.speaker_stats(db):
        row_filter = ArticleFilter(speaker=s.name, speaker_article=s.article_id)
        assert filtered_count(db, row_filter) == s.articles, s


def test_stats_counted_on_one_connection_are_read_on_another(corpus, tmp_path):
    db, _ = corpus
    refresh_stats(db)
    other = open_db(tmp_path / "s.sqlite")  # as the window reads what its job counted
    try:
        assert overview.speaker_count(other, refresh=False) == 4
        assert sourcing.corpus_sourcing(other, refresh=False).attributions == 10
    finally:
        other.close()
