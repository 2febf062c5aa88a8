"""The final view: model output with the analyst's corrections applied.

Model output is never edited: an analyst decision is an annotation naming the
model span it is about (``model_start/model_end``, plus ``model_label`` for
entities). Applying them is done afresh for every view, so re-running the
model keeps every decision as long as it can be attached to the new output
(see ``reattach``).

A decision attaches to the model span with exactly its offsets, else to the
one that overlaps it most (a new model or pipeline version may draw slightly
different boundaries). When several decisions attach to the same span, the
latest one wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from viewer.core.model import (
    Analysis,
    Annotation,
    Entity,
    FinalEntity,
    FinalQuote,
    FinalView,
    Quote,
)

_ENTITY_CORRECTIONS = frozenset({"accepted", "rejected", "relabelled", "resized"})
_QUOTE_CORRECTIONS = frozenset({"not_quote", "speaker_changed"})


# -- matching decisions to model spans ------------------------------------------


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _best_match(
    spans: Sequence[tuple[int, int, str | None]], start: int, end: int, label: str | None = None
) -> int | None:
    """Index of the span with exactly ``[start, end)``, else of the one overlapping it
    most; ties go to the same label, then to the closest boundaries. None if none overlaps."""

    def rank(i: int) -> tuple[bool, int, bool, int]:
        s, e, lab = spans[i]
        exact = (s, e) == (start, end)
        return exact, _overlap(s, e, start, end), lab == label, -(abs(s - start) + abs(e - end))

    best = max(range(len(spans)), key=rank, default=None)
    if best is None:
        return None
    exact, overlap, _, _ = rank(best)
    return best if exact or overlap > 0 else None


def _model_span(ann: Annotation) -> tuple[int, int]:
    """The model span a decision refers to (its own span when none was stored)."""
    if ann.model_start is None or ann.model_end is None:
        return ann.start, ann.end
    return ann.model_start, ann.model_end


def _entity_index(entities: Sequence[Entity], ann: Annotation) -> int | None:
    spans = [(e.start, e.end, e.label) for e in entities]
    return _best_match(spans, *_model_span(ann), ann.model_label)


def _quote_index(quotes: Sequence[Quote], ann: Annotation) -> int | None:
    spans = [(q.start, q.end, None) for q in quotes]
    return _best_match(spans, *_model_span(ann))


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
    for ann in decisions:
        target = _entity_index(entities, ann) if ann.action in _ENTITY_CORRECTIONS else None
        if target is not None:
            latest[target] = ann
        elif ann.action in ("added", "resized"):
            fe = _analyst_entity(ann)
            standalone[(fe.start, fe.end, fe.label)] = fe  # the same entity added twice: once
        # accepted/rejected/relabelled with no model entity left: nothing to apply to
    final: list[FinalEntity] = list(standalone.values())
    rejected: list[Entity] = []
    for i, ent in enumerate(entities):
        ann = latest.get(i)
        if ann is not None and ann.action == "rejected":
            rejected.append(ent)
        else:
            final.append(_corrected_entity(ent, ann))
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
    direct: dict[int, Annotation] = {}  # quote index -> its latest own decision
    speaker: dict[int | tuple[str, int], Annotation] = {}  # attribution -> latest speaker change
    added: list[FinalQuote] = []
    for ann in decisions:
        if ann.action == "added":
            added.append(FinalQuote(_analyst_quote(ann), "analyst", "added", ann.id))
            continue
        target = _quote_index(quotes, ann) if ann.action in _QUOTE_CORRECTIONS else None
        if target is None:
            continue  # the model quote is gone: nothing to correct
        direct[target] = ann
        if ann.action == "speaker_changed":
            speaker[_attribution(quotes, target)] = ann
    final: list[FinalQuote] = added
    rejected: list[Quote] = []
    for i, q in enumerate(quotes):
        own = direct.get(i)
        if own is not None and own.action == "not_quote":
            rejected.append(q)  # one piece being no quote says nothing about the others
            continue
        change = speaker.get(_attribution(quotes, i))
        if change is None:
            final.append(FinalQuote(q, "model"))
        else:
            final.append(
                FinalQuote(_with_speaker(q, change), "model", "speaker_changed", change.id)
            )
    return final, rejected


def _attribution(quotes: Sequence[Quote], i: int) -> int | tuple[str, int]:
    """What a speaker change applies to: all pieces of an interrupted quote, or one quote."""
    aid = quotes[i].attribution_id
    return ("quote", i) if aid is None else aid


def _with_speaker(q: Quote, ann: Annotation) -> Quote:
    return replace(
        q,
        speaker_start=ann.speaker_start,
        speaker_end=ann.speaker_end,
        speaker_text=ann.speaker_text,
        speaker_name=ann.speaker_text,
        anonymous=False,
    )


def _analyst_quote(ann: Annotation) -> Quote:
    return Quote(
        start=ann.start,
        end=ann.end,
        text=ann.text,
        speaker_start=ann.speaker_start,
        speaker_end=ann.speaker_end,
        speaker_text=ann.speaker_text,
        speaker_name=ann.speaker_text,
    )


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
    """Point each decision's ``model_*`` fields at the best-matching span of a new
    analysis of the same text, so re-running the model keeps every decision.

    Decisions that name no model span (added ones, free spans), orphaned ones
    and those no new span overlaps are returned unchanged, in the same order.
    """
    return [_reattached(ann, analysis) for ann in annotations]


def _reattached(ann: Annotation, analysis: Analysis) -> Annotation:
    if ann.anchor_status == "orphaned":
        return ann
    if ann.kind == "entity" and ann.action in _ENTITY_CORRECTIONS:
        i = _entity_index(analysis.entities, ann)
        if i is None:
            return ann
        ent = analysis.entities[i]
        return replace(ann, model_start=ent.start, model_end=ent.end, model_label=ent.label)
    if ann.kind == "quote" and ann.action in _QUOTE_CORRECTIONS:
        i = _quote_index(analysis.quotes, ann)
        if i is None:
            return ann
        q = analysis.quotes[i]
        return replace(ann, model_start=q.start, model_end=q.end)
    return ann
