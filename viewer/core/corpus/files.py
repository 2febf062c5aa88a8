"""Corpus loading: .txt, .jsonl and .csv files (or folders of them) to Articles.

Loading streams: one file (and for JSONL one line) at a time. Every problem
becomes a LoadMessage naming the file (and line); a bad file or record never
ends the load.
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from viewer.core.corpus.decoding import (
    canonical_text,
    decode_bytes,
    decode_unmarked,
    decode_with,
    looks_binary,
    replace_surrogates,
    sniff_bom,
)
from viewer.core.model import Article, ImportReport, LoadMessage

__all__ = [
    "canonical_text",
    "corpus_files",
    "decode_bytes",
    "iter_articles",
]

SUFFIXES = (".txt", ".jsonl", ".csv")
MiB = 1024 * 1024
MAX_WHOLE_FILE_BYTES = 200 * MiB  # .txt and .csv are read whole; beyond this: "too large"
MAX_LINE_BYTES = 200 * MiB  # a longer JSONL line is skipped without being held in memory
CSV_FIELD_LIMIT = 64 * MiB  # csv's default (128 KiB) is too small for long articles
READ_CHUNK = MiB

RECORD_FIELDS = ("id", "text", "title", "source", "date", "url")  # everything else: meta
HEADLINE_MAX_CHARS = 200
HEADLINE_MAX_WORDS = 25
_SENTENCE_END = ".!?:;"
_CLOSING_QUOTES = "\"'\u201d\u2019\u00bb"
_FIRST_LINE = re.compile(r"\s*+([^\n]*+)\n")  # first non-blank line, when a newline follows
_NON_SPACE = re.compile(r"\S")
# A title made from the opening sentence is cut to this, at a word, with "…".
OPENING_TITLE_MAX_CHARS = 80
# The first non-blank line (bounded: a text may be one many-megabyte line).
_OPENING_LINE = re.compile(r"\s*+([^\n]{1,2000})")
# A sentence ends at . ! or ? (and closing quotes) before a space or the line's end.
_SENTENCE_STOP = re.compile(r"[.!?][\"'\u201d\u2019\u00bb)]*(?=\s|$)")
_WORD_BEFORE = re.compile(r"(\S+)$")
# "Mr. Blair", "the U.S. army", "Dr. No": a stop after these does not end the sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr gen col lt sgt capt rep sen gov pres rev "
    "inc ltd co corp vs etc jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # lone surrogates only come from escapes
_CSV_DELIMITERS = (",", ";", "\t")


def iter_articles(
    path: str | Path,
    report: ImportReport,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Article]:
    """Stream the articles of a corpus file or folder, recording problems in ``report``.

    ``report.files_read`` counts every file of ``corpus_files(path)`` that was
    processed (also those skipped), so it can drive a progress bar.
    ``should_stop`` is polled before each file and each article.
    """
    stop = should_stop or (lambda: False)
    loader = _Loader(report)
    for source in _sources(path, loader):
        if stop():
            return
        for article in _read_source(source, loader):
            if stop():
                return
            if article is not None:
                report.articles_loaded += 1
                yield article
        report.files_read += 1


def corpus_files(path: str | Path) -> list[Path]:
    """The files a load of ``path`` will read, sorted by relative path."""
    root = Path(path)
    if root.is_dir():
        return _walk(root, on_error=lambda _error: None)
    if root.exists() and _supported(root):  # as iter_articles: a FIFO is read, then refused
        return [root]
    return []


# --- where the files are -----------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One file of a load and the names derived from it."""

    path: Path  # what to open
    label: str  # origin and message path: relative to the corpus folder, or as given
    id_stem: str  # relative path without extension, "/"-separated (the file's stem if single)
    single: bool  # the corpus is this one file


def _sources(path: str | Path, loader: _Loader) -> list[_Source]:
    root = Path(path)
    if root.is_dir():
        files = _walk(root, on_error=lambda error: _folder_error(root, error, loader))
        return [_folder_source(root, file) for file in files]
    if not root.exists():
        loader.skip(os.fspath(path), None, "no such file or folder")
        return []
    if not _supported(root):
        loader.skip(os.fspath(path), None, "unsupported file type (expected .txt, .jsonl or .csv)")
        return []
    return [_Source(root, os.fspath(path), root.stem, single=True)]


def _folder_source(root: Path, file: Path) -> _Source:
    relative = file.relative_to(root)
    return _Source(file, relative.as_posix(), relative.with_suffix("").as_posix(), single=False)


