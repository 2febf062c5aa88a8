"""The hostile input catalogue: every input class, generated here, loads or is skipped by name.

The rule for each: no crash; the input either loads (with its warnings recorded)
or is skipped with a message naming the file (and the line, for JSONL/CSV);
the good file beside it always loads. ``python tests/core/test_hostile_inputs.py``
prints the outcome of each class (the table in the README).
"""

from __future__ import annotations

import builtins
import codecs
import csv
import io
import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from viewer.core.corpus import files as corpus
from viewer.core.corpus.files import canonical_text, iter_articles
from viewer.core.model import Article, ImportReport

# As in test_corpus: keep hypothesis' database out of the repository.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "viewer-hypothesis")

GOOD = "good.txt"
GOOD_TEXT = "Budget talks resume\nThe minister said talks resume on Monday."
BODY = "Ann Lee said the talks would resume on Monday, officials confirmed."
MiB = 1024 * 1024


def load(path: Path) -> tuple[list[Article], ImportReport]:
    report = ImportReport()
    return list(iter_articles(path, report)), report


def jsonl(*records: object) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


# --- the catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One input class: how to make it, and how loading it must end."""

    name: str
    file: str  # the hostile file's name in the corpus folder
    make: Callable[[Path], None]  # writes the file (or link) at the given path
    loaded: int  # articles expected from it
    severity: str | None = None  # the message expected: "warning", "skipped" or None
    message: str = ""  # a part of that message
    line: int | None = None  # the line that message names


