-- Queries of attachments. Times are UTC Unix milliseconds.

-- name: insert-attachment
INSERT INTO attachments (message_id, filename, content_type, size, sha256, content_id, inline, storage_key, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)

-- name: ticket-attachments
SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256, a.content_id, a.inline, a.storage_key
FROM attachments a JOIN messages m ON m.id = a.message_id
WHERE m.ticket_id = $1
ORDER BY a.message_id, a.id

-- name: get-attachment
SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256, a.content_id, a.inline, a.storage_key
FROM attachments a JOIN messages m ON m.id = a.message_id
WHERE a.id = $1 AND m.ticket_id = $2

-- name: message-attachments
SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256, a.content_id, a.inline, a.storage_key
FROM attachments a
WHERE a.message_id = $1
ORDER BY a.id

-- name: keys-not-in-blobs
SELECT DISTINCT a.storage_key FROM attachments a
WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = a.storage_key)
ORDER BY a.storage_key
