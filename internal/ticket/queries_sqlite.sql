-- SQLite overrides of queries.sql.

-- name: lock-ticket
-- SQLite has no FOR UPDATE; the write transaction (BEGIN IMMEDIATE on the
-- single writer connection) already keeps every other writer out.
SELECT id, subject, channel, status, priority, kind, language, customer_id,
       owner_id, team_id, created_at, updated_at, first_response_at, solved_at,
       closed_at, reopen_count, transfer_count, message_count, snoozed_until
FROM tickets WHERE id = $1
