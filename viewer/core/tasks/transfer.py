"""The analyst's work as JSON lines: export from one database, import into another.

One JSON object per line, each with a "type":

    {"type": "viewer-annotations", "version": 1}                       first line
    {"type": "label", "name": ..., "color": ..., "position": ...}
    {"type": "review", "article": EXT_ID, "status", "note", "annotator", "updated_at"}
    {"type": "tag", "article": EXT_ID, "tag", "annotator", "created_at"}
    {"type": "annotation", "article": EXT_ID, <every Annotation field but id/article_id>}

Articles are named by their corpus id (``articles.ext_id``), never by row id,
so the file fits any database of the same corpus. Within each type, records
are sorted by article id (then tag, or row id): two databases holding the
same work give the same file.

Import (a merge of a colleague's work) never loses or corrupts work here:

- two passes: the whole file is checked first, streaming, with no lock held;
  a bad record is skipped and named ("file:line: why"); a file that is not an
  annotations file at all raises AnnotationFileError. Then the database is
  backed up and every good record applied in one transaction (all or nothing);
- status, note and tags are each annotator's own: a colleague's review is
  added as theirs beside yours, never over it. The same annotator's review
  (from two of their databases) merges field by field: tags as a union; an
  empty incoming value never replaces one here; an empty one here takes the
  incoming one; two different values are a conflict: this database's is kept
  (or, with ``prefer="newer"``, the later one) and the other is kept in
  ``merge_conflicts``;
- an annotation is skipped when the same content (everything but its id) is
  already there, so importing twice adds nothing; one whose article text
  changed is re-anchored; one whose text is not at its offsets (though its
  text hash is the article's) is re-anchored too, or skipped when it cannot be
  placed: nothing is stored as ``exact`` that is not in the text;
- a record of an article missing here is skipped and counted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, get_args

from sqlite_utils import Database

from viewer.core.annotations.anchoring import reanchor_annotation
from viewer.core.annotations.corrected_view import refresh_corrected
from viewer.core.corpus.decoding import sniff_bom
from viewer.core.model import (
    AnchorStatus,
    Annotation,
    AnnotationAction,
    AnnotationKind,
    QuoteKind,
    ReviewStatus,
)
from viewer.core.store import transfer
from viewer.core.store.articles import now
from viewer.core.store.backups import backup_now
from viewer.core.store.database import atomic
from viewer.core.store.transfer import ArticleText, MergeConflict, ReviewRow
from viewer.core.tasks.export import (
    ExportCancelled,
    ExportResult,
    Progress,
    StopCheck,
    atomic_text_file,
)

FORMAT = "viewer-annotations"
VERSION = 1
POLL_RECORDS = 2000  # progress / should_stop every this many records

# Annotation fields carried by the file: everything but the row ids.
ANNOTATION_FIELDS = tuple(f.name for f in fields(Annotation) if f.name not in ("id", "article_id"))


class AnnotationFileError(Exception):
    """The file is not a viewer annotations file; the message names the line."""


def _quiet(done: int, total: int, what: str) -> None:
    pass


def _never() -> bool:
    return False


# -- export ---------------------------------------------------------------------------


def export_jsonl(
    db: Database,
    out: str | Path,
    *,
    progress: Progress = _quiet,
    should_stop: StopCheck = _never,
    annotator: str | None = None,
) -> ExportResult:
    """Write every label, review, tag and annotation of ``db`` to ``out`` (atomically);
    with ``annotator``, the labels and that annotator's reviews, tags and annotations."""
    total = transfer.record_count(db, annotator)
    try:
        with atomic_text_file(out, db=db) as fh:  # never over the database; its mode
            done = 0
            for done, record in enumerate(_records(db, annotator), 1):
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                if done % POLL_RECORDS == 0:
                    progress(done, total, f"Exporting annotations: {done} of {total} records")
                    if should_stop():
                        raise ExportCancelled
            progress(done, total, f"Exported {done} records")
    except ExportCancelled:
        return ExportResult(Path(out), "jsonl", 0, cancelled=True)
    return ExportResult(Path(out), "jsonl", done)


