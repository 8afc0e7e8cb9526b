-- Queries of the notify package: agents' notifications (in the app) and
-- the ones waiting to be mailed in their recipient's next batch.

-- name: insert-notification
INSERT INTO notifications (agent_id, ticket_id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id

-- name: insert-pending
INSERT INTO notify_pending (notification_id, agent_id, moment, created_at) VALUES ($1, $2, $3, $4)

-- name: count-pending
SELECT count(*) FROM notify_pending WHERE agent_id = $1

-- name: lock-agent
SELECT id FROM agents WHERE id = $1

-- name: pending
SELECT n.id, COALESCE(n.ticket_id, 0), n.kind, n.data, p.moment,
       COALESCE(t.subject, ''), COALESCE(c.name, '')
FROM notify_pending p
JOIN notifications n ON n.id = p.notification_id
LEFT JOIN tickets t ON t.id = n.ticket_id
LEFT JOIN customers c ON c.id = t.customer_id
WHERE p.agent_id = $1
ORDER BY p.moment, n.id

-- name: delete-pending
DELETE FROM notify_pending WHERE notification_id = $1

-- name: recipient
SELECT email, name, locale, time_zone, active FROM agents WHERE id = $1
