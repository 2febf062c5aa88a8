"""Re-anchoring annotations after an article's text changed (viewer.core.annotations.anchoring)."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from difflib import SequenceMatcher

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from viewer.core.annotations.anchoring import (
    MIN_SIMILARITY,
    NEAR_CHARS,
    Placement,
    context_of,
    reanchor,
    reanchor_annotation,
)
from viewer.core.model import CONTEXT_CHARS, Annotation, text_hash

TEXT = (
    "The minister, Jane Porter, said on Tuesday that the plan would go ahead. "
    'Critics disagreed. "It is a disaster," said Tom Reed, a local councillor. '
    "Porter later met Reed in London to discuss the budget."
)


def place(old: str, new: str, part: str, nth: int = 0) -> Placement:
    """Re-anchor the nth occurrence of ``part`` in ``old`` into ``new``."""
    start = -1
    for _ in range(nth + 1):
        start = old.index(part, start + 1)
    end = start + len(part)
    return reanchor(new, start, end, part, *context_of(old, start, end))


def annotation(text: str, part: str, **values) -> Annotation:
    start = text.index(part)
    end = start + len(part)
    left, right = context_of(text, start, end)
    values.setdefault("kind", "entity")
    values.setdefault("action", "accepted")
    return Annotation(
        article_id=1,
        start=start,
        end=end,
        text=part,
        left_context=left,
        right_context=right,
        text_hash=text_hash(text),
        **values,
    )


# -- context_of ---------------------------------------------------------------


def test_context_is_up_to_32_characters_each_side():
    start = TEXT.index("Tom Reed")
    left, right = context_of(TEXT, start, start + 8)
    assert len(left) == len(right) == CONTEXT_CHARS
    assert TEXT[start - CONTEXT_CHARS : start] == left
    assert TEXT[start + 8 :].startswith(right)


def test_context_is_shorter_at_the_ends_of_the_text():
    assert context_of("abcdef", 1, 3) == ("a", "def")
    assert context_of("abcdef", 0, 6) == ("", "")
    assert context_of("", 0, 0) == ("", "")


# -- each status --------------------------------------------------------------


def test_unchanged_text_is_exact():
    assert place(TEXT, TEXT, "Tom Reed") == Placement(*_span(TEXT, "Tom Reed"), "exact")


def test_edit_far_away_that_keeps_offsets_is_exact():
    new = TEXT.replace("London", "Paris")
    assert place(TEXT, new, "Jane Porter").status == "exact"


def test_edit_in_far_context_keeps_it_exact():
    # Within the stored 32 characters, but beyond the nearest few: same text there.
    new = TEXT.replace("The minister", "Our minister")
    p = place(TEXT, new, "Jane Porter")
    assert p.status == "exact"
    assert new[p.start : p.end] == "Jane Porter"


def test_insertion_before_moves_it():
    new = "BREAKING. " + TEXT
    p = place(TEXT, new, "Tom Reed")
    assert p.status == "moved"
    assert new[p.start : p.end] == "Tom Reed"
    assert p.start == TEXT.index("Tom Reed") + len("BREAKING. ")


def test_moved_picks_the_occurrence_with_its_context():
    # "Reed" occurs twice; the second one (after "met ") is the annotated one.
    new = "Update: " + TEXT
    p = place(TEXT, new, "Reed", nth=1)
    assert p.status == "moved"
    assert p.start == new.index("met Reed") + len("met ")


def test_change_right_next_to_it_is_not_exact():
    new = TEXT.replace("said Tom Reed,", "said Tom Reed;")
    p = place(TEXT, new, "Tom Reed")
    assert p.status == "moved"  # same place, but what surrounds it changed
    assert (p.start, p.end) == _span(TEXT, "Tom Reed")


def test_changed_text_between_its_context_is_approximate():
    new = TEXT.replace("Jane Porter", "Jane A. Porter")
    p = place(TEXT, new, "Jane Porter")
    assert p.status == "approximate"
    assert new[p.start : p.end] == "Jane A. Porter"


def test_changed_text_that_also_moved_is_approximate():
    new = "Correction appended to this story. " + TEXT.replace("a disaster", "a real disaster")
    p = place(TEXT, new, "It is a disaster,")
    assert p.status == "approximate"
    assert new[p.start : p.end] == "It is a real disaster,"


def test_fuzzy_match_without_context_near_the_old_place():
    old = "x" * 40 + "Jonathan Smithers" + "y" * 40
    new = "z" * 40 + "Jonathan Smythers" + "w" * 40
    p = place(old, new, "Jonathan Smithers")
    assert p.status == "approximate"
    assert new[p.start : p.end] == "Jonathan Smythers"


def test_text_gone_is_orphaned_with_clamped_offsets():
    new = TEXT.replace('"It is a disaster," said Tom Reed, a local councillor. ', "")
    p = place(TEXT, new, "Tom Reed")
    assert p.status == "orphaned"
    assert 0 <= p.start <= p.end <= len(new)
    short = "Nothing here."
    p = place(TEXT, short, "budget")
    assert p == Placement(len(short), len(short), "orphaned")


def test_replaced_name_is_not_found_approximately():
    new = TEXT.replace("Tom Reed", "Ann Vale")
    assert place(TEXT, new, "Tom Reed").status == "orphaned"


def test_unique_occurrence_with_new_context_is_moved():
    new = "Tom Reed, a councillor, spoke first. Others stayed silent all day long."
    p = place(TEXT, new, "Tom Reed")
    assert p == Placement(0, 8, "moved")


def test_empty_span_is_placed_by_its_context():
    old = "alpha beta gamma"
    assert reanchor(old, 6, 6, "", *context_of(old, 6, 6)).status == "exact"
    new = "zero " + old
    assert reanchor(new, 6, 6, "", *context_of(old, 6, 6)) == Placement(11, 11, "moved")
    assert reanchor("", 6, 6, "", *context_of(old, 6, 6)) == Placement(0, 0, "orphaned")
    assert reanchor("", 0, 0, "", "", "") == Placement(0, 0, "exact")


def test_thousands_of_annotations_on_a_long_article_are_fast():
    rng = random.Random(7)
    words = [f"w{n}" for n in range(800)] + ["the", "said", "and", "of", "a"] * 40
    text = " ".join(rng.choice(words) for _ in range(20_000))[:100_000]
    spans = []
    for _ in range(3000):
        s = rng.randrange(0, len(text) - 30)
        spans.append((s, s + rng.randint(1, 25)))
    new = "A new first paragraph. " + text[:50_000] + " an edit " + text[50_010:]
    t0 = time.perf_counter()
    placed = [reanchor(new, s, e, text[s:e], *context_of(text, s, e)) for s, e in spans]
    assert time.perf_counter() - t0 < 10  # typically well under a second
    for p, (s, e) in zip(placed, spans, strict=True):
        if p.status in ("exact", "moved"):
            assert new[p.start : p.end] == text[s:e]
    assert sum(p.status == "moved" for p in placed) > 2500


# -- reanchor_annotation ------------------------------------------------------


def test_annotation_follows_its_text_with_model_span_and_speaker():
    ann = annotation(
        TEXT,
        "It is a disaster,",
        kind="quote",
        action="speaker_changed",
        model_start=TEXT.index("It is"),
        model_end=TEXT.index("It is") + len("It is a disaster,"),
        speaker_start=TEXT.index("Tom Reed"),
        speaker_end=TEXT.index("Tom Reed") + 8,
        speaker_text="Tom Reed",
        id=4,
    )
    new = "Intro. " + TEXT.replace("said Tom Reed", "said councillor Tom Reed")
    out = reanchor_annotation(ann, new, text_hash(new))
    assert out.anchor_status == "moved"
    assert new[out.start : out.end] == out.text == ann.text
    assert (out.model_start, out.model_end) == (out.start, out.end)
    assert new[out.speaker_start : out.speaker_end] == "Tom Reed"
    assert (out.left_context, out.right_context) == context_of(new, out.start, out.end)
    assert out.text_hash == text_hash(new)
    assert out.id == 4


def test_resized_entity_shifts_its_model_span():
    ann = annotation(TEXT, "Jane Porter", action="resized", label="PERSON")
    ann = replace(ann, model_start=ann.start - 4, model_end=ann.end)  # model had "the ..."
    new = "Hello. " + TEXT
    out = reanchor_annotation(ann, new, text_hash(new))
    assert (out.model_start, out.model_end) == (out.start - 4, out.end)


def test_approximate_annotation_takes_the_new_text():
    ann = annotation(TEXT, "Jane Porter")
    new = TEXT.replace("Jane Porter", "Jane A. Porter")
    out = reanchor_annotation(ann, new, text_hash(new))
    assert out.anchor_status == "approximate"
    assert out.text == "Jane A. Porter" == new[out.start : out.end]


def test_orphaned_annotation_keeps_its_text_and_context():
    ann = annotation(TEXT, "budget", model_start=0, model_end=len(TEXT))
    new = "Short."
    out = reanchor_annotation(ann, new, text_hash(new))
    assert out.anchor_status == "orphaned"
    assert (out.text, out.left_context, out.right_context) == (
        ann.text,
        ann.left_context,
        ann.right_context,
    )
    assert out.start == out.end == out.model_end == len(new)


def test_lost_speaker_needs_review_even_when_the_quote_is_exact():
    ann = annotation(
        TEXT,
        "It is a disaster,",
        kind="quote",
        action="speaker_changed",
        speaker_start=TEXT.index("Tom Reed"),
        speaker_end=TEXT.index("Tom Reed") + 8,
        speaker_text="Tom Reed",
    )
    new = TEXT.replace("Tom Reed", "a spokesman")
    out = reanchor_annotation(ann, new, text_hash(new))
    assert out.anchor_status == "approximate"
    assert (out.start, out.end) == (ann.start, ann.end)


def test_same_hash_leaves_it_alone():
    ann = replace(annotation(TEXT, "Tom Reed"), anchor_status="moved")
    assert reanchor_annotation(ann, TEXT, text_hash(TEXT)) is ann


def test_pending_review_is_not_cleared_by_a_later_import():
    ann = replace(annotation(TEXT, "Tom Reed"), anchor_status="moved", text_hash="old")
    assert reanchor_annotation(ann, TEXT, text_hash(TEXT)).anchor_status == "moved"
    ann = replace(ann, anchor_status="orphaned")
    assert reanchor_annotation(ann, TEXT, text_hash(TEXT)).anchor_status == "moved"


# -- properties ---------------------------------------------------------------

# A small alphabet, so that repeats and near-repeats are common.
ALPHABET = "ab .\n"
MARKERS = "XYZ"  # never in a generated text: inserting one is always visible


@st.composite
def annotated_text(draw, min_span: int = 0) -> tuple[str, int, int]:
    text = draw(st.text(ALPHABET, min_size=min_span, max_size=150))
    start = draw(st.integers(0, len(text) - min_span))
    end = draw(st.integers(start + min_span, min(len(text), start + min_span + 20)))
    return text, start, end


def _edit(text: str, i: int, j: int, new: str) -> str:
    return text[:i] + new + text[j:]


@settings(deadline=None, max_examples=300)
@given(data=st.data(), case=annotated_text())
def test_edits_outside_span_and_context_never_move_it_to_wrong_text(data, case):
    text, start, end = case
    left, right = context_of(text, start, end)
    lo, hi = start - len(left), end + len(right)  # the stored evidence
    before = data.draw(st.booleans())
    i = data.draw(st.integers(0, lo) if before else st.integers(hi, len(text)))
    j = data.draw(st.integers(i, lo) if before else st.integers(i, len(text)))
    new = _edit(text, i, j, data.draw(st.text(ALPHABET + MARKERS, max_size=40)))
    p = reanchor(new, start, end, text[start:end], left, right)
    assert p.status in ("exact", "moved")
    assert new[p.start : p.end] == text[start:end]


@settings(deadline=None, max_examples=300)
@given(data=st.data(), case=annotated_text(min_span=1))
def test_edits_inside_the_span_never_leave_it_exact(data, case):
    text, start, end = case
    left, right = context_of(text, start, end)
    i = data.draw(st.integers(start, end - 1))
    j = data.draw(st.integers(i, end))
    new = _edit(text, i, j, data.draw(st.text(ALPHABET + MARKERS, max_size=10)))
    # An edit is only visible if it changed the span or its nearest context:
    # deleting one "a" of "aaaa" is the same as deleting the next one.
    nr = min(NEAR_CHARS, len(right))
    assume(new[start : end + nr] != text[start : end + nr])
    p = reanchor(new, start, end, text[start:end], left, right)
    assert p.status != "exact"


@settings(deadline=None, max_examples=300)
@given(data=st.data(), case=annotated_text())
def test_any_edit_gives_valid_offsets_and_honest_status(data, case):
    text, start, end = case
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    new = _edit(text, i, j, data.draw(st.text(ALPHABET + MARKERS, max_size=40)))
    old_span = text[start:end]
    p = reanchor(new, start, end, old_span, *context_of(text, start, end))
    assert 0 <= p.start <= p.end <= len(new)
    if p.status in ("exact", "moved"):
        assert new[p.start : p.end] == old_span
    elif p.status == "approximate":
        assert p.end > p.start
        ratio = SequenceMatcher(None, new[p.start : p.end], old_span, autojunk=False).ratio()
        assert ratio >= MIN_SIMILARITY


@pytest.mark.parametrize("status", ["exact", "moved", "approximate"])
@settings(deadline=None, max_examples=50)
@given(case=annotated_text(min_span=1), prefix=st.text(ALPHABET, max_size=30))
def test_reanchored_annotation_is_consistent(status, case, prefix):
    text, start, end = case
    ann = replace(annotation(text, text[start:end]), anchor_status=status)
    new = prefix + text
    out = reanchor_annotation(ann, new, text_hash(new))
    assert out.text_hash == text_hash(new)
    if out.anchor_status != "orphaned":
        assert out.text == new[out.start : out.end]
        assert (out.left_context, out.right_context) == context_of(new, out.start, out.end)


@settings(deadline=None, max_examples=200)
@given(data=st.data(), case=annotated_text(min_span=1))
def test_every_offset_of_a_reanchored_annotation_is_valid(data, case):
    text, start, end = case
    who_start = data.draw(st.integers(0, len(text)))
    who_end = data.draw(st.integers(who_start, len(text)))
    model_start = data.draw(st.integers(0, len(text)))
    model_end = data.draw(st.integers(model_start, len(text)))
    ann = Annotation(
        1,
        "quote",
        "speaker_changed",
        start,
        end,
        text[start:end],
        *context_of(text, start, end),
        text_hash(text),
        model_start=model_start,
        model_end=model_end,
        speaker_start=who_start,
        speaker_end=who_end,
        speaker_text=text[who_start:who_end] or None,
    )
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    new = _edit(text, i, j, data.draw(st.text(ALPHABET + MARKERS, max_size=40)))
    out = reanchor_annotation(ann, new, text_hash(new))
    for s, e in [
        (out.start, out.end),
        (out.model_start, out.model_end),
        (out.speaker_start, out.speaker_end),
    ]:
        assert 0 <= s <= e <= len(new)
    if out.anchor_status in ("exact", "moved"):
        assert new[out.start : out.end] == ann.text
        if ann.speaker_text:  # a speaker that could not be re-found makes it approximate
            assert new[out.speaker_start : out.speaker_end] == ann.speaker_text


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)