def _records(db: Database, who: str | None = None) -> Iterator[dict[str, Any]]:
    yield {"type": FORMAT, "version": VERSION}
    for name, color, position in transfer.label_records(db):
        yield {"type": "label", "name": name, "color": color, "position": position}
    for ext_id, status, note, annotator, updated_at in transfer.review_records(db, who):
        yield {"type": "review", "article": ext_id, "status": status, "note": note,
               "annotator": annotator, "updated_at": updated_at}  # fmt: skip
    for ext_id, tag, annotator, created_at in transfer.tag_records(db, who):
        yield {"type": "tag", "article": ext_id, "tag": tag, "annotator": annotator,
               "created_at": created_at}  # fmt: skip
    for ext_id, *values in transfer.annotation_records(db, who):
        yield {
            "type": "annotation",
            "article": ext_id,
            **dict(zip(ANNOTATION_FIELDS, values, strict=True)),
        }


# -- import: limits and the checks of each field -------------------------------------

Prefer = Literal["mine", "newer"]
PREFERENCES: tuple[Prefer, ...] = ("mine", "newer")
BACKUPS_KEPT = 10  # pre-import backups kept (the newest)

MiB = 1024 * 1024
# The export's lines are far shorter; a longer line is skipped without being held.
MAX_LINE_BYTES = 4 * MiB
READ_CHUNK = MiB
MAX_NAME_CHARS = 200  # a label, tag, annotator, model label
MAX_ID_CHARS = 4096  # an article's corpus id (a relative path)
MAX_TEXT_CHARS = 100_000  # an annotation's text or speaker, a note
MAX_CONTEXT_CHARS = 1000  # stored context (the app keeps 32 characters)
MAX_HASH_CHARS = 128
MAX_STAMP_CHARS = 64
MAX_OFFSET = 2**31 - 1  # also bounds every int that reaches SQLite (no OverflowError)
MAX_MESSAGES = 10  # problems kept word for word; the others are only counted

STATUSES: tuple[ReviewStatus, ...] = get_args(ReviewStatus)
QUOTE_KINDS: tuple[QuoteKind, ...] = get_args(QuoteKind)
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class RecordError(ValueError):
    """One record is unusable; the message says which field and why (no location)."""


Check = Callable[[Any], Any]  # returns the value to use, or raises RecordError


