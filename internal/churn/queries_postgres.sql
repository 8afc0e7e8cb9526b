-- PostgreSQL versions of the churn queries that SQLite writes differently.

-- name: churn-upsert
-- As in churn_queries.sql, reading the batch with jsonb_array_elements.
INSERT INTO customer_values (customer_id, currency, frequency, recency, t, monetary, expected_purchases,
    p_alive, expected_value, horizon_days, regular, churn_risk, churn_reasons, updated_at)
SELECT (e->>'id')::bigint, '', 0, 0, 0, 0, 0, 0, 0, 0, FALSE,
    (e->>'risk')::double precision, e->>'reasons', $2
FROM jsonb_array_elements($1::jsonb) AS e
ON CONFLICT (customer_id) DO UPDATE SET churn_risk = excluded.churn_risk, churn_reasons = excluded.churn_reasons
