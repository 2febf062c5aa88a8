"""A synthetic news corpus for benchmarks: generated on demand, never stored as data.

Articles are about 500 words of news-like prose on a handful of beats, with
people, organisations, places, dates and sums, and quotes in the attribution
styles real reporting uses (said-after, colon, interrupted, pronoun,
"according to", anonymous sources, scare quotes). Every article is a pure
function of (seed, index), so a small corpus is a prefix of a large one, and
each article knows its own entities and quotes (``SyntheticArticle.entities``
/ ``.quotes``), which lets a benchmark fill a big database without running
the model on all of it.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from viewer.core.model import Entity, Quote

TARGET_WORDS = 500

FEMALE = (
    "Mary Anna Sofia Emma Olivia Amara Priya Chen Fatima Lucia Ingrid Hannah Grace Aisha Maria "
    "Elena Yuki Nadia Clara Rosa Leila Sarah Julia Mei Zainab Ines Helen Laura Ruth Aylin Noor "
    "Beatriz Karin Sabrina Dana Vera Alice Irene Joanna Teresa"
).split()
MALE = (
    "James John Robert Michael David Ahmed Kwame Luis Hiroshi Ivan Pierre Tomas Rahul Omar Peter "
    "Daniel Samuel Carlos Mateo Jonas Felix Diego Arjun Wei Yusuf Kofi Andre Marco Stefan Lars "
    "Thomas Paul Simon Victor Nikolai Oscar Hugo Rafael Emil Malik"
).split()
SURNAMES = (
    "Smith Johnson Okafor Nguyen Garcia Muller Rossi Kowalski Tanaka Haddad Singh Patel Silva "
    "Andersson Novak Dubois Brennan Osei Kim Park Fischer Moreau Costa Ivanova Horvat Larsen "
    "Mensah Abebe Castillo Romero Jensen Bauer Meyer Lindqvist Ferreira Nakamura Sato Mwangi "
    "Achebe Weber Hoffmann Yilmaz Demir Khan Rahman Lopez Martin Bernard Walsh Murphy Byrne"
).split()
PLACES = (
    "London Paris Berlin Madrid Rome Lisbon Dublin Warsaw Prague Vienna Athens Oslo Stockholm "
    "Helsinki Copenhagen Brussels Amsterdam Geneva Zurich Istanbul Cairo Lagos Nairobi Accra "
    "Johannesburg Mumbai Delhi Karachi Dhaka Jakarta Manila Tokyo Seoul Beijing Shanghai Sydney "
    "Melbourne Auckland Toronto Montreal Chicago Boston Houston Denver Seattle Atlanta Miami "
    "Mexico Lima Bogota Santiago Brazil Argentina Canada Germany France Spain Italy Poland Kenya "
    "Nigeria Ghana India Pakistan Japan Australia Norway Sweden Finland Ireland Egypt Turkey"
).split()
SOURCES = (
    "Daily Ledger",
    "Northern Courier",
    "Metro Tribune",
    "Coastal Herald",
    "The Evening Post",
    "Capital Wire",
    "Valley Gazette",
    "World Dispatch",
    "Harbour Times",
    "The Observer Review",
)
ORG_FORMS = (
    "{S} Holdings",
    "{S} Group",
    "{S} Industries",
    "{S} Capital",
    "{G} City Council",
    "University of {G}",
    "{G} General Hospital",
    "Bank of {G}",
    "{G} Port Authority",
    "{S} & {S2} LLP",
)
FIXED_ORGS = (
    "the Ministry of Finance",
    "the Ministry of Health",
    "the European Commission",
    "the World Health Organization",
    "the United Nations",
    "the Federal Reserve",
    "the National Union of Teachers",
    "Greenfield Energy",
    "Atlas Motors",
    "Northwind Airlines",
    "Helix Pharmaceuticals",
    "Orbital Systems",
)
ROLES = (
    "chief executive",
    "spokesperson",
    "minister",
    "professor",
    "director",
    "mayor",
    "senior analyst",
    "chair",
    "lead researcher",
    "union leader",
)
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

# Each beat: words for headlines and prose. Slots: {P} person, {L} a person's
# surname (same person), {O} organisation, {G} place, {D} date, {M} money,
# {C} percentage, {n} noun, {a} adjective, {an} "a/an" + adjective, {v} verb.
BEATS: dict[str, dict[str, tuple[str, ...]]] = {
    "economy": {
        "n": (
            "inflation",
            "interest rates",
            "the budget",
            "wages",
            "exports",
            "the bond market",
            "growth",
            "the deficit",
            "consumer spending",
            "tax receipts",
        ),
        "a": ("sluggish", "robust", "uneven", "fragile", "resilient", "volatile"),
        "v": ("cut", "raise", "freeze", "review", "stabilise", "overhaul"),
    },
    "health": {
        "n": (
            "waiting lists",
            "the vaccine programme",
            "hospital capacity",
            "nurse staffing",
            "drug prices",
            "the outbreak",
            "mental health services",
            "clinical trials",
        ),
        "a": ("overstretched", "promising", "alarming", "steady", "unprecedented"),
        "v": ("expand", "fund", "restrict", "monitor", "reform", "delay"),
    },
    "climate": {
        "n": (
            "emissions",
            "the flood defences",
            "wind farms",
            "the heatwave",
            "carbon pricing",
            "the drought",
            "solar capacity",
            "sea levels",
        ),
        "a": ("record", "severe", "ambitious", "modest", "irreversible", "costly"),
        "v": ("reduce", "invest in", "phase out", "adapt", "protect", "measure"),
    },
    "technology": {
        "n": (
            "the chip shortage",
            "data privacy",
            "the new platform",
            "artificial intelligence",
            "cybersecurity",
            "broadband coverage",
            "the software update",
            "cloud contracts",
        ),
        "a": ("disruptive", "secure", "experimental", "costly", "popular", "flawed"),
        "v": ("launch", "regulate", "acquire", "patch", "scale", "license"),
    },
    "politics": {
        "n": (
            "the coalition",
            "the election",
            "the reform bill",
            "the referendum",
            "party funding",
            "the inquiry",
            "the opposition",
            "voter turnout",
        ),
        "a": ("bitter", "narrow", "historic", "contentious", "fragile", "decisive"),
        "v": ("block", "support", "debate", "amend", "challenge", "approve"),
    },
    "transport": {
        "n": (
            "the rail strike",
            "fuel prices",
            "the new bridge",
            "airport expansion",
            "bus routes",
            "road safety",
            "the metro line",
            "freight volumes",
        ),
        "a": ("delayed", "overdue", "crowded", "efficient", "expensive", "reliable"),
        "v": ("build", "suspend", "extend", "electrify", "reopen", "subsidise"),
    },
}

HEADLINES = (
    "{O} to {v} {n} as {G} braces for change",
    "{P} warns over {n}",
    "{a} outlook for {n} in {G}",
    "{G}: {O} faces questions on {n}",
    "Why {n} matters for {G}",
    "{O} and {O2} clash over {n}",
)
SENTENCES = (
    "{O} said on {D} that it would {v} {n} after months of pressure.",
    "Officials in {G} have described {n} as {a}, citing figures released by {O}.",
    "The plan, worth {M}, was announced in {G} on {D}.",
    "{P}, a {role} at {O}, has long argued that {n} needs attention.",
    "Critics say the decision to {v} {n} could cost as much as {M} over five years.",
    "Figures published on {D} showed a change of {C} compared with the previous year.",
    "Residents of {G} told reporters the situation had become {a}.",
    "{P} described the outcome as {an} result for {G}.",
    "Analysts at {O} expect {n} to remain {a} well into next year.",
    "The announcement follows talks between {O} and {O2} in {G}.",
    "{P} is expected to meet representatives of {O} in {G} next week.",
    "A report by {O} found that {n} had grown by {C} since {D}.",
    "Local businesses in {G} said they were watching {n} closely.",
    "It is the third time this year that {O} has moved to {v} {n}.",
    "Opposition figures accused {O} of failing to {v} {n} in time.",
    "The debate over {n} is likely to dominate the coming weeks in {G}.",
)
QUOTE_BODIES = (
    "We have to {v} {n} before it is too late",
    "Nobody expected {n} to become this {a} so quickly",
    "This is {an} moment for everyone in {G}",
    "Our priority is to {v} {n} and protect the people who depend on it",
    "The numbers speak for themselves, and they are {a}",
    "I have spoken to families in {G} and they are worried about {n}",
    "We will not {v} {n} without a proper consultation",
    "Frankly, the response to {n} has been {a} from the start",
    "There is no quick fix, but we intend to {v} {n} this year",
    "People deserve to know what {O} plans to do about {n}",
)
SECOND_BODIES = (
    "That is the reality we face",
    "We owe it to the next generation",
    "Anything else would be irresponsible",
    "The details will follow in the spring",
    "I am confident we can get there",
)
ANONYMOUS = (
    "an official who asked not to be named",
    "a senior government source",
    "one person familiar with the talks",
    "a spokesperson who declined to be identified",
)
CUES = ("said", "told reporters", "added", "warned", "explained", "argued")


@dataclass(frozen=True)
class SyntheticArticle:
    """One generated article with the entities and quotes it was built from."""

    id: str
    title: str
    text: str
    source: str
    date: str  # ISO YYYY-MM-DD
    url: str
    entities: tuple[Entity, ...]
    quotes: tuple[Quote, ...]

    def record(self) -> dict[str, str]:
        """The JSONL fields viewer's corpus loader reads."""
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "source": self.source,
            "date": self.date,
            "url": self.url,
        }


