"""Streaming CSV exports of the store, in a fixed column order (documented in the README).

    export_csv(db, "out.csv", "annotations", raw=False, bom=False, progress=..., should_stop=...)

``what`` is one of WHATS:

- annotations: one row per analyst decision (annotations, then the article's
  status, note and tags), with 40 characters of context from the article text;
- attributions (alias: quotes) / entities: the final view, model output with
  the corrections applied; one attribution row per content piece, with its
  kind (direct, mixed, indirect, no-source) and attribution_id;
- articles: one row per article with its status, tags, note and counts.

Every cell is quoted (RFC 4180 allows it; lines end in CRLF), the file is
UTF-8, with a byte-order mark when asked for (spreadsheets then detect the
encoding). By default a cell starting with ``= + - @``, TAB, CR or NUL gets a
leading ``'`` so a spreadsheet never runs it as a formula (OWASP's rule);
``raw=True`` writes exact values for programs.

The file is written beside the target under a temporary name, then renamed
over it: a failure, a cancel or a crash never leaves a truncated file under
the final name. The target is never one of the database's own files (its
-wal, -shm, -journal or backups; see export_target); a new file gets the
database file's permissions, a replaced one keeps its own. Rows stream from
cursors, article by article, and are written in chunks; ``should_stop`` is
polled and ``progress(done, total, what)`` called between chunks (done/total
count articles).
"""

from __future__ import annotations

import csv
import ctypes
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from viewer.core.annotations.corrected_view import final_view
from viewer.core.attributions import attribution_counts
from viewer.core.model import FinalEntity, FinalQuote, FinalView
from viewer.core.store import exports as rows_of
from viewer.core.store.articles import article_count
from viewer.core.store.database import close, database_file, open_readonly
from viewer.core.tasks.export_target import (
    ExportError,
    check_export_target,
    export_dir_prefix,
    remove_stale_temporaries,
    temp_file_prefix,
)

# -- the fixed column lists (the README's "Export" section lists the same) -------

ARTICLE_META = ("article_id", "title", "source", "date", "url")
ANNOTATION_COLUMNS = (
    *ARTICLE_META,
    "kind",  # span | entity | quote (annotations); tag | status | note (article level)
    "label",  # the label; the tag; the status
    "start",
    "end",
    "text",
    "left_context",
    "right_context",
    "origin",  # model: a decision about model output; analyst: added by the analyst
    "decision",  # the stored action (added, accepted, rejected, ...); "set" for status/note
    "model_label",
    "speaker",  # quotes: the speaker mention the analyst chose
    "note",
    "annotator",
    "created_at",
    "updated_at",
    "anchor_status",
    "provenance",  # adjudicated work: the annotator(s) it was taken from
)
ATTRIBUTION_COLUMNS = (
    *ARTICLE_META,
    "start",
    "end",
    "text",
    "speaker_start",
    "speaker_end",
    "speaker",
    "speaker_name",
    "anonymous",
    "cue_start",
    "cue_end",
    "cue",
    "kind",
    "attribution_id",
    "origin",
    "decision",
    "corrected",
)
QUOTE_COLUMNS = ATTRIBUTION_COLUMNS  # the export's name before reported speech
ENTITY_COLUMNS = (
    *ARTICLE_META,
    "start",
    "end",
    "text",
    "label",
    "origin",
    "decision",
    "model_label",
    "corrected",
)
ARTICLE_COLUMNS = (
    *ARTICLE_META,
    "origin",
    "meta",
    "status",
    "tags",
    "note",
    "entity_count",
    "quote_count",  # rows in the attributions export (content pieces)
    "direct_count",  # attributions (pieces sharing attribution_id count once) per kind
    "mixed_count",
    "indirect_count",
    "no_source_count",
    "anonymous_count",  # attributions whose speaker is anonymous
    "annotation_count",
)
COLUMNS: dict[str, tuple[str, ...]] = {
    "annotations": ANNOTATION_COLUMNS,
    "attributions": ATTRIBUTION_COLUMNS,
    "entities": ENTITY_COLUMNS,
    "articles": ARTICLE_COLUMNS,
}
WHATS = tuple(COLUMNS)
# Older names that keep working on the command line and in scripts.
ALIASES = {"quotes": "attributions"}
WHAT_CHOICES = (*WHATS, *ALIASES)

