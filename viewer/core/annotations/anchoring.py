"""Re-find an annotation's text after its article's text changed.

Each annotation stores its offsets, its exact text, up to ``CONTEXT_CHARS``
characters of context on each side and the hash of the text they refer to.
When an article is re-imported with a different text, every annotation is
re-attached, in this order:

1. exact — the same text at the same offsets, with its immediate context
   (``NEAR_CHARS`` on each side) unchanged;
2. moved — the exact text found elsewhere, chosen by how much of its stored
   context still surrounds it, then by distance from the old position;
3. approximate — a fuzzy match (``difflib`` similarity >= ``MIN_SIMILARITY``)
   next to the surviving context, or (stricter) in a window around the old
   position;
4. orphaned — nothing found; the old offsets are kept, clamped to the text.

Nothing is ever deleted: the caller lists every non-exact one for review.
Searches are ``str.find`` calls; ``difflib`` only runs on small windows,
for spans whose text changed. Thousands of annotations on a 100 KB article
re-anchor in well under a second after a few edits; an article edited all
over, with long quote spans, takes a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from viewer.core.model import CONTEXT_CHARS, AnchorStatus, Annotation

# Context that must be unchanged for "exact", and that makes a found occurrence
# a confident "moved": a few characters on one side tell one mention of a name
# from another without being upset by an edit further along the sentence.
NEAR_CHARS = 8
MIN_SIMILARITY = 0.6  # difflib ratio below which a fuzzy match is not the same text
# With no context left to vouch for it, a fuzzy match must be closer still:
# "Tom Reed" is not the " Reed" of another sentence.
MIN_SIMILARITY_NO_CONTEXT = 0.8
MAX_CANDIDATES = 500  # occurrences scored per needle: bounds pathological repeats
SPEAKER_WINDOW = 1000  # how far from the quote a moved speaker mention is looked for

_SEVERITY: dict[AnchorStatus, int] = {"exact": 0, "moved": 1, "approximate": 2, "orphaned": 3}


def context_of(text: str, start: int, end: int) -> tuple[str, str]:
    """The up-to-``CONTEXT_CHARS`` characters left and right of ``text[start:end]``."""
    return text[max(0, start - CONTEXT_CHARS) : max(0, start)], text[end : end + CONTEXT_CHARS]


@dataclass(frozen=True)
class Placement:
    """Where an annotation's text is in the new text, and how sure that is."""

    start: int
    end: int
    status: AnchorStatus


def reanchor(new_text: str, start: int, end: int, text: str, left: str, right: str) -> Placement:
    """Place ``text`` (once at ``[start, end)`` between ``left`` and ``right``) in ``new_text``."""
    if _unchanged_at(new_text, start, text, left, right):
        return Placement(start, start + len(text), "exact")
    found = _find_exact_text(new_text, start, text, left, right)
    if found is not None:
        return Placement(found, found + len(text), "moved")
    if not text:  # nothing to match fuzzily: only the context could place it
        return _orphaned(new_text, start, end)
    anchored = _approximate_between_context(new_text, start, text, left, right)
    if anchored is not None:
        return Placement(*anchored, "approximate")
    # The text itself, with no context left to vouch for it: only where it was,
    # or where it is the only occurrence (else it could be any of them).
    if new_text[start : start + len(text)] == text:
        return Placement(start, start + len(text), "moved")
    if new_text.count(text) == 1:
        found = new_text.find(text)
        return Placement(found, found + len(text), "moved")
    nearby = _approximate_near(new_text, start, text)
    if nearby is not None:
        return Placement(*nearby, "approximate")
    return _orphaned(new_text, start, end)


def _orphaned(new_text: str, start: int, end: int) -> Placement:
    n = len(new_text)
    s = min(max(start, 0), n)
    return Placement(s, min(max(end, s), n), "orphaned")


# -- exact and moved ----------------------------------------------------------


def _near(context: str) -> int:
    return min(NEAR_CHARS, len(context))


def _unchanged_at(new_text: str, start: int, text: str, left: str, right: str) -> bool:
    """Same text at the same offsets, and the nearest context around it too."""
    end = start + len(text)
    if start < 0 or end > len(new_text) or new_text[start:end] != text:
        return False
    nl, nr = _near(left), _near(right)
    # Slices (not negative indices) so a shorter prefix never compares equal.
    return (
        new_text[max(0, start - nl) : start] == left[len(left) - nl :]
        and new_text[end : end + nr] == right[:nr]
    )


def _find_exact_text(new_text: str, start: int, text: str, left: str, right: str) -> int | None:
    """Start of the occurrence of ``text`` best vouched for by its context, if any is."""
    whole = left + text + right
    if whole:
        found = _nearest(new_text, whole, start - len(left))
        if found is not None:  # all the stored evidence is intact: the text just shifted
            return found + len(left)
    return _best_by_context(new_text, start, text, left, right)