def write_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def symlink_loop(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text(BODY, encoding="utf-8")
    (path / "again").symlink_to(path, target_is_directory=True)
    (path / "up").symlink_to(path.parent, target_is_directory=True)


def self_link(path: Path) -> None:
    path.symlink_to(path)  # opening it: "Too many levels of symbolic links"


def fifo(path: Path) -> None:
    os.mkfifo(path)


HTML = (
    '<html><head><script>alert("x")</script></head><body><b>Bold</b> '
    '<img src="file:///etc/passwd"> <a href="javascript:alert(1)">link</a>\n'
    "=cmd|' /C calc'!A0 and more text.</body></html>"
)

CATALOGUE: list[Case] = [
    Case("UTF-8 with BOM", "bom8.txt", write_bytes(codecs.BOM_UTF8 + BODY.encode()), 1),
    Case("UTF-16 LE with BOM", "bom16le.txt", write_bytes(BODY.encode("utf-16")), 1),
    Case(
        "UTF-16 BE with BOM",
        "bom16be.csv",
        write_bytes(codecs.BOM_UTF16_BE + f'id,text\nx,"{BODY}"\n'.encode("utf-16-be")),
        1,
    ),
    Case(
        "UTF-32 with BOM",
        "bom32.jsonl",
        write_bytes(codecs.BOM_UTF32_LE + jsonl({"text": BODY}).decode().encode("utf-32-le")),
        1,
    ),
    Case(
        "cp1252 text",
        "cp1252.txt",
        write_bytes("\u201cSmart quotes\u201d cost \u20ac5 \u2014 said Lee.".encode("cp1252")),
        1,
        "warning",
        "not valid UTF-8; decoded as cp1252",
    ),
    Case(
        "latin-1 text (bytes cp1252 lacks)",
        "latin1.txt",
        write_bytes(b"Caf\xe9 \x81\x8d\x8f said Lee."),
        1,
        "warning",
        "decoded as latin-1",
    ),
    Case(
        "invalid UTF-8 in a JSONL line",
        "invalid8.jsonl",
        write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9 \xff"}\n'),
        2,
        "warning",
        "decoded as cp1252",
        2,
    ),
    Case(
        "invalid UTF-8 after a UTF-8 BOM",
        "bom_invalid.txt",
        write_bytes(codecs.BOM_UTF8 + b"caf\xc3 text"),
        1,
        "warning",
        "replaced with U+FFFD",
    ),
    Case(
        "UTF-8-encoded surrogates (CESU)",
        "cesu.txt",
        write_bytes(b"pile \xed\xa0\xbd\xed\xb2\xa9 of text"),
        1,
        "warning",
        "decoded as",
    ),
    Case(
        "lone surrogate escape in JSON",
        "surrogate.jsonl",
        write_bytes(b'{"text": "half \\ud83d of an emoji"}\n'),
        1,
        "warning",
        "lone surrogate escape replaced with U+FFFD",
        1,
    ),
    Case(
        "NUL bytes in a .txt", "nul.txt", write_bytes(b"text\x00more"), 0, "skipped", "looks binary"
    ),
    Case(
        "NUL bytes in a JSONL line",
        "nul.jsonl",
        write_bytes(b'{"text": "fine"}\n{"text": "a\x00b"}\n'),
        0,
        "skipped",
        "looks binary",
    ),
    Case(
        "binary file named .txt (PNG)",
        "image.txt",
        write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        0,
        "skipped",
        "looks binary",
    ),
    Case("empty file", "empty.txt", write_bytes(b""), 0, "skipped", "empty"),
    Case("whitespace-only file", "blank.txt", write_bytes(b" \r\n\t\n  "), 0, "skipped", "empty"),
    Case("whitespace-only JSONL", "blank.jsonl", write_bytes(b"\n \n\r\n"), 0, "skipped", "empty"),
    Case(
        "malformed JSON line",
        "malformed.jsonl",
        write_bytes(b'{"text": "one"}\n{"text": "unterminated\n{"text": "three"}\n'),
        2,
        "skipped",
        "malformed JSON",
        2,
    ),
    Case(
        "JSON line that is not an object",
        "array.jsonl",
        write_bytes(b'[1, 2]\n{"text": "two"}\n'),
        1,
        "skipped",
        "not a JSON object",
        1,
    ),
    Case(
        "JSON text that is not a string",
        "number.jsonl",
        write_bytes(b'{"text": 5}\n{"text": "two"}\n'),
        1,
        "skipped",
        '"text" is not a string',
        1,
    ),
    Case(
        "ragged CSV rows (too few, too many cells)",
        "ragged.csv",
        write_bytes(b"id,text,title\na,first,A\nb,second\nc,third,C,extra\n"),
        3,
        "warning",
        "2 cells but the header has 3",
        3,
    ),
    Case(
        "unmatched CSV quote",
        "quote.csv",
        write_bytes(b'id,text\na,fine\nb,"never closed\nc,lost\n'),
        1,
        "skipped",
        "unmatched quote",
        3,
    ),
    Case(
        "CSV without a text column",
        "notext.csv",
        write_bytes(b"id,body\na,b\n"),
        0,
        "skipped",
        'no "text" column',
        1,
    ),
    Case(
        "duplicate id, different text",
        "dupes.jsonl",
        write_bytes(jsonl({"id": "x", "text": "first"}, {"id": "x", "text": "second"})),
        2,
        "warning",
        "loaded as 'x#2'",
        2,
    ),
    Case(
        "duplicate id, same text",
        "same.jsonl",
        write_bytes(jsonl({"id": "x", "text": "same"}, {"id": "x", "text": "same"})),
        1,
        "skipped",
        "duplicate of same.jsonl:1",
        2,
    ),
    Case("HTML and script-like text", "page.txt", write_bytes(HTML.encode()), 1),
    Case(
        "CRLF and emoji (offsets)",
        "crlf.txt",
        write_bytes("Title \U0001f600\r\n\r\nShe said \u201cyes\u201d \U0001f44d.\r".encode()),
        1,
    ),
    Case("symlink loop", "loop", symlink_loop, 1),
    Case("symlink to itself", "self.txt", self_link, 0, "skipped", "cannot read file"),
    Case(
        "dangling symlink",
        "gone.txt",
        lambda p: p.symlink_to(p.parent / "nowhere"),
        0,
        "skipped",
        "cannot read file",
    ),
    Case("FIFO named .txt", "pipe.txt", fifo, 0, "skipped", "not a regular file"),
]

NEEDS_LINKS = {"symlink loop", "symlink to itself", "dangling symlink"}


def run_case(case: Case, folder: Path) -> tuple[list[Article], ImportReport]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    case.make(folder / case.file)
    return load(folder)


def outcome(case: Case, articles: list[Article], report: ImportReport) -> str:
    """How the load of this class ended, in words (for the README table)."""
    mine = [m for m in report.messages if m.path.startswith(case.file)]
    loaded = len([a for a in articles if a.id != "good"])
    words = f"{loaded} loaded" if loaded else "not loaded"
    notes = [f"{m.severity}{f' (line {m.line})' if m.line else ''}: {m.message}" for m in mine]
    return "; ".join([words, *notes])


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.name for c in CATALOGUE])
def test_hostile_input_loads_or_is_skipped_by_name(case: Case, tmp_path: Path) -> None:
    if case.name in NEEDS_LINKS and not hasattr(os, "symlink"):
        pytest.skip("needs symlinks")
    articles, report = run_case(case, tmp_path / "corpus")
    assert "good" in {a.id for a in articles}  # the rest of the corpus loads
    assert report.articles_loaded == len(articles) == case.loaded + 1
    assert not any("internal error" in m.message for m in report.messages)
    assert all(m.path.startswith(case.file) for m in report.messages)  # named by file
    if case.severity:
        found = [m for m in report.messages if m.severity == case.severity]
        assert any(case.message in m.message for m in found), report.messages
        assert any(m.line == case.line for m in found if case.message in m.message)
    else:
        assert report.messages == []
    for article in articles:
        assert "\r" not in article.text and article.text.strip()
        article.text.encode("utf-8")  # storable: no lone surrogates


