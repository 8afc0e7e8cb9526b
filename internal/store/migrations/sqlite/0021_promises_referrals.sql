-- Promises can be cancelled, with the reason the agent gives: a plan that
-- no longer applies is neither kept nor broken. SQLite cannot change a
-- CHECK constraint, so the table is rebuilt with the same columns and
-- indexes; nothing references promises.
CREATE TABLE promises_new (
    id            INTEGER PRIMARY KEY,
    ticket_id     BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id      BIGINT NOT NULL REFERENCES agents(id),
    what          TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'broken', 'cancelled')),
    created_at    BIGINT NOT NULL,
    resolved_at   BIGINT,
    cancel_reason TEXT NOT NULL DEFAULT ''
);
INSERT INTO promises_new (id, ticket_id, agent_id, what, due_at, status, created_at, resolved_at)
    SELECT id, ticket_id, agent_id, what, due_at, status, created_at, resolved_at FROM promises;
DROP TABLE promises;
ALTER TABLE promises_new RENAME TO promises;
CREATE INDEX promises_ticket ON promises (ticket_id, status);
CREATE INDEX promises_agent ON promises (agent_id, status, due_at);
CREATE INDEX promises_resolved ON promises (resolved_at) WHERE resolved_at IS NOT NULL;

-- Referral links: a customer's code, made when a promoter is first shown
-- the link; a contact through /contact?ref=CODE records the referrer.
ALTER TABLE customers ADD COLUMN referral_code TEXT;
CREATE UNIQUE INDEX customers_referral_code ON customers (referral_code) WHERE referral_code IS NOT NULL;
