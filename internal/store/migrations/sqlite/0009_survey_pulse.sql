-- Survey delivery: when the invitation actually went out. A row whose
-- mail has not gone yet (the send failed, or the process stopped between
-- the two steps) is retried by its job with a fresh token.
ALTER TABLE surveys ADD COLUMN mailed_at BIGINT;

-- Employee pulse: a short anonymous survey managers send to agents about
-- service quality and what gets in their way.
CREATE TABLE pulses (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    team_id    BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    created_by BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    closed_at  BIGINT
);

-- Who was asked and whether they answered: no time, and nothing that
-- joins to pulse_answers, so an answer cannot be traced to its author.
CREATE TABLE pulse_recipients (
    pulse_id BIGINT NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    answered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pulse_id, agent_id)
);
CREATE INDEX pulse_recipients_agent ON pulse_recipients (agent_id, answered);

-- The answers, without author or time. The id is random (made in Go), so
-- that not even the order of rows tells who answered first.
CREATE TABLE pulse_answers (
    id        BIGINT PRIMARY KEY,
    pulse_id  BIGINT NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
    equipped  INTEGER CHECK (equipped BETWEEN 1 AND 5),
    processes INTEGER CHECK (processes BETWEEN 1 AND 5),
    valued    INTEGER CHECK (valued BETWEEN 1 AND 5),
    obstacles TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pulse_answers_pulse ON pulse_answers (pulse_id);