def _describe(value: Any) -> str:
    """A JSON value as the user wrote it, short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return _shorten(repr(value))
    if isinstance(value, str):
        return f"a string {_shorten(repr(value))}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _string(max_chars: int, *, blank: bool = True) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise RecordError(f"must be a string, not {_describe(value)}")
        if len(value) > max_chars:
            raise RecordError(f"is longer than {max_chars} characters ({len(value)})")
        if not blank and not value.strip():
            raise RecordError("must not be empty")
        try:
            value.encode("utf-8")  # SQLite would refuse a lone surrogate mid-import
        except UnicodeEncodeError as exc:
            raise RecordError("holds a lone surrogate (not text)") from exc
        return value

    return check


def _nullable(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _offset(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"must be an integer, not {_describe(value)}")
    if value < 0:
        raise RecordError(f"must not be negative ({value})")
    if value > MAX_OFFSET:
        raise RecordError(f"is too large ({_describe(value)})")
    return value


def _one_of(allowed: tuple[str, ...]) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise RecordError(f"must be one of {', '.join(allowed)}, not {_describe(value)}")
        return value

    return check


def _color(value: Any) -> str:
    if not isinstance(value, str) or not _COLOR.fullmatch(value):
        raise RecordError(f"must be a colour like #1a2b3c, not {_describe(value)}")
    return value


def _timestamp(value: Any) -> str:
    if not isinstance(value, str):
        raise RecordError(f"must be a string, not {_describe(value)}")
    _string(MAX_STAMP_CHARS, blank=False)(value)
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise RecordError(f"is not an ISO 8601 time ({_describe(value)})") from exc
    return value


def _tag(value: Any) -> str:
    """A tag as the app stores one: inner whitespace collapsed (see reviews.add_tag)."""
    return " ".join(_string(MAX_NAME_CHARS, blank=False)(value).split())


_REQUIRED = object()  # no default: the record must carry the field
_ARTICLE = (_string(MAX_ID_CHARS, blank=False), _REQUIRED)
_NAME = (_string(MAX_NAME_CHARS), _REQUIRED)
_NULLABLE_NAME = (_nullable(_string(MAX_NAME_CHARS)), None)
_NULLABLE_TEXT = (_nullable(_string(MAX_TEXT_CHARS)), None)
_NULLABLE_OFFSET = (_nullable(_offset), None)
_STAMP = (_timestamp, _REQUIRED)

# type -> field -> (check, default); fields not listed are ignored.
_SPECS: dict[str, dict[str, tuple[Check, Any]]] = {
    "label": {
        "name": (_string(MAX_NAME_CHARS, blank=False), _REQUIRED),
        "color": (_color, _REQUIRED),
        "position": (_offset, _REQUIRED),
    },
    "review": {
        "article": _ARTICLE,
        "status": (_nullable(_one_of(STATUSES)), None),
        "note": _NULLABLE_TEXT,
        "annotator": _NAME,
        "updated_at": _STAMP,
    },
    "tag": {
        "article": _ARTICLE,
        "tag": (_tag, _REQUIRED),
        "annotator": _NAME,
        "created_at": _STAMP,
    },
    "annotation": {
        "article": _ARTICLE,
        "kind": (_one_of(get_args(AnnotationKind)), _REQUIRED),
        "action": (_one_of(get_args(AnnotationAction)), _REQUIRED),
        "label": _NULLABLE_NAME,
        "start": (_offset, _REQUIRED),
        "end": (_offset, _REQUIRED),
        "text": (_string(MAX_TEXT_CHARS), _REQUIRED),
        "left_context": (_string(MAX_CONTEXT_CHARS), _REQUIRED),
        "right_context": (_string(MAX_CONTEXT_CHARS), _REQUIRED),
        "text_hash": (_string(MAX_HASH_CHARS, blank=False), _REQUIRED),
        "model_label": _NULLABLE_NAME,
        "model_start": _NULLABLE_OFFSET,
        "model_end": _NULLABLE_OFFSET,
        "speaker_start": _NULLABLE_OFFSET,
        "speaker_end": _NULLABLE_OFFSET,
        "speaker_text": _NULLABLE_TEXT,
        "note": _NULLABLE_TEXT,
        "anchor_status": (_one_of(get_args(AnchorStatus)), "exact"),
        "annotator": _NAME,
        "created_at": _STAMP,
        "updated_at": _STAMP,
        "provenance": _NULLABLE_NAME,  # absent from files written before adjudication
    },
}
# Every field the file carries is checked; a new Annotation field needs a check here.
if set(_SPECS["annotation"]) != {"article", *ANNOTATION_FIELDS}:  # pragma: no cover
    raise RuntimeError("annotation_io._SPECS does not cover every Annotation field")


def check_record(rec: Any) -> dict[str, Any]:
    """The record with every field checked (defaults filled in); else RecordError."""
    if not isinstance(rec, dict):
        raise RecordError(f"not a JSON object but {_describe(rec)}")
    kind = rec.get("type")
    if kind == FORMAT:
        raise RecordError("a second header line (two files joined?)")
    if not isinstance(kind, str) or kind not in _SPECS:
        raise RecordError(f"unknown record type ({_describe(kind)})")
    checked: dict[str, Any] = {"type": kind}
    missing, problems = [], []
    for name, (check, default) in _SPECS[kind].items():
        if name not in rec:
            if default is _REQUIRED:
                missing.append(name)
            checked[name] = None if default is _REQUIRED else default
            continue
        try:
            checked[name] = check(rec[name])
        except RecordError as exc:
            problems.append(f"{name} {exc}")
    if missing:
        problems.insert(0, f"lacks {', '.join(missing)}")
    if not problems and kind == "annotation":
        problems = _span_problems(checked) + _label_problems(checked)
    if problems:
        raise RecordError(f"{kind} record: {'; '.join(problems)}")
    return checked


def _span_problems(rec: dict[str, Any]) -> list[str]:
    """Each span must not end before it starts."""
    problems = []
    for prefix in ("", "model_", "speaker_"):
        start, end = rec[prefix + "start"], rec[prefix + "end"]
        if start is not None and end is not None and end < start:
            problems.append(f"{prefix}end {end} is before {prefix}start {start}")
    return problems


def _label_problems(rec: dict[str, Any]) -> list[str]:
    """An attribution's kind change needs a kind; an added attribution's label is its kind."""
    if rec["kind"] != "quote" or rec["action"] not in ("kind_changed", "added"):
        return []
    label = rec["label"]
    if label is None and rec["action"] == "added":
        return []  # added before attributions had kinds: a direct quote
    if label not in QUOTE_KINDS:
        return [f"label must be one of {', '.join(QUOTE_KINDS)} for a quote "
                f"{rec['action']} decision, not {_describe(label)}"]  # fmt: skip
    return []


# -- import: reading the file ---------------------------------------------------------


@dataclass(frozen=True)
class FileRecord:
    """One line after the header: its record, checked, or why it is unusable."""

    where: str  # "file:line"
    record: dict[str, Any] | None  # None: skipped, see problem
    problem: str = ""


class AnnotationsFile:
    """Streams a file's records; ``fingerprint`` (its bytes' SHA-256) once read to the end.

    A file that is not an annotations file at all (missing, a folder, unreadable,
    empty, binary, not UTF-8, no header, a newer format) raises AnnotationFileError
    before the first record; any other bad line is a FileRecord with a problem.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.fingerprint: str | None = None

    def records(self) -> Iterator[FileRecord]:
        digest = hashlib.sha256()
        with _open_regular(self.path) as fh:
            lines = ((n, raw) for n, raw in self._lines(fh, digest) if raw is None or raw.strip())
            first = next(lines, None)
            if first is None:
                raise AnnotationFileError(f"{self.path}: empty file, not a viewer annotations file")
            _check_header(f"{self.path}:{first[0]}", first[1])
            for number, raw in lines:
                where = f"{self.path}:{number}"
                try:
                    yield FileRecord(where, check_record(_parse(raw)))
                except RecordError as exc:
                    yield FileRecord(where, None, str(exc))
        self.fingerprint = digest.hexdigest()

    def _lines(self, fh: IO[bytes], digest: Any) -> Iterator[tuple[int, bytes | None]]:
        """(line number, bytes) of each line; None for one over MAX_LINE_BYTES (not kept)."""
        number = 0
        try:
            while line := fh.readline(MAX_LINE_BYTES + 1):
                digest.update(line)
                number += 1
                if len(line) <= MAX_LINE_BYTES:
                    yield number, line
                    continue
                while not line.endswith(b"\n") and (line := fh.readline(READ_CHUNK)):
                    digest.update(line)  # the rest of the long line, read and dropped
                yield number, None
        except OSError as exc:
            why = _reason(exc)
            raise AnnotationFileError(f"{self.path}: cannot read the file ({why})") from exc


