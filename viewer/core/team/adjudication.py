"""Adjudication: a lead settles two annotators' work on an article into a third one.

The result is an annotator of its own (ADJUDICATOR, "adjudicated" unless
chosen otherwise): its annotations are copies of what it took from A or B,
each with ``provenance`` naming whose it was ("ann", or "ann+bob" when both
had it alike). Exports select it like anyone's work (``--annotator
adjudicated``), and agreement can compare it with either annotator.

An item is what the two did at one place: the spans drawn over one stretch of
text (every label there), one model entity's decision, one attribution
piece's decisions (all fields), or the article's status. Per item the choice
is A, B, both (spans; decisions only where they agree) or neither; every
change is one transaction and returns what it removed and added, so an undo
puts it back exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from sqlite_utils import Database

from viewer.core.model import Annotation, ReviewStatus
from viewer.core.store.annotations import delete_annotation, insert_annotation
from viewer.core.store.articles import now
from viewer.core.store.database import atomic
from viewer.core.store.reviews import AnnotatorReview, Review, get_review, set_review
from viewer.core.team.conflicts import WHAT
from viewer.core.team.work import ItemKey, decision_items

ADJUDICATOR = "adjudicated"
Choice = Literal["a", "b", "both", "neither"]
CHOICES: tuple[Choice, ...] = ("a", "b", "both", "neither")
STATUS_KEY = ("status",)

# What two annotations must share to be the same decision (who and when aside).
_SAME = ("kind", "action", "label", "start", "end", "model_start", "model_end",
         "speaker_start", "speaker_end", "speaker_text")  # fmt: skip


class AdjudicationError(ValueError):
    """The choice cannot be made (e.g. "both" of two different decisions)."""


@dataclass(frozen=True)
class AdjudicationItem:
    key: ItemKey  # ("span"|"entity"|"quote", start, end) or STATUS_KEY
    what: str  # "label", "entity", "attribution", "status"
    start: int | None
    end: int | None
    text: str
    a: tuple[Annotation, ...]  # A's (latest) annotations on the item
    b: tuple[Annotation, ...]
    result: tuple[Annotation, ...]  # the adjudicator's, as stored now
    a_words: str
    b_words: str
    chosen: Choice | None  # the side the result is a copy of (None: not settled yet)
    a_status: ReviewStatus | None = None  # STATUS_KEY only
    b_status: ReviewStatus | None = None
    result_status: ReviewStatus | None = None

    @property
    def agreed(self) -> bool:
        """A and B did the same here: nothing to settle, though still to take over."""
        return self.a_words == self.b_words


def _row_id(ann: Annotation) -> int:
    if ann.id is None:  # every annotation here was read from the store
        raise ValueError("an annotation without a row id cannot be replaced")
    return ann.id


def _same(x: Annotation, y: Annotation) -> bool:
    return all(getattr(x, f) == getattr(y, f) for f in _SAME)


def _same_set(xs: Sequence[Annotation], ys: Sequence[Annotation]) -> bool:
    return len(xs) == len(ys) and all(any(_same(x, y) for y in ys) for x in xs)


def _key(ann: Annotation) -> ItemKey | None:
    items = decision_items(vars(ann))
    if not items:
        return None
    item = items[0][0]
    return ("span", item[2], item[3]) if item[0] == "span" else item[:3]


def _latest(anns: Iterable[Annotation]) -> tuple[Annotation, ...]:
    """An annotator's annotations on one item that count: every span; of decisions,
    the latest per field (as in the final view, a later decision supersedes)."""
    spans, decided = [], {}
    for ann in sorted(anns, key=lambda a: (a.updated_at, a.id or 0)):
        items = decision_items(vars(ann))
        if items and items[0][0][0] == "span":
            spans.append(ann)
        for item, _ in items:
            decided[item] = ann
    kept = {id(a): a for item, a in decided.items() if item[0] != "span"}
    return tuple(spans) + tuple(kept.values())


def _words(anns: Sequence[Annotation]) -> str:
    if not anns:
        return "—"
    parts = []
    for ann in anns:
        for item, value in decision_items(vars(ann)):
            if item[0] == "span":
                parts.append(item[1])
            elif item[0] == "entity":
                parts.append(value)
            elif item[3] != "attribution" or value == "not an attribution":
                parts.append(value if item[3] == "attribution" else f"{item[3]}: {value}")
    return ", ".join(dict.fromkeys(parts))


def _chosen(
    a: Sequence[Annotation],
    b: Sequence[Annotation],
    result: Sequence[Annotation],
    a_words: str,
    b_words: str,
) -> Choice | None:
    if not result:
        return None
    if a and _same_set(result, a):
        return "a"
    if b and _same_set(result, b):
        return "b"
    if a and b and _same_set(result, _both(a, b)):
        return "both"
    return None


def _both(a: Sequence[Annotation], b: Sequence[Annotation]) -> list[Annotation]:
    return [*a, *(y for y in b if not any(_same(x, y) for x in a))]


def adjudication_items(
    annotations: Iterable[Annotation],
    reviews: Sequence[AnnotatorReview],
    a: str,
    b: str,
    adjudicator: str = ADJUDICATOR,
) -> list[AdjudicationItem]:
    """Every item A or B worked on in one article, in text order (the status first)."""
    by: dict[ItemKey, dict[str, list[Annotation]]] = {}
    for ann in annotations:
        if ann.annotator not in (a, b, adjudicator) or ann.anchor_status == "orphaned":
            continue
        key = _key(ann)
        if key is not None:
            by.setdefault(key, {}).setdefault(ann.annotator, []).append(ann)
    items = [_status_item(reviews, a, b, adjudicator)]
    for key, who in by.items():
        side_a, side_b = _latest(who.get(a, [])), _latest(who.get(b, []))
        if not side_a and not side_b:
            continue  # the adjudicator's own, on nothing A or B did
        result = _latest(who.get(adjudicator, []))
        wa, wb = _words(side_a), _words(side_b)
        text = (side_a or side_b)[0].text
        items.append(AdjudicationItem(
            key, WHAT[key[0]], key[1], key[2], text, side_a, side_b, result, wa, wb,
            _chosen(side_a, side_b, result, wa, wb),
        ))  # fmt: skip
    items[1:] = sorted(items[1:], key=lambda i: (i.start, i.end, i.what))
    return [i for i in items if i.key != STATUS_KEY or i.a_status or i.b_status]


def _status_item(
    reviews: Sequence[AnnotatorReview], a: str, b: str, adjudicator: str
) -> AdjudicationItem:
    status = {r.annotator: r.review.status for r in reviews}
    sa, sb, res = status.get(a), status.get(b), status.get(adjudicator)
    chosen: Choice | None = None
    if res is not None and res != "unreviewed":
        chosen = "a" if res == sa else "b" if res == sb else None
    return AdjudicationItem(
        STATUS_KEY, "status", None, None, "", (), (), (), sa or "—", sb or "—", chosen,
        a_status=sa, b_status=sb, result_status=res,
    )  # fmt: skip


# -- taking a side ------------------------------------------------------------------


@dataclass(frozen=True)
class AdjudicationChange:
    """What one choice wrote, to undo it: rows removed and added, and the
    adjudicator's review before and after (None when the status was not touched)."""

    article_id: int
    adjudicator: str
    removed: tuple[Annotation, ...] = ()
    added: tuple[Annotation, ...] = ()
    review_before: Review | None = None
    review_after: Review | None = None


