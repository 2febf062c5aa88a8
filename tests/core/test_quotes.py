"""Quote detection and speaker attribution (viewer.core.nlp.quotes).

Every text here is written for these tests; the seed article is the
project's own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy

from viewer.core.model import Quote
from viewer.core.nlp.quotes import QUOTES_VERSION, detect_quotes

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED = SEEDS / "000_0c52c29eb9c28650.txt"


@pytest.fixture(scope="module")
def nlp():
    from viewer.core.nlp.pipeline import load_model, resolve_model_name

    return load_model(resolve_model_name())  # as the analysis runs it


def span(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    """(start, end) of the nth whole-word occurrence of part in text."""
    found = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(part) + r"(?!\w)", text)]
    return found[nth]


def in_marks(quotes: list[Quote]) -> list[Quote]:
    """The attributions that quotation marks carry (direct and mixed); tests
    of reported speech without marks live in test_attributions.py."""
    return [q for q in quotes if q.kind in ("direct", "mixed")]


def only(quotes: list[Quote]) -> Quote:
    assert len(quotes) == 1, quotes
    return quotes[0]


def assert_quote(q: Quote, text: str, content: str, speaker: str | None, **fields) -> None:
    """Exact quote span and speaker mention, plus any other Quote fields."""
    assert (q.start, q.end) == span(text, content)
    assert q.text == text[q.start : q.end] == content
    if speaker is None:
        assert q.speaker_start is None and q.speaker_text is None
    else:
        assert (q.speaker_start, q.speaker_end) == span(text, speaker, fields.pop("nth", 0))
        assert q.speaker_text == text[q.speaker_start : q.speaker_end]
    for name, value in fields.items():
        assert getattr(q, name) == value, (name, getattr(q, name), value)


def assert_invariants(quotes: list[Quote], text: str) -> None:
    assert quotes == sorted(quotes, key=lambda q: q.start)
    for q in quotes:
        assert 0 <= q.start < q.end <= len(text)
        assert q.text == text[q.start : q.end]
        if q.speaker_start is not None:
            assert q.speaker_text == text[q.speaker_start : q.speaker_end]
        if q.cue_start is not None:
            assert q.cue_text == text[q.cue_start : q.cue_end]


# ------------------------------------------------------------ quote marks


def test_version_is_a_nonempty_string():
    assert isinstance(QUOTES_VERSION, str) and QUOTES_VERSION


def test_straight_marks_speaker_after(nlp):
    text = '"We will rebuild the bridge before winter," Mayor Ann Lopez said on Tuesday.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "We will rebuild the bridge before winter,",
        "Mayor Ann Lopez",
        kind="direct",
        cue_text="said",
        speaker_name="Ann Lopez",
        anonymous=False,
    )


def test_curly_marks_speaker_before_with_colon(nlp):
    text = "Ann Lopez said: \u201cWe will rebuild the bridge. Nobody will be left behind.\u201d"
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "We will rebuild the bridge. Nobody will be left behind.",
        "Ann Lopez",
        kind="direct",
        cue_text="said",
        speaker_name="Ann Lopez",
    )


def test_mistyped_closing_mark_at_paragraph_start_opens(nlp):
    # typists often open with \u201d; position decides, not shape
    text = "\u201dThe river has never been this low in my lifetime,\u201d said Tom Reyes."
    q = only(detect_quotes(nlp(text)))
    assert_quote(q, text, "The river has never been this low in my lifetime,", "Tom Reyes")


def test_multi_paragraph_quote_each_paragraph_reopens(nlp):
    text = (
        "Senator Ann Marsh spoke at length about the proposal.\n"
        '"The first thing to understand is that the law is broken.\n'
        '"The second thing is that nobody in this building wants to fix it.\n'
        '"And the third thing is that voters know it," she said.'
    )
    quotes = detect_quotes(nlp(text))
    parts = [
        "The first thing to understand is that the law is broken.",
        "The second thing is that nobody in this building wants to fix it.",
        "And the third thing is that voters know it,",
    ]
    assert len(quotes) == 3
    for q, part in zip(quotes, parts, strict=True):
        assert_quote(q, text, part, "she", speaker_name="Ann Marsh", kind="direct")
    assert len({q.attribution_id for q in quotes}) == 1


def test_interrupted_quote_is_two_spans_of_one_attribution(nlp):
    text = '"We will rebuild the bridge," Lopez said, "and we will do it before winter."'
    first, second = detect_quotes(nlp(text))
    assert_quote(first, text, "We will rebuild the bridge,", "Lopez", cue_text="said")
    assert_quote(second, text, "and we will do it before winter.", "Lopez", cue_text="said")
    assert first.attribution_id == second.attribution_id is not None


def test_separate_speakers_get_separate_attributions(nlp):
    text = (
        '"Taxes will go down next year," Governor Paul Reed said.\n'
        '"That promise has been made before," replied Senator Lisa Grant.'
    )
    first, second = detect_quotes(nlp(text))
    assert_quote(first, text, "Taxes will go down next year,", "Governor Paul Reed")
    assert_quote(
        second, text, "That promise has been made before,", "Senator Lisa Grant", cue_text="replied"
    )
    assert first.attribution_id != second.attribution_id


def test_speaker_inside_the_quote_sentence(nlp):
    text = '"The plan," the minister told reporters, "has never worked in any country."'
    first, second = detect_quotes(nlp(text))
    assert_quote(first, text, "The plan,", "the minister", cue_text="told")
    assert_quote(second, text, "has never worked in any country.", "the minister")
    assert first.attribution_id == second.attribution_id


def test_according_to(nlp):
    text = 'According to Tom Baker, "the plan has never worked anywhere in the region."'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "the plan has never worked anywhere in the region.",
        "Tom Baker",
        cue_text="According to",
        speaker_name="Tom Baker",
    )


def test_according_to_after_the_quote(nlp):
    text = '"The budget is tight but the money is there," according to the city treasurer.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "The budget is tight but the money is there,",
        "the city treasurer",
        cue_text="according to",
    )


@pytest.mark.parametrize(
    "verb",
    [
        "told reporters",
        "added",
        "continued",
        "explained",
        "wrote",
        "noted",
        "argued",
        "insisted",
        "warned",
        "tweeted",
        "said on Monday",
    ],
)
def test_reporting_verbs_after_the_quote(nlp, verb):
    text = f'"The drought will get worse before it gets better," Dr. Maya Chen {verb}.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "The drought will get worse before it gets better,",
        "Dr. Maya Chen",
        cue_text=verb.split()[0],
        speaker_name="Maya Chen",
    )


def test_question_with_inverted_verb(nlp):
    text = '"Are you going to resign before the vote?" asked the reporter.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q, text, "Are you going to resign before the vote?", "the reporter", cue_text="asked"
    )


def test_inverted_order_with_appositive(nlp):
    text = '"Prices will keep rising for months," warned Paul Reed, the central bank governor.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "Prices will keep rising for months,",
        "Paul Reed, the central bank governor",
        cue_text="warned",
        speaker_name="Paul Reed",
        anonymous=False,
    )


def test_passive_quoted_as_saying(nlp):
    text = 'Mr. Hall was quoted as saying, "The talks have collapsed completely and for good."'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "The talks have collapsed completely and for good.",
        "Mr. Hall",
        cue_text="saying",
        kind="direct",
    )


def test_participle_cue_takes_the_main_subject(nlp):
    text = 'Grant left the stage early, adding: "I have nothing more to say to this crowd."'
    q = only(detect_quotes(nlp(text)))
    assert_quote(q, text, "I have nothing more to say to this crowd.", "Grant", cue_text="adding")


# ------------------------------------------------------------ floating quotes


def test_floating_paragraph_takes_the_previous_speaker(nlp):
    text = (
        "Coach Jim Hart sounded confident after the game.\n"
        '"We played our best football of the season tonight," Hart said.\n'
        '"Nobody can stop this team when it plays like that."'
    )
    first, second = in_marks(detect_quotes(nlp(text)))
    assert_quote(
        first,
        text,
        "We played our best football of the season tonight,",
        "Hart",
        nth=1,
        speaker_name="Jim Hart",
    )
    assert_quote(
        second,
        text,
        "Nobody can stop this team when it plays like that.",
        "Hart",
        nth=1,
        speaker_name="Jim Hart",
    )
    assert second.attribution_id == first.attribution_id


def test_second_quote_of_a_paragraph_keeps_its_speaker(nlp):
    text = '"It is not over," Ms. Cole insisted. "We will appeal the ruling and we will win."'
    first, second = detect_quotes(nlp(text))
    assert_quote(first, text, "It is not over,", "Ms. Cole", cue_text="insisted")
    assert_quote(second, text, "We will appeal the ruling and we will win.", "Ms. Cole")


def test_quotation_marks_glued_to_the_words_around_them(nlp):
    # no space between the closing mark and the speaker, or between the
    # cue's comma and the opening mark: the speaker must not vanish
    text = (
        "\u201cIt has been the most surprising thing to me,\u201dClinton said. "
        "Ryan said,\u201cThose images have no place in a campaign.\u201d"
    )
    first, second = in_marks(detect_quotes(nlp(text)))
    assert_quote(first, text, "It has been the most surprising thing to me,", "Clinton")
    assert_quote(second, text, "Those images have no place in a campaign.", "Ryan")
    assert (first.cue_text, second.cue_text) == ("said", "said")


def test_cue_with_its_own_object_after_a_closed_quote_is_not_the_quotes(nlp):
    text = (
        '"I completely disagree with that claim," she said. "We feel good about '
        'the areas we are going to." She noted a planned rally on Saturday.'
    )
    # "She noted a planned rally" reports the rally, not the quote before it
    _, second = in_marks(detect_quotes(nlp(text)))
    assert_quote(second, text, "We feel good about the areas we are going to.", "she")
    assert second.cue_text == "said"


def test_reported_sentence_between_two_quotes_has_the_nearer_mention(nlp):
    text = (
        '"People care more about jobs than about this," says Gloria Garcia, a nurse. '
        "She says people should be able to decide for themselves. "
        '"It is their life, and they are not hurting anybody."'
    )
    last = in_marks(detect_quotes(nlp(text)))[-1]
    assert_quote(
        last,
        text,
        "It is their life, and they are not hurting anybody.",
        "She",
        cue_text="says",
        speaker_name="Gloria Garcia",
    )


def test_negated_report_between_quotes_is_not_a_cue(nlp):
    text = (
        '"We have had problems with intrusions before," Obama said after the meeting. '
        'He did not suggest retaliation. "Our goal is not to start an arms race."'
    )
    last = in_marks(detect_quotes(nlp(text)))[-1]
    assert_quote(last, text, "Our goal is not to start an arms race.", "Obama", cue_text="said")


def test_quoted_words_alone_woven_into_a_sentence_are_a_direct_quote(nlp):
    # no reported clause around it: its content is the quoted words, all
    # inside the marks, so it counts as direct (as news annotation does)
    text = (
        'During the debate Trump went on about "how the whole system is rigged '
        'against us," and the crowd cheered.'
    )
    q = only(in_marks(detect_quotes(nlp(text))))
    assert_quote(q, text, "how the whole system is rigged against us,", "Trump", kind="direct")


def test_quoted_passage_introduced_by_a_colon_paragraph_is_the_introducers(nlp):
    # a long quoted passage carries its own inner quote and cue; the pieces
    # before the inner quote are the passage's, introduced by the colon above
    text = (
        "As the Daily Ledger reported on Friday, the council was still divided:\n\n"
        '"The council is split on the budget and the vote will wait until the spring.\n\n'
        '"At the town hall, reporters questioned the mayor about the delay and the cost.\n\n'
        '\u201cWe need more time to get this right for everybody,\u201d the mayor said."'
    )
    first, second, inner = in_marks(detect_quotes(nlp(text)))
    for q in (first, second):
        assert (q.speaker_text, q.cue_text) == ("the Daily Ledger", "reported")
    assert (inner.speaker_text, inner.cue_text) == ("the mayor", "said")


def test_participle_cue_on_a_reported_clause_goes_with_the_reporter(nlp):
    text = (
        "A senior strategist said Clinton will have to choose a side soon, saying, "
        '"At some point she is going to have to come out on where she stands."'
    )
    q = only(in_marks(detect_quotes(nlp(text))))
    assert_quote(
        q,
        text,
        "At some point she is going to have to come out on where she stands.",
        "A senior strategist",
        cue_text="saying",
        anonymous=True,
    )


@pytest.mark.parametrize(
    "text, content, speaker, cue",
    [
        (
            'Kasich cautioned "let us not get ahead of ourselves," before predicting '
            "that a contested convention was likely.",
            "let us not get ahead of ourselves,",
            "Kasich",
            "cautioned",
        ),
        (
            'Fans at the game also chanted, "Build a wall around them," referring to '
            "the candidate's vow.",
            "Build a wall around them,",
            "Fans at the game",
            "chanted",
        ),
    ],
)
def test_participle_after_the_closing_mark_is_not_part_of_the_quote(
    nlp, text, content, speaker, cue
):
    # the content ends with the quote (so it is direct) and its cue is the
    # verb that reports it, not the participle trailing it
    q = only(in_marks(detect_quotes(nlp(text))))
    assert_quote(q, text, content, speaker, kind="direct", cue_text=cue)


def test_paragraph_introduced_by_a_colon(nlp):
    text = 'The mayor wrote in her letter:\n"The city cannot afford another summer like this one."'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "The city cannot afford another summer like this one.",
        "The mayor",
        cue_text="wrote",
    )


def test_quote_without_any_attribution_has_no_speaker(nlp):
    text = 'The sign on the door read nothing.\n"Closed until further notice for repairs."'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "Closed until further notice for repairs.",
        None,
        speaker_name=None,
        attribution_id=None,
    )


# ------------------------------------------------------------ mixed, scare quotes


def test_mixed_quote_inside_indirect_speech(nlp):
    text = (
        "Officials familiar with the talks said the two sides were "
        '"very close to a final agreement" on Monday.'
    )
    # the content of a mixed attribution is the whole reported clause
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        'the two sides were "very close to a final agreement" on Monday',
        "Officials familiar with the talks",
        kind="mixed",
        anonymous=True,
        cue_text="said",
    )


def test_mixed_quote_with_that_clause(nlp):
    text = (
        'Dr. Sarah Kim noted that the results were "promising but preliminary" '
        "and needed more work."
    )
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        'the results were "promising but preliminary" and needed more work',
        "Dr. Sarah Kim",
        kind="mixed",
        speaker_name="Sarah Kim",
        anonymous=False,
    )


def test_scare_quotes_titles_and_nicknames_are_not_reported(nlp):
    text = (
        'The so-called "experts" were wrong again. Her memoir "The Long Road Home" '
        'sold well, and fans still call her "Iron Anne" in the village.'
    )
    # no quote of its own: calling someone a name is the fans' (mixed)
    # attribution, as news annotation counts it; the title and the scare
    # quote are nobody's
    [called] = detect_quotes(nlp(text))
    assert (called.kind, called.speaker_text, called.cue_text) == ("mixed", "fans", "call")
    assert called.text == 'her "Iron Anne" in the village'


def test_short_full_utterance_is_reported(nlp):
    text = '"No," Lopez said.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(q, text, "No,", "Lopez", kind="direct")


def test_nickname_inside_the_speaker_mention(nlp):
    text = '"We have his back," state Sen. Marcia "Cia" Price told the crowd.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(q, text, "We have his back,", 'state Sen. Marcia "Cia" Price', cue_text="told")


# ------------------------------------------------------------ speaker resolution


def test_surname_resolves_to_full_name(nlp):
    text = (
        "Maria Lopez, the mayor of Springfield, opened the meeting on Tuesday.\n"
        "\u201cWe will rebuild the bridge before winter,\u201d Lopez said."
    )
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "We will rebuild the bridge before winter,",
        "Lopez",
        nth=1,
        speaker_name="Maria Lopez",
        anonymous=False,
    )


def test_pronoun_resolves_to_the_previous_speaker(nlp):
    text = (
        "Governor Paul Reed said the state would not raise taxes this year.\n"
        '"We balanced the budget without touching the rainy-day fund," he added.'
    )
    q = only(in_marks(detect_quotes(nlp(text))))
    assert_quote(
        q,
        text,
        "We balanced the budget without touching the rainy-day fund,",
        "he",
        speaker_name="Paul Reed",
        anonymous=False,
        cue_text="added",
    )


def test_description_resolves_to_an_anonymous_mention(nlp):
    text = (
        "A senior official familiar with the talks said the deal was close.\n"
        '"We are a few days away from signing it," the official said.'
    )
    q = only(in_marks(detect_quotes(nlp(text))))
    assert_quote(
        q,
        text,
        "We are a few days away from signing it,",
        "the official",
        speaker_name="A senior official familiar with the talks",
        anonymous=True,
    )


@pytest.mark.parametrize(
    "speaker",
    [
        "a senior official",
        "officials familiar with the talks",
        "a source",
        "two people briefed on the plan",
    ],
)
def test_unnamed_descriptions_are_anonymous(nlp, speaker):
    text = f'"The deal is all but done and will be signed this week," {speaker} said.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q, text, "The deal is all but done and will be signed this week,", speaker, anonymous=True
    )


def test_organisation_speaker_is_not_anonymous(nlp):
    text = '"We have no plans to leave the city," the company wrote in a statement.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(
        q,
        text,
        "We have no plans to leave the city,",
        "the company",
        anonymous=False,
        cue_text="wrote",
    )


# ------------------------------------------------------------ robustness


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        '"',
        "\u201cunbalanced open quote with words",
        "closed\u201d only",
        '"a" "b" "c',
        '\n"\n"\n',
        '"Hello there, friends," said.',
        '"x" \u2015 ',
        'He said: "',
        '"Yes," he said, "',
        "\u201c\u201d\u201c\u201d",
        '""""""',
        'said said said " said',
    ],
)
def test_odd_input_never_raises(nlp, text):
    for doc in (nlp(text), nlp.make_doc(text)):
        assert_invariants(detect_quotes(doc), text)


@pytest.mark.parametrize("disabled", [["parser"], ["tagger", "attribute_ruler", "lemmatizer"]])
def test_partial_pipelines_still_attribute(nlp, disabled):
    text = (
        "Maria Lopez, the mayor, spoke on Tuesday.\n"
        '"We will rebuild the bridge before winter," Lopez said. "Believe me, we will."'
    )
    with nlp.select_pipes(disable=disabled):
        doc = nlp(text)
    quotes = detect_quotes(doc)
    assert_invariants(quotes, text)
    assert [q.text for q in quotes] == [
        "We will rebuild the bridge before winter,",
        "Believe me, we will.",
    ]
    assert {q.speaker_text for q in quotes} == {"Lopez"}


def test_unclosed_quote_runs_to_the_paragraph_end(nlp):
    text = 'Reed said: "We will not raise taxes this year\nThe vote is on Friday.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(q, text, "We will not raise taxes this year", "Reed")


def test_doc_without_parser_still_finds_quotes():
    nlp = spacy.blank("en")
    text = '"We will rebuild the bridge before winter," Lopez said.'
    q = only(detect_quotes(nlp(text)))
    assert_quote(q, text, "We will rebuild the bridge before winter,", "Lopez")


def test_huge_doc_without_parser_is_linear():
    nlp = spacy.blank("en")
    para = '"We will rebuild the bridge before winter," Lopez said. The vote is on Friday.\n'
    text = para * 5000  # ~400k characters
    quotes = detect_quotes(nlp(text))
    assert len(quotes) == 5000
    assert_invariants(quotes[:50], text)


# ------------------------------------------------------------ the seed article


@pytest.fixture(scope="module")
def seed(nlp):
    text = SEED.read_text(encoding="utf-8")
    return text, in_marks(detect_quotes(nlp(text)))


def _by_start(text: str, quotes: list[Quote], opening: str) -> Quote:
    start = text.index(opening)
    found = [q for q in quotes if q.start == start]
    assert found, opening
    return found[0]


SEED_EXPECTED = [
    # (opening words, speaker mention, resolved name, anonymous, kind, cue)
    (
        "[The commission does]",
        "the official",
        "a senior administration official",
        True,
        "direct",
        "said",
    ),
    (
        "I think it's fair",
        "the official",
        "a senior administration official",
        True,
        "direct",
        "said",
    ),
    (
        "We remain fully committed",
        "the official",
        "a senior administration official",
        True,
        "direct",
        "continued",
    ),
    (
        "[It's] something",
        "the official",
        "a senior administration official",
        True,
        "direct",
        "continued",
    ),
    (
        "The raid was designed",
        "Deputy Pentagon Press Secretary Sabrina Singh",
        "Sabrina Singh",
        False,
        "mixed",
        "said",
    ),
    (
        "The United States is the core",
        "the senior administration official",
        "a senior administration official",
        True,
        "direct",
        "said",
    ),
    (
        "the U.S. will be",
        "one senior defense official",
        "one senior defense official",
        True,
        "mixed",
        "said",
    ),
    (
        "We believe [the talks]",
        "the official",
        "one senior defense official",
        True,
        "direct",
        "told",
    ),
    (
        "We already have gotten",
        "the official",
        "one senior defense official",
        True,
        "direct",
        "said",
    ),
    ("But this is an iterative", "he", "one senior defense official", True, "direct", "added"),
]


def test_seed_finds_exactly_the_quotes(seed):
    text, quotes = seed
    assert_invariants(quotes, text)
    assert [q.start for q in quotes] == [text.index(e[0]) for e in SEED_EXPECTED]


@pytest.mark.parametrize("expected", SEED_EXPECTED, ids=[e[0] for e in SEED_EXPECTED])
def test_seed_quote_and_speaker(seed, expected):
    text, quotes = seed
    opening, speaker, name, anonymous, kind, cue = expected
    q = _by_start(text, quotes, opening)
    # the mention is the nearest one after the quote, else the nearest before
    where = text.find(speaker, q.end)
    if opening in ("the U.S. will be", "[It's] something"):
        where = text.rindex(speaker, 0, q.start)
    assert (q.speaker_start, q.speaker_end) == (where, where + len(speaker))
    assert q.speaker_text == speaker
    assert q.speaker_name == name
    assert q.anonymous is anonymous
    assert q.kind == kind
    assert q.cue_text == cue


def test_seed_quote_spans_exclude_marks_and_cover_the_content(seed):
    text, quotes = seed
    for q in quotes:
        if q.kind == "mixed":
            assert '"' in q.text  # the whole clause, its quoted words inside
            continue
        assert text[q.start - 1] == '"'
        closing = text[q.end] if q.end < len(text) else ""
        assert closing == '"'


def test_seed_interrupted_and_floating_pieces_share_an_attribution(seed):
    text, quotes = seed
    remain = _by_start(text, quotes, "We remain fully committed")
    ongoing = _by_start(text, quotes, "[It's] something")
    assert remain.attribution_id == ongoing.attribution_id
    singh = _by_start(text, quotes, "The raid was designed")
    assert singh.attribution_id != remain.attribution_id


def test_seed_last_quote_speaker_is_the_pronoun_he(seed):
    text, quotes = seed
    last = quotes[-1]
    assert last.text.startswith("But this is an iterative conversation")
    assert text[last.speaker_start : last.speaker_end] == "he"
    assert last.speaker_start > last.end  # "... ," he added.
