-- Single sign-on with OpenID Connect, and two-factor authentication
-- required per role as a setting (issue 17).
--
-- sso_providers: one OpenID provider agents may sign in with. client_secret
-- is kept to redeem codes; pages and the API show it masked, logs never.
-- role_rules: one rule a line, "claim value = role". jit: create an agent
-- unknown here on first sign-in, with default_role and default_team_id
-- (NULL: no team). allowed_domains: email domains separated by spaces, ""
-- for any (a JIT agent's email must be in one).
CREATE TABLE sso_providers (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    issuer          TEXT NOT NULL CHECK (length(issuer) BETWEEN 1 AND 2000),
    client_id       TEXT NOT NULL,
    client_secret   TEXT NOT NULL DEFAULT '',
    scopes          TEXT NOT NULL DEFAULT 'openid email profile',
    role_claim      TEXT NOT NULL DEFAULT '',
    role_rules      TEXT NOT NULL DEFAULT '',
    jit             INTEGER NOT NULL DEFAULT 0 CHECK (jit IN (0, 1)),
    default_role    TEXT NOT NULL DEFAULT 'agent' CHECK (default_role IN ('agent', 'manager', 'admin')),
    default_team_id BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    allowed_domains TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- Which agent a provider's subject ("sub") is: written on the first
-- sign-in, so a later change of the email at the provider still finds them.
CREATE TABLE sso_identities (
    provider_id   BIGINT NOT NULL REFERENCES sso_providers(id) ON DELETE CASCADE,
    subject       TEXT NOT NULL,
    agent_id      BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    email         TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    last_login_at BIGINT NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
CREATE INDEX sso_identities_agent ON sso_identities (agent_id);

-- A sign-in sent to a provider and not yet back: id is the hash of the
-- state the browser carries (in the URL and a cookie); nonce and verifier
-- (PKCE) are checked when it returns. Single use, short-lived.
CREATE TABLE sso_flows (
    id          TEXT PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES sso_providers(id) ON DELETE CASCADE,
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    next        TEXT NOT NULL DEFAULT '/',
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sso_flows_expires ON sso_flows (expires_at);

-- Roles whose agents must use two-factor authentication, set by admins
-- (on top of the server's --require-2fa-roles, which stays a floor).
CREATE TABLE twofactor_roles (
    role TEXT PRIMARY KEY CHECK (role IN ('agent', 'manager', 'admin'))
);
