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

-- name: analyze-fts
ANALYZE search_fts

-- name: search-reach
-- Whether more than $1 documents are expected to match a search: the
-- least of its terms' shares (term-share, prefix-share) times the rows.
SELECT LEAST(/*shares*/) * COALESCE((SELECT GREATEST(c.reltuples, 0) FROM pg_class c
    WHERE c.oid = 'search_fts'::regclass), 0) > $1::integer

-- name: term-share
-- A fragment of search-reach: the share of the documents holding
-- the most common of /*lexemes*/ (a text array), by ANALYZE's most common
-- elements of search_fts.tsv; 0 when none of them is among those. The
-- element array is 3 shorter than the frequencies (minimum, maximum,
-- nulls follow), whose extra rows unnest pairs with NULL.
COALESCE((SELECT max(e.f) FROM pg_stats s
    CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(l, f)
    WHERE s.schemaname = current_schema() AND s.tablename = 'search_fts' AND s.attname = 'tsv'
      AND e.l = ANY(/*lexemes*/)), 0)

-- name: prefix-share
-- term-share for a prefix: the shares of every common element beginning
-- with one of /*lexemes*/, summed.
COALESCE((SELECT LEAST(sum(e.f), 1) FROM pg_stats s
    CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(l, f)
    WHERE s.schemaname = current_schema() AND s.tablename = 'search_fts' AND s.attname = 'tsv'
      AND EXISTS (SELECT 1 FROM unnest(/*lexemes*/) AS p(x) WHERE starts_with(e.l, p.x))), 0)
