-- Ownership without passing customers around: collaborators help on a
-- ticket without taking it; presence shows who is viewing or replying
-- right now; snoozed tickets leave the inbox until they wake; chats get a
-- greeting target.

CREATE TABLE ticket_collaborators (
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    added_by   BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);
CREATE INDEX ticket_collaborators_agent ON ticket_collaborators (agent_id, ticket_id);

-- One row per agent with a ticket open; rows older than a minute mean
-- nothing and are swept.
CREATE TABLE ticket_presence (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id  BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    state     TEXT NOT NULL CHECK (state IN ('viewing', 'replying')),
    seen_at   BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);
CREATE INDEX ticket_presence_seen ON ticket_presence (seen_at);

ALTER TABLE tickets ADD COLUMN snoozed_until BIGINT;
CREATE INDEX tickets_snoozed ON tickets (snoozed_until);

-- "Mine" sorted by deadline walks this index, like the status one.
CREATE INDEX tickets_owner_status_sla_due ON tickets (owner_id, status, sla_due_at, id);

-- Greeting target of live contact (chat), in seconds; 0 means none.
ALTER TABLE sla_policies ADD COLUMN greeting_seconds INTEGER NOT NULL DEFAULT 30;
-- Whether a snoozed ticket's clock stops, as pending's may.
ALTER TABLE sla_policies ADD COLUMN pause_on_snooze INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_sla ADD COLUMN greeting_due BIGINT;
