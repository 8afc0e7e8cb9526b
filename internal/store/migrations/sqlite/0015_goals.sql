-- Goals, recognition and the business's own service standard (issue 7).

-- A goal of one agent or one team on one metric over one period. Targets
-- are in the metric's display unit (minutes, per cent, points, counts).
-- baseline is the median of the subject's recent periods when the goal was
-- set (the starting point of its progress bar); NULL when unknown.
CREATE TABLE goals (
    id         INTEGER PRIMARY KEY,
    agent_id   BIGINT REFERENCES agents(id) ON DELETE CASCADE,
    team_id    BIGINT REFERENCES teams(id) ON DELETE CASCADE,
    metric     TEXT NOT NULL CHECK (metric IN ('frt_business', 'frt_calendar', 'csat', 'nps', 'solved',
                   'reopen_rate', 'transfers', 'qa_score', 'sin_rate', 'recommitments')),
    period     TEXT NOT NULL CHECK (period IN ('week', 'month', 'quarter')),
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    target     DOUBLE PRECISION NOT NULL,
    baseline   DOUBLE PRECISION,
    suggested  DOUBLE PRECISION,
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    -- When the goal was found met (kudos recorded), NULL until then.
    met_at     BIGINT,
    met_value  DOUBLE PRECISION,
    CHECK ((agent_id IS NULL) <> (team_id IS NULL)),
    CHECK (ends_at > starts_at)
);
CREATE INDEX goals_agent ON goals (agent_id, starts_at);
CREATE INDEX goals_team ON goals (team_id, starts_at);
CREATE INDEX goals_open ON goals (met_at, ends_at);

-- Recognition on the team page. kind says where it came from; source_key
-- makes collecting it again from surveys, goals and re-commitments add
-- nothing twice (NULL for kudos one agent gives another).
CREATE TABLE kudos (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('survey', 'goal', 'save', 'manual')),
    agent_id      BIGINT REFERENCES agents(id) ON DELETE CASCADE,
    team_id       BIGINT REFERENCES teams(id) ON DELETE CASCADE,
    from_agent_id BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    ticket_id     BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    goal_id       BIGINT REFERENCES goals(id) ON DELETE CASCADE,
    message       TEXT NOT NULL DEFAULT '',
    score         INTEGER,
    source_key    TEXT UNIQUE,
    created_at    BIGINT NOT NULL,
    CHECK (agent_id IS NOT NULL OR team_id IS NOT NULL)
);
CREATE INDEX kudos_created ON kudos (created_at, id);
CREATE INDEX kudos_agent ON kudos (agent_id, created_at);

-- Agents who chose to appear on the leaderboard.
CREATE TABLE leaderboard_optins (
    agent_id   BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

-- The service standard, one text per language. version grows with every
-- change of any language, so that an edit is shown to every agent again.
CREATE TABLE service_standards (
    language   TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES agents(id) ON DELETE SET NULL
);

-- The version of the standard each agent last acknowledged.
CREATE TABLE service_standard_acks (
    agent_id BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    version  BIGINT NOT NULL,
    acked_at BIGINT NOT NULL
);
