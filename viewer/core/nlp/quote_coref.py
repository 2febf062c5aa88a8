"""Resolve speaker mentions to who they are: names, pronouns, descriptions.

A light, greedy, left-to-right resolver over the mentions that matter for
quotes (subjects of reporting verbs, quote speakers, PERSON subjects):

* a name is canonicalised to the fullest PERSON name with the same surname,
  the nearest one before it ("Singh", "Mr. Singh" -> "Sabrina Singh");
* a pronoun takes the most recent compatible mention: number, person vs
  thing, and gender (from honorifics, gendered role nouns and the pronouns
  the article itself uses after a name);
* a definite description ("the official", "the president") takes the most
  recent mention with the same head noun, or a named mention carrying that
  title ("President Novak"), preferring one that has all its modifiers.

A description without a name is anonymous, and so is anything resolved to it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .quote_attrib import Context, speaker_of_cue
from .quote_lexicon import (
    DEFINITE_DETERMINERS,
    FEMALE_NAMES,
    MALE_NAMES,
    NON_PERSON_NOUNS,
    PERSON_ROLES,
    POST_NOMINALS,
    STRONG_FORMS,
)

if TYPE_CHECKING:  # spaCy is imported by whoever runs the analysis, not by importing this
    from spacy.tokens import Span, Token

_NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "PRODUCT", "WORK_OF_ART"})
_HONORIFICS = frozenset(
    "mr mr. mrs mrs. ms ms. miss dr dr. sen sen. rep rep. gov gov. gen gen. lt lt. col col. "
    "president senator governor representative secretary judge justice sir dame "
    "prof prof. professor rev rev. st. mayor minister chancellor".split()
)
_HONORIFIC_GENDER = {
    "mr": "he",
    "mr.": "he",
    "sir": "he",
    "mrs": "she",
    "mrs.": "she",
    "ms": "she",
    "ms.": "she",
    "miss": "she",
    "dame": "she",
}
_TITLE_ABBREVIATIONS = {
    "sen.": "senator",
    "sen": "senator",
    "rep.": "representative",
    "gov.": "governor",
    "gen.": "general",
    "pres.": "president",
    "lt.": "lieutenant",
    "col.": "colonel",
    "sgt.": "sergeant",
    "dr.": "doctor",
    "prof.": "professor",
    "rev.": "reverend",
    "atty.": "attorney",
    "supt.": "superintendent",
    "adm.": "admiral",
    "capt.": "captain",
}
_HE_WORDS = frozenset({"he", "his", "him", "himself"})
_SHE_WORDS = frozenset({"she", "her", "hers", "herself"})
_PRONOUN_KINDS = {
    "he": "he",
    "him": "he",
    "she": "she",
    "her": "she",
    "they": "they",
    "them": "they",
    "it": "it",
    "i": "self",
    "we": "self",
    "you": "self",
    "me": "self",
    "us": "self",
}
_PERSON_SUFFIXES = ("er", "or", "ist", "ian", "man", "woman", "person", "ee", "ant", "ent")
_NOUNISH = frozenset({"NOUN", "PROPN", "PRON"})
_MAX_PRONOUN_DISTANCE = 4000  # chars: beyond this a pronoun is not linked
_MAX_LOOKBACK = 300  # mentions searched for a description's antecedent
_GENDER_WINDOW = 25  # tokens after a subject name searched for its pronoun


@dataclass(slots=True)
class Referent:
    name: str | None
    anonymous: bool
    category: str  # person | group | thing
    plural: bool
    gender: str | None = None  # "he" / "she" when known


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    head: Token
    ref: Referent | None = None
    modifiers: frozenset[str] = field(default_factory=frozenset)
    titles: frozenset[str] = field(default_factory=frozenset)  # "president" of President Novak


class Resolver:
    """Resolves mentions in text order; ask with `lookup(start, end)`."""

    def __init__(self, ctx: Context, speaker_spans: list[tuple[int, int]]) -> None:
        self.ctx = ctx
        self.parsed = ctx.has_parse  # heads/children are unsafe without a parse
        self.ents: list[Span] = list(ctx.doc.ents)
        self.ent_starts = [e.start_char for e in self.ents]
        self.people = self._people()
        self.titled = self._titled_people()
        self.genders = self._gender_evidence()
        self.done: dict[tuple[int, int], Referent | None] = {}
        self.history: list[Mention] = []
        for span in sorted(set(speaker_spans) | self._subject_spans()):
            self._resolve(span)

    def lookup(self, start: int, end: int) -> Referent | None:
        return self.done.get((start, end))

    # ------------------------------------------------------------ inputs

    def _people(self) -> dict[str, list[tuple[int, str]]]:
        """Surname -> (offset, full name) of every multi-word PERSON mention."""
        people: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for e in self.ents:
            if e.label_ == "PERSON":
                words = _strip_honorifics(e)
                if len(words) >= 2:
                    people[_surname(words[-1])].append((e.start_char, " ".join(words)))
        return people

    def _titled_people(self) -> dict[str, list[tuple[int, str, frozenset[str]]]]:
        """Role word -> (offset, full name, all role words) for every PERSON
        written with its role: "Foreign Secretary Jack Straw", "Jack Straw,
        the foreign secretary". Lets "the foreign secretary" later be him."""
        titled: dict[str, list[tuple[int, str, frozenset[str]]]] = defaultdict(list)
        if not self.parsed:
            return titled
        doc = self.ctx.doc
        for e in self.ents:
            if e.label_ != "PERSON":
                continue
            words = []
            attached = set(range(e.start, e.end))
            i = e.start - 1
            while i >= 0 and doc[i].pos_ in ("PROPN", "NOUN", "ADJ") and doc[i].head.i in attached:
                words.append(doc[i].lower_)  # "Foreign" -> "Secretary" -> "Straw"
                attached.add(i)
                i -= 1
            for c in e.root.children:
                if c.dep_ == "appos" and c.pos_ == "NOUN":
                    words += [t.lower_ for t in c.subtree if t.pos_ in ("NOUN", "ADJ", "PROPN")]
            words = [_TITLE_ABBREVIATIONS.get(w, w) for w in words if w not in _HONORIFIC_GENDER]
            if not words:
                continue
            name = self._canonical(e, None)
            for w in set(words):
                titled[w].append((e.start_char, name, frozenset(words)))
        return titled

    def _gender_evidence(self) -> dict[str, str]:
        """Canonical name -> gender, voted by honorifics and by the first
        he/she/his/her after the name when it is a subject."""
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        doc, in_quote = self.ctx.doc, self.ctx.in_quote
        for e in self.ents:
            if e.label_ != "PERSON" or in_quote[e.start] >= 0:
                continue
            name = self._canonical(e, None)
            honorific = self._honorific_gender(e)
            if honorific:
                votes[name][honorific] += 2
            if not self.parsed or e.root.dep_ not in ("nsubj", "nsubjpass"):
                continue
            for i in range(e.end, min(len(doc), e.end + _GENDER_WINDOW)):
                t = doc[i]
                if t.is_sent_start or in_quote[i] >= 0 or t.ent_type_ == "PERSON":
                    break
                if t.lower_ in _HE_WORDS or t.lower_ in _SHE_WORDS:
                    votes[name]["he" if t.lower_ in _HE_WORDS else "she"] += 1
                    break
        genders = {name: c.most_common(1)[0][0] for name, c in votes.items() if c}
        for full in {n for cands in self.people.values() for _, n in cands}:
            first = full.split()[0].lower()
            if first in FEMALE_NAMES or first in MALE_NAMES:
                # a known first name outweighs a stray pronoun, not a "Mrs."
                contradicted = votes[full]["she" if first in MALE_NAMES else "he"] >= 2
                if not contradicted:
                    genders[full] = "she" if first in FEMALE_NAMES else "he"
        return genders

    def _subject_spans(self) -> set[tuple[int, int]]:
        """Speakers of every reporting verb and PERSON subjects: antecedents."""
        ctx = self.ctx
        found: set[tuple[int, int]] = set()
        for t in ctx.doc:
            if t.lower_ in STRONG_FORMS and ctx.in_quote[t.i] < 0 and ctx.is_cue(t, weak=False):
                span = speaker_of_cue(ctx, t.i)
                if span is not None:
                    found.add(span)
        for e in self.ents if self.parsed else ():
            if e.label_ == "PERSON" and e.root.dep_ in ("nsubj", "nsubjpass"):
                if ctx.in_quote[e.start] < 0:
                    found.add((e.start_char, e.end_char))
        return found

    # ------------------------------------------------------------ names

    def _honorific_gender(self, e: Span) -> str | None:
        first = e.start
        before = self.ctx.doc[first - 1].lower_ if first > 0 else ""
        return _HONORIFIC_GENDER.get(e[0].lower_) or _HONORIFIC_GENDER.get(before)

    def _canonical(self, e: Span, gender: str | None) -> str:
        """Full name for a PERSON mention: itself, or the nearest earlier
        full name with its surname (and no conflicting gender)."""
        words = _strip_honorifics(e)
        if len(words) >= 2:
            return " ".join(words)
        if not words:
            return e.text
        return self._nearest_full_name(_surname(words[-1]), e.start_char, gender) or words[0]

    def _nearest_full_name(self, surname: str, at: int, gender: str | None) -> str | None:
        cands = self.people.get(surname, [])
        if gender is not None:
            cands = [c for c in cands if self.genders.get(c[1], gender) == gender]
        before = [c for c in cands if c[0] < at]
        if before:
            return before[-1][1]
        return cands[0][1] if cands else None

    # ------------------------------------------------------------ resolution

    def _resolve(self, span: tuple[int, int]) -> None:
        head = self._head(*span)
        if head is None:
            self.done[span] = None
            return
        mention = Mention(span[0], span[1], head, modifiers=self._modifiers(head, span))
        mention.ref = self._referent(mention)
        self.done[span] = mention.ref
        if mention.ref is not None:
            self.history.append(mention)

    def _head(self, start: int, end: int) -> Token | None:
        """Syntactic head of the span; the end of its first noun run when
        the parse went astray (e.g. a name parsed as a verb)."""
        rng = self.ctx.tok_range(start, end)
        if not rng:
            return None
        doc = self.ctx.doc
        head = doc[rng.stop - 1]
        if not self.parsed:
            return head
        for i in rng:
            h = doc[i].head
            if h.i == i or not (rng.start <= h.i < rng.stop):
                head = doc[i]
                break
        if head.pos_ in _NOUNISH or not self.ctx.has_pos:
            return head
        run_end = None
        for i in rng:
            if doc[i].pos_ in ("NOUN", "PROPN"):
                run_end = i
            elif run_end is not None:
                break
        return doc[run_end] if run_end is not None else head

    def _modifiers(self, head: Token, span: tuple[int, int]) -> frozenset[str]:
        if not self.parsed:
            return frozenset()
        return frozenset(
            t.lower_
            for t in head.lefts
            if t.dep_ in ("amod", "compound", "nmod") and t.idx >= span[0]
        )

    def _referent(self, m: Mention) -> Referent | None:
        low = m.head.lower_
        if m.end - m.start == len(m.head.text) and low in _PRONOUN_KINDS:
            return self._pronoun(m, low)
        named = self._named(m)
        if named is not None:
            return named
        return self._description(m)

    def _named(self, m: Mention) -> Referent | None:
        ent = self._entity_for(m)
        plural = m.head.tag_ in ("NNS", "NNPS")
        if ent is not None and ent.label_ == "PERSON":
            gender = self._honorific_gender(ent)
            name = self._canonical(ent, gender)
            m.titles = self._titles(m, ent)
            gender = gender or self.genders.get(name) or _role_gender(m.titles)
            return Referent(name, False, "person", False, gender)
        if ent is not None:
            return Referent(ent.text, False, "group", plural)
        if m.head.pos_ == "PROPN":
            nearest = self._nearest_full_name(_surname(m.head.text), m.start, None)
            if nearest is None:
                nearest = _proper_chain(m.head) if self.parsed else m.head.text
            return Referent(nearest, False, "person", plural, self.genders.get(nearest))
        return None

    def _titles(self, m: Mention, ent: Span) -> frozenset[str]:
        """Role words around a name: 'Deputy Press Secretary', ', the mayor'."""
        doc = self.ctx.doc
        words = set()
        for t in doc[self.ctx.tok_range(m.start, m.end).start : ent.end]:
            if t.i < ent.start or t.lower_ in _HONORIFICS:
                words.add(_TITLE_ABBREVIATIONS.get(t.lower_, t.lower_))
        for t in ent.root.children if self.parsed else ():
            if t.dep_ == "appos" and m.start <= t.idx < m.end:
                words.add(t.lower_)
        return frozenset(words)

    def _entity_for(self, m: Mention) -> Span | None:
        """A named entity that is the mention's head or its appositive."""
        i = bisect_left(self.ent_starts, m.start)
        head = m.head
        while i < len(self.ents) and self.ents[i].start_char < m.end:
            e = self.ents[i]
            i += 1
            if e.label_ not in _NAMED_LABELS or e.end_char > m.end:
                continue
            if e.start <= head.i < e.end:
                return e
            if (
                self.parsed
                and e.label_ == "PERSON"
                and e.root.dep_ == "appos"
                and e.root.head.i == head.i
            ):
                return e
        return None

    def _pronoun(self, m: Mention, low: str) -> Referent | None:
        kind = _PRONOUN_KINDS[low]
        if kind == "self":
            return None  # I / we / you: the author or an unknown group
        for prev in reversed(self.history):
            if m.start - prev.end > _MAX_PRONOUN_DISTANCE:
                break
            ref = prev.ref
            if ref is None or prev.start >= m.start:
                continue
            if _compatible(ref, kind):
                if kind in ("he", "she") and ref.gender is None:
                    ref.gender = kind
                return ref
        return None

    def _description(self, m: Mention) -> Referent | None:
        head = _counted(m.head) if self.parsed else m.head
        lemma = (head.lemma_ or head.lower_).lower()
        first = self.ctx.doc[self.ctx.tok_range(m.start, m.end).start].lower_
        apposed = self._apposed_name(m) if self.parsed else None
        if apposed is not None:
            return apposed
        if first in DEFINITE_DETERMINERS:
            ref = self._antecedent(m, lemma) or self._titled_person(m, lemma)
            if ref is not None:
                return ref
        plural = head.tag_ in ("NNS", "NNPS")
        text = self.ctx.text[m.start : m.end]
        if _is_person_noun(head.lower_, lemma):
            return Referent(text, True, "person", plural, _role_gender({lemma}))
        return Referent(text, False, "thing", plural)

    def _apposed_name(self, m: Mention) -> Referent | None:
        """'the chairman of the Bar Council, Guy Mansfield QC': a proper name
        set off by a comma inside a description of a person is that person
        (the name may hang on any noun of the description in the parse)."""
        if not _is_person_noun(m.head.lower_, (m.head.lemma_ or m.head.lower_).lower()):
            return None
        doc = self.ctx.doc
        rng = self.ctx.tok_range(m.start, m.end)
        for i in rng:
            t = doc[i]
            if t.dep_ != "appos" or t.pos_ != "PROPN" or t.head.i not in rng:
                continue
            lo, hi = t.left_edge.i, t.right_edge.i
            if lo == 0 or doc[lo - 1].text != "," or hi >= rng.stop:
                continue
            words = [w.text for w in doc[lo : hi + 1] if w.is_alpha]
            if any(w.pos_ != "PROPN" for w in doc[lo : hi + 1] if w.is_alpha):
                continue  # "..., a lawyer": a description, no name
            while len(words) > 1 and words[-1].rstrip(".").lower() in POST_NOMINALS:
                words.pop()
            if len(words) < 2:
                continue  # "..., Jakarta": a place or a one-word name is no person's name
            name = " ".join(words)
            return Referent(name, False, "person", False, self.genders.get(name))
        return None

    def _titled_person(self, m: Mention, lemma: str) -> Referent | None:
        """'the foreign secretary' after 'Foreign Secretary Jack Straw': the
        nearest earlier person the article gave that role."""
        cands = [c for c in self.titled.get(lemma, []) if c[0] < m.start]
        wanted = m.modifiers
        fitting = [c for c in cands if wanted <= c[2]]
        if not fitting:
            return None
        _, name, _ = fitting[-1]
        return Referent(name, False, "person", False, self.genders.get(name))

    def _antecedent(self, m: Mention, lemma: str) -> Referent | None:
        fallback = None
        for prev in reversed(self.history[-_MAX_LOOKBACK:]):
            if prev.start >= m.start or prev.ref is None:
                continue
            p_lemma = (prev.head.lemma_ or prev.head.lower_).lower()
            if p_lemma != lemma and lemma not in prev.titles:
                continue
            if m.modifiers <= (prev.modifiers | prev.titles):
                return prev.ref
            fallback = fallback or prev.ref
        return fallback


