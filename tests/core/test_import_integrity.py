"""`viewer import-annotations` never loses or corrupts work (issue 11).

A: merging a colleague's work never erases yours: status, note and tags merge
separately; different values are a conflict, kept in ``merge_conflicts``; a
backup is taken first.
B: the command does not trust its input: every field is checked, a bad record
is skipped by name (exit 1), a file that is not an annotations file changes
nothing (exit 2), nothing is stored as exact that is not in the text, the
duplicate check is indexed, and the write lock is held only while writing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from tests.conftest import REPO
from viewer.core.model import Article, text_hash
from viewer.core.store import open_db
from viewer.core.store.annotations import new_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.store.backups import list_backups
from viewer.core.store.transfer import merge_conflicts
from viewer.core.tasks import transfer as annotation_io
from viewer.core.tasks.transfer import (
    ANNOTATION_FIELDS,
    MAX_MESSAGES,
    AnnotationFileError,
    import_jsonl,
)

TEXT = (
    "Ann Lee said the plan would work. Bob Ray, the mayor, disagreed on Monday. "
    "Later Ann Lee spoke again in Paris."
)
ARTICLE = Article(id="a1", text=TEXT, title="One", origin="c.jsonl:1")
OTHER = Article(id="a2", text="Nothing to see here.", title="Two", origin="c.jsonl:2")
STAMP = "2024-05-01T10:00:00+00:00"
LATER = "2024-06-01T10:00:00+00:00"
HEADER = {"type": "viewer-annotations", "version": 1}


# -- helpers ----------------------------------------------------------------------------


def make_db(path: Path):
    db = open_db(path)
    upsert_articles(db, [ARTICLE, OTHER])
    return db


def article_id(db, ext_id: str = "a1") -> int:
    return db.execute("SELECT id FROM articles WHERE ext_id = ?", [ext_id]).fetchone()[0]


@lru_cache(maxsize=4)
def digest_of(text: str) -> str:
    return text_hash(text)


def annotation(
    part: str, within: str = TEXT, ext_id: str = "a1", at: int | None = None, **changes
) -> dict:
    """A good annotation record over ``part`` of ``within`` (the first, or the one ``at``)."""
    start = within.index(part) if at is None else at
    values = {"kind": "span", "action": "added", "label": "Claim", "annotator": "kim",
              "created_at": STAMP, "updated_at": STAMP}  # fmt: skip
    ann = new_annotation(0, within, digest_of(within), start, start + len(part), **values)
    record = {"type": "annotation", "article": ext_id}
    record.update({k: getattr(ann, k) for k in ANNOTATION_FIELDS})
    record.update(changes)
    return record


def review(status="done", note=None, annotator="kim", updated_at=STAMP, ext_id="a1") -> dict:
    return {"type": "review", "article": ext_id, "status": status, "note": note,
            "annotator": annotator, "updated_at": updated_at}  # fmt: skip


def tag(name="economy", ext_id="a1", **changes) -> dict:
    return {"type": "tag", "article": ext_id, "tag": name, "annotator": "kim",
            "created_at": STAMP, **changes}  # fmt: skip


def label(**changes) -> dict:
    return {"type": "label", "name": "Claim", "color": "#e8590c", "position": 0, **changes}


def line(record) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def write(path: Path, *records, header: bool = True) -> Path:
    """An annotations file: the header, then each record (a dict, or raw bytes)."""
    lines = [line(HEADER)] if header else []
    lines += [r if isinstance(r, bytes) else line(r) for r in records]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def set_review(db, status, note, annotator="me", updated_at=STAMP, ext_id="a1") -> None:
    db.execute(
        "INSERT INTO article_reviews (article_id, status, note, annotator, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [article_id(db, ext_id), status, note, annotator, updated_at],
    )
    db.conn.commit()


def review_of(db, ext_id="a1", annotator="me") -> tuple | None:
    return db.execute(
        "SELECT status, note FROM article_reviews WHERE article_id = ? AND annotator = ?",
        [article_id(db, ext_id), annotator],
    ).fetchone()


def conflicts(db) -> list[tuple]:
    return [(c.field, c.kept, c.incoming, c.incoming_annotator, c.incoming_updated_at)
            for c in merge_conflicts(db)]  # fmt: skip


def annotations(db) -> list[tuple]:
    return db.execute(
        'SELECT a.ext_id, n.start, n."end", n.text, n.anchor_status FROM annotations n '
        "JOIN articles a ON a.id = n.article_id ORDER BY a.ext_id, n.start, n.id"
    ).fetchall()


def run_command(db_path: Path, file: Path, *options: str) -> subprocess.CompletedProcess:
    """The real command, in its own process."""
    argv = [sys.executable, "-m", "viewer", "import-annotations", "--db", str(db_path)]
    return subprocess.run(
        [*argv, *options, str(file)], cwd=REPO, capture_output=True, text=True, timeout=120
    )


# -- A: merging a colleague's work never erases yours -------------------------------------


def test_merging_a_colleagues_work_erases_your_note(tmp_path):
    """Issue 11 A: a record that only sets a status emptied the local note, silently.
    Now a colleague's review is theirs, stored beside yours: yours is never touched."""
    db = make_db(tmp_path / "mine.sqlite")
    set_review(db, "in_progress", "my note: check the mayor's quote")
    db.close()
    theirs = write(tmp_path / "theirs.jsonl", review(status="done", note=None))
    result = run_command(tmp_path / "mine.sqlite", theirs)
    assert result.returncode == 0, result.stderr
    db = open_db(tmp_path / "mine.sqlite")
    assert review_of(db) == ("in_progress", "my note: check the mayor's quote")
    assert review_of(db, annotator="kim") == ("done", None)
    assert conflicts(db) == []  # two annotators differing is agreement's business, not a merge's
    backups = list_backups(tmp_path / "mine.sqlite", "pre-import")
    assert len(backups) == 1 and str(backups[0]) in result.stderr
    assert "Traceback" not in result.stderr


