-- Root causes and prevention (issue 12): what caused a failure, what will
-- stop it happening again, who does it by when; several tickets link to
-- one cause.

CREATE TABLE root_causes (
    id            INTEGER PRIMARY KEY,
    category      TEXT NOT NULL CHECK (category IN ('product', 'delivery', 'billing', 'policy', 'people', 'process', 'tool', 'other')),
    title         TEXT NOT NULL,
    what_happened TEXT NOT NULL DEFAULT '',
    prevention    TEXT NOT NULL DEFAULT '',
    owner_id      BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    due_at        BIGINT,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    -- When the prevention was marked done; tickets linked after it are
    -- recurrences.
    done_at       BIGINT,
    created_by    BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX root_causes_title ON root_causes (lower(title));
CREATE INDEX root_causes_open ON root_causes (status, due_at);

CREATE TABLE root_cause_tickets (
    id        INTEGER PRIMARY KEY,
    cause_id  BIGINT NOT NULL REFERENCES root_causes(id) ON DELETE CASCADE,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    linked_by BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    linked_at BIGINT NOT NULL,
    UNIQUE (cause_id, ticket_id)
);
CREATE INDEX root_cause_tickets_ticket ON root_cause_tickets (ticket_id);
CREATE INDEX root_cause_tickets_linked ON root_cause_tickets (linked_at);
