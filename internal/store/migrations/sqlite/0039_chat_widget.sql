-- The live-chat widget (issue 15): widgets a business pastes on its site,
-- and the visitors' sessions.
--
-- chat_widgets: public_key names the widget in its <script> tag; origins
-- are the sites allowed to embed it, one per line; secret signs the user
-- hash of a visitor the site identifies (HMAC-SHA256); calendar_id, when
-- set, is the business hours the chat is open (else always).
CREATE TABLE chat_widgets (
    id          INTEGER PRIMARY KEY,
    public_key  TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    origins     TEXT NOT NULL DEFAULT '',
    secret      TEXT NOT NULL,
    color       TEXT NOT NULL DEFAULT '#1f6f54',
    position    TEXT NOT NULL DEFAULT 'right' CHECK (position IN ('left', 'right')),
    prechat     INTEGER NOT NULL DEFAULT 1 CHECK (prechat IN (0, 1)),
    language    TEXT NOT NULL DEFAULT '',
    calendar_id BIGINT REFERENCES calendars(id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One visitor's conversation through a widget. token_hash is the SHA-256
-- of the token the widget holds (no cookie); ticket_id is set by the first
-- message. visitor_read / agent_read: the last message each side has seen.
-- verified: the identity came with a valid user hash.
CREATE TABLE chat_sessions (
    id           INTEGER PRIMARY KEY,
    widget_id    BIGINT NOT NULL REFERENCES chat_widgets(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    customer_id  BIGINT REFERENCES customers(id) ON DELETE SET NULL,
    ticket_id    BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    name         TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    external_id  TEXT NOT NULL DEFAULT '',
    verified     INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    language     TEXT NOT NULL DEFAULT 'en',
    visitor_read BIGINT NOT NULL DEFAULT 0,
    agent_read   BIGINT NOT NULL DEFAULT 0,
    rated        INTEGER NOT NULL DEFAULT 0 CHECK (rated IN (0, 1)),
    created_at   BIGINT NOT NULL,
    seen_at      BIGINT NOT NULL
);
CREATE INDEX chat_sessions_ticket ON chat_sessions (ticket_id);
