"""Keeping the analyst's annotations attached when the text or the model changes.

Glue between the store, anchoring and corrections, called by the import and
analysis workflow. Nothing is ever deleted here: an annotation that cannot be
placed is marked orphaned and listed for review.

Each function reads the annotations and writes what it computed in one
``atomic()`` (a savepoint of the caller's, when the caller's user action holds
one), so no other writer can come in between, and it writes only the columns it
computed, of the rows that changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields

from sqlite_utils import Database

from viewer.core.annotations.anchoring import reanchor_annotation
from viewer.core.annotations.corrections import reattach
from viewer.core.model import Analysis, Annotation
from viewer.core.store.analyses import load_analysis
from viewer.core.store.annotations import (
    annotations_for_article,
    decided_article_ids,
    stale_anchor_article_ids,
    update_annotation_columns,
)
from viewer.core.store.articles import get_article
from viewer.core.store.database import atomic

_FIELDS = [f.name for f in fields(Annotation) if f.name != "id"]
# What re-attaching to new model output computes; nothing else of a decision is written.
_REATTACH_FIELDS = ("model_start", "model_end", "model_label", "anchor_status")


def _changed_columns(old: Annotation, new: Annotation, names: Sequence[str]) -> dict[str, object]:
    return {n: getattr(new, n) for n in names if getattr(new, n) != getattr(old, n)}


def _write_changes(
    db: Database, pairs: Iterable[tuple[Annotation, Annotation]], names: Sequence[str]
) -> int:
    """Write, of each (as read, as computed) pair that differs, only the changed columns."""
    # as read from the store, every annotation has its id
    changes = [(old.id, _changed_columns(old, new, names)) for old, new in pairs if old.id]
    return update_annotation_columns(db, [(i, c) for i, c in changes if c])


# -- the article text changed -----------------------------------------------------------


def _reanchor_article(db: Database, article_id: int) -> tuple[list[Annotation], Counter[str]]:
    """The article's annotations, those stored against another text re-anchored to the
    stored one (and written); with the count of re-anchored ones by status."""
    statuses: Counter[str] = Counter()
    article = get_article(db, article_id)
    annotations = annotations_for_article(db, article_id)
    if article is None:
        return annotations, statuses
    placed = []
    for ann in annotations:
        if ann.text_hash != article.text_hash:
            new = reanchor_annotation(ann, article.text, article.text_hash)
            statuses[new.anchor_status] += 1
            placed.append((ann, new))
    _write_changes(db, placed, _FIELDS)
    current = {old.id: new for old, new in placed}
    return [current.get(a.id, a) for a in annotations], statuses


def reanchor_articles(db: Database, article_ids: Iterable[int]) -> dict[int, Counter[str]]:
    """Re-attach to its stored text every annotation stored against another text, of
    these articles, in one transaction; the re-anchored ones by status, per article
    (articles with none left out)."""
    out: dict[int, Counter[str]] = {}
    with atomic(db):
        for article_id in article_ids:
            _, statuses = _reanchor_article(db, article_id)
            if statuses:
                out[article_id] = statuses
    return out


def reanchor_changed_articles(db: Database, article_ids: Iterable[int]) -> Counter[str]:
    """Re-attach the annotations of articles whose text changed; count by status."""
    return _total(reanchor_articles(db, article_ids))


def repair_stale_anchors(
    db: Database, per_article: dict[int, Counter[str]] | None = None
) -> Counter[str]:
    """Re-anchor every annotation whose ``text_hash`` is not its article's current one.

    Such anchors were left by an import that committed a text without re-anchoring
    (older versions could be killed between the two), and no later import would
    find them: the text is no longer "changed". Run when a corpus is opened.
    Counts the re-anchored annotations by status (per article into ``per_article``).

    On a consistent database this is one read query (its cost:
    ``stale_anchor_article_ids``) and no write transaction.
    """
    if not stale_anchor_article_ids(db):
        return Counter()
    with atomic(db):  # again under the write lock: another viewer may have repaired them
        found = reanchor_articles(db, stale_anchor_article_ids(db))
    if per_article is not None:
        per_article.update(found)
    return _total(found)


def _total(per_article: Mapping[int, Counter[str]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for statuses in per_article.values():
        total.update(statuses)
    return total


# -- new model output -------------------------------------------------------------------


def reattach_decisions(db: Database, analysed: Iterable[tuple[int, Analysis]]) -> int:
    """After new model output for these articles, attach the analyst's corrections to
    it (``corrections.reattach``); returns how many decisions changed.

    Reads and writes in one transaction, and writes only the columns re-attaching
    computes (model span and label, anchor status) of the decisions it changed: a
    label or note edited by another window, before or after, is never undone.
    Decisions stored against an older text are re-anchored first.
    """
    by_article = dict(analysed)
    changed = 0
    with atomic(db):
        for article_id in decided_article_ids(db, list(by_article)):
            annotations, _ = _reanchor_article(db, article_id)
            decisions = [a for a in annotations if a.kind != "span"]
            new = reattach(decisions, by_article[article_id])
            pairs = zip(decisions, new, strict=True)
            changed += _write_changes(db, pairs, _REATTACH_FIELDS)
    return changed


def reattach_to_cached(db: Database, linked: Iterable[tuple[int, int]]) -> int:
    """``reattach_decisions`` for articles just linked to an analysis already stored,
    as (article id, analysis id): choosing model A again after B re-attaches A's
    decisions without running the model. Loads only the analyses of articles with
    decisions."""
    analysis_of = dict(linked)
    with atomic(db):
        decided = decided_article_ids(db, list(analysis_of))
        return reattach_decisions(db, [(a, load_analysis(db, analysis_of[a])) for a in decided])
