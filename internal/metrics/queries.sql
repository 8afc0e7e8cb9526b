-- Queries of the metrics rollups and of the tables metrics read. Times are
-- UTC Unix milliseconds; days are calendar days in the business's zone
-- (metric_zone) since 1970-01-01. Filters: a 0
-- or '' parameter does not filter. Rollup reads take the grain as $7 and
-- read the *_now views: the rollups plus the deltas not yet folded
-- (fold.go, migration 0052).

-- name: ticket-fact
SELECT t.id, COALESCE(t.team_id, 0), COALESCE(t.owner_id, 0), t.channel, t.language, t.kind, t.created_at,
       t.first_response_at, t.solved_at, t.reopen_count, t.transfer_count,
       (SELECT COUNT(*) FROM ticket_sla s WHERE s.ticket_id = t.id AND s.policy_id IS NOT NULL),
       (SELECT MIN(e.created_at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'sla_breached'),
       (SELECT COUNT(*) FROM customers c WHERE c.id = t.customer_id AND c.referred_by IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM tickets f WHERE f.customer_id = t.customer_id
                          AND (f.created_at < t.created_at OR (f.created_at = t.created_at AND f.id < t.id))))
FROM tickets t WHERE t.id = $1

-- name: ticket-facts-after
SELECT t.id, COALESCE(t.team_id, 0), COALESCE(t.owner_id, 0), t.channel, t.language, t.kind, t.created_at,
       t.first_response_at, t.solved_at, t.reopen_count, t.transfer_count,
       (SELECT COUNT(*) FROM ticket_sla s WHERE s.ticket_id = t.id AND s.policy_id IS NOT NULL),
       (SELECT MIN(e.created_at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'sla_breached'),
       (SELECT COUNT(*) FROM customers c WHERE c.id = t.customer_id AND c.referred_by IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM tickets f WHERE f.customer_id = t.customer_id
                          AND (f.created_at < t.created_at OR (f.created_at = t.created_at AND f.id < t.id))))
FROM tickets t WHERE t.id > $1 ORDER BY t.id LIMIT $2

-- name: get-fact
SELECT team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms, frt_biz_ms,
       solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referral, sla_day
FROM metric_facts WHERE ticket_id = $1

-- name: put-fact
INSERT INTO metric_facts (ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms,
    frt_biz_ms, solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referral, sla_day)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
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
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)

-- name: add-days
INSERT INTO metric_days AS d (grain, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
    frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met,
    referrals)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
ON CONFLICT (grain, day, team_id, agent_id, channel, language) DO UPDATE SET
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
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (grain, measure, day, team_id, agent_id, channel, language, bucket) DO UPDATE SET n = h.n + excluded.n

-- name: add-weeks
INSERT INTO metric_weeks AS d (grain, week, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
    frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met,
    referrals)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
ON CONFLICT (grain, week, team_id, agent_id, channel, language) DO UPDATE SET
    created = d.created + excluded.created, complaints = d.complaints + excluded.complaints,
    responded = d.responded + excluded.responded, frt_ms = d.frt_ms + excluded.frt_ms,
    frt_biz_n = d.frt_biz_n + excluded.frt_biz_n, frt_biz_ms = d.frt_biz_ms + excluded.frt_biz_ms,
    solved = d.solved + excluded.solved, res_ms = d.res_ms + excluded.res_ms,
    res_biz_n = d.res_biz_n + excluded.res_biz_n, res_biz_ms = d.res_biz_ms + excluded.res_biz_ms,
    reopened = d.reopened + excluded.reopened, transfers = d.transfers + excluded.transfers,
    first_owner = d.first_owner + excluded.first_owner, sla_target = d.sla_target + excluded.sla_target,
    sla_met = d.sla_met + excluded.sla_met, referrals = d.referrals + excluded.referrals

-- name: add-week-hist
INSERT INTO metric_week_hist AS h (grain, measure, week, team_id, agent_id, channel, language, bucket, n)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (grain, measure, week, team_id, agent_id, channel, language, bucket) DO UPDATE SET n = h.n + excluded.n

