-- name: delete-fts
DELETE FROM search_fts WHERE doc_id = $1

-- name: put-fts
-- Title and extra weigh A, the body B. Extra (names, addresses, numbers)
-- is never stemmed. $6 to $8 are the three fields without accents.
INSERT INTO search_fts (doc_id, cfg, title, body, extra, tsv)
VALUES ($1, $2::text, $3, $4, $5,
        setweight(to_tsvector($2::text::regconfig, $6), 'A') ||
        setweight(to_tsvector('simple'::regconfig, $8), 'A') ||
        setweight(to_tsvector($2::text::regconfig, $7), 'B'))
ON CONFLICT (doc_id) DO UPDATE SET cfg = excluded.cfg, title = excluded.title,
    body = excluded.body, extra = excluded.extra, tsv = excluded.tsv

-- name: backfill-batch
-- Locks the batch's tickets, as a change does first, so that a change
-- running meanwhile waits or is waited for and the newer document wins.
SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE

-- name: customer-tickets
-- Locks the tickets after their customer, in the ticket service's lock
-- order, so that a change of one of them meanwhile is waited for and its
-- message is in the document written here.
SELECT id FROM tickets WHERE customer_id = $1 ORDER BY id FOR UPDATE
