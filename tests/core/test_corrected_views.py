"""Corpus views, counts and filters count the corrected ("final") view, as the exports do."""

from __future__ import annotations

import pytest

from viewer.core.annotations.corrected_view import refresh_corrected
from viewer.core.model import Analysis, Article, Entity, Quote, text_hash
from viewer.core.store import open_db, overview
from viewer.core.store.analyses import save_analyses
from viewer.core.store.annotations import (
    delete_annotation,
    insert_annotation,
    new_annotation,
)
from viewer.core.store.articles import article_rows, get_article, upsert_articles
from viewer.core.store.filters import ArticleFilter, filtered_count, filtered_rows
from viewer.core.store.sourcing import corpus_sourcing
from viewer.core.tasks.export import entity_rows, quote_rows

T1 = 'Fox News said. "We will appeal," said Tony Blair in London.'
T2 = 'A Fox report from London. "No comment," an aide said.'


def ent(text: str, needle: str, label: str) -> Entity:
    s = text.index(needle)
    return Entity(s, s + len(needle), label, needle)


def quote(text: str, content: str, speaker: str, name: str, anonymous: bool = False) -> Quote:
    s, p = text.index(content), text.index(speaker)
    return Quote(s, s + len(content), content, p, p + len(speaker), speaker,
                 kind="direct", speaker_name=name, anonymous=anonymous,
                 attribution_id=1)  # fmt: skip


ANALYSES = {
    T1: Analysis(
        (ent(T1, "Fox", "ORG"), ent(T1, "Tony Blair", "PERSON"), ent(T1, "London", "GPE")),
        (quote(T1, "We will appeal,", "Tony Blair", "Tony Blair"),),
    ),
    T2: Analysis(
        (ent(T2, "Fox", "ORG"), ent(T2, "London", "GPE")),
        (quote(T2, "No comment,", "an aide", "an aide", anonymous=True),),
    ),
}


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "c.sqlite")
    ids = upsert_articles(db, [Article(id=f"a{i}", text=t, title=f"T{i}", origin="c")
                               for i, t in enumerate((T1, T2))])  # fmt: skip
    save_analyses(db, "m@1", "p", [(i, text_hash(t), t, ANALYSES[t])
                                   for i, t in zip(ids, (T1, T2), strict=True)])  # fmt: skip
    return db


def decide(db, article_id: int, needle: str, kind: str, action: str, **values):
    text = get_article(db, article_id).text
    s = text.index(needle)
    values.setdefault("model_start", s)
    values.setdefault("model_end", s + len(needle))
    return insert_annotation(
        db,
        new_annotation(article_id, text, text_hash(text), s, s + len(needle),
                       kind=kind, action=action, annotator="ann", **values),
    )  # fmt: skip


def fox_articles(db) -> int:
    return filtered_count(db, ArticleFilter(entity_text="fox", entity_label="ORG"))


def entity_row(db, text: str, label: str):
    overview.refresh_stats(db)
    rows = [s for s in overview.entity_stats(db, search=text) if s.label == label]
    return rows[0] if rows else None


def test_a_rejected_entity_leaves_filters_tables_and_mentions(db):
    assert fox_articles(db) == 2 and entity_row(db, "Fox", "ORG").articles == 2
    decide(db, 1, "Fox", "entity", "rejected", label="ORG", model_label="ORG")
    refresh_corrected(db)
    assert fox_articles(db) == 1
    assert entity_row(db, "Fox", "ORG").articles == 1
    assert overview.mention_count(db, "Fox", "ORG") == 1
    assert [m.article_id for m in overview.entity_mentions(db, "Fox", "ORG")] == [2]
    # The list's count is the corrected one too.
    counts = {r.id: r.entity_count for r in article_rows(db)}
    assert counts == {1: 2, 2: 2}