def test_the_same_analysts_other_database_merges_without_erasing_the_note(tmp_path):
    """Issue 11 A, for one analyst's two databases: the status-only record keeps the
    note; the differing status stays this database's, the other is recorded."""
    db = make_db(tmp_path / "mine.sqlite")
    set_review(db, "in_progress", "my note: check the mayor's quote")
    db.close()
    theirs = write(tmp_path / "theirs.jsonl", review(status="done", note=None, annotator="me"))
    result = run_command(tmp_path / "mine.sqlite", theirs)
    assert result.returncode == 0, result.stderr
    db = open_db(tmp_path / "mine.sqlite")
    assert review_of(db) == ("in_progress", "my note: check the mayor's quote")
    assert conflicts(db) == [("status", "in_progress", "done", "me", STAMP)]
    assert "conflict: article 'a1' status: kept this database's value" in result.stderr


def test_status_note_and_tags_merge_separately(tmp_path):
    db = make_db(tmp_path / "mine.sqlite")
    set_review(db, "unreviewed", "my note")  # no status set here yet
    db.execute("INSERT INTO article_tags VALUES (?, 'mine', 'me', ?)", [article_id(db), STAMP])
    db.conn.commit()
    theirs = write(
        tmp_path / "t.jsonl", review(status="done", note="", annotator="me"), tag("theirs")
    )
    report = import_jsonl(db, theirs)
    assert review_of(db) == ("done", "my note")  # their status, my note
    assert (report.reviews_updated, report.conflicts) == (1, [])
    tags = db.execute("SELECT tag FROM article_tags ORDER BY tag").fetchall()
    assert tags == [("mine",), ("theirs",)]  # a union


