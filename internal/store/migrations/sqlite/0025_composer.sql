-- The composer: who a reply went to, and saved replies.
--
-- to_address and cc are the recipients an agent chose for a public reply
-- (cc: addresses separated by ", "); an empty to_address means the
-- customer's own address, as before.
ALTER TABLE messages ADD COLUMN to_address TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN cc TEXT NOT NULL DEFAULT '';

-- A saved reply (canned response) agents insert into the composer.
CREATE TABLE saved_replies (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    language   TEXT NOT NULL,
    created_by BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX saved_replies_language ON saved_replies (language, title);
