-- PostgreSQL overrides: several workers on several nodes claim jobs, so the
-- claim skips rows another transaction holds.

-- name: claim-select
SELECT id, kind, payload, attempts, max_attempts FROM jobs
WHERE (status = 'pending' AND run_at <= $1) OR (status = 'running' AND locked_until <= $1)
ORDER BY run_at, id
LIMIT 1
FOR UPDATE SKIP LOCKED

-- name: async-commit
-- A claim, and a job's outcome, need not wait for their WAL flush: a claim
-- lost in a crash leaves the job to be claimed again, and whatever the
-- handler then commits flushes the WAL, this claim included, first; an
-- outcome lost leaves the job to run again after its lease, as when the
-- process dies before recording it. Only the handler's own commit waits,
-- one fsync a job instead of three; they bound the queue's throughput on
-- PostgreSQL.
SET LOCAL synchronous_commit = off
