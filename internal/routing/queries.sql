-- Queries of the router. Times are UTC Unix milliseconds.

-- name: waiting-team-language
-- Tickets of team $1 (0: none) and language $2 waiting for an owner: VIP
-- customers first, then the oldest. Reads the pair's waiting tickets
-- through tickets_waiting_team_language.
SELECT t.id, COALESCE(t.team_id, 0), t.language, c.vip, t.created_at
FROM tickets t JOIN customers c ON c.id = t.customer_id
WHERE COALESCE(t.team_id, 0) = $1 AND t.language = $2 AND COALESCE(t.owner_id, 0) = 0 AND t.status IN ('new', 'open')
ORDER BY c.vip DESC, t.created_at, t.id
LIMIT $3

-- name: waiting-team
-- waiting-team-language for any language, for agents who take any.
SELECT t.id, COALESCE(t.team_id, 0), t.language, c.vip, t.created_at
FROM tickets t JOIN customers c ON c.id = t.customer_id
WHERE COALESCE(t.team_id, 0) = $1 AND COALESCE(t.owner_id, 0) = 0 AND t.status IN ('new', 'open')
ORDER BY c.vip DESC, t.created_at, t.id
LIMIT $2

-- name: any-waiting
-- Whether any ticket waits for an owner.
SELECT 1 FROM tickets t WHERE COALESCE(t.owner_id, 0) = 0 AND t.status IN ('new', 'open') LIMIT 1

-- name: candidates
-- Agents who could take tickets now, with how many they already hold.
SELECT a.id, a.languages, a.capacity, a.last_assigned_at,
       (SELECT count(*) FROM tickets t WHERE t.owner_id = a.id AND t.status IN ('new', 'open'))
FROM agents a
WHERE a.active = $1 AND a.availability = 'online'

-- name: memberships
SELECT team_id, agent_id FROM team_members

-- name: touch-agent
UPDATE agents SET last_assigned_at = $2 WHERE id = $1

-- name: set-capacity
UPDATE agents SET capacity = $2 WHERE id = $1

-- name: get-capacity
SELECT capacity FROM agents WHERE id = $1