def read_records(path: str | Path) -> Iterator[FileRecord]:
    """Every record after the header, checked (see AnnotationsFile)."""
    return AnnotationsFile(path).records()


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _open_regular(path: Path) -> IO[bytes]:
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise AnnotationFileError(f"{path}: a folder, not a viewer annotations file")
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device could block or never end
            raise AnnotationFileError(f"{path}: not a regular file")
        return open(path, "rb")  # closed by the caller's with
    except OSError as exc:
        raise AnnotationFileError(f"{path}: cannot read the file ({_reason(exc)})") from exc


def _parse(raw: bytes | None) -> Any:
    if raw is None:
        raise RecordError(f"line longer than {MAX_LINE_BYTES // MiB} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text (byte {raw[exc.start]:#04x} at column "
                          f"{exc.start + 1})") from exc  # fmt: skip
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:  # the column within the line (pos counts from 0)
        what = exc.msg.removesuffix(" at")  # "Invalid control character at"
        raise RecordError(f"not JSON ({what} at column {exc.pos + 1})") from exc
    except ValueError as exc:  # an integer of thousands of digits
        raise RecordError("not JSON that can be read (a number too long)") from exc
    except RecursionError as exc:
        raise RecordError("not JSON that can be read (nested too deeply)") from exc


def _check_header(where: str, raw: bytes | None) -> None:
    bom = sniff_bom(raw or b"")
    if bom and bom[0] != "utf-8":
        raise AnnotationFileError(
            f"{where}: {bom[0].upper()} text, not a viewer annotations file (those are UTF-8)"
        )
    if raw is not None and b"\x00" in raw:
        raise AnnotationFileError(f"{where}: binary (NUL bytes), not a viewer annotations file")
    try:
        rec = _parse(raw[bom[1] :] if raw is not None and bom else raw)
    except RecordError as exc:
        raise AnnotationFileError(f"{where}: not a viewer annotations file ({exc})") from exc
    if not isinstance(rec, dict) or rec.get("type") != FORMAT:
        raise AnnotationFileError(f"{where}: not a viewer annotations file (no header)")
    version = rec.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise AnnotationFileError(f"{where}: unknown format version ({_describe(version)})")
    if version > VERSION:
        raise AnnotationFileError(
            f"{where}: made by a newer version of viewer (format {version}); "
            "upgrade viewer to import it"
        )


