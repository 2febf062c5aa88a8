"""Reported speech without quotation marks (viewer.core.nlp.reported via
detect_quotes): one text per construction, written for these tests, plus
the seed article's indirect attributions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.core.model import Quote
from viewer.core.nlp.quotes import detect_quotes

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_0c52c29eb9c28650.txt"


@pytest.fixture(scope="module")
def nlp():
    from viewer.core.nlp.pipeline import load_model, resolve_model_name

    return load_model(resolve_model_name())  # as the analysis runs it


def attributions(quotes: list[Quote]) -> dict[int, list[Quote]]:
    """Pieces grouped by attribution_id, in text order."""
    out: dict[int, list[Quote]] = {}
    for q in quotes:
        out.setdefault(q.attribution_id, []).append(q)
    return out


def only(quotes: list[Quote]) -> Quote:
    assert len(quotes) == 1, quotes
    return quotes[0]


def check(q: Quote, text: str, content: str, source: str | None, cue: str, kind: str) -> None:
    assert q.text == content
    assert text[q.start : q.end] == content
    assert q.kind == kind
    assert q.cue_text == cue and text[q.cue_start : q.cue_end] == cue
    if source is None:
        assert (q.speaker_start, q.speaker_text) == (None, None)
    else:
        assert q.speaker_text == source
        assert text[q.speaker_start : q.speaker_end] == source


@pytest.mark.parametrize(
    ("text", "content", "source", "cue"),
    [
        (
            "The mayor said the bridge would reopen before the winter.",
            "the bridge would reopen before the winter",
            "The mayor",
            "said",
        ),
        (
            "The mayor said that the bridge would reopen before the winter.",
            "the bridge would reopen before the winter",
            "The mayor",
            "said",
        ),
        (
            "Ana Lopez told reporters that the strike would end on Friday.",
            "the strike would end on Friday",
            "Ana Lopez",
            "told",
        ),
        (
            "The bridge would reopen before the winter, the mayor said.",
            "The bridge would reopen before the winter",
            "the mayor",
            "said",
        ),
        (
            "The bridge would reopen before the winter, said the mayor.",
            "The bridge would reopen before the winter",
            "the mayor",
            "said",
        ),
        (
            "The union warned that the factory could close within a year.",
            "the factory could close within a year",
            "The union",
            "warned",
        ),
        (
            "Senator Ruth Okafor insisted the vote had been fair.",
            "the vote had been fair",
            "Senator Ruth Okafor",
            "insisted",
        ),
        (
            "The company announced plans to cut four hundred jobs.",
            "plans to cut four hundred jobs",
            "The company",
            "announced",
        ),
        (
            "The governor urged residents to leave the coast before the storm.",
            "residents to leave the coast before the storm",
            "The governor",
            "urged",
        ),
    ],
    ids=["said", "said-that", "told", "trailing", "inverted", "warned", "insisted",
         "announced", "urged"],
)  # fmt: skip
def test_indirect_forms(nlp, text, content, source, cue):
    check(only(detect_quotes(nlp(text))), text, content, source, cue, "indirect")


def test_according_to_takes_the_rest_of_the_sentence(nlp):
    text = "According to the local police, the fire started in a kitchen on the ground floor."
    q = only(detect_quotes(nlp(text)))
    check(q, text, "the fire started in a kitchen on the ground floor", "the local police",
          "According to", "indirect")  # fmt: skip


def test_trailing_according_to(nlp):
    text = "The fire started in a kitchen on the ground floor, according to the local police."
    q = only(detect_quotes(nlp(text)))
    check(q, text, "The fire started in a kitchen on the ground floor", "the local police",
          "according to", "indirect")  # fmt: skip


def test_interrupted_indirect_speech_shares_one_attribution(nlp):
    text = "The new line, the minister said, would cost far more than planned."
    pieces = detect_quotes(nlp(text))
    [group] = attributions(pieces).values()
    assert [q.text for q in group] == ["The new line", "would cost far more than planned"]
    assert {q.speaker_text for q in group} == {"the minister"}
    assert {q.kind for q in group} == {"indirect"}


def test_passive_expectation_has_no_source(nlp):
    text = "The central bank is expected to raise interest rates next month."
    pieces = detect_quotes(nlp(text))
    [group] = attributions(pieces).values()
    assert [q.text for q in group] == ["The central bank", "to raise interest rates next month"]
    assert {(q.kind, q.speaker_text, q.cue_text) for q in group} == {
        ("no-source", None, "expected")
    }


def test_it_was_reported_has_no_source(nlp):
    text = "It was reported that the talks had collapsed late on Sunday."
    q = only(detect_quotes(nlp(text)))
    check(q, text, "the talks had collapsed late on Sunday", None, "reported", "no-source")
    assert q.anonymous is False and q.speaker_name is None


def test_nested_report_is_one_attribution_of_the_outer_speaker(nlp):
    text = "Mr. Grant said the minister had told him the plan was dead."
    q = only(detect_quotes(nlp(text)))
    check(q, text, "the minister had told him the plan was dead", "Mr. Grant", "said", "indirect")


def test_verb_that_reports_nothing_is_not_an_attribution(nlp):
    text = "The committee said nothing. Prices continued to rise in March."
    assert detect_quotes(nlp(text)) == []


# ------------------------------------------------------------ the seed article


@pytest.fixture(scope="module")
def seed(nlp):
    text = SEED.read_text(encoding="utf-8")
    return text, detect_quotes(nlp(text))


def test_seed_opening_sentence_is_the_anonymous_pair_of_officials(seed):
    text, quotes = seed
    first = quotes[0]
    assert first.start == 0
    assert first.text.startswith("The United States is on track to announce next week")
    assert first.text.endswith("between the two countries")
    assert first.kind == "indirect"
    assert first.speaker_text == "a pair of officials close to the matter"
    assert first.cue_text == "told"
    assert first.anonymous is True


def test_seed_broad_consensus_is_an_anonymous_indirect_attribution(seed):
    text, quotes = seed
    q = next(q for q in quotes if q.text.startswith("there is a broad consensus"))
    assert q.kind == "indirect"
    assert q.speaker_text == "a senior administration official"
    assert q.cue_text == "said"
    assert q.anonymous is True
    assert "continue with its work" in q.text


def test_seed_reports_every_kind_it_has(seed):
    _, quotes = seed
    kinds = {q.kind for q in quotes}
    assert {"direct", "mixed", "indirect"} <= kinds
    for q in quotes:
        if q.kind == "indirect":
            assert '"' not in q.text


# ------------------------------------------------------------ speaker resolution


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        (
            "The chairman of the Bar Council, Guy Mansfield QC, said the reforms would hurt "
            "victims.",
            "The chairman of the Bar Council, Guy Mansfield QC",
            "Guy Mansfield",
        ),
        (
            '"We will not back down," said the chairman of the Bar Council, Guy Mansfield QC.',
            "the chairman of the Bar Council, Guy Mansfield QC",
            "Guy Mansfield",
        ),
        (
            "The BBC's correspondent in Jakarta, Rachel Harvey, said the protests were growing.",
            "The BBC's correspondent in Jakarta, Rachel Harvey",
            "Rachel Harvey",
        ),
    ],
    ids=["apposed-after-organisation", "apposed-inverted", "apposed-after-place"],
)
def test_description_with_an_apposed_name_is_that_person(nlp, text, mention, name):
    q = only(detect_quotes(nlp(text)))
    assert q.speaker_text == mention
    assert (q.speaker_name, q.anonymous) == (name, False)


@pytest.mark.parametrize(
    "first",
    [
        "Foreign Secretary Jack Straw opened the talks.",
        "Talks began in London with Foreign Secretary Jack Straw on Monday.",
    ],
    ids=["named-as-subject", "named-in-passing"],
)
def test_role_the_article_gave_a_named_person_resolves_to_them(nlp, first):
    text = first + "\nLater the foreign secretary said the deal was close."
    q = only(detect_quotes(nlp(text)))
    assert q.speaker_text == "the foreign secretary"
    assert (q.speaker_name, q.anonymous) == ("Jack Straw", False)


def test_role_of_someone_else_stays_an_anonymous_description(nlp):
    text = "Foreign Secretary Jack Straw opened the talks.\nThe home secretary said it was late."
    q = only(detect_quotes(nlp(text)))
    assert q.speaker_text == "The home secretary"
    assert q.anonymous is True


def test_surname_title_and_case_variants_are_one_speaker(nlp):
    text = (
        "Tony Blair said the war was justified. Mr Blair added that he had no regrets. "
        "BLAIR said the critics were wrong."
    )
    quotes = detect_quotes(nlp(text))
    assert [q.speaker_text for q in quotes] == ["Tony Blair", "Mr Blair", "BLAIR"]
    assert {(q.speaker_name, q.anonymous) for q in quotes} == {("Tony Blair", False)}


def test_a_named_persons_spokesman_is_anonymous(nlp):
    text = "Prime Minister Tony Blair's spokesman said the talks were over."
    q = only(detect_quotes(nlp(text)))
    assert q.speaker_text == "Prime Minister Tony Blair's spokesman"
    assert q.anonymous is True


# ------------------------------------------------------------ more constructions


def test_passive_with_an_agent_is_the_agents_view(nlp):
    text = "The new budget was sharply criticized by the opposition leader."
    q = only(detect_quotes(nlp(text)))
    check(q, text, "The new budget", "the opposition leader", "criticized", "indirect")


def test_bare_passive_participle_names_no_speaker(nlp):
    text = "Asked whether the plant would close, the manager said it would stay open."
    quotes = detect_quotes(nlp(text))
    asked = next(q for q in quotes if q.cue_text == "Asked")
    assert asked.text == "whether the plant would close"
    assert (asked.kind, asked.speaker_text) == ("no-source", None)
    said = next(q for q in quotes if q.cue_text == "said")
    check(said, text, "it would stay open", "the manager", "said", "indirect")


def test_a_name_and_a_colon_open_a_headline_of_its_words(nlp):
    text = "Okafor: The vote was fair and the count was honest\nThe count ended late."
    q = only(detect_quotes(nlp(text)))
    check(q, text, "The vote was fair and the count was honest", "Okafor", ":", "indirect")


def test_a_name_and_a_colon_introduce_a_quote_after_a_dash(nlp):
    text = 'Turnout fell again - Harris Poll: "Fewer young voters came out than in any year."'
    q = only(detect_quotes(nlp(text)))
    check(q, text, "Fewer young voters came out than in any year.", "Harris Poll", ":", "direct")


def test_the_outer_source_of_a_quote_is_its_speaker(nlp):
    text = '"We are not leaving," the mayor said, according to two council members.'
    q = only(detect_quotes(nlp(text)))
    assert q.text == "We are not leaving,"
    assert q.speaker_text == "two council members"
    assert q.cue_text == "according to"


def test_content_never_crosses_a_paragraph_break(nlp):
    text = (
        '"This is very personal to me," the senator said at the school.\n\n'
        "Her advisers said on Sunday that the campaign would go on until June."
    )
    advisers = next(q for q in detect_quotes(nlp(text)) if q.speaker_text == "Her advisers")
    check(advisers, text, "the campaign would go on until June", "Her advisers", "said",
          "indirect")  # fmt: skip


def test_two_apostrophe_quotes_run_on_after_the_cue(nlp):
    # some wires write quotation marks as two apostrophes; they are no marks
    # to the quote finder, but the speaker's next sentence is still theirs
    text = (
        "''The plant is like a family to us,'' she said, pointing at the ''old hall,'' "
        "where she started. ''We have stayed for forty years.''"
    )
    pieces = detect_quotes(nlp(text))
    [group] = [g for g in attributions(pieces).values() if g[0].cue_text == "said"]
    assert [q.text for q in group] == [
        "The plant is like a family to us",
        "We have stayed for forty years.",
    ]
    assert {q.speaker_text for q in group} == {"she"}


def test_stranded_speaker_before_the_verb(nlp):
    text = (
        "In a statement to the Herald, her chief adviser, Tom Reyes, said: "
        '"The senator will vote against the bill."'
    )
    q = only(detect_quotes(nlp(text)))
    assert q.text == "The senator will vote against the bill."
    assert q.speaker_text == "her chief adviser, Tom Reyes"
    assert (q.speaker_name, q.anonymous) == ("Tom Reyes", False)


def test_colon_clause_whose_nearest_verb_has_no_subject_takes_the_main_verb(nlp):
    # regression: tokens were compared with `is` (spaCy makes a new Token per
    # access), so the main verb was never found
    text = 'Reyes waved at the crowd, then leaned in and boomed: "We will win in November."'
    q = only(detect_quotes(nlp(text)))
    assert (q.speaker_text, q.kind) == ("Reyes", "direct")


def test_quote_signed_on_the_line_below(nlp):
    text = '"Nobody here wants another closure."\n\n- Maria Lopez, Toledo.\n\nThe plant closed.'
    q = only(in_marks(detect_quotes(nlp(text))))
    assert q.text == "Nobody here wants another closure."
    assert (q.speaker_text, q.cue_text) == ("Maria Lopez", "-")


def test_weak_verb_right_after_a_quote_with_an_inverted_speaker(nlp):
    text = '"We regret the delay and will pay every claim," read the statement from the firm.'
    q = only(in_marks(detect_quotes(nlp(text))))
    assert q.cue_text == "read"
    assert q.speaker_text.startswith("the statement")


def in_marks(quotes: list[Quote]) -> list[Quote]:
    return [q for q in quotes if q.kind in ("direct", "mixed")]


def test_cue_of_the_next_sentence_is_not_the_closed_quotes(nlp):
    text = (
        '"We only want a fair hearing," Tripp said. "We are asking for nothing more." '
        'The county, he said, was "ready to talk at any time."'
    )
    quotes = detect_quotes(nlp(text))
    second = next(q for q in quotes if q.text.startswith("We are asking"))
    assert second.speaker_text == "Tripp"


def test_a_document_someone_put_out_speaks_for_them(nlp):
    text = 'The mayor\'s office put out a statement saying, "The bridge will reopen in May."'
    q = only(in_marks(detect_quotes(nlp(text))))
    assert q.speaker_text == "The mayor's office"


def test_inverted_speaker_after_a_verb_the_lexicon_lacks(nlp):
    text = '"This is wonderful!" beamed Rosa Delgado of Tucson, who had waited since dawn.'
    q = only(in_marks(detect_quotes(nlp(text))))
    assert q.cue_text == "beamed"
    assert q.speaker_text.startswith("Rosa Delgado")


def test_numeral_speaker_and_a_cue_tagged_as_a_noun(nlp):
    text = '"You seem to have picked a new standard out of thin air," the two write.'
    q = only(in_marks(detect_quotes(nlp(text))))
    assert (q.speaker_text, q.cue_text) == ("the two", "write")


def test_cue_after_a_quote_wins_over_the_colon_before_it(nlp):
    text = (
        'In her speech, Rhimes spoke of drive: "Change the world, then change it again," she said.'
    )
    q = only(in_marks(detect_quotes(nlp(text))))
    assert (q.speaker_text, q.cue_text) == ("she", "said")


def test_any_past_tense_verb_glued_before_a_quote_is_its_cue(nlp):
    text = 'Moreno shot back, "The council approved that budget twice."'
    q = only(in_marks(detect_quotes(nlp(text))))
    assert (q.speaker_text, q.cue_text) == ("Moreno", "shot")


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            'Dana Kim said it was too early to call the race but added, "We like our chances."',
            "Dana Kim",
        ),
        (
            'Silverman was joined on stage by the mayor and joked, "You are all far too kind."',
            "Silverman",
        ),
    ],
    ids=["conj-hung-on-the-reported-clause", "conj-of-a-passive"],
)
def test_second_verb_of_a_speaker_keeps_the_speaker(nlp, text, speaker):
    q = only(in_marks(detect_quotes(nlp(text))))
    assert q.speaker_text == speaker


def test_cue_inside_a_relative_clause_after_a_quote_is_skipped(nlp):
    text = (
        '"The agency will search the new records," which would answer the requests, '
        "the lawyer Ana Ruiz wrote in a filing."
    )
    q = only(in_marks(detect_quotes(nlp(text))))
    assert q.cue_text == "wrote"
    assert q.speaker_text == "the lawyer Ana Ruiz"
