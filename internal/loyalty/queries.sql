-- Queries of purchases, customer values, model fits and re-commitments.
-- Times are UTC Unix milliseconds; amounts integer minor units.

-- name: insert-purchase
INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, reference, channel, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (customer_id, reference) DO NOTHING
RETURNING id

-- name: purchase-by-reference
SELECT id, customer_id, purchased_at, amount_minor, currency, reference, channel, created_at
FROM purchases WHERE customer_id = $1 AND reference = $2

-- name: get-purchase
SELECT id, customer_id, purchased_at, amount_minor, currency, reference, channel, created_at
FROM purchases WHERE id = $1

-- name: customer-purchases
SELECT id, customer_id, purchased_at, amount_minor, currency, reference, channel, created_at
FROM purchases
WHERE customer_id = $1 AND (purchased_at < $2 OR (purchased_at = $2 AND id < $3))
ORDER BY purchased_at DESC, id DESC
LIMIT $4

-- name: purchase-totals
SELECT currency, count(*), sum(amount_minor), min(purchased_at), max(purchased_at)
FROM purchases WHERE customer_id = $1
GROUP BY currency
ORDER BY count(*) DESC, currency

-- name: purchase-days
SELECT DISTINCT purchased_at / 86400000 FROM purchases WHERE customer_id = $1

-- name: main-currency
SELECT currency FROM purchases GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1

-- name: fit-purchases
SELECT customer_id, purchased_at, amount_minor FROM purchases
WHERE currency = $1 AND purchased_at < $2
ORDER BY customer_id, purchased_at

-- name: customer-fit-purchases
SELECT purchased_at, amount_minor FROM purchases
WHERE customer_id = $1 AND currency = $2 AND purchased_at < $3
ORDER BY purchased_at

-- name: upsert-value
INSERT INTO customer_values (customer_id, currency, frequency, recency, t, monetary, expected_purchases,
    p_alive, expected_value, horizon_days, regular, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (customer_id) DO UPDATE SET
    currency = excluded.currency, frequency = excluded.frequency, recency = excluded.recency, t = excluded.t,
    monetary = excluded.monetary, expected_purchases = excluded.expected_purchases, p_alive = excluded.p_alive,
    expected_value = excluded.expected_value, horizon_days = excluded.horizon_days, regular = excluded.regular,
    updated_at = excluded.updated_at

-- name: get-value
SELECT currency, frequency, recency, t, monetary, expected_purchases, p_alive, expected_value, horizon_days,
    regular, churn_risk, churn_reasons, updated_at
FROM customer_values WHERE customer_id = $1

-- name: insert-fit
INSERT INTO clv_fits (fitted_at, currency, customers, bg_r, bg_alpha, bg_a, bg_b, bg_loglik, gg_p, gg_q, gg_gamma, horizon_days)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id

-- name: latest-fit
SELECT id, fitted_at, currency, customers, bg_r, bg_alpha, bg_a, bg_b, bg_loglik, gg_p, gg_q, gg_gamma, horizon_days
FROM clv_fits ORDER BY id DESC LIMIT 1

-- name: customer-standing
SELECT c.vip, COALESCE(v.regular, FALSE) FROM customers c
LEFT JOIN customer_values v ON v.customer_id = c.id
WHERE c.id = $1

-- name: customer-exists
SELECT 1 FROM customers WHERE id = $1

-- name: customer-surveys
SELECT ticket_id, sent_at, answered_at, csat, nps, return_intent, comment FROM surveys
WHERE customer_id = $1
ORDER BY sent_at DESC, id DESC
LIMIT $2

-- name: insert-recommitment
INSERT INTO recommitments (ticket_id, customer_id, agent_id, words, source, status, message_id, value, currency,
    at_risk_at_start, created_at, confirmed_at, decided_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
RETURNING id

-- name: recommitment-for-message
SELECT id FROM recommitments WHERE message_id = $1

-- name: lock-recommitment
SELECT id, ticket_id, customer_id, agent_id, words, source, status, message_id, value, currency,
    at_risk_at_start, created_at, confirmed_at
FROM recommitments WHERE id = $1

-- name: decide-recommitment
UPDATE recommitments SET status = $2, agent_id = $3, value = $4, currency = $5, at_risk_at_start = $6,
    confirmed_at = $7, decided_by = $8
WHERE id = $1 AND status = 'proposed'

-- name: ticket-recommitments
SELECT r.id, r.ticket_id, r.customer_id, r.agent_id, r.words, r.source, r.status, r.message_id, r.value, r.currency,
    r.at_risk_at_start, r.created_at, r.confirmed_at, COALESCE(a.name, '')
FROM recommitments r LEFT JOIN agents a ON a.id = r.agent_id
WHERE r.ticket_id = $1
ORDER BY r.created_at, r.id

-- name: customer-recommitments
SELECT r.id, r.ticket_id, r.customer_id, r.agent_id, r.words, r.source, r.status, r.message_id, r.value, r.currency,
    r.at_risk_at_start, r.created_at, r.confirmed_at, COALESCE(a.name, '')
FROM recommitments r LEFT JOIN agents a ON a.id = r.agent_id
WHERE r.customer_id = $1 AND r.status = 'confirmed'
ORDER BY r.confirmed_at DESC, r.id DESC
LIMIT $2

-- name: agent-recommitments
SELECT count(*), COALESCE(sum(r.value), 0),
    count(DISTINCT CASE WHEN r.at_risk_at_start AND (t.closed_at IS NULL OR r.confirmed_at <= t.closed_at)
        THEN r.customer_id END)
FROM recommitments r JOIN tickets t ON t.id = r.ticket_id
WHERE r.agent_id = $1 AND r.status = 'confirmed' AND r.confirmed_at >= $2 AND r.confirmed_at < $3

-- name: agent-recommitment-currencies
SELECT DISTINCT currency FROM recommitments
WHERE agent_id = $1 AND status = 'confirmed' AND confirmed_at >= $2 AND confirmed_at < $3 AND currency <> ''

-- name: agent-solved
SELECT count(*) FROM tickets WHERE owner_id = $1 AND solved_at >= $2 AND solved_at < $3

-- name: message-for-detection
SELECT m.body_text, t.language, c.language FROM messages m
JOIN tickets t ON t.id = m.ticket_id
JOIN customers c ON c.id = t.customer_id
WHERE m.id = $1 AND m.kind = 'customer'

-- name: surveys-to-read
-- Answered surveys with something to read that have no proposal yet.
SELECT s.ticket_id, s.language, COALESCE(s.return_intent, ''), s.comment, t.language FROM surveys s
JOIN tickets t ON t.id = s.ticket_id
WHERE s.answered_at IS NOT NULL AND COALESCE(s.updated_at, s.answered_at) >= $1
  AND (s.comment <> '' OR s.return_intent = 'yes')
  AND NOT EXISTS (SELECT 1 FROM recommitments r WHERE r.ticket_id = s.ticket_id AND r.source = 'survey')
ORDER BY s.answered_at, s.id
LIMIT 500
