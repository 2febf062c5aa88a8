"""Reported speech: attributions carried by the parse, with or without marks.

A reporting cue (a verb from REPORTING_LEMMAS, or "according to") is found
outside quotation marks; its content is the clause the parse hangs from it
("X said (that) CONTENT", "CONTENT, X said", "X urged Y to CONTENT",
"according to X, CONTENT"), its source the cue's subject (the same mention
rules as for quotes). A cue without a source ("it was reported that ...") is
a sourceless attribution. Kinds (direct/mixed/indirect) are decided later,
against the quotation marks, in quotes.py.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .quote_attrib import Context, heading_name, speaker_of_cue
from .quote_lexicon import ADDRESSEE_LEMMAS, CLAUSE_ONLY_LEMMAS, RAISING_LEMMAS, REPORTING_LEMMAS

if TYPE_CHECKING:  # spaCy is imported by whoever runs the analysis, not by importing this
    from spacy.tokens import Token

_CONTENT_DEPS = ("ccomp",)
# complements that carry the content when there is no clause: "proposed a plan",
# "urged them to act", "accused him of lying", "called for a ban"
_OBJECT_DEPS = frozenset({"dobj", "xcomp", "prep", "oprd", "dative", "attr", "acomp"})
_NOT_CONTENT = frozenset({"punct", "cc", "conj", "parataxis", "dep"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl", "agent", "csubj"})
_MARKS = frozenset({"that"})  # "whether" and "if" belong to the content
_EDGE_PUNCT = frozenset(",.;:!?-\u2014\u2013()")
_MIN_CONTENT_TOKENS = 3


@dataclass(slots=True)
class Reported:
    cue: tuple[int, int]  # char span of the cue
    source: tuple[int, int] | None  # char span of the source mention
    content: list[tuple[int, int]]  # char spans of the content, in order
    cue_token: int
    how: str


def find_reported(ctx: Context) -> list[Reported]:
    """Every reported-speech attribution whose cue lies outside quotes."""
    if not ctx.has_parse:
        return []
    out: list[Reported] = []
    doc = ctx.doc
    for t in doc:
        if ctx.in_quote[t.i] >= 0:
            continue
        if ctx.is_according(t.i):
            r = _according(ctx, t)
        elif _is_reporting(t):
            r = _verb(ctx, t)
        else:
            continue
        if r is not None:
            out.append(r)
    out.extend(_headings(ctx))
    return _outermost(out)


_HEADING_REACH = 60  # chars from a paragraph's start to a heading's colon


def _headings(ctx: Context) -> list[Reported]:
    """'Hillary: Benghazi mother wrong to call me a liar' - a paragraph that
    opens with a short name and a colon is that name's words (headlines,
    transcripts), when no quotation mark carries them already."""
    text = ctx.text
    out = []
    for para in ctx.paras:
        colon = text.find(":", para.start, min(para.end, para.start + _HEADING_REACH))
        if colon == -1:
            continue
        a = heading_name(ctx, para.start, colon + 1)
        if a is None or a.speaker is None or a.cue is None:
            continue
        rng = ctx.tok_range(colon + 1, para.end)
        if not rng or any(ctx.in_quote[i] >= 0 for i in rng):
            continue
        span = _trim_tokens(ctx, rng.start, rng.stop - 1)
        if span is not None:
            out.append(Reported(a.cue, a.speaker, [span], rng.start - 1, "heading"))
    return out


def _outermost(found: list[Reported]) -> list[Reported]:
    """News annotation marks one layer: 'X said Y told him Z' is X's, so an
    attribution whose cue lies inside a kept one's content is left out.
    Larger contents are kept first, so two that contain each other's cue
    (a parse gone round in a circle) keep the larger."""
    order = sorted(range(len(found)), key=lambda n: -sum(e - s for s, e in found[n].content))
    kept: list[int] = []
    for n in order:
        c = found[n].cue[0]
        if not any(s <= c < e for m in kept for s, e in found[m].content):
            kept.append(n)
    return [found[n] for n in sorted(kept)]


def _is_reporting(t: Token) -> bool:
    if t.pos_ not in ("VERB", "AUX"):
        return False
    lemma = t.lemma_.lower()
    if lemma in CLAUSE_ONLY_LEMMAS:
        # "prices continued to rise" is no speech; "..., she continued." is
        return t.dep_ == "parataxis" or any(c.dep_ == "ccomp" for c in t.children)
    return lemma in REPORTING_LEMMAS


def _verb(ctx: Context, v: Token) -> Reported | None:
    if _subject_in_content(v):
        source = _agent(ctx, v)  # "X is expected to ...": nobody named, unless "by Y"
    else:
        source = speaker_of_cue(ctx, v.i)
    if source is not None and _expletive(ctx, source):
        source = None
    content = _content_of(ctx, v, source)
    if content is None or _introduces(ctx, content[-1][1]):
        return None
    if source is not None and _overlaps(source, content):
        return None
    cue = ctx.char_span(*_cue_tokens(v))
    return Reported(cue, source, content + _quoted_continuation(ctx, content, cue), v.i, "verb")


_TWO_APOSTROPHES = "''"  # how some wires (the NYT's plain text) write quotation marks
_MAX_CUE_CLAUSE = 200  # chars between a content and the next sentence it runs on into


def _quoted_continuation(
    ctx: Context, content: list[tuple[int, int]], cue: tuple[int, int]
) -> list[tuple[int, int]]:
    """ "''A,'' he said. ''B.''": marks of two apostrophes are no quotation
    marks to the quote finder, but the sentence they open right after the
    cue's goes on with the same speaker's words, as with real marks."""
    text = ctx.text
    start = content[0][0]
    if text[max(0, start - 2) : start] != _TWO_APOSTROPHES:
        return []
    para = ctx.paras[max(0, bisect_left(ctx.para_starts, start + 1) - 1)]
    after = max(content[-1][1], cue[1])
    nxt = text.find(_TWO_APOSTROPHES, after + 2, para.end)
    while nxt != -1 and nxt - after <= _MAX_CUE_CLAUSE:
        before = text[after:nxt].rstrip()
        if before and before[-1] in ".!?":
            break  # the mark opens the next sentence
        nxt = text.find(_TWO_APOSTROPHES, nxt + 2, para.end)
    if nxt == -1 or nxt - after > _MAX_CUE_CLAUSE:
        return []  # no next sentence in marks, or a long stretch of the reporter's own
    close = text.find(_TWO_APOSTROPHES, nxt + 2, para.end)
    stop = close if close != -1 else para.end
    return [(nxt + 2, stop)] if stop - nxt > 4 else []


def _introduces(ctx: Context, end: int) -> bool:
    """'The mayor wrote in her letter:' - a colon after what looked like the
    content: what is said comes after it (a quote, a list), not before."""
    text = ctx.text
    while end < len(text) and text[end] in " \t":
        end += 1
    return end < len(text) and text[end] == ":"


def _cue_tokens(v: Token) -> tuple[int, int]:
    """The verb with its particle or preposition: 'called for', 'pointed out'."""
    j = v.i
    for c in v.rights:
        if c.dep_ == "prt" and c.i == j + 1:
            j = c.i
    return v.i, j


def _content_of(
    ctx: Context, v: Token, source: tuple[int, int] | None
) -> list[tuple[int, int]] | None:
    """Char spans of what v reports, or None when it reports nothing here."""
    # the parser's trees leak across paragraph breaks; content never does
    para = ctx.para_tokens(v.idx)
    children = [c for c in v.children if c.i in para]
    for c in children:
        if c.dep_ in _CONTENT_DEPS:
            span = _clause(ctx, c, exclude=v)
            if span is not None:
                return [span]
    if _passive(v) or v.lemma_.lower() in RAISING_LEMMAS:
        # "X is expected to win", "X seems to reflect ...": subject + complement
        subj = next((c for c in children if c.dep_ in ("nsubjpass", "nsubj")), None)
        comp = next(
            (c for c in children if c.dep_ in ("xcomp", "oprd", "acomp") and c.i > v.i), None
        )
        if subj is not None and comp is not None:
            spans = [_clause(ctx, subj, v, 1), _clause(ctx, comp, v, 1)]
            return [s for s in spans if s is not None] or None
        if subj is not None and source is not None and subj.dep_ == "nsubjpass":
            span = _clause(ctx, subj, v, 1)  # "X was praised by Y": Y's view of X
            return [span] if span is not None else None
        if v.lemma_.lower() in RAISING_LEMMAS:
            return None  # "appeared at the convention": a presence, not a view
    objects = [c for c in children if c.dep_ in _OBJECT_DEPS and c.i > v.i]
    if objects and v.lemma_.lower() in ADDRESSEE_LEMMAS and len(objects) > 1:
        objects = objects[1:]  # "told reporters that ...": the first is the listener
    elif objects and v.lemma_.lower() in ADDRESSEE_LEMMAS and objects[0].dep_ in ("dobj", "dative"):
        objects = []
    if objects:
        # the objects and whatever else follows them in the verb's phrase
        # ("described him as unfit", "found it difficult to win")
        tail = [c for c in children if c.i > objects[-1].i and c.dep_ not in _NOT_CONTENT]
        last = tail[-1] if tail else objects[-1]
        span = _trim_tokens(ctx, objects[0].left_edge.i, last.right_edge.i, 2)
        if span is not None:
            return [span]
    if (
        v.head.i in para
        and v.head.i != v.i
        and (v.dep_ == "parataxis" or _asyndetic_conj(ctx, v, source))
    ):
        # "CONTENT, X said." / "CONTENT, X said, CONTENT": the head's clause
        return _head_clause(ctx, v, source)
    rest = [c for c in children if c.i > v.i and c.dep_ not in _NOT_CONTENT | _SUBJECTS]
    if rest:
        span = _trim_tokens(ctx, rest[0].left_edge.i, rest[-1].right_edge.i, 2)
        return [span] if span is not None else None
    return None


def _asyndetic_conj(ctx: Context, v: Token, source: tuple[int, int] | None) -> bool:
    """'CONTENT, officials told the media': a conjunct joined by a bare comma
    (no 'and'/'but') is the parser's reading of a side clause."""
    if v.dep_ != "conj" or v.head.i > v.i:
        return False
    if any(c.dep_ == "cc" for c in v.head.children if c.i < v.i):
        return False
    left = ctx.tok_range(0, source[0]).stop if source is not None else v.left_edge.i
    return 0 < left <= v.i and v.doc[left - 1].text == ","


