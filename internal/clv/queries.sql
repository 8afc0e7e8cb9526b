-- Queries of the lifetime-value models: the purchases they are fitted on,
-- the fits and the customer values they write. Times are UTC Unix
-- milliseconds; amounts integer minor units.

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
