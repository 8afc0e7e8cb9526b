-- Queries of outgoing mail. Times are UTC Unix milliseconds.

-- name: insert-outbound
INSERT INTO outbound_mail (ticket_id, message_id, kind, to_addr, header_message_id, status, error, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)

-- name: reply-already-sent
SELECT count(*) FROM outbound_mail WHERE message_id = $1 AND status = 'sent'

-- name: ack-already-sent
SELECT count(*) FROM outbound_mail WHERE ticket_id = $1 AND kind = 'ack'

-- name: acks-to-since
SELECT count(*) FROM outbound_mail WHERE to_addr = $1 AND kind = 'ack' AND status = 'sent' AND created_at >= $2

-- name: thread-ids
-- Message-IDs of a ticket's thread, oldest first: the customer's mail and ours.
SELECT header_message_id, created_at, id FROM outbound_mail WHERE ticket_id = $1 AND status = 'sent'
UNION ALL
SELECT channel_message_id, created_at, id FROM messages WHERE ticket_id = $1 AND channel_message_id <> ''
ORDER BY 2, 3

-- name: last-customer-message-id
SELECT channel_message_id FROM messages
WHERE ticket_id = $1 AND kind = 'customer' AND channel_message_id <> ''
ORDER BY created_at DESC, id DESC LIMIT 1

-- name: message-for-delivery
SELECT m.kind, m.body_text, COALESCE(a.name, ''), m.to_address, m.cc FROM messages m
LEFT JOIN agents a ON a.id = m.author_agent_id
WHERE m.id = $1 AND m.ticket_id = $2

-- name: customer-language
SELECT c.language FROM customers c JOIN tickets t ON t.customer_id = c.id WHERE t.id = $1

-- name: get-setting
SELECT value FROM settings WHERE key = $1

-- name: put-setting
INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at

-- name: customer-time-zone
SELECT time_zone FROM customers WHERE id = $1
