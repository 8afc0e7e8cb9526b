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

-- The rows execRows writes (rollup.go). On PostgreSQL each of these takes
-- one array a column, $1 the first column's values for every row, and
-- writes all the rows in one statement: a rebuild batch's thousands of
-- rollup rows are then four statements, not hundreds of round trips. The
-- upserts write in the order of the arrays (ORDER BY the ordinality),
-- which execRows's callers sort by key (see apply); no key may appear
-- twice in one call.

-- name: put-fact
INSERT INTO metric_facts (ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms,
    frt_biz_ms, solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referral, sla_day)
SELECT ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms, frt_biz_ms,
       solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referral, sla_day
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
            $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
            $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[])
     WITH ORDINALITY AS r(ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms,
                          frt_biz_ms, solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target,
                          sla_met, referral, sla_day, i)
ORDER BY i
ON CONFLICT (ticket_id) DO UPDATE SET team_id = excluded.team_id, agent_id = excluded.agent_id,
    channel = excluded.channel, language = excluded.language, created_day = excluded.created_day,
    complaint = excluded.complaint, frt_day = excluded.frt_day, frt_ms = excluded.frt_ms,
    frt_biz_ms = excluded.frt_biz_ms, solved_day = excluded.solved_day, res_ms = excluded.res_ms,
    res_biz_ms = excluded.res_biz_ms, reopened = excluded.reopened, transfers = excluded.transfers,
    first_owner = excluded.first_owner, sla_target = excluded.sla_target, sla_met = excluded.sla_met,
    referral = excluded.referral, sla_day = excluded.sla_day

-- name: add-facts
INSERT INTO metric_facts (ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms,
    frt_biz_ms, solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referral, sla_day)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                     $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[],
                     $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[],
                     $20::bigint[])

-- name: add-days
INSERT INTO metric_days AS d (grain, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
    frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met,
    referrals)
SELECT grain, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n, frt_biz_ms,
       solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referrals
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
            $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
            $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[])
     WITH ORDINALITY AS r(grain, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
                          frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers,
                          first_owner, sla_target, sla_met, referrals, i)
ORDER BY i
ON CONFLICT (grain, day, team_id, agent_id, channel, language) DO UPDATE SET
    created = d.created + excluded.created, complaints = d.complaints + excluded.complaints,
    responded = d.responded + excluded.responded, frt_ms = d.frt_ms + excluded.frt_ms,
    frt_biz_n = d.frt_biz_n + excluded.frt_biz_n, frt_biz_ms = d.frt_biz_ms + excluded.frt_biz_ms,
    solved = d.solved + excluded.solved, res_ms = d.res_ms + excluded.res_ms,
    res_biz_n = d.res_biz_n + excluded.res_biz_n, res_biz_ms = d.res_biz_ms + excluded.res_biz_ms,
    reopened = d.reopened + excluded.reopened, transfers = d.transfers + excluded.transfers,
    first_owner = d.first_owner + excluded.first_owner, sla_target = d.sla_target + excluded.sla_target,
    sla_met = d.sla_met + excluded.sla_met, referrals = d.referrals + excluded.referrals

-- name: add-weeks
INSERT INTO metric_weeks AS d (grain, week, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
    frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met,
    referrals)
SELECT grain, week, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n, frt_biz_ms,
       solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referrals
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
            $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
            $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[])
     WITH ORDINALITY AS r(grain, week, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
                          frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers,
                          first_owner, sla_target, sla_met, referrals, i)
ORDER BY i
ON CONFLICT (grain, week, team_id, agent_id, channel, language) DO UPDATE SET
    created = d.created + excluded.created, complaints = d.complaints + excluded.complaints,
    responded = d.responded + excluded.responded, frt_ms = d.frt_ms + excluded.frt_ms,
    frt_biz_n = d.frt_biz_n + excluded.frt_biz_n, frt_biz_ms = d.frt_biz_ms + excluded.frt_biz_ms,
    solved = d.solved + excluded.solved, res_ms = d.res_ms + excluded.res_ms,
    res_biz_n = d.res_biz_n + excluded.res_biz_n, res_biz_ms = d.res_biz_ms + excluded.res_biz_ms,
    reopened = d.reopened + excluded.reopened, transfers = d.transfers + excluded.transfers,
    first_owner = d.first_owner + excluded.first_owner, sla_target = d.sla_target + excluded.sla_target,
    sla_met = d.sla_met + excluded.sla_met, referrals = d.referrals + excluded.referrals

-- name: add-hist
INSERT INTO metric_hist AS h (grain, measure, day, team_id, agent_id, channel, language, bucket, n)
SELECT grain, measure, day, team_id, agent_id, channel, language, bucket, n
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bigint[],
            $9::bigint[])
     WITH ORDINALITY AS r(grain, measure, day, team_id, agent_id, channel, language, bucket, n, i)
ORDER BY i
ON CONFLICT (grain, measure, day, team_id, agent_id, channel, language, bucket) DO UPDATE SET n = h.n + excluded.n

-- name: add-week-hist
INSERT INTO metric_week_hist AS h (grain, measure, week, team_id, agent_id, channel, language, bucket, n)
SELECT grain, measure, week, team_id, agent_id, channel, language, bucket, n
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bigint[],
            $9::bigint[])
     WITH ORDINALITY AS r(grain, measure, week, team_id, agent_id, channel, language, bucket, n, i)
ORDER BY i
ON CONFLICT (grain, measure, week, team_id, agent_id, channel, language, bucket) DO UPDATE SET n = h.n + excluded.n

-- name: add-day-deltas
INSERT INTO metric_day_deltas (weeks, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
    frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met,
    referrals)
SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[],
                     $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[],
                     $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[],
                     $20::bigint[], $21::bigint[], $22::bigint[])

-- name: add-hist-deltas
INSERT INTO metric_hist_deltas (weeks, measure, day, team_id, agent_id, channel, language, bucket, n)
SELECT * FROM unnest($1::integer[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[],
                     $8::bigint[], $9::bigint[])
