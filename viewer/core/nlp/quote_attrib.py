"""Find the reporting cue and the speaker mention of each quoted stretch.

Order of evidence, strongest first: a cue clause glued to the quote
("...," she said / He said: "..."), a reporting verb governing the quote in
the parse, another quote of the same paragraph, any reporting verb of the
paragraph, and finally (news convention) the previous paragraph's speaker for
a paragraph that is nothing but a quote.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .quote_lexicon import REPORTING_LEMMAS, STRONG_FORMS, WEAK_FORMS
from .quote_spans import Paragraph, QuoteSpan

if TYPE_CHECKING:  # spaCy is imported by whoever runs the analysis, not by importing this
    from spacy.tokens import Doc, Token

_SENT_END = frozenset({".", "!", "?", ";"})
_SUBJ_DEPS = ("nsubj", "nsubjpass", "csubj")
_RELATIVE = frozenset({"who", "that", "which", "whom"})
_CLIMB_DEPS = frozenset({"conj", "advcl", "xcomp", "pcomp", "acl", "prep", "ccomp"})
_DASHES = "\u2015\u2014\u2013"
_BAD_NP_POS = frozenset({"PUNCT", "CCONJ", "SCONJ", "SPACE"})
_NP_START = frozenset({"DET", "ADJ", "NUM", "NOUN", "PROPN", "PRON"})
_TRAIL_STRIP_POS = frozenset({"ADV", "AUX", "PART", "PUNCT", "SPACE", "CCONJ"})
_MAX_TRAIL = 40  # tokens scanned after a quote for its cue
_MAX_LEAD = 60  # tokens scanned before a quote
# "WALLACE: ..." at the start of a transcript quote.
_LABEL_RE = re.compile(r"([A-Z][A-Z'\u2019.\- ]*[A-Z])\s*:\s")


@dataclass(slots=True)
class Attribution:
    cue: tuple[int, int] | None  # char span of the cue
    speaker: tuple[int, int] | None  # char span of the speaker mention
    key: tuple[object, ...]  # identity of the speech event
    how: str  # which rule found it (debugging, tests)


class Context:
    """The doc plus lookups shared by all rules (built once, linear)."""

    def __init__(self, doc: Doc, quotes: list[QuoteSpan], paras: list[Paragraph]) -> None:
        self.doc = doc
        self.text = doc.text
        self.quotes = quotes
        self.paras = paras
        self.starts = [t.idx for t in doc]
        self.has_parse = doc.has_annotation("DEP")
        self.has_pos = doc.has_annotation("POS")
        self.in_quote = [-1] * len(doc)
        for k, q in enumerate(quotes):
            for i in self.tok_range(q.outer_start, q.outer_end):
                self.in_quote[i] = k
        # nicknames and titles may sit inside a speaker mention:
        # state Del. Marcia "Cia" Price
        self.para_starts = [p.start for p in paras]
        self.passable = [q.closed and len(self.text[q.start : q.end].split()) <= 2 for q in quotes]

    def para_tokens(self, char: int) -> range:
        """Tokens of the paragraph holding `char`: parses leak across "\n"."""
        p = self.paras[max(0, bisect_left(self.para_starts, char + 1) - 1)]
        return self.tok_range(p.start, p.end)

    def tok_range(self, a: int, b: int) -> range:
        """Tokens starting in the char range [a, b)."""
        return range(bisect_left(self.starts, a), bisect_left(self.starts, b))

    def char_span(self, i: int, j: int) -> tuple[int, int]:
        """Char span of tokens i..j inclusive."""
        last = self.doc[j]
        return self.starts[i], last.idx + len(last.text)

    def is_cue(self, tok: Token, weak: bool) -> bool:
        low = tok.lower_
        if low not in STRONG_FORMS and not (weak and low in WEAK_FORMS):
            return False
        if self.has_pos and tok.pos_ not in ("VERB", "AUX") and not self._clause_end_cue(tok):
            return False
        if low in WEAK_FORMS and low not in STRONG_FORMS and self.has_parse:
            # "added 500 jobs", "continued to fall" are not speech; but right
            # after a quote the "object" is the inverted speaker ('..." read
            # the statement')
            return self._right_after_quote(tok) or not any(
                c.dep_ in ("dobj", "xcomp") and self.in_quote[c.i] < 0 for c in tok.children
            )
        return True

    def _clause_end_cue(self, tok: Token) -> bool:
        """'"...," the two write.' - the tagger took the verb for a noun; a
        reporting form that ends a short clause after a quote is the cue."""
        doc = self.doc
        if tok.i + 1 >= len(doc) or doc[tok.i + 1].text not in ".,;":
            return False
        return any(self.in_quote[k] >= 0 for k in range(max(0, tok.i - 5), tok.i))

    def _right_after_quote(self, tok: Token) -> bool:
        k = tok.i - 1
        while k >= 0 and self.doc[k].is_punct and self.in_quote[k] < 0:
            k -= 1
        return k >= 0 and self.in_quote[k] >= 0 and tok.i - k <= 2

    def blocks(self, i: int) -> bool:
        """Token i is inside a real quote (not a nickname-like fragment)."""
        k = self.in_quote[i]
        return k >= 0 and not self.passable[k]

    def is_according(self, i: int) -> bool:
        doc = self.doc
        return doc[i].lower_ == "according" and i + 1 < len(doc) and doc[i + 1].lower_ == "to"


# ---------------------------------------------------------------- speakers


def _subject(ctx: Context, v: Token, agents: bool = True) -> Token | None:
    agent = None
    subj = None
    for c in v.children:
        if c.dep_ == "agent":
            agent = c
        elif c.dep_ in _SUBJ_DEPS and _wordy(c.text) and (subj is None or c.i < v.i):
            # of two subjects the parser gave one verb ("CONTENT-noun ..., a
            # pair of officials told"), the one nearest before it is the speaker
            subj = c
    if agent is not None and agents:
        for c in agent.children:
            if c.dep_ == "pobj":
                return c
    if subj is not None and subj.lower_ in _RELATIVE and v.dep_ == "relcl":
        return v.head  # "Smith, who said ..." -> Smith
    return subj


def _climbed_subject(ctx: Context, v: Token) -> Token | None:
    """Subject of v, or of the verb it hangs from ("..., adding", "and said")."""
    h = v
    if v.tag_ == "VBG" and v.dep_ == "advcl" and v.head.dep_ == "ccomp" and _is_speech(v.head.head):
        # 'Trump told Newsmax that Romney "had ...," adding, "..."': the parser
        # hung the participle on the reported clause; it goes with 'told'
        h = v.head.head
    for _ in range(4):
        # a passive's agent speaks for that verb only: 'X was joined by Y
        # and joked' is X's joke
        subj = _subject(ctx, h, agents=h.i == v.i)
        if subj is not None:
            return subj
        if h.dep_ == "acl" and h.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return h.head  # "footage of Lee asking, ..."
        if h.dep_ not in _CLIMB_DEPS or h.head.i == h.i or ctx.in_quote[h.head.i] >= 0:
            return None
        if h.dep_ == "conj" and h.head.dep_ == "ccomp" and _is_speech(h.head.head):
            # 'Kyi said it was early but added, "..."': the parser joined
            # 'added' to the reported clause; it goes with 'said'
            h = h.head.head
            continue
        h = h.head
    return None


def _is_speech(t: Token) -> bool:
    return t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in REPORTING_LEMMAS


def _inverted_subject(ctx: Context, v: Token) -> Token | None:
    """First noun phrase right after the verb: '..., said the official.'"""
    doc = ctx.doc
    for i in range(v.i + 1, min(len(doc), v.i + 12)):
        t = doc[i]
        if ctx.in_quote[i] >= 0 or t.text in _SENT_END or t.text == "\n":
            return None
        if t.ent_type_ in ("DATE", "TIME") or t.pos_ == "ADV":
            continue  # said Monday / said again
        if t.pos_ not in _NP_START and ctx.has_pos:
            return None  # "said in an interview": no subject here
        if t.pos_ in _NP_START or t.is_title:
            while (
                ctx.has_parse
                and t.head.i != t.i
                and t.head.i > v.i
                and t.head.pos_ in ("NOUN", "PROPN")
                and t.dep_ in ("compound", "amod", "det", "poss", "nmod", "flat", "nummod")
            ):
                t = t.head
            return t
    return None


def _previous_subject(ctx: Context, v: Token) -> Token | None:
    """'Novak said, suggesting ...': a participle's subject is the nearest
    subject before it in the paragraph when the parse lost the link."""
    para = ctx.para_tokens(v.idx)
    doc = ctx.doc
    for i in range(v.i - 1, max(para.start, v.i - 30) - 1, -1):
        t = doc[i]
        if ctx.in_quote[i] < 0 and t.dep_ == "nsubj" and t.head.i < v.i and _wordy(t.text):
            return t
    return None


def np_span(ctx: Context, head: Token, stop: Token | None) -> tuple[int, int] | None:
    """Char span of head's phrase, cut at quotes and at the cue token."""
    # without a parse, edges and children are not safe to touch
    lo, hi = (head.left_edge.i, head.right_edge.i) if ctx.has_parse else (head.i, head.i)
    para = ctx.para_tokens(head.idx)
    lo, hi = max(lo, para.start), min(hi, para.stop - 1)
    i = head.i
    while i - 1 >= lo and not ctx.blocks(i - 1) and (stop is None or i - 1 != stop.i):
        i -= 1
    j = head.i
    while j + 1 <= hi and not ctx.blocks(j + 1) and (stop is None or j + 1 != stop.i):
        j += 1
    if ctx.blocks(head.i):
        return None
    if ctx.has_parse:
        j = _cut_nested_appositive(ctx.doc, head, i, j)
    return _trim(ctx, i, j, head.i)