def test_a_relabelled_entity_counts_under_its_new_label(db):
    decide(db, 2, "Fox", "entity", "relabelled", label="PERSON", model_label="ORG")
    refresh_corrected(db)
    assert filtered_count(db, ArticleFilter(entity_text="Fox", entity_label="PERSON")) == 1
    assert entity_row(db, "Fox", "ORG").articles == 1
    assert entity_row(db, "Fox", "PERSON").articles == 1


def test_the_speaker_set_by_the_analyst_is_the_one_counted(db):
    decide(db, 1, "We will appeal,", "quote", "speaker_changed",
           speaker_start=T1.index("Fox News"), speaker_end=T1.index("Fox News") + 8,
           speaker_text="Fox News")  # fmt: skip
    refresh_corrected(db)
    assert filtered_count(db, ArticleFilter(speaker="Fox News")) == 1
    assert filtered_count(db, ArticleFilter(speaker="Tony Blair")) == 0
    overview.refresh_stats(db)
    names = {s.name: s.attributions for s in overview.speaker_stats(db)}
    assert names.get("Fox News") == 1 and "Tony Blair" not in names


def test_not_a_quote_leaves_the_sourcing_summary_and_the_quote_filters(db):
    assert corpus_sourcing(db).attributions == 2
    decide(db, 2, "No comment,", "quote", "not_quote")
    refresh_corrected(db)
    assert corpus_sourcing(db).attributions == 1 and corpus_sourcing(db).anonymous == 0
    assert filtered_count(db, ArticleFilter(anonymous_quotes=True)) == 0
    assert [r.id for r in filtered_rows(db, ArticleFilter(has_quotes=False))] == [2]


def test_an_added_entity_is_found(db):
    decide(db, 2, "aide", "entity", "added", label="PERSON", model_start=None, model_end=None)
    refresh_corrected(db)
    assert filtered_count(db, ArticleFilter(entity_text="aide")) == 1
    assert entity_row(db, "aide", "PERSON").mentions == 1


def test_an_edit_not_yet_refreshed_counts_as_model_output_then_as_corrected(db):
    decide(db, 1, "Fox", "entity", "rejected", label="ORG", model_label="ORG")
    assert fox_articles(db) == 2  # stale: the model's view until refreshed
    assert refresh_corrected(db, [2]) == 0  # only the article asked for, if stale
    assert refresh_corrected(db, [1]) == 1
    assert fox_articles(db) == 1
    assert refresh_corrected(db) == 0  # nothing stale is left


def test_removing_the_last_correction_restores_the_model_view(db):
    ann = decide(db, 1, "Fox", "entity", "rejected", label="ORG", model_label="ORG")
    refresh_corrected(db)
    delete_annotation(db, ann.id)
    refresh_corrected(db)
    assert fox_articles(db) == 2
    assert db.execute("SELECT count(*) FROM corrected_articles").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM final_entities").fetchone()[0] == 0


def test_a_new_analysis_makes_the_stored_final_view_stale(db):
    decide(db, 1, "Fox", "entity", "rejected", label="ORG", model_label="ORG")
    refresh_corrected(db)
    save_analyses(db, "m@2", "p", [(1, text_hash(T1), T1, ANALYSES[T1])])
    assert db.execute("SELECT fresh FROM corrected_articles").fetchone()[0] == 0
    assert refresh_corrected(db) == 1
    assert fox_articles(db) == 1  # the rejection holds on the new analysis too


def test_the_tables_agree_with_the_exports(db):
    decide(db, 1, "Fox", "entity", "rejected", label="ORG", model_label="ORG")
    decide(db, 2, "aide", "entity", "added", label="PERSON", model_start=None, model_end=None)
    decide(db, 2, "No comment,", "quote", "not_quote")
    refresh_corrected(db)
    overview.refresh_stats(db)
    exported = sum(n for _csv, n in entity_rows(db))
    counted = sum(s.mentions for s in overview.entity_stats(db, limit=1000))
    assert counted == exported
    quotes_exported = sum(n for _csv, n in quote_rows(db))  # one piece per attribution here
    assert corpus_sourcing(db).attributions == quotes_exported
