-- The knowledge base and public help center (internal/kb, issue 16).
--
-- A category holds sections, a section holds articles. Names are per
-- language, as JSON objects {"en": "...", "it": "..."}. An article is the
-- group of its translations (one per language); each translation has a
-- working copy (its latest revision, a draft until published) and the
-- revision the public sees (published_rev, NULL while unpublished).
-- Internal articles are only for agents. Times are UTC Unix milliseconds.
CREATE TABLE kb_categories (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 80),
    position    INTEGER NOT NULL DEFAULT 0,
    names       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE kb_sections (
    id          INTEGER PRIMARY KEY,
    category_id BIGINT NOT NULL REFERENCES kb_categories(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL DEFAULT 0,
    names       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX kb_sections_category ON kb_sections (category_id, position);

CREATE TABLE kb_articles (
    id          INTEGER PRIMARY KEY,
    section_id  BIGINT NOT NULL REFERENCES kb_sections(id) ON DELETE RESTRICT,
    slug        TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 120),
    internal    INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    position    INTEGER NOT NULL DEFAULT 0,
    created_by  BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX kb_articles_section ON kb_articles (section_id, position);

CREATE TABLE kb_translations (
    id            INTEGER PRIMARY KEY,
    article_id    BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    language      TEXT NOT NULL,
    title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body          TEXT NOT NULL,
    published_rev BIGINT,
    published_at  BIGINT,
    updated_by    BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    updated_at    BIGINT NOT NULL,
    views         BIGINT NOT NULL DEFAULT 0,
    helpful_yes   BIGINT NOT NULL DEFAULT 0,
    helpful_no    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (article_id, language)
);
CREATE INDEX kb_translations_popular ON kb_translations (language, views);

-- Every save of a translation: who wrote what, when.
CREATE TABLE kb_revisions (
    id             INTEGER PRIMARY KEY,
    translation_id BIGINT NOT NULL REFERENCES kb_translations(id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_by     BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX kb_revisions_translation ON kb_revisions (translation_id, id);

-- "Was this helpful?" answers, with the optional comment.
CREATE TABLE kb_votes (
    id             INTEGER PRIMARY KEY,
    translation_id BIGINT NOT NULL REFERENCES kb_translations(id) ON DELETE CASCADE,
    helpful        INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    comment        TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL
);
CREATE INDEX kb_votes_translation ON kb_votes (translation_id, created_at);

-- Searches of the help center that found nothing: the content gaps.
CREATE TABLE kb_missed_searches (
    id         INTEGER PRIMARY KEY,
    language   TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX kb_missed_searches_at ON kb_missed_searches (created_at);

-- Articles opened from the contact form's suggestions, per visitor
-- (token, a cookie): sent is 1 once that visitor sent the form anyway;
-- the others are deflections.
CREATE TABLE kb_deflections (
    id             INTEGER PRIMARY KEY,
    translation_id BIGINT NOT NULL REFERENCES kb_translations(id) ON DELETE CASCADE,
    token          TEXT NOT NULL,
    sent           INTEGER NOT NULL DEFAULT 0 CHECK (sent IN (0, 1)),
    created_at     BIGINT NOT NULL
);
CREATE INDEX kb_deflections_token ON kb_deflections (token);
CREATE INDEX kb_deflections_at ON kb_deflections (created_at);

-- Images and files of articles, in the blob store.
CREATE TABLE kb_files (
    id           INTEGER PRIMARY KEY,
    article_id   BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    blob_sha256  TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX kb_files_article ON kb_files (article_id);

-- The help center's own settings: one row.
CREATE TABLE kb_settings (
    id               BIGINT PRIMARY KEY CHECK (id = 1),
    accent           TEXT NOT NULL DEFAULT '#2457a6',
    publish_standard INTEGER NOT NULL DEFAULT 0 CHECK (publish_standard IN (0, 1))
);

-- The words of published translations per language, for the search's
-- typo correction (a query word nothing holds is replaced by the nearest
-- word that one does).
CREATE TABLE kb_words (
    language TEXT NOT NULL,
    word     TEXT NOT NULL,
    PRIMARY KEY (language, word)
);
