"""Plain data shared by every core module: articles, spans, quotes, reports.

All offsets are Python ``str`` indices (code points), end exclusive, into an
article's canonical text (LF line ends only).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


def text_hash(text: str) -> str:
    """Stable identity of a canonical text: cache key and anchor check."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Article:
    """One article after decoding and canonicalisation."""

    id: str  # relative path without extension (txt) or the id field (jsonl/csv)
    text: str  # canonical text: every offset refers to this string
    title: str
    origin: str  # where it came from: "path" or "path:line"
    source: str | None = None
    date: str | None = None
    url: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)  # any other fields
    warnings: tuple[str, ...] = ()  # e.g. a decoding fallback that was used

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str
    text: str


QuoteKind = Literal["direct", "mixed", "indirect", "no-source"]


@dataclass(frozen=True)
class Quote:
    """A quoted stretch (content only, without its marks) and who said it.

    Speaker and cue fields are None when unknown. The pieces of one
    interrupted quote ("First," he said, "second.") share ``attribution_id``.
    """

    start: int
    end: int
    text: str
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_text: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    cue_text: str | None = None
    kind: QuoteKind = "direct"
    speaker_name: str | None = None  # resolved name of a pronoun/description
    anonymous: bool = False
    attribution_id: int | None = None


@dataclass(frozen=True)
class Analysis:
    """What the NLP pipeline found in one text."""

    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()


Severity = Literal["warning", "skipped"]


@dataclass(frozen=True)
class LoadMessage:
    """A problem met while loading a corpus, named by file (and line)."""

    path: str
    line: int | None
    severity: Severity  # "warning": loaded anyway; "skipped": not loaded
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass
class ImportReport:
    """What a corpus load did, shown to the user afterwards."""

    files_read: int = 0
    articles_loaded: int = 0
    messages: list[LoadMessage] = field(default_factory=list)

    @property
    def skipped(self) -> list[LoadMessage]:
        return [m for m in self.messages if m.severity == "skipped"]

    @property
    def warnings(self) -> list[LoadMessage]:
        return [m for m in self.messages if m.severity == "warning"]

    def summary(self) -> str:
        """E.g. "5 articles from 7 files; 1 warning, 2 files and 7 records skipped":
        a record is one line or row of a .jsonl or .csv file, a file a whole one."""
        records = sum(1 for m in self.skipped if m.line is not None)
        files = len(self.skipped) - records
        skipped = " and ".join(
            _count(n, noun) for n, noun in ((files, "file"), (records, "record")) if n
        )
        return (
            f"{_count(self.articles_loaded, 'article')} from {_count(self.files_read, 'file')}; "
            f"{_count(len(self.warnings), 'warning')}, {skipped or 'nothing'} skipped"
        )


# -- the analyst's layer ---------------------------------------------------

AnnotationKind = Literal["span", "entity", "quote"]
# span: added; entity: added, accepted, rejected, relabelled, resized;
# quote (an attribution): added, not_quote ("not an attribution"), speaker_changed,
# kind_changed. A quote decision's ``label`` is the kind it sets (added, kind_changed);
# the speaker it sets (added, speaker_changed) is the resolved speaker, in speaker_*.
AnnotationAction = Literal[
    "added",
    "accepted",
    "rejected",
    "relabelled",
    "resized",
    "not_quote",
    "speaker_changed",
    "kind_changed",
]
AnchorStatus = Literal["exact", "moved", "approximate", "orphaned"]
ReviewStatus = Literal["unreviewed", "in_progress", "done"]

CONTEXT_CHARS = 32  # stored on each side of an annotation, to re-find it


@dataclass(frozen=True)
class Annotation:
    """One analyst decision, anchored to its text.

    ``start/end/text`` is the span the decision is about (for a resize, the new
    boundaries); ``model_*`` name the model span a correction refers to, so it
    can be re-attached after the model is run again. Offsets are into the
    article text whose hash is ``text_hash``.
    """

    article_id: int
    kind: AnnotationKind
    action: AnnotationAction
    start: int
    end: int
    text: str
    left_context: str
    right_context: str
    text_hash: str
    label: str | None = None
    model_label: str | None = None
    model_start: int | None = None
    model_end: int | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_text: str | None = None
    note: str | None = None
    anchor_status: AnchorStatus = "exact"
    annotator: str = ""
    created_at: str = ""
    updated_at: str = ""
    # adjudication: the annotator(s) whose decision this copies ("ann", or "ann+bob")
    provenance: str | None = None
    id: int | None = None


# -- the final view: model output with the analyst's corrections applied ----

Origin = Literal["model", "analyst"]


@dataclass(frozen=True)
class FinalEntity:
    start: int
    end: int
    label: str
    text: str
    origin: Origin  # "analyst" for an entity the analyst added
    decision: AnnotationAction | None = None  # None: model output nobody touched
    model_label: str | None = None  # the model's label, when relabelled
    annotation_id: int | None = None  # the decision behind this row


@dataclass(frozen=True)
class FinalQuote:
    quote: Quote  # speaker and kind already as the analyst set them
    origin: Origin
    # None, "added", or the latest of "speaker_changed" / "kind_changed" applied
    decision: AnnotationAction | None = None
    annotation_id: int | None = None  # the added annotation, or the latest decision applied
    speaker_annotation_id: int | None = None  # the speaker_changed decision applied
    kind_annotation_id: int | None = None  # the kind_changed decision applied


@dataclass(frozen=True)
class FinalView:
    entities: tuple[FinalEntity, ...] = ()
    quotes: tuple[FinalQuote, ...] = ()
    # Kept so a view can show what the analyst rejected (struck out).
    rejected_entities: tuple[Entity, ...] = ()
    rejected_quotes: tuple[Quote, ...] = ()