def _best_by_context(new_text: str, start: int, text: str, left: str, right: str) -> int | None:
    """The occurrence with the most context agreement, among those whose nearest
    context on at least one side is intact; ties go to the nearest."""
    nl, nr = _near(left), _near(right)
    candidates: set[int] = set()
    if nl:
        needle = left[len(left) - nl :] + text
        candidates.update(p + nl for p in _occurrences(new_text, needle))
    if nr:
        candidates.update(_occurrences(new_text, text + right[:nr]))
    if not candidates:
        return None

    def rank(pos: int) -> tuple[int, int]:
        agreement = _common_suffix(left, new_text[max(0, pos - len(left)) : pos])
        after = pos + len(text)
        agreement += _common_prefix(right, new_text[after : after + len(right)])
        return agreement, -abs(pos - start)

    return max(candidates, key=rank)


def _occurrences(hay: str, needle: str, cap: int = MAX_CANDIDATES) -> Iterator[int]:
    pos = hay.find(needle)
    while pos != -1 and cap > 0:
        yield pos
        cap -= 1
        pos = hay.find(needle, pos + 1)


def _nearest(hay: str, needle: str, pos: int) -> int | None:
    """Start of the occurrence of a non-empty ``needle`` nearest to ``pos``."""
    pos = min(max(pos, 0), len(hay))
    after = hay.find(needle, pos)
    before = hay.rfind(needle, 0, pos - 1 + len(needle))  # those starting before pos
    found = [p for p in (after, before) if p != -1]
    return min(found, key=lambda p: (abs(p - pos), p)) if found else None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


# -- approximate --------------------------------------------------------------


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _approximate_between_context(
    new_text: str, start: int, text: str, left: str, right: str
) -> tuple[int, int] | None:
    """A changed text still framed by (part of) its old context."""
    after_left = _left_anchor(new_text, start, left)
    before_right = _right_anchor(new_text, start + len(text), right)
    slack = len(text) // 2 + NEAR_CHARS  # room for the text to have grown
    if after_left is not None and before_right is not None:
        s, e = after_left, before_right
        if s < e <= s + len(text) + slack and _similarity(new_text[s:e], text) >= MIN_SIMILARITY:
            return s, e
    # One side (or an inconsistent pair): align the text next to that side.
    if after_left is not None:
        found = _align(new_text, after_left, after_left + len(text) + slack, text)
        if found is not None:
            return found
    if before_right is not None:
        return _align(new_text, before_right - len(text) - slack, before_right, text)
    return None


def _left_anchor(new_text: str, start: int, left: str) -> int | None:
    """Where the text after the surviving tail of ``left`` begins, nearest ``start``."""
    if left and len(left) < CONTEXT_CHARS and new_text.startswith(left):
        return len(left)  # a short context was the article's whole beginning
    for k in _anchor_lengths(len(left)):
        found = _nearest(new_text, left[len(left) - k :], start - k)
        if found is not None:
            return found + k
    return None


def _right_anchor(new_text: str, end: int, right: str) -> int | None:
    """Where the text before the surviving head of ``right`` ends, nearest ``end``."""
    if right and len(right) < CONTEXT_CHARS and new_text.endswith(right):
        return len(new_text) - len(right)  # a short context was the article's whole end
    for k in _anchor_lengths(len(right)):
        found = _nearest(new_text, right[:k], end)
        if found is not None:
            return found
    return None


def _anchor_lengths(available: int) -> list[int]:
    # Shorter anchors survive more edits but match by chance more often;
    # fewer than NEAR_CHARS characters would match almost anywhere.
    return [k for k in (CONTEXT_CHARS, 16, NEAR_CHARS) if k <= available]


def _approximate_near(new_text: str, start: int, text: str) -> tuple[int, int] | None:
    """A fuzzy match in a window around the old position, context or not."""
    reach = max(64, len(text))
    lo, hi = max(0, start - reach), min(len(new_text), start + len(text) + reach)
    window = new_text[lo:hi]
    if not window:
        return None
    match = SequenceMatcher(None, window, text, autojunk=False).find_longest_match(
        0, len(window), 0, len(text)
    )
    if match.size == 0:
        return None
    guess = lo + match.a - match.b  # where the text would start, aligned on that block
    slack = len(text) // 2 + NEAR_CHARS
    return _align(
        new_text, guess - slack // 2, guess + len(text) + slack, text, MIN_SIMILARITY_NO_CONTEXT
    )


