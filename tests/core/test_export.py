"""CSV exports: exact content (raw), formula neutralisation, quoting, BOM, atomic writes, CLI."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from viewer.__main__ import main
from viewer.core.annotations.corrections import apply_corrections
from viewer.core.model import Analysis, Article, Entity, Quote
from viewer.core.store import open_db
from viewer.core.store.analyses import load_analysis, save_analyses
from viewer.core.store.annotations import annotations_for_article, insert_annotation
from viewer.core.store.annotations import new_annotation as anchored
from viewer.core.store.articles import upsert_articles
from viewer.core.store.exports import sql_text
from viewer.core.tasks import export
from viewer.core.tasks.export import (
    ANNOTATION_COLUMNS,
    ARTICLE_COLUMNS,
    COLUMNS,
    ENTITY_COLUMNS,
    FORMULA_STARTS,
    QUOTE_COLUMNS,
    WHATS,
    ExportError,
    export_csv,
    neutralise,
    render_rows,
)

# Unicode, emoji, newlines, commas, quotes and formula payloads everywhere.
TEXT_1 = (
    'Ann Lee said "we will go, now" on Monday.\n'
    'Zoë \U0001f642 met =Bob in Paris, "quoted".\r\n'
    "-5 degrees; @handle wrote +1\tand\x00more."
)
TEXT_2 = "Oslo, Norway — Kari Nordmann spoke.\nShe said: “Fine.”"
ARTICLES = [
    Article(
        id="a/1",
        text=TEXT_1,
        title='Title, "with" quotes\nand a newline',
        origin="c.jsonl:1",
        source="=Wire",
        date="2024-01-02",
        url="https://x.example/1?a=1,2",
        meta={"lang": "en", "note": "é"},
    ),  # fmt: skip
    Article(id="b,2", text=TEXT_2, title="+Second 🙂", origin="c.jsonl:2", source=None),
    Article(id="c3", text="Nothing here.", title="Third", origin="c.jsonl:3"),
]
MODEL, PIPELINE = "test@1", "p1"
STAMP = "2024-05-01T10:00:00+00:00"


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def analysis_1() -> Analysis:
    t = TEXT_1
    ents = [(p, label) for p, label in [("Ann Lee", "PERSON"), ("Monday", "DATE"),
                                         ("Paris", "GPE"), ("Bob", "PERSON")]]  # fmt: skip
    entities = tuple(Entity(*span(t, p), label, p) for p, label in ents)
    q0, q1 = span(t, "we will go, now")
    s0, s1 = span(t, "Ann Lee")
    c0, c1 = span(t, "said")
    quote = Quote(q0, q1, t[q0:q1], s0, s1, "Ann Lee", c0, c1, "said", attribution_id=1)
    return Analysis(entities, (quote,))


def analysis_2() -> Analysis:
    t = TEXT_2
    q0, q1 = span(t, "Fine.")
    return Analysis((Entity(*span(t, "Oslo"), "GPE", "Oslo"),),
                    (Quote(q0, q1, "Fine.", kind="direct", anonymous=True),))  # fmt: skip


def add(db: Database, article_id: int, text: str, part: str, **values) -> None:
    start, end = span(text, part)
    values = {"annotator": "ana", "created_at": STAMP, "updated_at": STAMP, **values}
    digest = values.pop("text_hash", None) or Article("x", text, "", "").text_hash
    insert_annotation(db, anchored(article_id, text, digest, start, end, **values))


def build_sample_db(path: Path, order: tuple[int, ...] = (0, 1, 2)) -> Database:
    """A small analysed corpus with every kind of analyst work on it."""
    db = open_db(path)
    ids = dict(zip(order, upsert_articles(db, [ARTICLES[i] for i in order]), strict=True))
    a1, a2 = ids[0], ids[1]
    save_analyses(db, MODEL, PIPELINE, [
        (a1, ARTICLES[0].text_hash, TEXT_1, analysis_1()),
        (a2, ARTICLES[1].text_hash, TEXT_2, analysis_2()),
    ])  # fmt: skip
    add(db, a1, TEXT_1, "Paris", kind="entity", action="relabelled", label="LOC",
        model_label="GPE", model_start=span(TEXT_1, "Paris")[0],
        model_end=span(TEXT_1, "Paris")[1], note='=HYPERLINK("x"), "y"\nline 2')  # fmt: skip
    add(db, a1, TEXT_1, "Monday", kind="entity", action="rejected", model_label="DATE",
        model_start=span(TEXT_1, "Monday")[0], model_end=span(TEXT_1, "Monday")[1])  # fmt: skip
    add(db, a1, TEXT_1, "Ann Lee", kind="entity", action="accepted", model_label="PERSON",
        model_start=0, model_end=7, annotator="@me")  # fmt: skip
    add(db, a1, TEXT_1, "Zoë \U0001f642", kind="span", action="added", label="=cmd", note="\x00x")
    add(db, a1, TEXT_1, "Zoë", kind="entity", action="added", label="PERSON", note="+1, ok")
    q0, q1 = span(TEXT_1, "we will go, now")
    z0, z1 = span(TEXT_1, "Zoë")
    add(db, a1, TEXT_1, "we will go, now", kind="quote", action="speaker_changed",
        model_start=q0, model_end=q1, speaker_start=z0, speaker_end=z1,
        speaker_text="Zoë")  # fmt: skip
    add(db, a1, TEXT_1, "-5 degrees", kind="span", action="added", label="\tTAB", note="\rCR")
    # Made on an older text: its stored context is all the CSV can give.
    add(db, a2, TEXT_2, "Kari Nordmann", kind="span", action="added", label="PERSON",
        text_hash="0" * 64, anchor_status="moved")  # fmt: skip
    f0, f1 = span(TEXT_2, "Fine.")
    add(db, a2, TEXT_2, "Fine.", kind="quote", action="not_quote", model_start=f0, model_end=f1)
    db.conn.executemany(
        "INSERT INTO article_reviews (article_id, status, note, annotator, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [(a1, "done", 'Checked, "ok"\r\nnext: =SUM(A1)', "ana", STAMP),
         (a2, "in_progress", None, "-bo", STAMP)],
    )  # fmt: skip
    db.conn.executemany(
        "INSERT INTO article_tags (article_id, tag, annotator, created_at) VALUES (?, ?, ?, ?)",
        [(a1, "zeta", "ana", STAMP), (a1, "=tag", "ana", STAMP), (a2, "b", "ana", STAMP)],
    )
    db.conn.commit()
    return db


@pytest.fixture
def db(tmp_path) -> Database:
    return build_sample_db(tmp_path / "sample.sqlite")


def read_csv(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def exported(db: Database, tmp_path: Path, what: str, **options) -> list[list[str]]:
    out = tmp_path / f"{what}.csv"
    result = export_csv(db, out, what, **options)
    rows = read_csv(out)
    assert rows[0] == list(COLUMNS[export.ALIASES.get(what, what)])
    assert result.rows == len(rows) - 1 and not result.cancelled
    return rows[1:]


def as_dicts(columns: tuple[str, ...], rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(columns, r, strict=True)) for r in rows]


# -- what the store holds, computed independently of the exporter -------------------


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def articles_in_order(db: Database) -> list[tuple]:
    return list(db.execute(
        "SELECT id, ext_id, title, source, date, url, text, text_hash, analysis_id, origin, meta "
        "FROM articles ORDER BY id"
    ))  # fmt: skip


def expected_annotation_rows(db: Database) -> list[list[str]]:
    rows = []
    for aid, *meta5, body, digest, _, _, _ in articles_in_order(db):
        meta = [text(v) for v in meta5]
        review = db.execute(
            "SELECT status, note, annotator, updated_at FROM article_reviews WHERE article_id = ?",
            [aid],
        ).fetchone()
        if review:
            status, note, who, when = review
            rows.append(meta + ["status", status, "", "", "", "", "", "analyst", "set", "", "",
                                "", who, "", when, "", ""])  # fmt: skip
            if note:
                rows.append(meta + ["note", "", "", "", "", "", "", "analyst", "set", "", "",
                                    note, who, "", when, "", ""])  # fmt: skip
        for tag, who, when in db.execute(
            "SELECT tag, annotator, created_at FROM article_tags WHERE article_id = ? ORDER BY tag",
            [aid],
        ):
            rows.append(meta + ["tag", tag, "", "", "", "", "", "analyst", "added", "", "", "",
                                who, when, "", "", ""])  # fmt: skip
        anns = sorted(annotations_for_article(db, aid), key=lambda a: (a.start, a.id))
        for a in anns:
            if a.text_hash == digest and a.anchor_status != "orphaned":
                left, right = body[max(0, a.start - 40) : a.start], body[a.end : a.end + 40]
            else:
                left, right = a.left_context, a.right_context
            origin = "analyst" if a.action == "added" else "model"
            rows.append(meta + [a.kind, text(a.label), str(a.start), str(a.end), a.text, left,
                                right, origin, a.action, text(a.model_label), text(a.speaker_text),
                                text(a.note), a.annotator, a.created_at, a.updated_at,
                                a.anchor_status, text(a.provenance)])  # fmt: skip
    return rows


def final_views(db: Database):
    for aid, *meta5, _body, _digest, analysis_id, origin, meta_json in articles_in_order(db):
        view = apply_corrections(load_analysis(db, analysis_id), annotations_for_article(db, aid))
        yield aid, [text(v) for v in meta5], view, origin, meta_json


def expected_quote_rows(db: Database) -> list[list[str]]:
    rows = []
    for _, meta, view, _, _ in final_views(db):
        for fq in view.quotes:
            q = fq.quote
            values = (q.start, q.end, q.text, q.speaker_start, q.speaker_end, q.speaker_text,
                      q.speaker_name, q.anonymous, q.cue_start, q.cue_end, q.cue_text, q.kind,
                      q.attribution_id, fq.origin, fq.decision,
                      fq.decision is not None)  # fmt: skip
            rows.append(meta + [text(v) for v in values])
    return rows


def expected_entity_rows(db: Database) -> list[list[str]]:
    rows = []
    for _, meta, view, _, _ in final_views(db):
        for fe in view.entities:
            values = (fe.start, fe.end, fe.text, fe.label, fe.origin, fe.decision, fe.model_label,
                      fe.decision not in (None, "accepted"))  # fmt: skip
            rows.append(meta + [text(v) for v in values])
    return rows


def expected_article_rows(db: Database) -> list[list[str]]:
    rows = []
    for aid, meta, view, origin, meta_json in final_views(db):
        review = db.execute(
            "SELECT status, note FROM article_reviews WHERE article_id = ?", [aid]
        ).fetchone() or ("unreviewed", None)
        tags = [r[0] for r in db.execute(
            "SELECT tag FROM article_tags WHERE article_id = ? ORDER BY tag", [aid])]  # fmt: skip
        n_ann = len(annotations_for_article(db, aid))
        per_kind = {}  # attribution id -> (kind, anonymous): pieces count once
        for n, q in enumerate(fq.quote for fq in view.quotes):
            per_kind.setdefault(q.attribution_id or f"piece{n}", (q.kind, q.anonymous))
        kinds = [kind for kind, _ in per_kind.values()]
        counts = [str(len(view.entities)), str(len(view.quotes)),
                  *(str(kinds.count(k)) for k in ("direct", "mixed", "indirect", "no-source")),
                  str(sum(anon for _, anon in per_kind.values())), str(n_ann)]  # fmt: skip
        rows.append(
            meta + [origin, meta_json, review[0], "; ".join(tags), text(review[1]), *counts]
        )
    return rows


EXPECTED = {
    "annotations": expected_annotation_rows,
    "attributions": expected_quote_rows,
    "entities": expected_entity_rows,
    "articles": expected_article_rows,
}


# -- content ---------------------------------------------------------------------------


@pytest.mark.parametrize("what", WHATS)
def test_raw_export_reads_back_as_exactly_the_store_content(db, tmp_path, what):
    rows = exported(db, tmp_path, what, raw=True)
    assert rows == EXPECTED[what](db)
    assert all(len(r) == len(COLUMNS[what]) for r in rows)


def test_annotation_export_covers_every_decision_with_wider_context(db, tmp_path):
    rows = as_dicts(ANNOTATION_COLUMNS, exported(db, tmp_path, "annotations", raw=True))
    kinds = {(r["article_id"], r["kind"], r["decision"]) for r in rows}
    assert ("a/1", "status", "set") in kinds and ("a/1", "note", "set") in kinds
    assert ("a/1", "tag", "added") in kinds and ("b,2", "quote", "not_quote") in kinds
    assert {"relabelled", "rejected", "accepted", "added", "speaker_changed"} <= {
        r["decision"] for r in rows
    }
    assert "c3" not in {r["article_id"] for r in rows}  # nothing done there
    paris = next(r for r in rows if r["decision"] == "relabelled")
    assert paris["label"] == "LOC" and paris["model_label"] == "GPE" and paris["origin"] == "model"
    assert len(paris["left_context"]) == 40 and paris["note"] == '=HYPERLINK("x"), "y"\nline 2'
    stale = next(r for r in rows if r["text"] == "Kari Nordmann")
    assert stale["left_context"] == "Oslo, Norway — " and stale["anchor_status"] == "moved"
    speaker = next(r for r in rows if r["decision"] == "speaker_changed")
    assert speaker["speaker"] == "Zoë"


def test_final_views_apply_the_corrections(db, tmp_path):
    entities = as_dicts(ENTITY_COLUMNS, exported(db, tmp_path, "entities", raw=True))
    by_text = {e["text"]: e for e in entities}
    assert "Monday" not in by_text  # rejected
    assert by_text["Paris"]["label"] == "LOC" and by_text["Paris"]["corrected"] == "1"
    assert by_text["Ann Lee"]["decision"] == "accepted" and by_text["Ann Lee"]["corrected"] == "0"
    assert by_text["Zoë"]["origin"] == "analyst"
    quotes = as_dicts(QUOTE_COLUMNS, exported(db, tmp_path, "quotes", raw=True))
    assert [(q["text"], q["speaker"], q["corrected"]) for q in quotes] == [
        ("we will go, now", "Zoë", "1")
    ]  # "Fine." was marked not a quote
    articles = as_dicts(ARTICLE_COLUMNS, exported(db, tmp_path, "articles", raw=True))
    first = articles[0]
    assert (first["status"], first["tags"], first["entity_count"]) == ("done", "=tag; zeta", "4")
    assert articles[2]["status"] == "unreviewed" and articles[2]["annotation_count"] == "0"


def test_quotes_is_the_old_name_of_the_attributions_export(db, tmp_path):
    assert "quotes" not in WHATS
    assert exported(db, tmp_path, "quotes", raw=True) == exported(
        db, tmp_path, "attributions", raw=True
    )


def test_articles_count_attributions_per_kind_and_anonymous(tmp_path):
    text = (
        "The mayor, a spokesman said, would resign. Critics say the plan failed. "
        'It was reported that talks ended. Ann Lee said "we will go" at once.'
    )
    pieces = [
        ("The mayor", "a spokesman", "indirect", True, 1),
        ("would resign", "a spokesman", "indirect", True, 1),  # same attribution
        ("the plan failed", "Critics", "indirect", True, 2),
        ("talks ended", None, "no-source", False, 3),
        ("we will go", "Ann Lee", "direct", False, 4),
    ]
    quotes = []
    for content, speaker, kind, anonymous, aid in pieces:
        s0, s1 = span(text, content)
        spk = span(text, speaker) if speaker else (None, None)
        quotes.append(Quote(s0, s1, content, *spk, speaker, kind=kind,
                            anonymous=anonymous, attribution_id=aid))  # fmt: skip
    db = open_db(tmp_path / "kinds.sqlite")
    [aid] = upsert_articles(db, [Article(id="k", text=text, title="K", origin="k.jsonl:1")])
    save_analyses(db, MODEL, PIPELINE, [(aid, Article("k", text, "", "").text_hash, text,
                                         Analysis((), tuple(quotes)))])  # fmt: skip
    [row] = as_dicts(ARTICLE_COLUMNS, exported(db, tmp_path, "articles", raw=True))
    names = ("quote_count", "direct_count", "mixed_count", "indirect_count", "no_source_count",
             "anonymous_count")  # fmt: skip
    assert [row[k] for k in names] == ["5", "1", "0", "2", "1", "2"]
    rows = as_dicts(QUOTE_COLUMNS, exported(db, tmp_path, "attributions", raw=True))
    assert [(r["text"], r["kind"], r["attribution_id"]) for r in rows][:2] == [
        ("The mayor", "indirect", "1"), ("would resign", "indirect", "1")]  # fmt: skip


# -- spreadsheet safety ------------------------------------------------------------------


@pytest.mark.parametrize("what", WHATS)
def test_default_export_neutralises_every_formula_start(db, tmp_path, what):
    safe = exported(db, tmp_path, what)
    raw = EXPECTED[what](db)
    assert len(safe) == len(raw)
    risky = 0
    for safe_row, raw_row in zip(safe, raw, strict=True):
        for cell, value in zip(safe_row, raw_row, strict=True):
            assert not cell or cell[0] not in FORMULA_STARTS
            if value and value[0] in FORMULA_STARTS:
                assert cell == "'" + value
                risky += 1
            else:
                assert cell == value
    assert risky  # the sample has payloads in every export


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=6))
def test_sql_neutralisation_is_the_python_rule(value):
    db = Database(memory=True)
    sql = sql_text("?", raw=False).replace("?", ":v")
    assert db.execute(f"SELECT {sql}", {"v": value}).fetchone()[0] == neutralise(value)


@pytest.mark.parametrize("start", sorted(FORMULA_STARTS) + ["'", " ", "a", "A", "0", ",", "."])
def test_sql_neutralisation_boundaries(start):
    db = Database(memory=True)
    sql = sql_text(":v", raw=False)
    for value in (start, start + "x", start + "\x00"):
        assert db.execute(f"SELECT {sql}", {"v": value}).fetchone()[0] == neutralise(value)


# -- quoting ---------------------------------------------------------------------------

cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["\x1f", "\x1e", '"', ",", "\r\n", "\n", "\r", "=1+1", ""]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=6),
       st.lists(cells, max_size=2))  # fmt: skip
def test_fast_rendering_is_rfc4180_and_the_csv_modules_bytes(rows, lead):
    text = render_rows(rows, export.render_lead(lead))
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
        [lead + row for row in rows]
    )
    assert text == buf.getvalue()
    assert list(csv.reader(io.StringIO(text, newline=""))) == [lead + row for row in rows]


def test_a_value_holding_a_separator_character_still_exports_exactly(db, tmp_path):
    db.execute("UPDATE annotations SET note = 'a\x1fb\x1ec' WHERE action = 'rejected'")
    db.conn.commit()
    rows = exported(db, tmp_path, "annotations", raw=True)
    assert rows == expected_annotation_rows(db)
    assert "a\x1fb\x1ec" in {r[ANNOTATION_COLUMNS.index("note")] for r in rows}


def test_bom_option_starts_the_file_with_a_byte_order_mark(db, tmp_path):
    plain, marked = tmp_path / "plain.csv", tmp_path / "bom.csv"
    export_csv(db, plain, "articles")
    export_csv(db, marked, "articles", bom=True)
    assert marked.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    assert read_csv(marked, "utf-8-sig") == read_csv(plain)
    assert plain.read_bytes().endswith(b"\r\n")


# -- atomic writes, progress, cancel, errors ------------------------------------------------


def test_a_failure_leaves_the_previous_file_and_no_temporary(db, tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    out.write_text("previous", encoding="utf-8")

    def broken(*args, **kwargs):
        yield "partial", 1
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(export._SOURCES, "annotations", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        export_csv(db, out, "annotations")
    assert out.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "sample.sqlite",
                                                          "sample.sqlite-shm",
                                                          "sample.sqlite-wal"]  # fmt: skip


def test_cancel_leaves_the_target_untouched(db, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "POLL_ARTICLES", 1)
    out = tmp_path / "out.csv"
    out.write_text("previous", encoding="utf-8")
    result = export_csv(db, out, "articles", should_stop=lambda: True)
    assert result.cancelled and out.read_text(encoding="utf-8") == "previous"
    assert not list(tmp_path.glob(".out.csv.*"))


def test_progress_reports_articles_and_ends_at_the_total(db, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "POLL_ARTICLES", 1)
    calls: list[tuple[int, int, str]] = []
    polls: list[bool] = []
    export_csv(db, tmp_path / "a.csv", "articles", progress=lambda *a: calls.append(a),
               should_stop=lambda: polls.append(True) or False)  # fmt: skip
    assert calls[0][:2] == (0, 3) and calls[-1][:2] == (3, 3)
    assert len(polls) == 3


def test_new_file_without_a_database_file_gets_ordinary_permissions(tmp_path):
    # With a database file the export takes its mode (test_export_safety); a plain
    # text file written for no database gets what any new file gets.
    out = tmp_path / "perm.txt"
    with export.atomic_text_file(out) as fh:
        fh.write("x")
    assert out.stat().st_mode & 0o777 == 0o666 & ~export._UMASK


def test_unwritable_output_is_a_clear_error(db, tmp_path):
    with pytest.raises(ExportError, match="cannot write there"):
        export_csv(db, tmp_path / "no" / "such" / "dir.csv", "articles")
    with pytest.raises(ExportError, match="is a folder"):
        export_csv(db, tmp_path, "articles")
    with pytest.raises(ExportError, match="unknown export"):
        export_csv(db, tmp_path / "x.csv", "everything")


# -- the command -------------------------------------------------------------------------


@pytest.mark.parametrize("what", WHATS)
def test_command_writes_the_same_file_as_the_function(db, tmp_path, what, capsys):
    db_path = tmp_path / "sample.sqlite"
    out = tmp_path / f"cli-{what}.csv"
    assert main(["export", "--db", str(db_path), "--csv", str(out), "--what", what, "--bom"]) == 0
    export_csv(db, tmp_path / "direct.csv", what, bom=True)
    assert out.read_bytes() == (tmp_path / "direct.csv").read_bytes()
    assert f"rows to {out}" in capsys.readouterr().err


def test_command_refuses_a_missing_database_without_creating_it(tmp_path, capsys):
    missing = tmp_path / "nope.sqlite"
    code = main(["export", "--db", str(missing), "--csv", str(tmp_path / "o.csv"),
                 "--what", "articles"])  # fmt: skip
    assert code == 2 and not missing.exists()
    assert "nope.sqlite: no such database file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--csv", "o.csv"], "--csv needs --what"),
        (["--jsonl", "o.jsonl", "--raw"], "go with --csv"),
        (["--csv", "no/such/dir/o.csv", "--what", "quotes"], "cannot write there"),
        (["--csv", "sample.sqlite", "--what", "quotes"], "is the database itself"),
    ],
)
def test_command_argument_and_output_errors(db, tmp_path, capsys, args, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--db", "sample.sqlite", *args]) == 2
    assert message in capsys.readouterr().err


def test_command_rejects_unknown_what(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--db", "x", "--csv", "o", "--what", "everything"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_command_reports_a_read_only_folder(db, tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    code = main(["export", "--db", str(tmp_path / "sample.sqlite"), "--csv",
                 str(folder / "o.csv"), "--what", "articles"])  # fmt: skip
    assert code == 2 and "cannot write there" in capsys.readouterr().err


def test_parallel_annotations_export_writes_the_same_bytes(tmp_path):
    from viewer.core.model import Article
    from viewer.core.store import open_db
    from viewer.core.store.annotations import insert_annotation, new_annotation
    from viewer.core.store.articles import get_article, upsert_articles

    db = open_db(tmp_path / "p.sqlite")
    ids = upsert_articles(
        db,
        [
            Article(
                id=f"a{i}",
                text=f'Text {i}, "quoted" =formula\nline two 😀 end.',
                title=f"T{i}",
                origin="o",
            )
            for i in range(9)
        ],
    )
    for article_id in ids:
        art = get_article(db, article_id)
        for start in range(0, 30, 7):
            insert_annotation(
                db,
                new_annotation(
                    article_id,
                    art.text,
                    art.text_hash,
                    start,
                    start + 5,
                    kind="span",
                    action="added",
                    label="Claim",
                    note='a, "b"\nc',
                ),
            )
    from viewer.core.store.reviews import add_tag

    extra = upsert_articles(db, [Article(id="z", text="Only tagged.", title="Z", origin="o")])
    add_tag(db, extra[0], "=tagged")  # after every annotated article: still exported
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    first = export_csv(db, one, "annotations", bom=True)
    second = export_csv(db, two, "annotations", bom=True, workers=3)
    assert second.rows == first.rows == 46
    assert two.read_bytes() == one.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")]


def test_command_takes_a_corpus_and_exports_the_window_s_database(tmp_path, capsys):
    from viewer.core.store.database import default_db_path

    corpus = tmp_path / "bbc"
    corpus.mkdir()
    assert main(["export", str(corpus), "--csv", str(tmp_path / "o.csv"),
                 "--what", "articles"]) == 2  # fmt: skip
    assert "no database for this corpus yet" in capsys.readouterr().err
    build_sample_db(default_db_path(corpus)).close()
    out, direct = tmp_path / "by-corpus.csv", tmp_path / "by-db.csv"
    assert main(["export", str(corpus), "--csv", str(out), "--what", "articles"]) == 0
    assert main(["export", "--db", str(default_db_path(corpus)), "--csv", str(direct),
                 "--what", "articles"]) == 0  # fmt: skip
    assert out.read_bytes() == direct.read_bytes()


@pytest.mark.parametrize("where", [[], ["c", "--db", "x.sqlite"]])
def test_command_needs_a_corpus_or_a_database(tmp_path, capsys, where):
    assert main(["export", *where, "--csv", str(tmp_path / "o.csv"), "--what", "articles"]) == 2
    assert "give a CORPUS or --db DB" in capsys.readouterr().err