-- name: add-day-deltas
-- A change's delta at the full grain, by day (fold.go).
INSERT INTO metric_day_deltas (weeks, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
    frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met,
    referrals)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)

-- name: add-hist-deltas
INSERT INTO metric_hist_deltas (weeks, measure, day, team_id, agent_id, channel, language, bucket, n)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)

-- name: take-day-deltas
-- The oldest $1 day deltas, deleted and returned for the fold (on
-- PostgreSQL those no other folder holds).
DELETE FROM metric_day_deltas WHERE id IN (SELECT id FROM metric_day_deltas ORDER BY id LIMIT $1)
RETURNING weeks, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n,
    frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referrals

-- name: take-hist-deltas
DELETE FROM metric_hist_deltas WHERE id IN (SELECT id FROM metric_hist_deltas ORDER BY id LIMIT $1)
RETURNING weeks, measure, day, team_id, agent_id, channel, language, bucket, n

-- name: clear-day-deltas
DELETE FROM metric_day_deltas

-- name: clear-hist-deltas
DELETE FROM metric_hist_deltas

-- name: clear-facts
DELETE FROM metric_facts

-- name: clear-days
DELETE FROM metric_days

-- name: clear-hist
DELETE FROM metric_hist

-- name: clear-weeks
DELETE FROM metric_weeks

-- name: clear-week-hist
DELETE FROM metric_week_hist

-- name: default-calendar
SELECT c.id, c.name, c.timezone, c.week, c.holidays FROM calendars c
ORDER BY COALESCE((SELECT MIN(p.position) FROM sla_policies p WHERE p.calendar_id = c.id AND p.active), 2147483647), c.id
LIMIT 1

-- name: compute-settings
-- Settings of Compute's read transaction: none on SQLite (see the
-- PostgreSQL version).
SELECT 1

-- name: days-by-day
SELECT day, SUM(created), SUM(complaints), SUM(responded), SUM(frt_ms), SUM(frt_biz_n), SUM(frt_biz_ms),
       SUM(solved), SUM(res_ms), SUM(res_biz_n), SUM(res_biz_ms), SUM(reopened), SUM(transfers),
       SUM(first_owner), SUM(sla_target), SUM(sla_met), SUM(referrals)
FROM metric_days_now
WHERE grain = $7 AND day >= $1 AND day < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY day

-- name: days-by-agent
SELECT agent_id, SUM(solved), SUM(transfers), SUM(reopened)
FROM metric_days_now
WHERE grain = $7 AND day >= $1 AND day < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY agent_id

-- name: complaints-by-day-channel
SELECT day, channel, SUM(complaints)
FROM metric_days_now
WHERE grain = $7 AND day >= $1 AND day < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6) AND complaints <> 0
GROUP BY day, channel

-- name: hist-total
SELECT measure, bucket, SUM(n)
FROM metric_hist_now
WHERE grain = $7 AND measure IN ('frt', 'frt_biz', 'res', 'res_biz') AND day >= $1 AND day < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY measure, bucket

-- name: frt-hist-by-week
SELECT (day + 3) / 7, bucket, SUM(n)
FROM metric_hist_now
WHERE grain = $7 AND measure = 'frt' AND day >= $1 AND day < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY (day + 3) / 7, bucket

-- name: frt-hist-by-agent
SELECT agent_id, bucket, SUM(n)
FROM metric_hist_now
WHERE grain = $7 AND measure = 'frt' AND day >= $1 AND day < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY agent_id, bucket

-- The week versions of the reads above, over whole weeks $1 to $2
-- (exclusive) of metric_weeks and metric_week_hist; a week's rows stand
-- for its Monday's day number (7 * week - 3), so that the callers read
-- them as they read a day's.

-- name: days-by-day-weeks
SELECT 7 * week - 3, SUM(created), SUM(complaints), SUM(responded), SUM(frt_ms), SUM(frt_biz_n), SUM(frt_biz_ms),
       SUM(solved), SUM(res_ms), SUM(res_biz_n), SUM(res_biz_ms), SUM(reopened), SUM(transfers),
       SUM(first_owner), SUM(sla_target), SUM(sla_met), SUM(referrals)
