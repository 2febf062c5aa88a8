"""Each annotator's work, read from a database or an annotations JSONL file.

Agreement, conflicts and adjudication compare annotators item by item; this
module reduces what is stored (annotation rows, reviews, tags) to those items:

- spans: (label, start, end) of what the annotator drew — labelled spans,
  entities they added and attributions they added (label ``attribution``);
- entity decisions about a model entity, keyed by its span:
  ``accepted``, ``rejected``, ``relabelled:LABEL`` or ``resized:START-END``;
- attribution decisions about a model attribution piece, keyed by its span and
  a field: ``attribution`` (``not an attribution``, or ``an attribution`` when
  they set its speaker or kind), ``speaker`` (the name, or ``(no source)``)
  and ``kind``;
- status (None: no review) and tags.

When an annotator decided the same item twice, the later decision counts (as
in the final view). Articles are named by their corpus id, so two files of
the same corpus line up whatever their row ids.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from viewer.core.store import team as store_team
from viewer.core.store.database import close, open_readonly
from viewer.core.tasks.transfer import AnnotationFileError, read_records

ItemKey = tuple[Any, ...]  # (start, end) for entities; (start, end, field) for attributions


@dataclass
class ArticleWork:
    """One annotator's work on one article."""

    spans: set[tuple[str, int, int]] = field(default_factory=set)
    entities: dict[ItemKey, str] = field(default_factory=dict)
    attributions: dict[ItemKey, str] = field(default_factory=dict)
    status: str | None = None
    tags: set[str] = field(default_factory=set)
    text_length: int | None = None  # known when read from a database
    # when each item was decided (the later decision of an item wins)
    _stamps: dict[ItemKey, str] = field(default_factory=dict, repr=False)

    @property
    def annotated(self) -> bool:
        """Any annotation or review: the article was worked on."""
        return bool(self.spans or self.entities or self.attributions or self.reviewed)

    @property
    def reviewed(self) -> bool:
        return self.status is not None or bool(self.tags)


@dataclass
class AnnotatorWork:
    annotator: str
    source: str  # the file it was read from, for messages
    articles: dict[str, ArticleWork] = field(default_factory=dict)

    def article(self, ext_id: str) -> ArticleWork:
        return self.articles.setdefault(ext_id, ArticleWork())


class WorkSourceError(Exception):
    """The file cannot be read as a database or annotations file, or holds no such annotator."""


# -- reducing one annotation to its item -------------------------------------------------


def _later(stamps: dict[ItemKey, str], key: ItemKey, when: str) -> bool:
    """Record ``when`` for ``key`` if it is the latest seen; whether it is."""
    if key in stamps and stamps[key] > when:
        return False
    stamps[key] = when
    return True


def decision_items(ann: Mapping[str, Any]) -> list[tuple[ItemKey, str]]:
    """What an annotation decides, as (item, value) pairs: ``("span", label, start,
    end)`` -> "" for a span drawn; ``("entity", start, end)`` and ``("quote", start,
    end, field)`` -> the decision in words. ``ann`` has the fields by name (a file's
    record, or ``vars()`` of an Annotation: no copy, this runs per annotation)."""
    kind, action = ann["kind"], ann["action"]
    start, end = ann["start"], ann["end"]
    if action == "added":
        label = "attribution" if kind == "quote" else ann.get("label") or "(no label)"
        return [(("span", label, start, end), "")]
    if kind == "entity":
        if action == "resized" and ann.get("model_start") is not None:
            start, end = ann["model_start"], ann["model_end"]  # the model entity it resized
        value = {
            "relabelled": f"relabelled:{ann.get('label')}",
            "resized": f"resized:{ann['start']}-{ann['end']}",
        }.get(action, action)
        return [(("entity", start, end), value)]
    if kind != "quote":
        return []
    if action == "not_quote":
        return [(("quote", start, end, "attribution"), "not an attribution")]
    if action == "speaker_changed":
        speaker = ann.get("speaker_text") or "(no source)"
        return [
            (("quote", start, end, "attribution"), "an attribution"),
            (("quote", start, end, "speaker"), speaker),
        ]
    if action == "kind_changed":
        return [
            (("quote", start, end, "attribution"), "an attribution"),
            (("quote", start, end, "kind"), ann.get("label") or "direct"),
        ]
    return []


