-- Queries of re-commitments: proposed, confirmed and rejected, the
-- messages and survey answers they are proposed from, and what they earn
-- an agent. Times are UTC Unix milliseconds.

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
SELECT m.ticket_id, m.body_text, t.language, c.language FROM messages m
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