FROM metric_weeks_now
WHERE grain = $7 AND week >= $1 AND week < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY week

-- name: days-by-agent-weeks
SELECT agent_id, SUM(solved), SUM(transfers), SUM(reopened)
FROM metric_weeks_now
WHERE grain = $7 AND week >= $1 AND week < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY agent_id

-- name: complaints-by-day-channel-weeks
SELECT 7 * week - 3, channel, SUM(complaints)
FROM metric_weeks_now
WHERE grain = $7 AND week >= $1 AND week < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6) AND complaints <> 0
GROUP BY week, channel

-- name: hist-total-weeks
SELECT measure, bucket, SUM(n)
FROM metric_week_hist_now
WHERE grain = $7 AND measure IN ('frt', 'frt_biz', 'res', 'res_biz') AND week >= $1 AND week < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY measure, bucket

-- name: frt-hist-by-week-weeks
SELECT week, bucket, SUM(n)
FROM metric_week_hist_now
WHERE grain = $7 AND measure = 'frt' AND week >= $1 AND week < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY week, bucket

-- name: frt-hist-by-agent-weeks
SELECT agent_id, bucket, SUM(n)
FROM metric_week_hist_now
WHERE grain = $7 AND measure = 'frt' AND week >= $1 AND week < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY agent_id, bucket

-- name: survey-answers
-- Answers by score; each answer counts once per question answered.
SELECT csat, nps, COUNT(*)
FROM surveys
WHERE answered_at >= $1 AND answered_at < $2 AND (csat IS NOT NULL OR nps IS NOT NULL)
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY csat, nps

-- name: survey-answers-by-quarter
-- Answers by quarter of an hour (UTC) and score, which Go puts on the
-- business's days: every zone's offset is a whole number of quarters, so
-- a quarter never straddles a business midnight.
SELECT answered_at / 900000, csat, nps, COUNT(*)
FROM surveys
WHERE answered_at >= $1 AND answered_at < $2 AND (csat IS NOT NULL OR nps IS NOT NULL)
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY answered_at / 900000, csat, nps

-- name: survey-answers-by-agent
SELECT COALESCE(agent_id, 0), csat, nps, COUNT(*)
FROM surveys
WHERE answered_at >= $1 AND answered_at < $2 AND (csat IS NOT NULL OR nps IS NOT NULL)
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY COALESCE(agent_id, 0), csat, nps

-- name: surveys-sent
-- Surveys sent in the period and how many of them have been answered.
SELECT COUNT(*), COUNT(answered_at)
FROM surveys
WHERE sent_at >= $1 AND sent_at < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)

-- name: promises
-- Promises resolved in the period, by outcome; $3 agent (0 any).
SELECT status, COUNT(*)
FROM promises
WHERE resolved_at >= $1 AND resolved_at < $2 AND status IN ('kept', 'broken') AND ($3 = 0 OR agent_id = $3)
GROUP BY status

-- name: promises-by-ticket
-- promises under team, channel or language filters, which are the ticket's.
SELECT p.status, COUNT(*)
FROM promises p JOIN tickets t ON t.id = p.ticket_id
WHERE p.resolved_at >= $1 AND p.resolved_at < $2 AND p.status IN ('kept', 'broken')
  AND ($3 = 0 OR t.team_id = $3) AND ($4 = 0 OR p.agent_id = $4)
  AND ($5 = '' OR t.channel = $5) AND ($6 = '' OR t.language = $6)
GROUP BY p.status

-- name: confirmed-fixes
-- Tickets whose customer confirmed the fix in the period (event
-- fix_confirmed), under the ticket's team, owner, channel and language.
SELECT COUNT(DISTINCT e.ticket_id)
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.type = 'fix_confirmed' AND e.created_at >= $1 AND e.created_at < $2
  AND ($3 = 0 OR t.team_id = $3) AND ($4 = 0 OR t.owner_id = $4)
  AND ($5 = '' OR t.channel = $5) AND ($6 = '' OR t.language = $6)