# "a pair of officials", "one of his aides": the people are the noun after "of"
_COUNT_WORDS = frozenset(
    "pair couple group handful number trio few some several many one two three four "
    "five dozen dozens most all each none majority minority score scores".split()
)


def _counted(head: Token) -> Token:
    if head.lower_ not in _COUNT_WORDS and head.lemma_.lower() not in _COUNT_WORDS:
        return head
    for c in head.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None and obj.pos_ in ("NOUN", "PROPN"):
                return obj
    return head


def _compatible(ref: Referent, kind: str) -> bool:
    if kind in ("he", "she"):
        return ref.category == "person" and not ref.plural and ref.gender in (None, kind)
    if kind == "they":
        return ref.plural or ref.category == "group"
    return ref.category in ("group", "thing") and not ref.plural


def _role_gender(words: frozenset[str] | set[str]) -> str | None:
    for w in words:
        if w.endswith(("woman", "women")):
            return "she"
        if w.endswith(("man", "men")) and len(w) > 4:
            return "he"
    return None


def _is_person_noun(word: str, lemma: str) -> bool:
    """Role nouns stand for people: listed ones, and agent nouns (-er, -ist,
    -ian, -man...) that are not known things ('the report', 'the paper')."""
    if word in PERSON_ROLES or lemma in PERSON_ROLES:
        return True
    if lemma in NON_PERSON_NOUNS or lemma.endswith("ment"):
        return False
    return lemma.endswith(_PERSON_SUFFIXES) and len(lemma) > 4


def _strip_honorifics(ent: Span) -> list[str]:
    words = [t.text for t in ent if not t.is_punct or t.text == "."]
    while len(words) > 1 and words[0].lower() in _HONORIFICS:
        words = words[1:]
    if words and words[-1] in ("'s", "\u2019s"):
        words = words[:-1]
    return words


def _surname(word: str) -> str:
    return word.lower().removesuffix("'s").removesuffix("\u2019s")


def _proper_chain(head: Token) -> str:
    """'Pentagon Press Secretary Singh' style compounds ending at head."""
    toks = [t for t in head.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"] + [head]
    return " ".join(t.text for t in toks)