def _walk(root: Path, on_error: Callable[[OSError], None]) -> list[Path]:
    """Supported, non-hidden files under root, following symlinks but never twice into a folder."""
    found: list[Path] = []
    visited: set[tuple[int, int]] = set()
    for folder, subfolders, names in os.walk(root, onerror=on_error, followlinks=True):
        key = _folder_key(folder)
        if key in visited:  # a symlink back to a folder already read: a loop or an alias
            subfolders[:] = []
            continue
        if key is not None:
            visited.add(key)
        # Sorted in place so the walk order (and so which alias of a folder wins) is stable.
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        found.extend(
            Path(folder, name)
            for name in names
            if not name.startswith(".") and _supported(Path(name))
        )
    return sorted(found, key=lambda file: file.relative_to(root).parts)


def _folder_key(folder: str) -> tuple[int, int] | None:
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _folder_error(root: Path, error: OSError, loader: _Loader) -> None:
    where = Path(error.filename or root)
    try:
        label = where.relative_to(root).as_posix()
    except ValueError:
        label = os.fspath(where)
    loader.skip(label, None, f"cannot read folder: {_os_reason(error)}")


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


# --- per-load state: messages and ids ------------------------------------------------


class _SkipFile(Exception):
    """The whole (rest of the) file cannot be loaded, for ``reason``."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class _Loader:
    """Records messages and keeps ids unique within one load."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        # id -> {text hash: origin} of every article filed under that id
        self._ids: dict[str, dict[str, str]] = {}
        self._next_suffix: dict[str, int] = {}

    def warn(self, label: str, line: int | None, message: str) -> None:
        self.report.messages.append(LoadMessage(label, line, "warning", message))

    def skip(self, label: str, line: int | None, message: str) -> None:
        self.report.messages.append(LoadMessage(label, line, "skipped", message))

    def claim(self, article: Article, label: str, line: int | None) -> Article | None:
        """The article under a unique id; None (with a message) if it repeats an earlier one."""
        digest = article.text_hash
        variants = self._ids.get(article.id)
        if variants is None:
            self._ids[article.id] = {digest: article.origin}
            return article
        if digest in variants:
            self.skip(label, line, f"duplicate of {variants[digest]}")
            return None
        variants[digest] = article.origin
        new_id = self._free_suffixed_id(article.id)
        self._ids[new_id] = {digest: article.origin}
        first = next(iter(variants.values()))
        note = f"id {article.id!r} already used by {first} (other text); loaded as {new_id!r}"
        self.warn(label, line, note)
        return replace(article, id=new_id, warnings=(*article.warnings, note))

    def _free_suffixed_id(self, base: str) -> str:
        number = self._next_suffix.get(base, 2)
        while f"{base}#{number}" in self._ids:
            number += 1
        self._next_suffix[base] = number + 1
        return f"{base}#{number}"


def _os_reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


# --- one file ------------------------------------------------------------------------


def _read_source(source: _Source, loader: _Loader) -> Iterator[Article | None]:
    """Articles of one file; None for each record skipped (so cancelling stays responsive)."""
    readers = {".txt": _read_txt, ".jsonl": _read_jsonl, ".csv": _read_csv}
    reader = readers[source.path.suffix.lower()]
    try:
        yield from reader(source, loader)
    except _SkipFile as skip:
        loader.skip(source.label, skip.line, skip.reason)
    except OSError as error:
        loader.skip(source.label, None, f"cannot read file: {_os_reason(error)}")
    except Exception as error:  # a bug met by one odd file must not end the whole load
        loader.skip(source.label, None, f"internal error while reading: {error!r}")


