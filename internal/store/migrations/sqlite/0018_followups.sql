-- Follow-ups: the question, a few days after a ticket is solved, whether
-- the fix held. One row per question sent, answered through an
-- unguessable token whose SHA-256 is kept here (the yes / no buttons of
-- the mail), or by a written reply the ticket service classifies. answer
-- is NULL until answered; via says how.
CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    sent_at     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    answered_at BIGINT,
    answer      TEXT CHECK (answer IN ('yes', 'no', 'unclear')),
    via         TEXT NOT NULL DEFAULT '' CHECK (via IN ('', 'button', 'reply'))
);
CREATE INDEX followups_ticket ON followups (ticket_id, sent_at);
