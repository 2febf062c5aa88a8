"""Direct and mixed quotations with their speakers, from a parsed spaCy Doc.

Pipeline: quotation marks -> quoted stretches (quote_spans), each stretch
-> cue and speaker mention (quote_attrib), speaker mention -> resolved name
and anonymity (quote_coref). Everything is rule based and linear in the
length of the document.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from typing import TYPE_CHECKING

from ..model import Quote, QuoteKind
from .quote_attrib import (
    Attribution,
    Context,
    colon_end,
    dash_attribution,
    ends_open,
    governing_cue,
    heading_name,
    label_attribution,
    leading_cue,
    make_attribution,
    short_trailing_verb,
    trailing_cue,
)
from .quote_coref import Resolver
from .quote_lexicon import REPORTING_LEMMAS, TITLE_SMALL_WORDS
from .quote_spans import MARKS, QuoteSpan, find_quote_spans, split_paragraphs
from .reported import Reported, find_reported

if TYPE_CHECKING:  # spaCy is imported by whoever runs the analysis, not by importing this
    from spacy.tokens import Doc, Token

QUOTES_VERSION = "4"  # 4: glued marks, cues of what follows, passages under a colon

log = logging.getLogger(__name__)

_MIN_WORDS = 3  # shorter fragments are scare quotes/titles unless a full utterance
_CLEAN_BEFORE = frozenset(".!?:;(\u2014\u2013\u2015\u2026'\u2019\u2018") | MARKS


def detect_quotes(doc: Doc) -> list[Quote]:
    """Quotes of `doc` sorted by start; never raises (logs and returns [])."""
    try:
        return _detect(doc)
    except Exception:  # a broken article must not break the analysis run
        log.exception("quote detection failed on a %d-char text", len(doc.text))
        return []


def _detect(doc: Doc) -> list[Quote]:
    text = doc.text
    if not text.strip() or len(doc) == 0:
        return []
    paras = split_paragraphs(text)
    spans = find_quote_spans(text, paras)
    ctx = Context(doc, spans, paras)
    kinds = [_kind(ctx, q) for q in spans]
    attrs = _attribute_all(ctx) if spans else []
    reported = _reported_beside_quotes(ctx, find_reported(ctx), kinds, attrs)
    speakers = [a.speaker for a in attrs if a is not None and a.speaker is not None]
    speakers += [r.source for r, _ in reported if r.source is not None]
    resolver = Resolver(ctx, speakers)
    ids: dict[tuple[object, ...], int] = {}
    absorbed = {k for _, inside in reported for k in inside}
    out: list[Quote] = []
    for k, (q, kind, a) in enumerate(zip(spans, kinds, attrs, strict=True)):
        if k not in absorbed and _keep(ctx, q, kind, a):
            # its content is the quoted words alone: direct, by the share rule
            out.append(_quote(ctx, q, "direct", a, resolver, ids))
    for r, inside in reported:
        out.extend(_reported_quotes(ctx, r, "mixed" if inside else "indirect", resolver, ids))
    out.sort(key=lambda x: x.start)
    return out


# ---------------------------------------------------------------- kinds


def _prev_char(ctx: Context, q: QuoteSpan) -> str:
    text, lo = ctx.text, ctx.paras[q.para].start
    k = q.outer_start - 1
    while k >= lo and text[k].isspace():
        k -= 1
    return text[k] if k >= lo else ""


def _kind(ctx: Context, q: QuoteSpan) -> QuoteKind:
    """Direct when the quote stands as its own utterance, mixed when it is
    a fragment woven into the reporter's sentence ('will be "deepening"')."""
    if q.continues:
        return "direct"
    prev = _prev_char(ctx, q)
    first = ctx.text[q.start]
    if prev == ",":
        # '"First," he said, "second."' is direct, but a lower-case fragment
        # after a comma of the reporter's own sentence is woven in
        return "direct" if first.isupper() or _resumes_quote(ctx, q) else "mixed"
    if prev == "" or prev in _CLEAN_BEFORE:
        return "direct"
    k = bisect_tok(ctx, q.outer_start) - 1
    if k >= 0 and first.isupper() and ctx.is_cue(ctx.doc[k], weak=False):
        return "direct"  # he said "We will win."
    return "mixed"


def _resumes_quote(ctx: Context, q: QuoteSpan) -> bool:
    """An earlier quote of the paragraph ends just before this one."""
    lo = max(ctx.paras[q.para].start, q.outer_start - 120)
    rng = ctx.tok_range(lo, q.outer_start)
    return any(ctx.in_quote[i] >= 0 for i in rng)


