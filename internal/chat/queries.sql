-- name: list-widgets
SELECT id, public_key, name, origins, secret, color, position, prechat, language, COALESCE(calendar_id, 0), created_at, updated_at
FROM chat_widgets ORDER BY id

-- name: widget-by-key
SELECT id, public_key, name, origins, secret, color, position, prechat, language, COALESCE(calendar_id, 0), created_at, updated_at
FROM chat_widgets WHERE public_key = $1

-- name: widget-by-id
SELECT id, public_key, name, origins, secret, color, position, prechat, language, COALESCE(calendar_id, 0), created_at, updated_at
FROM chat_widgets WHERE id = $1

-- name: insert-widget
INSERT INTO chat_widgets (public_key, name, origins, secret, color, position, prechat, language, calendar_id, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id

-- name: update-widget
UPDATE chat_widgets SET name = $2, origins = $3, color = $4, position = $5, prechat = $6, language = $7,
       calendar_id = $8, updated_at = $9
WHERE id = $1

-- name: set-widget-secret
UPDATE chat_widgets SET secret = $2, updated_at = $3 WHERE id = $1

-- name: delete-widget
DELETE FROM chat_widgets WHERE id = $1

-- name: insert-session
INSERT INTO chat_sessions (widget_id, token_hash, name, email, external_id, verified, language, created_at, seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id

-- name: session-by-token
SELECT id, widget_id, COALESCE(customer_id, 0), COALESCE(ticket_id, 0), name, email, external_id, verified, language,
       visitor_read, agent_read, rated
FROM chat_sessions WHERE token_hash = $1

-- name: set-session-ticket
UPDATE chat_sessions SET ticket_id = $2, customer_id = $3, seen_at = $4 WHERE id = $1

-- name: set-visitor-read
UPDATE chat_sessions SET visitor_read = $2, seen_at = $3 WHERE id = $1 AND visitor_read < $2

-- name: set-agent-read
UPDATE chat_sessions SET agent_read = $2 WHERE ticket_id = $1 AND agent_read < $2

-- name: set-rated
UPDATE chat_sessions SET rated = 1 WHERE id = $1

-- name: ticket-session
SELECT visitor_read FROM chat_sessions WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1

-- name: visitor-messages
SELECT m.id, m.kind, COALESCE(a.name, ''), m.body_text, m.created_at, COALESCE(i.message_key, '')
FROM messages m
LEFT JOIN agents a ON a.id = m.author_agent_id
LEFT JOIN inbound_messages i ON i.id = m.inbound_id
WHERE m.ticket_id = $1 AND m.id > $2 AND m.kind IN ('customer', 'reply')
ORDER BY m.id
LIMIT 200

-- name: message-of-inbound
SELECT id FROM messages WHERE inbound_id = $1 ORDER BY id LIMIT 1

-- name: message-attachments
SELECT id, message_id, filename, content_type, size FROM attachments
WHERE message_id IN (SELECT id FROM messages WHERE ticket_id = $1 AND id > $2 AND kind IN ('customer', 'reply'))
ORDER BY id

-- name: ticket-status
SELECT status FROM tickets WHERE id = $1

-- name: public-attachment
SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id
WHERE a.id = $1 AND m.ticket_id = $2 AND m.kind IN ('customer', 'reply')

-- name: agents-online
SELECT count(*) FROM agents WHERE active = TRUE AND availability = 'online'