def _open_regular(path: Path) -> tuple[BinaryIO, int]:
    """Open for reading bytes; FIFOs and devices are refused (they could block forever)."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _SkipFile("not a regular file")
    return open(path, "rb"), info.st_size


def _read_whole(path: Path) -> bytes:
    """All bytes of a file of at most MAX_WHOLE_FILE_BYTES that does not look binary."""
    file, size = _open_regular(path)
    with file:
        if size > MAX_WHOLE_FILE_BYTES:
            raise _SkipFile(_too_large(size))
        data = file.read(MAX_WHOLE_FILE_BYTES + 1)  # +1: notice a file that grew
    if len(data) > MAX_WHOLE_FILE_BYTES:
        raise _SkipFile(_too_large(len(data)))
    if looks_binary(data):
        raise _SkipFile("looks binary (contains NUL bytes)")
    return data


def _too_large(size: int) -> str:
    return f"too large ({size / MiB:.0f} MB; the limit is {MAX_WHOLE_FILE_BYTES / MiB:.0f} MB)"


def _read_text_file(path: Path) -> tuple[str, list[str]]:
    """Decoded, canonical, non-blank text of a whole file, and decoding warnings."""
    text, warnings = decode_bytes(_read_whole(path))
    text = canonical_text(text)
    if not text.strip():
        raise _SkipFile("empty")
    return text, warnings


# --- .txt ----------------------------------------------------------------------------


def _read_txt(source: _Source, loader: _Loader) -> Iterator[Article | None]:
    text, warnings = _read_text_file(source.path)
    for warning in warnings:
        loader.warn(source.label, None, warning)
    article = Article(
        id=source.id_stem,
        text=text,
        title=title_of_text(text) or source.path.stem,
        origin=source.label,
        warnings=tuple(warnings),
    )
    yield loader.claim(article, source.label, None)


def title_of_text(text: str) -> str | None:
    """A title from the text itself: its headline, else its opening sentence, shortened."""
    return _headline(text) or _opening_sentence(text)


def _opening_sentence(text: str) -> str | None:
    """The first sentence of the first non-blank line, at most OPENING_TITLE_MAX_CHARS
    (cut at a word, with "…"), without a final full stop."""
    match = _OPENING_LINE.match(text)
    if match is None or not match.group(1).strip():
        return None
    line = match.group(1).strip()
    sentence = line
    for stop in _SENTENCE_STOP.finditer(line):
        word = _WORD_BEFORE.search(line, 0, stop.start())
        before = word.group(1).lower() if word else ""
        # Initials ("U.S", "J") and common abbreviations are not sentence ends.
        if stop.group() == "." and (
            before.strip("\"'(\u201c\u2018").rstrip(".") in _ABBREVIATIONS
            or len(before.replace(".", "")) <= 1
            or "." in before
        ):
            continue
        sentence = line[: stop.end()]
        break
    if sentence.endswith("."):
        sentence = sentence[:-1]
    if len(sentence) <= OPENING_TITLE_MAX_CHARS:
        return sentence
    cut = sentence.rfind(" ", 0, OPENING_TITLE_MAX_CHARS)
    short = sentence[: cut if cut > 0 else OPENING_TITLE_MAX_CHARS - 1]
    return short.rstrip(" ,;:-\u2013\u2014") + "\u2026"


def title_in_text(title: str, text: str) -> tuple[int, int] | None:
    """Where the text itself opens with its title, as (start, end) offsets of the text:
    the whole first line when it is the title (a headline), or the opening words a
    shortened title was made from. None when the text does not open with the title,
    so that a view shows the title once."""
    match = _OPENING_LINE.match(text)
    if match is None or not title.strip():
        return None
    start = match.start(1)
    if match.group(1).rstrip() == title:
        return start, start + len(title)
    if title == _opening_sentence(text):
        return start, start + len(title.removesuffix("\u2026"))
    return None


def _headline(text: str) -> str | None:
    """The first line if it reads as a headline: short, no sentence end, more text after it."""
    # Regexes rather than strip/partition, which would copy a many-megabyte text.
    match = _FIRST_LINE.match(text)
    if match is None:
        return None
    first = match.group(1).strip()
    if not first or not _NON_SPACE.search(text, match.end()):
        return None
    if len(first) > HEADLINE_MAX_CHARS or len(first.split()) > HEADLINE_MAX_WORDS:
        return None
    core = first.rstrip(_CLOSING_QUOTES)  # 'He left."' ends a sentence too
    if core and core[-1] in _SENTENCE_END:
        return None
    return first


# --- records (jsonl and csv) -----------------------------------------------------------


def _record_article(
    record: Mapping[str, Any],
    source: _Source,
    line: int,
    loader: _Loader,
    notes: Iterable[str] = (),
    inherited: tuple[str, ...] = (),
) -> Article | None:
    """An article from one record's fields, or None (with a message) if it has no usable text.

    ``notes`` are this record's warnings, reported only if it loads; ``inherited``
    are file-level warnings already reported once.
    """
    text = record.get("text")
    if text is None:
        loader.skip(source.label, line, 'no "text" field')
        return None
    if not isinstance(text, str):
        loader.skip(source.label, line, f'"text" is not a string but {_json_type(text)}')
        return None
    text = canonical_text(text)
    if not text.strip():
        loader.skip(source.label, line, "empty text")
        return None
    notes = list(notes)
    for note in notes:
        loader.warn(source.label, line, note)
    article_id = _field_text(record.get("id")) or _line_id(source, line)
    title = _field_text(record.get("title"))
    article = Article(
        id=article_id,
        text=text,
        title=canonical_text(title).strip() if title else title_of_text(text) or article_id,
        origin=f"{source.label}:{line}",
        source=_field_text(record.get("source")),
        date=_field_text(record.get("date")),
        url=_field_text(record.get("url")),
        meta={key: value for key, value in record.items() if key not in RECORD_FIELDS},
        warnings=(*inherited, *notes),
    )
    return loader.claim(article, source.label, line)


def _line_id(source: _Source, line: int) -> str:
    """The id of a record without one: its line, qualified by its file in a folder load."""
    return str(line) if source.single else f"{source.id_stem}:{line}"


def _field_text(value: Any) -> str | None:
    """A field as display text; None when absent or blank."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = str(value)
    else:  # lists and objects: keep them readable and stable
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if text.strip() else None


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names.update({list: "a list", dict: "an object", type(None): "null"})
    return names.get(type(value), type(value).__name__)


