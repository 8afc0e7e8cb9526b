-- Queries of outbound webhooks. Times are UTC Unix milliseconds.

-- name: list-webhooks
SELECT id, url, description, events, secret, active, failing, disabled_reason, created_at, updated_at
FROM webhooks ORDER BY id

-- name: get-webhook
SELECT id, url, description, events, secret, active, failing, disabled_reason, created_at, updated_at
FROM webhooks WHERE id = $1

-- name: insert-webhook
INSERT INTO webhooks (url, description, events, secret, active, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)
RETURNING id

-- name: update-webhook
UPDATE webhooks SET url = $2, description = $3, events = $4, active = $5,
    failing = CASE WHEN $5 = 1 THEN 0 ELSE failing END,
    disabled_reason = CASE WHEN $5 = 1 THEN '' ELSE disabled_reason END,
    updated_at = $6
WHERE id = $1

-- name: rotate-webhook-secret
UPDATE webhooks SET secret = $2, updated_at = $3 WHERE id = $1

-- name: delete-webhook
DELETE FROM webhooks WHERE id = $1

-- name: active-webhooks
SELECT id, events FROM webhooks WHERE active = 1 ORDER BY id

-- name: insert-delivery
INSERT INTO webhook_deliveries (webhook_id, message_id, event_type, payload, status, created_at)
VALUES ($1, $2, $3, $4, 'pending', $5)
RETURNING id

-- name: delivery-for-message
SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $1 AND message_id = $2

-- name: get-delivery
SELECT d.id, d.webhook_id, d.message_id, d.event_type, d.payload, d.status, d.attempts,
    d.response_code, d.error, d.created_at, COALESCE(d.last_attempt_at, 0), COALESCE(d.delivered_at, 0)
FROM webhook_deliveries d WHERE d.id = $1

-- name: list-deliveries
SELECT d.id, d.webhook_id, d.message_id, d.event_type, d.payload, d.status, d.attempts,
    d.response_code, d.error, d.created_at, COALESCE(d.last_attempt_at, 0), COALESCE(d.delivered_at, 0)
FROM webhook_deliveries d WHERE d.webhook_id = $1 AND ($2 = 0 OR d.id < $2)
ORDER BY d.id DESC LIMIT $3

-- name: delivery-attempted
UPDATE webhook_deliveries SET attempts = attempts + 1, response_code = $2, error = $3,
    last_attempt_at = $4, status = $5,
    delivered_at = CASE WHEN $5 = 'delivered' THEN $4 ELSE delivered_at END
WHERE id = $1 AND status = 'pending'

-- name: webhook-delivered
UPDATE webhooks SET failing = 0 WHERE id = $1

-- name: webhook-failed
UPDATE webhooks SET failing = failing + 1 WHERE id = $1
RETURNING failing, active

-- name: disable-webhook
UPDATE webhooks SET active = 0, disabled_reason = $2, updated_at = $3 WHERE id = $1 AND active = 1

-- name: webhook-admins
SELECT id FROM agents WHERE role = 'admin' AND active = TRUE ORDER BY id

-- name: webhook-ticket
SELECT t.id, t.subject, t.status, t.channel, t.language, t.priority,
    COALESCE(t.owner_id, 0), COALESCE(t.team_id, 0), t.customer_id
FROM tickets t WHERE t.id = $1
