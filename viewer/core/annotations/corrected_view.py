"""The final view of an article, and the stored copy of it (see store.corrected).

The window, the corpus tables, the charts and the filters must count what the
exports write: the model's output with the analyst's corrections applied.
``final_view`` assembles it from the store (the exports, the adjudication view
and the stored copy below all take it from there). Applying corrections is
Python (``corrections.apply_corrections``), so the final view of each corrected
article is stored once, when its annotations or analysis changed, and SQL reads
it from there. Triggers mark the article stale in the same transaction as the
change, so no writer can forget to; this module rebuilds the stale ones (the
window right after an edit, for that article; the background statistics job
for the rest).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from viewer.core.annotations.corrections import apply_corrections
from viewer.core.model import FinalView
from viewer.core.store.analyses import load_analysis
from viewer.core.store.annotations import annotations_for_article
from viewer.core.store.articles import get_article
from viewer.core.store.corrected import (
    bump_version,
    forget_corrected,
    has_decisions,
    stale_corrected,
    store_final,
)
from viewer.core.store.database import atomic

BATCH = 200  # articles per transaction: a big import's refresh never holds the lock long


def final_view(
    db: Database, article_id: int, analysis_id: int | None, who: str | None = None
) -> FinalView:
    """The article's analysis ``analysis_id`` (None: none yet) with the corrections
    applied: everyone's, or ``who``'s alone."""
    annotations = annotations_for_article(db, article_id)
    if who is not None:
        annotations = [a for a in annotations if a.annotator == who]
    return apply_corrections(load_analysis(db, analysis_id), annotations)


def refresh_corrected(db: Database, article_ids: Sequence[int] | None = None) -> int:
    """Rebuild the final rows of stale corrected articles (all, or those of ``article_ids``);
    returns how many were rebuilt."""
    stale = stale_corrected(db, article_ids)
    for start in range(0, len(stale), BATCH):
        with atomic(db):
            for article_id in stale[start : start + BATCH]:
                _refresh_one(db, article_id)
            bump_version(db)
    return len(stale)


def _refresh_one(db: Database, article_id: int) -> None:
    article = get_article(db, article_id)
    if article is None or not has_decisions(db, article_id):  # free spans change nothing
        forget_corrected(db, article_id)
        return
    final = final_view(db, article_id, article.analysis_id)
    store_final(db, article_id, final.entities, final.quotes)
