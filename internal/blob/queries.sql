-- Queries of blobs: files' bytes in chunks. Times are UTC Unix milliseconds.

-- name: insert-blob
INSERT INTO blobs (sha256, size, chunk_size, created_at, location) VALUES ($1, $2, $3, $4, $5) RETURNING id

-- name: finish-blob
UPDATE blobs SET sha256 = $2, size = $3 WHERE id = $1

-- name: insert-chunk
INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)

-- name: find-blob
SELECT id, size, chunk_size, location FROM blobs WHERE sha256 = $1 ORDER BY id LIMIT 1

-- name: get-chunk
SELECT data FROM blob_chunks WHERE blob_id = $1 AND seq = $2

-- name: delete-blob
DELETE FROM blobs WHERE id = $1

-- name: delete-chunks
DELETE FROM blob_chunks WHERE blob_id = $1

-- name: in-bucket
-- Whether a committed row names the object of $1 (sweep.go).
SELECT count(*) FROM blobs WHERE sha256 = $1 AND location = 's3'

-- name: bucket-blobs
-- Every blob in the bucket, for an export that carries their bytes.
SELECT id, sha256, size, chunk_size FROM blobs WHERE location = 's3' ORDER BY id

-- name: count-in-bucket
SELECT count(*) FROM blobs WHERE location = 's3'
