"""The stored final view of corrected articles, read by the corpus views and filters.

See migration 0009: an article with entity or quote annotations is listed in
``corrected_articles`` (triggers keep it there and mark it stale on every
change); its final entities and attributions are in ``final_entities`` and
``final_quotes``. Every other article's final view is its model output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from viewer.core.model import FinalEntity, FinalQuote

# The articles whose stored final rows count. A stale one (just changed, not yet
# rebuilt) counts as its model output until refresh_corrected has run.
FINAL_IDS = "SELECT article_id FROM corrected_articles WHERE fresh = 1"


def final_count(column: str) -> str:
    """SQL for article ``a``'s final entity_count or quote_count (``an``: its analysis)."""
    assert column in ("entity_count", "quote_count")  # constants only: spliced into SQL
    return (
        f"coalesce((SELECT c.{column} FROM corrected_articles c "
        f"WHERE c.article_id = a.id AND c.fresh = 1), an.{column})"
    )


def in_final(model_query: str, final_query: str) -> str:
    """A condition on article ``a``: the model's ``model_query`` (analysis ids, from
    entities or quotes) for an article without stored corrections, ``final_query``
    (article ids, from final_entities or final_quotes, same parameters) for one with."""
    return (
        f"((a.analysis_id IN ({model_query}) AND a.id NOT IN ({FINAL_IDS})) "
        f"OR a.id IN ({final_query} AND article_id IN ({FINAL_IDS})))"
    )


def stale_corrected(db: Database, article_ids: Sequence[int] | None = None) -> list[int]:
    """Corrected articles whose final rows are out of date (of ``article_ids``, if given)."""
    if article_ids is None:
        rows = db.execute("SELECT article_id FROM corrected_articles WHERE fresh = 0")
    else:
        marks = ", ".join("?" * len(article_ids))
        rows = db.execute(
            "SELECT article_id FROM corrected_articles "
            f"WHERE fresh = 0 AND article_id IN ({marks})",
            list(article_ids),
        )
    return [int(r[0]) for r in rows]


def stale_count(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM corrected_articles WHERE fresh = 0").fetchone()[0])


def store_final(
    db: Database,
    article_id: int,
    entities: Iterable[FinalEntity],
    quotes: Iterable[FinalQuote],
) -> None:
    """Replace an article's final rows (inside the caller's transaction) and mark it fresh."""
    db.execute("DELETE FROM final_entities WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM final_quotes WHERE article_id = ?", [article_id])
    entity_rows = [(article_id, e.start, e.end, e.label, e.text) for e in entities]
    quote_rows = [
        (article_id, q.start, q.end, q.kind, int(q.anonymous), q.speaker_name, q.speaker_text,
         q.attribution_id)
        for q in (fq.quote for fq in quotes)
    ]  # fmt: skip
    db.conn.executemany(
        'INSERT INTO final_entities (article_id, start, "end", label, text) VALUES (?, ?, ?, ?, ?)',
        entity_rows,
    )
    db.conn.executemany(
        'INSERT INTO final_quotes (article_id, start, "end", kind, anonymous, speaker_name, '
        "speaker_text, attribution_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        quote_rows,
    )
    db.execute(
        "UPDATE corrected_articles SET fresh = 1, entity_count = ?, quote_count = ? "
        "WHERE article_id = ?",
        [len(entity_rows), len(quote_rows), article_id],
    )


def forget_corrected(db: Database, article_id: int) -> None:
    """The article has no entity or quote annotation left: its model output is final."""
    db.execute("DELETE FROM final_entities WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM final_quotes WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM corrected_articles WHERE article_id = ?", [article_id])


def bump_version(db: Database) -> None:
    """Tell the stats' fingerprint that some final view changed."""
    db.execute("UPDATE corrected_state SET version = version + 1")


def corrected_version(db: Database) -> int:
    row = db.execute("SELECT version FROM corrected_state").fetchone()
    return int(row[0]) if row else 0


def has_decisions(db: Database, article_id: int) -> bool:
    """Whether the article has an entity or quote annotation (a correction or an addition)."""
    return (
        db.execute(
            "SELECT 1 FROM annotations WHERE article_id = ? AND kind IN ('entity', 'quote') "
            "LIMIT 1",
            [article_id],
        ).fetchone()
        is not None
    )
