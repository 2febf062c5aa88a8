"""Resolving a speaker the analyst picks or types (viewer.core.names.speaker_names),
one text per rule."""

from __future__ import annotations

import pytest

from viewer.core.model import Entity, Quote
from viewer.core.names.speaker_names import (
    SpeakerChoice,
    choose_speaker,
    is_anonymous,
    mention_of,
    resolve_speaker,
    speaker_choices,
)


def people(text: str, *names: str) -> list[Entity]:
    """PERSON entities at the first occurrence of each name, as the model stores them."""
    out = []
    for name in names:
        start = text.index(name)
        out.append(Entity(start, start + len(name), "PERSON", name))
    return out


def resolved(mention: str, text: str, entities, quotes=(), at=None) -> tuple[str | None, bool]:
    r = resolve_speaker(mention, text, entities, quotes, at)
    return r.name, r.anonymous


# -- a full PERSON name is itself --------------------------------------------------------

FULL = "Angela Merkel met Emmanuel Macron in Berlin on Monday."


@pytest.mark.parametrize(
    "mention", ["Angela Merkel", "angela merkel", "ANGELA MERKEL", " Angela Merkel "]
)
def test_a_full_person_name_is_itself(mention):
    entities = people(FULL, "Angela Merkel", "Emmanuel Macron")
    assert resolved(mention, FULL, entities) == ("Angela Merkel", False)


# -- a surname, "Mr X", "X's", case variants: the article's full name ----------------------

BLAIR = (
    "Tony Blair flew to Washington on Tuesday. Mr Blair said the talks were frank. "
    "Blair's aides were less sure."
)


@pytest.mark.parametrize("mention", ["Blair", "Mr Blair", "Mr. Blair", "Blair's", "BLAIR", "blair"])
def test_a_surname_is_the_articles_full_name(mention):
    entities = people(BLAIR, "Tony Blair") + [Entity(BLAIR.index("Blair said"),
                                                      BLAIR.index("Blair said") + 5,
                                                      "PERSON", "Blair")]  # fmt: skip
    assert resolved(mention, BLAIR, entities) == ("Tony Blair", False)


def test_of_two_people_with_one_surname_the_one_named_last_before_the_attribution():
    text = 'Ed Miliband spoke first. David Miliband spoke later. "We are united," Miliband said.'
    entities = people(text, "Ed Miliband", "David Miliband")
    at = text.index("We are united")
    assert resolved("Miliband", text, entities, at=at) == ("David Miliband", False)
    assert resolved("Miliband", text, entities, at=text.index("spoke first")) == (
        "Ed Miliband",
        False,
    )


# -- a role the article ties to a named person: that person, not anonymous -----------------


def test_a_title_before_the_name_ties_the_role_to_the_person():
    text = (
        "Foreign Secretary Jack Straw arrived in Brussels on Friday. "
        "The foreign secretary said the deal was close."
    )
    entities = people(text, "Jack Straw")
    for mention in ("the foreign secretary", "The Foreign Secretary", "the secretary"):
        assert resolved(mention, text, entities) == ("Jack Straw", False), mention
    # Another role the article never gives him stays an unnamed description.
    assert resolved("the home secretary", text, entities) == ("the home secretary", True)


def test_an_appositive_ties_the_role_either_side_of_the_name():
    text = (
        "Jane Hill, the health minister, opened the ward. "
        "The chief nurse, Omar Reyes, welcomed her."
    )
    entities = people(text, "Jane Hill", "Omar Reyes")
    assert resolved("the health minister", text, entities) == ("Jane Hill", False)
    assert resolved("the chief nurse", text, entities) == ("Omar Reyes", False)


def test_a_role_merely_near_a_name_is_not_a_tie():
    text = "Jack Straw met the foreign secretary of France in Paris."
    entities = people(text, "Jack Straw")
    assert resolved("the foreign secretary", text, entities) == ("the foreign secretary", True)