def bisect_tok(ctx: Context, char: int) -> int:
    return ctx.tok_range(0, char).stop


def _is_title(text: str) -> bool:
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return bool(words) and all(
        w.lstrip("\"'([\u2018\u201c")[:1].isupper() or w.lower() in TITLE_SMALL_WORDS for w in words
    )


def _keep(ctx: Context, q: QuoteSpan, kind: QuoteKind, a: Attribution | None) -> bool:
    content = ctx.text[q.start : q.end]
    n_words = len(content.split())
    how = a.how if a is not None and a.speaker is not None else None  # None: no speaker
    if kind == "mixed":
        # an unattributed fragment is a scare quote; a title-cased one a title
        return how is not None and n_words >= _MIN_WORDS and not _is_title(content)
    if n_words < _MIN_WORDS:
        # "No," he said. is an utterance; "Lyin' Ted" is not
        return how in ("trailing", "leading", "dash") and content[:1].isupper()
    return True


# ---------------------------------------------------------------- attribution


def _own_attribution(
    ctx: Context, q: QuoteSpan, k: int, prev_limit: int, next_limit: int
) -> Attribution | None:
    """The cue glued to this quote, if any."""
    label = label_attribution(ctx, q)
    if label is not None:
        return label
    lead = leading_cue(ctx, q, prev_limit)
    trail = trailing_cue(ctx, q, next_limit)
    if _prev_char(ctx, q) == ":" and trail is not None and ends_open(ctx, q) and trail[1] <= 6:
        # 'She spoke of drive: "Change the world," she said.' - the cue glued
        # after the quote is its own; the colon only introduced it
        a = make_attribution(ctx, trail[0], "trailing", q.outer_end)
        if a is not None:
            return _reported_by(ctx, a, next_limit) or a
    if _prev_char(ctx, q) == ":":
        a = heading_name(ctx, prev_limit, colon_end(ctx, prev_limit, q.outer_start))
        if a is None and lead is not None:
            a = make_attribution(ctx, lead, "leading")
        a = a or colon_clause(ctx, prev_limit, q.outer_start)
        if a is not None:
            return a
    dash = dash_attribution(ctx, q, next_limit)
    if dash is not None:
        return dash
    if trail is not None and not ends_open(ctx, q) and _cue_of_what_follows(ctx, trail[0]):
        trail = None  # '"..." South Carolina, he said, was ...': the next sentence's
    if trail is not None and (ends_open(ctx, q) or trail[1] <= 6):
        a = make_attribution(ctx, trail[0], "trailing", q.outer_end)
        if a is not None:
            return _reported_by(ctx, a, next_limit) or a
    for i, how in ((governing_cue(ctx, q, k), "syntax"), (lead, "leading")):
        if i is not None:
            a = make_attribution(ctx, i, how)
            if a is not None:
                return a
    if trail is not None:
        return make_attribution(ctx, trail[0], "trailing-far", q.outer_end)
    short = short_trailing_verb(ctx, q, next_limit)
    if short is not None:
        return make_attribution(ctx, short, "trailing-verb", q.outer_end)
    return None


_OWN_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "dobj"})


def _cue_of_what_follows(ctx: Context, i: int) -> bool:
    """The cue after a closed quote reports something after it: it hangs on
    a later clause (parataxis head to the right), carries its own content
    ('She noted a planned rally', 'Blocher insists that ...') or introduces
    the next quote ('He added, "..."', 'She went on to say:')."""
    if not ctx.has_parse:
        return False
    t = ctx.doc[i]
    if t.dep_ == "parataxis" and t.head.i > t.i:
        return True
    verb = t.head if t.dep_ == "xcomp" and t.head.i < t.i else t
    if any(c.dep_ in _OWN_CONTENT_DEPS and c.i > t.i and ctx.in_quote[c.i] < 0 for c in t.children):
        return True
    k = t.i + 1
    while k < len(ctx.doc) and ctx.doc[k].pos_ == "ADV":
        k += 1
    return (
        k < len(ctx.doc)
        and ctx.doc[k].text in (":", ",")
        and verb.i <= t.i
        and _quote_opens_at(ctx, k + 1)
    )


def _quote_opens_at(ctx: Context, k: int) -> bool:
    """A quotation (or a new paragraph) starts at token k."""
    if k >= len(ctx.doc):
        return False
    return ctx.in_quote[k] >= 0 or ctx.doc[k].text in MARKS or "\n" in ctx.doc[k - 1].whitespace_


