"""Keeping the analyst's annotations attached when the text or the model changes.

Glue between the store, anchoring and corrections, called by the import and
analysis workflow. Nothing is ever deleted here: an annotation that cannot be
placed is marked orphaned and listed for review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlite_utils import Database

from viewer.core.anchoring import reanchor_annotation
from viewer.core.corrections import reattach
from viewer.core.model import Analysis
from viewer.core.store.annotations import annotations_for_article, replace_annotations
from viewer.core.store.articles import get_article


def reanchor_changed_articles(db: Database, article_ids: Iterable[int]) -> Counter:
    """Re-attach the annotations of articles whose text changed; count by status."""
    statuses: Counter = Counter()
    for article_id in article_ids:
        article = get_article(db, article_id)
        if article is None:
            continue
        moved = []
        for ann in annotations_for_article(db, article_id):
            if ann.text_hash == article.text_hash:
                continue
            placed = reanchor_annotation(ann, article.text, article.text_hash)
            statuses[placed.anchor_status] += 1
            moved.append(placed)
        replace_annotations(db, moved)
    return statuses


def reattach_decisions(db: Database, analysed: Iterable[tuple[int, Analysis]]) -> int:
    """After new model output for these articles, point the analyst's corrections
    at the new spans; returns how many decisions were updated."""
    by_article = dict(analysed)
    if not by_article:
        return 0
    marks = ", ".join("?" * len(by_article))
    with_decisions = db.execute(
        "SELECT DISTINCT article_id FROM annotations "
        f"WHERE kind != 'span' AND article_id IN ({marks})",
        list(by_article),
    ).fetchall()
    updated = []
    for (article_id,) in with_decisions:
        decisions = [a for a in annotations_for_article(db, article_id) if a.kind != "span"]
        new = reattach(decisions, by_article[article_id])
        updated.extend(n for n, old in zip(new, decisions, strict=True) if n != old)
    replace_annotations(db, updated)
    return len(updated)
