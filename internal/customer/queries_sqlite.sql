-- name: lock-customer
-- SQLite has no row locks; the write transaction (BEGIN IMMEDIATE on the
-- single writer connection) already keeps every other writer out.
SELECT id FROM customers WHERE id = $1
