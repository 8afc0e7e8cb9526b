-- Queries of the job queue. Times are UTC Unix milliseconds.

-- name: enqueue
INSERT INTO jobs (kind, payload, unique_key, status, run_at, attempts, max_attempts, last_error, created_at, updated_at)
VALUES ($1, $2, $3, 'pending', $4, 0, $5, '', $6, $6)
ON CONFLICT (unique_key) DO UPDATE SET
    kind = excluded.kind, payload = excluded.payload, status = 'pending', run_at = excluded.run_at,
    attempts = 0, max_attempts = excluded.max_attempts, last_error = '', locked_by = '',
    locked_until = NULL, updated_at = excluded.updated_at

-- name: cancel
DELETE FROM jobs WHERE unique_key = $1 AND status = 'pending'

-- name: claim-select
SELECT id, kind, payload, attempts, max_attempts FROM jobs
WHERE (status = 'pending' AND run_at <= $1) OR (status = 'running' AND locked_until <= $1)
ORDER BY run_at, id
LIMIT 1

-- name: claim-update
UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $2, locked_until = $3, updated_at = $4
WHERE id = $1

-- name: done
UPDATE jobs SET status = 'done', locked_by = '', locked_until = NULL, last_error = '', updated_at = $2
WHERE id = $1 AND status = 'running'

-- name: fail
UPDATE jobs SET status = 'failed', locked_by = '', locked_until = NULL, last_error = $2, updated_at = $3
WHERE id = $1 AND status = 'running'

-- name: retry
UPDATE jobs SET status = 'pending', locked_by = '', locked_until = NULL, last_error = $2, run_at = $3, updated_at = $4
WHERE id = $1 AND status = 'running'

-- name: next-run-at
SELECT min(run_at) FROM jobs WHERE status = 'pending'

-- name: stats
SELECT status, count(*) FROM jobs GROUP BY status

-- name: get
SELECT id, kind, payload, unique_key, status, run_at, attempts, max_attempts, last_error FROM jobs WHERE id = $1

-- name: id-by-key
SELECT id FROM jobs WHERE unique_key = $1
