-- Queries of saved replies. Times are UTC Unix milliseconds.

-- name: list-saved-replies
SELECT id, title, body, language, COALESCE(created_by, 0), created_at, updated_at
FROM saved_replies
ORDER BY language, lower(title), id

-- name: get-saved-reply
SELECT id, title, body, language, COALESCE(created_by, 0), created_at, updated_at
FROM saved_replies WHERE id = $1

-- name: insert-saved-reply
INSERT INTO saved_replies (title, body, language, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5)
RETURNING id

-- name: update-saved-reply
UPDATE saved_replies SET title = $2, body = $3, language = $4, updated_at = $5 WHERE id = $1

-- name: delete-saved-reply
DELETE FROM saved_replies WHERE id = $1

-- name: saved-reply-bodies
SELECT body FROM saved_replies
