-- Intake: reply tokens on tickets, channel message ids on messages, every
-- inbound message kept raw, attachments, and the outbound mail log.

ALTER TABLE tickets ADD COLUMN reply_token TEXT;
CREATE UNIQUE INDEX tickets_reply_token ON tickets (reply_token);

-- channel_message_id: the RFC 5322 Message-ID of an email message (the
-- customer's for inbound mail, ours for replies), '' otherwise.
ALTER TABLE messages ADD COLUMN channel_message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN inbound_id BIGINT;
CREATE INDEX messages_channel_message_id ON messages (channel_message_id) WHERE channel_message_id <> '';

-- inbound_messages keeps every message a channel accepted, raw, before
-- anything else happens to it: nothing accepted is lost, and the same
-- message (sender, message_key) is stored once.
CREATE TABLE inbound_messages (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    mailbox     TEXT NOT NULL DEFAULT '',
    sender      TEXT NOT NULL DEFAULT '',
    message_key TEXT NOT NULL,
    raw         BLOB NOT NULL,
    size        BIGINT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ticket', 'reply', 'auto_reply', 'bounce', 'unreadable', 'ignored')),
    reason      TEXT NOT NULL DEFAULT '',
    ticket_id   BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (sender, message_key)
);
CREATE INDEX inbound_messages_ticket ON inbound_messages (ticket_id);
CREATE INDEX inbound_messages_received ON inbound_messages (received_at);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    message_id   BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content_id   TEXT NOT NULL DEFAULT '',
    inline       INTEGER NOT NULL DEFAULT 0,
    storage_key  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

-- outbound_mail records every email Rapport sends: replies and
-- acknowledgements, with the Message-ID it gave them (for threading) and
-- whether they went out.
CREATE TABLE outbound_mail (
    id                INTEGER PRIMARY KEY,
    ticket_id         BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id        BIGINT REFERENCES messages(id) ON DELETE SET NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('reply', 'ack')),
    to_addr           TEXT NOT NULL,
    header_message_id TEXT NOT NULL UNIQUE,
    status            TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'skipped')),
    error             TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL
);
CREATE INDEX outbound_mail_ticket ON outbound_mail (ticket_id);
CREATE INDEX outbound_mail_to ON outbound_mail (to_addr, kind, created_at);