def test_an_empty_incoming_value_never_overwrites_a_local_one(tmp_path):
    db = make_db(tmp_path / "mine.sqlite")
    set_review(db, "done", "my note")
    for status, note in [("unreviewed", ""), (None, None), ("unreviewed", None)]:
        path = write(
            tmp_path / "t.jsonl",
            review(status=status, note=note, annotator="me", updated_at=LATER),
        )
        for prefer in ("mine", "newer"):
            report = import_jsonl(db, path, prefer=prefer)
            assert review_of(db) == ("done", "my note")
            assert report.reviews_kept == 1 and report.conflicts == []
    assert merge_conflicts(db) == []


def test_an_empty_local_value_takes_the_incoming_one(tmp_path):
    db = make_db(tmp_path / "mine.sqlite")
    set_review(db, "in_progress", None)
    path = write(tmp_path / "t.jsonl", review("in_progress", "their note", "me"),
                 review("done", "b's note", "me", ext_id="a2"))  # fmt: skip
    report = import_jsonl(db, path)
    assert review_of(db) == ("in_progress", "their note")
    assert review_of(db, "a2") == ("done", "b's note")  # no row here at all
    assert (report.reviews_updated, report.reviews_added) == (1, 1)


def test_different_values_are_a_conflict_recorded_once(tmp_path):
    db = make_db(tmp_path / "mine.sqlite")
    set_review(db, "in_progress", "mine", annotator="me", updated_at=STAMP)
    path = write(tmp_path / "t.jsonl", review("done", "theirs", "me", LATER))
    report = import_jsonl(db, path)  # --prefer mine, the default: even though theirs is newer
    assert review_of(db) == ("in_progress", "mine")
    assert conflicts(db) == [("status", "in_progress", "done", "me", LATER),
                             ("note", "mine", "theirs", "me", LATER)]  # fmt: skip
    assert [(c.article, c.field, c.recorded) for c in report.conflicts] == [
        ("a1", "status", True), ("a1", "note", True)]  # fmt: skip
    stored = merge_conflicts(db)[0]
    assert stored.source == str(path.resolve()) and stored.created_at
    assert "conflicts: 2" in report.summary()
    again = import_jsonl(db, path)
    assert len(merge_conflicts(db)) == 2  # the same conflicts are not added twice
    assert [c.recorded for c in again.conflicts] == [False, False]
    assert review_of(db) == ("in_progress", "mine")


def test_prefer_newer_takes_the_later_value_and_keeps_the_other(tmp_path, capsys):
    from viewer.__main__ import main

    db = make_db(tmp_path / "mine.sqlite")
    set_review(db, "in_progress", "old mine", annotator="me", updated_at=STAMP)
    set_review(db, "done", "newer mine", annotator="me", updated_at=LATER, ext_id="a2")
    path = write(tmp_path / "t.jsonl", review("done", "their newer", "me", LATER),
                 review("in_progress", "their older", "me", STAMP, ext_id="a2"))  # fmt: skip
    db.close()
    args = ["import-annotations", "--db", str(tmp_path / "mine.sqlite"), "--prefer", "newer"]
    assert main([*args, str(path)]) == 0
    assert "kept the file's newer value" in capsys.readouterr().err
    db = open_db(tmp_path / "mine.sqlite")
    assert review_of(db) == ("done", "their newer")
    assert review_of(db, "a2") == ("done", "newer mine")
    # The losing values are kept: here the replaced local ones, there the file's.
    assert sorted(conflicts(db)) == sorted([
        ("status", "done", "in_progress", "me", STAMP),
        ("note", "their newer", "old mine", "me", STAMP),
        ("status", "done", "in_progress", "me", STAMP),
        ("note", "newer mine", "their older", "me", STAMP),
    ])  # fmt: skip
    assert main([*args, str(path)]) == 0  # twice: nothing new
    assert len(merge_conflicts(db)) == 4


