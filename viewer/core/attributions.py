"""Counting attributions: what the corpus tables and the articles CSV report.

An attribution is one speech event; its content may come in pieces (an
interrupted quote, "The plan, he said, would fail") that share
``attribution_id`` and count once.
"""

from __future__ import annotations

from collections.abc import Iterable

from viewer.core.model import Quote

ATTRIBUTION_KINDS = ("direct", "mixed", "indirect", "no-source")


def attribution_key(q: Quote, n: int) -> tuple[str, object]:
    """Identity of q's attribution; n (its position) for a piece without id."""
    return ("id", q.attribution_id) if q.attribution_id is not None else ("piece", n)


def attribution_counts(quotes: Iterable[Quote]) -> tuple[int, ...]:
    """Attributions per kind (in ATTRIBUTION_KINDS order), then the anonymous ones."""
    seen: set[tuple[str, object]] = set()
    counts = dict.fromkeys(ATTRIBUTION_KINDS, 0)
    anonymous = 0
    for n, q in enumerate(quotes):
        key = attribution_key(q, n)
        if key in seen:
            continue
        seen.add(key)
        counts[q.kind] = counts.get(q.kind, 0) + 1
        anonymous += bool(q.anonymous)
    return (*(counts[k] for k in ATTRIBUTION_KINDS), anonymous)
