"""Corpus loading: every input is generated in tmp_path."""

from __future__ import annotations

import builtins
import codecs
import csv
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from viewer.core.corpus import files as corpus
from viewer.core.corpus.files import (
    canonical_text,
    corpus_files,
    decode_bytes,
    iter_articles,
    title_in_text,
    title_of_text,
)
from viewer.core.model import Article, ImportReport, LoadMessage

# pyproject's norecursedirs replaces pytest's default ".*" ignore, so a .hypothesis folder in
# the repo would make every later collection fail (filterwarnings = error): store it elsewhere.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "viewer-hypothesis")

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_0c52c29eb9c28650.txt"
BODY = "The minister spoke on Tuesday.\nShe said more later."


def load(path: str | Path, should_stop=None) -> tuple[list[Article], ImportReport]:
    report = ImportReport()
    articles = list(iter_articles(path, report, should_stop))
    return articles, report


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def by_id(articles: list[Article]) -> dict[str, Article]:
    return {a.id: a for a in articles}


def only(report: ImportReport, severity: str) -> list[tuple[str, int | None, str]]:
    return [(m.path, m.line, m.message) for m in report.messages if m.severity == severity]


# --- canonical text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\r\nb\n\rc", "a\n\nb\n\nc"),
        ("  padded \t\n", "  padded \t\n"),  # no stripping
        ("e\u0301 \ufb01 \u00a0", "e\u0301 \ufb01 \u00a0"),  # no Unicode normalisation
    ],
)
def test_canonical_text_only_changes_line_ends(raw: str, canonical: str) -> None:
    assert canonical_text(raw) == canonical


# --- decoding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom_decides_encoding_and_is_removed(bom: bytes, encoding: str) -> None:
    text = "Caf\u00e9 \u201cquoted\u201d \U0001f600\r\nnext"
    assert decode_bytes(bom + text.encode(encoding)) == (text, [])


def test_plain_utf8_decodes_without_warning() -> None:
    assert decode_bytes("na\u00efve \u2014 ok".encode()) == ("na\u00efve \u2014 ok", [])


def test_cp1252_fallback_is_recorded() -> None:
    text, warnings = decode_bytes(b"He said \x93hello\x94 \x96 twice")
    assert text == "He said \u201chello\u201d \u2013 twice"
    assert warnings == ["not valid UTF-8; decoded as cp1252"]


def test_latin1_fallback_when_cp1252_fails() -> None:
    # 0x81 is undefined in cp1252, so only latin-1 can decode this.
    text, warnings = decode_bytes(b"caf\xe9 \x81")
    assert text == "caf\u00e9 \x81"
    assert warnings == ["not valid UTF-8; decoded as latin-1"]


def test_invalid_utf16_after_bom_is_replaced_with_warning() -> None:
    data = codecs.BOM_UTF16_LE + b"\x00\xd8" + "ok".encode("utf-16-le")  # lone high surrogate
    text, warnings = decode_bytes(data)
    assert text == "\ufffdok"
    assert warnings == ["invalid UTF-16-LE data replaced with U+FFFD"]


def test_utf16_text_starting_with_nul_is_not_mistaken_for_utf32() -> None:
    data = codecs.BOM_UTF16_LE + "\x00abc".encode("utf-16-le")  # odd length for UTF-32
    assert decode_bytes(data) == ("\x00abc", [])


# --- .txt ----------------------------------------------------------------------------


def test_seed_article_loads_with_its_opening_sentence_as_title() -> None:
    articles, report = load(SEED)
    assert [a.id for a in articles] == ["000_0c52c29eb9c28650"]
    (article,) = articles
    # Regression: titled "000_0c52c29eb9c28650" (its first line is a long sentence).
    assert article.title == (
        "The United States is on track to announce next week the transition of the\u2026"
    )
    assert article.origin == str(SEED)
    assert article.text == canonical_text(SEED.read_bytes().decode("utf-8"))
    assert article.warnings == ()
    assert report.messages == []
    assert (report.files_read, report.articles_loaded) == (1, 1)


