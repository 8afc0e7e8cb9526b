-- Queries of customer surveys and the employee pulse. Times are UTC Unix
-- milliseconds.

-- name: get-setting
SELECT value FROM settings WHERE key = $1

-- name: put-setting
INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at

-- name: lock-customer
SELECT language FROM customers WHERE id = $1

-- name: survey-of-ticket
SELECT id, mailed_at FROM surveys WHERE ticket_id = $1

-- name: surveys-to-customer-since
SELECT count(*) FROM surveys WHERE customer_id = $1 AND sent_at >= $2

-- name: insert-survey
INSERT INTO surveys (ticket_id, customer_id, agent_id, team_id, channel, language, token_hash, sent_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id

-- name: rotate-token
UPDATE surveys SET token_hash = $2, sent_at = $3, expires_at = $4, language = $5 WHERE id = $1 AND mailed_at IS NULL

-- name: delete-survey
DELETE FROM surveys WHERE id = $1 AND mailed_at IS NULL

-- name: mark-mailed
UPDATE surveys SET mailed_at = $2 WHERE id = $1

-- name: survey-by-token
SELECT id, ticket_id, customer_id, agent_id, team_id, channel, language, sent_at, expires_at,
       answered_at, updated_at, csat, nps, speed, wait, feeling, return_intent, comment
FROM surveys WHERE token_hash = $1

-- name: answer-survey
-- Questions not given ($4…$10 NULL) keep their earlier answers; a survey
-- first answered at or before $3 is final and changes nothing.
UPDATE surveys SET
    answered_at = COALESCE(answered_at, $2), updated_at = $2,
    csat = COALESCE($4, csat), nps = COALESCE($5, nps), speed = COALESCE($6, speed),
    wait = COALESCE($7, wait), feeling = COALESCE($8, feeling),
    return_intent = COALESCE($9, return_intent), comment = COALESCE($10, comment)
WHERE id = $1 AND (answered_at IS NULL OR answered_at > $3)

-- name: insert-survey-answer
INSERT INTO survey_answers (survey_id, answered_at, csat, nps, speed, wait, feeling, return_intent, comment)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)

-- name: survey-history
SELECT answered_at, csat, nps, speed, wait, feeling, return_intent, comment
FROM survey_answers WHERE survey_id = $1 ORDER BY answered_at, id

-- name: team-exists
SELECT 1 FROM teams WHERE id = $1

-- name: insert-pulse
INSERT INTO pulses (title, team_id, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id

-- name: add-recipients-all
INSERT INTO pulse_recipients (pulse_id, agent_id)
SELECT CAST($1 AS BIGINT), a.id FROM agents a WHERE a.active AND a.id <> $2

-- name: add-recipients-team
INSERT INTO pulse_recipients (pulse_id, agent_id)
SELECT CAST($1 AS BIGINT), a.id FROM agents a JOIN team_members m ON m.agent_id = a.id
WHERE m.team_id = $3 AND a.active AND a.id <> $2

-- name: get-pulse
SELECT p.id, p.title, p.team_id, COALESCE(t.name, ''), p.created_by, p.created_at, p.closed_at,
       (SELECT count(*) FROM pulse_recipients r WHERE r.pulse_id = p.id),
       (SELECT count(*) FROM pulse_recipients r WHERE r.pulse_id = p.id AND r.answered)
FROM pulses p LEFT JOIN teams t ON t.id = p.team_id
WHERE p.id = $1

-- name: list-pulses
SELECT p.id, p.title, p.team_id, COALESCE(t.name, ''), p.created_by, p.created_at, p.closed_at,
       (SELECT count(*) FROM pulse_recipients r WHERE r.pulse_id = p.id),
       (SELECT count(*) FROM pulse_recipients r WHERE r.pulse_id = p.id AND r.answered)
FROM pulses p LEFT JOIN teams t ON t.id = p.team_id
ORDER BY p.created_at DESC, p.id DESC

-- name: pending-pulse
SELECT p.id FROM pulses p JOIN pulse_recipients r ON r.pulse_id = p.id
WHERE r.agent_id = $1 AND NOT r.answered AND p.closed_at IS NULL
ORDER BY p.id LIMIT 1

-- name: mark-pulse-answered
UPDATE pulse_recipients SET answered = $3
WHERE pulse_id = $1 AND agent_id = $2 AND NOT answered
  AND EXISTS (SELECT 1 FROM pulses p WHERE p.id = $1 AND p.closed_at IS NULL)

-- name: pulse-recipient
SELECT answered FROM pulse_recipients WHERE pulse_id = $1 AND agent_id = $2

-- name: insert-pulse-answer
INSERT INTO pulse_answers (id, pulse_id, equipped, processes, valued, obstacles) VALUES ($1, $2, $3, $4, $5, $6)

-- name: pulse-answers
-- The released answers, ordered by the random ids: an order unrelated to
-- who answered when.
SELECT equipped, processes, valued, obstacles FROM pulse_answers WHERE pulse_id = $1 AND released = $2 ORDER BY id

-- name: lock-pulse
SELECT id FROM pulses WHERE id = $1

-- name: pulse-unreleased
SELECT count(*) FROM pulse_answers WHERE pulse_id = $1 AND released = $2

-- name: release-pulse-answers
UPDATE pulse_answers SET released = $2 WHERE pulse_id = $1 AND released <> $2

-- name: close-pulse
UPDATE pulses SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL
