"""Versioned, named schema migrations. Append new ones; never edit old ones."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("viewer")


@migrations(name="0001_articles_and_analyses")
def _articles_and_analyses(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            ext_id TEXT NOT NULL UNIQUE,      -- the corpus's own id
            title TEXT NOT NULL,
            source TEXT,
            date TEXT,
            url TEXT,
            meta TEXT NOT NULL DEFAULT '{}',  -- JSON: any other fields
            origin TEXT NOT NULL,             -- file (and line) it came from
            warnings TEXT NOT NULL DEFAULT '[]',
            text TEXT NOT NULL,               -- canonical text (LF only)
            text_hash TEXT NOT NULL,
            analysis_id INTEGER REFERENCES analyses(id),  -- latest analysis
            imported_at TEXT NOT NULL
        );
        -- One row per (text, model, pipeline): the analysis cache.
        CREATE TABLE analyses (
            id INTEGER PRIMARY KEY,
            text_hash TEXT NOT NULL,
            model TEXT NOT NULL,              -- "name@version"
            pipeline TEXT NOT NULL,           -- the project's own pipeline version
            entity_count INTEGER NOT NULL,
            quote_count INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (text_hash, model, pipeline)
        );
        CREATE TABLE entities (
            analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX entities_by_analysis ON entities(analysis_id);
        CREATE TABLE quotes (
            analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            speaker_start INTEGER,
            speaker_end INTEGER,
            speaker_text TEXT,
            cue_start INTEGER,
            cue_end INTEGER,
            cue_text TEXT,
            kind TEXT NOT NULL,
            speaker_name TEXT,
            anonymous INTEGER NOT NULL DEFAULT 0,
            attribution_id INTEGER
        );
        CREATE INDEX quotes_by_analysis ON quotes(analysis_id);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
        """
    )
