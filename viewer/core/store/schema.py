"""Versioned, named schema migrations. Append new ones; never edit old ones."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database, Migrations

migrations = Migrations("viewer")


def _script(db: Database, sql: str) -> None:
    """Run several statements inside the caller's transaction.

    sqlite3's executescript() would COMMIT first, so a migration that fails
    half-way would leave its first statements applied; one statement at a
    time keeps all pending migrations in one transaction.
    """
    statement = ""
    for piece in sql.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \n;"):
                db.execute(statement)
            statement = ""


@migrations(name="0001_articles_and_analyses")
def _articles_and_analyses(db: Database) -> None:
    _script(
        db,
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
        """,
    )


@migrations(name="0002_analyst_layer")
def _analyst_layer(db: Database) -> None:
    """The analyst's work, kept apart from model output (which can be re-run)."""
    _script(
        db,
        """
        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            kind TEXT NOT NULL,          -- span | entity | quote
            action TEXT NOT NULL,        -- added | accepted | rejected | relabelled
                                         -- | resized | not_quote | speaker_changed
            label TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,          -- exact text at [start, end)
            left_context TEXT NOT NULL,  -- up to 32 characters before
            right_context TEXT NOT NULL, -- up to 32 characters after
            text_hash TEXT NOT NULL,     -- the article text these offsets refer to
            model_label TEXT,            -- the model's label, for entity corrections
            model_start INTEGER,         -- the model span a correction refers to
            model_end INTEGER,
            speaker_start INTEGER,       -- quotes: the speaker mention chosen
            speaker_end INTEGER,
            speaker_text TEXT,
            note TEXT,
            anchor_status TEXT NOT NULL DEFAULT 'exact',  -- exact|moved|approximate|orphaned
            annotator TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX annotations_by_article ON annotations(article_id, start);
        CREATE INDEX annotations_by_label ON annotations(label);
        CREATE TABLE article_reviews (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            status TEXT NOT NULL DEFAULT 'unreviewed',  -- unreviewed|in_progress|done
            note TEXT,
            annotator TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX article_reviews_by_status ON article_reviews(status);
        CREATE TABLE article_tags (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            tag TEXT NOT NULL,
            annotator TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (article_id, tag)
        );
        CREATE INDEX article_tags_by_tag ON article_tags(tag);
        CREATE TABLE labels (
            name TEXT PRIMARY KEY,
            color TEXT NOT NULL,
            position INTEGER NOT NULL
        );
        """,
    )


@migrations(name="0003_search_and_filters")
def _search_and_filters(db: Database) -> None:
    """Full-text search over title + text, and the indexes the filters and overviews use.

    The FTS table holds only the index (external content): the text lives once,
    in ``articles``. Triggers keep it in step, so writers need not know of it;
    the update trigger fires only when title or text really changed, because a
    re-import rewrites every row with the same values.
    """
    _script(
        db,
        """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text,
            content='articles', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles
        WHEN old.title IS NOT new.title OR old.text IS NOT new.text BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');

        -- Filters go from an entity/speaker to analyses, then to the articles
        -- whose current analysis it is. Article rows are large (the text is
        -- inline), so these indexes carry the small columns filters test:
        -- counting and combining filters never reads an article row.
        CREATE INDEX articles_by_analysis ON articles(analysis_id, source, date);
        CREATE INDEX articles_by_source ON articles(source, date, analysis_id);
        CREATE INDEX articles_by_date ON articles(date, source, analysis_id);
        CREATE INDEX entities_by_text ON entities(text COLLATE NOCASE, label, analysis_id);
        CREATE INDEX entities_by_label ON entities(label, analysis_id);
        CREATE INDEX quotes_by_speaker
            ON quotes(coalesce(speaker_name, speaker_text) COLLATE NOCASE, analysis_id);
        CREATE INDEX quotes_anonymous ON quotes(analysis_id) WHERE anonymous = 1;
        CREATE INDEX annotations_by_label_article ON annotations(label, article_id);
        """,
    )


@migrations(name="0004_corpus_stats")
def _corpus_stats(db: Database) -> None:
    """Counts behind the corpus-wide entity and speaker tables, rebuilt on demand
    (in the background) so the window never counts millions of rows itself."""
    _script(
        db,
        """
        CREATE TABLE stats_entities (
            text TEXT NOT NULL, label TEXT NOT NULL,
            articles INTEGER NOT NULL, mentions INTEGER NOT NULL
        );
        CREATE INDEX stats_entities_by_articles ON stats_entities(articles);
        CREATE TABLE stats_speakers (
            name TEXT NOT NULL, quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL, anonymous_share REAL
        );
        CREATE INDEX stats_speakers_by_quotes ON stats_speakers(quotes);
        CREATE TABLE stats_state (fingerprint TEXT NOT NULL);
        """,
    )


