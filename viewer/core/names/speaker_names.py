"""Who a speaker the analyst picks or types is: the same resolution as the model's speakers.

Plain Python over the article's text, its entities and the speakers already
found in it (no spaCy). ``resolve_speaker`` maps a mention to a name and an
anonymous flag, by these rules, in this order:

- a full PERSON name of the article, in any case, or a mention holding one
  ("Foreign Secretary Jack Straw", "the chairman of the Bar Council, Guy
  Mansfield QC") -> that person;
- a surname alone, with a courtesy title or possessive ("Blair", "Mr Blair",
  "Blair's", "BLAIR") -> the article's full name with that surname (the one
  mentioned last before ``at``, else the first);
- the very mention of a speaker the model resolved to a name -> that name;
- a role description the article ties to a named person: a title before the
  name ("Foreign Secretary Jack Straw") or an appositive beside it ("Jack
  Straw, the foreign secretary," / "the foreign secretary, Jack Straw") ->
  that person ("the foreign secretary" -> "Jack Straw");
- a name the article does not have -> that name, without titles and
  post-nominals ("Guy Mansfield QC" -> "Guy Mansfield");
- anything else stays as it is: an unnamed description ("a spokesman",
  "officials") is anonymous (``is_anonymous``), as the model's are.

``is_anonymous`` decides from the resolved name alone, so the final view can
tell an anonymous speaker from a named one without the article text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from viewer.core.model import Entity, Quote
from viewer.core.nlp.quote_lexicon import NON_PERSON_NOUNS, PERSON_ROLES, POST_NOMINALS

# Words before a name that are not part of it.
HONORIFICS = frozenset(
    "mr mrs ms miss mx dr sir dame lord lady baroness baron prof professor rev reverend fr "
    "father sister brother rabbi imam sheikh president vice senator sen rep gov governor gen "
    "general judge justice minister secretary chancellor mayor prime premier chief deputy "
    "king queen prince princess pope cardinal bishop archbishop inspector detective "
    "superintendent sergeant sgt officer captain capt colonel col lieutenant lt major "
    "commissioner ambassador councillor councilor commander dean principal".split()
)
DETERMINERS = frozenset(
    "a an the this that these those some several many few one two three four five six "
    "seven eight nine ten dozens dozen most all both each another other any no his her "
    "their its our my your".split()
)
# Where a description's head chunk ends: "the chairman | of the Bar Council".
CHUNK_ENDS = frozenset(
    "of for at from in with who whom which that on to by , ; : said says told".split()
)
PRONOUNS = frozenset("he she they it we i you him her them us me one who".split())
_SMALL = frozenset("of the and for at in on to by a an".split())
_PARTICLES = frozenset("de van von der den du la le da di bin al el ter ten".split())
_PERSON_SUFFIXES = ("er", "or", "ist", "ian", "man", "woman", "person", "ee", "ant", "ent")
_QUOTE_MARKS = "\"'“”‘’«»„‚`"
_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*|\d[\w'’.-]*|[,;:]")
_TITLE_REACH = 6  # words before a name read as its title ("Foreign Secretary Jack Straw")
_APPOSITIVE_REACH = 120  # characters of an appositive beside a name


@dataclass(frozen=True)
class ResolvedSpeaker:
    name: str | None  # None: nobody (an empty mention)
    anonymous: bool


@dataclass(frozen=True)
class SpeakerChoice:
    """A speaker as stored: the resolved name, at a mention of it in the text if any."""

    name: str
    anonymous: bool
    start: int | None = None  # a mention of exactly this name in the text
    end: int | None = None

    def label(self) -> str:
        return f"{self.name} (anonymous)" if self.anonymous else self.name


@dataclass(frozen=True)
class _Person:
    name: str  # canonical: "Tony Blair"
    words: tuple[str, ...]  # lower case: ("tony", "blair")
    mentions: tuple[tuple[int, int], ...]  # where the article names them

    @property
    def surname(self) -> str:
        return self.words[-1]


# -- words ---------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [_unpossessive(t) for t in _TOKEN.findall(text)]


def _unpossessive(word: str) -> str:
    for tail in ("'s", "’s", "'", "’"):
        if word.endswith(tail) and len(word) > len(tail):
            return word[: -len(tail)]
    return word


def _bare(word: str) -> str:
    return word.lower().rstrip(".")


def _clean(mention: str) -> str:
    return " ".join(mention.split()).strip(_QUOTE_MARKS + " ,;:.-—–").strip()


def _name_words(text: str) -> list[str]:
    """A name's words without titles before it and letters after it: 'Mr Tony Blair's'
    -> Tony Blair; 'Guy Mansfield QC' -> Guy Mansfield."""
    words = [t for t in _tokens(text) if t not in ",;:"]
    while len(words) > 1 and _bare(words[0]) in HONORIFICS:
        words = words[1:]
    while len(words) > 1 and _bare(words[-1]) in POST_NOMINALS:
        words = words[:-1]
    return words


def person_name(text: str) -> str:
    """A PERSON mention as a bare name: 'Mr Tony Blair's' -> 'Tony Blair'."""
    return " ".join(_name_words(text))


