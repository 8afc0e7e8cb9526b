-- PostgreSQL versions of the metrics queries that differ.

-- name: table-exists
SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1

-- name: rebuild-state
SELECT zone, rebuild_after, rebuild_to, weeks_after FROM metric_zone WHERE id = 1 FOR UPDATE

-- name: lock-tickets-after
SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE
