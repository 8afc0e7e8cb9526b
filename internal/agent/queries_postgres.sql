-- The PostgreSQL form of the agent queries that must differ: the token check
-- reads the agent's teams in the same lookup, each dialect joining them its way.

-- name: token-auth
-- One lookup by the hash's unique index: the token, its agent and the
-- agent's teams (comma-separated).
SELECT t.id, t.scopes, t.expires_at, t.last_used_at, t.last_used_addr,
       a.id, a.email, a.name, a.role, a.locale, a.languages, a.time_zone, a.availability, a.active, a.created_at, a.updated_at,
       a.kb_editor, a.chat_capacity,
       COALESCE((SELECT string_agg(m.team_id::text, ',') FROM team_members m WHERE m.agent_id = a.id), '')
FROM api_tokens t JOIN agents a ON a.id = t.agent_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL
