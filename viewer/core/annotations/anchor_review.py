"""The annotations to check by hand after their article's text (or the model) changed,
read in one go on a connection of its own (the window reads them off its UI thread:
telling the causes apart reads every listed article's text)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from viewer.core.model import Annotation
from viewer.core.store.anchor_checks import review_counts, review_list
from viewer.core.store.articles import get_article
from viewer.core.store.database import open_readonly


@dataclass(frozen=True)
class ReviewRow:
    annotation: Annotation
    checked: bool  # marked checked where it sits now
    title: str  # its article's (the article id when the article is gone)
    # Its text still stands at its offsets: an orphan of a model change, not a text change.
    text_in_place: bool


@dataclass(frozen=True)
class AnchorReview:
    counts: Counter[str]  # unchecked by anchor status, and "checked"
    rows: list[ReviewRow]


def read_anchor_review(
    db_path: str | Path, moved: bool = False, checked: bool = False
) -> AnchorReview:
    """Orphaned, then approximate, then (with ``moved``) moved annotations; those marked
    checked only with ``checked``."""
    db = open_readonly(db_path)
    try:
        titles: dict[int, str] = {}
        texts: dict[int, str | None] = {}
        rows = []
        for item in review_list(db, moved, checked):
            ann = item.annotation
            if ann.article_id not in titles:
                article = get_article(db, ann.article_id)
                titles[ann.article_id] = article.title if article else str(ann.article_id)
                texts[ann.article_id] = article.text if article else None
            text = texts[ann.article_id]
            in_place = (
                text is not None and ann.end > ann.start and text[ann.start : ann.end] == ann.text
            )
            rows.append(ReviewRow(ann, item.checked, titles[ann.article_id], in_place))
        return AnchorReview(review_counts(db), rows)
    finally:
        db.close()
