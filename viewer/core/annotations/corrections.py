"""The final view: model output with the analyst's corrections applied.

Model output is never edited: an analyst decision is an annotation about a model
span (``model_label`` for entities). Applying them is done afresh for every view,
so re-running the model keeps every decision that the new output has a span for.

Which model span a decision applies to — one rule, used by every view and by
``reattach``:

- A decision is attached by its own span: the annotation's start, end and text,
  which anchoring keeps right when the article text changes. Never by the
  ``model_start/model_end`` that a model run wrote into it: those only record
  where it is attached now (following them made A → B → A move a rejection of
  "Angela Merkel" onto "Berlin").
- A model entity or quote takes a decision when it has exactly the decision's
  span and text; else when it overlaps it by at least half of the shorter of the
  two, is not mostly other text (at least half of the model span is the
  decision's) and the text is the same where the two coincide. Among those: the
  exact one, then the largest overlap, the same label, the closest boundaries.
- A resize is about two spans: the model entity it resized (``model_start/
  model_end``, set when the analyst resized it and never rewritten by
  ``reattach``) and the boundaries the analyst drew (its own span). The model
  entity at exactly the former (if its text agrees with the drawn one where they
  coincide), else the one the rule above gives for the latter, takes it. The
  resized span is never matched by overlap: much of it may be text the analyst
  cut away, another entity's. With no taker the resize stands alone, as the
  analyst's entity.
- A decision no span takes is not applied anywhere (never moved onto other
  text). ``reattach`` marks it ``orphaned``, keeping its own offsets and text, so
  Review → Annotations to Review lists it; a later analysis that has a span for
  it (the first model again) attaches it again and makes it ``exact``. An
  orphaned decision is taken only by a span holding its whole text at its
  offsets, so one whose text is gone from the article (orphaned by anchoring) is
  never revived. One already awaiting review (``moved``, ``approximate``) stays
  listed as it is.
- When several decisions go to the same span, the latest one wins.

Attributions (quotes of every kind) take three corrections, each applied to
every piece of the attribution: ``speaker_changed`` (the speaker the analyst
set, already resolved: ``speaker_text`` is the name or the unnamed description,
at a mention of it in the text or with no span when the text has none; None is
"no source"), ``kind_changed`` (the kind, in ``label``) and ``not_quote`` (this
piece is not an attribution; a later decision on the piece revives it). The
speaker's ``speaker_name`` is that name, ``anonymous`` whether it is an unnamed
description (``speaker_names.is_anonymous``). The model's cue is kept only when
it sits next to the new speaker's mention (CUE_REACH), else dropped. Kind and
speaker agree: a ``no-source`` attribution names nobody, and reported speech
naming nobody is ``no-source``. When a kind decision and a speaker disagree,
the later wins (the model's output counts as earliest): a speaker named on a
no-source attribution makes it indirect; a later kind change to no-source drops
the speaker. An added attribution holds its kind in ``label`` (none: direct)
and its speaker like a speaker change, and agrees the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import get_args

from viewer.core.model import (
    Analysis,
    Annotation,
    Entity,
    FinalEntity,
    FinalQuote,
    FinalView,
    Quote,
    QuoteKind,
)
from viewer.core.names.speaker_names import is_anonymous

_ENTITY_CORRECTIONS = frozenset({"accepted", "rejected", "relabelled", "resized"})
_QUOTE_CORRECTIONS = frozenset({"not_quote", "speaker_changed", "kind_changed"})
QUOTE_KINDS: tuple[QuoteKind, ...] = get_args(QuoteKind)
CUE_REACH = 40  # characters between a speaker mention and the cue it keeps


# -- matching decisions to model spans ------------------------------------------


@dataclass(frozen=True)
class _Span:
    """A model entity or quote, as far as matching is concerned."""

    start: int
    end: int
    text: str
    label: str | None = None


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _agrees(ann: Annotation, span: _Span) -> bool:
    """The decision's text and the span's are the same where the two coincide."""
    lo, hi = max(ann.start, span.start), min(ann.start + len(ann.text), span.end)
    if lo >= hi:
        return True
    return ann.text[lo - ann.start : hi - ann.start] == span.text[lo - span.start : hi - span.start]


def _holds_whole_text(span: _Span, ann: Annotation) -> bool:
    """The span contains the decision's span, and its text there is the decision's text."""
    return (
        bool(ann.text)
        and ann.end - ann.start == len(ann.text)
        and span.start <= ann.start
        and ann.end <= span.end
        and span.text[ann.start - span.start : ann.end - span.start] == ann.text
    )


def _takes(span: _Span, ann: Annotation) -> bool:
    """May this model span take the decision (about its own span)?"""
    if ann.anchor_status == "orphaned" and not _holds_whole_text(span, ann):
        return False
    if (span.start, span.end) == (ann.start, ann.end):
        return span.text == ann.text
    overlap = _overlap(span.start, span.end, ann.start, ann.end)
    shorter = min(span.end - span.start, ann.end - ann.start)
    return (
        overlap > 0
        and 2 * overlap >= shorter  # a substantial part of both
        and 2 * overlap >= span.end - span.start  # not mostly other text
        and _agrees(ann, span)
    )


def _best_taker(spans: Sequence[_Span], ann: Annotation) -> int | None:
    """Index of the span that takes the decision, None if none may (see the module doc)."""
    if ann.action == "resized" and ann.anchor_status != "orphaned":
        for i, span in enumerate(spans):
            if (span.start, span.end) == (ann.model_start, ann.model_end) and _agrees(ann, span):
                return i

    def rank(i: int) -> tuple[bool, int, bool, int]:
        s = spans[i]
        exact = (s.start, s.end) == (ann.start, ann.end)
        overlap = _overlap(s.start, s.end, ann.start, ann.end)
        closeness = -(abs(s.start - ann.start) + abs(s.end - ann.end))
        return exact, overlap, s.label == ann.model_label, closeness

    takers = [i for i, span in enumerate(spans) if _takes(span, ann)]
    return max(takers, key=rank, default=None)


def _entity_spans(entities: Sequence[Entity]) -> list[_Span]:
    return [_Span(e.start, e.end, e.text, e.label) for e in entities]


def _quote_spans(quotes: Sequence[Quote]) -> list[_Span]:
    return [_Span(q.start, q.end, q.text) for q in quotes]


def _latest_first_order(ann: Annotation) -> tuple[str, int]:
    # Sorting by this puts the latest decision last, so it overwrites earlier ones.
    return ann.updated_at, -1 if ann.id is None else ann.id


def _decisions(annotations: Iterable[Annotation], kind: str) -> list[Annotation]:
    """The attached decisions of one kind, oldest first."""
    chosen = [a for a in annotations if a.kind == kind and a.anchor_status != "orphaned"]
    return sorted(chosen, key=_latest_first_order)


# -- entities -------------------------------------------------------------------


def _final_entities(
    entities: Sequence[Entity], decisions: list[Annotation]
) -> tuple[list[FinalEntity], list[Entity]]:
    latest: dict[int, Annotation] = {}  # model entity index -> its latest decision
    standalone: dict[tuple[int, int, str], FinalEntity] = {}
    spans = _entity_spans(entities)
    for ann in decisions:
        target = _best_taker(spans, ann) if ann.action in _ENTITY_CORRECTIONS else None
        if target is not None:
            latest[target] = ann
        elif ann.action in ("added", "resized"):
            fe = _analyst_entity(ann)
            standalone[(fe.start, fe.end, fe.label)] = fe  # the same entity added twice: once
        # accepted/rejected/relabelled with no model entity left: nothing to apply to
    final: list[FinalEntity] = list(standalone.values())
    rejected: list[Entity] = []
    for i, ent in enumerate(entities):
        decision = latest.get(i)
        if decision is not None and decision.action == "rejected":
            rejected.append(ent)
        else:
            final.append(_corrected_entity(ent, decision))
    return final, rejected


def _analyst_entity(ann: Annotation) -> FinalEntity:
    """An entity added by the analyst, or a resize whose model entity is gone."""
    return FinalEntity(
        start=ann.start,
        end=ann.end,
        label=ann.label or ann.model_label or "",
        text=ann.text,
        origin="analyst",
        decision=ann.action,
        model_label=ann.model_label if ann.action == "resized" else None,
        annotation_id=ann.id,
    )


def _corrected_entity(ent: Entity, ann: Annotation | None) -> FinalEntity:
    if ann is None:
        return FinalEntity(ent.start, ent.end, ent.label, ent.text, origin="model")
    base = FinalEntity(
        ent.start,
        ent.end,
        ent.label,
        ent.text,
        origin="model",
        decision=ann.action,
        annotation_id=ann.id,
    )
    if ann.action == "relabelled":
        return replace(base, label=ann.label or ent.label, model_label=ent.label)
    if ann.action == "resized":
        return replace(
            base,
            start=ann.start,
            end=ann.end,
            text=ann.text,
            label=ann.label or ent.label,
            model_label=ent.label,
        )
    return base  # accepted


# -- quotes ---------------------------------------------------------------------


def _final_quotes(
    quotes: Sequence[Quote], decisions: list[Annotation]
) -> tuple[list[FinalQuote], list[Quote]]:
    own: dict[int, Annotation] = {}  # quote index -> its latest own decision
    speaker: dict[int | tuple[str, int], Annotation] = {}  # attribution -> latest speaker
    kind: dict[int | tuple[str, int], Annotation] = {}  # attribution -> latest kind change
    added: list[FinalQuote] = []
    spans = _quote_spans(quotes)
    for ann in decisions:
        if ann.action == "added":
            added.append(FinalQuote(_analyst_quote(ann), "analyst", "added", ann.id))
            continue
        if ann.action not in _QUOTE_CORRECTIONS:
            continue
        if ann.action == "kind_changed" and ann.label not in QUOTE_KINDS:
            continue  # no kind to set (a hand-edited record)
        target = _best_taker(spans, ann)
        if target is None:
            continue  # the model quote is gone: nothing to correct
        own[target] = ann
        if ann.action == "speaker_changed":
            speaker[_attribution(quotes, target)] = ann
        elif ann.action == "kind_changed":
            kind[_attribution(quotes, target)] = ann
    final: list[FinalQuote] = added
    rejected: list[Quote] = []
    for i, q in enumerate(quotes):
        mine = own.get(i)
        if mine is not None and mine.action == "not_quote":
            rejected.append(q)  # one piece being no quote says nothing about the others
            continue
        key = _attribution(quotes, i)
        final.append(_corrected_quote(q, speaker.get(key), kind.get(key)))
    return final, rejected


def _attribution(quotes: Sequence[Quote], i: int) -> int | tuple[str, int]:
    """What a speaker or kind change applies to: all pieces of an attribution, or one quote."""
    aid = quotes[i].attribution_id
    return ("quote", i) if aid is None else aid


def _later(a: Annotation | None, b: Annotation | None) -> bool:
    """Whether decision ``a`` was made after ``b`` (None: the model's output, earliest)."""
    if a is None:
        return False
    return b is None or _latest_first_order(a) > _latest_first_order(b)


def _corrected_quote(q: Quote, speaker: Annotation | None, kind: Annotation | None) -> FinalQuote:
    if speaker is None and kind is None:
        return FinalQuote(q, "model")
    new = _with_speaker(q, speaker) if speaker is not None else q
    # a kind decision's label is one of QUOTE_KINDS (imports check it); anything else is ignored
    new_kind = kind.label if kind is not None and kind.label in QUOTE_KINDS else q.kind
    if new_kind == "no-source" and new.speaker_text is not None:
        if _later(kind, speaker):
            new = _without_speaker(new)  # the analyst said nobody is named
        else:  # the analyst named a source
            new_kind = q.kind if q.kind != "no-source" else "indirect"
    elif new_kind == "indirect" and new.speaker_text is None:
        new_kind = "no-source"  # reported speech with nobody named
    latest = speaker if _later(speaker, kind) else kind
    assert latest is not None  # one of the two is a decision (returned above otherwise)
    return FinalQuote(
        replace(new, kind=new_kind),
        "model",
        latest.action,
        latest.id,
        speaker_annotation_id=None if speaker is None else speaker.id,
        kind_annotation_id=None if kind is None else kind.id,
    )


def _with_speaker(q: Quote, ann: Annotation) -> Quote:
    """The quote with the analyst's speaker; the model's cue only if it is beside it."""
    keep_cue = (
        ann.speaker_start is not None
        and ann.speaker_end is not None
        and q.cue_start is not None
        and q.cue_end is not None
        and max(q.cue_start - ann.speaker_end, ann.speaker_start - q.cue_end) <= CUE_REACH
    )
    return replace(
        q,
        speaker_start=ann.speaker_start,
        speaker_end=ann.speaker_end,
        speaker_text=ann.speaker_text,
        speaker_name=ann.speaker_text,
        anonymous=is_anonymous(ann.speaker_text),
        cue_start=q.cue_start if keep_cue else None,
        cue_end=q.cue_end if keep_cue else None,
        cue_text=q.cue_text if keep_cue else None,
    )


def _without_speaker(q: Quote) -> Quote:
    return replace(
        q, speaker_start=None, speaker_end=None, speaker_text=None, speaker_name=None,
        anonymous=False, cue_start=None, cue_end=None, cue_text=None,
    )  # fmt: skip


def _analyst_quote(ann: Annotation) -> Quote:
    q = Quote(
        start=ann.start,
        end=ann.end,
        text=ann.text,
        speaker_start=ann.speaker_start,
        speaker_end=ann.speaker_end,
        speaker_text=ann.speaker_text,
        speaker_name=ann.speaker_text,
        anonymous=is_anonymous(ann.speaker_text),
        kind=ann.label if ann.label in QUOTE_KINDS else "direct",
    )
    if q.kind == "indirect" and q.speaker_text is None:
        return replace(q, kind="no-source")  # reported speech with nobody named
    return _without_speaker(q) if q.kind == "no-source" else q


# -- public -------------------------------------------------------------------


def apply_corrections(analysis: Analysis, annotations: Iterable[Annotation]) -> FinalView:
    """The model's entities and quotes with the analyst's decisions applied.

    Free "span" annotations and orphaned ones are ignored. Everything is
    sorted by start.
    """
    annotations = list(annotations)
    entities, rejected_entities = _final_entities(
        analysis.entities, _decisions(annotations, "entity")
    )
    quotes, rejected_quotes = _final_quotes(analysis.quotes, _decisions(annotations, "quote"))
    return FinalView(
        entities=tuple(sorted(entities, key=lambda e: (e.start, e.end))),
        quotes=tuple(sorted(quotes, key=lambda q: (q.quote.start, q.quote.end))),
        rejected_entities=tuple(sorted(rejected_entities, key=lambda e: (e.start, e.end))),
        rejected_quotes=tuple(sorted(rejected_quotes, key=lambda q: (q.start, q.end))),
    )


def reattach(annotations: Iterable[Annotation], analysis: Analysis) -> list[Annotation]:
    """Each decision as attached to a new analysis of the same text (see the module doc).

    Only ``model_start``, ``model_end``, ``model_label`` (the span that takes the
    decision now) and ``anchor_status`` (orphaned when none takes it, exact again
    when one does) change. Added entities and quotes, free spans and resizes
    (whose model span is the analyst's record, and which stand alone without one)
    are returned unchanged, in the same order.
    """
    entities, quotes = _entity_spans(analysis.entities), _quote_spans(analysis.quotes)
    return [_reattached(ann, entities, quotes) for ann in annotations]


def _reattached(ann: Annotation, entities: list[_Span], quotes: list[_Span]) -> Annotation:
    if ann.kind == "entity" and ann.action in _ENTITY_CORRECTIONS - {"resized"}:
        i = _best_taker(entities, ann)
        return _unattached(ann) if i is None else _attached(ann, entities[i], entities[i].label)
    if ann.kind == "quote" and ann.action in _QUOTE_CORRECTIONS:
        i = _best_taker(quotes, ann)
        return _unattached(ann) if i is None else _attached(ann, quotes[i], ann.model_label)
    return ann


def _attached(ann: Annotation, span: _Span, label: str | None) -> Annotation:
    # Taken by a span: an orphaned decision's whole text was verified at its offsets.
    status = "exact" if ann.anchor_status == "orphaned" else ann.anchor_status
    return replace(
        ann, model_start=span.start, model_end=span.end, model_label=label, anchor_status=status
    )


def _unattached(ann: Annotation) -> Annotation:
    """Left unapplied; an exact one is marked orphaned so the review list shows it."""
    return replace(ann, anchor_status="orphaned") if ann.anchor_status == "exact" else ann