def _copies(
    anns: Sequence[Annotation], provenance: dict[int, str], adjudicator: str
) -> list[Annotation]:
    stamp = now()
    return [
        replace(
            x,
            id=None,
            annotator=adjudicator,
            provenance=provenance[id(x)],
            created_at=stamp,
            updated_at=stamp,
        )  # fmt: skip
        for x in anns
    ]


def _taken(item: AdjudicationItem, choice: Choice) -> tuple[list[Annotation], dict[int, str]]:
    """The annotations a choice takes over, with whose each copy is ("ann+bob" when
    both had it alike)."""
    whose = {id(x): x.annotator for x in (*item.a, *item.b)}
    for x in item.a:
        for y in item.b:
            if _same(x, y):
                whose[id(x)] = whose[id(y)] = f"{x.annotator}+{y.annotator}"
    if choice == "neither":
        return [], whose
    if choice == "a":
        return list(item.a), whose
    if choice == "b":
        return list(item.b), whose
    if item.what != "label" and item.a and item.b and not item.agreed:
        raise AdjudicationError(
            f"{item.a[0].annotator} and {item.b[0].annotator} decided this {item.what} "
            "differently: take one of them"
        )
    return _both(item.a, item.b), whose


def take(
    db: Database,
    article_id: int,
    items: Sequence[AdjudicationItem],
    choice: Choice,
    adjudicator: str = ADJUDICATOR,
) -> AdjudicationChange:
    """Make ``choice`` for every item (one or a whole article's), in one transaction."""
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}")
    removed: list[Annotation] = []
    added: list[Annotation] = []
    before = after = None
    with atomic(db):
        for item in items:
            if item.key == STATUS_KEY:
                before, after = _take_status(db, article_id, item, choice, adjudicator)
                continue
            if choice == "both" and item.what != "label" and item.a and item.b and not item.agreed:
                if len(items) > 1:
                    continue  # a whole article "both": conflicting decisions stay to settle
            chosen, provenance = _taken(item, choice)
            for old in item.result:
                removed.append(delete_annotation(db, _row_id(old)))
            for copy in _copies(chosen, provenance, adjudicator):
                added.append(insert_annotation(db, copy))
    return AdjudicationChange(article_id, adjudicator, tuple(removed), tuple(added), before, after)


def _take_status(
    db: Database, article_id: int, item: AdjudicationItem, choice: Choice, adjudicator: str
) -> tuple[Review, Review]:
    before = get_review(db, article_id, adjudicator)
    status = {"a": item.a_status, "b": item.b_status}.get(choice)
    if choice == "both":
        if item.a_status != item.b_status:
            return before, before  # two statuses: one must be chosen
        status = item.a_status
    after = replace(before, status=status or "unreviewed")
    set_review(db, article_id, after, adjudicator)
    return before, after


def undo_change(db: Database, change: AdjudicationChange) -> None:
    """Put back what ``change`` replaced (its copies deleted, the old rows restored)."""
    _swap(db, change, out=change.added, back=change.removed, review=change.review_before)


def redo_change(db: Database, change: AdjudicationChange) -> None:
    """Write ``change`` again after an undo (the same rows, ids included)."""
    _swap(db, change, out=change.removed, back=change.added, review=change.review_after)


def _swap(
    db: Database,
    change: AdjudicationChange,
    out: Sequence[Annotation],
    back: Sequence[Annotation],
    review: Review | None,
) -> None:
    """One transaction: the adjudicator's rows ``out`` deleted, ``back`` put back with
    their ids (EditConflict if someone changed them meanwhile), the review set."""
    with atomic(db):
        for ann in out:
            delete_annotation(db, _row_id(ann), expected={"annotator": change.adjudicator})
        for ann in back:
            insert_annotation(db, ann)
        if review is not None:
            set_review(db, change.article_id, review, change.adjudicator)
