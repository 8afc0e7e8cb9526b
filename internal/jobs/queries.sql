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

-- name: due-exists
-- Whether a job is due, asked on a reader before claiming on SQLite.
SELECT 1 FROM jobs
WHERE (status = 'pending' AND run_at <= $1) OR (status = 'running' AND locked_until <= $1)
LIMIT 1

-- name: claim-update
UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $2, locked_until = $3, updated_at = $4
WHERE id = $1

-- The outcome of a run is recorded only while the row holds the run's
-- claim ($N = its locked_by token): a worker whose lease lapsed and was
-- taken over leaves the row to the worker that took it.

-- name: done
UPDATE jobs SET status = 'done', locked_by = '', locked_until = NULL, last_error = '', updated_at = $2
WHERE id = $1 AND status = 'running' AND locked_by = $3

-- name: fail
UPDATE jobs SET status = 'failed', locked_by = '', locked_until = NULL, last_error = $2, updated_at = $3
WHERE id = $1 AND status = 'running' AND locked_by = $4

-- name: retry
UPDATE jobs SET status = 'pending', locked_by = '', locked_until = NULL, last_error = $2, run_at = $3, updated_at = $4
WHERE id = $1 AND status = 'running' AND locked_by = $5

-- name: renew
-- The heartbeat: extends the lease of a claim the row still holds.
UPDATE jobs SET locked_until = $3
WHERE id = $1 AND status = 'running' AND locked_by = $2

-- name: holder
SELECT locked_by FROM jobs WHERE id = $1 AND status = 'running'

-- name: next-run-at
-- When a worker should next look: the earliest pending job, or the
-- earliest lease to lapse (a job whose process died is taken over then).
SELECT min(t) FROM (
    SELECT min(run_at) AS t FROM jobs WHERE status = 'pending'
    UNION ALL
    SELECT min(locked_until) AS t FROM jobs WHERE status = 'running'
) AS due

-- name: stats
SELECT status, count(*) FROM jobs GROUP BY status

-- name: backlog
-- Unfinished and failed jobs only: an index range on (status, run_at)
-- that skips the done rows, however many there are.
SELECT status, count(*) FROM jobs WHERE status IN ('pending', 'running', 'failed') GROUP BY status

-- name: prune
-- One batch of finished jobs older than $2 with status $1.
DELETE FROM jobs WHERE id IN (
    SELECT id FROM jobs WHERE status = $1 AND updated_at < $2 ORDER BY updated_at LIMIT $3
)

-- name: ensure
-- Queues a job under its key unless one is pending or running (which it
-- leaves alone: every node calls this at start).
INSERT INTO jobs (kind, payload, unique_key, status, run_at, attempts, max_attempts, last_error, created_at, updated_at)
VALUES ($1, $2, $3, 'pending', $4, 0, $5, '', $6, $6)
ON CONFLICT (unique_key) DO UPDATE SET
    kind = excluded.kind, payload = excluded.payload, status = 'pending', run_at = excluded.run_at,
    attempts = 0, max_attempts = excluded.max_attempts, last_error = '', locked_by = '',
    locked_until = NULL, updated_at = excluded.updated_at
WHERE jobs.status IN ('done', 'failed')

-- name: get
SELECT id, kind, payload, unique_key, status, run_at, attempts, max_attempts, last_error FROM jobs WHERE id = $1

-- name: id-by-key
SELECT id FROM jobs WHERE unique_key = $1
