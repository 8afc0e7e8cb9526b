-- Metrics rollups (internal/metrics). The ticket service's change hook keeps
-- them: each ticket's last contribution is kept in metric_facts, and a
-- change retracts it from the rollups and adds the new one, in the same
-- transaction. Days are UTC days since 1970-01-01; team_id and agent_id
-- are 0 for none (no foreign keys: a rollup outlives what it counts).

-- One row per ticket: what it adds to the rollups now.
CREATE TABLE metric_facts (
    ticket_id   BIGINT PRIMARY KEY,
    team_id     BIGINT NOT NULL DEFAULT 0,
    agent_id    BIGINT NOT NULL DEFAULT 0,
    channel     TEXT NOT NULL,
    language    TEXT NOT NULL DEFAULT '',
    created_day BIGINT NOT NULL,
    complaint   INTEGER NOT NULL DEFAULT 0,
    frt_day     BIGINT,            -- day of the first public reply; NULL before it
    frt_ms      BIGINT NOT NULL DEFAULT 0,
    frt_biz_ms  BIGINT,            -- NULL without a business-hours calendar
    solved_day  BIGINT,            -- NULL unless solved or closed after a solve
    res_ms      BIGINT NOT NULL DEFAULT 0,
    res_biz_ms  BIGINT,
    reopened    INTEGER NOT NULL DEFAULT 0,
    transfers   INTEGER NOT NULL DEFAULT 0,
    first_owner INTEGER NOT NULL DEFAULT 0,
    sla_target  INTEGER NOT NULL DEFAULT 0,
    sla_met     INTEGER NOT NULL DEFAULT 0,
    referral    INTEGER NOT NULL DEFAULT 0 -- the first ticket of a referred customer
);

-- Counters per grain x day x team x agent x channel x language. grain is
-- which dimensions a row keeps (all, agent, team, channel, language or
-- full); the others are 0 or ''. Every ticket counts at each grain, so a
-- view with no filter or one reads a few rows a day. Tickets count on
-- the day they were created (created, complaints), first answered
-- (responded, frt_*) and solved (solved and the rest).
CREATE TABLE metric_days (
    grain       TEXT NOT NULL CHECK (grain IN ('all', 'agent', 'team', 'channel', 'language', 'full')),
    day         BIGINT NOT NULL,
    team_id     BIGINT NOT NULL DEFAULT 0,
    agent_id    BIGINT NOT NULL DEFAULT 0,
    channel     TEXT NOT NULL,
    language    TEXT NOT NULL DEFAULT '',
    created     BIGINT NOT NULL DEFAULT 0,
    complaints  BIGINT NOT NULL DEFAULT 0,
    responded   BIGINT NOT NULL DEFAULT 0,
    frt_ms      BIGINT NOT NULL DEFAULT 0,
    frt_biz_n   BIGINT NOT NULL DEFAULT 0,
    frt_biz_ms  BIGINT NOT NULL DEFAULT 0,
    solved      BIGINT NOT NULL DEFAULT 0,
    res_ms      BIGINT NOT NULL DEFAULT 0,
    res_biz_n   BIGINT NOT NULL DEFAULT 0,
    res_biz_ms  BIGINT NOT NULL DEFAULT 0,
    reopened    BIGINT NOT NULL DEFAULT 0,
    transfers   BIGINT NOT NULL DEFAULT 0,
    first_owner BIGINT NOT NULL DEFAULT 0,
    sla_target  BIGINT NOT NULL DEFAULT 0,
    sla_met     BIGINT NOT NULL DEFAULT 0,
    referrals   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, day, team_id, agent_id, channel, language)
);

-- Duration histograms for medians and 90th percentiles: bucket is the
-- duration in milliseconds rounded down to two significant digits of
-- seconds (see internal/metrics/percentile.go). measure is frt, frt_biz,
-- res or res_biz.
CREATE TABLE metric_hist (
    grain    TEXT NOT NULL CHECK (grain IN ('all', 'agent', 'team', 'channel', 'language', 'full')),
    measure  TEXT NOT NULL CHECK (measure IN ('frt', 'frt_biz', 'res', 'res_biz')),
    day      BIGINT NOT NULL,
    team_id  BIGINT NOT NULL DEFAULT 0,
    agent_id BIGINT NOT NULL DEFAULT 0,
    channel  TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT '',
    bucket   BIGINT NOT NULL,
    n        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, measure, day, team_id, agent_id, channel, language, bucket)
);

-- The feedback record lists complaints newest first.
CREATE INDEX tickets_kind_created ON tickets (kind, created_at, id);
-- Promises kept: by when they were resolved.
CREATE INDEX promises_resolved ON promises (resolved_at) WHERE resolved_at IS NOT NULL;
-- Survey response rate, and the answers by day and agent: indexes that
-- hold what the unfiltered dashboard reads.
CREATE INDEX surveys_sent ON surveys (sent_at, answered_at);
CREATE INDEX surveys_answers ON surveys (answered_at, agent_id, csat, nps);
