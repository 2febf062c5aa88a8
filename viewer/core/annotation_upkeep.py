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
