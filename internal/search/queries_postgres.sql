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

-- name: backfill-lock
-- Locks a batch's tickets, as a change does first, so that a change
-- running meanwhile waits or is waited for and the newer document wins.
SELECT id FROM tickets WHERE id > $1 AND id <= $2 ORDER BY id FOR UPDATE

-- name: customer-tickets
-- Locks the tickets after their customer, in the ticket service's lock
-- order, so that a change of one of them meanwhile is waited for and its
-- message is in the document written here.
SELECT id FROM tickets WHERE customer_id = $1 ORDER BY id FOR UPDATE

-- name: put-docs
-- Many documents of kind $1 at once: refs $2, languages $3.
INSERT INTO search_docs (kind, ref_id, language)
SELECT $1, r, l FROM unnest($2::bigint[], $3::text[]) AS u(r, l)
ON CONFLICT (kind, ref_id) DO UPDATE SET language = excluded.language
RETURNING id, ref_id

-- name: put-fts-many
-- put-fts for many documents at once, one array per column.
INSERT INTO search_fts (doc_id, cfg, title, body, extra, tsv)
SELECT d, c, t, b, e,
       setweight(to_tsvector(c::regconfig, ft), 'A') ||
       setweight(to_tsvector('simple'::regconfig, fe), 'A') ||
       setweight(to_tsvector(c::regconfig, fb), 'B')
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
     AS u(d, c, t, b, e, ft, fb, fe)
ON CONFLICT (doc_id) DO UPDATE SET cfg = excluded.cfg, title = excluded.title,
    body = excluded.body, extra = excluded.extra, tsv = excluded.tsv
