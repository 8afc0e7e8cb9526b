-- Notifications waiting to be mailed: one row per in-app notification of a
-- kind that is mailed, until its recipient's next batch takes it. moment
-- is when what it warns of happened (a deadline passed) or the notice was
-- written, so that long-past warnings are not mailed one by one.
CREATE TABLE notify_pending (
    notification_id BIGINT PRIMARY KEY REFERENCES notifications(id) ON DELETE CASCADE,
    agent_id        BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    moment          BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX notify_pending_agent ON notify_pending (agent_id, notification_id);