# -- import: the report ---------------------------------------------------------------


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class ConflictNote:
    """A status or note that differed, as the summary names it."""

    article: str  # the corpus id
    field: str  # "status" | "note"
    took_incoming: bool  # --prefer newer and the file's value was the later one
    recorded: bool  # False: an earlier import recorded the same conflict


@dataclass
class AnnotationImportReport:
    """What an import did; ``skipped_articles`` names articles this database lacks."""

    annotations_added: int = 0
    annotations_present: int = 0  # the same content was already there
    annotations_reanchored: int = 0  # the article's text differs: offsets re-found
    anchor_statuses: Counter[str] = field(default_factory=Counter)  # of the re-anchored ones
    annotations_replaced: int = 0  # same text hash, but not at its offsets: re-anchored
    reviews_added: int = 0
    reviews_updated: int = 0  # a status or note taken from the file
    reviews_kept: int = 0  # nothing taken (the same, empty in the file, or a conflict kept)
    conflicts: list[ConflictNote] = field(default_factory=list)
    tags_added: int = 0
    tags_present: int = 0
    labels_added: int = 0
    labels_present: int = 0
    skipped_articles: Counter[str] = field(default_factory=Counter)  # ext_id -> records skipped
    bad_records: int = 0  # unusable records (and annotations that could not be placed)
    problems: list[str] = field(default_factory=list)  # the first MAX_MESSAGES, "file:line: why"
    notices: list[str] = field(default_factory=list)  # the first re-placed annotations
    backup: Path | None = None  # taken before anything was written

    @property
    def skipped(self) -> int:
        return sum(self.skipped_articles.values()) + self.bad_records

    def skip(self, where: str, why: str) -> None:
        self.bad_records += 1
        if len(self.problems) < MAX_MESSAGES:
            self.problems.append(f"{where}: {why}")

    def notice(self, where: str, what: str) -> None:
        if len(self.notices) < MAX_MESSAGES:
            self.notices.append(f"{where}: {what}")

    def summary(self) -> str:
        anchors = ", ".join(f"{n} {s}" for s, n in sorted(self.anchor_statuses.items()))
        lines = [
            f"annotations: {self.annotations_added} added, {self.annotations_present} "
            f"already present, {self.annotations_reanchored} re-anchored"
            + (f" ({anchors})" if anchors else "")
            + (f", {self.annotations_replaced} re-placed" if self.annotations_replaced else ""),
            f"reviews: {self.reviews_added} added, {self.reviews_updated} updated, "
            f"{self.reviews_kept} kept",
            *self._conflict_lines(),
            f"tags: {self.tags_added} added, {self.tags_present} already present",
            f"labels: {self.labels_added} added, {self.labels_present} already present",
            *self.notices,
        ]
        if self.skipped_articles:
            lines.append(
                f"skipped: {_plural(sum(self.skipped_articles.values()), 'record')} of "
                f"{_plural(len(self.skipped_articles), 'article')} not in this database"
            )
        if self.bad_records:
            lines.append(f"{_plural(self.bad_records, 'record')} skipped:")
            lines += [f"  {p}" for p in self.problems]
            if self.bad_records > len(self.problems):
                lines.append(f"  ... and {self.bad_records - len(self.problems)} more")
        if self.backup is not None:
            lines.append(f"backup of the database before the import: {self.backup}")
        return "\n".join(lines)

    def _conflict_lines(self) -> list[str]:
        if not self.conflicts:
            return []
        new = sum(c.recorded for c in self.conflicts)
        lines = [
            f"conflicts: {len(self.conflicts)} (status or note differs; {new} newly recorded, "
            f"{len(self.conflicts) - new} recorded before) - the value not kept is in the "
            "database's merge_conflicts table"
        ]
        for c in self.conflicts[:MAX_MESSAGES]:
            kept = "the file's newer value" if c.took_incoming else "this database's value"
            lines.append(f"  conflict: article {c.article!r} {c.field}: kept {kept}")
        if len(self.conflicts) > MAX_MESSAGES:
            lines.append(f"  ... and {len(self.conflicts) - MAX_MESSAGES} more")
        return lines


