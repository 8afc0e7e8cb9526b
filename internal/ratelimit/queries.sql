-- Queries of the database-backed rate limiter. Times are UTC Unix
-- milliseconds.

-- name: hit
-- One hit of key in the fixed window starting at $2: the count goes on in
-- the same window and starts again at 1 in a new one.
INSERT INTO rate_limits (key, window_start, expires_at, hits) VALUES ($1, $2, $3, 1)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END,
    window_start = excluded.window_start,
    expires_at = excluded.expires_at
RETURNING hits

-- name: prune
DELETE FROM rate_limits WHERE expires_at < $1
