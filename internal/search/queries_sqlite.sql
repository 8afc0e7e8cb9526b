-- name: delete-fts
DELETE FROM search_fts WHERE rowid = $1

-- name: put-fts
-- $2, the PostgreSQL configuration, has no use here.
INSERT INTO search_fts (rowid, title, body, extra) SELECT $1, $3, $4, $5 WHERE $2 IS NOT NULL

-- name: ticket-rows
SELECT t.id, t.subject, t.language, c.name,
       COALESCE((SELECT group_concat(ci.value, ' ') FROM customer_identities ci WHERE ci.customer_id = t.customer_id), '')
FROM tickets t JOIN customers c ON c.id = t.customer_id
WHERE t.id > $1 AND t.id <= $2
ORDER BY t.id

-- name: snippet-bodies
-- The bodies of a page's documents, by rowid: no MATCH, so no walk of a
-- word's list. The marker becomes the refs' placeholders.
SELECT d.ref_id, f.body FROM search_docs d JOIN search_fts f ON f.rowid = d.id
WHERE d.kind = $1 AND d.ref_id IN (/*refs*/)