def test_txt_headline_becomes_title(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Ceasefire talks resume in Cairo\n" + BODY)
    (article,) = load(tmp_path)[0]
    assert (article.id, article.title, article.origin) == (
        "a",
        "Ceasefire talks resume in Cairo",
        "a.txt",
    )
    assert article.text == "Ceasefire talks resume in Cairo\n" + BODY
    assert (article.source, article.date, article.url, dict(article.meta)) == (
        None,
        None,
        None,
        {},
    )


@pytest.mark.parametrize(
    ("first_line", "title"),
    [
        ("The minister resigned on Tuesday.", "The minister resigned on Tuesday"),  # sentence
        ("Why now? Nobody knows.", "Why now?"),
        ("He said:", "He said:"),
        ('He said "no." She left.', 'He said "no."'),  # quote mark after a period
        ("She left.\u201d", "She left.\u201d"),
        ("x" * 201, "x" * 79 + "\u2026"),  # too long, and one word: cut inside it
        (" ".join(["word"] * 26), " ".join(["word"] * 16) + "\u2026"),  # too many words
    ],
)
def test_txt_first_line_that_is_not_a_headline_gives_its_first_sentence(
    tmp_path: Path, first_line: str, title: str
) -> None:
    write(tmp_path / "story one.txt", first_line + "\n" + BODY)
    (article,) = load(tmp_path)[0]
    assert article.title == title
    assert article.text == first_line + "\n" + BODY  # the text keeps its first line


@pytest.mark.parametrize(
    ("opening", "title"),
    [
        ("The U.S. Army left Kabul. Then", "The U.S. Army left Kabul"),
        ("Mr. Blair spoke to Dr. Singh on Monday. Then", "Mr. Blair spoke to Dr. Singh on Monday"),
        ("Prices rose 2.5 percent in May. Then", "Prices rose 2.5 percent in May"),
        ("J. K. Rowling wrote again. Then", "J. K. Rowling wrote again"),
        ("One, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve, thirteen.",
         "One, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve\u2026"),
    ],
)  # fmt: skip
def test_opening_sentence_title_skips_abbreviations_and_cuts_at_a_word(
    opening: str, title: str
) -> None:
    assert title_of_text(opening + " more text.\nBody.") == title


def test_title_in_text_finds_a_headline_or_the_opening_it_shortens() -> None:
    text = "\n  Ceasefire talks resume in Cairo\nBody."
    assert title_in_text("Ceasefire talks resume in Cairo", text) == (3, 34)
    seed = SEED.read_text("utf-8")
    title = title_of_text(seed)
    start, end = title_in_text(title, seed)
    assert (start, seed[start:end]) == (0, title.removesuffix("\u2026"))
    sentence = "The minister resigned on Tuesday. Then more.\nBody."
    assert title_in_text("The minister resigned on Tuesday", sentence) == (0, 32)
    # A title of its own (a jsonl field) is not in the text, even if a word opens it.
    assert title_in_text("The minister", sentence) is None
    assert title_in_text("Cairo talks", text) is None


def test_txt_headline_limits_are_inclusive(tmp_path: Path) -> None:
    words = " ".join(["word"] * 25)
    write(tmp_path / "words.txt", words + "\n" + BODY)
    write(tmp_path / "chars.txt", "y" * 200 + "\n" + BODY)
    titles = {a.id: a.title for a in load(tmp_path)[0]}
    assert titles == {"words": words, "chars": "y" * 200}


def test_txt_single_line_is_its_own_title(tmp_path: Path) -> None:
    write(tmp_path / "lonely.txt", "Only a headline\n\n  \n")
    (article,) = load(tmp_path)[0]
    assert article.title == "Only a headline"
    assert article.text == "Only a headline\n\n  \n"  # not stripped


def test_txt_mixed_line_ends_become_lf_with_exact_offsets(tmp_path: Path) -> None:
    write(tmp_path / "mixed.txt", b"Headline\r\nline one\rline two\nend\r\n")
    (article,) = load(tmp_path)[0]
    assert article.text == "Headline\nline one\nline two\nend\n"
    assert article.text.index("line two") == 18
    assert article.text[9:17] == "line one"
    assert "\r" not in article.title


def test_txt_html_is_kept_as_plain_text(tmp_path: Path) -> None:
    html = "<html><body><p>Hello &amp; <b>bye</b></p>\n<script>x()</script></body></html>"
    write(tmp_path / "page.txt", html)
    (article,) = load(tmp_path)[0]
    assert article.text == html


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
    ],
)
def test_txt_with_bom_loads_without_warning(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = "Z\u00fcrich vote\r\nVoters said \u201cyes\u201d."
    write(tmp_path / "bom.txt", bom + text.encode(encoding))
    (article,) = load(tmp_path)[0]
    assert article.text == "Z\u00fcrich vote\nVoters said \u201cyes\u201d."
    assert article.title == "Z\u00fcrich vote"
    assert article.warnings == ()


def test_txt_cp1252_loads_with_warning_naming_encoding(tmp_path: Path) -> None:
    write(tmp_path / "win.txt", b"Title\r\nHe said \x93hello\x94.")
    (article,), report = load(tmp_path)
    assert article.text == "Title\nHe said \u201chello\u201d."
    assert article.warnings == ("not valid UTF-8; decoded as cp1252",)
    assert only(report, "warning") == [("win.txt", None, "not valid UTF-8; decoded as cp1252")]


def test_txt_latin1_loads_with_warning(tmp_path: Path) -> None:
    write(tmp_path / "old.txt", b"Caf\xe9 \x81 society")
    (article,), report = load(tmp_path)
    assert article.text == "Caf\u00e9 \x81 society"
    assert only(report, "warning") == [("old.txt", None, "not valid UTF-8; decoded as latin-1")]


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"text then \x00 a NUL", b"\x00" * 10],
)
def test_binary_txt_is_skipped(tmp_path: Path, data: bytes) -> None:
    write(tmp_path / "image.txt", data)
    write(tmp_path / "good.txt", BODY)
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["good"]
    assert only(report, "skipped") == [("image.txt", None, "looks binary (contains NUL bytes)")]


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n ", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")]
)
def test_empty_txt_is_skipped(tmp_path: Path, data: bytes) -> None:
    write(tmp_path / "blank.txt", data)
    articles, report = load(tmp_path)
    assert articles == []
    assert only(report, "skipped") == [("blank.txt", None, "empty")]
    assert report.files_read == 1


