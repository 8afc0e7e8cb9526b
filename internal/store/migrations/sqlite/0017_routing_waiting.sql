-- The router's index: tickets waiting for an owner, by team (0 for none)
-- and language, oldest first. Partial, so it holds only the waiting
-- tickets however many tickets there are; the router reads through it only
-- the tickets of the teams and languages of agents with room now.
--
-- "No owner" is spelled COALESCE(owner_id, 0) = 0, as the router's queries
-- spell it, and not owner_id IS NULL as the inbox's do: the inbox views
-- then keep walking their own indexes in order (0002), instead of the
-- planner taking this smaller one and sorting (see ticket/plan_test.go).
CREATE INDEX tickets_waiting_team_language ON tickets (COALESCE(team_id, 0), language, created_at, id)
    WHERE COALESCE(owner_id, 0) = 0 AND status IN ('new', 'open');
