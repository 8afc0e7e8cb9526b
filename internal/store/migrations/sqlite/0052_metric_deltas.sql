-- Rollup deltas (internal/metrics, fold.go). A ticket change no longer
-- adds its contribution to the shared rollup rows (today's "all" row is
-- every change's) inside its own transaction, where concurrent changes
-- queued behind each other's row locks until commit. It appends what
-- moved, as its own rows, at the full grain and by day only; a fold,
-- woken after the commit and run periodically, adds them to metric_days,
-- metric_weeks, metric_hist and metric_week_hist at every grain and
-- deletes them, in one transaction.
--
-- weeks is 1 when the change's week rows are kept (the ticket is within
-- metric_zone.weeks_after): the fold then adds the delta to the week of
-- its day too.
CREATE TABLE metric_day_deltas (
    id          INTEGER PRIMARY KEY,
    weeks       INTEGER NOT NULL DEFAULT 0,
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
    referrals   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE metric_hist_deltas (
    id          INTEGER PRIMARY KEY,
    weeks       INTEGER NOT NULL DEFAULT 0,
    measure     TEXT NOT NULL CHECK (measure IN ('frt', 'frt_biz', 'res', 'res_biz')),
    day         BIGINT NOT NULL,
    team_id     BIGINT NOT NULL DEFAULT 0,
    agent_id    BIGINT NOT NULL DEFAULT 0,
    channel     TEXT NOT NULL,
    language    TEXT NOT NULL DEFAULT '',
    bucket      BIGINT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0
);

-- The rollups as the dashboard reads them: the folded rows and the deltas
-- not yet folded, each delta at every grain (the dimensions a grain does
-- not keep are 0 or ''). One statement reads both, so a fold committing
-- meanwhile neither hides nor doubles a change. The deltas are few (a
-- fold runs after every change's commit), and the conditions of a read
-- reach both halves, so the rollups' keys are used as before.
CREATE VIEW metric_days_now AS
SELECT grain, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n,
       frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met,
       referrals
FROM metric_days
UNION ALL
SELECT g.grain, d.day,
       CASE WHEN g.grain IN ('team', 'full') THEN d.team_id ELSE 0 END,
       CASE WHEN g.grain IN ('agent', 'full') THEN d.agent_id ELSE 0 END,
       CASE WHEN g.grain IN ('channel', 'full') THEN d.channel ELSE '' END,
       CASE WHEN g.grain IN ('language', 'full') THEN d.language ELSE '' END,
       d.created, d.complaints, d.responded, d.frt_ms, d.frt_biz_n, d.frt_biz_ms, d.solved, d.res_ms, d.res_biz_n,
       d.res_biz_ms, d.reopened, d.transfers, d.first_owner, d.sla_target, d.sla_met, d.referrals
FROM metric_day_deltas d
CROSS JOIN (SELECT 'all' AS grain UNION ALL SELECT 'agent' UNION ALL SELECT 'team' UNION ALL SELECT 'channel'
            UNION ALL SELECT 'language' UNION ALL SELECT 'full') g;

CREATE VIEW metric_weeks_now AS
SELECT grain, week, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n,
       frt_biz_ms, solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met,
       referrals
FROM metric_weeks
UNION ALL
SELECT g.grain, (d.day + 3) / 7,
       CASE WHEN g.grain IN ('team', 'full') THEN d.team_id ELSE 0 END,
       CASE WHEN g.grain IN ('agent', 'full') THEN d.agent_id ELSE 0 END,
       CASE WHEN g.grain IN ('channel', 'full') THEN d.channel ELSE '' END,
       CASE WHEN g.grain IN ('language', 'full') THEN d.language ELSE '' END,
       d.created, d.complaints, d.responded, d.frt_ms, d.frt_biz_n, d.frt_biz_ms, d.solved, d.res_ms, d.res_biz_n,
       d.res_biz_ms, d.reopened, d.transfers, d.first_owner, d.sla_target, d.sla_met, d.referrals
FROM metric_day_deltas d
CROSS JOIN (SELECT 'all' AS grain UNION ALL SELECT 'agent' UNION ALL SELECT 'team' UNION ALL SELECT 'channel'
            UNION ALL SELECT 'language' UNION ALL SELECT 'full') g
WHERE d.weeks = 1;

CREATE VIEW metric_hist_now AS
SELECT grain, measure, day, team_id, agent_id, channel, language, bucket, n
FROM metric_hist
UNION ALL
SELECT g.grain, d.measure, d.day,
       CASE WHEN g.grain IN ('team', 'full') THEN d.team_id ELSE 0 END,
       CASE WHEN g.grain IN ('agent', 'full') THEN d.agent_id ELSE 0 END,
       CASE WHEN g.grain IN ('channel', 'full') THEN d.channel ELSE '' END,
       CASE WHEN g.grain IN ('language', 'full') THEN d.language ELSE '' END,
       d.bucket, d.n
FROM metric_hist_deltas d
CROSS JOIN (SELECT 'all' AS grain UNION ALL SELECT 'agent' UNION ALL SELECT 'team' UNION ALL SELECT 'channel'
            UNION ALL SELECT 'language' UNION ALL SELECT 'full') g;

CREATE VIEW metric_week_hist_now AS
SELECT grain, measure, week, team_id, agent_id, channel, language, bucket, n
FROM metric_week_hist
UNION ALL
SELECT g.grain, d.measure, (d.day + 3) / 7,
       CASE WHEN g.grain IN ('team', 'full') THEN d.team_id ELSE 0 END,
       CASE WHEN g.grain IN ('agent', 'full') THEN d.agent_id ELSE 0 END,
       CASE WHEN g.grain IN ('channel', 'full') THEN d.channel ELSE '' END,
       CASE WHEN g.grain IN ('language', 'full') THEN d.language ELSE '' END,
       d.bucket, d.n
FROM metric_hist_deltas d
CROSS JOIN (SELECT 'all' AS grain UNION ALL SELECT 'agent' UNION ALL SELECT 'team' UNION ALL SELECT 'channel'
            UNION ALL SELECT 'language' UNION ALL SELECT 'full') g
WHERE d.weeks = 1;
