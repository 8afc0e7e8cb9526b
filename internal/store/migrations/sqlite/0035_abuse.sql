-- Rate limits that hold across nodes (internal/ratelimit): one row per key
-- (what is limited and for whom, e.g. "survey:203.0.113.7"), counting the
-- hits of the current fixed window; rows past expires_at are pruned.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    hits         INTEGER NOT NULL
);
CREATE INDEX rate_limits_expires ON rate_limits (expires_at);

-- Every answer a customer gave to a survey, kept: the surveys row holds the
-- latest answer of each question (what the metrics read), these rows the
-- history, one per submission, the questions not given NULL.
CREATE TABLE survey_answers (
    id            INTEGER PRIMARY KEY,
    survey_id     BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    answered_at   BIGINT NOT NULL,
    csat          INTEGER CHECK (csat BETWEEN 1 AND 5),
    nps           INTEGER CHECK (nps BETWEEN 0 AND 10),
    speed         INTEGER CHECK (speed BETWEEN 1 AND 5),
    wait          INTEGER CHECK (wait BETWEEN 1 AND 5),
    feeling       INTEGER CHECK (feeling BETWEEN 1 AND 5),
    return_intent TEXT CHECK (return_intent IN ('yes', 'maybe', 'no')),
    comment       TEXT
);
CREATE INDEX survey_answers_survey ON survey_answers (survey_id, answered_at);

-- A pulse's answers are released to its results in steps of at least three
-- (or all when it closes), so that no reload shows one person's answer.
ALTER TABLE pulse_answers ADD COLUMN released INTEGER NOT NULL DEFAULT 0;
UPDATE pulse_answers SET released = 1
WHERE pulse_id IN (SELECT pulse_id FROM pulse_answers GROUP BY pulse_id HAVING count(*) >= 3);