def test_a_backup_holds_the_database_as_it_was_before_the_import(tmp_path):
    db = make_db(tmp_path / "mine.sqlite")
    set_review(db, "in_progress", "mine")
    report = import_jsonl(db, write(tmp_path / "t.jsonl", annotation("Bob Ray"), tag("x")))
    assert report.backup is not None and report.backup in list_backups(db.path, "pre-import")
    assert f"backup of the database before the import: {report.backup}" in report.summary()
    old = sqlite3.connect(report.backup)
    assert old.execute("SELECT count(*) FROM annotations").fetchone() == (0,)
    assert old.execute("SELECT status, note FROM article_reviews").fetchall() == [
        ("in_progress", "mine")
    ]
    old.close()
    assert len(annotations(db)) == 1


def test_a_file_with_nothing_to_import_takes_no_backup(tmp_path):
    db = make_db(tmp_path / "mine.sqlite")
    report = import_jsonl(db, write(tmp_path / "t.jsonl", b'{"type": "x"}'))
    assert report.backup is None and list_backups(db.path) == []


# -- B: hostile files, through the real command -------------------------------------------

GOOD_BEFORE = [label(), review("in_progress", "checked"), tag(), annotation("Ann Lee")]
GOOD_AFTER = [annotation("Bob Ray", kind="entity", label="PERSON"), annotation("Paris")]
FIRST_BAD_LINE = 2 + len(GOOD_BEFORE)  # the header is line 1


def replaced(record: dict, old: bytes, new: bytes) -> bytes:
    raw = line(record)
    assert old in raw
    return raw.replace(old, new)


def wrong_types() -> list[bytes]:
    """One line per field of every record type, that field given a value of the wrong type."""
    samples = {"label": label(), "review": review(), "tag": tag(), "annotation": annotation("Ann")}
    lines = []
    for record in samples.values():
        for name, value in record.items():
            if name == "type":
                continue
            lines.append(line({**record, name: [value]}))  # an array: wrong for every field
    return lines