def _is_name_word(word: str) -> bool:
    return word[:1].isupper() and _bare(word) not in HONORIFICS | DETERMINERS | _SMALL


def _is_name(words: Sequence[str]) -> bool:
    """Capitalised name words, with particles inside ("Ludwig van Beethoven")."""
    inner = all(_is_name_word(w) or _bare(w) in _PARTICLES for w in words[1:-1])
    return bool(words) and _is_name_word(words[0]) and _is_name_word(words[-1]) and inner


def _is_person_noun(word: str) -> bool:
    """Role nouns stand for people (the model's lexicon, and agent nouns like it)."""
    low = _bare(word)
    if low in PERSON_ROLES or low.rstrip("s") in PERSON_ROLES:
        return True
    if low in NON_PERSON_NOUNS or low.endswith("ment"):
        return False
    return low.endswith(_PERSON_SUFFIXES) and len(low) > 4


def _head_chunk(text: str) -> list[str]:
    """The words of a description up to its head: 'the chairman of ...' -> [the, chairman].
    Empty when it starts with a linking word ('who met ...')."""
    chunk: list[str] = []
    for t in _tokens(text):
        if _bare(t) in CHUNK_ENDS:
            break
        chunk.append(t)
    return chunk


def is_anonymous(name: str | None) -> bool:
    """Whether a resolved speaker is an unnamed description ("a spokesman", "officials",
    "the chairman of the Bar Council"): its head is a person noun written as a common
    noun, with no name before it ("John Mayor", "Mr Judge" are names)."""
    chunk = _head_chunk(name or "")
    if not chunk:
        return False
    head = chunk[-1]
    if _bare(head) in PRONOUNS:
        return False
    if head.islower() or _bare(chunk[0]) in DETERMINERS:
        return _is_person_noun(head)
    # A capitalised word alone: "Officials" opening a sentence, but not "Miller".
    return len(chunk) == 1 and _bare(head) in PERSON_ROLES


# -- the article's people ----------------------------------------------------------------


def _people(entities: Iterable[Entity], quotes: Iterable[Quote]) -> list[_Person]:
    """Every person the article names: multi-word PERSON names, and single names
    no full name accounts for; plus the names the model resolved speakers to."""
    found: dict[tuple[str, ...], tuple[str, list[tuple[int, int]]]] = {}
    singles: list[tuple[str, tuple[int, int]]] = []
    for e in sorted((e for e in entities if e.label == "PERSON"), key=lambda e: e.start):
        words = _name_words(e.text)
        if len(words) >= 2:
            key = tuple(_bare(w) for w in words)
            found.setdefault(key, (" ".join(words), []))[1].append((e.start, e.end))
        elif words:
            singles.append((words[0], (e.start, e.end)))
    for q in quotes:
        name = q.speaker_name
        if not name or q.anonymous or q.speaker_start is None or q.speaker_end is None:
            continue
        words = _name_words(name)
        if len(words) >= 2 and _is_name(words):
            key = tuple(_bare(w) for w in words)
            found.setdefault(key, (" ".join(words), []))[1].append((q.speaker_start, q.speaker_end))
    surnames = {key[-1] for key in found}
    for word, span in singles:
        if _bare(word) not in surnames:
            found.setdefault((_bare(word),), (word, []))[1].append(span)
    return [_Person(name, key, tuple(sorted(spans))) for key, (name, spans) in found.items()]