CSV_CONTEXT_CHARS = 40  # the store keeps 32; the CSV takes 40 from the article text
TAG_SEPARATOR = "; "
CHUNK_ROWS = 5000  # rows rendered and written at once; should_stop is polled between
POLL_ARTICLES = 200  # ... or after this many articles, when articles have few rows
FORMULA_STARTS = frozenset("=+-@\t\r\0")  # OWASP: a cell starting so may run as a formula

# progress(done, total, what): done/total count articles.
Progress = Callable[[int, int, str], None]
StopCheck = Callable[[], bool]
Parts = Iterator[tuple[str, int]]  # per article: its rows as CSV text, and how many


def _quiet(done: int, total: int, what: str) -> None:
    pass


def _never() -> bool:
    return False


class ExportCancelled(Exception):
    """should_stop() said so; the target file was left untouched."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    what: str
    rows: int  # data rows written (the header not counted)
    cancelled: bool = False


# -- public -------------------------------------------------------------------------


def export_csv(
    db: Database,
    out: str | Path,
    what: str,
    *,
    raw: bool = False,
    bom: bool = False,
    progress: Progress = _quiet,
    should_stop: StopCheck = _never,
    workers: int = 1,
    annotator: str | None = None,
) -> ExportResult:
    """Write the ``what`` export of ``db`` to ``out`` atomically (see the module doc).

    ``workers`` > 1 renders the annotations export in that many processes
    (same bytes, faster on several cores); progress then comes per part.
    ``annotator``: that annotator's work only (their annotations, reviews and
    tags; the final views with their decisions alone)."""
    what = ALIASES.get(what, what)
    if what not in COLUMNS:
        raise ExportError(f"unknown export {what!r}; choose one of {', '.join(WHATS)}")
    prepare_target(db, out)
    if workers > 1 and what in _RANGED_SOURCES and database_file(db) is not None:
        return _export_in_parallel(db, Path(out), what, raw, bom, workers, progress, annotator)
    source, total = _SOURCES[what](db, raw, who=annotator), _TOTALS[what](db, annotator)
    try:
        with atomic_text_file(out, bom=bom, db=db) as fh:
            rows = write_csv(fh, COLUMNS[what], source, total, what, progress, should_stop)
    except ExportCancelled:
        return ExportResult(Path(out), what, 0, cancelled=True)
    return ExportResult(Path(out), what, rows)


# -- several processes: each renders a range of articles, the parts are joined ------------


def _export_part(
    db_file: str, what: str, raw: bool, id_range: tuple[int, int], part: str, who: str | None
) -> int:
    """In a worker process: render one range of articles into ``part``; returns its rows."""
    db = open_readonly(db_file)  # read only, and safe for any character in the name
    try:
        rows = 0
        with open(part, "w", encoding="utf-8", newline="") as fh:
            for text, n in _RANGED_SOURCES[what](db, raw, id_range, who):
                fh.write(text)
                rows += n
        return rows
    finally:
        close(db)


# A worker must not outlive its export: one left behind by a killed parent would
# wait forever for work (it holds its own end of the task queue, so never sees EOF).
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_SECONDS = 1.0


def _die_with_parent(parent_pid: int) -> None:
    """Pool initializer: this worker is killed when the export process dies (even SIGKILL)."""
    if not _ask_kernel_to_kill_us_with_parent():
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def _ask_kernel_to_kill_us_with_parent() -> bool:
    """Linux: prctl(PR_SET_PDEATHSIG, SIGKILL); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    """The fallback: a daemon thread that ends the worker once its parent is gone."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _export_in_parallel(
    db: Database,
    out: Path,
    what: str,
    raw: bool,
    bom: bool,
    workers: int,
    progress: Progress,
    who: str | None = None,
) -> ExportResult:
    """Render article ranges in ``workers`` processes, then join them in order.

    The CSV text of a range does not depend on any other range, so the joined
    file is byte for byte the single-process one."""
    db_file = database_file(db)
    if db_file is None:  # the workers open the file by name
        raise ExportError("a parallel export needs a database file, not an in-memory one")
    ranges = _RANGES[what](db, workers)
    total = len(ranges)
    progress(0, total, f"Exporting {what} in {workers} processes")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=export_dir_prefix()) as tmp:
        parts = [os.path.join(tmp, f"part{i}.csv") for i in range(len(ranges))]
        context = multiprocessing.get_context("spawn")  # no fork: the caller may hold threads
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context,
            initializer=_die_with_parent, initargs=(os.getpid(),),
        ) as pool:  # fmt: skip
            futures = [
                pool.submit(_export_part, db_file, what, raw, r, part, who)
                for r, part in zip(ranges, parts, strict=True)
            ]
            rows = 0
            for done, future in enumerate(futures, start=1):
                rows += future.result()
                progress(done, total, f"Exporting {what}: {rows} rows")
        with atomic_text_file(out, bom=bom, db=db) as fh:
            fh.write(render_rows([COLUMNS[what]]))
            fh.flush()
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, fh.buffer, 1 << 20)
    progress(total, total, f"Exported {rows} {what} rows")
    return ExportResult(out, what, rows)


def neutralise(value: str) -> str:
    """``value`` made safe to open in a spreadsheet: a leading ``'`` before a formula start."""
    return "'" + value if value and value[0] in FORMULA_STARTS else value


