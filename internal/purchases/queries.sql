-- Queries of purchases. Times are UTC Unix milliseconds; amounts integer
-- minor units.

-- name: insert-purchase
INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, reference, channel, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (customer_id, reference) DO NOTHING
RETURNING id

-- name: purchase-by-reference
SELECT id, customer_id, purchased_at, amount_minor, currency, reference, channel, created_at
FROM purchases WHERE customer_id = $1 AND reference = $2

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

-- name: purchase-times
SELECT purchased_at FROM purchases WHERE customer_id = $1 ORDER BY purchased_at

-- name: customer-exists
SELECT 1 FROM customers WHERE id = $1