def _nearest(people: Sequence[_Person], at: int | None) -> _Person:
    """The person mentioned last before ``at``, else the first mentioned."""

    def first(p: _Person) -> int:
        return p.mentions[0][0] if p.mentions else 0

    if at is not None:
        before = [(max(s for s, _ in p.mentions if s < at), p) for p in people
                  if any(s < at for s, _ in p.mentions)]  # fmt: skip
        if before:
            return max(before, key=lambda x: x[0])[1]
    return min(people, key=first)


def _contains(words: Sequence[str], part: Sequence[str]) -> int:
    """The end index of the last place ``part`` occurs in ``words``; -1 if nowhere."""
    n = len(part)
    ends = [i + n for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == tuple(part)]
    return max(ends, default=-1)


# -- the rules -------------------------------------------------------------------------


def _named_person(mention: str, people: Sequence[_Person]) -> _Person | None:
    """A full name of the article in the mention: the one said last ('…, Guy Mansfield')."""
    words = [_bare(t) for t in _tokens(mention) if t not in ",;:"]
    full = [(p, _contains(words, p.words)) for p in people if len(p.words) >= 2]
    full = [(p, end) for p, end in full if end >= 0]
    return max(full, key=lambda x: (x[1], len(x[0].words)))[0] if full else None


def _by_surname(mention: str, people: Sequence[_Person], at: int | None) -> _Person | None:
    words = _name_words(mention)
    if len(words) != 1 or not words[0][:1].isalpha():
        return None
    low = _bare(words[0])
    matches = [p for p in people if p.surname == low]
    if not matches:
        return None
    full = [p for p in matches if len(p.words) >= 2]
    return _nearest(full or matches, at)


def _model_speaker(mention: str, quotes: Iterable[Quote]) -> str | None:
    low = mention.lower()
    for q in quotes:
        if q.speaker_text and q.speaker_name and not q.anonymous:
            if _clean(q.speaker_text).lower() == low and q.speaker_name != q.speaker_text:
                return q.speaker_name
    return None


def _content_words(text: str) -> list[str]:
    return [
        _bare(t)
        for t in _tokens(text)
        if t not in ",;:" and _bare(t) not in DETERMINERS and _bare(t) not in _SMALL
    ]


def _clause_before(text: str, start: int) -> str:
    """The words right before ``start``, back to a comma, sentence end or quotation mark."""
    piece = text[max(0, start - _APPOSITIVE_REACH) : start]
    cut = max(piece.rfind(c) for c in ",.;:!?\n()" + _QUOTE_MARKS)
    return piece[cut + 1 :]


def _title_words(word: str) -> bool:
    return word[:1].isupper() or _bare(word) in HONORIFICS or _is_person_noun(word)


def _ties(text: str, start: int, end: int) -> list[tuple[str, set[str]]]:
    """(head, words) of each role the article gives a mention of a person: the title
    right before it ("Foreign Secretary Jack Straw"), an appositive after it ("Jack
    Straw, the foreign secretary,") or before it ("the foreign secretary, Jack Straw")."""
    ties = []
    title: list[str] = []
    for t in reversed([t for t in _tokens(_clause_before(text, start)) if t not in ",;:"]):
        if not _title_words(t) or len(title) == _TITLE_REACH:
            break
        title.insert(0, t)
    if title:
        ties.append((_bare(title[-1]), set(_content_words(" ".join(title)))))
    clauses = []
    after = text[end : end + _APPOSITIVE_REACH].lstrip()
    if after.startswith(","):
        clauses.append(re.split(r"[,.;:!?\n()]", after[1:], maxsplit=1)[0])
    before = text[max(0, start - _APPOSITIVE_REACH) : start].rstrip()
    if before.endswith(","):
        clauses.append(_clause_before(before, len(before) - 1))
    for clause in clauses:
        chunk = _head_chunk(clause)
        if chunk and _bare(chunk[0]) not in PRONOUNS and _is_person_noun(chunk[-1]):
            ties.append((_bare(chunk[-1]), set(_content_words(clause))))
    return ties