@migrations(name="0005_stable_ids_and_merge_conflicts")
def _stable_ids_and_merge_conflicts(db: Database) -> None:
    """Annotation ids are never reused (AUTOINCREMENT), and merges keep both sides.

    Without AUTOINCREMENT SQLite may hand a deleted annotation's id to the next
    one, so an undo in one window could delete another analyst's new annotation.
    A merge (``viewer import-annotations``) never overwrites a status or note that
    differs here: the incoming value is kept in ``merge_conflicts`` for review.

    The search index is kept in step by the store (``store/articles.py``) instead
    of triggers: connections run with ``trusted_schema=OFF``, under which SQLite
    refuses a virtual table inside a trigger, and a schema with no triggers at
    all is simpler to check for foreign ones.
    """
    _script(
        db,
        """
        CREATE TABLE annotations_stable (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            kind TEXT NOT NULL,
            action TEXT NOT NULL,
            label TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            left_context TEXT NOT NULL,
            right_context TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            model_label TEXT,
            model_start INTEGER,
            model_end INTEGER,
            speaker_start INTEGER,
            speaker_end INTEGER,
            speaker_text TEXT,
            note TEXT,
            anchor_status TEXT NOT NULL DEFAULT 'exact',
            annotator TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        INSERT INTO annotations_stable (id, article_id, kind, action, label, start, "end", text,
            left_context, right_context, text_hash, model_label, model_start, model_end,
            speaker_start, speaker_end, speaker_text, note, anchor_status, annotator,
            created_at, updated_at)
        SELECT id, article_id, kind, action, label, start, "end", text,
            left_context, right_context, text_hash, model_label, model_start, model_end,
            speaker_start, speaker_end, speaker_text, note, anchor_status, annotator,
            created_at, updated_at FROM annotations;
        DROP TABLE annotations;
        ALTER TABLE annotations_stable RENAME TO annotations;
        CREATE INDEX annotations_by_article ON annotations(article_id, start);
        CREATE INDEX annotations_by_label ON annotations(label);
        CREATE INDEX annotations_by_label_article ON annotations(label, article_id);
        -- The merge's duplicate check finds candidates by article and offsets.
        CREATE INDEX annotations_by_span ON annotations(article_id, start, "end");

        CREATE TABLE merge_conflicts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            field TEXT NOT NULL,               -- status | note
            kept TEXT,                         -- the value this database kept
            incoming TEXT,                     -- the other file's value, not applied
            incoming_annotator TEXT,
            incoming_updated_at TEXT,
            source TEXT NOT NULL,              -- the file it came from
            created_at TEXT NOT NULL
        );
        CREATE INDEX merge_conflicts_by_article ON merge_conflicts(article_id);

        DROP TRIGGER articles_fts_insert;
        DROP TRIGGER articles_fts_delete;
        DROP TRIGGER articles_fts_update;
        """,
    )


@migrations(name="0006_attribution_stats")
def _attribution_stats(db: Database) -> None:
    """Attributions, not pieces, behind the speakers table, and the sourcing summary.

    ``stats_speakers`` counts attributions per kind; an anonymous speaker ("a
    spokesman") is a speaker of its article only (``article_id``), so two
    articles' spokesmen are two rows. ``stats_sourcing`` holds, per current
    analysis, its attributions per kind and the anonymous ones; the summary
    groups it by outlet, month or article through ``articles``, so an edited
    source or date shows without counting again. Both are rebuilt on demand
    like the other stats tables (emptying ``stats_state`` makes the next open
    count afresh). The attribution filters (a kind, anonymous of a kind) find
    their analyses through ``quotes_by_kind`` and ``quotes_anonymous_by_kind``.
    """
    _script(
        db,
        """
        DROP TABLE stats_speakers;
        CREATE TABLE stats_speakers (
            name TEXT NOT NULL,
            article_id INTEGER,              -- an anonymous speaker: the article it speaks in
            attributions INTEGER NOT NULL,
            direct INTEGER NOT NULL, mixed INTEGER NOT NULL, indirect INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            anonymous_share REAL
        );
        CREATE INDEX stats_speakers_by_attributions ON stats_speakers(attributions);
        CREATE TABLE stats_sourcing (
            analysis_id INTEGER PRIMARY KEY,
            attributions INTEGER NOT NULL,
            direct INTEGER NOT NULL, mixed INTEGER NOT NULL, indirect INTEGER NOT NULL,
            no_source INTEGER NOT NULL,
            anonymous INTEGER NOT NULL
        );
        CREATE INDEX quotes_by_kind ON quotes(kind, analysis_id);
        CREATE INDEX quotes_anonymous_by_kind ON quotes(kind, analysis_id) WHERE anonymous = 1;
        DELETE FROM stats_state;
        """,
    )


