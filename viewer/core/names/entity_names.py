"""Which written forms of an entity name one thing: "Tony Blair", "Mr Blair", "Blair's".

The corpus tables count an entity once however it is written. A form's key
is its name without what varies around it: for a person the courtesy title,
the post-nominals and the possessive ("Mr Tony Blair's" -> "Tony Blair", the
same rules as speaker names); for anything else the possessive and a leading
"the" ("the Pentagon's" -> "Pentagon"). Keys compare without case.

A surname alone ("Blair", "Mr Blair") joins a full name when the corpus has
exactly one full name ending with it ("Tony Blair"); with two ("Boris
Johnson", "Lyndon Johnson") it stays a row of its own, as a reader could not
tell which is meant either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from viewer.core.names.speaker_names import person_name

PERSON = "PERSON"
_POSSESSIVES = ("'s", "’s", "'", "’")


@dataclass(frozen=True)
class Form:
    """One written form of an entity, with how often the corpus has it."""

    text: str
    label: str
    mentions: int


@dataclass(frozen=True)
class Group:
    """The forms of one entity: its name, and its forms most mentioned first."""

    name: str
    label: str
    forms: tuple[str, ...]


def entity_key(text: str, label: str) -> str:
    """The form's name without what varies around it (case kept; compare lower-cased)."""
    if label == PERSON:
        return person_name(text) or " ".join(text.split())
    words = text.split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if words:
        words[-1] = _unpossessive(words[-1])
    return " ".join(words)


def surname_of(key: str) -> str | None:
    """The last word (lower case) of a person's key of two words or more, else None."""
    words = key.split()
    return words[-1].lower() if len(words) >= 2 else None


def is_surname_only(key: str, label: str) -> bool:
    return label == PERSON and len(key.split()) == 1


def group_forms(forms: Iterable[Form]) -> list[Group]:
    """The groups the forms make: by key, a lone surname joined to the full name it
    stands for (see the module doc)."""
    keyed = [(form, entity_key(form.text, form.label)) for form in forms]
    surnames = _lone_surnames(keyed)
    members: dict[tuple[str, str], list[tuple[Form, str]]] = {}
    for form, key in keyed:
        if is_surname_only(key, form.label):
            key = surnames.get(key.lower(), key)
        members.setdefault((key.lower(), form.label), []).append((form, key))
    return [_group(label, found) for (_, label), found in members.items()]


def _lone_surnames(keyed: Sequence[tuple[Form, str]]) -> dict[str, str]:
    """Lone surname (lower case) -> the corpus's one full name ending with it; a
    surname two full names end with maps to neither."""
    lone: set[str] = set()
    full: dict[str, set[str]] = {}
    for form, key in keyed:
        if form.label != PERSON:
            continue
        if surname := surname_of(key):
            full.setdefault(surname, set()).add(key)
        elif key:
            lone.add(key.lower())
    unique = {s: min(names) for s, names in full.items() if len({n.lower() for n in names}) == 1}
    return {s: unique[s] for s in lone if s in unique}


def _group(label: str, found: list[tuple[Form, str]]) -> Group:
    found.sort(key=lambda fk: (-fk[0].mentions, fk[0].text))
    return Group(_name(label, found), label, tuple(form.text for form, _ in found))


def _name(label: str, found: list[tuple[Form, str]]) -> str:
    """What the row shows (``found`` is most mentioned first): a person's full name;
    otherwise the bare form ("Pentagon") if written so, else the form written most
    often without a possessive ("The Times"), else the key ("Pentagon's" -> "Pentagon")."""
    if label == PERSON:
        return max((key for _, key in found), key=lambda k: len(k.split()))
    bare = [form.text for form, key in found if form.text == key]
    plain = [form.text for form, _ in found if _unpossessive(form.text) == form.text]
    return (bare or plain or [found[0][1]])[0]


def _unpossessive(word: str) -> str:
    for tail in _POSSESSIVES:
        if word.endswith(tail) and len(word) > len(tail):
            return word[: -len(tail)]
    return word