def test_the_mention_of_a_speaker_the_model_resolved_is_that_speaker():
    text = "The prime minister arrived late. The prime minister said little."
    s = text.index("The prime minister said")
    quote = Quote(s + 24, s + 35, "said little", s, s + 18, "The prime minister",
                  speaker_name="Gordon Brown", kind="indirect")  # fmt: skip
    assert resolved("the prime minister", text, [], [quote]) == ("Gordon Brown", False)


# -- an unnamed description is anonymous ---------------------------------------------------


@pytest.mark.parametrize(
    "mention",
    ["a spokesman", "A spokesman", "officials", "Officials", "senior officials",
     "a spokesman for the Home Office", "Whitehall officials", "his aides"],
)  # fmt: skip
def test_an_unnamed_description_is_anonymous(mention):
    text = "A spokesman for the Home Office declined to comment. Officials said more."
    assert resolved(mention, text, []) == (" ".join(mention.split()), True)


def test_things_pronouns_and_names_are_not_anonymous():
    for name in ("the report", "he", "John Mayor", "Jane Miller", "Miller", "Mr Judge"):
        assert not is_anonymous(name), name
    assert is_anonymous("the mayor") and is_anonymous("a campaigner")


# -- a description with its person's name: that person -----------------------------------


def test_a_description_with_the_persons_name_is_that_person():
    text = (
        "The chairman of the Bar Council, Guy Mansfield QC, warned that the bill "
        "would undermine fair trials."
    )
    mention = "the chairman of the Bar Council, Guy Mansfield QC"
    # With the model's PERSON entity, and without any entity at all.
    assert resolved(mention, text, people(text, "Guy Mansfield QC")) == ("Guy Mansfield", False)
    assert resolved(mention, text, []) == ("Guy Mansfield", False)
    # The description alone is the person the article names beside it.
    assert resolved("the chairman of the Bar Council", text, people(text, "Guy Mansfield")) == (
        "Guy Mansfield",
        False,
    )


def test_a_name_the_article_does_not_have_is_kept_without_titles():
    assert resolved("Dr Ruth Okafor PhD", FULL, people(FULL, "Angela Merkel")) == (
        "Ruth Okafor",
        False,
    )


# -- as stored: the resolved name, at a mention of it --------------------------------------


def test_a_choice_is_linked_to_a_mention_of_the_name_only_when_the_text_has_one():
    entities = people(BLAIR, "Tony Blair")
    choice = choose_speaker("Mr Blair", BLAIR, entities, at=BLAIR.index("Blair's"))
    assert choice == SpeakerChoice("Tony Blair", False, 0, len("Tony Blair"))
    typed = choose_speaker("Gordon Brown", BLAIR, entities)
    assert typed == SpeakerChoice("Gordon Brown", False, None, None)  # not in the text: no span
    assert choose_speaker("   ", BLAIR, entities) is None


def test_mention_of_takes_the_last_before_the_attribution_and_whole_words_only():
    text = "Lee spoke. Leeds won. Lee left."
    assert mention_of("Lee", text, at=len(text)) == (22, 25)
    assert mention_of("Lee", text, at=5) == (0, 3)
    assert mention_of("eds", text) is None


def test_the_people_to_pick_from_are_persons_and_the_speakers_already_there():
    text = (
        "Foreign Secretary Jack Straw met Colin Powell. A spokesman said talks went well. "
        "Straw said more."
    )
    entities = people(text, "Jack Straw", "Colin Powell") + [
        Entity(text.index("Straw said"), text.index("Straw said") + 5, "PERSON", "Straw")
    ]
    s = text.index("A spokesman")
    quote = Quote(s + 17, s + 33, "talks went well", s, s + 11, "A spokesman",
                  speaker_name="A spokesman", anonymous=True, kind="indirect")  # fmt: skip
    choices = speaker_choices(text, entities, [quote], at=len(text))
    assert [(c.name, c.anonymous) for c in choices] == [
        ("Jack Straw", False), ("Colin Powell", False), ("A spokesman", True)]  # fmt: skip
    assert all(text[c.start : c.end] == c.name for c in choices)  # each at a mention of it