def _align(
    new_text: str, lo: int, hi: int, text: str, threshold: float = MIN_SIMILARITY
) -> tuple[int, int] | None:
    """The stretch of ``new_text[lo:hi]`` most like ``text``, if similar enough.

    The stretch runs from one matching block to another; a few stray blocks at
    either end (single letters matched by chance) are tried without. Stretches
    are ranked by the blocks they hold (no new alignment each), and only the
    best few are checked with a real difflib ratio.
    """
    lo, hi = max(0, lo), min(len(new_text), hi)
    if lo >= hi:
        return None
    sm = SequenceMatcher(None, text, new_text[lo:hi], autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size]
    stretches: list[tuple[float, int, int]] = []
    for i in range(min(3, len(blocks))):
        for j in range(max(i, len(blocks) - 3), len(blocks)):
            s, e = lo + blocks[i].b, lo + blocks[j].b + blocks[j].size
            matched = sum(b.size for b in blocks[i : j + 1])
            stretches.append((2 * matched / (len(text) + e - s), s, e))
    for _, s, e in sorted(stretches, reverse=True)[:3]:
        if _similarity(new_text[s:e], text) >= threshold:
            return s, e
    return None


# -- annotations --------------------------------------------------------------


def reanchor_annotation(ann: Annotation, new_text: str, new_hash: str) -> Annotation:
    """``ann`` re-attached to ``new_text`` (whose hash is ``new_hash``).

    The model span and the speaker mention follow the main span. An annotation
    that was already awaiting review keeps at least a "moved" status, so
    re-importing never silently clears the review list. An orphaned one keeps
    its old text and context, so a later import can still find it.
    """
    if ann.text_hash == new_hash:
        return ann  # same text: the offsets are still right
    p = reanchor(new_text, ann.start, ann.end, ann.text, ann.left_context, ann.right_context)
    status = _combined_status(ann.anchor_status, p.status)
    if p.status == "orphaned":
        return replace(
            ann,
            start=p.start,
            end=p.end,
            text_hash=new_hash,
            anchor_status=status,
            model_start=_clamp(ann.model_start, new_text),
            model_end=_clamp(ann.model_end, new_text),
            speaker_start=_clamp(ann.speaker_start, new_text),
            speaker_end=_clamp(ann.speaker_end, new_text),
        )
    left, right = context_of(new_text, p.start, p.end)
    model_start, model_end = _follow_model_span(ann, p, new_text)
    speaker = _refind_speaker(ann, new_text, p.start - ann.start)
    if speaker is None:
        # The chosen speaker mention is gone: keep the shifted offsets, but the
        # decision needs a look even if the quote itself is exact.
        speaker = _shifted(ann.speaker_start, ann.speaker_end, p.start - ann.start, new_text)
        if ann.speaker_text:
            status = _worse(status, "approximate")
    return replace(
        ann,
        start=p.start,
        end=p.end,
        text=new_text[p.start : p.end],
        left_context=left,
        right_context=right,
        text_hash=new_hash,
        anchor_status=status,
        model_start=model_start,
        model_end=model_end,
        speaker_start=speaker[0],
        speaker_end=speaker[1],
    )


def _worse(a: AnchorStatus, b: AnchorStatus) -> AnchorStatus:
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


def _combined_status(old: AnchorStatus, new: AnchorStatus) -> AnchorStatus:
    if new == "orphaned" or old == "exact":
        return new
    # Still unreviewed from an earlier import: never report it as exact. An old
    # "orphaned" found again is at least "moved" (its old offsets were clamped).
    return _worse(new, "moved" if old == "orphaned" else old)


def _clamp(offset: int | None, text: str) -> int | None:
    return None if offset is None else min(max(offset, 0), len(text))


def _shifted(
    start: int | None, end: int | None, delta: int, text: str
) -> tuple[int | None, int | None]:
    s = _clamp(None if start is None else start + delta, text)
    e = _clamp(None if end is None else end + delta, text)
    if s is not None and e is not None and e < s:
        e = s
    return s, e


def _follow_model_span(
    ann: Annotation, p: Placement, new_text: str
) -> tuple[int | None, int | None]:
    if (ann.model_start, ann.model_end) == (ann.start, ann.end):
        return p.start, p.end  # the decision is about the model span itself
    # A resize: the model span's text is not stored, so shift it with the start.
    return _shifted(ann.model_start, ann.model_end, p.start - ann.start, new_text)


def _refind_speaker(
    ann: Annotation, new_text: str, delta: int
) -> tuple[int | None, int | None] | None:
    """The speaker mention's new offsets, found by its stored text; None if lost."""
    if ann.speaker_start is None or ann.speaker_end is None or not ann.speaker_text:
        return _shifted(ann.speaker_start, ann.speaker_end, delta, new_text)
    who = ann.speaker_text
    guess = ann.speaker_start + delta
    if guess >= 0 and new_text[guess : guess + len(who)] == who:
        return guess, guess + len(who)
    found = _nearest(new_text, who, guess)
    if found is None or abs(found - guess) > SPEAKER_WINDOW:
        return None
    return found, found + len(who)