-- name: referrals
-- Referred customers whose first ticket came in the period, under that
-- ticket's team, owner, channel and language.
SELECT COUNT(*)
FROM tickets t JOIN customers c ON c.id = t.customer_id
WHERE c.referred_by IS NOT NULL AND t.created_at >= $1 AND t.created_at < $2
  AND ($3 = 0 OR t.team_id = $3) AND ($4 = 0 OR t.owner_id = $4)
  AND ($5 = '' OR t.channel = $5) AND ($6 = '' OR t.language = $6)
  AND NOT EXISTS (SELECT 1 FROM tickets f WHERE f.customer_id = t.customer_id
                  AND (f.created_at < t.created_at OR (f.created_at = t.created_at AND f.id < t.id)))

-- name: referrals-any
-- Referred customers whose first contact came in [$1, $2) and in [$2, $3)
-- (the previous period and the period): their first ticket or their
-- first purchase, whichever came first (a friend who bought through a
-- referral link and never wrote counts too). Each customer's first
-- contact is found once for both periods (MATERIALIZED: not once per
-- comparison).
WITH firsts AS MATERIALIZED (
    SELECT (SELECT MIN(u.at) FROM (SELECT MIN(t.created_at) AS at FROM tickets t WHERE t.customer_id = c.id
                                   UNION ALL
                                   SELECT MIN(p.purchased_at) AS at FROM purchases p WHERE p.customer_id = c.id) u) AS at
    FROM customers c
    WHERE c.referred_by IS NOT NULL
)
SELECT COALESCE(SUM(CASE WHEN at >= $1 AND at < $2 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN at >= $2 AND at < $3 THEN 1 ELSE 0 END), 0)
FROM firsts

-- name: repeat-business
-- Customers who bought in the period, and those of them who came back: a
-- purchase in the period with an earlier one (before it or in it).
SELECT COUNT(DISTINCT p.customer_id),
       COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM purchases e WHERE e.customer_id = p.customer_id
                                        AND (e.purchased_at < p.purchased_at OR (e.purchased_at = p.purchased_at AND e.id < p.id)))
                      THEN p.customer_id END)
FROM purchases p
WHERE p.purchased_at >= $1 AND p.purchased_at < $2

-- name: agent-names
SELECT id, name FROM agents

-- name: table-exists
SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1

-- name: digest-recipients
SELECT email, name, locale FROM agents WHERE role IN ('manager', 'admin') AND active ORDER BY id

-- name: zone-state
SELECT zone, rebuild_after, rebuild_to, weeks_after, rebucket_day, greet_after FROM metric_zone WHERE id = 1

-- name: rebuild-state
-- The rebuild's batches take the row first (FOR UPDATE on PostgreSQL), so
-- that two runs of the job take turns.
SELECT zone, rebuild_after, rebuild_to, weeks_after FROM metric_zone WHERE id = 1

-- name: switch-zone
-- $1 zone, $2 now: starts the rebuild when the zone is another.
UPDATE metric_zone SET zone = $1, rebuild_after = 0, rebuild_to = (SELECT COALESCE(MAX(id), 0) FROM tickets),
    updated_at = $2
WHERE id = 1 AND zone <> $1

-- name: start-rebuild
-- $1 now: rebuilds in the zone the rollups have ($1 is not the zone), and
-- the greeting facts.
UPDATE metric_zone SET rebuild_after = 0, rebuild_to = (SELECT COALESCE(MAX(id), 0) FROM tickets), greet_after = 0,
    updated_at = $1
WHERE id = 1

-- name: rebuild-after
-- $1 the last ticket done: the zone's rebuild and the week fill, where
-- they run, are done up to it (neither goes back).
UPDATE metric_zone SET
    rebuild_after = CASE WHEN rebuild_after IS NULL OR rebuild_after > $1 THEN rebuild_after ELSE $1 END,
    weeks_after = CASE WHEN weeks_after IS NULL OR weeks_after > $1 THEN weeks_after ELSE $1 END,
    updated_at = $2