def test_txt_too_large_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MAX_WHOLE_FILE_BYTES", 10)
    write(tmp_path / "big.txt", "x" * 11)
    write(tmp_path / "small.txt", "x" * 10)
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["small"]
    ((path, line, message),) = only(report, "skipped")
    assert (path, line) == ("big.txt", None)
    assert message.startswith("too large")


# --- folders, ids, origins -----------------------------------------------------------


def test_folder_is_searched_recursively_with_relative_ids(tmp_path: Path) -> None:
    write(tmp_path / "top.txt", BODY)
    write(tmp_path / "2024" / "jan" / "deep.TXT", BODY + " deep")
    write(tmp_path / "2024" / "feed.JSONL", jsonl({"text": "from jsonl"}))
    write(tmp_path / "2024" / "sheet.Csv", "text\nfrom csv\n")
    write(tmp_path / ".git" / "hidden.txt", BODY + " git")
    write(tmp_path / "sub" / ".hidden.txt", BODY + " hidden")
    write(tmp_path / "notes.md", BODY + " markdown")
    articles, report = load(tmp_path)
    assert {a.id: a.origin for a in articles} == {
        "top": "top.txt",
        "2024/jan/deep": "2024/jan/deep.TXT",
        "2024/feed:1": "2024/feed.JSONL:1",
        "2024/sheet:2": "2024/sheet.Csv:2",
    }
    assert report.messages == []
    assert (report.files_read, report.articles_loaded) == (4, 4)


def test_corpus_files_is_sorted_and_matches_what_is_read(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.csv", "a.jsonl", "a/b/c.txt", ".x/y.txt", "c.json"]:
        write(tmp_path / name, BODY)
    files = corpus_files(tmp_path)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "a/b/c.txt",
        "a/z.csv",
        "a.jsonl",
        "b.txt",
    ]
    assert corpus_files(tmp_path) == files
    assert corpus_files(tmp_path / "b.txt") == [tmp_path / "b.txt"]
    assert corpus_files(tmp_path / "c.json") == []
    assert corpus_files(tmp_path / "missing") == []


def test_single_txt_file_uses_stem_and_path_as_given(tmp_path: Path) -> None:
    path = write(tmp_path / "sub" / "one.txt", BODY)
    (article,), _ = load(str(path))
    assert (article.id, article.origin) == ("one", str(path))


