-- Surveys: one per solved ticket (at most one per customer within a
-- configurable number of days), answered through an unguessable token whose
-- SHA-256 is kept here. Each question is a nullable column: NULL is "not
-- answered", so switching a question off never reads as a zero.
CREATE TABLE surveys (
    id            INTEGER PRIMARY KEY,
    ticket_id     BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    customer_id   BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    agent_id      BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    team_id       BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    channel       TEXT NOT NULL,
    language      TEXT NOT NULL DEFAULT '',
    token_hash    TEXT NOT NULL UNIQUE,
    sent_at       BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    answered_at   BIGINT,
    updated_at    BIGINT,
    csat          INTEGER CHECK (csat BETWEEN 1 AND 5),
    nps           INTEGER CHECK (nps BETWEEN 0 AND 10),
    speed         INTEGER CHECK (speed BETWEEN 1 AND 5),
    wait          INTEGER CHECK (wait BETWEEN 1 AND 5),
    feeling       INTEGER CHECK (feeling BETWEEN 1 AND 5),
    return_intent TEXT CHECK (return_intent IN ('yes', 'maybe', 'no')),
    comment       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX surveys_ticket ON surveys (ticket_id);
CREATE INDEX surveys_customer_sent ON surveys (customer_id, sent_at);
CREATE INDEX surveys_answered ON surveys (answered_at);
CREATE INDEX surveys_agent_answered ON surveys (agent_id, answered_at);

-- Referrals: the customer who brought this one.
ALTER TABLE customers ADD COLUMN referred_by BIGINT REFERENCES customers(id) ON DELETE SET NULL;