def _trim(ctx: Context, i: int, j: int, keep: int) -> tuple[int, int] | None:
    """Drop punctuation and conjunctions at both ends (never past `keep`)."""
    doc = ctx.doc
    while i < keep and (doc[i].pos_ in _BAD_NP_POS or not _wordy(doc[i].text)):
        i += 1
    while j > keep and (doc[j].pos_ in _BAD_NP_POS or not _wordy(doc[j].text)):
        j -= 1
    if not _wordy(ctx.text[doc[i].idx : doc[j].idx + len(doc[j].text)]):
        return None
    return ctx.char_span(i, j)


def _wordy(s: str) -> bool:
    return any(c.isalnum() for c in s)


def trailing_speaker(ctx: Context, after: int, v: Token) -> tuple[int, int] | None:
    """'"...," Rep. Jane Doe (D-Ohio), a senator, said': the words between the
    quote and its verb are the speaker, whatever the parser made of them."""
    rng = ctx.tok_range(after, v.idx)
    if not rng:
        return None
    doc = ctx.doc
    lo, hi = rng.start, rng.stop - 1
    while lo <= hi and not _wordy(doc[lo].text):
        lo += 1
    while hi >= lo and (doc[hi].pos_ in _TRAIL_STRIP_POS or not _wordy(doc[hi].text)):
        hi -= 1
    if lo > hi or any(ctx.blocks(i) for i in range(lo, hi + 1)):
        return None
    if ctx.has_pos and not any(
        doc[i].pos_ in ("NOUN", "PROPN", "PRON", "NUM") for i in range(lo, hi + 1)
    ):
        return None  # "the two" is people too
    subj = _subject(ctx, v) if ctx.has_parse else None
    if subj is not None and lo <= subj.i <= hi:
        lo = max(lo, subj.left_edge.i)  # drop a leading "Later," etc.
        hi = _cut_nested_appositive(doc, subj, lo, hi)
    elif ctx.has_pos and not (doc[lo].pos_ in _NP_START or doc[lo].is_title):
        return None  # not a noun phrase: "to Ukraine and replacing it ..."
    elif hi - lo > 6 and not _has_comma(doc, lo, hi):
        return None
    return _trim(ctx, lo, hi, hi)


