-- Queries of the business profile, one JSON row of settings.

-- name: get-profile
SELECT value FROM settings WHERE key = $1

-- name: put-profile
INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
