-- PostgreSQL versions of queries that must differ.

-- name: lock-customer
-- Two tickets of one customer solved together: the second survey job waits
-- here, then sees the first one's survey in its window check. NO KEY
-- UPDATE, not UPDATE: a ticket change holds its ticket row and then takes
-- KEY SHARE on the customer (the foreign key check of updating a ticket
-- row it already changed), while this job holds the customer and then
-- needs KEY SHARE on the ticket (inserting the survey): with FOR UPDATE the
-- two deadlocked. NO KEY UPDATE still serialises two of these jobs.
SELECT language FROM customers WHERE id = $1 FOR NO KEY UPDATE

-- name: lock-pulse
-- Answers to one pulse take turns, so that each release of answers counts
-- the rows it releases (two answers racing could otherwise each count the
-- other's row and one release only its own).
SELECT id FROM pulses WHERE id = $1 FOR NO KEY UPDATE
