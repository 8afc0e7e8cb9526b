-- PostgreSQL versions of queries that must differ.

-- name: lock-customer
-- Two tickets of one customer solved together: the second survey job waits
-- here, then sees the first one's survey in its window check.
SELECT language FROM customers WHERE id = $1 FOR UPDATE
