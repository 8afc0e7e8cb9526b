-- Queries of the customer-360 panel. Times are UTC Unix milliseconds.

-- name: customer-surveys
SELECT ticket_id, sent_at, answered_at, csat, nps, return_intent, comment FROM surveys
WHERE customer_id = $1
ORDER BY sent_at DESC, id DESC
LIMIT $2
