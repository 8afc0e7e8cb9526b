-- The customer portal (issue 16): sign-in links, portal sessions and
-- requests for erasure.
--
-- portal_links: a single-use sign-in link mailed to one of the customer's
-- addresses; token_hash is the SHA-256 of the token the mail carries (the
-- token itself is kept nowhere). used_at marks it spent.
CREATE TABLE portal_links (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX portal_links_customer ON portal_links (customer_id);

-- A customer signed in to the portal: id is the SHA-256 of the cookie's
-- token; csrf is the token every form of the session carries. Apart from
-- agents' sessions.
CREATE TABLE portal_sessions (
    id          TEXT PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX portal_sessions_customer ON portal_sessions (customer_id);
CREATE INDEX portal_sessions_expires ON portal_sessions (expires_at);

-- A customer's request that their personal data be erased; an admin
-- approves (the customer is anonymised) or declines it. One pending
-- request per customer at a time.
CREATE TABLE erasure_requests (
    id           INTEGER PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
    reason       TEXT NOT NULL DEFAULT '',
    requested_at BIGINT NOT NULL,
    decided_at   BIGINT,
    decided_by   BIGINT REFERENCES agents(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX erasure_requests_pending ON erasure_requests (customer_id) WHERE status = 'pending';
CREATE INDEX erasure_requests_status ON erasure_requests (status, requested_at);
