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

Import is one transaction: a malformed file changes nothing. An annotation is
skipped when the same content (everything but its id) is already there, so
importing a file twice adds nothing; one whose article text changed is
re-anchored; one whose article is missing is reported and skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args

from sqlite_utils import Database

from viewer.core.anchoring import reanchor_annotation
from viewer.core.export import (
    ExportCancelled,
    ExportResult,
    Progress,
    StopCheck,
    atomic_text_file,
)
from viewer.core.model import AnchorStatus, Annotation, AnnotationAction, AnnotationKind
from viewer.core.store.database import atomic

FORMAT = "viewer-annotations"
VERSION = 1
POLL_RECORDS = 2000  # progress / should_stop every this many records

# Annotation fields carried by the file: everything but the row ids.
ANNOTATION_FIELDS = tuple(f.name for f in fields(Annotation) if f.name not in ("id", "article_id"))
_REQUIRED = ("kind", "action", "start", "end", "text", "left_context", "right_context", "text_hash")
_ALLOWED = {
    "kind": set(get_args(AnnotationKind)),
    "action": set(get_args(AnnotationAction)),
    "anchor_status": set(get_args(AnchorStatus)),
}
_COLUMNS_SQL = ", ".join(f'"{c}"' for c in ("article_id", *ANNOTATION_FIELDS))
# The same content already stored? IS compares NULLs as equal; article_id = ? lets
# the index find the candidates.
_PRESENT_SQL = "SELECT 1 FROM annotations WHERE article_id = ? AND " + " AND ".join(
    f'"{c}" IS ?' for c in ANNOTATION_FIELDS
)


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
) -> ExportResult:
    """Write every label, review, tag and annotation of ``db`` to ``out`` (atomically)."""
    total = _count_records(db)
    try:
        with atomic_text_file(out) as fh:
            done = 0
            for done, record in enumerate(_records(db), 1):
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                if done % POLL_RECORDS == 0:
                    progress(done, total, f"Exporting annotations: {done} of {total} records")
                    if should_stop():
                        raise ExportCancelled
            progress(done, total, f"Exported {done} records")
    except ExportCancelled:
        return ExportResult(Path(out), "jsonl", 0, cancelled=True)
    return ExportResult(Path(out), "jsonl", done)


def _count_records(db: Database) -> int:
    tables = ("labels", "article_reviews", "article_tags", "annotations")
    return 1 + sum(int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables)


def _records(db: Database) -> Iterator[dict[str, Any]]:
    yield {"type": FORMAT, "version": VERSION}
    for name, color, position in db.execute(
        "SELECT name, color, position FROM labels ORDER BY position, name"
    ):
        yield {"type": "label", "name": name, "color": color, "position": position}
    yield from _review_records(db)
    yield from _tag_records(db)
    yield from _annotation_records(db)


def _review_records(db: Database) -> Iterator[dict[str, Any]]:
    for ext_id, status, note, annotator, updated_at in db.execute(
        "SELECT a.ext_id, r.status, r.note, r.annotator, r.updated_at "
        "FROM article_reviews r JOIN articles a ON a.id = r.article_id ORDER BY a.ext_id"
    ):
        yield {"type": "review", "article": ext_id, "status": status, "note": note,
               "annotator": annotator, "updated_at": updated_at}  # fmt: skip


def _tag_records(db: Database) -> Iterator[dict[str, Any]]:
    for ext_id, tag, annotator, created_at in db.execute(
        "SELECT a.ext_id, t.tag, t.annotator, t.created_at "
        "FROM article_tags t JOIN articles a ON a.id = t.article_id ORDER BY a.ext_id, t.tag"
    ):
        yield {"type": "tag", "article": ext_id, "tag": tag, "annotator": annotator,
               "created_at": created_at}  # fmt: skip


def _annotation_records(db: Database) -> Iterator[dict[str, Any]]:
    cols = ", ".join(f'n."{c}"' for c in ANNOTATION_FIELDS)
    cur = db.execute(
        f"SELECT a.ext_id, {cols} FROM annotations n JOIN articles a ON a.id = n.article_id "
        "ORDER BY a.ext_id, n.id"
    )
    for ext_id, *values in cur:
        yield {
            "type": "annotation",
            "article": ext_id,
            **dict(zip(ANNOTATION_FIELDS, values, strict=True)),
        }