def _subject_in_content(v: Token) -> bool:
    """Passives and raising verbs: the subject is what is reported about.
    A bare passive participle ("Asked whether ..., Ryan said") has nobody
    named as its speaker: Ryan is the one asked."""
    if v.lemma_.lower() in RAISING_LEMMAS:
        return True
    if (
        v.tag_ == "VBN"
        and v.dep_ in ("advcl", "acl")
        and not any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in v.children)
    ):
        return True
    return _passive(v) and any(c.dep_ in ("xcomp", "oprd", "agent") for c in v.children)


def _agent(ctx: Context, v: Token) -> tuple[int, int] | None:
    for c in v.children:
        if c.dep_ == "agent":
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None:
                return ctx.char_span(obj.left_edge.i, obj.right_edge.i)
    return None


def _passive(v: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in v.children)


def _head_clause(
    ctx: Context, v: Token, source: tuple[int, int] | None
) -> list[tuple[int, int]] | None:
    """The head's clause without the cue's own: 'It was, he said, a failure'
    gives two pieces around the cue. The cue's clause starts at its source
    (the parser may hang part of the content on the cue too)."""
    head = v.head
    lo = v.left_edge.i
    if source is not None and source[0] < v.idx:
        lo = max(lo, ctx.tok_range(0, source[0]).stop)
    own = range(lo, v.right_edge.i + 1)
    pieces = [(head.left_edge.i, own.start - 1), (own.stop, head.right_edge.i)]
    trimmed = [_trim_tokens(ctx, lo, hi, 1) for lo, hi in pieces if lo <= hi]
    spans = [s for s in trimmed if s is not None]
    if sum(len(ctx.doc.char_span(s, e, alignment_mode="expand") or ()) for s, e in spans) < 3:
        return None
    return spans


