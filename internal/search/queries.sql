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
-- The tickets whose documents are made, with their customers' names and
-- identities, each read by its primary key or index (subqueries, not a
-- join: for a batch of a few hundred tickets the planner hashed every
-- customer, 0.2–0.3 s a batch at 25,000–250,000 customers).
SELECT t.id, t.subject, t.language,
       (SELECT c.name FROM customers c WHERE c.id = t.customer_id),
       COALESCE((SELECT string_agg(ci.value, ' ') FROM customer_identities ci WHERE ci.customer_id = t.customer_id), '')
FROM tickets t
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

-- name: backfill-advance
UPDATE search_backfill SET last_ref = $2 WHERE kind = $1

-- name: backfill-done
UPDATE search_backfill SET done = $2 WHERE kind = $1

-- name: max-ticket
SELECT COALESCE(MAX(id), 0) FROM tickets


-- name: backfill-span
-- The last ticket of the next batch of $2 after ticket $1; NULL when there
-- is none.
SELECT MAX(id) FROM (SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2) b