# -- import: applying the records -------------------------------------------------------

_UNCHANGED = object()


def _is_empty(name: str, value: str | None) -> bool:
    """Nothing set: no note, or a status that says nothing (or one this viewer
    does not know, which reads as unreviewed everywhere)."""
    if name == "status":
        return value not in STATUSES or value == "unreviewed"
    return not value


def _later(a: str, b: str) -> bool:
    """Whether time ``a`` is after time ``b``; False when they cannot be compared."""
    try:
        first, second = datetime.fromisoformat(a), datetime.fromisoformat(b)
    except (TypeError, ValueError):
        return False
    first = first if first.tzinfo else first.replace(tzinfo=UTC)  # the app writes UTC
    second = second if second.tzinfo else second.replace(tzinfo=UTC)
    return first > second


def _content_key(values: tuple[object, ...]) -> bytes:
    """A digest of an annotation's content: the duplicate check keeps 16 bytes per
    annotation in memory instead of its text. repr() of str/int/None is unambiguous."""
    return hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _content_of(ann: Annotation) -> tuple[object, ...]:
    return tuple(getattr(ann, name) for name in ANNOTATION_FIELDS)


def _fits(ann: Annotation, text: str) -> bool:
    """Whether the annotation's offsets hold in ``text``: all in range and, unless
    orphaned (which keeps its old text), its text (and speaker, if exact) there."""
    offsets = (ann.start, ann.end, ann.model_start, ann.model_end, ann.speaker_start,
               ann.speaker_end)  # fmt: skip
    if any(o is not None and o > len(text) for o in offsets):
        return False
    if ann.anchor_status == "orphaned":
        return True
    if text[ann.start : ann.end] != ann.text:
        return False
    if ann.anchor_status == "exact" and ann.speaker_text and ann.speaker_start is not None:
        return text[ann.speaker_start : ann.speaker_end] == ann.speaker_text
    return True


