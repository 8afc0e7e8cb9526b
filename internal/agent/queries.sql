-- Queries of agents, teams, sessions, API tokens and login attempts.
-- Times are UTC Unix milliseconds.

-- name: insert-agent
INSERT INTO agents (email, name, role, password_hash, locale, languages, time_zone, availability, active, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $9, 'offline', $7, $8, $8)
RETURNING id

-- name: get-agent
SELECT id, email, name, role, locale, languages, time_zone, availability, active, created_at, updated_at,
       kb_editor, chat_capacity
FROM agents WHERE id = $1

-- name: get-agent-by-email
SELECT id, email, name, role, locale, languages, time_zone, availability, active, created_at, updated_at,
       kb_editor, chat_capacity
FROM agents WHERE email = $1

-- name: list-agents
SELECT id, email, name, role, locale, languages, time_zone, availability, active, created_at, updated_at,
       kb_editor, chat_capacity
FROM agents ORDER BY lower(name), id

-- name: update-agent
UPDATE agents SET name = $2, role = $3, locale = $4, languages = $5, availability = $6, active = $7, updated_at = $8, time_zone = $9,
       kb_editor = $10
WHERE id = $1

-- name: password-hash
SELECT id, password_hash, active FROM agents WHERE email = $1

-- name: set-password
UPDATE agents SET password_hash = $2, updated_at = $3 WHERE id = $1

-- name: agent-teams
SELECT team_id FROM team_members WHERE agent_id = $1 ORDER BY team_id

-- name: all-team-members
SELECT team_id, agent_id FROM team_members ORDER BY team_id, agent_id

-- name: insert-session
INSERT INTO sessions (id, agent_id, csrf_token, created_at, expires_at, last_seen_at, user_agent, ip)
VALUES ($1, $2, $3, $4, $5, $4, $6, $7)

-- name: get-session
SELECT agent_id, csrf_token, created_at, expires_at, last_seen_at FROM sessions WHERE id = $1

-- name: touch-session
UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1

-- name: delete-session
DELETE FROM sessions WHERE id = $1

-- name: delete-agent-sessions
DELETE FROM sessions WHERE agent_id = $1

-- name: delete-expired-sessions
DELETE FROM sessions WHERE expires_at < $1

-- name: insert-login-attempt
INSERT INTO login_attempts (key, ok, created_at) VALUES ($1, $2, $3)

-- name: count-failed-logins
SELECT count(*) FROM login_attempts WHERE key = $1 AND ok = $2 AND created_at >= $3

-- name: failed-logins-since-success
-- The failures of key since $2 and since its last success, and when the
-- last of them was (0: none).
SELECT count(*), COALESCE(max(created_at), 0) FROM login_attempts
WHERE key = $1 AND ok = $3 AND created_at >= $2
  AND created_at > COALESCE((SELECT max(s.created_at) FROM login_attempts s WHERE s.key = $1 AND s.ok = $4), 0)

-- name: prune-login-attempts
DELETE FROM login_attempts WHERE created_at < $1

-- name: insert-team
INSERT INTO teams (name, description, created_at) VALUES ($1, $2, $3) RETURNING id

-- name: get-team
SELECT id, name, description, created_at FROM teams WHERE id = $1

-- name: list-teams
SELECT id, name, description, created_at FROM teams ORDER BY lower(name), id

-- name: update-team
UPDATE teams SET name = $2, description = $3 WHERE id = $1

-- name: unset-ticket-team
UPDATE tickets SET team_id = NULL WHERE team_id = $1

-- name: delete-team
DELETE FROM teams WHERE id = $1

-- name: team-members
SELECT agent_id FROM team_members WHERE team_id = $1 ORDER BY agent_id

-- name: clear-team-members
DELETE FROM team_members WHERE team_id = $1

-- name: add-team-member
INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2)

-- name: agent-exists
SELECT count(*) FROM agents WHERE id = $1

-- name: count-admins
SELECT count(*) FROM agents WHERE role = 'admin' AND active = TRUE

-- name: set-availability
UPDATE agents SET availability = $2, updated_at = $3 WHERE id = $1

-- name: insert-token
INSERT INTO api_tokens (agent_id, name, token_hash, created_at, scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id

-- name: touch-token
-- At most once a minute per token: a second node that read the same old
-- time changes nothing.
UPDATE api_tokens SET last_used_at = $2, last_used_addr = $3
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $4)

-- name: get-token
SELECT t.id, t.agent_id, a.name, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at, t.last_used_addr,
       t.revoked_at, t.revoked_reason
FROM api_tokens t JOIN agents a ON a.id = t.agent_id WHERE t.id = $1

-- name: list-tokens
-- $1 the agent (0: everyone's).
SELECT t.id, t.agent_id, a.name, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at, t.last_used_addr,
       t.revoked_at, t.revoked_reason
FROM api_tokens t JOIN agents a ON a.id = t.agent_id
WHERE CAST($1 AS BIGINT) = 0 OR t.agent_id = $1
ORDER BY t.revoked_at IS NOT NULL, t.id DESC

-- name: revoke-token
UPDATE api_tokens SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL

-- name: live-agent-tokens
SELECT id FROM api_tokens WHERE agent_id = $1 AND revoked_at IS NULL ORDER BY id

-- Two-factor authentication (totp.go).

-- name: totp-get
SELECT secret, enabled, last_step FROM agent_totp WHERE agent_id = $1

-- name: totp-delete
DELETE FROM agent_totp WHERE agent_id = $1

-- name: totp-insert
INSERT INTO agent_totp (agent_id, secret, enabled, last_step, created_at) VALUES ($1, $2, 0, 0, $3)

-- name: totp-enable
UPDATE agent_totp SET enabled = 1, last_step = $2 WHERE agent_id = $1 AND enabled = 0

-- name: totp-use-step
UPDATE agent_totp SET last_step = $2 WHERE agent_id = $1 AND last_step < $2

-- name: recovery-delete
DELETE FROM agent_recovery_codes WHERE agent_id = $1

-- name: recovery-insert
INSERT INTO agent_recovery_codes (agent_id, hash) VALUES ($1, $2)

-- name: recovery-use
UPDATE agent_recovery_codes SET used_at = $3 WHERE agent_id = $1 AND hash = $2 AND used_at IS NULL

-- name: recovery-left
SELECT count(*) FROM agent_recovery_codes WHERE agent_id = $1 AND used_at IS NULL

-- name: pending-insert
INSERT INTO pending_logins (id, agent_id, email, addr, expires_at) VALUES ($1, $2, $3, $4, $5)

-- name: pending-get
SELECT agent_id, email, addr FROM pending_logins WHERE id = $1 AND expires_at > $2

-- name: pending-delete
DELETE FROM pending_logins WHERE id = $1

-- name: pending-prune
DELETE FROM pending_logins WHERE expires_at <= $1

-- name: twofactor-roles
SELECT role FROM twofactor_roles ORDER BY role

-- name: twofactor-roles-clear
DELETE FROM twofactor_roles

-- name: twofactor-role-add
INSERT INTO twofactor_roles (role) VALUES ($1)
