"""The JSONL round trip: export the analyst's work, import it into another database."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.core.test_export import ARTICLES, STAMP, build_sample_db
from viewer.__main__ import main
from viewer.core.store import open_db
from viewer.core.store.articles import upsert_articles
from viewer.core.store.transfer import merge_conflicts
from viewer.core.tasks.transfer import (
    ANNOTATION_FIELDS,
    AnnotationFileError,
    export_jsonl,
    import_jsonl,
)


def work(db) -> dict[str, list]:
    """Everything the analyst made, named by corpus id (row ids left out)."""
    cols = ", ".join(f'n."{c}"' for c in ANNOTATION_FIELDS)
    return {
        "annotations": sorted(
            db.execute(
                f"SELECT a.ext_id, {cols} FROM annotations n JOIN articles a ON a.id = n.article_id"
            ),  # fmt: skip
            key=repr,
        ),
        "reviews": sorted(
            db.execute(
                "SELECT a.ext_id, status, note, annotator, updated_at FROM article_reviews r "
                "JOIN articles a ON a.id = r.article_id"
            )
        ),  # fmt: skip
        "tags": sorted(
            db.execute(
                "SELECT a.ext_id, tag, annotator, created_at FROM article_tags t "
                "JOIN articles a ON a.id = t.article_id"
            )
        ),  # fmt: skip
        "labels": sorted(db.execute("SELECT name, color, position FROM labels")),
    }


@pytest.fixture
def source(tmp_path):
    db = build_sample_db(tmp_path / "a.sqlite")
    db.execute("INSERT INTO labels (name, color, position) VALUES ('=odd', '#ff0000', 9)")
    # Every annotation anchored in its article's current text: a round trip then
    # changes nothing (a stale one is re-anchored on import, tested apart).
    db.execute(
        "UPDATE annotations SET anchor_status = 'exact', text_hash = "
        "(SELECT text_hash FROM articles a WHERE a.id = annotations.article_id)"
    )
    db.conn.commit()
    return db


def other_db(tmp_path, articles=ARTICLES):
    """The same corpus loaded in another order: every row id differs."""
    db = open_db(tmp_path / "b.sqlite")
    upsert_articles(db, list(reversed(articles)))
    return db


def test_round_trip_gives_identical_work_and_an_identical_file(source, tmp_path):
    out = tmp_path / "work.jsonl"
    result = export_jsonl(source, out)
    lines = out.read_text("utf-8").splitlines()
    assert result.rows == len(lines) and json.loads(lines[0])["type"] == "viewer-annotations"
    target = other_db(tmp_path)
    report = import_jsonl(target, out)
    assert work(target) == work(source)
    assert report.annotations_added == 9 and report.annotations_reanchored == 0
    assert (report.reviews_added, report.tags_added, report.labels_added) == (2, 3, 1)
    again = tmp_path / "again.jsonl"
    export_jsonl(target, again)
    assert again.read_bytes() == out.read_bytes()


def test_importing_twice_adds_nothing(source, tmp_path):
    out = tmp_path / "work.jsonl"
    export_jsonl(source, out)
    target = other_db(tmp_path)
    import_jsonl(target, out)
    before = work(target)
    report = import_jsonl(target, out)
    assert work(target) == before
    assert report.annotations_added == 0 and report.annotations_present == 9
    assert (report.reviews_kept, report.tags_present, report.labels_present) == (2, 3, 1)
    # Into the database it came from: the same.
    assert import_jsonl(source, out).annotations_added == 0


def test_missing_articles_are_reported_and_skipped(source, tmp_path, capsys):
    out = tmp_path / "work.jsonl"
    export_jsonl(source, out)
    target = other_db(tmp_path, [a for a in ARTICLES if a.id != "b,2"])
    target.close()
    code = main(["import-annotations", "--db", str(tmp_path / "b.sqlite"), str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "skipped 4 records of article 'b,2'" in err  # review, tag, 2 annotations
    assert "annotations: 7 added" in err


def test_changed_text_reanchors_the_annotations(source, tmp_path):
    out = tmp_path / "work.jsonl"
    export_jsonl(source, out)
    edited = [replace(a, text="Breaking. " + a.text) if a.id == "a/1" else a for a in ARTICLES]
    target = other_db(tmp_path, edited)
    report = import_jsonl(target, out)
    assert report.annotations_reanchored == 7
    assert report.anchor_statuses["orphaned"] == 0
    new_text = edited[0].text
    rows = target.execute(
        'SELECT n.start, n."end", n.text, n.text_hash, a.text_hash FROM annotations n '
        "JOIN articles a ON a.id = n.article_id WHERE a.ext_id = 'a/1'"
    ).fetchall()
    assert len(rows) == 7
    for start, end, text, digest, article_digest in rows:
        assert new_text[start:end] == text and digest == article_digest


def test_an_annotation_made_on_another_text_is_reanchored_on_import(source, tmp_path):
    kari = "SELECT start, text, anchor_status FROM annotations WHERE text = 'Kari Nordmann'"
    source.execute("UPDATE annotations SET text_hash = ? WHERE text = 'Kari Nordmann'", ["0" * 64])
    source.conn.commit()
    out = tmp_path / "work.jsonl"
    export_jsonl(source, out)
    target = other_db(tmp_path)
    report = import_jsonl(target, out)
    assert report.annotations_reanchored == 1 and report.anchor_statuses == {"exact": 1}
    assert target.execute(kari).fetchall() == source.execute(kari).fetchall()


def test_newer_review_wins_and_older_is_kept(source, tmp_path):
    # Only when asked (--prefer newer): the later status wins; the other is kept.
    out = tmp_path / "work.jsonl"
    export_jsonl(source, out)
    target = other_db(tmp_path)
    a1 = target.execute("SELECT id FROM articles WHERE ext_id = 'a/1'").fetchone()[0]
    b2 = target.execute("SELECT id FROM articles WHERE ext_id = 'b,2'").fetchone()[0]
    target.conn.executemany(
        "INSERT INTO article_reviews (article_id, status, note, annotator, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        # the same annotators' work in another database of theirs
        [(a1, "in_progress", None, "ana", "2000-01-01T00:00:00+00:00"),
         (b2, "done", "mine", "-bo", "2099-01-01T00:00:00+00:00")],
    )  # fmt: skip
    target.conn.commit()
    report = import_jsonl(target, out, prefer="newer")
    assert (report.reviews_updated, report.reviews_kept) == (1, 1)
    statuses = dict(target.execute(
        "SELECT a.ext_id, r.status FROM article_reviews r JOIN articles a ON a.id = r.article_id"
    ))  # fmt: skip
    assert statuses == {"a/1": "done", "b,2": "done"}
    # Both losing statuses are kept, so nothing is lost either way.
    losers = sorted(
        (c.article_id, c.field, c.kept, c.incoming, c.incoming_annotator)
        for c in merge_conflicts(target)
    )
    assert losers == sorted([(a1, "status", "done", "in_progress", "ana"),
                             (b2, "status", "done", "in_progress", "-bo")])  # fmt: skip


def test_a_malformed_file_imports_nothing(source, tmp_path):
    out = tmp_path / "work.jsonl"
    export_jsonl(source, out)
    # Its header damaged: not an annotations file at all, though every record is good.
    header, rest = out.read_text("utf-8").split("\n", 1)
    out.write_text(header[:30] + "\n" + rest, "utf-8")
    target = other_db(tmp_path)
    with pytest.raises(AnnotationFileError, match=r"work.jsonl:1: not a viewer annotations"):
        import_jsonl(target, out)
    assert work(target) == {"annotations": [], "reviews": [], "tags": [], "labels": []}


def test_a_malformed_line_is_skipped_by_name_and_the_rest_imported(source, tmp_path):
    out = tmp_path / "work.jsonl"
    export_jsonl(source, out)
    lines = len(out.read_text("utf-8").splitlines())
    with open(out, "a", encoding="utf-8") as fh:
        fh.write('{"type": "annotation", "article": "a/1"\n')
    target = other_db(tmp_path)
    report = import_jsonl(target, out)
    assert report.bad_records == 1 and report.skipped == 1
    assert report.problems == [
        f"{out}:{lines + 1}: not JSON (Expecting ',' delimiter at column 41)"
    ]
    assert work(target) == work(source)


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty file"),
        ('{"type": "something"}\n', "not a viewer annotations file"),
        ('{"type": "viewer-annotations", "version": 99}\n', "newer version"),
    ],
)  # fmt: skip
def test_file_errors_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    target = other_db(tmp_path)
    with pytest.raises(AnnotationFileError, match=message):
        import_jsonl(target, path)


@pytest.mark.parametrize(
    "record, message",
    [
        ('{"type": "x"}', "unknown record type"),
        ('{"type": "annotation", "article": "a/1", "kind": "span"}', "lacks action"),
        ('{"type": "tag", "article": "a/1"}', "tag record: lacks tag, annotator, created_at"),
    ],
)
def test_record_errors_name_the_line(tmp_path, record, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "viewer-annotations", "version": 1}\n' + record + "\n", "utf-8")
    report = import_jsonl(other_db(tmp_path), path)
    assert report.bad_records == 1
    assert report.problems[0].startswith(f"{path}:2: ") and message in report.problems[0]


def test_commands_round_trip_and_report(source, tmp_path, capsys):
    out = tmp_path / "work.jsonl"
    assert main(["export", "--db", str(tmp_path / "a.sqlite"), "--jsonl", str(out)]) == 0
    other_db(tmp_path).close()
    assert main(["import-annotations", "--db", str(tmp_path / "b.sqlite"), str(out)]) == 0
    err = capsys.readouterr().err
    assert "annotations: 9 added, 0 already present" in err
    assert work(open_db(tmp_path / "b.sqlite")) == work(source)


def test_import_command_errors(tmp_path, capsys):
    missing = tmp_path / "nope.sqlite"
    assert main(["import-annotations", "--db", str(missing), str(tmp_path / "x.jsonl")]) == 2
    assert "no such database file" in capsys.readouterr().err and not missing.exists()
    other_db(tmp_path).close()
    db = str(tmp_path / "b.sqlite")
    assert main(["import-annotations", "--db", db, str(tmp_path / "x.jsonl")]) == 2
    assert "x.jsonl: no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[1]\n", encoding="utf-8")
    assert main(["import-annotations", "--db", db, str(bad)]) == 2
    assert "nothing was imported" in capsys.readouterr().err


def test_exported_records_carry_anchor_and_provenance(source, tmp_path):
    out = tmp_path / "work.jsonl"
    export_jsonl(source, out)
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    ann = next(r for r in records if r["type"] == "annotation")
    assert set(ANNOTATION_FIELDS) | {"type", "article"} == set(ann)
    assert ann["created_at"] == STAMP and ann["annotator"]
    assert "id" not in ann and "article_id" not in ann