def _tied_person(
    mention: str, text: str, people: Sequence[_Person], at: int | None
) -> _Person | None:
    """The named person a description stands for, by the roles the article gives them."""
    chunk = _head_chunk(mention)
    if not chunk or not _is_person_noun(chunk[-1]):
        return None
    head = _bare(chunk[-1])
    wanted = set(_content_words(mention))
    tied: list[tuple[int, _Person]] = []
    for p in people:
        for s, e in p.mentions if len(p.words) >= 2 else ():
            if any(h == head and wanted <= words for h, words in _ties(text, s, e)):
                tied.append((s, p))
    if not tied:
        return None
    before = [x for x in tied if at is not None and x[0] < at]
    return max(before, key=lambda x: x[0])[1] if before else min(tied, key=lambda x: x[0])[1]


def _name_part(mention: str) -> str | None:
    """A name the article does not know: the part of the mention that is a name
    ('the chairman of the Bar Council, Guy Mansfield QC' -> Guy Mansfield)."""
    for part in re.split(r"[,;]", mention):
        words = _name_words(part)
        if words and not is_anonymous(part) and _is_name(words):
            return " ".join(words)
    return None


def resolve_speaker(
    mention: str,
    text: str,
    entities: Iterable[Entity],
    quotes: Iterable[Quote] = (),
    at: int | None = None,
) -> ResolvedSpeaker:
    """The speaker a typed or picked mention stands for (see the module doc).

    ``at``: where the attribution is (its content's start), to choose between two
    people of the same surname or title: the one named last before it."""
    clean = _clean(mention)
    if not clean:
        return ResolvedSpeaker(None, False)
    quotes = list(quotes)
    people = _people(entities, quotes)
    person = _named_person(clean, people) or _by_surname(clean, people, at)
    name = person.name if person else _model_speaker(clean, quotes)
    if name is None and _bare(clean) not in PRONOUNS:
        tied = _tied_person(clean, text, people, at)
        name = tied.name if tied else None
    if name is None:
        name = _name_part(clean)
    name = name or clean
    return ResolvedSpeaker(name, is_anonymous(name))


# -- as stored -----------------------------------------------------------------------------


def mention_of(name: str, text: str, at: int | None = None) -> tuple[int, int] | None:
    """A mention of exactly ``name`` (any case, whole words) in the text: the last one
    before ``at``, else the first after; None when the text never has it."""
    if not name.strip():
        return None
    pattern = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)", re.IGNORECASE)
    spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not spans:
        return None
    if at is not None:
        before = [s for s in spans if s[1] <= at]
        if before:
            return before[-1]
    return spans[0]


def choose_speaker(
    mention: str,
    text: str,
    entities: Iterable[Entity],
    quotes: Iterable[Quote] = (),
    at: int | None = None,
) -> SpeakerChoice | None:
    """A typed or picked mention as the analyst's speaker is stored: resolved, at a
    mention of that name in the text (a name the text never has: no span)."""
    resolved = resolve_speaker(mention, text, entities, quotes, at)
    if resolved.name is None:
        return None
    return stored_choice(resolved.name, text, at)


def stored_choice(name: str, text: str, at: int | None = None) -> SpeakerChoice:
    span = mention_of(name, text, at)
    shown = text[span[0] : span[1]] if span else name  # the text's own spelling
    return SpeakerChoice(shown, is_anonymous(shown), *(span or (None, None)))


def speaker_choices(
    text: str, entities: Iterable[Entity], quotes: Iterable[Quote] = (), at: int | None = None
) -> list[SpeakerChoice]:
    """The article's people and the speakers already in it, to pick from: named
    people first (in the order the article names them), then unnamed speakers."""
    quotes = list(quotes)
    people = sorted(
        _people(entities, quotes), key=lambda p: p.mentions[0] if p.mentions else (0, 0)
    )
    out: dict[str, SpeakerChoice] = {}
    for p in people:
        choice = stored_choice(p.name, text, at)
        out.setdefault(choice.name.lower(), choice)
    for q in quotes:
        name = q.speaker_name or q.speaker_text
        if not name or name.lower() in out:
            continue
        if q.anonymous or is_anonymous(name):
            choice = stored_choice(_clean(name), text, at)
            out.setdefault(choice.name.lower(), choice)
        elif _bare(name) not in PRONOUNS:
            chosen = choose_speaker(name, text, [], quotes, at)
            if chosen is not None:
                out.setdefault(chosen.name.lower(), chosen)
    named = [c for c in out.values() if not c.anonymous]
    return named + [c for c in out.values() if c.anonymous]