HOSTILE_RECORDS: dict[str, list[bytes]] = {
    "truncated line": [line(annotation("Monday"))[:-25]],
    "NUL bytes": [replaced(tag(), b"economy", b"eco\x00nomy"), b"\x00\x00\x00\x00"],
    "invalid UTF-8": [
        replaced(tag(), b"economy", b"econ\xffmy"),
        replaced(review(note="x"), b'"x"', b'"caf\xe9"'),
    ],  # fmt: skip
    "huge integers": [
        line(annotation("Monday", start=10**30)),
        replaced(annotation("Monday"), b'"start": ', b'"start": 1' + b"0" * 5000 + b', "x": '),
        line(label(name="L2", position=2**63)),
    ],  # fmt: skip
    "floats, strings, NaN and booleans for offsets": [
        line(annotation("Monday", start=1.5)),
        line(annotation("Monday", end="70")),
        replaced(annotation("Monday"), b'"model_start": null', b'"model_start": NaN'),
        line(annotation("Monday", speaker_start=True, speaker_end=3)),
    ],  # fmt: skip
    "negative offsets": [
        line(annotation("Monday", start=-1)),
        line(annotation("Monday", model_start=-5, model_end=3)),
    ],  # fmt: skip
    "end before start": [
        line(annotation("Monday", start=20, end=5)),
        line(annotation("Monday", speaker_start=9, speaker_end=4)),
    ],  # fmt: skip
    "end past the text": [
        line(annotation("Monday", start=len(TEXT) + 5, end=len(TEXT) + 10, text="Qxzjv"))
    ],  # a text found nowhere  # fmt: skip
    "unknown enum values": [
        line(annotation("Monday", kind="blob")),
        line(annotation("Monday", action="deleted")),
        line(annotation("Monday", anchor_status="lost")),
        line(review(status="archived")),
    ],  # fmt: skip
    "bad label colours": [
        line(label(name="L", color="red")),
        line(label(name="L", color="#12345")),
        line(label(name="L", color="#12345g")),
    ],  # fmt: skip
    "wrong types for every field": wrong_types(),
    "JSON that is not an object": [b"[1, 2, 3]", b'"just a string"', b"42", b"null"],
    "a 10 MB string": [line(review(note="x" * (10 * 1024 * 1024)))],
    "fields too long": [line(review(note="n" * 100_001)), line(tag("t" * 201))],
    "duplicate header": [line(HEADER)],
    "unknown or missing record type": [
        line({"type": "comment"}),
        line({"no": "type"}),
        line({"type": 5}),
    ],  # fmt: skip
    "missing and null required fields": [
        line({k: v for k, v in annotation("Monday").items() if k != "text"}),
        line(annotation("Monday", text_hash=None)),
        line({k: v for k, v in tag().items() if k != "created_at"}),
    ],
    "lone surrogate": [replaced(tag(), b'"economy"', b'"\\ud83d"')],
    "deeply nested JSON": [b'{"type": "tag", "article": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"],
    "times that are not times": [line(review(updated_at="yesterday")), line(tag(created_at=5))],
    "empty names": [line(tag("   ")), line(label(name="")), line(review(ext_id=""))],
}


def check_good_records_imported(db_path: Path) -> None:
    db = open_db(db_path)
    try:
        assert db.execute("SELECT name, color FROM labels").fetchall() == [("Claim", "#e8590c")]
        assert review_of(db, annotator="kim") == ("in_progress", "checked")
        assert db.execute("SELECT tag FROM article_tags").fetchall() == [("economy",)]
        assert [a[3] for a in annotations(db)] == ["Ann Lee", "Bob Ray", "Paris"]
        assert all(a[4] == "exact" for a in annotations(db))
    finally:
        db.close()


@pytest.mark.parametrize("kind", list(HOSTILE_RECORDS))
def test_hostile_records_are_skipped_by_line_and_the_rest_imported(tmp_path, kind):
    make_db(tmp_path / "db.sqlite").close()
    bad = HOSTILE_RECORDS[kind]
    path = write(tmp_path / "hostile.jsonl", *GOOD_BEFORE, *bad, *GOOD_AFTER)
    result = run_command(tmp_path / "db.sqlite", path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    skipped = "1 record skipped:" if len(bad) == 1 else f"{len(bad)} records skipped:"
    assert skipped in result.stderr
    named = range(FIRST_BAD_LINE, FIRST_BAD_LINE + min(len(bad), MAX_MESSAGES))
    for number in named:
        assert f"{path}:{number}: " in result.stderr, result.stderr
    check_good_records_imported(tmp_path / "db.sqlite")


def not_utf8_header(path: Path) -> Path:
    path.write_bytes('{"type": "viewer-annotations", "version": 1, "by": "Zoë"}\n'.encode("cp1252"))
    return path


def good_file(path: Path) -> Path:
    return write(path, *GOOD_BEFORE, *GOOD_AFTER)


HOSTILE_FILES = {
    "empty": lambda p: p.write_bytes(b""),
    "only blank lines": lambda p: p.write_bytes(b"\n   \n\r\n"),
    "no header": lambda p: write(p, *GOOD_BEFORE, header=False),
    "not JSON": lambda p: p.write_text("Dear colleague,\nhere is my work.\n", "utf-8"),
    "binary": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01" * 50),
    "UTF-16": lambda p: p.write_bytes(good_file(p).read_text("utf-8").encode("utf-16")),
    "not UTF-8": not_utf8_header,
    "a header that is an array": lambda p: p.write_bytes(b"[" + line(HEADER) + b"]\n"),
    "a newer format": lambda p: write(p, *GOOD_BEFORE).write_bytes(
        p.read_bytes().replace(b'"version": 1', b'"version": 2')
    ),  # fmt: skip
    "a version that is not a number": lambda p: write(p, *GOOD_BEFORE).write_bytes(
        p.read_bytes().replace(b'"version": 1', b'"version": "1"')
    ),  # fmt: skip
    "a folder": lambda p: p.mkdir(),
    "a FIFO": lambda p: os.mkfifo(p),
    "unreadable": lambda p: (good_file(p), p.chmod(0)),
}


@pytest.mark.parametrize("kind", list(HOSTILE_FILES))
def test_a_file_that_is_not_an_annotations_file_imports_nothing(tmp_path, kind):
    if kind == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads any file; see test_an_unreadable_file_imports_nothing")
    make_db(tmp_path / "db.sqlite").close()
    path = tmp_path / "hostile.jsonl"
    HOSTILE_FILES[kind](path)
    result = run_command(tmp_path / "db.sqlite", path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    assert f"viewer: error: {path}" in result.stderr and "nothing was imported" in result.stderr
    db = open_db(tmp_path / "db.sqlite")
    assert annotations(db) == [] and review_of(db) is None
    assert db.execute("SELECT count(*) FROM labels").fetchone() == (0,)
    assert list_backups(tmp_path / "db.sqlite") == []  # nothing written, nothing to back up


def test_an_unreadable_file_imports_nothing(tmp_path, monkeypatch, capsys):
    # Simulated: tests may run as root, where chmod 000 does not stop reading.
    from viewer.__main__ import main

    make_db(tmp_path / "db.sqlite").close()
    path = good_file(tmp_path / "locked.jsonl")
    real_open = open

    def locked_open(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(annotation_io, "open", locked_open, raising=False)
    assert main(["import-annotations", "--db", str(tmp_path / "db.sqlite"), str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: cannot read the file (Permission denied); nothing was imported" in err
    assert annotations(open_db(tmp_path / "db.sqlite")) == []


@pytest.mark.parametrize("kind", ["label", "review", "tag", "annotation"])
def test_every_field_of_every_record_type_is_checked(tmp_path, kind):
    samples = {"label": label(), "review": review(), "tag": tag(), "annotation": annotation("Ann")}
    record = samples[kind]
    db = make_db(tmp_path / "db.sqlite")
    for name in record:
        if name == "type":
            continue
        for wrong in ([1], {"a": 1}, 1.5, True, "x" * 100_001):  # each wrong for every field
            path = write(tmp_path / "f.jsonl", {**record, name: wrong})
            report = import_jsonl(db, path)
            assert report.bad_records == 1, (name, wrong)
            assert report.problems[0].startswith(f"{path}:2: {kind} record: {name} ")
    assert annotations(db) == [] and review_of(db) is None


def test_the_header_alone_imports_nothing(tmp_path):
    db = make_db(tmp_path / "db.sqlite")
    report = import_jsonl(db, write(tmp_path / "f.jsonl"))
    assert report.skipped == 0 and report.annotations_added == 0


# -- B: nothing is stored as exact that is not in the text ------------------------------


def test_offsets_that_do_not_hold_the_text_are_never_stored_as_exact(tmp_path):
    db = make_db(tmp_path / "db.sqlite")
    good = annotation("Bob Ray")
    second = TEXT.index("Ann Lee", 1)  # the second "Ann Lee"
    path = write(
        tmp_path / "f.jsonl",
        good,
        # The article's text hash, offsets shifted by hand: found again by its context.
        {**annotation("Ann Lee", ext_id="a1"), "start": 3, "end": 10},
        # Offsets past the end; its text and context say where it is.
        {**annotation("Paris"), "start": len(TEXT) + 10, "end": len(TEXT) + 15},
        # A text that is nowhere in the article: cannot be placed, skipped.
        {**annotation("Monday"), "text": "Qxzjv"},
        # Right text, but its speaker's offsets run past the end.
        annotation(
            "Ann Lee",
            at=second,
            kind="quote",
            label=None,
            speaker_start=0,
            speaker_end=500,
            speaker_text="Bob Ray",
        ),  # fmt: skip
    )
    report = import_jsonl(db, path)
    for _ext, start, end, text, status in annotations(db):
        assert TEXT[start:end] == text, (start, end, text, status)
    assert (report.annotations_added, report.annotations_replaced, report.bad_records) == (4, 3, 1)
    assert report.problems == [
        f"{path}:5: annotation 'Qxzjv' at {TEXT.index('Monday')}-{TEXT.index('Monday') + 6} "
        "is not in the text of article 'a1'; not imported"
    ]
    assert [n.split(": ")[0] for n in report.notices] == [f"{path}:3", f"{path}:4", f"{path}:6"]
    stored = {(a[1], a[3]): a[4] for a in annotations(db)}
    assert stored[(0, "Ann Lee")] == "moved"  # back where its context is
    assert stored[(TEXT.index("Paris"), "Paris")] == "moved"
    speaker = db.execute("SELECT speaker_start, speaker_end FROM annotations WHERE kind = 'quote'")
    assert speaker.fetchone() == (TEXT.index("Bob Ray"), TEXT.index("Bob Ray") + 7)
    # Importing again: the same placements, found present.
    again = import_jsonl(db, path)
    assert again.annotations_added == 0 and again.annotations_present == 4


# -- B: big files: indexed duplicate check, the lock held only while writing ---------------

LONG_TEXT = " ".join(f"w{i:05d}" for i in range(21_000))  # 147,000 characters
LONG = Article(id="long", text=LONG_TEXT, title="Long", origin="c.jsonl:3")


def many_records(count: int) -> list[dict]:
    """``count`` different annotations on one article: one per word."""
    return [annotation(f"w{i:05d}", LONG_TEXT, "long", at=7 * i) for i in range(count)]


def test_20000_records_on_one_article_import_correctly(tmp_path):
    db = open_db(tmp_path / "db.sqlite")
    upsert_articles(db, [LONG])
    records = many_records(20_000)
    path = write(tmp_path / "many.jsonl", *records, records[7])  # one duplicate inside the file
    report = import_jsonl(db, path)
    assert (report.annotations_added, report.annotations_present) == (20_000, 1)
    rows = db.execute('SELECT start, "end", text FROM annotations ORDER BY start').fetchall()
    assert len(rows) == 20_000
    assert all(LONG_TEXT[s:e] == t for s, e, t in rows)
    again = import_jsonl(db, path)
    assert (again.annotations_added, again.annotations_present) == (0, 20_001)
    assert db.execute("SELECT count(*) FROM annotations").fetchone() == (20_000,)


def test_the_write_lock_is_held_only_while_writing(tmp_path):
    db_path = tmp_path / "db.sqlite"
    db = open_db(db_path)
    upsert_articles(db, [LONG])
    path = write(tmp_path / "many.jsonl", *many_records(5_000))
    seen: dict[str, list[bool]] = {"Checking": [], "Importing": []}

    def another_writer_can_write(done, total, what):
        other = sqlite3.connect(db_path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            free = True
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            free = False
        finally:
            other.close()
        seen[what.split(":")[0]].append(free)

    import_jsonl(db, path, progress=another_writer_can_write)
    assert seen == {"Checking": [True, True], "Importing": [False, False]}


def test_a_file_changed_during_the_import_changes_nothing(tmp_path):
    db = open_db(tmp_path / "db.sqlite")
    upsert_articles(db, [LONG])
    path = write(tmp_path / "many.jsonl", *many_records(5_000))

    def append_when_importing(done, total, what):
        if what.startswith("Importing"):
            with open(path, "ab") as fh:
                fh.write(line(tag("late", ext_id="long")) + b"\n")

    with pytest.raises(AnnotationFileError, match="changed while it was being imported"):
        import_jsonl(db, path, progress=append_when_importing)
    assert db.execute("SELECT count(*) FROM annotations").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM article_tags").fetchone() == (0,)
