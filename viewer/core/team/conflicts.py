"""Conflicts: two annotators decided the same thing differently.

On one article: a model entity accepted by one and rejected (or relabelled,
resized) by another; an attribution piece one calls "not an attribution" and
another gives a speaker, or two speakers, or two kinds; one span of text
labelled differently; two different statuses. Each annotator's latest
decision on an item counts. Work that only one annotator did is not a
conflict (it is a difference the agreement figures count).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from viewer.core.model import Annotation
from viewer.core.store.annotations import annotations_for_article
from viewer.core.store.reviews import AnnotatorReview, reviews_of
from viewer.core.store.team import articles_with_several_annotators
from viewer.core.team.work import ItemKey, decision_items

# item -> annotator\0field -> (time, decision, annotation): each annotator's latest decision
_Latest = dict[ItemKey, dict[str, tuple[str, str, Annotation]]]
# span -> annotator -> label -> annotation
_Labels = dict[tuple[int, int], dict[str, dict[str, Annotation]]]

WHAT = {"entity": "entity", "quote": "attribution", "span": "label", "status": "status"}


@dataclass(frozen=True)
class Conflict:
    what: str  # "entity", "attribution", "label" (a drawn span), "status"
    start: int | None  # the text it is about (None: the article's status)
    end: int | None
    text: str
    decisions: tuple[tuple[str, str], ...]  # (annotator, decision in words), by annotator
    annotation_ids: tuple[int, ...]  # the annotations in conflict (none for a status)

    def words(self) -> str:
        return "; ".join(f"{who}: {what}" for who, what in self.decisions)


def article_conflicts(
    annotations: Iterable[Annotation], reviews: Sequence[AnnotatorReview] = ()
) -> list[Conflict]:
    """The conflicts among one article's annotations and reviews, in text order."""
    latest: _Latest = {}  # item -> who -> ...
    labels: _Labels = {}  # span -> who -> label
    for ann in annotations:
        if ann.anchor_status == "orphaned":
            continue  # applied nowhere: nothing to disagree about in this text
        for item, value in decision_items(vars(ann)):
            if item[0] == "span":
                _, label, start, end = item
                labels.setdefault((start, end), {}).setdefault(ann.annotator, {})[label] = ann
                continue
            key = item if item[0] == "entity" else item[:3]  # a piece: all its fields
            mine = latest.setdefault(key, {})
            field = item[3] if item[0] == "quote" else ""
            seen = mine.get(f"{ann.annotator}\0{field}")
            if seen is None or seen[0] <= ann.updated_at:
                mine[f"{ann.annotator}\0{field}"] = (ann.updated_at, value, ann)
    out = [*_decision_conflicts(latest), *_label_conflicts(labels)]
    out.sort(key=lambda c: (c.start, c.end, c.what))
    status = _status_conflict(reviews)
    return ([status] if status else []) + out


def _decision_conflicts(latest: _Latest) -> Iterator[Conflict]:
    for key, decided in latest.items():
        by_who: dict[str, dict[str, tuple[str, Annotation]]] = {}
        for who_field, (_, value, ann) in decided.items():
            who, field = who_field.split("\0")
            by_who.setdefault(who, {})[field] = (value, ann)
        if len(by_who) < 2 or not _disagree(list(by_who.values())):
            continue
        views = {who: _in_words(fields) for who, fields in by_who.items()}
        anns = [ann for fields in by_who.values() for _, ann in fields.values()]
        yield Conflict(
            WHAT[key[0]], key[1], key[2], anns[0].text,
            tuple(sorted(views.items())), tuple(sorted({a.id for a in anns if a.id is not None})),
        )  # fmt: skip


def _disagree(decided: list[dict[str, tuple[str, Annotation]]]) -> bool:
    """Two annotators gave a field they both decided different values (a speaker set
    by one and a kind by the other is no conflict: each decided something else)."""
    for i, mine in enumerate(decided):
        for theirs in decided[i + 1 :]:
            if any(mine[f][0] != theirs[f][0] for f in mine.keys() & theirs.keys()):
                return True
    return False


def _in_words(fields: dict[str, tuple[str, Annotation]]) -> str:
    """One annotator's decisions on an item: 'rejected', or 'speaker: X, kind: indirect'."""
    if "" in fields:
        return fields[""][0]
    if fields.get("attribution", ("",))[0] == "not an attribution":
        return "not an attribution"
    parts = [f"{f}: {fields[f][0]}" for f in ("speaker", "kind") if f in fields]
    return ", ".join(parts) or "an attribution"


def _label_conflicts(labels: _Labels) -> Iterator[Conflict]:
    for (start, end), by_who in labels.items():
        if len(by_who) < 2 or len({frozenset(ls) for ls in by_who.values()}) < 2:
            continue
        anns = [a for ls in by_who.values() for a in ls.values()]
        decisions = tuple(sorted((who, ", ".join(sorted(ls))) for who, ls in by_who.items()))
        yield Conflict("label", start, end, anns[0].text, decisions,
                       tuple(sorted(a.id for a in anns if a.id is not None)))  # fmt: skip


def _status_conflict(reviews: Sequence[AnnotatorReview]) -> Conflict | None:
    set_ = [(r.annotator, r.review.status) for r in reviews if r.review.status != "unreviewed"]
    if len({s for _, s in set_}) < 2:
        return None
    return Conflict("status", None, None, "", tuple(sorted(set_)), ())


def conflicts_in(db: Database, article_id: int) -> list[Conflict]:
    """The article's conflicts, as stored now."""
    return article_conflicts(annotations_for_article(db, article_id), reviews_of(db, article_id))


def corpus_conflicts(db: Database) -> Iterator[tuple[int, Conflict]]:
    """(article id, conflict) over the whole database, article by article."""
    for article_id in articles_with_several_annotators(db):
        for conflict in conflicts_in(db, article_id):
            yield article_id, conflict