def _reported_by(ctx: Context, a: Attribution, limit: int) -> Attribution | None:
    """'"...," Walker said, according to an AP account.' / '..., reports USA
    Today': the speech reaches the reader through a second source later in
    the sentence, and news annotation credits that outer one."""
    if a.cue is None:
        return None  # no cue: nothing after it to pass the speech on
    doc = ctx.doc
    for i in ctx.tok_range(a.cue[1], limit):
        t = doc[i]
        if ctx.in_quote[i] >= 0 or t.text in ".!?;":
            return None
        if ctx.is_according(i):
            return make_attribution(ctx, i, "according-outer")
        if t.lower_ in ("reports", "reported") and t.pos_ == "VERB" and doc[i - 1].text == ",":
            return make_attribution(ctx, i, "reports-outer")
    return None


def _attribute_all(ctx: Context) -> list[Attribution | None]:
    quotes = ctx.quotes
    attrs: list[Attribution | None] = [None] * len(quotes)
    by_para: dict[int, list[int]] = {}
    for k, q in enumerate(quotes):
        by_para.setdefault(q.para, []).append(k)
    for p, idxs in by_para.items():
        para = ctx.paras[p]
        for n, k in enumerate(idxs):
            prev_limit = quotes[idxs[n - 1]].outer_end if n else para.start
            nxt = quotes[idxs[n + 1]].outer_start if n + 1 < len(idxs) else para.end
            attrs[k] = _own_attribution(ctx, quotes[k], k, prev_limit, nxt)
            if attrs[k] is None and n:  # a first quote takes the paragraph's cue later
                attrs[k] = _reported_between(ctx, prev_limit, quotes[k].outer_start)
        if attrs[idxs[0]] is None and _opens_paragraph(ctx, quotes[idxs[0]]):
            attrs[idxs[0]] = _introduced_above(ctx, p)
        _share_in_paragraph(idxs, attrs)
    _share_in_chains(quotes, attrs)
    for p, idxs in by_para.items():
        if attrs[idxs[-1]] is None and _quote_only(ctx, p, idxs):
            sign = _signature_below(ctx, p)
            if sign is not None:
                for k in idxs:
                    attrs[k] = attrs[k] or sign
    para_cues = _ParagraphCues(ctx)
    for p, idxs in sorted(by_para.items()):
        if any(attrs[k] is None for k in idxs):
            _from_paragraph(ctx, p, idxs, attrs, para_cues, by_para)
    return attrs


_SIGNATURE_DASHES = "-\u2013\u2014\u2015"
_MAX_SIGNATURE_WORDS = 8


def _signature_below(ctx: Context, p: int) -> Attribution | None:
    """'"..."' then a paragraph '- Michelle Marks, Philadelphia.': a quote
    signed on the line below it, as pull quotes and fact checks do."""
    text = ctx.text
    n = p + 1
    while n < len(ctx.paras) and not text[ctx.paras[n].start : ctx.paras[n].end].strip():
        n += 1
    if n >= len(ctx.paras):
        return None
    para = ctx.paras[n]
    s = para.start
    while s < para.end and text[s].isspace():
        s += 1
    if s >= para.end or text[s] not in _SIGNATURE_DASHES:
        return None
    dash = s
    s += 1
    while s < para.end and text[s].isspace():
        s += 1
    e = s
    while e < para.end and text[e] not in ",.;(":
        e += 1
    name = text[s:e].strip()
    rest = text[e : para.end]
    if not name or not name[0].isupper() or len(name.split()) > _MAX_SIGNATURE_WORDS:
        return None
    if len(rest.split()) > _MAX_SIGNATURE_WORDS:
        return None  # a sentence, not a signature
    return Attribution((dash, dash + 1), (s, s + len(name)), ("signature", s), "signature")


def _inherit(a: Attribution, how: str) -> Attribution:
    return Attribution(a.cue, a.speaker, a.key, how)


def _opens_paragraph(ctx: Context, q: QuoteSpan) -> bool:
    lo = ctx.paras[q.para].start
    return not any(c.isalnum() for c in ctx.text[lo : q.outer_start])


