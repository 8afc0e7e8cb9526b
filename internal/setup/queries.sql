-- Queries of the first run.

-- name: lock-setup
-- Takes the setup row's lock for the rest of the transaction: a second
-- first run waits here until the first commits, then finds its admin.
INSERT INTO settings (key, value, updated_at) VALUES ('setup', $1, $2)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
