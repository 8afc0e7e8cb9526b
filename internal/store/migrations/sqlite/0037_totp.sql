-- Two-factor authentication with TOTP (issue 17).
--
-- agent_totp: an agent's TOTP secret (base32), kept while enrolment waits
-- for a confirming code (enabled 0) and while it is on (enabled 1).
-- last_step: the last 30-second step whose code was accepted; a code of
-- that step or an earlier one is refused (replay).
CREATE TABLE agent_totp (
    agent_id   BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    last_step  BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Single-use recovery codes, stored as SHA-256 hashes; used_at marks one spent.
CREATE TABLE agent_recovery_codes (
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    hash     TEXT NOT NULL,
    used_at  BIGINT,
    PRIMARY KEY (agent_id, hash)
);

-- A sign-in whose password was right and whose second factor is awaited:
-- id is the hash of the token the browser holds; it is not a session.
CREATE TABLE pending_logins (
    id         TEXT PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    addr       TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL
);
CREATE INDEX pending_logins_expires ON pending_logins (expires_at);