def add_annotation(work: ArticleWork, ann: Mapping[str, Any]) -> None:
    """Fold one annotation (the file's or a row's fields by name) into ``work``."""
    when = ann.get("updated_at") or ""
    for item, value in decision_items(ann):
        if item[0] == "span":
            work.spans.add(item[1:])
        elif _later(work._stamps, item, when):
            if item[0] == "entity":
                work.entities[item[1:]] = value
            else:
                work.attributions[item[1:]] = value


# -- reading ---------------------------------------------------------------------------


def read_work(path: str | Path) -> dict[str, AnnotatorWork]:
    """Every annotator's work in a database or an annotations JSONL file, by name."""
    path = Path(path)
    if _is_sqlite(path):
        return _from_database(path)
    try:
        return _from_jsonl(path)
    except AnnotationFileError as exc:
        raise WorkSourceError(f"{exc} (nor a viewer database)") from exc


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError as exc:
        raise WorkSourceError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc


def _from_database(path: Path) -> dict[str, AnnotatorWork]:
    """Read-only: a colleague's database is never changed (nor migrated) by reading it."""
    try:
        db = open_readonly(path)
        try:
            return _gather(str(path), _database_facts(db))
        finally:
            close(db)
    except sqlite3.Error as exc:
        raise WorkSourceError(f"{path}: not a viewer database that can be read ({exc})") from exc


def _database_facts(db: Database) -> Iterator[tuple[str, str, str, object]]:
    """(ext_id, annotator, what, value) from every annotation, review and tag."""
    lengths = store_team.text_lengths(db)
    cols = store_team.WORK_COLUMNS
    for ext_id, who, *values in store_team.annotation_work(db):
        yield ext_id, who, "annotation", dict(zip(cols, values, strict=True))
        yield ext_id, who, "length", lengths.get(ext_id)
    for ext_id, who, status in store_team.review_statuses(db):
        yield ext_id, who, "status", status
        yield ext_id, who, "length", lengths.get(ext_id)
    for ext_id, who, tag in store_team.annotator_tags(db):
        yield ext_id, who, "tag", tag
        yield ext_id, who, "length", lengths.get(ext_id)


def _from_jsonl(path: Path) -> dict[str, AnnotatorWork]:
    def facts() -> Iterator[tuple[str, str, str, object]]:
        for rec in read_records(path):
            r = rec.record
            if r is None or r["type"] == "label":
                continue  # a bad line is the importer's to report; agreement reads the rest
            if r["type"] == "annotation":
                yield r["article"], r["annotator"], "annotation", r
            elif r["type"] == "review":
                yield r["article"], r["annotator"], "status", r["status"]
            elif r["type"] == "tag":
                yield r["article"], r["annotator"], "tag", r["tag"]

    return _gather(str(path), facts())


def _gather(source: str, facts: Iterable[tuple[str, str, str, object]]) -> dict[str, AnnotatorWork]:
    out: dict[str, AnnotatorWork] = {}
    for ext_id, who, what, value in facts:
        work = out.setdefault(who, AnnotatorWork(who, source)).article(ext_id)
        if what == "annotation":
            add_annotation(work, value)  # type: ignore[arg-type]
        elif what == "status":
            work.status = str(value)
        elif what == "tag":
            work.tags.add(str(value))
        elif what == "length" and value is not None:
            work.text_length = int(value)  # type: ignore[call-overload]
    return out


def pick_annotator(found: dict[str, AnnotatorWork], name: str | None, source: str) -> AnnotatorWork:
    """The named annotator's work, or the only annotator's; else a clear error."""
    if name is not None:
        if name not in found:
            known = ", ".join(sorted(found)) or "nobody"
            raise WorkSourceError(f"{source}: no work by {name!r} (annotators: {known})")
        return found[name]
    if len(found) == 1:
        return next(iter(found.values()))
    if not found:
        raise WorkSourceError(f"{source}: no annotations, reviews or tags")
    raise WorkSourceError(
        f"{source}: holds the work of {', '.join(sorted(found))}; "
        "pick one with --annotator-a / --annotator-b"
    )