def _cut_nested_appositive(doc: Doc, head: Token, lo: int, hi: int) -> int:
    """'Jo Doe, attorney general of Ohio, one of the states suing' : the last
    appositive describes Ohio, not the speaker, so it ends the mention."""
    for i in range(head.i + 1, hi + 1):
        t = doc[i]
        if (
            t.dep_ == "appos"
            and t.head.i != head.i
            and head.i < t.left_edge.i
            and lo <= t.head.i < t.left_edge.i
            and t.right_edge.i >= hi
            and doc[t.left_edge.i - 1].text == ","
        ):
            return t.left_edge.i - 1
    return hi


def _has_comma(doc: Doc, lo: int, hi: int) -> bool:
    return any(doc[i].text in (",", "(") for i in range(lo, hi + 1))


def speaker_of_cue(ctx: Context, i: int) -> tuple[int, int] | None:
    """Speaker mention for the cue token i (a verb or 'according')."""
    doc = ctx.doc
    v = doc[i]
    if ctx.is_according(i):
        to = doc[i + 1]
        obj = None
        if ctx.has_parse:
            obj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if obj is None and i + 2 < len(doc):
            obj = _inverted_subject(ctx, to)
        return np_span(ctx, obj, v) if obj is not None else None
    subj = _climbed_subject(ctx, v) if ctx.has_parse else None
    if subj is not None and (ctx.in_quote[subj.i] >= 0 or subj.i not in ctx.para_tokens(v.idx)):
        subj = None
    if subj is not None:
        subj = _document_owner(subj)
    if subj is None and v.tag_ not in ("VBG", "VBN"):
        subj = _inverted_subject(ctx, v)  # participles have no inverted subject
        if subj is None and ctx.has_parse and v.dep_ == "ROOT":
            subj = _stranded_subject(ctx, v)
    elif subj is None and ctx.has_parse:
        subj = _previous_subject(ctx, v)
    return np_span(ctx, subj, v) if subj is not None else None


