-- Queries of goals, kudos, the leaderboard and the service standard.
-- Times are UTC Unix milliseconds.

-- name: insert-goal
INSERT INTO goals (agent_id, team_id, metric, period, starts_at, ends_at, target, baseline, suggested, note,
    created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id

-- name: delete-goal
DELETE FROM goals WHERE id = $1

-- name: get-goal
SELECT g.id, g.agent_id, g.team_id, COALESCE(a.name, t.name, ''), g.metric, g.period, g.starts_at, g.ends_at,
       g.target, g.baseline, g.suggested, g.note, g.created_by, g.created_at, g.met_at
FROM goals g LEFT JOIN agents a ON a.id = g.agent_id LEFT JOIN teams t ON t.id = g.team_id
WHERE g.id = $1

-- name: recent-goals
SELECT g.id, g.agent_id, g.team_id, COALESCE(a.name, t.name, ''), g.metric, g.period, g.starts_at, g.ends_at,
       g.target, g.baseline, g.suggested, g.note, g.created_by, g.created_at, g.met_at
FROM goals g LEFT JOIN agents a ON a.id = g.agent_id LEFT JOIN teams t ON t.id = g.team_id
WHERE g.ends_at > $1
ORDER BY g.starts_at DESC, lower(COALESCE(a.name, t.name, '')), g.id
LIMIT $2

-- name: agent-goals
-- The agent's own goals and those of their teams.
SELECT g.id, g.agent_id, g.team_id, COALESCE(a.name, t.name, ''), g.metric, g.period, g.starts_at, g.ends_at,
       g.target, g.baseline, g.suggested, g.note, g.created_by, g.created_at, g.met_at
FROM goals g LEFT JOIN agents a ON a.id = g.agent_id LEFT JOIN teams t ON t.id = g.team_id
WHERE (g.agent_id = $1 OR g.team_id IN (SELECT team_id FROM team_members WHERE agent_id = $1))
  AND g.ends_at > $2
ORDER BY g.starts_at DESC, CASE WHEN g.agent_id IS NULL THEN 1 ELSE 0 END, g.id

-- name: open-goals
-- Goals not yet met whose period has begun and ended no earlier than $2.
SELECT g.id, g.agent_id, g.team_id, COALESCE(a.name, t.name, ''), g.metric, g.period, g.starts_at, g.ends_at,
       g.target, g.baseline, g.suggested, g.note, g.created_by, g.created_at, g.met_at
FROM goals g LEFT JOIN agents a ON a.id = g.agent_id LEFT JOIN teams t ON t.id = g.team_id
WHERE g.met_at IS NULL AND g.starts_at <= $1 AND g.ends_at > $2
ORDER BY g.id

-- name: mark-goal-met
UPDATE goals SET met_at = $2, met_value = $3 WHERE id = $1 AND met_at IS NULL

-- name: team-members
SELECT agent_id FROM team_members WHERE team_id = $1 ORDER BY agent_id

-- name: peers
-- Whom an agent's goals are compared with: the agents sharing a team with
-- them, or every active agent when they are in no team.
SELECT m.agent_id FROM team_members m
WHERE m.team_id IN (SELECT team_id FROM team_members WHERE agent_id = $1)
UNION
SELECT a.id FROM agents a
WHERE a.active AND NOT EXISTS (SELECT 1 FROM team_members WHERE agent_id = $1)
UNION
SELECT a.id FROM agents a WHERE a.id = $1
ORDER BY 1
LIMIT 50

-- name: qa-sum
SELECT COUNT(*), COALESCE(SUM(total), 0) FROM qa_reviews WHERE reviewee_id = $1 AND created_at >= $2 AND created_at < $3

-- name: recommitments-confirmed
SELECT COUNT(*) FROM recommitments
WHERE agent_id = $1 AND status = 'confirmed' AND confirmed_at >= $2 AND confirmed_at < $3

-- name: reply-threads
-- The customer messages and public replies, up to $3, of every ticket the
-- agent answered in [$2, $3), in thread order (as the scorecard reads them).
SELECT m.ticket_id, m.kind, COALESCE(m.author_agent_id, 0), m.body_text, m.created_at, t.channel
FROM messages m JOIN tickets t ON t.id = m.ticket_id
WHERE m.ticket_id IN (SELECT r.ticket_id FROM messages r
                      WHERE r.author_agent_id = $1 AND r.kind = 'reply' AND r.created_at >= $2 AND r.created_at < $3)
  AND m.kind IN ('customer', 'reply') AND m.created_at < $3
ORDER BY m.ticket_id, m.created_at, m.id

-- name: insert-kudos
INSERT INTO kudos (kind, agent_id, team_id, from_agent_id, ticket_id, goal_id, message, score, source_key, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (source_key) DO NOTHING

-- name: insert-manual-kudos
INSERT INTO kudos (kind, agent_id, from_agent_id, message, created_at)
VALUES ('manual', $1, $2, $3, $4) RETURNING id

-- name: collect-survey-kudos
-- Positive answers with a comment: CSAT 4–5 or NPS 9–10, and no answer in
-- the same survey that says otherwise.
INSERT INTO kudos (kind, agent_id, ticket_id, message, score, source_key, created_at)
SELECT 'survey', s.agent_id, s.ticket_id, s.comment, s.csat, 'survey:' || CAST(s.id AS TEXT), s.answered_at
FROM surveys s
WHERE s.answered_at IS NOT NULL AND s.agent_id IS NOT NULL AND s.comment <> ''
  AND (s.csat IS NOT NULL OR s.nps IS NOT NULL)
  AND (s.csat IS NULL OR s.csat >= 4) AND (s.nps IS NULL OR s.nps >= 9)
ON CONFLICT (source_key) DO NOTHING

-- name: collect-save-kudos
-- Re-commitments confirmed on tickets whose customer was at risk.
INSERT INTO kudos (kind, agent_id, ticket_id, message, source_key, created_at)
SELECT 'save', r.agent_id, r.ticket_id, r.words, 'save:' || CAST(r.id AS TEXT), r.confirmed_at
FROM recommitments r
WHERE r.status = 'confirmed' AND r.at_risk_at_start AND r.agent_id IS NOT NULL AND r.confirmed_at IS NOT NULL
ON CONFLICT (source_key) DO NOTHING

-- name: list-kudos
SELECT k.id, k.kind, COALESCE(k.agent_id, 0), COALESCE(a.name, ''), COALESCE(k.team_id, 0), COALESCE(t.name, ''),
       COALESCE(k.from_agent_id, 0), COALESCE(f.name, ''), COALESCE(k.ticket_id, 0), COALESCE(k.goal_id, 0),
       COALESCE(g.metric, ''), COALESCE(g.target, 0), COALESCE(g.met_value, 0), k.message, k.score, k.created_at
FROM kudos k
LEFT JOIN agents a ON a.id = k.agent_id
LEFT JOIN teams t ON t.id = k.team_id
LEFT JOIN agents f ON f.id = k.from_agent_id
LEFT JOIN goals g ON g.id = k.goal_id
WHERE (CAST($1 AS BIGINT) = 0 OR k.agent_id = $1 OR k.team_id IN (SELECT team_id FROM team_members WHERE agent_id = $1))
ORDER BY k.created_at DESC, k.id DESC
LIMIT $2

-- name: kudos-counts
-- Kudos per agent since $1, for the team page.
SELECT k.agent_id, COUNT(*) FROM kudos k WHERE k.agent_id IS NOT NULL AND k.created_at >= $1 GROUP BY k.agent_id

-- name: optin
INSERT INTO leaderboard_optins (agent_id, created_at) VALUES ($1, $2) ON CONFLICT (agent_id) DO NOTHING

-- name: optout
DELETE FROM leaderboard_optins WHERE agent_id = $1

-- name: opted-in
SELECT COUNT(*) FROM leaderboard_optins WHERE agent_id = $1

-- name: optins
SELECT o.agent_id, a.name FROM leaderboard_optins o JOIN agents a ON a.id = o.agent_id
WHERE a.active ORDER BY lower(a.name), a.id

-- name: standard-version
SELECT COALESCE(MAX(version), 0) FROM service_standards

-- name: standards
SELECT language, body, version, updated_at, COALESCE(updated_by, 0) FROM service_standards ORDER BY language

-- name: upsert-standard
INSERT INTO service_standards (language, body, version, updated_at, updated_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (language) DO UPDATE SET body = excluded.body, version = excluded.version,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by

-- name: delete-standard
DELETE FROM service_standards WHERE language = $1

-- name: standard-ack
SELECT version FROM service_standard_acks WHERE agent_id = $1

-- name: upsert-standard-ack
INSERT INTO service_standard_acks (agent_id, version, acked_at) VALUES ($1, $2, $3)
ON CONFLICT (agent_id) DO UPDATE SET version = excluded.version, acked_at = excluded.acked_at