class _Merger:
    """Applies checked records, by the merge rules, inside the caller's transaction."""

    def __init__(self, db: Database, report: AnnotationImportReport, prefer: Prefer, source: str):
        self.db, self.report, self.prefer, self.source = db, report, prefer, source
        self._last: tuple[str, ArticleText | None] | None = None  # records come by article
        self._contents: dict[int, set[bytes]] = {}  # article id -> content keys, read once

    def apply(self, where: str, rec: dict[str, Any]) -> None:
        if rec["type"] == "label":
            self.label(rec)
            return
        target = self._article(rec["article"])
        if target is None:
            return
        if rec["type"] == "review":
            self.review(rec["article"], target, rec)
        elif rec["type"] == "tag":
            self.tag(target, rec)
        else:
            self.annotation(where, rec["article"], target, rec)

    def _article(self, ext_id: str) -> ArticleText | None:
        if self._last is None or self._last[0] != ext_id:
            self._last = (ext_id, transfer.find_article(self.db, ext_id))
        target = self._last[1]
        if target is None:
            self.report.skipped_articles[ext_id] += 1
        return target

    def label(self, rec: dict[str, Any]) -> None:
        if transfer.insert_label(self.db, rec["name"], rec["color"], rec["position"]):
            self.report.labels_added += 1
        else:
            self.report.labels_present += 1

    def tag(self, target: ArticleText, rec: dict[str, Any]) -> None:
        if transfer.insert_tag(self.db, target.id, rec["tag"], rec["annotator"], rec["created_at"]):
            self.report.tags_added += 1
        else:
            self.report.tags_present += 1

    # -- reviews: status and note merge one by one

    def review(self, ext_id: str, target: ArticleText, rec: dict[str, Any]) -> None:
        theirs = ReviewRow(rec["status"], rec["note"], rec["annotator"], rec["updated_at"])
        mine = transfer.review_row(self.db, target.id, theirs.annotator)  # each their own
        if mine is None:
            new = ReviewRow(theirs.status or "unreviewed", theirs.note or None,
                            theirs.annotator, theirs.updated_at)  # fmt: skip
            transfer.save_review(self.db, target.id, new)
            self.report.reviews_added += 1
            return
        taken = {}
        for name in ("status", "note"):
            value = self._merged_field(ext_id, target, name, mine, theirs)
            if value is not _UNCHANGED:
                taken[name] = value
        if not taken:
            self.report.reviews_kept += 1
            return
        # The row now holds the annotator's work up to the later of the two times.
        newest = theirs if _later(theirs.updated_at, mine.updated_at) else mine
        transfer.save_review(
            self.db, target.id, replace(mine, **taken, updated_at=newest.updated_at)
        )
        self.report.reviews_updated += 1

    def _merged_field(
        self, ext_id: str, target: ArticleText, name: str, mine: ReviewRow, theirs: ReviewRow
    ) -> Any:
        """The file's value when it is to be stored, else _UNCHANGED (a conflict is recorded)."""
        here, there = getattr(mine, name), getattr(theirs, name)
        if _is_empty(name, there) or here == there:
            return _UNCHANGED  # an empty value never overwrites; nothing new
        if _is_empty(name, here):
            return there
        take = self.prefer == "newer" and _later(theirs.updated_at, mine.updated_at)
        winner, loser = (theirs, mine) if take else (mine, theirs)
        recorded = transfer.record_conflict(self.db, MergeConflict(
            article_id=target.id, field=name, kept=getattr(winner, name),
            incoming=getattr(loser, name), incoming_annotator=loser.annotator,
            incoming_updated_at=loser.updated_at, source=self.source, created_at=now(),
        ))  # fmt: skip
        self.report.conflicts.append(ConflictNote(ext_id, name, take, recorded))
        return there if take else _UNCHANGED

    # -- annotations

    def annotation(self, where: str, ext_id: str, target: ArticleText, rec: dict[str, Any]) -> None:
        ann = Annotation(article_id=target.id, **{k: rec[k] for k in ANNOTATION_FIELDS})
        placed = self._placed(where, ext_id, target, ann)
        if placed is None:
            return
        key = _content_key(_content_of(placed))
        known = self._known(target.id)
        if key in known:
            self.report.annotations_present += 1
            return
        transfer.insert_annotation(self.db, placed)
        known.add(key)  # a duplicate later in the same file is found too
        self.report.annotations_added += 1

    def _placed(
        self, where: str, ext_id: str, target: ArticleText, ann: Annotation
    ) -> Annotation | None:
        """``ann`` anchored in the article's current text, or None (skipped, said why)."""
        if ann.text_hash != target.text_hash:  # made on another text: re-find it
            placed = reanchor_annotation(ann, target.text, target.text_hash)
            self.report.annotations_reanchored += 1
            self.report.anchor_statuses[placed.anchor_status] += 1
            return placed
        if _fits(ann, target.text):
            return ann
        # The article's text hash, yet the text is not at the offsets: a damaged or
        # hand-edited record. Never stored as it is (it would claim "exact"): placed
        # as if the text had changed, or skipped.
        placed = reanchor_annotation(replace(ann, text_hash=""), target.text, target.text_hash)
        span = f"annotation {ann.text[:40]!r} at {ann.start}-{ann.end}"
        if placed.anchor_status == "orphaned":
            why = f"{span} is not in the text of article {ext_id!r}; not imported"
            self.report.skip(where, why)
            return None
        self.report.annotations_replaced += 1
        new = f"{placed.start}-{placed.end} ({placed.anchor_status})"
        self.report.notice(where, f"{span} was not at its offsets; re-placed at {new}")
        return placed

    def _known(self, article_id: int) -> set[bytes]:
        known = self._contents.get(article_id)
        if known is None:
            contents = transfer.annotation_contents(self.db, article_id)
            known = self._contents[article_id] = {_content_key(tuple(c)) for c in contents}
        return known