# Things that carry someone's words: "His office put out a statement saying".
_DOCUMENTS = frozenset(
    "statement email e-mail video ad advertisement cover piece letter memo release tweet "
    "post message note mailer flyer op-ed column editorial press".split()
)


def _document_owner(subj: Token) -> Token:
    """'X released a video that said ...' / 'X put out a statement saying':
    a document someone put out speaks for them, so they are the source."""
    if subj.lemma_.lower() not in _DOCUMENTS or subj.dep_ not in ("dobj", "pobj"):
        return subj
    verb = subj.head if subj.dep_ == "dobj" else subj.head.head
    owner = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    return owner if owner is not None and owner.i < subj.i else subj


def _stranded_subject(ctx: Context, v: Token) -> Token | None:
    """'In a statement to the Observer, her adviser, Jake Sullivan, said:' -
    the parser hung the speaker on the noun before it; the noun phrase right
    before the verb is the speaker."""
    doc = ctx.doc
    k = v.i - 1
    while k >= 0 and doc[k].is_punct and doc[k].text in ",":
        k -= 1
    if k < 0 or ctx.in_quote[k] >= 0 or doc[k].pos_ not in ("NOUN", "PROPN", "PRON"):
        return None
    t = doc[k]
    while t.dep_ in ("compound", "flat"):
        t = t.head
    while t.dep_ in ("appos", "conj") and t.head.dep_ in ("appos", "conj", "nsubj", "ROOT"):
        t = t.head  # up an appositive chain, not into the phrase it hangs from
    if t.i >= v.i or t.head.i != v.i and t.dep_ not in ("appos", "conj", "pobj", "dobj"):
        return None
    return t