# -- import ---------------------------------------------------------------------------


@dataclass
class AnnotationImportReport:
    """What an import did; ``skipped_articles`` names articles this database lacks."""

    annotations_added: int = 0
    annotations_present: int = 0  # the same content was already there
    annotations_reanchored: int = 0  # the article's text differs: offsets re-found
    anchor_statuses: Counter = field(default_factory=Counter)  # of the re-anchored ones
    reviews_added: int = 0
    reviews_updated: int = 0  # the file's review was newer
    reviews_kept: int = 0  # the same, or this database's was newer
    tags_added: int = 0
    tags_present: int = 0
    labels_added: int = 0
    labels_present: int = 0
    skipped_articles: Counter = field(default_factory=Counter)  # ext_id -> records skipped

    @property
    def skipped(self) -> int:
        return sum(self.skipped_articles.values())

    def summary(self) -> str:
        anchors = ", ".join(f"{n} {s}" for s, n in sorted(self.anchor_statuses.items()))
        lines = [
            f"annotations: {self.annotations_added} added, {self.annotations_present} "
            f"already present, {self.annotations_reanchored} re-anchored"
            + (f" ({anchors})" if anchors else ""),
            f"reviews: {self.reviews_added} added, {self.reviews_updated} updated, "
            f"{self.reviews_kept} kept",
            f"tags: {self.tags_added} added, {self.tags_present} already present",
            f"labels: {self.labels_added} added, {self.labels_present} already present",
        ]
        if self.skipped:
            lines.append(
                f"skipped: {self.skipped} records of {len(self.skipped_articles)} articles "
                "not in this database"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class _Target:
    id: int
    text: str
    text_hash: str


class _Importer:
    """Applies records to one database inside the caller's transaction."""

    def __init__(self, db: Database, report: AnnotationImportReport):
        self.db = db
        self.report = report
        self._last: tuple[str, _Target | None] | None = None  # records come grouped by article

    def article(self, ext_id: str) -> _Target | None:
        if self._last is None or self._last[0] != ext_id:
            row = self.db.execute(
                "SELECT id, text, text_hash FROM articles WHERE ext_id = ?", [ext_id]
            ).fetchone()
            self._last = (ext_id, _Target(*row) if row else None)
        target = self._last[1]
        if target is None:
            self.report.skipped_articles[ext_id] += 1
        return target

    def label(self, rec: dict[str, Any]) -> None:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO labels (name, color, position) VALUES (?, ?, ?)",
            [rec["name"], rec["color"], rec["position"]],
        )
        self._count(cur.rowcount, "labels_added", "labels_present")

    def tag(self, rec: dict[str, Any]) -> None:
        target = self.article(rec["article"])
        if target is None:
            return
        cur = self.db.execute(
            "INSERT OR IGNORE INTO article_tags (article_id, tag, annotator, created_at) "
            "VALUES (?, ?, ?, ?)",
            [target.id, rec["tag"], rec["annotator"], rec["created_at"]],
        )
        self._count(cur.rowcount, "tags_added", "tags_present")

    def review(self, rec: dict[str, Any]) -> None:
        target = self.article(rec["article"])
        if target is None:
            return
        values = [rec["status"], rec.get("note"), rec["annotator"], rec["updated_at"]]
        old = self.db.execute(
            "SELECT status, note, annotator, updated_at FROM article_reviews WHERE article_id = ?",
            [target.id],
        ).fetchone()
        if old is None:
            self.db.execute(
                "INSERT INTO article_reviews (status, note, annotator, updated_at, article_id) "
                "VALUES (?, ?, ?, ?, ?)",
                [*values, target.id],
            )
            self.report.reviews_added += 1
        elif list(old) != values and rec["updated_at"] > old[3]:  # the later review wins
            self.db.execute(
                "UPDATE article_reviews SET status = ?, note = ?, annotator = ?, updated_at = ? "
                "WHERE article_id = ?",
                [*values, target.id],
            )
            self.report.reviews_updated += 1
        else:
            self.report.reviews_kept += 1

    def annotation(self, rec: dict[str, Any]) -> None:
        target = self.article(rec["article"])
        if target is None:
            return
        ann = Annotation(article_id=target.id, **{k: rec[k] for k in ANNOTATION_FIELDS if k in rec})
        if ann.text_hash != target.text_hash:
            ann = reanchor_annotation(ann, target.text, target.text_hash)
            self.report.annotations_reanchored += 1
            self.report.anchor_statuses[ann.anchor_status] += 1
        values = [getattr(ann, c) for c in ("article_id", *ANNOTATION_FIELDS)]
        if self._present(values):
            self.report.annotations_present += 1
            return
        self.db.execute(
            f"INSERT INTO annotations ({_COLUMNS_SQL}) VALUES ({', '.join('?' * len(values))})",
            values,
        )
        self.report.annotations_added += 1

    def _present(self, values: list[Any]) -> bool:
        return self.db.execute(_PRESENT_SQL, values).fetchone() is not None

    def _count(self, rowcount: int, added: str, present: str) -> None:
        name = added if rowcount == 1 else present
        setattr(self.report, name, getattr(self.report, name) + 1)


