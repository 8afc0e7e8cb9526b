-- Reply quality: findings agents dismissed in the composer, QA rubrics and
-- the reviews managers make with them.

-- A finding of the reply analyzer that an agent dismissed on a draft, with
-- the reason; kept so that the rules can be improved from real replies.
CREATE TABLE quality_dismissals (
    id         INTEGER PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    sin        TEXT NOT NULL CHECK (sin IN ('apathy', 'brushoff', 'coldness', 'condescension', 'robotism', 'rulebook', 'runaround')),
    rule       TEXT NOT NULL,
    quote      TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL CHECK (reason IN ('false_alarm', 'customer_asked', 'intended', 'other')),
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX quality_dismissals_ticket ON quality_dismissals (ticket_id, agent_id);
CREATE INDEX quality_dismissals_agent ON quality_dismissals (agent_id, created_at);
CREATE INDEX quality_dismissals_created ON quality_dismissals (created_at, id);

-- A rubric: weighted categories, each scored 0-100 or 1-5, and auto-fail
-- items that make a review's total 0. Categories and auto-fail items are
-- JSON lists ([{"key", "name", "weight", "description"}]); a review keeps a
-- copy of what it scored, so editing a rubric never changes old totals.
CREATE TABLE qa_rubrics (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    scale       TEXT NOT NULL DEFAULT 'percent' CHECK (scale IN ('percent', 'five')),
    categories  TEXT NOT NULL,
    auto_fails  TEXT NOT NULL DEFAULT '[]',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One reviewer's review of one agent's work on one ticket. total is the
-- weighted mean of the scores on 0-100, or 0 when an auto-fail item applies.
CREATE TABLE qa_reviews (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    reviewee_id BIGINT NOT NULL REFERENCES agents(id),
    reviewer_id BIGINT NOT NULL REFERENCES agents(id),
    rubric_id   BIGINT NOT NULL REFERENCES qa_rubrics(id),
    scale       TEXT NOT NULL CHECK (scale IN ('percent', 'five')),
    scores      TEXT NOT NULL,
    auto_fails  TEXT NOT NULL DEFAULT '[]',
    comment     TEXT NOT NULL DEFAULT '',
    total       REAL NOT NULL CHECK (total >= 0 AND total <= 100),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (ticket_id, reviewee_id, reviewer_id)
);
CREATE INDEX qa_reviews_reviewee ON qa_reviews (reviewee_id, created_at);
CREATE INDEX qa_reviews_created ON qa_reviews (created_at, id);

-- An agent's public replies by time, for the sin rates of the scorecard.
CREATE INDEX messages_author_kind_created ON messages (author_agent_id, kind, created_at);

-- The rubric every installation starts with; managers edit it freely.
INSERT INTO qa_rubrics (name, description, scale, categories, auto_fails, active, created_at, updated_at)
VALUES ('Service standard',
    'Did the customer feel heard, get a correct answer and an owner who saw it through, in a warm and clear tone?',
    'percent',
    '[{"key":"empathy","name":"Empathy","weight":25,"description":"Acknowledges how the customer feels and what the problem costs them, in their own terms."},{"key":"accuracy","name":"Accuracy","weight":30,"description":"The answer is correct and complete; facts, amounts and dates were checked before being given."},{"key":"ownership","name":"Ownership","weight":25,"description":"Takes the problem on: does what can be done now, says what happens next and when, without sending the customer elsewhere."},{"key":"tone","name":"Tone","weight":20,"description":"Warm, plain and personal: no jargon, no stock phrases, no rules quoted instead of an answer."}]',
    '[{"key":"rude","name":"Rude language","description":"Insults, sarcasm or blaming the customer."},{"key":"wrong_fact","name":"Wrong information given as fact","description":"A false statement presented as certain, such as a wrong date, price or policy."}]',
    1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000);
