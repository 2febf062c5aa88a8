"""The analysis cache: model output per (text hash, model, pipeline version)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import astuple, fields

from sqlite_utils import Database

from viewer.core.model import Analysis, Entity, Quote
from viewer.core.store.articles import current_text_hash, now
from viewer.core.store.database import atomic, inserted_id

_QUOTE_COLUMNS = [f.name for f in fields(Quote)]
_QUOTED = ", ".join(f'"{c}"' for c in _QUOTE_COLUMNS)


def pending_articles(
    db: Database, model: str, pipeline: str, batch: int = 256
) -> Iterator[list[tuple[int, str, str]]]:
    """Batches of (article id, text hash, text) lacking this analyzer's analysis.

    Paged by id so a big corpus is never read into memory at once.
    """
    last = 0
    while True:
        rows = db.execute(
            """SELECT a.id, a.text_hash, a.text FROM articles a
               LEFT JOIN analyses an ON an.id = a.analysis_id
               WHERE a.id > ? AND (an.id IS NULL OR an.model != ? OR an.pipeline != ?)
               ORDER BY a.id LIMIT ?""",
            [last, model, pipeline, batch],
        ).fetchall()
        if not rows:
            return
        yield [(int(r[0]), r[1], r[2]) for r in rows]
        last = rows[-1][0]


def pending_among(
    db: Database, ids: Iterable[int], model: str, pipeline: str
) -> list[tuple[int, str, str]]:
    """(article id, text hash, text) of those of ``ids`` lacking this analyzer's analysis,
    in the order asked (the analysis of the article on screen goes first)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows = db.execute(
        f"""SELECT a.id, a.text_hash, a.text FROM articles a
            LEFT JOIN analyses an ON an.id = a.analysis_id
            WHERE a.id IN ({", ".join("?" * len(ids))})
              AND (an.id IS NULL OR an.model != ? OR an.pipeline != ?)""",
        [*ids, model, pipeline],
    ).fetchall()
    found = {int(r[0]): (int(r[0]), r[1], r[2]) for r in rows}
    return [found[i] for i in ids if i in found]


def count_pending(db: Database, model: str, pipeline: str) -> int:
    return int(
        db.execute(
            """SELECT count(*) FROM articles a
               LEFT JOIN analyses an ON an.id = a.analysis_id
               WHERE an.id IS NULL OR an.model != ? OR an.pipeline != ?""",
            [model, pipeline],
        ).fetchone()[0]
    )


def cached_analysis_id(db: Database, text_hash: str, model: str, pipeline: str) -> int | None:
    row = db.execute(
        "SELECT id FROM analyses WHERE text_hash = ? AND model = ? AND pipeline = ?",
        [text_hash, model, pipeline],
    ).fetchone()
    return int(row[0]) if row else None


def link_analysis(db: Database, article_id: int, analysis_id: int) -> None:
    db.execute("UPDATE articles SET analysis_id = ? WHERE id = ?", [analysis_id, article_id])


def link_if_current(db: Database, article_id: int, text_hash: str, analysis_id: int) -> bool:
    """Link the analysis of the text ``text_hash`` if that is still the article's text.

    The text was read before the analysis ran; an import (another window) may have
    replaced it since, and offsets into the old text must never be shown over the
    new one. Not linked, the article stays pending and is analysed again.
    """
    with atomic(db):
        if current_text_hash(db, article_id) != text_hash:
            return False
        link_analysis(db, article_id, analysis_id)
    return True


def save_analyses(
    db: Database,
    model: str,
    pipeline: str,
    results: Iterable[tuple[int, str, str, Analysis]],
) -> list[int]:
    """Save (article id, text hash, text, analysis) in one transaction and link them;
    returns the ids of the articles linked (those whose text is still that text).

    Checks the invariant that every span's text is the article text's slice.
    """
    stamp = now()
    linked: list[int] = []
    with atomic(db):
        for article_id, digest, text, analysis in results:
            _check_spans(text, analysis)
            analysis_id = cached_analysis_id(db, digest, model, pipeline)
            if analysis_id is None:
                analysis_id = _insert_analysis(db, digest, model, pipeline, analysis, stamp)
            if link_if_current(db, article_id, digest, analysis_id):
                linked.append(article_id)
    return linked


def _insert_analysis(
    db: Database, digest: str, model: str, pipeline: str, analysis: Analysis, stamp: str
) -> int:
    cur = db.execute(
        "INSERT INTO analyses (text_hash, model, pipeline, entity_count, quote_count, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [digest, model, pipeline, len(analysis.entities), len(analysis.quotes), stamp],
    )
    analysis_id = inserted_id(cur)
    db.conn.executemany(
        'INSERT INTO entities (analysis_id, start, "end", label, text) VALUES (?, ?, ?, ?, ?)',
        [(analysis_id, e.start, e.end, e.label, e.text) for e in analysis.entities],
    )
    db.conn.executemany(
        f"INSERT INTO quotes (analysis_id, {_QUOTED}) VALUES (?{', ?' * len(_QUOTE_COLUMNS)})",
        [(analysis_id, *astuple(q)) for q in analysis.quotes],
    )
    return analysis_id


def _check_spans(text: str, analysis: Analysis) -> None:
    for e in analysis.entities:
        if text[e.start : e.end] != e.text:
            raise ValueError(f"entity {e} does not match the article text")
    for q in analysis.quotes:
        for start, end, piece in (
            (q.start, q.end, q.text),
            (q.speaker_start, q.speaker_end, q.speaker_text),
            (q.cue_start, q.cue_end, q.cue_text),
        ):
            if start is not None and text[start:end] != piece:
                raise ValueError(f"quote {q} does not match the article text")


def load_analysis(db: Database, analysis_id: int | None, before: int | None = None) -> Analysis:
    """The stored analysis (empty when the article has none yet); with ``before``,
    only the entities and quotes starting before that offset (the head of a long
    article, shown while the rest is read)."""
    if analysis_id is None:
        return Analysis()
    head = "" if before is None else " AND start < ?"
    params = [analysis_id] if before is None else [analysis_id, before]
    entities = tuple(
        Entity(*r)
        for r in db.execute(
            'SELECT start, "end", label, text FROM entities WHERE analysis_id = ?'
            f'{head} ORDER BY start, "end"',
            params,
        )
    )
    quotes = []
    for r in db.execute(
        f"SELECT {_QUOTED} FROM quotes WHERE analysis_id = ?{head} ORDER BY start", params
    ):
        values = dict(zip(_QUOTE_COLUMNS, r, strict=True))
        values["anonymous"] = bool(values["anonymous"])
        quotes.append(Quote(**values))
    return Analysis(entities, tuple(quotes))
