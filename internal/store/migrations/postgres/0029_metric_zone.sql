-- The time zone the metrics rollups count days in: the business's
-- (business.Profile.TimeZone). A day number in metric_facts, metric_days
-- and metric_hist is the number of the calendar day in this zone since
-- 1970-01-01. When the business's zone changes, zone is set to the new one
-- and rebuild_after to 0: a background job then recomputes every ticket's
-- contribution in id order, a small batch per transaction, and stores the
-- last ticket id done in rebuild_after (NULL again when it is finished);
-- rebuild_to is the highest ticket id when it started, for its progress.
-- Rollups written before this migration counted UTC days.
CREATE TABLE metric_zone (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    zone          TEXT NOT NULL,
    rebuild_after BIGINT,
    rebuild_to    BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL
);
INSERT INTO metric_zone (id, zone, rebuild_after, rebuild_to, updated_at) VALUES (1, 'UTC', NULL, 0, 0);
