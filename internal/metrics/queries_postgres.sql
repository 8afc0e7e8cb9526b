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

-- name: rebucket-state
SELECT rebucket_day, rebucket_to FROM metric_zone WHERE id = 1 FOR UPDATE

-- name: rebucket-days
SELECT grain, measure, team_id, agent_id, channel, language, bucket, n FROM metric_hist
WHERE grain IN ('all', 'agent', 'team', 'channel', 'language', 'full') AND measure IN ('frt', 'frt_biz', 'res', 'res_biz')
  AND day = $1
FOR UPDATE

-- name: rebucket-weeks
SELECT grain, measure, team_id, agent_id, channel, language, bucket, n FROM metric_week_hist
WHERE grain = $2 AND measure IN ('frt', 'frt_biz', 'res', 'res_biz') AND week = $1
FOR UPDATE

-- name: compute-settings
-- No JIT compilation for Compute's reads: they are index reads of a few
-- thousand rows, but the per-customer subqueries of referrals-any (and at
-- a million tickets greeting-chats) are estimated above jit_above_cost,
-- and compiling them took 170–270 ms a statement on the 2-core machine,
-- more than running them (docs/PERFORMANCE.md, "Dashboard at every
-- period").
SET LOCAL jit = off

-- name: greet-state
SELECT greet_after FROM metric_zone WHERE id = 1 FOR UPDATE

-- name: lock-chats-after
SELECT id FROM tickets WHERE channel = 'chat' AND id > $1 ORDER BY id LIMIT $2 FOR UPDATE