def _introduced_above(ctx: Context, p: int) -> Attribution | None:
    """'As Breitbart News reported, ...:' / '"The administration is ...':
    a paragraph ending in a colon introduces the quote that opens the next
    one, before any cue inside that (often long, nested) quotation does."""
    p -= 1
    while p >= 0 and not ctx.text[ctx.paras[p].start : ctx.paras[p].end].strip():
        p -= 1
    if p < 0:
        return None
    a = colon_clause(ctx, ctx.paras[p].start, ctx.paras[p].end)
    return _inherit(a, "colon-above") if a is not None else None


def _reported_between(ctx: Context, lo: int, hi: int) -> Attribution | None:
    """'"...," says Gloria Garcia. She says people should ... "It is their
    life."': a reported sentence between two quotes of a paragraph has the
    nearer mention of who goes on speaking (the last main reporting verb
    with a subject, outside quotation marks; not 'He didn't suggest
    retaliation')."""
    if not ctx.has_parse:
        return None
    for i in reversed(ctx.tok_range(lo, hi)):
        t = ctx.doc[i]
        if ctx.in_quote[i] >= 0 or t.dep_ != "ROOT" or not ctx.is_cue(t, weak=False):
            continue
        sent = t.sent
        deps = {c.dep_ for c in t.children}
        if sent.end_char > hi or "nsubj" not in deps or deps & {"neg", "dobj"}:
            continue  # runs into the quote (the leading cue's job), or no speech
        if any(ctx.in_quote[j] >= 0 for j in range(sent.start, sent.end)):
            continue  # a quote's own cue ('"A," he said.') is shared as it is
        return make_attribution(ctx, i, "between")
    return None


def _share_in_paragraph(idxs: list[int], attrs: list[Attribution | None]) -> None:
    """'"A," he said. "B."': B is his too (nearest earlier quote first)."""
    _fill_from_neighbours(idxs, attrs, "paragraph")


def _fill_from_neighbours(idxs: list[int], attrs: list[Attribution | None], how: str) -> None:
    """Quotes without attribution take the nearest earlier one among idxs,
    else the nearest later one (two linear passes)."""
    own = [attrs[k] for k in idxs]
    later: list[Attribution | None] = [None] * len(idxs)
    nxt = None
    for n in range(len(idxs) - 1, -1, -1):
        later[n] = nxt
        nxt = own[n] or nxt
    prev = None
    for n, k in enumerate(idxs):
        if own[n] is not None:
            prev = own[n]
            continue
        src = prev or later[n]
        if src is not None:
            attrs[k] = _inherit(src, how)


def _share_in_chains(quotes: list[QuoteSpan], attrs: list[Attribution | None]) -> None:
    """Paragraphs of one running quote share its attribution."""
    chains: list[list[int]] = []
    for k, q in enumerate(quotes):
        if q.continues and chains and chains[-1][-1] == k - 1:
            chains[-1].append(k)
        elif q.continues and k:
            chains.append([k - 1, k])
        else:
            chains.append([k])
    for chain in chains:
        if len(chain) > 1:
            _fill_from_neighbours(chain, attrs, "chain")


