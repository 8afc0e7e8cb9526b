-- PostgreSQL's versions of queries that differ.

-- name: lock-agent
SELECT id FROM agents WHERE id = $1 FOR UPDATE
