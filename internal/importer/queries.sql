-- name: insert-run
INSERT INTO import_runs (source, dir, status, started_at) VALUES ($1, $2, 'running', $3) RETURNING id

-- name: finish-run
UPDATE import_runs SET status = $2, counts = $3, skipped = $4, error = $5, finished_at = $6 WHERE id = $1

-- name: get-link
SELECT local_id FROM import_links WHERE source = $1 AND kind = $2 AND external_id = $3

-- name: put-link
INSERT INTO import_links (source, kind, external_id, local_id, run_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)

-- name: agent-by-email
SELECT id FROM agents WHERE email = $1

-- name: customer-by-identity
SELECT customer_id FROM customer_identities WHERE kind = $1 AND value = $2

-- name: list-runs
SELECT id, source, dir, status, counts, skipped, error, started_at, finished_at
FROM import_runs ORDER BY id DESC LIMIT $1

-- name: get-run
SELECT id, source, dir, status, counts, skipped, error, started_at, finished_at
FROM import_runs WHERE id = $1