class _ParagraphCues:
    """Reporting verbs outside quotes per paragraph, with their speakers."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.cache: dict[int, list[Attribution]] = {}

    def get(self, p: int) -> list[Attribution]:
        if p not in self.cache:
            ctx = self.ctx
            para = ctx.paras[p]
            found = []
            for i in ctx.tok_range(para.start, para.end):
                if ctx.in_quote[i] < 0 and (
                    ctx.is_cue(ctx.doc[i], weak=False) or ctx.is_according(i)
                ):
                    a = make_attribution(ctx, i, "indirect")
                    if a is not None:
                        found.append(a)
            self.cache[p] = found
        return self.cache[p]


def _from_paragraph(
    ctx: Context,
    p: int,
    idxs: list[int],
    attrs: list[Attribution | None],
    para_cues: _ParagraphCues,
    by_para: dict[int, list[int]],
) -> None:
    quotes = ctx.quotes
    cues = para_cues.get(p)
    cue_starts = [a.cue[0] for a in cues if a.cue is not None]
    floating: Attribution | None = None
    if not cues and _quote_only(ctx, p, idxs):
        floating = _last_attribution(ctx, p - 1, attrs, para_cues, by_para)
    for k in idxs:
        if attrs[k] is not None:
            continue
        if cues:
            j = bisect_left(cue_starts, quotes[k].outer_start)
            attrs[k] = _inherit(cues[j - 1] if j else cues[0], "paragraph-verb")
        elif floating is not None:
            attrs[k] = _inherit(floating, "floating")


def _quote_only(ctx: Context, p: int, idxs: list[int]) -> bool:
    """Nothing but quotes (and punctuation) in the paragraph."""
    para = ctx.paras[p]
    text, pos = ctx.text, para.start
    for k in idxs:
        q = ctx.quotes[k]
        if any(c.isalnum() for c in text[pos : q.outer_start]):
            return False
        pos = q.outer_end
    return not any(c.isalnum() for c in text[pos : para.end])


def _last_attribution(
    ctx: Context,
    p: int,
    attrs: list[Attribution | None],
    para_cues: _ParagraphCues,
    by_para: dict[int, list[int]],
) -> Attribution | None:
    """The last speaker of the nearest non-blank paragraph before p."""
    while p >= 0 and not ctx.text[ctx.paras[p].start : ctx.paras[p].end].strip():
        p -= 1
    if p < 0:
        return None
    colon = colon_clause(ctx, ctx.paras[p].start, ctx.paras[p].end)
    if colon is not None:
        return colon
    cands = [a for k in by_para.get(p, []) if (a := attrs[k]) is not None]
    cands += para_cues.get(p)
    cands = [a for a in cands if a.speaker is not None]
    if not cands:
        return None
    return max(cands, key=lambda a: (a.cue or a.speaker or (-1, -1))[0])


def colon_clause(ctx: Context, start: int, end: int) -> Attribution | None:
    """A clause ending in a colon introduces what follows and its subject is
    the speaker ('Lee continued:', 'Novak made the following comment:',
    'The mayor is rolling out a new message: "..."')."""
    while end > start and ctx.text[end - 1].isspace():
        end -= 1
    if end == start or ctx.text[end - 1] != ":":
        return None
    verbs: list[int] = []
    for i in reversed(ctx.tok_range(start, end)):
        t = ctx.doc[i]
        if t.text in ".!?" and verbs:
            break
        if ctx.in_quote[i] >= 0 or t.text in ".!?":
            return None
        if t.pos_ == "VERB" or ctx.is_cue(t, weak=True):
            verbs.append(i)
    if not verbs:
        return heading_name(ctx, start, end)
    # the reporting verb nearest the colon ('As Pollak reported after the FBI
    # left the scene:'), else the verb nearest it ('Lee continued:'), else the
    # clause's main verb ('Trump leaned in and boomed:' leaves 'boomed'
    # without a subject)
    doc = ctx.doc
    cues = [i for i in verbs if doc[i].lemma_.lower() in REPORTING_LEMMAS]
    if cues and ctx.has_parse:
        cues.sort(key=lambda i: _depth(doc[i]))  # stable: of equals, the nearest
    a = make_attribution(ctx, cues[0], "colon") if cues else None
    a = a or make_attribution(ctx, verbs[0], "colon")
    if a is None and ctx.has_parse:
        a = make_attribution(ctx, min(verbs, key=lambda i: _depth(ctx.doc[i])), "colon")
    return a


def _depth(t: Token) -> int:
    n = 0
    while t.head.i != t.i and n < 50:  # spaCy makes a new Token per access: compare .i
        t, n = t.head, n + 1
    return n


# ---------------------------------------------------------------- reported speech

_DIRECT_SHARE = 0.9  # this much of a content inside marks is a direct quote
_UTTERANCE_SHARE = 0.3  # a whole quoted sentence this big takes over the clause


def _reported_beside_quotes(
    ctx: Context,
    reported: list[Reported],
    kinds: list[QuoteKind],
    attrs: list[Attribution | None],
) -> list[tuple[Reported, list[int]]]:
    """Reported speech the quotes do not already cover, each with the quotes
    it absorbs: a clause mostly in quotation marks is the quote's (direct,
    whatever the words before the marks: `kinds` is updated, and the verb
    that reports it is its cue in `attrs`); one partly in marks is mixed and
    its quoted fragments are part of it."""
    quotes = ctx.quotes
    starts = [q.outer_start for q in quotes]
    out = []
    for r in reported:
        r = _without_trailing_adjunct(ctx, r)
        total = sum(e - s for s, e in r.content)
        quoted, inside = 0, []
        for s, e in r.content:
            k = max(0, bisect_left(starts, s) - 1)
            while k < len(quotes) and quotes[k].outer_start < e:
                q = quotes[k]
                shared = min(e, q.outer_end) - max(s, q.outer_start)
                if shared > 0:
                    quoted += shared
                    if shared * 2 >= q.outer_end - q.outer_start:
                        inside.append(k)
                k += 1
        share = quoted / total if total else 0.0
        if share >= _DIRECT_SHARE:
            for k in inside:
                kinds[k] = "direct"  # 'said that "..."': the whole content is quoted
                if r.source is not None and _weaker_than_reported(ctx, attrs[k]):
                    attrs[k] = Attribution(r.cue, r.source, ("tok", r.cue_token), "reported")
            continue
        if share >= _UTTERANCE_SHARE and any(kinds[k] == "direct" for k in inside):
            continue  # a full utterance in marks is its own (direct) attribution
        out.append((r, inside))
    return out


_ADJUNCT_STARTS = frozenset({"before", "after", "while", "as"})


def _without_trailing_adjunct(ctx: Context, r: Reported) -> Reported:
    """'Kasich cautioned "let's not get ahead of ourselves," before
    predicting ...' / 'fans chanted, "Build a wall," referring to ...': a
    participle after the closing mark is the reporter's doing, so the
    content ends with the quote."""
    doc, quotes = ctx.doc, ctx.quotes
    s, e = r.content[-1]
    for q in quotes:
        if not s < q.outer_end < e:
            continue
        rng = ctx.tok_range(q.outer_end, e)
        toks = [doc[i] for i in rng if doc[i].text != ","][:2]
        if toks and toks[0].lower_ in _ADJUNCT_STARTS and len(toks) > 1:
            toks = toks[1:]
        if toks and toks[0].tag_ == "VBG" and toks[0].dep_ in ("advcl", "xcomp", "conj", "pcomp"):
            cut = q.outer_end if ctx.text[q.end : q.outer_end].strip() else q.end
            return Reported(r.cue, r.source, [*r.content[:-1], (s, cut)], r.cue_token, r.how)
    return r


def _weaker_than_reported(ctx: Context, a: Attribution | None) -> bool:
    """No cue of its own, or only a participle trailing it ('"...,"
    suggesting that ...'): the verb whose content the quote is wins."""
    if a is None or a.cue is None:
        return True
    token = a.key[1] if a.key[0] == "tok" else None
    return isinstance(token, int) and ctx.doc[token].tag_ == "VBG"


def _reported_quotes(
    ctx: Context,
    r: Reported,
    kind: QuoteKind,
    resolver: Resolver,
    ids: dict[tuple[object, ...], int],
) -> list[Quote]:
    text = ctx.text
    s_start, s_end, s_text, name, anonymous = _speaker_fields(ctx, r.source, resolver)
    if r.source is None:
        kind = "no-source"
    aid = ids.setdefault(("tok", r.cue_token), len(ids) + 1)
    c_start, c_end = r.cue
    return [
        Quote(
            s,
            e,
            text[s:e],
            s_start,
            s_end,
            s_text,
            c_start,
            c_end,
            text[c_start:c_end],
            kind=kind,
            speaker_name=name,
            anonymous=anonymous,
            attribution_id=aid,
        )
        for s, e in r.content
    ]


# ---------------------------------------------------------------- output


def _speaker_fields(
    ctx: Context, span: tuple[int, int] | None, resolver: Resolver
) -> tuple[int | None, int | None, str | None, str | None, bool]:
    """(start, end, text, resolved name, anonymous) of a speaker mention."""
    if span is None:
        return None, None, None, None, False
    ref = resolver.lookup(*span)
    name, anonymous = (ref.name, ref.anonymous) if ref is not None else (None, False)
    return span[0], span[1], ctx.text[span[0] : span[1]], name, anonymous


def _quote(
    ctx: Context,
    q: QuoteSpan,
    kind: QuoteKind,
    a: Attribution | None,
    resolver: Resolver,
    ids: dict[tuple[object, ...], int],
) -> Quote:
    text = ctx.text
    if a is None:
        return Quote(q.start, q.end, text[q.start : q.end], kind=kind)
    c_start = c_end = c_text = None
    s_start, s_end, s_text, name, anonymous = _speaker_fields(ctx, a.speaker, resolver)
    if a.cue is not None:
        c_start, c_end = a.cue
        c_text = text[c_start:c_end]
    aid = ids.setdefault(a.key, len(ids) + 1)
    return Quote(
        q.start,
        q.end,
        text[q.start : q.end],
        s_start,
        s_end,
        s_text,
        c_start,
        c_end,
        c_text,
        kind=kind,
        speaker_name=name,
        anonymous=anonymous,
        attribution_id=aid,
    )


__all__ = ["QUOTES_VERSION", "detect_quotes"]
