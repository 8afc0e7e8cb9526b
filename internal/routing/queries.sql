-- Queries of the router. Times are UTC Unix milliseconds.

-- name: waiting-team-language
-- Tickets of team $1 (0: none) and language $2 waiting for an owner: those
-- served first (VIP customers, and regulars when $3 says the business
-- serves them first) before the others, then the oldest; chats when $5,
-- else the other tickets (each kind fills its own capacity). Reads the
-- pair's waiting tickets through tickets_waiting_team_language.
SELECT t.id, COALESCE(t.team_id, 0), t.language,
       (c.vip OR ($3 AND COALESCE(v.regular, FALSE))) AS served_first, t.created_at
FROM tickets t JOIN customers c ON c.id = t.customer_id
LEFT JOIN customer_values v ON v.customer_id = t.customer_id
WHERE COALESCE(t.team_id, 0) = $1 AND t.language = $2 AND COALESCE(t.owner_id, 0) = 0 AND t.status IN ('new', 'open')
  AND (t.channel = 'chat') = $5
ORDER BY served_first DESC, t.created_at, t.id
LIMIT $4

-- name: waiting-team
-- waiting-team-language for any language, for agents who take any; $2
-- says whether regulars are served first, $4 whether chats are read.
SELECT t.id, COALESCE(t.team_id, 0), t.language,
       (c.vip OR ($2 AND COALESCE(v.regular, FALSE))) AS served_first, t.created_at
FROM tickets t JOIN customers c ON c.id = t.customer_id
LEFT JOIN customer_values v ON v.customer_id = t.customer_id
WHERE COALESCE(t.team_id, 0) = $1 AND COALESCE(t.owner_id, 0) = 0 AND t.status IN ('new', 'open')
  AND (t.channel = 'chat') = $4
ORDER BY served_first DESC, t.created_at, t.id
LIMIT $3

-- name: any-waiting
-- Whether any ticket waits for an owner.
SELECT 1 FROM tickets t WHERE COALESCE(t.owner_id, 0) = 0 AND t.status IN ('new', 'open') LIMIT 1

-- name: candidates
-- Agents who could take tickets now, with how many they already hold: all
-- open tickets, and of those the chats (counted against chat_capacity).
SELECT a.id, a.languages, a.capacity, a.last_assigned_at,
       (SELECT count(*) FROM tickets t WHERE t.owner_id = a.id AND t.status IN ('new', 'open')),
       a.chat_capacity,
       (SELECT count(*) FROM tickets t WHERE t.owner_id = a.id AND t.status IN ('new', 'open') AND t.channel = 'chat')
FROM agents a
WHERE a.active = $1 AND a.availability = 'online'

-- name: memberships
SELECT team_id, agent_id FROM team_members

-- name: touch-agent
UPDATE agents SET last_assigned_at = $2 WHERE id = $1

-- name: set-capacity
UPDATE agents SET capacity = $2 WHERE id = $1

-- name: get-capacity
SELECT capacity, chat_capacity FROM agents WHERE id = $1

-- name: set-chat-capacity
UPDATE agents SET chat_capacity = $2 WHERE id = $1

-- name: get-setting
-- A routing setting of the business (settings key "routing").
SELECT value FROM settings WHERE key = $1

-- name: put-setting
INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at

-- name: chat-agent
-- What decides which new chats ring for agent $1: whether they can take
-- one now (active and online), their languages, chat capacity, open chats
-- and whether the ring is muted.
SELECT a.active AND a.availability = 'online', a.languages, a.chat_capacity,
       (SELECT count(*) FROM tickets t WHERE t.owner_id = a.id AND t.status IN ('new', 'open') AND t.channel = 'chat'),
       a.chat_muted
FROM agents a WHERE a.id = $1

-- name: agent-teams
SELECT team_id FROM team_members WHERE agent_id = $1

-- name: unanswered-chats
-- Open chats created since $1 that no agent has answered yet, oldest
-- first, through tickets_chat_created.
SELECT t.id, t.subject, t.created_at, COALESCE(t.owner_id, 0), COALESCE(t.team_id, 0), t.language
FROM tickets t
WHERE t.channel = 'chat' AND t.created_at >= $1 AND t.status IN ('new', 'open') AND t.first_response_at IS NULL
ORDER BY t.created_at, t.id
LIMIT $2

-- name: set-chat-muted
UPDATE agents SET chat_muted = $2 WHERE id = $1
