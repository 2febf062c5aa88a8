"""Exports of a database two annotators worked in: everyone's work, or one's (--annotator)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest

from tests.core.test_export import ARTICLES, build_sample_db
from viewer.__main__ import main
from viewer.core.store import open_db
from viewer.core.store.annotations import annotations_for_article, insert_annotation
from viewer.core.store.reviews import Review, set_review
from viewer.core.tasks.export import ANNOTATION_COLUMNS, ARTICLE_COLUMNS, ENTITY_COLUMNS


@pytest.fixture
def team_db(tmp_path):
    """The sample database (ana's work) plus bob's own review and a decision of his."""
    path = tmp_path / "team.sqlite"
    db = build_sample_db(path)
    a1 = db.execute("SELECT id FROM articles WHERE ext_id = 'a/1'").fetchone()[0]
    set_review(db, a1, Review("in_progress", "bob's note"), "bob")
    ana_entity = next(
        a for a in annotations_for_article(db, a1) if a.kind == "entity" and a.annotator == "ana"
    )
    opposite = "accepted" if ana_entity.action == "rejected" else "rejected"
    insert_annotation(db, replace(ana_entity, id=None, action=opposite, annotator="bob",
                                  label=None, updated_at="2030-01-01T00:00:00+00:00"))  # fmt: skip
    db.close()
    return path, ana_entity


def read(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def export(db, what, out, *extra) -> int:
    return main(["export", "--db", str(db), "--csv", str(out), "--what", what, "--raw", *extra])


def test_annotations_csv_lists_each_annotators_review_once_and_no_row_twice(team_db, tmp_path):
    path, _ = team_db
    out = tmp_path / "all.csv"
    assert export(path, "annotations", out) == 0
    rows = read(out)
    assert list(rows[0]) == list(ANNOTATION_COLUMNS)
    statuses = [
        (r["article_id"], r["annotator"], r["label"]) for r in rows if r["kind"] == "status"
    ]
    assert ("a/1", "bob", "in_progress") in statuses and ("a/1", "ana", "done") in statuses
    spans = [tuple(r.values()) for r in rows if r["kind"] not in ("status", "note", "tag")]
    assert len(spans) == len(set(spans))  # two reviews of an article never repeat its rows
    db = open_db(path)
    assert len(spans) == db.execute("SELECT count(*) FROM annotations").fetchone()[0]
    db.close()


def test_annotator_option_keeps_their_work_only(team_db, tmp_path):
    path, _ = team_db
    out = tmp_path / "bob.csv"
    assert export(path, "annotations", out, "--annotator", "bob") == 0
    rows = read(out)
    assert {r["annotator"] for r in rows} == {"bob"}
    assert [r["kind"] for r in rows] == ["status", "note", "entity"]


def test_final_views_with_one_annotators_decisions(team_db, tmp_path):
    path, ana_entity = team_db
    for who in ("ana", "bob"):
        assert export(path, "entities", tmp_path / f"{who}.csv", "--annotator", who) == 0
    decided = {
        who: {r["decision"] for r in read(tmp_path / f"{who}.csv")
              if (int(r["start"]), r["text"]) == (ana_entity.start, ana_entity.text)}
        for who in ("ana", "bob")
    }  # fmt: skip
    assert list(read(tmp_path / "ana.csv")[0]) == list(ENTITY_COLUMNS)
    assert decided["ana"] != decided["bob"]  # each annotator's own decision applied
    assert decided["ana"] <= {ana_entity.action}


def test_articles_csv_status_is_the_latest_or_the_annotators(team_db, tmp_path):
    path, _ = team_db
    assert export(path, "articles", tmp_path / "all.csv") == 0
    assert export(path, "articles", tmp_path / "ana.csv", "--annotator", "ana") == 0
    rows = {r["article_id"]: r for r in read(tmp_path / "all.csv")}
    assert list(read(tmp_path / "all.csv")[0]) == list(ARTICLE_COLUMNS)
    assert len(rows) == len(ARTICLES)  # one row per article, however many reviews
    assert rows["a/1"]["status"] == "in_progress"  # bob's is the latest
    assert {r["article_id"]: r["status"] for r in read(tmp_path / "ana.csv")}["a/1"] == "done"


def test_jsonl_by_annotator_and_an_unknown_annotator(team_db, tmp_path, capsys):
    path, _ = team_db
    out = tmp_path / "bob.jsonl"
    assert main(["export", "--db", str(path), "--jsonl", str(out), "--annotator", "bob"]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()[1:]]
    assert {r.get("annotator") for r in records if r["type"] != "label"} == {"bob"}
    assert main(["export", "--db", str(path), "--jsonl", str(out), "--force",
                 "--annotator", "nobody"]) == 2  # fmt: skip
    assert "no work by 'nobody'" in capsys.readouterr().err
