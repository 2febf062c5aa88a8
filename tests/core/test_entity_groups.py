"""An entity counted once however written: "Tony Blair", "Mr Blair", "Blair's"."""

from __future__ import annotations

import pytest

from viewer.core.model import Analysis, Article, Entity, text_hash
from viewer.core.names.entity_names import Form, entity_key, group_forms
from viewer.core.store import open_db, overview
from viewer.core.store.analyses import save_analyses
from viewer.core.store.articles import upsert_articles
from viewer.core.store.filters import ArticleFilter, filtered_count

A1 = "Tony Blair spoke. Mr Blair left. Blair's aides stayed at the Pentagon."
A2 = "Blair arrived; Tony Blair's car waited by the Pentagon's gate near Pentagon."
A3 = "Boris Johnson and Lyndon Johnson: Johnson was there, said Mr Johnson."
A4 = "Mr Blair alone, with nobody else named."


def spans(text: str, label: str, *needles: str) -> list[Entity]:
    found, at = [], 0
    for needle in needles:
        at = text.index(needle, at)
        found.append(Entity(at, at + len(needle), label, needle))
        at += len(needle)
    return found


ANALYSES = {
    A1: spans(A1, "PERSON", "Tony Blair", "Mr Blair", "Blair's") + spans(A1, "ORG", "the Pentagon"),
    A2: spans(A2, "PERSON", "Blair", "Tony Blair's")
    + spans(A2, "ORG", "the Pentagon's", "Pentagon"),
    A3: spans(A3, "PERSON", "Boris Johnson", "Lyndon Johnson", "Johnson", "Mr Johnson"),
    A4: spans(A4, "PERSON", "Mr Blair"),
}


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "g.sqlite")
    texts = list(ANALYSES)
    ids = upsert_articles(
        db, [Article(id=f"a{n}", text=t, title=f"T{n}", origin="o") for n, t in enumerate(texts)]
    )
    save_analyses(
        db,
        "m@1",
        "p",
        [
            (i, text_hash(t), t, Analysis(tuple(ANALYSES[t]), ()))
            for i, t in zip(ids, texts, strict=True)
        ],
    )
    return db


def test_keys_drop_titles_possessives_and_a_leading_the():
    assert entity_key("Mr Tony Blair's", "PERSON") == "Tony Blair"
    assert entity_key("Guy Mansfield QC", "PERSON") == "Guy Mansfield"
    assert entity_key("the Pentagon's", "ORG") == "Pentagon"
    assert entity_key("The  Times", "ORG") == "Times"


def test_a_lone_surname_joins_only_the_one_full_name_it_stands_for():
    forms = [
        Form("Blair", "PERSON", 9),
        Form("Tony Blair", "PERSON", 5),
        Form("Johnson", "PERSON", 3),
        Form("Boris Johnson", "PERSON", 2),
        Form("Lyndon Johnson", "PERSON", 2),
        Form("Blair", "ORG", 1),  # not a person: never a surname
    ]
    groups = {(g.name, g.label): g.forms for g in group_forms(forms)}
    assert groups == {
        ("Tony Blair", "PERSON"): ("Blair", "Tony Blair"),
        ("Johnson", "PERSON"): ("Johnson",),
        ("Boris Johnson", "PERSON"): ("Boris Johnson",),
        ("Lyndon Johnson", "PERSON"): ("Lyndon Johnson",),
        ("Blair", "ORG"): ("Blair",),
    }


def test_the_table_has_one_row_per_entity_with_its_forms(db):
    rows = {(s.text, s.label): s for s in overview.entity_stats(db)}
    blair = rows[("Tony Blair", "PERSON")]
    assert set(blair.forms) == {"Tony Blair", "Mr Blair", "Blair's", "Blair", "Tony Blair's"}
    assert blair.variants == tuple(f for f in blair.forms if f != "Tony Blair")
    # Every article that writes Blair in any form, each once; every mention.
    assert (blair.articles, blair.mentions) == (3, 6)
    pentagon = rows[("Pentagon", "ORG")]
    assert set(pentagon.forms) == {"the Pentagon", "the Pentagon's", "Pentagon"}
    assert (pentagon.articles, pentagon.mentions) == (2, 3)
    assert not any(text in ("Blair", "Mr Blair", "the Pentagon") for text, _ in rows)


def test_a_surname_two_full_names_share_stays_its_own_row(db):
    rows = {s.text: s for s in overview.entity_stats(db, label="PERSON")}
    assert set(rows["Johnson"].forms) == {"Johnson", "Mr Johnson"}
    assert "Boris Johnson" in rows and "Lyndon Johnson" in rows


def test_mentions_filter_and_search_reach_every_form(db):
    overview.refresh_stats(db)  # the table is counted before a row of it is chosen
    mentions = overview.entity_mentions(db, "Tony Blair", "PERSON")
    assert sorted(m.text for m in mentions) == sorted(
        ["Tony Blair", "Mr Blair", "Blair's", "Blair", "Tony Blair's", "Mr Blair"]
    )
    assert overview.mention_count(db, "Tony Blair", "PERSON") == 6
    # A4 names him only as "Mr Blair": the filter by the row's name still finds it.
    assert filtered_count(db, ArticleFilter(entity_text="Tony Blair", entity_label="PERSON")) == 3
    assert filtered_count(db, ArticleFilter(entity_text="tony blair")) == 3
    # A typed form that names no row still matches itself, and only itself.
    assert filtered_count(db, ArticleFilter(entity_text="Mr Johnson")) == 1
    assert [s.text for s in overview.entity_stats(db, search="Mr Blair")] == ["Tony Blair"]
    assert overview.entity_count(db, search="blair's") == 1
