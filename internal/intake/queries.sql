-- Queries of intake. Intake owns inbound_messages; it reads tickets,
-- messages and outbound_mail to thread, and changes tickets only through
-- the ticket service.

-- name: insert-inbound
INSERT INTO inbound_messages (channel, mailbox, sender, message_key, raw, size, outcome, reason, received_at, raw_blob)
VALUES ($1, $2, $3, $4, $5, $6, 'ignored', '', $7, $8)
ON CONFLICT (sender, message_key) DO NOTHING
RETURNING id

-- name: existing-inbound
SELECT id, outcome, COALESCE(ticket_id, 0) FROM inbound_messages WHERE sender = $1 AND message_key = $2

-- name: set-outcome
UPDATE inbound_messages SET outcome = $2, reason = $3, ticket_id = $4 WHERE id = $1

-- name: ticket-by-our-message-id
SELECT o.ticket_id FROM outbound_mail o JOIN tickets t ON t.id = o.ticket_id
WHERE o.header_message_id = $1 AND t.customer_id = $2

-- name: ticket-by-their-message-id
SELECT m.ticket_id FROM messages m JOIN tickets t ON t.id = m.ticket_id
WHERE m.channel_message_id = $1 AND t.customer_id = $2
ORDER BY m.id DESC LIMIT 1

-- name: ticket-by-reply-token
SELECT id FROM tickets WHERE reply_token = $1 AND customer_id = $2

-- name: ticket-by-number
SELECT id FROM tickets WHERE id = $1 AND customer_id = $2

-- name: ticket-of-bounced-mail
SELECT ticket_id, COALESCE(message_id, 0), to_addr FROM outbound_mail WHERE header_message_id = $1

-- name: ticket-status
SELECT status FROM tickets WHERE id = $1

-- name: inbound-raw
SELECT channel, sender, raw, outcome, reason, COALESCE(ticket_id, 0), received_at, raw_blob, size FROM inbound_messages WHERE id = $1

-- name: inbound-for-cc
-- The head of the message is enough for its Cc: a large mail is not read whole.
SELECT channel, sender, mailbox, substr(raw, 1, 65536), raw_blob FROM inbound_messages WHERE id = $1
