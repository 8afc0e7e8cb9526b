-- SQLite's versions of queries that differ.

-- name: lock-agent
-- SQLite has one writer: the transaction already excludes every other.
SELECT id FROM agents WHERE id = $1
