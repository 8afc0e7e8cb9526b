-- Routing: each agent's capacity (open tickets at most) and when they were
-- last given a ticket, for round-robin.
ALTER TABLE agents ADD COLUMN capacity INTEGER NOT NULL DEFAULT 10;
ALTER TABLE agents ADD COLUMN last_assigned_at BIGINT NOT NULL DEFAULT 0;