def test_missing_path_and_unsupported_file_are_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert load(missing)[1].messages == [
        LoadMessage(str(missing), None, "skipped", "no such file or folder")
    ]
    other = write(tmp_path / "a.docx", BODY)
    (message,) = load(other)[1].messages
    assert (message.path, message.severity) == (str(other), "skipped")
    assert "unsupported file type" in message.message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loop_is_not_followed_forever(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.txt", BODY)
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "up").symlink_to(tmp_path, target_is_directory=True)
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["a/x"]
    assert report.messages == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_txt_is_skipped_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    write(tmp_path / "good.txt", BODY)
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["good"]
    assert only(report, "skipped") == [("pipe.txt", None, "not a regular file")]


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated, since tests may run as root (where chmod 000 does not stop reading).
    locked = write(tmp_path / "locked.jsonl", jsonl({"text": "secret"}))
    write(tmp_path / "open.txt", BODY)
    real_open = builtins.open

    def fake_open(file, *args, **kwargs):
        if Path(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(corpus, "open", fake_open, raising=False)
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["open"]
    assert only(report, "skipped") == [
        ("locked.jsonl", None, "cannot read file: Permission denied")
    ]


def test_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "locked" / "a.txt", BODY)
    write(tmp_path / "open" / "b.txt", BODY + " b")
    real_scandir = os.scandir

    def fake_scandir(path):
        if Path(path) == tmp_path / "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["open/b"]
    assert only(report, "skipped") == [("locked", None, "cannot read folder: Permission denied")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_permission_denied_file_is_skipped(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.txt", BODY)
    write(tmp_path / "open.txt", BODY + " more")
    locked.chmod(0)
    try:
        articles, report = load(tmp_path)
    finally:
        locked.chmod(0o644)
    assert [a.id for a in articles] == ["open"]
    assert only(report, "skipped") == [("locked.txt", None, "cannot read file: Permission denied")]


def test_duplicate_ids_same_text_skipped_different_text_renamed(tmp_path: Path) -> None:
    write(
        tmp_path / "feed.jsonl",
        jsonl(
            {"id": "a", "text": "first"},
            {"id": "a", "text": "first"},
            {"id": "a", "text": "second"},
            {"id": "a", "text": "third"},
            {"id": "a", "text": "second"},
        ),
    )
    articles, report = load(tmp_path)
    assert [(a.id, a.text) for a in articles] == [
        ("a", "first"),
        ("a#2", "second"),
        ("a#3", "third"),
    ]
    assert only(report, "skipped") == [
        ("feed.jsonl", 2, "duplicate of feed.jsonl:1"),
        ("feed.jsonl", 5, "duplicate of feed.jsonl:3"),
    ]
    renamed = by_id(articles)["a#2"]
    assert renamed.warnings == (
        "id 'a' already used by feed.jsonl:1 (other text); loaded as 'a#2'",
    )
    assert [(m.line, m.message) for m in report.warnings] == [
        (3, renamed.warnings[0]),
        (4, "id 'a' already used by feed.jsonl:1 (other text); loaded as 'a#3'"),
    ]
    assert report.articles_loaded == 3


def test_duplicate_across_files_names_the_first_origin(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.txt", BODY)
    write(tmp_path / "b.jsonl", jsonl({"id": "a/x", "text": BODY}))
    articles, report = load(tmp_path)
    assert [a.origin for a in articles] == ["a/x.txt"]
    assert only(report, "skipped") == [("b.jsonl", 1, "duplicate of a/x.txt")]


def test_should_stop_cancels_between_articles(tmp_path: Path) -> None:
    write(tmp_path / "feed.jsonl", jsonl(*({"text": f"article {i}"} for i in range(10))))
    report = ImportReport()
    seen: list[Article] = []
    for article in iter_articles(tmp_path, report, lambda: len(seen) >= 3):
        seen.append(article)
    assert [a.text for a in seen] == ["article 0", "article 1", "article 2"]
    assert report.articles_loaded == 3


def test_bad_files_do_not_stop_the_rest_of_the_corpus(tmp_path: Path) -> None:
    write(tmp_path / "1.txt", b"\x00\x01binary")
    write(tmp_path / "2.txt", b"")
    write(tmp_path / "3.csv", "title,body\nx,y\n")
    write(tmp_path / "4.jsonl", "{broken\n[1]\n")
    write(tmp_path / "5.csv", 'text\n"never closed\n')
    write(tmp_path / "6.txt", BODY)
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["6"]
    assert {m.path for m in report.skipped} == {"1.txt", "2.txt", "3.csv", "4.jsonl", "5.csv"}
    assert report.files_read == 6
    assert report.summary() == "1 article from 6 files; 0 warnings, 2 files and 4 records skipped"


# --- .jsonl --------------------------------------------------------------------------


def test_jsonl_fields_and_meta(tmp_path: Path) -> None:
    record = {
        "id": 42,
        "text": "Body\r\nmore",
        "title": "Given title",
        "source": "Wire",
        "date": "2024-05-01",
        "url": "https://example.org/a",
        "tags": ["x", "y"],
        "score": 1.5,
    }
    path = write(tmp_path / "feed.jsonl", jsonl(record))
    (article,), report = load(path)
    assert article == Article(
        id="42",
        text="Body\nmore",
        title="Given title",
        origin=f"{path}:1",
        source="Wire",
        date="2024-05-01",
        url="https://example.org/a",
        meta={"tags": ["x", "y"], "score": 1.5},
    )
    assert report.messages == []


def test_jsonl_ids_and_titles_fall_back(tmp_path: Path) -> None:
    content = "\n" + jsonl(
        {"text": "Short headline\nand the body."},
        {"text": "One long sentence that ends with a period."},
        {"id": "", "title": "  ", "text": "no id"},
    )
    path = write(tmp_path / "news" / "feed.jsonl", content)
    single = {a.id: a.title for a in load(path)[0]}
    assert single == {
        "2": "Short headline",
        "3": "One long sentence that ends with a period",
        "4": "no id",
    }
    in_folder = {a.id: a.origin for a in load(tmp_path)[0]}
    assert in_folder == {
        "news/feed:2": "news/feed.jsonl:2",
        "news/feed:3": "news/feed.jsonl:3",
        "news/feed:4": "news/feed.jsonl:4",
    }


def test_jsonl_bad_lines_are_skipped_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        '{"text": "good one"}',
        '{"text": "unterminated',
        "[1, 2]",
        '"just a string"',
        '{"title": "no text"}',
        '{"text": 12}',
        '{"text": null}',
        '{"text": "   \\n "}',
        "",
        "   ",
        '{"text": "good two"}',
    ]
    write(tmp_path / "feed.jsonl", "\n".join(lines))
    articles, report = load(tmp_path)
    assert [a.text for a in articles] == ["good one", "good two"]
    assert [(m.path, m.line, m.message) for m in report.messages] == [
        ("feed.jsonl", 2, "malformed JSON: Unterminated string starting at (column 10)"),
        ("feed.jsonl", 3, "not a JSON object but a list"),
        ("feed.jsonl", 4, "not a JSON object but a string"),
        ("feed.jsonl", 5, 'no "text" field'),
        ("feed.jsonl", 6, '"text" is not a string but a number'),
        ("feed.jsonl", 7, 'no "text" field'),
        ("feed.jsonl", 8, "empty text"),
    ]
    assert all(m.severity == "skipped" for m in report.messages)


def test_jsonl_lone_surrogate_is_replaced_with_warning(tmp_path: Path) -> None:
    write(
        tmp_path / "s.jsonl",
        '{"text": "bad \\ud800 here", "note": "\\udc00"}\n{"text": "pair \\ud83d\\ude00 ok"}\n',
    )
    (bad, good), report = load(tmp_path)
    assert bad.text == "bad \ufffd here"
    assert dict(bad.meta) == {"note": "\ufffd"}
    assert bad.warnings == ("lone surrogate escape replaced with U+FFFD",)
    assert only(report, "warning") == [("s.jsonl", 1, "lone surrogate escape replaced with U+FFFD")]
    assert good.text == "pair \U0001f600 ok"
    assert good.warnings == ()
    bad.text.encode("utf-8")  # storable


def test_jsonl_lines_are_decoded_one_by_one(tmp_path: Path) -> None:
    data = b'{"text": "utf8 \xe2\x80\x9cok\xe2\x80\x9d"}\n{"text": "cp1252 \x93quote\x94"}\n'
    write(tmp_path / "mixed.jsonl", data)
    (first, second), report = load(tmp_path)
    assert (first.text, first.warnings) == ("utf8 \u201cok\u201d", ())
    assert second.text == "cp1252 \u201cquote\u201d"
    assert second.warnings == ("not valid UTF-8; decoded as cp1252",)
    assert only(report, "warning") == [("mixed.jsonl", 2, "not valid UTF-8; decoded as cp1252")]


def test_jsonl_crlf_and_bom(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + b'{"text": "a\\r\\nb\\rc"}\r\n{"text": "raw\ttab"}\r\n'
    write(tmp_path / "win.jsonl", data)
    articles, report = load(tmp_path)
    assert [a.text for a in articles] == ["a\nb\nc", "raw\ttab"]
    assert report.messages == []


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_jsonl_utf16_and_utf32_with_bom(tmp_path: Path, encoding: str) -> None:
    # U+010A and U+0A0A contain a 0x0A byte: only whole code units may end a line.
    texts = ["\u010a\u0a0a first", "second \U0001f600"]
    content = jsonl(*({"text": t} for t in texts)).replace("\\u010a\\u0a0a", "\u010a\u0a0a")
    content = content.replace("\\ud83d\\ude00", "\U0001f600")
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding)
    bom = bom or {"utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[encoding]
    write(tmp_path / "wide.jsonl", bom + content.encode(encoding))
    articles, report = load(tmp_path)
    assert [(a.id, a.text) for a in articles] == [("wide:1", texts[0]), ("wide:2", texts[1])]
    assert report.messages == []


def test_jsonl_very_long_line_is_streamed(tmp_path: Path) -> None:
    long_text = "word " * (4 * 1024 * 1024)  # 20 MB on one line
    with open(tmp_path / "big.jsonl", "w", encoding="utf-8") as file:
        file.write(json.dumps({"id": "big", "text": long_text}) + "\n")
        file.write(json.dumps({"id": "small", "text": "tiny"}) + "\n")
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["big", "small"]
    assert articles[0].text == long_text
    assert report.messages == []


def test_jsonl_line_over_limit_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(corpus, "READ_CHUNK", 64)  # exercise chunk boundaries too
    write(
        tmp_path / "f.jsonl",
        jsonl({"text": "before"}, {"text": "x" * 5000}, {"text": "after " * 30}),
    )
    articles, report = load(tmp_path)
    assert [a.origin for a in articles] == ["f.jsonl:1", "f.jsonl:3"]
    assert only(report, "skipped") == [("f.jsonl", 2, "line too long (over 0 MB)")]


def test_jsonl_binary_and_empty(tmp_path: Path) -> None:
    write(tmp_path / "bin.jsonl", b'{"text": "x"}\n\x00\x00\x00')
    write(tmp_path / "empty.jsonl", b"\n \n")
    articles, report = load(tmp_path)
    assert articles == []
    assert only(report, "skipped") == [
        ("bin.jsonl", None, "looks binary (contains NUL bytes)"),
        ("empty.jsonl", None, "empty"),
    ]


def test_jsonl_deep_nesting_is_a_bad_line(tmp_path: Path) -> None:
    deep = '{"text": "x", "m": ' + "[" * 100_000 + "]" * 100_000 + "}"
    write(tmp_path / "deep.jsonl", deep + '\n{"text": "fine"}\n')
    articles, report = load(tmp_path)
    assert [a.text for a in articles] == ["fine"]
    ((path, line, message),) = only(report, "skipped")
    assert (path, line) == ("deep.jsonl", 1)
    assert message.startswith("malformed JSON")


# --- .csv ----------------------------------------------------------------------------


def test_csv_fields_meta_and_multiline_cells(tmp_path: Path) -> None:
    data = (
        "ID,Title,Text,Source,date,url,section\r\n"
        '7,First,"line one\r\nline two",AP,2024-01-02,http://x/1,World\r\n'
        ',,"Short head\rbody text",,,,\r\n'
    )
    path = write(tmp_path / "sheet.csv", data)
    (first, second), report = load(path)
    assert first == Article(
        id="7",
        text="line one\nline two",
        title="First",
        origin=f"{path}:2",
        source="AP",
        date="2024-01-02",
        url="http://x/1",
        meta={"section": "World"},
    )
    # The second record starts on line 4: the first one spans lines 2-3.
    assert (second.id, second.title, second.origin) == ("4", "Short head", f"{path}:4")
    assert second.text == "Short head\nbody text"
    assert (second.source, second.meta) == (None, {"section": ""})
    assert report.messages == []


def test_csv_ids_in_folder_use_relative_path_and_line(tmp_path: Path) -> None:
    write(tmp_path / "d" / "s.csv", 'text\n"a\nb"\nc\n')
    assert [a.id for a in load(tmp_path)[0]] == ["d/s:2", "d/s:4"]


def test_csv_ragged_rows(tmp_path: Path) -> None:
    data = "id,text,source\n1,full,AP\n2,extra,AP,surplus\n3,short\n4\n5,ok,AP\n"
    write(tmp_path / "r.csv", data)
    articles, report = load(tmp_path)
    assert [(a.id, a.source) for a in articles] == [
        ("1", "AP"),
        ("2", "AP"),
        ("3", None),
        ("5", "AP"),
    ]
    assert by_id(articles)["2"].warnings == ("4 cells but the header has 3: extra cells ignored",)
    assert [(m.path, m.line, m.severity, m.message) for m in report.messages] == [
        ("r.csv", 3, "warning", "4 cells but the header has 3: extra cells ignored"),
        ("r.csv", 4, "warning", "2 cells but the header has 3: missing cells left empty"),
        ("r.csv", 5, "skipped", 'no "text" field'),
    ]


def test_csv_unmatched_quote_skips_the_rest_with_line(tmp_path: Path) -> None:
    write(tmp_path / "q.csv", 'text\nfine\n"never closed\nmore\nlines\n')
    write(tmp_path / "z.txt", BODY)
    articles, report = load(tmp_path)
    assert [a.origin for a in articles] == ["q.csv:2", "z.txt"]
    assert only(report, "skipped") == [
        ("q.csv", 3, "unmatched quote: lines 3-5 (the rest of the file) not loaded")
    ]


def test_an_unmatched_quote_on_the_last_line_says_line_not_lines(tmp_path: Path) -> None:
    """Regression: "lines 3-3" for a quote left open on the last line."""
    write(tmp_path / "q.csv", 'text\nfine\n"never closed\n')
    _, report = load(tmp_path)
    assert only(report, "skipped") == [
        ("q.csv", 3, "unmatched quote: line 3 (the rest of the file) not loaded")
    ]
    assert report.summary() == "1 article from 1 file; 0 warnings, 1 record skipped"


def test_csv_stray_quote_skips_only_that_record(tmp_path: Path) -> None:
    write(tmp_path / "q.csv", 'text,id\n"quoted"junk,1\nfine,2\n')
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["2"]
    ((path, line, message),) = only(report, "skipped")
    assert (path, line) == ("q.csv", 2)
    assert message.startswith("malformed CSV")


def test_csv_without_text_column_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "n.csv", "\n\ntitle,body\na,b\n")
    articles, report = load(tmp_path)
    assert articles == []
    assert only(report, "skipped") == [("n.csv", 3, 'no "text" column in the header')]


def test_csv_oversized_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = csv.field_size_limit()
    monkeypatch.setattr(corpus, "CSV_FIELD_LIMIT", 1000)
    write(tmp_path / "big.csv", f"id,text\n1,{'x' * 2000}\n2,small\n")
    try:
        articles, report = load(tmp_path)
    finally:
        csv.field_size_limit(previous)
    assert [a.id for a in articles] == ["2"]
    assert only(report, "skipped") == [("big.csv", 2, "field too large (over 0 MB)")]


def test_csv_field_limit_is_raised_for_long_articles(tmp_path: Path) -> None:
    long_text = "y" * 1_000_000  # far beyond csv's default 128 KiB limit
    write(tmp_path / "long.csv", f"text\n{long_text}\n")
    (article,), report = load(tmp_path)
    assert article.text == long_text
    assert report.messages == []


def test_csv_too_large_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MAX_WHOLE_FILE_BYTES", 100)
    write(tmp_path / "huge.csv", "text\n" + "row\n" * 50)
    articles, report = load(tmp_path)
    assert articles == []
    ((path, line, message),) = only(report, "skipped")
    assert (path, line) == ("huge.csv", None)
    assert message.startswith("too large")


def test_csv_cp1252_warns_once_and_marks_articles(tmp_path: Path) -> None:
    write(tmp_path / "w.csv", b"text\r\n\x93one\x94\r\ntwo\r\n")
    articles, report = load(tmp_path)
    assert [a.text for a in articles] == ["\u201cone\u201d", "two"]
    assert all(a.warnings == ("not valid UTF-8; decoded as cp1252",) for a in articles)
    assert only(report, "warning") == [("w.csv", None, "not valid UTF-8; decoded as cp1252")]


def test_csv_utf16_with_bom(tmp_path: Path) -> None:
    content = "id,text\r\na,\u00fcber\r\n"
    write(tmp_path / "u.csv", codecs.BOM_UTF16_LE + content.encode("utf-16-le"))
    (article,), report = load(tmp_path)
    assert (article.id, article.text) == ("a", "\u00fcber")
    assert report.messages == []


def test_csv_semicolon_export(tmp_path: Path) -> None:
    write(tmp_path / "excel.csv", "id;text\n1;Hallo, Welt\n")
    (article,), _ = load(tmp_path)
    assert (article.id, article.text) == ("1", "Hallo, Welt")


def test_csv_empty_text_blank_rows_and_binary(tmp_path: Path) -> None:
    write(tmp_path / "e.csv", "id,text\n1,\n\n,,\n2,  \n3,ok\n")
    write(tmp_path / "b.csv", b"text\nx\x00y\n")
    write(tmp_path / "h.csv", b"  \n")
    articles, report = load(tmp_path)
    assert [a.id for a in articles] == ["3"]
    assert only(report, "skipped") == [
        ("b.csv", None, "looks binary (contains NUL bytes)"),
        ("e.csv", 2, "empty text"),
        ("e.csv", 5, "empty text"),
        ("h.csv", None, "empty"),
    ]


# --- never crash ---------------------------------------------------------------------


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.lists(
            st.sampled_from(
                [
                    b'{"text": "a\\ud800"}',
                    b"\r",
                    b"\n",
                    b'"',
                    b",",
                    b"text",
                    b"id,",
                    b"\x93",
                    b"\xff\xfe",
                    b"\x00",
                    b"{",
                    b"}",
                    b'{"text":',
                    b"\\u",
                    b" ",
                ]
            ),
            max_size=30,
        ).map(b"".join),
    ),
    suffix=st.sampled_from([".txt", ".jsonl", ".csv", ".TXT"]),
)
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "input" + suffix)
        path.write_bytes(data)
        for target in (path, Path(folder)):
            articles, report = load(target)
            assert report.files_read == 1
            assert report.articles_loaded == len(articles)
            for article in articles:
                assert "\r" not in article.text
                assert article.text.strip()
                article.text.encode("utf-8")  # no lone surrogates
            assert not any("internal error" in m.message for m in report.messages)


