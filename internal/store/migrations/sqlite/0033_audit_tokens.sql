-- The audit log (issue 17): one row per admin or manager action and per
-- security event, append-only. actor_agent_id and actor_token_id are NULL
-- for the system; they carry no foreign key, so that a row outlives what it
-- names. before_json and after_json never hold secrets. Only retention
-- pruning deletes; the trigger refuses every update.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor_agent_id BIGINT,
    actor_token_id BIGINT,
    action         TEXT NOT NULL,
    target_kind    TEXT NOT NULL DEFAULT '',
    target_id      TEXT NOT NULL DEFAULT '',
    before_json    TEXT NOT NULL DEFAULT '',
    after_json     TEXT NOT NULL DEFAULT '',
    addr           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor_agent_id, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- API tokens get scopes (read, write, admin; tokens made before keep all
-- three, their role still limits them), an optional expiry, the address of
-- their last use, and why they were revoked (revoked, deactivated,
-- password_reset).
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read,write,admin';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN revoked_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX api_tokens_agent ON api_tokens (agent_id, id);
