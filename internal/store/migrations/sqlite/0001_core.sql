-- Core schema: agents, teams, customers, tickets, messages, events, jobs.
-- Every *_at column holds UTC Unix milliseconds written by Go.

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'manager', 'admin')),
    password_hash TEXT NOT NULL DEFAULT '',
    locale        TEXT NOT NULL DEFAULT '',
    languages     TEXT NOT NULL DEFAULT '',
    availability  TEXT NOT NULL DEFAULT 'offline' CHECK (availability IN ('online', 'away', 'offline')),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id  BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_agent ON team_members (agent_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_agent ON sessions (agent_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

CREATE TABLE login_attempts (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    ok         INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (key, created_at);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    language   TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT '',
    vip        INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX customers_name ON customers (lower(name));

CREATE TABLE customer_identities (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'external')),
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);

CREATE TABLE customer_tags (
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    subject           TEXT NOT NULL,
    channel           TEXT NOT NULL CHECK (channel IN ('email', 'web', 'phone', 'chat', 'api', 'hook')),
    status            TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    priority          TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    kind              TEXT NOT NULL CHECK (kind IN ('question', 'complaint', 'request', 'praise', 'other')),
    language          TEXT NOT NULL DEFAULT '',
    customer_id       BIGINT NOT NULL REFERENCES customers(id),
    owner_id          BIGINT REFERENCES agents(id),
    team_id           BIGINT REFERENCES teams(id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    first_response_at BIGINT,
    solved_at         BIGINT,
    closed_at         BIGINT,
    reopen_count      INTEGER NOT NULL DEFAULT 0,
    transfer_count    INTEGER NOT NULL DEFAULT 0,
    message_count     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_owner_status_updated ON tickets (owner_id, status, updated_at, id);
CREATE INDEX tickets_team_status_updated ON tickets (team_id, status, updated_at, id);
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_status_priority_updated ON tickets (status, priority, updated_at, id);
CREATE INDEX tickets_status_created ON tickets (status, created_at, id);
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_subject ON tickets (lower(subject));

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag);

CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY,
    ticket_id          BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL CHECK (kind IN ('customer', 'reply', 'note')),
    author_agent_id    BIGINT REFERENCES agents(id),
    author_customer_id BIGINT REFERENCES customers(id),
    body_text          TEXT NOT NULL,
    body_html          TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, created_at, id);

CREATE TABLE ticket_events (
    id             INTEGER PRIMARY KEY,
    ticket_id      BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    type           TEXT NOT NULL,
    actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('agent', 'customer', 'system')),
    actor_agent_id BIGINT REFERENCES agents(id),
    data           TEXT NOT NULL DEFAULT '{}',
    created_at     BIGINT NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE INDEX ticket_events_type_created ON ticket_events (type, created_at);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    unique_key   TEXT UNIQUE,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    run_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    last_error   TEXT NOT NULL DEFAULT '',
    locked_by    TEXT NOT NULL DEFAULT '',
    locked_until BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