def render_rows(rows: Sequence[Sequence[str]], lead: str = "") -> str:
    """RFC 4180 text of ``rows``, every cell quoted, CRLF line ends (csv.QUOTE_ALL).

    ``lead`` is rendered cells put before every row (see render_lead). Cells
    that are not str are rendered by the csv module (None as "", ints as digits).
    """
    if not rows:
        return ""
    try:
        lines = [_CELL_SEP.join(row) for row in rows]
    except TypeError:  # a cell that is not a str
        return _render_with_csv_module(rows, lead)
    text = render_joined(lines, sum(map(len, rows)) - len(rows), lead)
    return _render_with_csv_module(rows, lead) if text is None else text


def render_lead(cells: Sequence[str]) -> str:
    """Cells shared by a run of rows (an article's metadata), rendered once."""
    return "".join('"' + c.replace('"', '""') + '",' for c in cells)


def render_joined(lines: list[str], separators: int, lead: str = "") -> str | None:
    """CSV text of rows given as their cells joined by _CELL_SEP (``separators`` in all).

    The fast path of every export: the whole run of rows is quoted by three
    ``str.replace`` calls, in C, instead of cell by cell. Counting the
    separators proves no value held one; if one did, returns None and the
    caller renders those rows cell by cell.
    """
    if not lines:
        return ""
    body = _ROW_SEP.join(lines)
    if body.count(_CELL_SEP) != separators or body.count(_ROW_SEP) != len(lines) - 1:
        return None
    if '"' in body:
        body = body.replace('"', '""')
    start = lead + '"'
    body = body.replace(_CELL_SEP, '","').replace(_ROW_SEP, '"\r\n' + start)
    return f'{start}{body}"\r\n'


_CELL_SEP = "\x1f"  # ASCII unit separator
_ROW_SEP = "\x1e"  # ASCII record separator