WHERE id = 1

-- name: rebuild-done
UPDATE metric_zone SET rebuild_after = NULL, weeks_after = NULL, updated_at = $1 WHERE id = 1

-- name: set-zone
-- A full Rebuild in one transaction: the zone it counted in, finished.
UPDATE metric_zone SET zone = $1, rebuild_after = NULL, weeks_after = NULL, updated_at = $2 WHERE id = 1

-- name: rebucket-state
-- The next day whose histogram rows rebucket.go merges into their steps
-- (NULL: none left) and the last.
SELECT rebucket_day, rebucket_to FROM metric_zone WHERE id = 1

-- name: rebucket-next
UPDATE metric_zone SET rebucket_day = $1 WHERE id = 1

-- name: rebucket-days
-- Every histogram row of day $1 (locked on PostgreSQL).
SELECT grain, measure, team_id, agent_id, channel, language, bucket, n FROM metric_hist
WHERE grain IN ('all', 'agent', 'team', 'channel', 'language', 'full') AND measure IN ('frt', 'frt_biz', 'res', 'res_biz')
  AND day = $1

-- name: rebucket-weeks
-- Every histogram row of week $1 at grain $2 (locked on PostgreSQL).
SELECT grain, measure, team_id, agent_id, channel, language, bucket, n FROM metric_week_hist
WHERE grain = $2 AND measure IN ('frt', 'frt_biz', 'res', 'res_biz') AND week = $1

-- name: rebucket-delete-days
-- Rows of day $1, grain $2, measure $3 whose buckets the caller lists
-- after it, as "(b1, b2, …)".
DELETE FROM metric_hist WHERE grain = $2 AND measure = $3 AND day = $1 AND bucket IN

-- name: rebucket-delete-weeks
DELETE FROM metric_week_hist WHERE grain = $2 AND measure = $3 AND week = $1 AND bucket IN

-- name: lock-tickets-after
-- The next batch of tickets for the rebuild (locked on PostgreSQL, as a
-- ticket change locks its ticket, so that the two take turns on it).
SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2

-- name: facts-between
SELECT ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms, frt_biz_ms,
       solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referral, sla_day
FROM metric_facts WHERE ticket_id > $1 AND ticket_id <= $2 ORDER BY ticket_id

-- name: facts-gone-after
-- Facts of tickets that no longer exist, after ticket $1 ($2 is the end).
SELECT f.ticket_id, f.team_id, f.agent_id, f.channel, f.language, f.created_day, f.complaint, f.frt_day, f.frt_ms,
       f.frt_biz_ms, f.solved_day, f.res_ms, f.res_biz_ms, f.reopened, f.transfers, f.first_owner, f.sla_target,
       f.sla_met, f.referral, f.sla_day
FROM metric_facts f
WHERE f.ticket_id > $1 AND f.ticket_id <= $2 AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = f.ticket_id)
ORDER BY f.ticket_id

-- name: delete-fact
DELETE FROM metric_facts WHERE ticket_id = $1

-- name: rollups-missing
SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM metric_facts LIMIT 1) f),
       (SELECT COUNT(*) FROM (SELECT 1 FROM tickets LIMIT 1) t)

-- name: feedback
-- The feedback record: survey answers and complaints, newest first.
-- $6 mode ('written', 'oral' or ''), $7 CSAT score (0 any), $8 1 for
-- entries with a comment, $9 kind ('survey', 'complaint' or ''), $10 a
-- lower-case LIKE pattern ('' none), $11 limit, $12 offset.
SELECT x.kind, x.survey_id, x.ticket_id, x.at, x.csat, x.nps, x.comment, x.customer_id,
       COALESCE(c.name, ''), x.agent_id, COALESCE(a.name, ''), x.channel, x.subject
