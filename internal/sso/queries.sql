-- Queries of single sign-on. Times are UTC Unix milliseconds.

-- name: list-providers
SELECT id, name, issuer, client_id, client_secret, scopes, role_claim, role_rules, jit, default_role,
       COALESCE(default_team_id, 0), allowed_domains, active, created_at, updated_at
FROM sso_providers ORDER BY id

-- name: get-provider
SELECT id, name, issuer, client_id, client_secret, scopes, role_claim, role_rules, jit, default_role,
       COALESCE(default_team_id, 0), allowed_domains, active, created_at, updated_at
FROM sso_providers WHERE id = $1

-- name: insert-provider
INSERT INTO sso_providers (name, issuer, client_id, client_secret, scopes, role_claim, role_rules, jit,
    default_role, default_team_id, allowed_domains, active, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
RETURNING id

-- name: update-provider
UPDATE sso_providers SET name = $2, issuer = $3, client_id = $4, client_secret = $5, scopes = $6,
    role_claim = $7, role_rules = $8, jit = $9, default_role = $10, default_team_id = $11,
    allowed_domains = $12, active = $13, updated_at = $14
WHERE id = $1

-- name: delete-provider
DELETE FROM sso_providers WHERE id = $1

-- name: insert-flow
INSERT INTO sso_flows (id, provider_id, nonce, verifier, next, expires_at) VALUES ($1, $2, $3, $4, $5, $6)

-- name: take-flow
DELETE FROM sso_flows WHERE id = $1 AND expires_at > $2
RETURNING provider_id, nonce, verifier, next

-- name: prune-flows
DELETE FROM sso_flows WHERE expires_at <= $1

-- name: identity-agent
SELECT agent_id FROM sso_identities WHERE provider_id = $1 AND subject = $2

-- name: insert-identity
INSERT INTO sso_identities (provider_id, subject, agent_id, email, created_at, last_login_at)
VALUES ($1, $2, $3, $4, $5, $5)

-- name: touch-identity
UPDATE sso_identities SET email = $3, last_login_at = $4 WHERE provider_id = $1 AND subject = $2