def _clause(ctx: Context, c: Token, exclude: Token, min_tokens: int = 3) -> tuple[int, int] | None:
    lo, hi = c.left_edge.i, c.right_edge.i
    if lo <= exclude.i <= hi:
        return None
    doc = ctx.doc
    while lo < hi and doc[lo].lower_ in _MARKS and doc[lo].head.i == c.i:
        lo += 1
    return _trim_tokens(ctx, lo, hi, min_tokens)


def _trim_tokens(
    ctx: Context, lo: int, hi: int, min_tokens: int = _MIN_CONTENT_TOKENS
) -> tuple[int, int] | None:
    doc = ctx.doc
    para = ctx.para_tokens(doc[min(lo, hi)].idx if lo <= hi else 0)
    lo, hi = max(lo, para.start), min(hi, para.stop - 1)
    while lo <= hi and _edge(doc[lo]):
        lo += 1
    while hi >= lo and _edge(doc[hi]):
        hi -= 1
    if hi - lo + 1 < min_tokens:
        return None
    return ctx.char_span(lo, hi)


def _edge(t: Token) -> bool:
    """Punctuation and marks of two apostrophes trimmed off a content's ends."""
    return t.is_space or t.text in _EDGE_PUNCT or t.text in ("''", "'", "``")


def _according(ctx: Context, t: Token) -> Reported | None:
    """'According to X, CONTENT' and 'CONTENT, according to X'."""
    source = speaker_of_cue(ctx, t.i)
    if source is None:
        return None
    doc = ctx.doc
    sent = t.sent
    to = doc[t.i + 1]
    pp_lo = t.i
    pp_hi = max(to.right_edge.i, t.i + 1)
    spans = []
    left = _trim_tokens(ctx, sent.start, pp_lo - 1) if pp_lo > sent.start else None
    right = _trim_tokens(ctx, pp_hi + 1, sent.end - 1) if pp_hi + 1 < sent.end else None
    spans = [s for s in (left, right) if s is not None]
    if not spans:
        return None
    return Reported(ctx.char_span(t.i, t.i + 1), source, spans, t.i, "according")


def _expletive(ctx: Context, span: tuple[int, int]) -> bool:
    """'It was reported that ...': no one is the source."""
    return ctx.text[span[0] : span[1]].lower() in ("it", "there")


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)
