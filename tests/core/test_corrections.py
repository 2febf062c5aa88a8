"""Model output with the analyst's corrections applied (viewer.core.annotations.corrections)."""

from __future__ import annotations

from dataclasses import replace

from viewer.core.annotations.anchoring import context_of
from viewer.core.annotations.corrections import apply_corrections, reattach
from viewer.core.model import (
    Analysis,
    Annotation,
    Entity,
    FinalEntity,
    FinalQuote,
    Quote,
    text_hash,
)

TEXT = (
    "Jane Porter met the Acme Corp board in London. "
    '"We are ready," she said, "and we will win." '
    '"It is a disaster," said Tom Reed.'
)


def span(part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(part, start + 1)
    return start, start + len(part)


def entity(part: str, label: str) -> Entity:
    return Entity(*span(part), label, part)


PORTER = entity("Jane Porter", "PERSON")
ACME = entity("the Acme Corp", "ORG")
LONDON = entity("London", "GPE")
REED = entity("Tom Reed", "PERSON")
READY = Quote(*span("We are ready,"), "We are ready,", *span("she"), "she", attribution_id=1)
WIN = Quote(*span("and we will win."), "and we will win.", *span("she"), "she", attribution_id=1)
DISASTER = Quote(*span("It is a disaster,"), "It is a disaster,", *span("Tom Reed"), "Tom Reed")
ANALYSIS = Analysis(entities=(PORTER, ACME, LONDON, REED), quotes=(READY, WIN, DISASTER))

_ids = iter(range(1, 10_000))


def decision(kind: str, action: str, start: int, end: int, **values) -> Annotation:
    """An annotation over TEXT[start:end]; model_* default to the same span."""
    if action not in ("added",) and kind != "span":
        values.setdefault("model_start", start)
        values.setdefault("model_end", end)
    values.setdefault("id", next(_ids))
    return Annotation(
        article_id=1,
        kind=kind,
        action=action,
        start=start,
        end=end,
        text=TEXT[start:end],
        left_context=context_of(TEXT, start, end)[0],
        right_context=context_of(TEXT, start, end)[1],
        text_hash=text_hash(TEXT),
        **values,
    )


def on(ent: Entity, action: str, **values) -> Annotation:
    values.setdefault("model_label", ent.label)
    return decision("entity", action, ent.start, ent.end, **values)


def final_entity(view, ent: Entity) -> FinalEntity:
    (found,) = [f for f in view.entities if (f.start, f.end) == (ent.start, ent.end)]
    return found


def final_quote(view, q: Quote) -> FinalQuote:
    (found,) = [f for f in view.quotes if (f.quote.start, f.quote.end) == (q.start, q.end)]
    return found


# -- entities -------------------------------------------------------------------


def test_no_decisions_is_the_model_output():
    view = apply_corrections(ANALYSIS, [])
    assert [(e.start, e.label, e.origin, e.decision) for e in view.entities] == [
        (e.start, e.label, "model", None) for e in ANALYSIS.entities
    ]
    assert [q.quote for q in view.quotes] == list(ANALYSIS.quotes)
    assert view.rejected_entities == view.rejected_quotes == ()


def test_accepted():
    ann = on(PORTER, "accepted")
    f = final_entity(apply_corrections(ANALYSIS, [ann]), PORTER)
    assert (f.label, f.origin, f.decision, f.annotation_id) == (
        "PERSON",
        "model",
        "accepted",
        ann.id,
    )


def test_rejected():
    view = apply_corrections(ANALYSIS, [on(LONDON, "rejected")])
    assert view.rejected_entities == (LONDON,)
    assert LONDON.start not in [e.start for e in view.entities]


def test_relabelled():
    f = final_entity(apply_corrections(ANALYSIS, [on(ACME, "relabelled", label="COMPANY")]), ACME)
    assert (f.label, f.model_label, f.decision, f.origin) == (
        "COMPANY",
        "ORG",
        "relabelled",
        "model",
    )


def test_resized_takes_the_analysts_span_and_keeps_the_label():
    start, end = span("Acme Corp")
    ann = decision(
        "entity",
        "resized",
        start,
        end,
        model_start=ACME.start,
        model_end=ACME.end,
        model_label="ORG",
    )
    view = apply_corrections(ANALYSIS, [ann])
    (f,) = [e for e in view.entities if e.decision == "resized"]
    assert (f.start, f.end, f.text, f.label, f.model_label) == (
        start,
        end,
        "Acme Corp",
        "ORG",
        "ORG",
    )
    assert ACME.start not in [e.start for e in view.entities]  # replaced, not duplicated


def test_resized_with_new_label():
    start, end = span("Acme Corp")
    ann = decision(
        "entity", "resized", start, end, model_start=ACME.start, model_end=ACME.end, label="COMPANY"
    )
    (f,) = [e for e in apply_corrections(ANALYSIS, [ann]).entities if e.decision == "resized"]
    assert f.label == "COMPANY"


def test_added():
    start, end = span("board")
    ann = decision("entity", "added", start, end, label="ORG")
    view = apply_corrections(ANALYSIS, [ann])
    (f,) = [e for e in view.entities if e.origin == "analyst"]
    assert (f.start, f.end, f.text, f.label, f.decision) == (start, end, "board", "ORG", "added")
    assert len(view.entities) == len(ANALYSIS.entities) + 1


def test_latest_decision_wins():
    first = on(PORTER, "rejected", id=10)
    second = on(PORTER, "relabelled", label="ORG", id=11)
    for order in ([first, second], [second, first]):
        view = apply_corrections(ANALYSIS, order)
        assert final_entity(view, PORTER).label == "ORG"
        assert view.rejected_entities == ()
    # updated_at counts before the id: an older row edited later is the latest word.
    edited = on(PORTER, "rejected", id=10, updated_at="2025-02-01T00:00:00")
    newer = on(PORTER, "accepted", id=11, updated_at="2025-01-01T00:00:00")
    assert apply_corrections(ANALYSIS, [newer, edited]).rejected_entities == (PORTER,)


def test_decision_attaches_to_the_most_overlapping_entity():
    shifted = Entity(PORTER.start, PORTER.start + 4, "PERSON", "Jane")  # a re-analysis
    analysis = Analysis(entities=(shifted, LONDON))
    view = apply_corrections(analysis, [on(PORTER, "relabelled", label="ORG")])
    assert final_entity(view, shifted).label == "ORG"


def test_decision_with_no_model_entity_left():
    analysis = Analysis(entities=(LONDON,))
    decisions = [on(PORTER, "rejected"), on(REED, "relabelled", label="ORG")]
    view = apply_corrections(analysis, decisions)
    assert view.rejected_entities == ()
    assert [e.start for e in view.entities] == [LONDON.start]
    # A resize stands on its own: the analyst drew that span.
    start, end = span("Porter")
    resize = decision(
        "entity", "resized", start, end, model_start=0, model_end=11, model_label="PERSON"
    )
    (f,) = [e for e in apply_corrections(analysis, [resize]).entities if e.decision == "resized"]
    assert (f.start, f.end, f.label, f.origin) == (start, end, "PERSON", "analyst")


def test_orphaned_and_free_spans_are_ignored():
    orphan = on(PORTER, "rejected", anchor_status="orphaned")
    free = decision("span", "added", *span("board"), label="TOPIC")
    lost_quote = decision(
        "quote", "not_quote", DISASTER.start, DISASTER.end, anchor_status="orphaned"
    )
    assert apply_corrections(ANALYSIS, [orphan, free, lost_quote]) == apply_corrections(
        ANALYSIS, []
    )


def test_output_is_sorted_by_start():
    added = decision("entity", "added", 0, 4, label="PERSON")
    view = apply_corrections(ANALYSIS, [added, on(REED, "rejected"), on(PORTER, "rejected")])
    starts = [e.start for e in view.entities]
    assert starts == sorted(starts)
    assert view.rejected_entities == (PORTER, REED)
    quote = decision("quote", "added", *span("met the Acme"))
    quotes = [q.quote.start for q in apply_corrections(ANALYSIS, [quote]).quotes]
    assert quotes == sorted(quotes) and len(quotes) == 4


# -- quotes ---------------------------------------------------------------------


def test_not_quote():
    view = apply_corrections(
        ANALYSIS, [decision("quote", "not_quote", DISASTER.start, DISASTER.end)]
    )
    assert view.rejected_quotes == (DISASTER,)
    assert DISASTER not in [q.quote for q in view.quotes]


def test_speaker_changed():
    who = span("Jane Porter")
    ann = decision(
        "quote",
        "speaker_changed",
        DISASTER.start,
        DISASTER.end,
        speaker_start=who[0],
        speaker_end=who[1],
        speaker_text="Jane Porter",
    )
    f = final_quote(apply_corrections(ANALYSIS, [ann]), DISASTER)
    assert (f.quote.speaker_start, f.quote.speaker_end) == who
    assert f.quote.speaker_text == f.quote.speaker_name == "Jane Porter"
    assert (f.decision, f.origin, f.annotation_id) == ("speaker_changed", "model", ann.id)
    assert f.quote.text == DISASTER.text


def test_speaker_change_applies_to_every_piece_of_an_interrupted_quote():
    who = span("Jane Porter")
    ann = decision(
        "quote",
        "speaker_changed",
        WIN.start,
        WIN.end,
        speaker_start=who[0],
        speaker_end=who[1],
        speaker_text="Jane Porter",
    )
    view = apply_corrections(ANALYSIS, [ann])
    for piece in (READY, WIN):
        assert final_quote(view, piece).quote.speaker_text == "Jane Porter"
        assert final_quote(view, piece).decision == "speaker_changed"
    assert final_quote(view, DISASTER).quote.speaker_text == "Tom Reed"


def test_not_quote_on_one_piece_keeps_the_other_and_its_new_speaker():
    who = span("Jane Porter")
    change = decision(
        "quote",
        "speaker_changed",
        READY.start,
        READY.end,
        speaker_start=who[0],
        speaker_end=who[1],
        speaker_text="Jane Porter",
    )
    drop = decision("quote", "not_quote", WIN.start, WIN.end)
    view = apply_corrections(ANALYSIS, [drop, change])
    assert view.rejected_quotes == (WIN,)
    assert final_quote(view, READY).quote.speaker_text == "Jane Porter"


def test_latest_quote_decision_wins():
    drop = decision("quote", "not_quote", DISASTER.start, DISASTER.end, id=50)
    keep = decision(
        "quote", "speaker_changed", DISASTER.start, DISASTER.end, speaker_text=None, id=51
    )
    view = apply_corrections(ANALYSIS, [keep, drop])
    assert view.rejected_quotes == ()
    assert final_quote(view, DISASTER).quote.speaker_text is None  # speaker now unknown


def test_added_quote():
    start, end = span("met the Acme Corp board")
    who = span("Jane Porter")
    ann = decision(
        "quote",
        "added",
        start,
        end,
        speaker_start=who[0],
        speaker_end=who[1],
        speaker_text="Jane Porter",
    )
    (f,) = [q for q in apply_corrections(ANALYSIS, [ann]).quotes if q.origin == "analyst"]
    assert f.decision == "added" and f.annotation_id == ann.id
    assert (f.quote.start, f.quote.end, f.quote.text) == (start, end, "met the Acme Corp board")
    assert (f.quote.speaker_start, f.quote.speaker_text, f.quote.speaker_name) == (
        who[0],
        "Jane Porter",
        "Jane Porter",
    )


# -- reattach -----------------------------------------------------------------


def test_reattach_after_spans_shift_slightly():
    decisions = [
        on(ACME, "relabelled", label="COMPANY"),
        on(LONDON, "rejected"),
        decision("quote", "not_quote", DISASTER.start, DISASTER.end),
    ]
    acme = Entity(*span("Acme Corp"), "NORP", "Acme Corp")  # the new model drops "the"
    london = Entity(*span("London."), "LOC", "London.")
    disaster = Quote(*span('"It is a disaster,"'), '"It is a disaster,"')
    new = Analysis(entities=(PORTER, acme, london), quotes=(READY, WIN, disaster))
    out = reattach(decisions, new)
    assert (out[0].model_start, out[0].model_end, out[0].model_label) == (
        acme.start,
        acme.end,
        "NORP",
    )
    assert (out[1].model_start, out[1].model_end, out[1].model_label) == (
        london.start,
        london.end,
        "LOC",
    )
    assert (out[2].model_start, out[2].model_end) == (disaster.start, disaster.end)
    # The analyst's own spans are untouched, and the decisions apply to the new output.
    assert [(a.start, a.end) for a in out] == [(a.start, a.end) for a in decisions]
    view = apply_corrections(new, out)
    assert final_entity(view, acme).label == "COMPANY"
    assert final_entity(view, acme).model_label == "NORP"
    assert view.rejected_entities == (london,)
    assert view.rejected_quotes == (disaster,)


def test_reattach_prefers_the_exact_span_then_the_same_label():
    same_span_other_label = Entity(PORTER.start, PORTER.end, "ORG", PORTER.text)
    new = Analysis(entities=(same_span_other_label, PORTER))
    (out,) = reattach([on(PORTER, "accepted")], new)
    assert out.model_label == "PERSON"
    (out,) = reattach([on(PORTER, "accepted")], Analysis(entities=(same_span_other_label,)))
    assert out.model_label == "ORG"


def test_reattach_leaves_what_it_cannot_match_alone():
    added = decision("entity", "added", *span("board"), label="ORG")
    free = decision("span", "added", *span("board"), label="TOPIC")
    # Orphaned by anchoring: its text is gone from the article (not at its offsets).
    gone = replace(on(PORTER, "rejected"), text="Joan Portman", anchor_status="orphaned")
    resize = decision(
        "entity", "resized", *span("Reed"), model_start=REED.start, model_end=REED.end
    )
    new = Analysis(entities=(PORTER, LONDON))
    decisions = [added, free, gone, resize]
    assert reattach(decisions, new) == decisions


# -- which span takes a decision ---------------------------------------------------


def test_a_decision_no_span_takes_is_orphaned_for_review_with_its_own_span():
    lost = on(REED, "rejected")
    (out,) = reattach([lost], Analysis(entities=(PORTER, LONDON)))
    assert out == replace(lost, anchor_status="orphaned")  # offsets, text, model span kept
    assert apply_corrections(Analysis(entities=(PORTER, LONDON)), [out]).rejected_entities == ()
    # The model gives the span again: attached again, exact, and applied.
    (back,) = reattach([out], ANALYSIS)
    assert back == lost
    assert apply_corrections(ANALYSIS, [back]).rejected_entities == (REED,)


def test_awaiting_review_keeps_its_status_when_no_span_takes_it():
    moved = on(REED, "rejected", anchor_status="moved")
    assert reattach([moved], Analysis(entities=(LONDON,))) == [moved]


def test_a_span_that_is_mostly_other_text_never_takes_a_decision():
    # 'London. "We are ready' is mostly not "London": the rejection does not apply.
    longer = Entity(*span('London. "We are ready'), "GPE", 'London. "We are ready')
    view = apply_corrections(Analysis(entities=(longer,)), [on(LONDON, "rejected")])
    assert view.rejected_entities == ()
    # Half of it is (and all of the shorter one): it does.
    london_dot = Entity(*span("London."), "GPE", "London.")
    view = apply_corrections(Analysis(entities=(london_dot,)), [on(LONDON, "rejected")])
    assert view.rejected_entities == (london_dot,)


def test_the_text_must_be_the_same_where_the_spans_coincide():
    # Offsets from an older text: the same place, other words.
    stale = replace(on(PORTER, "rejected"), text="Joan Poxter")
    assert apply_corrections(ANALYSIS, [stale]).rejected_entities == ()
    (out,) = reattach([stale], ANALYSIS)
    assert out.anchor_status == "orphaned"


def test_a_decision_goes_to_the_span_most_like_its_own():
    jane = Entity(*span("Jane"), "PERSON", "Jane")
    porter = Entity(*span("Porter"), "PERSON", "Porter")  # more of it than "Jane"
    view = apply_corrections(Analysis(entities=(jane, porter)), [on(PORTER, "rejected")])
    assert view.rejected_entities == (porter,)


def test_a_resize_attaches_by_the_entity_it_resized_then_by_its_own_span():
    start, end = span("Acme Corp")
    resize = decision("entity", "resized", start, end, model_start=ACME.start,
                      model_end=ACME.end, model_label="ORG", label="COMPANY")  # fmt: skip
    board = Entity(*span("Acme Corp board"), "ORG", "Acme Corp board")  # 9 of 15: taken
    acme_board = Analysis(entities=(PORTER, board))
    (f,) = [e for e in apply_corrections(acme_board, [resize]).entities if e.decision]
    assert (f.start, f.end, f.label, f.model_label, f.origin) == (
        start, end, "COMPANY", "ORG", "model")  # fmt: skip
    shown = [(e.start, e.end) for e in apply_corrections(acme_board, [resize]).entities]
    assert (board.start, board.end) not in shown  # replaced by the analyst's span
    # Re-attaching never rewrites what the analyst resized: model A again finds it exactly.
    assert reattach([resize], acme_board) == [resize]
    view = apply_corrections(ANALYSIS, reattach(reattach([resize], acme_board), ANALYSIS))
    assert [(e.start, e.end, e.decision) for e in view.entities if e.decision] == [
        (start, end, "resized")
    ]
    # The span it resized is never matched by overlap: "the Acme Corp board in London"
    # is mostly text the analyst did not draw, so the resize stands alone beside it.
    wide = Entity(*span("the Acme Corp board in London"), "ORG", "the Acme Corp board in London")
    view = apply_corrections(Analysis(entities=(wide,)), [resize])
    assert {(e.start, e.end, e.origin) for e in view.entities} == {
        (wide.start, wide.end, "model"), (start, end, "analyst")}  # fmt: skip


def test_a_shrinking_resize_never_replaces_another_entity_inside_what_it_cut_away():
    # The model's "Jane Porter met the Acme Corp" was resized to "Jane Porter"; a new
    # model has "Jane Porter" and "the Acme Corp": the resize takes the first only.
    merged = span("Jane Porter met the Acme Corp")
    resize = decision("entity", "resized", *span("Jane Porter"), model_start=merged[0],
                      model_end=merged[1], model_label="PERSON")  # fmt: skip
    view = apply_corrections(Analysis(entities=(PORTER, ACME)), [resize])
    assert final_entity(view, ACME).decision is None
    assert final_entity(view, PORTER).decision == "resized"
