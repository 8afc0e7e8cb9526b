-- Queries of the audit log. Times are UTC Unix milliseconds. The log is
-- append-only: the one DELETE is retention pruning, and no UPDATE exists
-- (a trigger refuses it).

-- name: insert-entry
INSERT INTO audit_log (at, actor_agent_id, actor_token_id, action, target_kind, target_id, before_json, after_json, addr)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)

-- name: list-entries
-- $1 actor agent (0: any), $2 action or action prefix ('': any), $3 target
-- kind ('': any), $4 target id ('': any), $5 from (0: no bound), $6 until
-- (0: no bound, exclusive), $7 limit, $8 offset.
SELECT l.id, l.at, COALESCE(l.actor_agent_id, 0), COALESCE(a.name, ''), COALESCE(l.actor_token_id, 0),
       COALESCE(t.name, ''), l.action, l.target_kind, l.target_id, l.before_json, l.after_json, l.addr
FROM audit_log l
LEFT JOIN agents a ON a.id = l.actor_agent_id
LEFT JOIN api_tokens t ON t.id = l.actor_token_id
WHERE (CAST($1 AS BIGINT) = 0 OR l.actor_agent_id = $1)
  AND ($2 = '' OR l.action = $2 OR l.action LIKE $2 || '.%')
  AND ($3 = '' OR l.target_kind = $3)
  AND ($4 = '' OR l.target_id = $4)
  AND (CAST($5 AS BIGINT) = 0 OR l.at >= $5)
  AND (CAST($6 AS BIGINT) = 0 OR l.at < $6)
ORDER BY l.at DESC, l.id DESC
LIMIT $7 OFFSET $8

-- name: list-actions
SELECT DISTINCT action FROM audit_log ORDER BY action

-- name: prune-entries
DELETE FROM audit_log WHERE at < $1