# --- .jsonl --------------------------------------------------------------------------


def _read_jsonl(source: _Source, loader: _Loader) -> Iterator[Article | None]:
    file, _size = _open_regular(source.path)
    with file:
        head = file.read(READ_CHUNK)
        if looks_binary(head):
            raise _SkipFile("looks binary (contains NUL bytes)")
        bom = sniff_bom(head)
        encoding, skip = bom if bom else (None, 0)
        newline = "\n".encode(encoding or "ascii")
        saw_content = False
        lines = _split_lines(file, newline, head[skip:])
        for number, raw in enumerate(lines, start=1):
            if raw is None:
                saw_content = True
                limit = MAX_LINE_BYTES / MiB
                loader.skip(source.label, number, f"line too long (over {limit:.0f} MB)")
                yield None
                continue
            text, notes = decode_with(raw, encoding) if encoding else decode_unmarked(raw)
            if text.isspace() or not text:
                continue  # blank lines are mere separators
            saw_content = True
            yield _jsonl_article(text, notes, source, number, loader)
    if not saw_content:
        raise _SkipFile("empty")


def _jsonl_article(
    line: str, notes: list[str], source: _Source, number: int, loader: _Loader
) -> Article | None:
    if "\x00" in line:
        loader.skip(source.label, number, "looks binary (contains NUL bytes)")
        return None
    try:
        record = _parse_json_object(line)
        fixed = _without_surrogates(record) if _SURROGATE_ESCAPE.search(line) else None
    except _BadLine as bad:
        loader.skip(source.label, number, bad.reason)
        return None
    except RecursionError:
        loader.skip(source.label, number, "malformed JSON: nested too deeply")
        return None
    if fixed is not None and fixed[1]:
        record = fixed[0]
        notes = [*notes, "lone surrogate escape replaced with U+FFFD"]
    return _record_article(record, source, number, loader, notes)


