-- Week rollups: the counters and duration histograms of metric_days and
-- metric_hist summed per week (Monday to Sunday in the business's zone;
-- week = (day + 3) / 7, so week w starts on day 7w - 3). The change hook
-- and the rebuild keep them with the day rows, in the same transaction
-- and from the same contribution, so a whole week read here is exactly
-- its seven days read there. A long period reads its whole weeks here and
-- only its edge days from the day rows.
--
-- weeks_after: the week rows hold the contributions of the tickets up to
-- this id (NULL: of every ticket). A database that had rollups before
-- this migration starts at 0: the background rebuild (metrics.rebuild
-- job) adds the stored contributions a batch at a time and sets it to
-- NULL when done; until then the dashboard reads only the day rows.
CREATE TABLE metric_weeks (
    grain       TEXT NOT NULL CHECK (grain IN ('all', 'agent', 'team', 'channel', 'language', 'full')),
    week        BIGINT NOT NULL,
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
    PRIMARY KEY (grain, week, team_id, agent_id, channel, language)
);

CREATE TABLE metric_week_hist (
    grain    TEXT NOT NULL CHECK (grain IN ('all', 'agent', 'team', 'channel', 'language', 'full')),
    measure  TEXT NOT NULL CHECK (measure IN ('frt', 'frt_biz', 'res', 'res_biz')),
    week     BIGINT NOT NULL,
    team_id  BIGINT NOT NULL DEFAULT 0,
    agent_id BIGINT NOT NULL DEFAULT 0,
    channel  TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT '',
    bucket   BIGINT NOT NULL,
    n        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, measure, week, team_id, agent_id, channel, language, bucket)
);

ALTER TABLE metric_zone ADD COLUMN weeks_after BIGINT;
UPDATE metric_zone SET weeks_after = 0, rebuild_to = (SELECT COALESCE(MAX(id), 0) FROM tickets)
WHERE EXISTS (SELECT 1 FROM metric_facts);

-- The dashboard's referrals (metrics query referrals-any) read the
-- referred customers only; without an index they scanned every customer,
-- the largest single cost of a year's dashboard. The foreign key's
-- ON DELETE SET NULL finds a deleted referrer's customers through it too.
CREATE INDEX customers_referred_by ON customers (referred_by);