def import_jsonl(
    db: Database, path: str | Path, progress: Progress = _quiet
) -> AnnotationImportReport:
    """Load an export_jsonl file into ``db`` in one transaction; returns what it did.

    Raises AnnotationFileError (nothing written) when the file is malformed.
    """
    report = AnnotationImportReport()
    importer = _Importer(db, report)
    handlers: dict[str, Callable[[dict[str, Any]], None]] = {
        "label": importer.label,
        "review": importer.review,
        "tag": importer.tag,
        "annotation": importer.annotation,
    }
    with atomic(db):  # BEGIN IMMEDIATE: the write lock before the first read
        for n, (where, rec) in enumerate(read_records(path), 1):
            try:
                handlers[rec["type"]](rec)
            except (KeyError, TypeError, ValueError) as exc:
                raise AnnotationFileError(f"{where}: bad {rec.get('type')} record ({exc})") from exc
            if n % POLL_RECORDS == 0:
                progress(n, 0, f"Importing: {n} records")
    return report


def read_records(path: str | Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """("file:line", record) for every record after the header, checked."""
    path = Path(path)
    with open(path, encoding="utf-8-sig") as fh:
        lines = ((f"{path}:{i}", line) for i, line in enumerate(fh, 1) if line.strip())
        first = next(lines, None)
        if first is None:
            raise AnnotationFileError(f"{path}: empty file, not a viewer annotations file")
        _check_header(*first)
        for where, line in lines:
            yield where, _checked(where, _parse(where, line))


def _parse(where: str, line: str) -> dict[str, Any]:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AnnotationFileError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(rec, dict):
        raise AnnotationFileError(f"{where}: not a JSON object")
    return rec


def _check_header(where: str, line: str) -> None:
    rec = _parse(where, line)
    if rec.get("type") != FORMAT:
        raise AnnotationFileError(f"{where}: not a viewer annotations file (no header)")
    if not isinstance(rec.get("version"), int) or rec["version"] > VERSION:
        raise AnnotationFileError(
            f"{where}: made by a newer version of viewer (format {rec.get('version')}); "
            "upgrade viewer to import it"
        )


def _checked(where: str, rec: dict[str, Any]) -> dict[str, Any]:
    kind = rec.get("type")
    if kind not in ("label", "review", "tag", "annotation"):
        raise AnnotationFileError(f"{where}: unknown record type {kind!r}")
    if kind == "annotation":
        _check_annotation(where, rec)
    return rec


def _check_annotation(where: str, rec: dict[str, Any]) -> None:
    missing = [k for k in ("article", *_REQUIRED) if k not in rec]
    if missing:
        raise AnnotationFileError(f"{where}: annotation lacks {', '.join(missing)}")
    for key, allowed in _ALLOWED.items():
        if key in rec and rec[key] not in allowed:
            raise AnnotationFileError(f"{where}: annotation {key} {rec[key]!r} is not known")
    if not all(isinstance(rec[k], int) for k in ("start", "end")):
        raise AnnotationFileError(f"{where}: annotation start/end must be integers")