def _render_with_csv_module(rows: Sequence[Sequence[object]], lead: str = "") -> str:
    lines: list[str] = []
    sink = _Sink()
    sink.write = lambda line: lines.append(lead + line)
    csv.writer(sink, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return "".join(lines)


class _Sink:
    """What csv.writer writes to: each line goes straight into a list."""

    write: Callable[[str], object]


def write_csv(
    fh: TextIO,
    columns: Sequence[str],
    parts: Parts,
    total: int,
    what: str,
    progress: Progress = _quiet,
    should_stop: StopCheck = _never,
) -> int:
    """Header, then every article's rendered rows, in chunks; returns the data row count."""
    fh.write(render_rows([columns]))
    pending: list[str] = []
    rows = articles = waiting = 0
    progress(0, total, f"Exporting {what}")
    for text, n in parts:
        pending.append(text)
        rows, articles, waiting = rows + n, articles + 1, waiting + n
        if waiting >= CHUNK_ROWS or articles % POLL_ARTICLES == 0:
            fh.write("".join(pending))
            pending.clear()
            waiting = 0
            progress(articles, total, f"Exporting {what}: {rows} rows")
            if should_stop():
                raise ExportCancelled
    fh.write("".join(pending))
    progress(articles, total, f"Exported {rows} {what} rows")
    return rows


# -- atomic output --------------------------------------------------------------------


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once, at import: os.umask is process-wide


def prepare_target(db: Database, out: str | Path) -> None:
    """Refuse ``out`` when it is one of ``db``'s own files; clear dead exports' temporaries.

    The command and the dialog check the target first (check_export_target);
    this is the export's own guard, whoever calls it."""
    db_file = database_file(db)
    if db_file is not None:
        check_export_target(db_file, out, overwrite=True)
    remove_stale_temporaries(out)


@contextmanager
def atomic_text_file(
    path: str | Path, *, bom: bool = False, db: Database | None = None
) -> Iterator[TextIO]:
    """A UTF-8 text file that appears under ``path`` only once completely written.

    Written to a temporary file in the same folder (so the rename is atomic),
    flushed to disk, then renamed over ``path``; on any error or cancel the
    temporary file is removed and ``path`` is left as it was. ``db``: the
    database exported; ``path`` must not be one of its files (prepare_target),
    and a new file gets its permissions.
    """
    path = Path(path)
    if db is not None:
        prepare_target(db, path)
    fd, tmp = _temp_beside(path)
    try:
        with open(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path, None if db is None else database_file(db)))
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _temp_beside(path: Path) -> tuple[int, str]:
    if path.is_dir():
        raise ExportError(f"{path}: is a folder, not a file name")
    try:
        return tempfile.mkstemp(prefix=temp_file_prefix(path.name), suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write there ({exc.strerror})") from exc


def _mode_for(path: Path, db_file: str | None) -> int:
    """Keep the permissions of a file being replaced; a new one gets the database file's
    (an export holds the same data: a private database gives a private export), or
    the usual ones when there is no database file."""
    with suppress(OSError):
        return path.stat().st_mode & 0o7777
    if db_file is not None:
        with suppress(OSError):
            return os.stat(db_file).st_mode & 0o777
    return 0o666 & ~_UMASK


# -- cells ----------------------------------------------------------------------------


def _cell(value: object, raw: bool) -> str:
    """A Python value as export text: None -> "", bool -> 1/0, str neutralised unless raw."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return value if raw else neutralise(value)
    return str(value)


def _cells(values: Sequence[object], raw: bool) -> tuple[str, ...]:
    return tuple(_cell(v, raw) for v in values)


# -- articles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _ArticleHead:
    id: int
    lead: str  # the ARTICLE_META cells, rendered once for all the article's rows


def _article_head(row: Sequence[Any], raw: bool) -> _ArticleHead:
    """A row starting (id, ext_id, title, source, date, url) -> its id and rendered lead."""
    return _ArticleHead(int(row[0]), render_lead(_cells(row[1:6], raw)))


def _count_annotated(db: Database, who: str | None = None) -> int:
    return rows_of.count_annotated_articles(db, who)


def _count_articles(db: Database, who: str | None = None) -> int:
    return article_count(db)


def _rendered(head: _ArticleHead, rows: list[tuple[str, ...]]) -> tuple[str, int]:
    return render_rows(rows, head.lead), len(rows)


# -- annotations ------------------------------------------------------------------------
# The big export: a million rows must stream at close to SQLite's own CSV speed.
# SQLite renders and neutralises the cells and joins them (_CELL_SEP) into two
# strings per row; Python adds only the two context cells, then quotes each
# article's rows in one go (render_joined).


_BEFORE = rows_of.CELLS_BEFORE_CONTEXT
_SEPARATORS = len(ANNOTATION_COLUMNS) - len(ARTICLE_META) - 1  # per row, lead excluded


def annotation_rows(
    db: Database,
    raw: bool = False,
    id_range: tuple[int, int] | None = None,
    who: str | None = None,
) -> Parts:
    """Per annotated article: each annotator's status and note rows, the tags, then
    the annotations (``who``: that annotator's only).

    ``id_range`` (first, last article row id) limits it to one part of the
    corpus, for a parallel export."""
    for row in rows_of.annotated_articles(db, who, id_range):
        head = _article_head(row, raw)
        level = _review_rows(db, head, raw, who) + _tag_rows(db, head, raw, who)
        level_text, n_level = _rendered(head, level)
        spans, n_spans = _annotations_csv(db, head, row[6], row[7], raw, who)
        yield level_text + spans, n_level + n_spans


def _review_rows(
    db: Database, head: _ArticleHead, raw: bool, who: str | None
) -> list[tuple[str, ...]]:
    rows = []
    for status, note, annotator, updated_at in rows_of.reviews(db, head.id, who):
        by, when = _cell(annotator, raw), _cell(updated_at, raw)
        rows.append(_article_level("status", _cell(status, raw), "set", "", by, "", when))
        if note:
            rows.append(_article_level("note", "", "set", _cell(note, raw), by, "", when))
    return rows


def _tag_rows(
    db: Database, head: _ArticleHead, raw: bool, who: str | None = None
) -> list[tuple[str, ...]]:
    return [
        _article_level("tag", _cell(tag, raw), "added", "", _cell(by, raw), _cell(when, raw), "")
        for tag, by, when in rows_of.tags(db, head.id, who)
    ]


def _article_level(
    kind: str,
    label: str,
    decision: str,
    note: str,
    annotator: str,
    created_at: str,
    updated_at: str,
) -> tuple[str, ...]:
    """The cells after the lead of an article-level decision: no span, context or anchor."""
    span = ("",) * 5  # start, end, text, left and right context
    return (kind, label, *span, "analyst", decision, "", "", note, annotator, created_at,
            updated_at, "", "")  # fmt: skip


def _contexts(
    text: str, anchored: int, start: int, end: int, left: str, right: str, raw: bool
) -> tuple[str, str]:
    """40 characters each side from the current text when the annotation is anchored
    in it; else the stored context is all there is."""
    if anchored:
        n = CSV_CONTEXT_CHARS
        left, right = text[max(0, start - n) : start], text[end : end + n]
    return (left, right) if raw else (neutralise(left), neutralise(right))


def _annotations_csv(
    db: Database, head: _ArticleHead, text: str, digest: str, raw: bool, who: str | None = None
) -> tuple[str, int]:
    """The article's annotation rows as CSV text, and how many."""
    s = _CELL_SEP
    lines = []
    for before, anchored, start, end, left, right, after in rows_of.annotation_cells(
        db, head.id, digest, raw, joined=True, who=who
    ):
        left, right = _contexts(text, anchored, start, end, left, right, raw)
        lines.append(f"{before}{s}{left}{s}{right}{s}{after}")
    rendered = render_joined(lines, len(lines) * _SEPARATORS, head.lead)
    if rendered is None:  # a value held a separator character: cell by cell
        rendered = render_rows(_annotation_tuples(db, head, text, digest, raw, who), head.lead)
    return rendered, len(lines)


def _annotation_tuples(
    db: Database, head: _ArticleHead, text: str, digest: str, raw: bool, who: str | None
) -> list[tuple[str, ...]]:
    rows = []
    for r in rows_of.annotation_cells(db, head.id, digest, raw, joined=False, who=who):
        anchored, start, end, left, right = r[_BEFORE : _BEFORE + 5]
        contexts = _contexts(text, anchored, start, end, left, right, raw)
        rows.append(r[:_BEFORE] + contexts + r[_BEFORE + 5 :])
    return rows


# -- the final view: quotes and entities -----------------------------------------------


def _final_views(
    db: Database, raw: bool, who: str | None = None
) -> Iterator[tuple[_ArticleHead, FinalView]]:
    """(article, final view: everyone's corrections, or ``who``'s) for every article,
    in corpus order; the one final view the window and the corpus views show."""
    for row in rows_of.articles_in_order(db):
        head = _article_head(row, raw)
        yield head, final_view(db, head.id, row[6], who)


def quote_rows(db: Database, raw: bool = False, who: str | None = None) -> Parts:
    for head, view in _final_views(db, raw, who):
        yield _rendered(head, [_cells(_quote_values(fq), raw) for fq in view.quotes])


def _quote_values(fq: FinalQuote) -> tuple[object, ...]:
    q = fq.quote
    return (q.start, q.end, q.text, q.speaker_start, q.speaker_end, q.speaker_text,
            q.speaker_name, q.anonymous, q.cue_start, q.cue_end, q.cue_text, q.kind,
            q.attribution_id, fq.origin, fq.decision, fq.decision is not None)  # fmt: skip


def entity_rows(db: Database, raw: bool = False, who: str | None = None) -> Parts:
    for head, view in _final_views(db, raw, who):
        yield _rendered(head, [_cells(_entity_values(fe), raw) for fe in view.entities])


def _entity_values(fe: FinalEntity) -> tuple[object, ...]:
    corrected = fe.decision not in (None, "accepted")  # accepting confirms, changes nothing
    return (fe.start, fe.end, fe.text, fe.label, fe.origin, fe.decision, fe.model_label,
            corrected)  # fmt: skip


# -- articles ---------------------------------------------------------------------------


def article_rows(db: Database, raw: bool = False, who: str | None = None) -> Parts:
    """One row per article; the counts are the final view's (as in those exports)."""
    for row in rows_of.article_summaries(db, who):
        head = _article_head(row, raw)
        view = final_view(db, head.id, row[6], who)
        values = (row[7], row[8], row[9], _tags(db, head.id, who), row[10], len(view.entities),
                  len(view.quotes), *attribution_counts(fq.quote for fq in view.quotes),
                  row[11])  # fmt: skip
        yield _rendered(head, [_cells(values, raw)])


def _tags(db: Database, article_id: int, who: str | None = None) -> str:
    return TAG_SEPARATOR.join(rows_of.tag_names(db, article_id, who))


_SOURCES: dict[str, Callable[..., Parts]] = {
    "annotations": annotation_rows,
    "attributions": quote_rows,
    "entities": entity_rows,
    "articles": article_rows,
}
# Exports that can be cut into article ranges, and how (ranges of about the same
# number of rows).
_RANGED_SOURCES: dict[str, Callable[..., Parts]] = {"annotations": annotation_rows}
_RANGES: dict[str, Callable[[Database, int], list[tuple[int, int]]]] = {
    "annotations": rows_of.annotation_ranges
}

_TOTALS: dict[str, Callable[[Database, str | None], int]] = {
    "annotations": _count_annotated,
    "attributions": _count_articles,
    "entities": _count_articles,
    "articles": _count_articles,
}