# -- import: the two passes -------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    records: int  # good records
    fingerprint: str | None


def import_jsonl(
    db: Database,
    path: str | Path,
    progress: Progress = _quiet,
    *,
    prefer: Prefer = "mine",
    backup: bool = True,
) -> AnnotationImportReport:
    """Merge an export_jsonl file into ``db``; returns what it did.

    1. every record is checked, streaming, holding no lock: bad ones are skipped
       and named in the report; a file that is not an annotations file raises
       AnnotationFileError (nothing written);
    2. the database is backed up (``<db>.backups/…-pre-import.sqlite``), if there
       is anything to import and ``db`` is a file;
    3. every good record is applied in one transaction: all or nothing;
    4. the final views of the articles it corrected are stored for the corpus views.
    """
    if prefer not in PREFERENCES:
        raise ValueError(f"prefer must be one of {', '.join(PREFERENCES)}, not {prefer!r}")
    report = AnnotationImportReport()
    checked = _check_file(Path(path), report, progress)
    if not checked.records:
        return report
    db_path = getattr(db, "path", None)
    if backup and db_path is not None:
        report.backup = backup_now(db, db_path, keep=BACKUPS_KEPT, reason="pre-import")
    _apply_file(db, Path(path), checked, _Merger(db, report, prefer, _source(path)), progress)
    refresh_corrected(db)  # the corpus views and filters count the imported decisions
    return report


def _source(path: str | Path) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(path)


def _check_file(path: Path, report: AnnotationImportReport, progress: Progress) -> _Checked:
    """The first pass: reads and checks everything, writes nothing."""
    file = AnnotationsFile(path)
    good = 0
    for n, item in enumerate(file.records(), 1):
        if item.record is None:
            report.skip(item.where, item.problem)
        else:
            good += 1
        if n % POLL_RECORDS == 0:
            progress(n, 0, f"Checking: {n} records")
    return _Checked(good, file.fingerprint)


def _apply_file(
    db: Database, path: Path, checked: _Checked, merger: _Merger, progress: Progress
) -> None:
    """The second pass: the same records again, applied in one write transaction."""
    file = AnnotationsFile(path)
    with atomic(db):  # BEGIN IMMEDIATE: the write lock, for this pass only
        done = 0
        for item in file.records():
            if item.record is None:
                continue  # counted by the first pass
            merger.apply(item.where, item.record)
            done += 1
            if done % POLL_RECORDS == 0:
                progress(done, checked.records, f"Importing: {done} of {checked.records} records")
        if file.fingerprint != checked.fingerprint or done != checked.records:
            raise AnnotationFileError(f"{path}: the file changed while it was being imported")
