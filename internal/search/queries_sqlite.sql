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

-- name: snippet
-- One document's snippet: the MATCH is read within its one rowid.
SELECT snippet(search_fts, 1, $1, $2, '…', 24) FROM search_fts
WHERE search_fts MATCH $3 AND rowid = (SELECT id FROM search_docs WHERE kind = $4 AND ref_id = $5)
