-- name: insert-link
INSERT INTO portal_links (customer_id, email, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)

-- name: spend-link
-- Marks the link used, once: a second use finds used_at set and no row.
UPDATE portal_links SET used_at = $2
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
RETURNING customer_id

-- name: link-state
SELECT used_at, expires_at FROM portal_links WHERE token_hash = $1

-- name: insert-session
INSERT INTO portal_sessions (id, customer_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)

-- name: get-session
SELECT customer_id, csrf FROM portal_sessions WHERE id = $1 AND expires_at > $2

-- name: delete-session
DELETE FROM portal_sessions WHERE id = $1

-- name: prune-sessions
DELETE FROM portal_sessions WHERE expires_at <= $1

-- name: customer-tickets
SELECT id, subject, status, created_at, updated_at FROM tickets
WHERE customer_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2

-- name: customer-promises
SELECT p.id, p.ticket_id, t.subject, p.what, p.due_at, p.status
FROM promises p JOIN tickets t ON t.id = p.ticket_id
WHERE t.customer_id = $1 ORDER BY p.due_at DESC, p.id DESC LIMIT $2

-- name: customer-surveys
SELECT ticket_id, answered_at, csat, nps, return_intent, comment FROM surveys
WHERE customer_id = $1 AND answered_at IS NOT NULL ORDER BY answered_at DESC, id DESC LIMIT $2

-- name: customer-attachments
SELECT a.message_id, a.filename, a.content_type, a.size
FROM attachments a JOIN messages m ON m.id = a.message_id JOIN tickets t ON t.id = m.ticket_id
WHERE t.customer_id = $1 AND m.kind <> 'note' ORDER BY a.id

-- name: customer-purchases
SELECT purchased_at, amount_minor, currency, COALESCE(reference, ''), channel FROM purchases
WHERE customer_id = $1 ORDER BY purchased_at DESC, id DESC LIMIT $2

-- name: insert-erasure
INSERT INTO erasure_requests (customer_id, reason, requested_at) VALUES ($1, $2, $3) RETURNING id

-- name: get-erasure
SELECT e.id, e.customer_id, c.name, e.status, e.reason, e.requested_at, e.decided_at, e.decided_by
FROM erasure_requests e JOIN customers c ON c.id = e.customer_id WHERE e.id = $1

-- name: lock-erasure
SELECT e.id, e.customer_id, '', e.status, e.reason, e.requested_at, e.decided_at, e.decided_by
FROM erasure_requests e WHERE e.id = $1

-- name: list-erasure
SELECT e.id, e.customer_id, c.name, e.status, e.reason, e.requested_at, e.decided_at, e.decided_by
FROM erasure_requests e JOIN customers c ON c.id = e.customer_id
WHERE ($1 = '' OR e.status = $1)
ORDER BY CASE WHEN e.status = 'pending' THEN 0 ELSE 1 END, e.requested_at DESC, e.id DESC LIMIT $2

-- name: customer-erasure
SELECT e.id, e.customer_id, c.name, e.status, e.reason, e.requested_at, e.decided_at, e.decided_by
FROM erasure_requests e JOIN customers c ON c.id = e.customer_id
WHERE e.customer_id = $1 ORDER BY e.requested_at DESC, e.id DESC

-- name: decide-erasure
UPDATE erasure_requests SET status = $2, decided_at = $3, decided_by = $4 WHERE id = $1

-- name: customer-name
SELECT name FROM customers WHERE id = $1

-- name: identity-values
SELECT kind, value FROM customer_identities WHERE customer_id = $1 ORDER BY id

-- name: lock-customer-tickets
-- SQLite: the write transaction keeps every other writer out.
SELECT id FROM tickets WHERE customer_id = $1 ORDER BY id

-- name: erase-customer-messages
UPDATE messages SET body_text = $2, body_html = '', to_address = '', cc = ''
WHERE kind = 'customer' AND (author_customer_id = $1 OR ticket_id IN (SELECT id FROM tickets WHERE customer_id = $1))

-- name: team-messages
SELECT id, body_text, body_html FROM messages
WHERE kind <> 'customer' AND ticket_id IN (SELECT id FROM tickets WHERE customer_id = $1) ORDER BY id

-- name: set-message-body
UPDATE messages SET body_text = $2, body_html = $3, to_address = '', cc = '' WHERE id = $1

-- name: customer-blob-sums
SELECT a.sha256 FROM attachments a JOIN messages m ON m.id = a.message_id JOIN tickets t ON t.id = m.ticket_id
WHERE t.customer_id = $1
UNION
SELECT raw_blob FROM inbound_messages WHERE raw_blob <> '' AND ticket_id IN (SELECT id FROM tickets WHERE customer_id = $1)

-- name: delete-customer-attachments
DELETE FROM attachments WHERE message_id IN (
    SELECT m.id FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.customer_id = $1)

-- name: delete-unused-blob
-- A blob goes when no file and no received message refers to it any more
-- (the same bytes may be another customer's too); its chunks cascade.
DELETE FROM blobs WHERE sha256 = $1
AND NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = $1)
AND NOT EXISTS (SELECT 1 FROM inbound_messages WHERE raw_blob = $1)

-- name: erase-inbound
-- The received originals: bytes gone, the sender replaced by a key that
-- stays unique.
UPDATE inbound_messages SET raw = X'', raw_blob = '', reason = '', sender = 'erased:' || id
WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id = $1)

-- name: erase-inbound-from
UPDATE inbound_messages SET raw = X'', raw_blob = '', reason = '', sender = 'erased:' || id WHERE sender = $1

-- name: erase-outbound
UPDATE outbound_mail SET to_addr = '' WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id = $1)

-- name: erase-subjects
UPDATE tickets SET subject = $2 WHERE customer_id = $1

-- name: erase-survey-comments
UPDATE surveys SET comment = '' WHERE customer_id = $1

-- name: erase-survey-answer-comments
UPDATE survey_answers SET comment = NULL WHERE survey_id IN (SELECT id FROM surveys WHERE customer_id = $1)

-- name: erase-recommitments
UPDATE recommitments SET words = $2 WHERE customer_id = $1

-- name: erase-customer
UPDATE customers SET name = $2, notes = '', time_zone = '', referral_code = NULL, updated_at = $3 WHERE id = $1

-- name: delete-customer-tags
DELETE FROM customer_tags WHERE customer_id = $1

-- name: delete-identities
DELETE FROM customer_identities WHERE customer_id = $1

-- name: delete-customer-links
DELETE FROM portal_links WHERE customer_id = $1

-- name: delete-customer-sessions
DELETE FROM portal_sessions WHERE customer_id = $1