@given(st.binary(max_size=300))
def test_decode_bytes_accepts_any_bytes(data: bytes) -> None:
    text, warnings = decode_bytes(data)
    assert isinstance(text, str)
    assert all("U+FFFD" in w or "decoded as" in w for w in warnings)
    assert "\r" not in canonical_text(text)


def test_csv_with_only_a_header_is_reported(tmp_path):
    (tmp_path / "h.csv").write_text("id,text\n\n", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Fine text.", encoding="utf-8")
    report = ImportReport()
    articles = list(iter_articles(tmp_path, report))
    assert [a.id for a in articles] == ["ok"]
    [msg] = report.skipped
    assert msg.path.endswith("h.csv") and "no rows" in msg.message


def test_a_database_of_the_old_titles_keeps_its_text_analysis_and_offsets(tmp_path) -> None:
    """The seed was stored titled by its file name: reading it again changes the title
    only (no re-analysis, no re-anchoring: annotation offsets refer to the same text)."""
    from dataclasses import replace

    from viewer.core.model import Analysis
    from viewer.core.store import open_db
    from viewer.core.store.analyses import save_analyses
    from viewer.core.store.articles import get_article, upsert_articles

    (seed,) = load(SEED)[0]
    db = open_db(tmp_path / "old.sqlite")
    [aid] = upsert_articles(db, [replace(seed, title="000_0c52c29eb9c28650")])
    save_analyses(db, "m@1", "p1", [(aid, seed.text_hash, seed.text, Analysis())])
    analysed = get_article(db, aid)
    changed: list[int] = []
    assert upsert_articles(db, [seed], changed) == [aid]
    again = get_article(db, aid)
    assert changed == []
    assert again.title == seed.title != "000_0c52c29eb9c28650"
    assert (again.text, again.text_hash, again.analysis_id) == (
        analysed.text,
        analysed.text_hash,
        analysed.analysis_id,
    )
    db.close()
