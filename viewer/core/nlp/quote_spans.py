"""Find quoted stretches in plain text from the quotation marks alone.

Works paragraph by paragraph ("\\n" separated). Whether a mark opens or
closes is decided from its neighbours first (typists mix up curly marks) and
from its shape only when the context is ambiguous. A quote left open at the
end of a paragraph runs to the paragraph end; when the next paragraph opens
with a mark it is the news-style continuation of the same quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN_GLYPHS = "\u201c\u201e\u00ab\u201f"  # “ „ « ‟
CLOSE_GLYPHS = "\u201d\u00bb"  # ” »
STRAIGHT = '"'
MARKS = frozenset(OPEN_GLYPHS + CLOSE_GLYPHS + STRAIGHT)
_MARK_RE = re.compile("[" + re.escape(OPEN_GLYPHS + CLOSE_GLYPHS + STRAIGHT) + "]")
# What may stand right before an opening mark / right after a closing one.
_BEFORE_OPEN = frozenset("([{\u2014\u2013-/'\u2018\u2015" + OPEN_GLYPHS)
_AFTER_CLOSE = frozenset(".,;:!?)]}\u2014\u2013-\u2026'\u2019\u2015/" + CLOSE_GLYPHS)
_MAX_UNCLOSED = 1500  # chars; longer unclosed quotes lost their closing mark
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s)")
_MAX_DEPTH = 2  # deeper "nesting" is a sign of broken marks: stop counting


@dataclass(slots=True)
class QuoteSpan:
    """One quoted stretch inside one paragraph."""

    start: int  # content start, whitespace stripped
    end: int  # content end (exclusive)
    outer_start: int  # offset of the opening mark
    outer_end: int  # offset after the closing mark (== end when unclosed)
    para: int  # paragraph index
    closed: bool
    continues: bool = False  # continuation paragraph of an unclosed quote


@dataclass(slots=True)
class Paragraph:
    index: int
    start: int
    end: int  # exclusive, without the "\n"


def split_paragraphs(text: str) -> list[Paragraph]:
    paras: list[Paragraph] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        paras.append(Paragraph(i, pos, pos + len(line)))
        pos += len(line) + 1
    return paras


def _role(text: str, i: int, lo: int, hi: int, inside: bool) -> str:
    """'open', 'close' or '' for the mark at text[i] given its neighbours."""
    prev = text[i - 1] if i > lo else None
    nxt = text[i + 1] if i + 1 < hi else None
    prev_space = prev is None or prev.isspace()
    next_space = nxt is None or nxt.isspace()
    can_open = (prev_space or prev in _BEFORE_OPEN) and not next_space
    can_close = (next_space or nxt in _AFTER_CLOSE) and not prev_space
    if can_open != can_close:
        return "open" if can_open else "close"
    if not can_open and prev_space and next_space:
        # a lone mark between spaces only makes sense as a closing one
        # ("...the term 'outreach,' " he said)
        return "close" if inside else ""
    ch = text[i]
    if ch in OPEN_GLYPHS:
        return "open"
    if ch in CLOSE_GLYPHS:
        return "close"
    return "close" if inside else "open"


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_quotes(text: str, para: Paragraph) -> list[QuoteSpan]:
    found: list[QuoteSpan] = []
    depth = 0
    open_at = -1
    lo, hi = para.start, para.end
    for m in _MARK_RE.finditer(text, lo, hi):
        i = m.start()
        role = _role(text, i, lo, hi, depth > 0)
        if depth == 0:
            if role == "open":
                depth, open_at = 1, i
        elif role == "close":
            depth -= 1
            if depth == 0:
                _add(found, text, open_at, i, i + 1, para.index, True)
        elif role == "open" and depth < _MAX_DEPTH:
            depth += 1
    if depth > 0:
        end = hi if hi - open_at <= _MAX_UNCLOSED else _sentence_end(text, open_at, hi)
        _add(found, text, open_at, end, end, para.index, False)
    return found


def _sentence_end(text: str, start: int, hi: int) -> int:
    """End of the first sentence after start: where a quote whose closing
    mark is missing most likely stopped, when the paragraph is very long."""
    m = _SENTENCE_END_RE.search(text, start + 1, hi)
    return m.start() + 1 if m else min(hi, start + _MAX_UNCLOSED)


def _add(
    found: list[QuoteSpan],
    text: str,
    open_at: int,
    close_at: int,
    outer_end: int,
    para: int,
    closed: bool,
) -> None:
    start, end = _strip(text, open_at + 1, close_at)
    if end > start:
        found.append(QuoteSpan(start, end, open_at, outer_end, para, closed))


def _starts_paragraph(text: str, para: Paragraph, q: QuoteSpan) -> bool:
    return not text[para.start : q.outer_start].strip()


def find_quote_spans(text: str, paras: list[Paragraph]) -> list[QuoteSpan]:
    """All quoted stretches, in text order; marks continuation paragraphs."""
    spans: list[QuoteSpan] = []
    last_open: QuoteSpan | None = None  # unclosed quote ending the previous paragraph
    for para in paras:
        if para.end == para.start or not text[para.start : para.end].strip():
            continue  # blank lines do not break a running quote
        found = _paragraph_quotes(text, para)
        if found and last_open is not None and _starts_paragraph(text, para, found[0]):
            found[0].continues = True
        last_open = found[-1] if found and not found[-1].closed else None
        spans.extend(found)
    return spans
