-- Greeting facts (internal/metrics, greeting.go): one row per live chat,
-- what its greeting time is read from, kept by the metrics change hook in
-- the change's own transaction, as metric_facts is. The dashboard read
-- every chat of the period from tickets with a subquery per chat for the
-- author of its first reply (0.85–3.8 s at a million tickets); it reads
-- these rows instead, by the index below alone.
--
-- first_at is the ticket's first response (NULL while unanswered),
-- greeter_id the author of its first reply (0 for none), policy_id its
-- SLA policy (0 for none): the greeting target is read from the policy at
-- read time, so that editing a policy moves its chats' targets at once,
-- as before. No foreign keys: like the rollups, these rows are rebuilt
-- from the tickets (metrics.Rebuild, the background rebuild).
CREATE TABLE metric_greetings (
    ticket_id  INTEGER PRIMARY KEY,
    created_at BIGINT NOT NULL,
    first_at   BIGINT,
    team_id    BIGINT NOT NULL DEFAULT 0,
    owner_id   BIGINT NOT NULL DEFAULT 0,
    greeter_id BIGINT NOT NULL DEFAULT 0,
    policy_id  BIGINT NOT NULL DEFAULT 0,
    language   TEXT NOT NULL DEFAULT ''
);

-- A period is a range of this index, every column read from it.
CREATE INDEX metric_greetings_created
    ON metric_greetings (created_at, ticket_id, first_at, team_id, owner_id, greeter_id, policy_id, language);

-- The background fill of the rows of the chats there are: the last chat
-- done (NULL: none running). Until it is finished, the dashboard reads
-- greeting times from the tickets, as before.
ALTER TABLE metric_zone ADD COLUMN greet_after BIGINT;
UPDATE metric_zone SET greet_after = 0 WHERE EXISTS (SELECT 1 FROM tickets WHERE channel = 'chat');
