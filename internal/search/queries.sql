-- Queries of the search index (search_docs, search_fts, search_backfill)
-- and of the rows a ticket's document is made of.

-- name: put-doc
INSERT INTO search_docs (kind, ref_id, language) VALUES ($1, $2, $3)
ON CONFLICT (kind, ref_id) DO UPDATE SET language = excluded.language
RETURNING id

-- name: doc-id
SELECT id FROM search_docs WHERE kind = $1 AND ref_id = $2

-- name: delete-doc
DELETE FROM search_docs WHERE id = $1

-- name: ticket-rows
-- The tickets whose documents are made, with their customers.
SELECT t.id, t.subject, t.language, c.name,
       COALESCE((SELECT string_agg(ci.value, ' ') FROM customer_identities ci WHERE ci.customer_id = t.customer_id), '')
FROM tickets t JOIN customers c ON c.id = t.customer_id
WHERE t.id > $1 AND t.id <= $2
ORDER BY t.id

-- name: ticket-messages
SELECT ticket_id, body_text FROM messages
WHERE ticket_id > $1 AND ticket_id <= $2
ORDER BY ticket_id, id

-- name: customer-tickets
SELECT id FROM tickets WHERE customer_id = $1 ORDER BY id

-- name: backfill-start
INSERT INTO search_backfill (kind, total) VALUES ($1, $2)
ON CONFLICT (kind) DO NOTHING

-- name: backfill-state
SELECT last_ref, total, done FROM search_backfill WHERE kind = $1

-- name: backfill-batch
SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2

-- name: backfill-advance
UPDATE search_backfill SET last_ref = $2 WHERE kind = $1

-- name: backfill-done
UPDATE search_backfill SET done = $2 WHERE kind = $1

-- name: max-ticket
SELECT COALESCE(MAX(id), 0) FROM tickets

