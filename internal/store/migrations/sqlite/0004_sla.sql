-- SLAs: business-hours calendars, policies chosen by conditions, each
-- ticket's running timers, and in-app notifications for agents.

CREATE TABLE calendars (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    timezone   TEXT NOT NULL,
    week       TEXT NOT NULL,            -- "mon-fri 09:00-17:00; sat 10:00-14:00"
    holidays   TEXT NOT NULL DEFAULT '', -- comma-separated dates
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A policy applies to the tickets its non-empty conditions match; the
-- first by position wins. Targets are minutes; 0 means no target. A NULL
-- calendar means calendar time.
CREATE TABLE sla_policies (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    position               INTEGER NOT NULL DEFAULT 0,
    priority               TEXT NOT NULL DEFAULT '',
    channel                TEXT NOT NULL DEFAULT '',
    vip_only               INTEGER NOT NULL DEFAULT 0,
    team_id                BIGINT REFERENCES teams(id) ON DELETE CASCADE,
    calendar_id            BIGINT REFERENCES calendars(id),
    first_response_minutes INTEGER NOT NULL DEFAULT 0,
    next_response_minutes  INTEGER NOT NULL DEFAULT 0,
    resolution_minutes     INTEGER NOT NULL DEFAULT 0,
    pause_on_pending       INTEGER NOT NULL DEFAULT 1,
    active                 INTEGER NOT NULL DEFAULT 1,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);

-- The running timers of a ticket; a NULL due is a timer not running.
CREATE TABLE ticket_sla (
    ticket_id          BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    policy_id          BIGINT REFERENCES sla_policies(id) ON DELETE SET NULL,
    first_response_due BIGINT,
    next_response_due  BIGINT,
    resolution_due     BIGINT,
    paused_at          BIGINT,
    updated_at         BIGINT NOT NULL
);

-- sla_due_at: the ticket's earliest running deadline, for the inbox.
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
CREATE INDEX tickets_status_sla_due ON tickets (status, sla_due_at, id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    ticket_id  BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_agent ON notifications (agent_id, read_at, id);