FROM (
    SELECT 'survey' AS kind, s.id AS survey_id, s.ticket_id AS ticket_id, s.answered_at AS at, s.csat AS csat,
           s.nps AS nps, s.comment AS comment, s.customer_id AS customer_id, COALESCE(s.agent_id, 0) AS agent_id,
           s.channel AS channel, t.subject AS subject
    FROM surveys s JOIN tickets t ON t.id = s.ticket_id
    WHERE s.answered_at >= $1 AND s.answered_at < $2 AND $9 <> 'complaint'
      AND ($3 = 0 OR s.team_id = $3) AND ($4 = 0 OR s.agent_id = $4) AND ($5 = '' OR s.channel = $5)
      AND ($6 = '' OR ($6 = 'oral' AND s.channel = 'phone') OR ($6 = 'written' AND s.channel <> 'phone'))
      AND ($7 = 0 OR s.csat = $7) AND ($8 = 0 OR s.comment <> '')
      AND ($10 = '' OR lower(s.comment) LIKE $10 ESCAPE '\' OR lower(t.subject) LIKE $10 ESCAPE '\'
           OR EXISTS (SELECT 1 FROM customers sc WHERE sc.id = s.customer_id AND lower(sc.name) LIKE $10 ESCAPE '\'))
    UNION ALL
    SELECT 'complaint', 0, t.id, t.created_at, NULL, NULL, '', t.customer_id, COALESCE(t.owner_id, 0), t.channel, t.subject
    FROM tickets t
    WHERE t.kind = 'complaint' AND t.created_at >= $1 AND t.created_at < $2 AND $9 <> 'survey' AND $7 = 0
      AND ($3 = 0 OR t.team_id = $3) AND ($4 = 0 OR t.owner_id = $4) AND ($5 = '' OR t.channel = $5)
      AND ($6 = '' OR ($6 = 'oral' AND t.channel = 'phone') OR ($6 = 'written' AND t.channel <> 'phone'))
      AND ($10 = '' OR lower(t.subject) LIKE $10 ESCAPE '\'
           OR EXISTS (SELECT 1 FROM customers tc WHERE tc.id = t.customer_id AND lower(tc.name) LIKE $10 ESCAPE '\')
           OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'customer' AND lower(m.body_text) LIKE $10 ESCAPE '\'))
) x
LEFT JOIN customers c ON c.id = x.customer_id
LEFT JOIN agents a ON a.id = x.agent_id
ORDER BY x.at DESC, x.ticket_id DESC, x.kind
LIMIT $11 OFFSET $12

-- name: first-customer-message
SELECT body_text FROM messages WHERE ticket_id = $1 AND kind = 'customer' ORDER BY created_at, id LIMIT 1

-- name: greeting-chats
-- The chats created in [$1, $2) (Unix ms) from the tickets, through
-- tickets_chat_created, while the greeting facts are being filled:
-- when they were greeted (the first reply), by whom, their team, owner
-- and language, and the greeting target of their SLA policy in seconds
-- (0 for none). See greeting.go.
SELECT t.id, t.created_at, t.first_response_at, COALESCE(t.team_id, 0), COALESCE(t.owner_id, 0), t.language,
       COALESCE((SELECT m.author_agent_id FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'reply'
                 ORDER BY m.created_at, m.id LIMIT 1), 0),
       COALESCE((SELECT p.greeting_seconds FROM ticket_sla s JOIN sla_policies p ON p.id = s.policy_id
                 WHERE s.ticket_id = t.id), 0)
FROM tickets t
WHERE t.channel = 'chat' AND t.created_at >= $1 AND t.created_at < $2
ORDER BY t.created_at, t.id

-- name: greeting-decided
-- The chats created in [$1, $2) (Unix ms) from the greeting facts
-- (metric_greetings_created alone for the period; the policies by their
-- key), each decided here so that few columns come back (greeting.go):
-- team, agent (who greeted, else the owner), 0 unanswered past its
-- target, 1 greeted late, 3 greeted within target, and the wait in ms.
-- $3 is now: a chat unanswered while its target (its policy's
-- greeting_seconds, else $4 ms) has not passed is not decided yet and
-- left out. $5 team, $6 agent, $7 language: 0 or '' for any.
SELECT team_id, who, CASE WHEN greeted = 1 AND wait <= target THEN 3 ELSE greeted END, wait
FROM (SELECT g.team_id AS team_id, g.language AS language, g.created_at AS created_at,
             CASE WHEN g.first_at IS NOT NULL AND g.greeter_id <> 0 THEN g.greeter_id ELSE g.owner_id END AS who,
             CASE WHEN g.first_at IS NULL THEN 0 ELSE 1 END AS greeted,
             CASE WHEN g.first_at IS NULL OR g.first_at < g.created_at THEN 0 ELSE g.first_at - g.created_at END AS wait,
             CASE WHEN p.greeting_seconds > 0 THEN CAST(p.greeting_seconds AS BIGINT) * 1000 ELSE $4 END AS target
      FROM metric_greetings g LEFT JOIN sla_policies p ON p.id = g.policy_id
      WHERE g.created_at >= $1 AND g.created_at < $2) c
WHERE (greeted = 1 OR $3 - created_at >= target)
  AND ($5 = 0 OR team_id = $5) AND ($6 = 0 OR who = $6) AND ($7 = '' OR language = $7)

-- name: greeting-of
-- Chat $1's greeting fact as the tickets give it: see migration 0057.
SELECT t.created_at, t.first_response_at, COALESCE(t.team_id, 0), COALESCE(t.owner_id, 0),
       COALESCE((SELECT m.author_agent_id FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'reply'
                 ORDER BY m.created_at, m.id LIMIT 1), 0),
       COALESCE((SELECT s.policy_id FROM ticket_sla s WHERE s.ticket_id = t.id), 0), t.language
FROM tickets t WHERE t.id = $1

-- name: get-greeting
SELECT created_at, first_at, team_id, owner_id, greeter_id, policy_id, language
FROM metric_greetings WHERE ticket_id = $1

-- name: put-greeting
INSERT INTO metric_greetings (ticket_id, created_at, first_at, team_id, owner_id, greeter_id, policy_id, language)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (ticket_id) DO UPDATE SET created_at = excluded.created_at, first_at = excluded.first_at,
    team_id = excluded.team_id, owner_id = excluded.owner_id, greeter_id = excluded.greeter_id,
    policy_id = excluded.policy_id, language = excluded.language

-- name: delete-greeting
DELETE FROM metric_greetings WHERE ticket_id = $1

-- name: clear-greetings-between
-- The greeting facts of tickets ($1, $2].
DELETE FROM metric_greetings WHERE ticket_id > $1 AND ticket_id <= $2

-- name: fill-greetings-between
-- The greeting facts of the chats ($1, $2], set-based: greeting-of for
-- every chat of the range.
INSERT INTO metric_greetings (ticket_id, created_at, first_at, team_id, owner_id, greeter_id, policy_id, language)
SELECT t.id, t.created_at, t.first_response_at, COALESCE(t.team_id, 0), COALESCE(t.owner_id, 0),
       COALESCE((SELECT m.author_agent_id FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'reply'
                 ORDER BY m.created_at, m.id LIMIT 1), 0),
       COALESCE((SELECT s.policy_id FROM ticket_sla s WHERE s.ticket_id = t.id), 0), t.language
FROM tickets t WHERE t.channel = 'chat' AND t.id > $1 AND t.id <= $2

-- name: drop-greetings-after
-- The last step of the fill: greeting facts after chat $1 whose ticket is
-- gone or no longer a chat.
DELETE FROM metric_greetings
WHERE ticket_id > $1 AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = metric_greetings.ticket_id AND t.channel = 'chat')

-- name: greet-state
-- The fill's last chat done (NULL: none running); taken first by each
-- step (FOR UPDATE on PostgreSQL), so that two runs take turns.
SELECT greet_after FROM metric_zone WHERE id = 1

-- name: greet-after
UPDATE metric_zone SET greet_after = $1 WHERE id = 1

-- name: lock-chats-after
-- The next chats for the fill (locked on PostgreSQL, as a ticket change
-- locks its ticket, so that the two take turns on it).
SELECT id FROM tickets WHERE channel = 'chat' AND id > $1 ORDER BY id LIMIT $2