# ---------------------------------------------------------------- cues


def make_attribution(
    ctx: Context, i: int, how: str, after: int | None = None
) -> Attribution | None:
    """Attribution for cue token i; `after` = end of the quote it trails."""
    speaker = None
    if after is not None and not ctx.is_according(i):
        speaker = trailing_speaker(ctx, after, ctx.doc[i])
    if speaker is None:
        speaker = speaker_of_cue(ctx, i)
    if speaker is None or speaker[0] >= speaker[1]:
        return None
    j = i + 1 if ctx.is_according(i) else i
    return Attribution(ctx.char_span(i, j), speaker, ("tok", i), how)


def ends_open(ctx: Context, q: QuoteSpan) -> bool:
    """The sentence goes on after the quote ("...," she said)."""
    text = ctx.text
    if text[q.end - 1] in ",?!\u2014\u2013-\u2026:":
        return True
    k = q.outer_end
    para_end = ctx.paras[q.para].end
    while k < para_end and text[k].isspace():
        k += 1
    return k < para_end and (text[k] == "," or text[k].islower())


def trailing_cue(ctx: Context, q: QuoteSpan, limit: int) -> tuple[int, int] | None:
    """(cue token, tokens scanned) in the clause right after the quote."""
    n = 0
    for i in ctx.tok_range(q.outer_end, limit):
        t = ctx.doc[i]
        if ctx.in_quote[i] >= 0 or t.text in _SENT_END or n > _MAX_TRAIL:
            return None
        if t.dep_ != "relcl" and (ctx.is_cue(t, weak=True) or ctx.is_according(i)):
            return i, n  # a cue inside a relative clause ('... that would respond') is not it
        n += 1
    return None


_MAX_SHORT_TRAIL = 8  # tokens of a short '..., NAME VERB.' clause after a quote


def short_trailing_verb(ctx: Context, q: QuoteSpan, limit: int) -> int | None:
    """'"...?" Hannity pressed.' : a quote that leaves its sentence open and
    is followed by nothing but a short clause with one verb; that verb is
    the cue whatever it is (news rarely puts anything else there)."""
    if not ctx.has_pos or not ends_open(ctx, q):
        return None
    rng = ctx.tok_range(q.outer_end, limit)
    first = next((i for i in rng if not ctx.doc[i].is_punct), None)
    if first is not None and ctx.doc[first].tag_ == "VBD" and first + 1 < len(ctx.doc):
        nxt = ctx.doc[first + 1]
        if nxt.pos_ in ("PROPN", "DET") and ctx.in_quote[first + 1] < 0:
            return first  # '"This is fantastic!" beamed Donald Hartley of ...'
    verbs = []
    for n, i in enumerate(rng):
        t = ctx.doc[i]
        if ctx.in_quote[i] >= 0 or n > _MAX_SHORT_TRAIL:
            return None
        if t.text in _SENT_END:
            break
        if t.pos_ == "VERB":
            verbs.append(i)
    else:
        return None
    return verbs[0] if len(verbs) == 1 else None


def leading_cue(ctx: Context, q: QuoteSpan, limit: int) -> int | None:
    """Last reporting verb of the clause right before the quote."""
    text = ctx.text
    k = q.outer_start - 1
    while k >= limit and text[k].isspace():
        k -= 1
    glued = k >= limit and text[k] in ":,"
    rng = ctx.tok_range(limit, q.outer_start)
    for n, i in enumerate(reversed(rng)):
        t = ctx.doc[i]
        if ctx.in_quote[i] >= 0 or t.text in _SENT_END or n > _MAX_LEAD:
            return None
        weak = (glued and n < 6) or (ctx.has_parse and _has_ccomp(t))
        if ctx.is_cue(t, weak=weak) or ctx.is_according(i):
            return i
        if glued and n < 6 and t.pos_ == "VERB" and t.lemma_.lower() in REPORTING_LEMMAS:
            return i  # 'X pointed out in December, "..."'
        if glued and n < 3 and t.pos_ == "VERB" and t.tag_ == "VBD" and _has_subject(t):
            return i  # 'Sanders shot back, "..."': whatever the verb
    return None


