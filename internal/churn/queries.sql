-- Queries of the churn model: the signals of every customer as of a
-- reference time (each a grouped query over one table, so that 100,000
-- customers cost a handful of scans, not a query each), the scores it
-- writes to customer_values and the at-risk list. Times are UTC Unix
-- milliseconds; $1 is the reference time unless said otherwise.

-- name: churn-purchases
-- Per customer: purchases up to the reference time, the last of them, the
-- spend in the model's currency ($2, minor units) and the first purchase
-- in (reference, $3], which labels the customer for training.
SELECT customer_id,
    count(CASE WHEN purchased_at <= $1 THEN 1 END),
    max(CASE WHEN purchased_at <= $1 THEN purchased_at END),
    CAST(COALESCE(sum(CASE WHEN purchased_at <= $1 AND currency = $2 THEN amount_minor ELSE 0 END), 0) AS BIGINT),
    min(CASE WHEN purchased_at > $1 THEN purchased_at END)
FROM purchases
WHERE purchased_at <= $3
GROUP BY customer_id

-- name: churn-tickets
-- Per customer: the last ticket opened, and the complaints still open at
-- the reference time (neither solved nor closed by then).
SELECT customer_id, max(created_at),
    count(CASE WHEN kind = 'complaint' AND (solved_at IS NULL OR solved_at > $1)
        AND (closed_at IS NULL OR closed_at > $1) THEN 1 END)
FROM tickets
WHERE created_at <= $1
GROUP BY customer_id

-- name: churn-messages
-- Per customer: the last message they wrote.
SELECT t.customer_id, max(m.created_at)
FROM messages m JOIN tickets t ON t.id = m.ticket_id
WHERE m.kind = 'customer' AND m.created_at <= $1
GROUP BY t.customer_id

-- name: churn-events
-- Per customer and event type: how many transfers and SLA breaches, and
-- how many distinct tickets were reopened, up to the reference time. The
-- event log rather than tickets.transfer_count and reopen_count, so that a
-- past reference time does not see what happened after it.
SELECT t.customer_id, e.type, count(*), count(DISTINCT e.ticket_id)
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.type IN ('transferred', 'sla_breached', 'reopened') AND e.created_at <= $1
GROUP BY t.customer_id, e.type

-- name: churn-promises
-- Per customer: promises broken by the reference time.
SELECT t.customer_id, count(*)
FROM promises p JOIN tickets t ON t.id = p.ticket_id
WHERE p.status = 'broken' AND p.resolved_at <= $1
GROUP BY t.customer_id

-- name: churn-surveys
-- Answered surveys up to the reference time, oldest first per customer:
-- the last non-empty CSAT and NPS answers win.
SELECT customer_id, csat, nps
FROM surveys
WHERE answered_at IS NOT NULL AND answered_at <= $1 AND (csat IS NOT NULL OR nps IS NOT NULL)
ORDER BY customer_id, answered_at, id

-- name: churn-recommitments
-- Per customer: re-commitments confirmed by the reference time.
SELECT customer_id, count(*)
FROM recommitments
WHERE status = 'confirmed' AND confirmed_at <= $1
GROUP BY customer_id

-- name: churn-upsert
-- Writes the churn risk of a batch of customers, $1 a JSON array of
-- {"id", "risk", "reasons"} ($2 the time), without touching the
-- lifetime-value columns: one statement per thousand customers rather than
-- one per customer. A customer the lifetime-value refit has not scored gets
-- a row with empty figures (currency '' and horizon 0 say "not valued").
-- "WHERE true" keeps SQLite from reading ON CONFLICT as a join clause.
INSERT INTO customer_values (customer_id, currency, frequency, recency, t, monetary, expected_purchases,
    p_alive, expected_value, horizon_days, regular, churn_risk, churn_reasons, updated_at)
SELECT json_extract(value, '$.id'), '', 0, 0, 0, 0, 0, 0, 0, 0, FALSE,
    json_extract(value, '$.risk'), json_extract(value, '$.reasons'), $2
FROM json_each($1) WHERE true
ON CONFLICT (customer_id) DO UPDATE SET churn_risk = excluded.churn_risk, churn_reasons = excluded.churn_reasons

-- name: churn-main-currency
SELECT currency FROM purchases GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1

-- name: at-risk-count
SELECT count(*) FROM customer_values WHERE churn_risk IS NOT NULL

-- name: at-risk-by-value
-- The scored customers, largest value at risk (churn risk × expected
-- value) first; $1 limit, $2 offset.
SELECT v.customer_id, c.name, v.churn_risk, COALESCE(v.churn_reasons, ''), v.expected_value, v.currency,
    v.horizon_days, v.p_alive,
    (SELECT max(t.created_at) FROM tickets t WHERE t.customer_id = v.customer_id),
    (SELECT max(m.created_at) FROM messages m JOIN tickets t ON t.id = m.ticket_id
        WHERE t.customer_id = v.customer_id AND m.kind = 'customer'),
    (SELECT count(*) FROM tickets t WHERE t.customer_id = v.customer_id AND t.kind = 'complaint'
        AND t.status NOT IN ('solved', 'closed')),
    (SELECT max(t.id) FROM tickets t WHERE t.customer_id = v.customer_id)
FROM customer_values v JOIN customers c ON c.id = v.customer_id
WHERE v.churn_risk IS NOT NULL
ORDER BY v.churn_risk * v.expected_value DESC, v.churn_risk DESC, v.customer_id
LIMIT $1 OFFSET $2

-- name: at-risk-by-risk
-- As at-risk-by-value, highest churn risk first.
SELECT v.customer_id, c.name, v.churn_risk, COALESCE(v.churn_reasons, ''), v.expected_value, v.currency,
    v.horizon_days, v.p_alive,
    (SELECT max(t.created_at) FROM tickets t WHERE t.customer_id = v.customer_id),
    (SELECT max(m.created_at) FROM messages m JOIN tickets t ON t.id = m.ticket_id
        WHERE t.customer_id = v.customer_id AND m.kind = 'customer'),
    (SELECT count(*) FROM tickets t WHERE t.customer_id = v.customer_id AND t.kind = 'complaint'
        AND t.status NOT IN ('solved', 'closed')),
    (SELECT max(t.id) FROM tickets t WHERE t.customer_id = v.customer_id)
FROM customer_values v JOIN customers c ON c.id = v.customer_id
WHERE v.churn_risk IS NOT NULL
ORDER BY v.churn_risk DESC, v.churn_risk * v.expected_value DESC, v.customer_id
LIMIT $1 OFFSET $2
