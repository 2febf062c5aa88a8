"""An article's shown entities and attributions, indexed for the text view.

Plain Python (no Qt objects), so a long article's index is built off the UI
thread and handed over whole. ``covers`` says what part of the text the
marks are complete for: all of it, or only the head of a long article shown
while the rest is still being read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from viewer.core.attributions import attribution_key
from viewer.core.model import Analysis, FinalEntity, FinalQuote, FinalView, Quote
from viewer.qt.text.span_index import SpanIndex

Mention = tuple[tuple[str, int, int], list[int]]  # (role, start, end), the quotes using it


def as_final_view(view: FinalView | Analysis) -> FinalView:
    """Plain model output shown as a view without corrections."""
    if isinstance(view, FinalView):
        return view
    return FinalView(
        tuple(FinalEntity(e.start, e.end, e.label, e.text, "model") for e in view.entities),
        tuple(FinalQuote(q, "model") for q in view.quotes),
    )


@dataclass(frozen=True, eq=False)
class ViewIndex:
    view: FinalView
    analysis: Analysis  # entities and quotes as shown (corrections applied)
    quotes: SpanIndex
    entities: SpanIndex
    rejected_quotes: SpanIndex
    rejected_entities: SpanIndex
    mentions: list[Mention]  # each speaker or cue mention once, in order of first use
    mention_index: SpanIndex
    groups: dict[int, list[int]]  # attribution id -> its pieces' quote indices
    covers: tuple[int, int] | None = None  # None: the whole text
    # The side panel's groups: (speaker, the pieces of each of their attributions),
    # most attributed first, "No source" last; built alongside, off the UI thread.
    speaker_groups: list[tuple[str, list[list[int]]]] = field(default_factory=list)


NO_SOURCE = "No source"


def speaker_key(q: Quote) -> str:
    """How attributions are grouped: the resolved name, else the mention as written."""
    if q.kind == "no-source":
        return NO_SOURCE
    return q.speaker_name or q.speaker_text or "(unknown speaker)"


def attributions(quotes: tuple[Quote, ...]) -> list[list[int]]:
    """The quote indices of each attribution (its pieces), in text order."""
    groups: dict[tuple[str, object], list[int]] = {}
    for i, q in enumerate(quotes):
        groups.setdefault(attribution_key(q, i), []).append(i)
    return sorted(groups.values(), key=lambda pieces: quotes[pieces[0]].start)


def speaker_groups(quotes: tuple[Quote, ...]) -> list[tuple[str, list[list[int]]]]:
    """Each speaker's attributions (their pieces), most attributed first, "No source" last."""
    groups: dict[str, list[list[int]]] = {}
    for pieces in attributions(quotes):
        groups.setdefault(speaker_key(quotes[pieces[0]]), []).append(pieces)

    def order(item: tuple[str, list[list[int]]]) -> tuple[bool, int, int]:
        # Most-attributed speakers first: that is what an analyst scans for.
        name, members = item
        return name == NO_SOURCE, -len(members), quotes[members[0][0]].start

    return sorted(groups.items(), key=order)


def index_view(view: FinalView | Analysis, covers: tuple[int, int] | None = None) -> ViewIndex:
    view = as_final_view(view)
    analysis = Analysis(view.entities, tuple(fq.quote for fq in view.quotes))
    groups: dict[int, list[int]] = {}
    mentions: dict[tuple[str, int, int], list[int]] = {}
    for i, q in enumerate(analysis.quotes):
        if q.attribution_id is not None:
            groups.setdefault(q.attribution_id, []).append(i)
        for role, start, end in (
            ("speaker", q.speaker_start, q.speaker_end),
            ("cue", q.cue_start, q.cue_end),
        ):
            if start is not None and end is not None:
                mentions.setdefault((role, start, end), []).append(i)
    mention_list = list(mentions.items())
    return ViewIndex(
        view=view,
        analysis=analysis,
        quotes=SpanIndex((q.start, q.end) for q in analysis.quotes),
        entities=SpanIndex((e.start, e.end) for e in analysis.entities),
        rejected_quotes=SpanIndex((q.start, q.end) for q in view.rejected_quotes),
        rejected_entities=SpanIndex((e.start, e.end) for e in view.rejected_entities),
        mentions=mention_list,
        mention_index=SpanIndex((s, e) for (_, s, e), _ in mention_list),
        groups=groups,
        covers=covers,
        speaker_groups=speaker_groups(analysis.quotes),
    )