def test_html_is_kept_verbatim_as_text(tmp_path: Path) -> None:
    case = next(c for c in CATALOGUE if c.file == "page.txt")
    articles, _ = run_case(case, tmp_path)
    (page,) = [a for a in articles if a.id == "page"]
    assert page.text == HTML


def test_offsets_survive_crlf_and_emoji(tmp_path: Path) -> None:
    case = next(c for c in CATALOGUE if c.file == "crlf.txt")
    articles, _ = run_case(case, tmp_path)
    (article,) = [a for a in articles if a.id == "crlf"]
    assert article.text == "Title \U0001f600\n\nShe said \u201cyes\u201d \U0001f44d.\n"
    start = article.text.index("yes")
    assert article.text[start : start + 3] == "yes" and start == 19  # code points, not bytes


def test_unreadable_file_is_skipped_by_name(tmp_path: Path, monkeypatch) -> None:
    # Simulated: tests may run as root, where chmod 000 does not stop reading.
    locked = tmp_path / "locked.csv"
    locked.write_bytes(csv_bytes(["id", "text"], ["a", BODY]))
    (tmp_path / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    real_open = builtins.open

    def fake_open(file, *args, **kwargs):
        if Path(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(corpus, "open", fake_open, raising=False)
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["good"]
    assert [(m.path, m.severity, m.message) for m in report.messages] == [
        ("locked.csv", "skipped", "cannot read file: Permission denied")
    ]


def test_oversized_csv_field_and_jsonl_line_are_skipped_by_line(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(corpus, "CSV_FIELD_LIMIT", 64 * 1024)
    monkeypatch.setattr(corpus, "MAX_LINE_BYTES", 64 * 1024)
    monkeypatch.setattr(corpus, "READ_CHUNK", 4096)  # the line limit is checked per chunk
    huge = "x" * (100 * 1024)
    (tmp_path / "wide.csv").write_bytes(csv_bytes(["id", "text"], ["a", huge], ["b", BODY]))
    (tmp_path / "long.jsonl").write_bytes(jsonl({"text": huge}, {"text": BODY}))
    articles, report = load(tmp_path)
    assert sorted(a.id for a in articles) == ["b", "long:2"]
    assert sorted((m.path, m.line, m.message.split(" (")[0]) for m in report.messages) == [
        ("long.jsonl", 1, "line too long"),
        ("wide.csv", 2, "field too large"),
    ]


# --- sizes: a 20 MB line, a 100 MB JSONL -----------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv"])
def test_single_20_mb_line_loads(tmp_path: Path, suffix: str) -> None:
    text = ("word " * (4 * MiB))[:-1]  # 20 MiB, no newline at all
    data = {".txt": text, ".jsonl": json.dumps({"text": text}), ".csv": f"text\n{text}"}
    path = tmp_path / f"line{suffix}"
    path.write_text(data[suffix], encoding="utf-8")
    articles, report = load(path)
    assert report.messages == []
    assert [len(a.text) for a in articles] == [len(text)]


def write_big_jsonl(path: Path, target_bytes: int) -> int:
    """A JSONL of about ``target_bytes`` with distinct ids; written in 1 MiB chunks, fast."""
    body = json.dumps(BODY * 150)[1:-1]  # ~10 KB of text per line
    lines = 0
    with open(path, "w", encoding="utf-8") as out:
        while out.tell() < target_bytes:
            chunk = "".join(f'{{"id": "{lines + n}", "text": "{body}"}}\n' for n in range(100))
            out.write(chunk)
            lines += 100
    return lines


def test_100_mb_jsonl_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    lines = write_big_jsonl(path, 100 * 1000 * 1000)
    assert path.stat().st_size >= 100 * 1000 * 1000
    report = ImportReport()
    count = 0
    tracemalloc.start()
    started = time.perf_counter()
    try:
        for _article in iter_articles(path, report):
            count += 1  # as the importer does: each batch is stored, then dropped
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == lines and report.messages == []
    # The file is 100 MB; the loader holds a read chunk, one line and the id table.
    assert peak < 16 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert time.perf_counter() - started < 60


# --- fuzzing: all three loaders, the same rule ------------------------------------------------

text_st = st.text(
    # No NUL (binary by design) and no lone surrogates (no UTF encoding can hold them).
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    | st.sampled_from("\r\n\t\"',;<>&\ufeff\U0001f600"),
    max_size=40,
)
record_st = st.fixed_dictionaries(
    {"text": text_st},
    optional={
        "id": st.one_of(text_st, st.integers(), st.none()),
        "title": text_st,
        "source": st.one_of(text_st, st.lists(st.integers(), max_size=2)),
        "extra": st.one_of(text_st, st.booleans(), st.floats(allow_nan=False)),
    },
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "utf-16-be"]


def serialise(records: list[dict], kind: str, encoding: str) -> bytes:
    if kind == ".jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif kind == ".csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["id", "text", "title"])
        for r in records:
            writer.writerow([str(r.get("id", "")), r["text"], r.get("title", "")])
        text = out.getvalue()
    else:
        text = records[0]["text"] if records else ""
    bom = codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b""  # Python adds the others
    return bom + text.encode(encoding)


def check_rule(folder: Path, name: str) -> tuple[list[Article], ImportReport]:
    """The rule for any input: no crash; the good file loads; messages name the input."""
    (folder / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    articles, report = load(folder)
    assert report.files_read == 2
    assert "good" in {a.id for a in articles}
    assert not any("internal error" in m.message for m in report.messages)
    for message in report.messages:
        assert message.path == name
        assert message.line is None or message.line >= 1
    for article in articles:
        assert "\r" not in article.text and article.text.strip()
        article.text.encode("utf-8")
    return articles, report


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(record_st, min_size=1, max_size=5),
    kind=st.sampled_from([".jsonl", ".csv", ".txt"]),
    encoding=st.sampled_from(ENCODINGS),
)
def test_fuzzed_records_round_trip_exactly(records: list[dict], kind: str, encoding: str):
    """Well-formed files in any BOM/UTF encoding: every record with text loads, exactly."""
    with tempfile.TemporaryDirectory() as tmp:
        name = "input" + kind
        Path(tmp, name).write_bytes(serialise(records, kind, encoding))
        articles, report = check_rule(Path(tmp), name)
        texts = [a.text for a in articles if a.id != "good"]
        expected = [canonical_text(r["text"]) for r in records]
        if kind == ".txt":
            text = records[0]["text"]
            if encoding == "utf-8":  # without a BOM of its own, a leading U+FEFF is the BOM
                text = text.removeprefix("\ufeff")
            expected = [canonical_text(text)]
        wanted = [t for t in expected if t.strip()]
        if kind == ".txt" and not wanted:
            return
        # Records repeating an earlier id and text are skipped as duplicates (named).
        duplicates = [m for m in report.skipped if "duplicate of" in m.message]
        assert len(texts) + len(duplicates) == len(wanted)
        assert set(texts) <= set(wanted)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(record_st, max_size=4),
    kind=st.sampled_from([".jsonl", ".csv", ".txt"]),
    encoding=st.sampled_from([*ENCODINGS, "cp1252"]),
    cut=st.integers(min_value=0, max_value=400),
    noise=st.binary(max_size=8),
)
def test_fuzzed_damaged_files_follow_the_rule(records, kind, encoding, cut, noise):
    """Damaged files (cut, bytes inserted, wrong encoding): never a crash, always named."""
    try:
        data = serialise(records, kind, encoding)
    except UnicodeEncodeError:  # cp1252 cannot hold every character: not this test's point
        return
    position = min(cut, len(data))
    data = data[:position] + noise + data[position:]
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "input" + kind).write_bytes(data)
        check_rule(Path(tmp), "input" + kind)


# --- the README table ---------------------------------------------------------------------------


def print_outcomes() -> None:
    """One line per input class: how loading it ended (python tests/core/test_hostile_inputs.py)."""
    with tempfile.TemporaryDirectory() as tmp:
        for number, case in enumerate(CATALOGUE):
            articles, report = run_case(case, Path(tmp, str(number)))
            print(f"| {case.name} | {outcome(case, articles, report)} |")


if __name__ == "__main__":
    print_outcomes()
