-- Full-text search (internal/search). A document is anything searchable
-- (a ticket, a customer; later a help-center article), keyed by its kind
-- and the id of the row it stands for. search_fts holds its text; its
-- rowid is the document's id. The table is per dialect: an FTS5 table
-- here, a tsvector with a GIN index on PostgreSQL (TestSchemaParity
-- leaves search_fts out).
--
-- unicode61 with remove_diacritics 2 folds accents (è, ā, ç) for every
-- language alike; FTS5 has one tokenizer per table, so there is no
-- per-language stemming on SQLite (words match whole, or as a prefix with
-- a trailing *).
CREATE TABLE search_docs (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    ref_id   BIGINT NOT NULL,
    language TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, ref_id)
);

CREATE VIRTUAL TABLE search_fts USING fts5(title, body, extra, tokenize = 'unicode61 remove_diacritics 2');

-- The background backfill of databases that had data before this
-- migration: per kind, the last ref_id indexed and whether it is done.
-- A fresh database has nothing to index; the rows are made at start.
CREATE TABLE search_backfill (
    kind     TEXT PRIMARY KEY,
    last_ref BIGINT NOT NULL DEFAULT 0,
    total    BIGINT NOT NULL DEFAULT 0,
    done     INTEGER NOT NULL DEFAULT 0
);
