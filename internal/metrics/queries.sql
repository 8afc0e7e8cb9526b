-- Queries of the metrics rollups and of the tables metrics read. Times are
-- UTC Unix milliseconds; days are UTC days since 1970-01-01. Filters: a 0
-- or '' parameter does not filter.

-- name: ticket-fact
SELECT t.id, COALESCE(t.team_id, 0), COALESCE(t.owner_id, 0), t.channel, t.language, t.kind, t.created_at,
       t.first_response_at, t.solved_at, t.reopen_count, t.transfer_count,
       (SELECT COUNT(*) FROM ticket_sla s WHERE s.ticket_id = t.id AND s.policy_id IS NOT NULL),
       (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'sla_breached')
FROM tickets t WHERE t.id = $1

-- name: ticket-facts-after
SELECT t.id, COALESCE(t.team_id, 0), COALESCE(t.owner_id, 0), t.channel, t.language, t.kind, t.created_at,
       t.first_response_at, t.solved_at, t.reopen_count, t.transfer_count,
       (SELECT COUNT(*) FROM ticket_sla s WHERE s.ticket_id = t.id AND s.policy_id IS NOT NULL),
       (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'sla_breached')
FROM tickets t WHERE t.id > $1 ORDER BY t.id LIMIT $2

-- name: get-fact
SELECT team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms, frt_biz_ms,
       solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met
FROM metric_facts WHERE ticket_id = $1

-- name: put-fact
INSERT INTO metric_facts (ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms,
    frt_biz_ms, solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
ON CONFLICT (ticket_id) DO UPDATE SET team_id = excluded.team_id, agent_id = excluded.agent_id,
    channel = excluded.channel, language = excluded.language, created_day = excluded.created_day,
    complaint = excluded.complaint, frt_day = excluded.frt_day, frt_ms = excluded.frt_ms,
    frt_biz_ms = excluded.frt_biz_ms, solved_day = excluded.solved_day, res_ms = excluded.res_ms,
    res_biz_ms = excluded.res_biz_ms, reopened = excluded.reopened, transfers = excluded.transfers,
    first_owner = excluded.first_owner, sla_target = excluded.sla_target, sla_met = excluded.sla_met

-- name: add-facts
INSERT INTO metric_facts (ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms,
    frt_biz_ms, solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)

-- name: add-days
INSERT INTO metric_days AS d (day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms,
    frt_biz_n, frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
ON CONFLICT (day, team_id, agent_id, channel, language) DO UPDATE SET
    created = d.created + excluded.created, complaints = d.complaints + excluded.complaints,
    responded = d.responded + excluded.responded, frt_ms = d.frt_ms + excluded.frt_ms,
    frt_biz_n = d.frt_biz_n + excluded.frt_biz_n, frt_biz_ms = d.frt_biz_ms + excluded.frt_biz_ms,
    solved = d.solved + excluded.solved, res_ms = d.res_ms + excluded.res_ms,
    res_biz_n = d.res_biz_n + excluded.res_biz_n, res_biz_ms = d.res_biz_ms + excluded.res_biz_ms,
    reopened = d.reopened + excluded.reopened, transfers = d.transfers + excluded.transfers,
    first_owner = d.first_owner + excluded.first_owner, sla_target = d.sla_target + excluded.sla_target,
    sla_met = d.sla_met + excluded.sla_met

-- name: add-hist
INSERT INTO metric_hist AS h (measure, day, team_id, agent_id, channel, language, bucket, n)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (measure, day, team_id, agent_id, channel, language, bucket) DO UPDATE SET n = h.n + excluded.n

-- name: clear-facts
DELETE FROM metric_facts

-- name: clear-days
DELETE FROM metric_days

-- name: clear-hist
DELETE FROM metric_hist

-- name: default-calendar
SELECT c.id, c.name, c.timezone, c.week, c.holidays FROM calendars c
ORDER BY COALESCE((SELECT MIN(p.position) FROM sla_policies p WHERE p.calendar_id = c.id AND p.active), 2147483647), c.id
LIMIT 1

-- name: days-by-day
SELECT day, SUM(created), SUM(complaints), SUM(responded), SUM(frt_ms), SUM(frt_biz_n), SUM(frt_biz_ms),
       SUM(solved), SUM(res_ms), SUM(res_biz_n), SUM(res_biz_ms), SUM(reopened), SUM(transfers),
       SUM(first_owner), SUM(sla_target), SUM(sla_met)
FROM metric_days
WHERE day >= $1 AND day < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY day

-- name: days-by-agent
SELECT agent_id, SUM(solved), SUM(transfers), SUM(reopened)
FROM metric_days
WHERE day >= $1 AND day < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY agent_id

-- name: complaints-by-day-channel
SELECT day, channel, SUM(complaints)
FROM metric_days
WHERE day >= $1 AND day < $2 AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6) AND complaints <> 0
GROUP BY day, channel

-- name: hist-total
SELECT measure, bucket, SUM(n)
FROM metric_hist
WHERE measure IN ('frt', 'frt_biz', 'res', 'res_biz') AND day >= $1 AND day < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY measure, bucket

-- name: frt-hist-by-week
SELECT (day + 3) / 7, bucket, SUM(n)
FROM metric_hist
WHERE measure = 'frt' AND day >= $1 AND day < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY (day + 3) / 7, bucket

-- name: frt-hist-by-agent
SELECT agent_id, bucket, SUM(n)
FROM metric_hist
WHERE measure = 'frt' AND day >= $1 AND day < $2
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY agent_id, bucket

-- name: survey-answers-by-day
-- Answers by day and score; each answer counts once per question answered.
SELECT answered_at / 86400000, csat, nps, COUNT(*)
FROM surveys
WHERE answered_at >= $1 AND answered_at < $2 AND (csat IS NOT NULL OR nps IS NOT NULL)
  AND ($3 = 0 OR team_id = $3) AND ($4 = 0 OR agent_id = $4)
  AND ($5 = '' OR channel = $5) AND ($6 = '' OR language = $6)
GROUP BY answered_at / 86400000, csat, nps

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
SELECT p.status, COUNT(*)
FROM promises p JOIN tickets t ON t.id = p.ticket_id
WHERE p.resolved_at >= $1 AND p.resolved_at < $2 AND p.status IN ('kept', 'broken')
  AND ($3 = 0 OR t.team_id = $3) AND ($4 = 0 OR p.agent_id = $4)
  AND ($5 = '' OR t.channel = $5) AND ($6 = '' OR t.language = $6)
GROUP BY p.status

-- name: referrals
-- Referred customers whose first ticket was created in the period.
SELECT COUNT(*)
FROM customers c JOIN tickets t ON t.customer_id = c.id
WHERE c.referred_by IS NOT NULL AND t.created_at >= $1 AND t.created_at < $2
  AND NOT EXISTS (SELECT 1 FROM tickets f WHERE f.customer_id = c.id
                  AND (f.created_at < t.created_at OR (f.created_at = t.created_at AND f.id < t.id)))
  AND ($3 = 0 OR t.team_id = $3) AND ($4 = 0 OR t.owner_id = $4)
  AND ($5 = '' OR t.channel = $5) AND ($6 = '' OR t.language = $6)

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