@migrations(name="0007_reviews_and_tags_per_annotator")
def _reviews_and_tags_per_annotator(db: Database) -> None:
    """Each annotator has their own status, note and tags of an article.

    Two analysts reviewing one article used to share one row: the second
    one's status went to ``merge_conflicts`` and, when both agreed, nobody
    could tell that both had reviewed it, so agreement could not be counted.
    Now a row per (article, annotator); a merge conflicts only when the same
    annotator's values differ (their two databases). The statuses and notes
    that earlier merges kept aside as another annotator's become that
    annotator's review (the latest one recorded; a status they did not differ
    on is the kept row's, a note they did not differ on is none: their words
    are never made up from someone else's).
    """
    _script(
        db,
        """
        CREATE TABLE article_reviews_new (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            annotator TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'unreviewed',  -- unreviewed|in_progress|done
            note TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator)
        );
        INSERT INTO article_reviews_new (article_id, annotator, status, note, updated_at)
            SELECT article_id, annotator, status, note, updated_at FROM article_reviews;
        INSERT OR IGNORE INTO article_reviews_new (article_id, annotator, status, note, updated_at)
            SELECT c.article_id, c.incoming_annotator,
                   coalesce((SELECT s.incoming FROM merge_conflicts s
                             WHERE s.article_id = c.article_id AND s.field = 'status'
                               AND s.incoming_annotator = c.incoming_annotator
                             ORDER BY s.id DESC LIMIT 1), r.status, 'unreviewed'),
                   (SELECT n.incoming FROM merge_conflicts n
                    WHERE n.article_id = c.article_id AND n.field = 'note'
                      AND n.incoming_annotator = c.incoming_annotator
                    ORDER BY n.id DESC LIMIT 1),
                   coalesce(max(c.incoming_updated_at), max(c.created_at))
            FROM merge_conflicts c LEFT JOIN article_reviews r ON r.article_id = c.article_id
            WHERE c.incoming_annotator IS NOT NULL AND c.incoming_annotator != ''
            GROUP BY c.article_id, c.incoming_annotator;
        DROP TABLE article_reviews;
        ALTER TABLE article_reviews_new RENAME TO article_reviews;
        CREATE INDEX article_reviews_by_status ON article_reviews(status);

        CREATE TABLE article_tags_new (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            tag TEXT NOT NULL,
            annotator TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (article_id, tag, annotator)
        );
        INSERT INTO article_tags_new SELECT article_id, tag, annotator, created_at
            FROM article_tags;
        DROP TABLE article_tags;
        ALTER TABLE article_tags_new RENAME TO article_tags;
        CREATE INDEX article_tags_by_tag ON article_tags(tag);
        -- who did what: the annotator filter and the agreement read these
        CREATE INDEX annotations_by_annotator ON annotations(annotator, article_id);
        CREATE INDEX article_reviews_by_annotator ON article_reviews(annotator);
        """,
    )


@migrations(name="0008_adjudication_provenance")
def _adjudication_provenance(db: Database) -> None:
    """An adjudicated annotation says whose it was: ``provenance`` is the annotator
    (or annotators, joined by "+") whose decision the adjudicator took over."""
    _script(db, "ALTER TABLE annotations ADD COLUMN provenance TEXT;")