class _BadLine(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _parse_json_object(line: str) -> dict[str, Any]:
    try:
        # strict=False: raw tabs/newlines inside strings are common in hand-made JSONL.
        value = json.loads(line.lstrip("\ufeff"), strict=False)
    except json.JSONDecodeError as error:
        raise _BadLine(f"malformed JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(value, dict):
        raise _BadLine(f"not a JSON object but {_json_type(value)}")
    return value


def _without_surrogates(value: Any) -> tuple[Any, bool]:
    """The value with lone surrogates in any string (or key) replaced; and whether any was."""
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, list):
        pairs = [_without_surrogates(item) for item in value]
        return [item for item, _ in pairs], any(changed for _, changed in pairs)
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        changed = False
        for key, item in value.items():
            new_key, key_changed = replace_surrogates(key)
            result[new_key], item_changed = _without_surrogates(item)
            changed = changed or key_changed or item_changed
        return result, changed
    return value, False


def _split_lines(file: BinaryIO, newline: bytes, head: bytes) -> Iterator[bytes | None]:
    """Physical lines (newline kept), reading ``head`` and then the file chunk by chunk.

    A line longer than MAX_LINE_BYTES is yielded as None without being kept.
    Only newlines on code-unit boundaries count, so UTF-16/32 lines split correctly.
    """
    unit = len(newline)
    buffer = bytearray(head)  # always starts on a code-unit boundary
    start = 0
    oversized = False
    search = 0
    while True:
        end = _find_newline(buffer, newline, search)
        if end >= 0:
            yield None if oversized else bytes(buffer[start:end])
            start = search = end
            oversized = False
            continue
        del buffer[:start]
        start = 0
        if len(buffer) > MAX_LINE_BYTES:
            oversized = True
            del buffer[: len(buffer) - len(buffer) % unit]
        search = len(buffer) - len(buffer) % unit
        chunk = file.read(READ_CHUNK)
        if not chunk:
            if buffer or oversized:
                yield None if oversized else bytes(buffer)
            return
        buffer += chunk


def _find_newline(buffer: bytearray, newline: bytes, position: int) -> int:
    """Index just past the first code-unit-aligned newline at or after position, or -1."""
    unit = len(newline)
    found = buffer.find(newline, position)
    while found >= 0 and found % unit:
        found = buffer.find(newline, found + 1)
    return found + unit if found >= 0 else -1


# --- .csv ----------------------------------------------------------------------------


def _read_csv(source: _Source, loader: _Loader) -> Iterator[Article | None]:
    text, file_warnings = _read_text_file(source.path)
    for warning in file_warnings:
        loader.warn(source.label, None, warning)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    records = _csv_records(text, _pick_delimiter(text))
    header_line, keys = _csv_header(records)
    if "text" not in keys:
        raise _SkipFile('no "text" column in the header', header_line)
    for duplicate in _duplicates(keys):
        loader.warn(source.label, header_line, f"duplicate column {duplicate!r}: first one used")
    rows_seen = 0
    for line, row in records:
        if isinstance(row, str):
            rows_seen += 1
            loader.skip(source.label, line, row)
            yield None
        elif any(cell.strip() for cell in row):  # blank rows are mere separators
            rows_seen += 1
            record = _csv_record(keys, row)
            notes = _ragged_note(len(row), len(keys))
            yield _record_article(record, source, line, loader, notes, tuple(file_warnings))
    if not rows_seen:
        # A header alone loads nothing: say so, as for an empty file.
        raise _SkipFile("no rows after the header", header_line)


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """(starting line, cells) per record, or (starting line, reason) for a bad one.

    The text is canonical (LF only), so feeding it line by line with newlines kept is
    what a StringIO with newline="" would give, without a second copy of the file.
    """
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, _csv_error_reason(str(error), start, reader.line_num)
            if reader.line_num < start:  # no progress: stop rather than loop
                return
            continue
        yield start, row


def _lines(text: str) -> Iterator[str]:
    position = 0
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end + 1
        yield text[position:end]
        position = end


def _csv_error_reason(error: str, start: int, end: int) -> str:
    if "unexpected end of data" in error:
        where = f"line {start}" if start == end else f"lines {start}-{end}"
        return f"unmatched quote: {where} (the rest of the file) not loaded"
    if "field larger than field limit" in error:
        return f"field too large (over {CSV_FIELD_LIMIT / MiB:.0f} MB)"
    return f"malformed CSV: {error}"


def _pick_delimiter(text: str) -> str:
    """Comma, unless only ';' or tab gives the header a "text" column (spreadsheet exports)."""
    header = next((line for line in _lines(text) if line.strip()), "")
    for delimiter in _CSV_DELIMITERS:
        try:
            cells = next(csv.reader([header], delimiter=delimiter), [])
        except csv.Error:
            continue
        if "text" in (cell.strip().lower() for cell in cells):
            return delimiter
    return ","


def _csv_header(records: Iterator[tuple[int, list[str] | str]]) -> tuple[int, list[str]]:
    """The first non-blank record as column keys: known fields lower-cased, blanks named."""
    for line, row in records:
        if isinstance(row, str):
            raise _SkipFile(f"unreadable header: {row}", line)
        if any(cell.strip() for cell in row):
            return line, [_column_key(cell, index) for index, cell in enumerate(row)]
    raise _SkipFile("empty")


def _column_key(cell: str, index: int) -> str:
    name = cell.strip()
    if name.lower() in RECORD_FIELDS:
        return name.lower()
    return name or f"column {index + 1}"


def _duplicates(keys: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated


def _csv_record(keys: list[str], row: list[str]) -> dict[str, str]:
    """Cells by column; the first of duplicate columns wins; missing cells are absent."""
    record: dict[str, str] = {}
    for key, cell in zip(keys, row, strict=False):
        record.setdefault(key, cell)
    return record


def _ragged_note(cells: int, columns: int) -> list[str]:
    if cells > columns:
        return [f"{cells} cells but the header has {columns}: extra cells ignored"]
    if cells < columns:
        return [f"{cells} cells but the header has {columns}: missing cells left empty"]
    return []
