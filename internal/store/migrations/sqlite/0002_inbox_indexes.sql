-- Indexes that let every inbox view, in every sort, find a page by walking
-- an index in order and reading only the view's rows (see
-- internal/ticket/plan_test.go and docs/PERFORMANCE.md).
--
-- "mine" by creation time and by priority: 0001 has the owner's tickets
-- only by update time.
CREATE INDEX tickets_owner_status_created ON tickets (owner_id, status, created_at, id);
CREATE INDEX tickets_owner_status_priority_updated ON tickets (owner_id, status, priority, updated_at, id);

-- "unassigned": partial indexes over the tickets without an owner.
-- PostgreSQL cannot take the order of (owner_id, status, updated_at) when
-- owner_id is matched by IS NULL, which is not an equality; these give the
-- order directly, and stay small as most tickets have an owner.
CREATE INDEX tickets_unassigned_updated ON tickets (status, updated_at, id) WHERE owner_id IS NULL;
CREATE INDEX tickets_unassigned_created ON tickets (status, created_at, id) WHERE owner_id IS NULL;
CREATE INDEX tickets_unassigned_priority_updated ON tickets (status, priority, updated_at, id) WHERE owner_id IS NULL;
