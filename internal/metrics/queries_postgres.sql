-- PostgreSQL versions of the metrics queries that differ.

-- name: table-exists
SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1

-- name: rebuild-state
SELECT zone, rebuild_after, rebuild_to, weeks_after FROM metric_zone WHERE id = 1 FOR UPDATE

-- name: lock-tickets-after
SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE

-- name: take-day-deltas
DELETE FROM metric_day_deltas WHERE id IN (SELECT id FROM metric_day_deltas ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING weeks, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n,
    frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referrals

-- name: take-hist-deltas
DELETE FROM metric_hist_deltas WHERE id IN (SELECT id FROM metric_hist_deltas ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING weeks, measure, day, team_id, agent_id, channel, language, bucket, n
