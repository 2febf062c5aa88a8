"""Which spans overlap a stretch of text, without looking at every span.

A 5 MB article has hundreds of thousands of entities and quotes; the view
asks "what lies under this position" on every mouse move and "what is in
the visible stretch" on every scroll, so both are a bisect over the spans
sorted by start, not a scan. Spans longer than ``LONG`` (rare: an analyst's
label over whole paragraphs) are kept aside and always checked, so the
search window stays as short as the longest ordinary span.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

LONG = 5_000


class SpanIndex:
    """Spans given as (start, end) pairs, answered as their positions in that list."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        pairs = list(spans)
        order = list(range(len(pairs)))
        if any(pairs[i][0] > pairs[i + 1][0] for i in range(len(pairs) - 1)):
            order.sort(key=lambda i: pairs[i][0])
        self._short = [i for i in order if pairs[i][1] - pairs[i][0] <= LONG]
        self._long = [i for i in order if pairs[i][1] - pairs[i][0] > LONG]
        self._starts = [pairs[i][0] for i in self._short]
        self._ends = [pairs[i][1] for i in self._short]
        self._pairs = pairs
        # The longest ordinary span: who starts this far before a stretch may reach into it.
        self.reach = max((pairs[i][1] - pairs[i][0] for i in self._short), default=0)

    def __len__(self) -> int:
        return len(self._pairs)

    def overlapping(self, start: int, end: int) -> list[int]:
        """Positions (ascending) of the spans that share a character with [start, end),
        or, for an empty span, that contain ``start``."""
        end = max(end, start + 1)
        lo = bisect_left(self._starts, start - self.reach)
        hi = bisect_left(self._starts, end)
        ends, short = self._ends, self._short
        found = [short[k] for k in range(lo, hi) if ends[k] > start]
        found.extend(i for i in self._long if self._pairs[i][0] < end and self._pairs[i][1] > start)
        found.sort()
        return found

    def long_overlapping(self, start: int, end: int) -> list[int]:
        """Positions of the spans longer than LONG that share a character with [start, end)."""
        pairs = self._pairs
        return [i for i in self._long if pairs[i][0] < end and pairs[i][1] > start]

    def at(self, pos: int) -> list[int]:
        """Positions (ascending) of the spans containing ``pos``."""
        return self.overlapping(pos, pos + 1)