def _has_subject(t: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)


def _has_ccomp(t: Token) -> bool:
    return any(c.dep_ == "ccomp" for c in t.children)


def governing_cue(ctx: Context, q: QuoteSpan, qi: int) -> int | None:
    """A reporting verb the quote hangs from in the parse (mixed quotes)."""
    if not ctx.has_parse:
        return None
    k = ctx.in_quote
    para = ctx.para_tokens(q.start)
    for i in ctx.tok_range(q.start, q.end):
        h = ctx.doc[i].head
        if k[h.i] == qi:
            continue
        for _ in range(4):
            if h.i not in para:
                break
            if k[h.i] < 0 and (ctx.is_cue(h, weak=False) or h.lower_ in WEAK_FORMS):
                return h.i  # weak verbs too: Novak called the day "a ..."
            if h.head.i == h.i:
                break
            h = h.head
    return None


def dash_attribution(ctx: Context, q: QuoteSpan, limit: int) -> Attribution | None:
    """'"..." ― Jane Doe' : a dash and a short name after the quote."""
    text = ctx.text
    k = q.outer_end
    while k < limit and (text[k].isspace() or text[k] in ",."):
        k += 1
    if k >= limit or text[k] not in _DASHES:
        return None
    s = k + 1
    while s < limit and text[s].isspace():
        s += 1
    e = limit
    while e > s and (text[e - 1].isspace() or text[e - 1] in ".,;"):
        e -= 1
    name = text[s:e]
    if not name or not name[0].isupper() or len(name.split()) > 8:
        return None
    return Attribution((k, k + 1), (s, e), ("dash", k), "dash")


_HEADING_POS = frozenset({"PROPN", "NOUN", "DET", "ADJ", "PART", "PUNCT"})
_HEADING_BREAKS = frozenset("-\u2013\u2014.!?;")


def colon_end(ctx: Context, start: int, end: int) -> int:
    """End of the text before a quote, past the colon (whitespace dropped)."""
    while end > start and ctx.text[end - 1].isspace():
        end -= 1
    return end


def heading_name(ctx: Context, start: int, end: int) -> Attribution | None:
    """'Pew Research: "..."', '... - HuffPollster: "..."': a short name and a
    colon, nothing else, introduce the quote as a byline does."""
    colon = end - 1
    if colon < start or ctx.text[colon] != ":":
        return None
    toks = []
    for i in reversed(ctx.tok_range(start, colon)):
        t = ctx.doc[i]
        if t.text in _HEADING_BREAKS or ctx.in_quote[i] >= 0:
            break
        toks.append(t)
    toks.reverse()
    words = [t for t in toks if not t.is_punct]
    if not 1 <= len(words) <= 5 or not any(t.pos_ == "PROPN" for t in words):
        return None
    if ctx.has_pos and any(t.pos_ not in _HEADING_POS for t in toks):
        return None
    first, last = words[0], words[-1]
    return Attribution((colon, colon + 1), (first.idx, last.idx + len(last.text)),
                       ("heading", colon), "heading")  # fmt: skip


def label_attribution(ctx: Context, q: QuoteSpan) -> Attribution | None:
    """Transcript style: the quote opens with 'NAME: '."""
    m = _LABEL_RE.match(ctx.text, q.start, min(q.end, q.start + 60))
    if m is None:
        return None
    s, e = m.span(1)
    return Attribution((m.end(1), m.end(1) + 1), (s, e), ("label", s), "label")