@dataclass(frozen=True)
class _Person:
    first: str
    last: str
    female: bool

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


class _Writer:
    """Builds the text piece by piece, recording where each entity and quote lands."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []
        self.quotes: list[Quote] = []

    def add(self, s: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start, self.pos

    def entity(self, s: str, label: str) -> tuple[int, int]:
        start, end = self.add(s)
        self.entities.append(Entity(start, end, label, s))
        return start, end

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Article:
    """The random choices for one article and the prose it turns into."""

    def __init__(self, rng: random.Random, index: int):
        self.rng = rng
        self.index = index
        self.beat = BEATS[rng.choice(sorted(BEATS))]
        self.place = rng.choice(PLACES)
        self.people = [self._person() for _ in range(rng.randint(3, 6))]
        self.orgs = [self._org() for _ in range(rng.randint(2, 4))]
        self.roles = {p.name: rng.choice(ROLES) for p in self.people}
        self.w = _Writer()
        self.attribution = 0

    # -- pools ---------------------------------------------------------------

    def _person(self) -> _Person:
        female = self.rng.random() < 0.5
        first = self.rng.choice(FEMALE if female else MALE)
        return _Person(first, self._surname(), female)

    def _surname(self) -> str:
        # Mostly common surnames, plus a long tail of made-up ones (real
        # corpora have many names that occur once).
        if self.rng.random() < 0.6:
            return self.rng.choice(SURNAMES)
        syllables = ("ka", "lo", "mer", "di", "san", "tor", "vi", "an", "bel", "ru", "os", "en")
        parts = [self.rng.choice(syllables) for _ in range(self.rng.randint(2, 3))]
        return "".join(parts).capitalize()

    def _org(self) -> str:
        if self.rng.random() < 0.4:
            return self.rng.choice(FIXED_ORGS)
        form = self.rng.choice(ORG_FORMS)
        return form.format(
            S=self.rng.choice(SURNAMES), S2=self.rng.choice(SURNAMES), G=self.rng.choice(PLACES)
        )

    def _date_phrase(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            return self.rng.choice(WEEKDAYS)
        return f"{self.rng.randint(1, 28)} {self.rng.choice(MONTHS)}"

    # -- slots ---------------------------------------------------------------

    def fill(self, template: str, person: _Person | None = None) -> None:
        """Write ``template``, turning its slots into text (and entities)."""
        person = person or self.rng.choice(self.people)
        i = 0
        while i < len(template):
            j = template.find("{", i)
            if j == -1:
                self.w.add(template[i:])
                return
            self.w.add(template[i:j])
            k = template.index("}", j)
            self._slot(template[j + 1 : k], person)
            i = k + 1

    def _slot(self, name: str, person: _Person) -> None:
        w, rng = self.w, self.rng
        if name == "P":
            w.entity(person.name, "PERSON")
        elif name == "L":
            w.entity(person.last, "PERSON")
        elif name == "O":
            # Never the last one, which {O2} names: "talks between X and X" reads badly.
            self._org_mention(self.orgs[0] if rng.random() < 0.4 else rng.choice(self.orgs[:-1]))
        elif name == "O2":
            self._org_mention(self.orgs[-1])
        elif name == "G":
            w.entity(self.place if rng.random() < 0.6 else rng.choice(PLACES), "GPE")
        elif name == "D":
            w.entity(self._date_phrase(), "DATE")
        elif name == "M":
            unit = rng.choice(("million", "billion"))
            amount = f"${rng.randint(2, 950)}{rng.choice(('', '.5'))} {unit}"
            w.entity(amount, "MONEY")
        elif name == "C":
            w.entity(f"{rng.randint(1, 40)}.{rng.randint(0, 9)} per cent", "PERCENT")
        elif name == "role":
            w.add(self.roles[person.name])
        elif name in ("n", "a", "v"):
            w.add(rng.choice(self.beat[name]))
        elif name == "an":
            adjective = rng.choice(self.beat["a"])
            w.add(("an " if adjective[0] in "aeiou" else "a ") + adjective)
        else:  # pragma: no cover - a typo in a template
            raise KeyError(name)

    def _org_mention(self, org: str) -> None:
        # "the United Nations": the article is not part of the name.
        if org.startswith("the "):
            self.w.add("the ")
            org = org[4:]
        self.w.entity(org, "ORG")

    # -- quotes --------------------------------------------------------------

    def _marks(self) -> tuple[str, str]:
        return ("\u201c", "\u201d") if self.rng.random() < 0.5 else ('"', '"')

    def _quoted(self, body: str, person: _Person, end: str) -> tuple[int, int]:
        """Write an opening mark, the body with slots, ``end`` punctuation, closing mark."""
        op, cl = self._marks()
        self.w.add(op)
        start = self.w.pos
        self.fill(body, person)
        self.w.add(end)
        stop = self.w.pos
        self.w.add(cl)
        return start, stop

    def _record(
        self,
        span: tuple[int, int],
        speaker: tuple[int, int] | None,
        cue: tuple[int, int] | None,
        name: str | None,
        anonymous: bool = False,
        kind: str = "direct",
    ) -> None:
        text = self.w.text
        self.w.quotes.append(
            Quote(
                start=span[0],
                end=span[1],
                text=text[span[0] : span[1]],
                speaker_start=speaker[0] if speaker else None,
                speaker_end=speaker[1] if speaker else None,
                speaker_text=text[speaker[0] : speaker[1]] if speaker else None,
                cue_start=cue[0] if cue else None,
                cue_end=cue[1] if cue else None,
                cue_text=text[cue[0] : cue[1]] if cue else None,
                kind=kind,  # type: ignore[arg-type]
                speaker_name=name,
                anonymous=anonymous,
                attribution_id=self.attribution,
            )
        )

    def quote(self, person: _Person) -> None:
        """One quote paragraph in a randomly chosen attribution style."""
        rng, w = self.rng, self.w
        self.attribution += 1
        body = rng.choice(QUOTE_BODIES)
        style = rng.randrange(8)
        if style == 0:  # "…," said Name, the role at Org.
            q = self._quoted(body, person, ",")
            w.add(" ")
            cue = w.add("said")
            w.add(" ")
            sp = w.entity(person.name, "PERSON")
            w.add(f", {self.roles[person.name]} at ")
            self._org_mention(rng.choice(self.orgs))
            w.add(".")
            self._record(q, sp, cue, person.name)
        elif style == 1:  # Name said: "…."
            sp = w.entity(person.name, "PERSON")
            w.add(" ")
            cue = w.add(rng.choice(("said", "told reporters")))
            w.add(": ")
            q = self._quoted(body, person, ".")
            self._record(q, sp, cue, person.name)
        elif style == 2:  # "…," Surname said.
            q = self._quoted(body, person, ",")
            w.add(" ")
            sp = w.entity(person.last, "PERSON")
            w.add(" ")
            cue = w.add(rng.choice(CUES))
            w.add(".")
            self._record(q, sp, cue, person.name)
        elif style == 3:  # "…," she said.
            q = self._quoted(body, person, ",")
            w.add(" ")
            sp = w.add("she" if person.female else "he")
            w.add(" ")
            cue = w.add(rng.choice(("said", "added")))
            w.add(".")
            self._record(q, sp, cue, person.name)
        elif style == 4:  # "…," said Name. "…."
            q = self._quoted(body, person, ",")
            w.add(" ")
            cue = w.add("said")
            w.add(" ")
            sp = w.entity(person.name, "PERSON")
            w.add(". ")
            self._record(q, sp, cue, person.name)
            q2 = self._quoted(rng.choice(SECOND_BODIES), person, ".")
            self._record(q2, sp, cue, person.name)
        elif style == 5:  # "…," said an official who asked not to be named.
            q = self._quoted(body, person, ",")
            w.add(" ")
            cue = w.add("said")
            w.add(" ")
            sp = w.add(rng.choice(ANONYMOUS))
            w.add(".")
            self._record(q, sp, cue, None, anonymous=True)
        elif style == 6:  # "…", according to Name.
            q = self._quoted(body, person, "")
            w.add(", ")
            cue = w.add("according to")
            w.add(" ")
            sp = w.entity(person.name, "PERSON")
            w.add(".")
            self._record(q, sp, cue, person.name)
        else:  # Name called it "a … …". (a mixed, scare-quoted fragment)
            sp = w.entity(person.name, "PERSON")
            w.add(" ")
            cue = w.add("called")
            w.add(" the plan ")
            q = self._quoted("{an} approach to {n}", person, "")
            w.add(".")
            self._record(q, sp, cue, person.name, kind="mixed")

    # -- the article ---------------------------------------------------------

    def build(self) -> tuple[str, str]:
        rng, w = self.rng, self.w
        headline = _Writer()
        # The headline is generated with its own writer so its entities are not
        # mistaken for the text's; only its string is kept.
        saved, self.w = self.w, headline
        self.fill(rng.choice(HEADLINES))
        self.w = saved
        title = headline.text[0].upper() + headline.text[1:]
        words = 0
        paragraph = 0
        while words < TARGET_WORDS:
            if paragraph:
                w.add("\n\n")
            start = w.pos
            if paragraph and rng.random() < 0.35:
                self.quote(rng.choice(self.people))
            else:
                for s in range(rng.randint(2, 4)):
                    if s:
                        w.add(" ")
                    self.fill(rng.choice(SENTENCES))
            words += len(w.text[start:].split())
            paragraph += 1
        return title, w.text


def article(index: int, seed: int = 0) -> SyntheticArticle:
    """The ``index``-th article of corpus ``seed`` (the same every time)."""
    rng = random.Random(f"viewer-synthetic:{seed}:{index}")
    a = _Article(rng, index)
    title, text = a.build()
    year = 2019 + rng.randrange(6)
    date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    source = rng.choice(SOURCES)
    slug = source.lower().replace(" ", "-")
    return SyntheticArticle(
        id=f"syn-{seed}-{index:07d}",
        title=title,
        text=text,
        source=source,
        date=date,
        url=f"https://{slug}.example/{date}/{index}",
        entities=tuple(a.w.entities),
        quotes=tuple(a.w.quotes),
    )


def generate(n: int, seed: int = 0, start: int = 0) -> Iterator[SyntheticArticle]:
    """Articles ``start`` .. ``start + n - 1`` of corpus ``seed``."""
    for index in range(start, start + n):
        yield article(index, seed)


def write_jsonl(
    path: str | Path,
    n: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write ``n`` articles as JSONL (to a temp file, then renamed); returns ``n``."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for i, art in enumerate(generate(n, seed), 1):
            fh.write(json.dumps(art.record(), ensure_ascii=False) + "\n")
            if progress is not None and (i % 1000 == 0 or i == n):
                progress(i, n)
    os.replace(tmp, path)
    return n