@migrations(name="0009_corrected_corpus_views")
def _corrected_corpus_views(db: Database) -> None:
    """The corpus views count the corrected ("final") view, not the model's output.

    Most articles have no correction: their model output is their final view,
    read through ``articles.analysis_id`` as before. An article with entity or
    quote annotations is listed in ``corrected_articles`` and its final entities
    and attributions are stored in ``final_entities`` and ``final_quotes``, which
    every corpus view and filter reads for it instead. Triggers mark such an
    article stale (``fresh = 0``) in the same transaction as any change to its
    annotations or its analysis, whatever the writer (an edit, an undo, an
    import, an adjudication, a re-analysis); ``corrected_view.refresh_corrected``
    rebuilds the stale ones and bumps ``corrected_state.version``, which the
    stats' fingerprint includes. ``stats_sourcing`` is now per article: two
    articles with the same text may be corrected differently.
    """
    _script(
        db,
        """
        CREATE TABLE corrected_articles (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            fresh INTEGER NOT NULL DEFAULT 0,    -- 0: final rows to be rebuilt
            entity_count INTEGER NOT NULL DEFAULT 0,
            quote_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX corrected_articles_stale ON corrected_articles(article_id) WHERE fresh = 0;
        CREATE TABLE final_entities (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            label TEXT NOT NULL, text TEXT NOT NULL
        );
        CREATE INDEX final_entities_by_article ON final_entities(article_id);
        CREATE INDEX final_entities_by_text
            ON final_entities(text COLLATE NOCASE, label, article_id);
        CREATE INDEX final_entities_by_label ON final_entities(label, article_id);
        CREATE TABLE final_quotes (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            kind TEXT NOT NULL, anonymous INTEGER NOT NULL,
            speaker_name TEXT, speaker_text TEXT, attribution_id INTEGER
        );
        CREATE INDEX final_quotes_by_article ON final_quotes(article_id);
        CREATE INDEX final_quotes_by_speaker
            ON final_quotes(coalesce(speaker_name, speaker_text) COLLATE NOCASE, article_id);
        CREATE INDEX final_quotes_by_kind ON final_quotes(kind, anonymous, article_id);
        CREATE TABLE corrected_state (version INTEGER NOT NULL);
        INSERT INTO corrected_state (version) VALUES (0);

        CREATE TRIGGER corrected_on_annotation_insert AFTER INSERT ON annotations
        WHEN new.kind IN ('entity', 'quote') BEGIN
            INSERT INTO corrected_articles (article_id) VALUES (new.article_id)
            ON CONFLICT (article_id) DO UPDATE SET fresh = 0;
        END;
        CREATE TRIGGER corrected_on_annotation_update AFTER UPDATE ON annotations
        WHEN new.kind IN ('entity', 'quote') OR old.kind IN ('entity', 'quote') BEGIN
            INSERT INTO corrected_articles (article_id) VALUES (new.article_id)
            ON CONFLICT (article_id) DO UPDATE SET fresh = 0;
            INSERT INTO corrected_articles (article_id) VALUES (old.article_id)
            ON CONFLICT (article_id) DO UPDATE SET fresh = 0;
        END;
        CREATE TRIGGER corrected_on_annotation_delete AFTER DELETE ON annotations
        WHEN old.kind IN ('entity', 'quote') BEGIN
            UPDATE corrected_articles SET fresh = 0 WHERE article_id = old.article_id;
        END;
        CREATE TRIGGER corrected_on_new_analysis AFTER UPDATE OF analysis_id ON articles
        BEGIN
            UPDATE corrected_articles SET fresh = 0 WHERE article_id = new.id;
        END;

        INSERT INTO corrected_articles (article_id)
            SELECT DISTINCT article_id FROM annotations WHERE kind IN ('entity', 'quote');

        DROP TABLE stats_sourcing;
        CREATE TABLE stats_sourcing (
            article_id INTEGER PRIMARY KEY,
            attributions INTEGER NOT NULL,
            direct INTEGER NOT NULL, mixed INTEGER NOT NULL, indirect INTEGER NOT NULL,
            no_source INTEGER NOT NULL,
            anonymous INTEGER NOT NULL
        );
        DELETE FROM stats_state;
        """,
    )


@migrations(name="0010_anchor_checks")
def _anchor_checks(db: Database) -> None:
    """An analyst checked a re-attached annotation (Review → Annotations to Review):
    it leaves the list while it sits as it was checked (same anchor status, same text
    hash); a later change of text or status lists it again."""
    _script(
        db,
        """
        CREATE TABLE anchor_checks (
            annotation_id INTEGER PRIMARY KEY REFERENCES annotations(id) ON DELETE CASCADE,
            anchor_status TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            checked_by TEXT NOT NULL,
            checked_at TEXT NOT NULL
        );
        """,
    )


@migrations(name="0011_entity_groups")
def _entity_groups(db: Database) -> None:
    """The entities table counts an entity once however it is written ("Tony Blair",
    "Mr Blair", "Blair's"; see viewer.core.names.entity_names): a row is a group, named,
    with its forms; stats_entity_forms maps each form to its group, so a filter or
    the mentions of a group find every form. Counted again on next use."""
    _script(
        db,
        """
        ALTER TABLE stats_entities ADD COLUMN variants TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE stats_entity_forms (
            text TEXT NOT NULL, label TEXT NOT NULL, name TEXT NOT NULL
        );
        CREATE INDEX stats_entity_forms_by_name
            ON stats_entity_forms(name COLLATE NOCASE, label);
        DELETE FROM stats_state;
        """,
    )
