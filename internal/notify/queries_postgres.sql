-- name: lock-agent
-- A recipient's additions and their batch take turns (NO KEY UPDATE does
-- not stop rows that refer to the agent from being written).
SELECT id FROM agents WHERE id = $1 FOR NO KEY UPDATE
