-- Promises: an agent's action plan on a ticket (what will happen, by
-- when), a timer that reminds before and records a broken promise at the
-- deadline.
CREATE TABLE promises (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id    BIGINT NOT NULL REFERENCES agents(id),
    what        TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'broken')),
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX promises_ticket ON promises (ticket_id, status);
CREATE INDEX promises_agent ON promises (agent_id, status, due_at);
