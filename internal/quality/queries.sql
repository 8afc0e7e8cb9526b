-- Queries of QA reviews: dismissed findings, rubrics, reviews and the
-- per-agent figures of the scorecard. Times are UTC Unix milliseconds.

-- name: insert-dismissal
INSERT INTO quality_dismissals (agent_id, ticket_id, sin, rule, quote, reason, note, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id

-- name: ticket-dismissals
-- What one agent dismissed on one ticket, so the composer stops showing it.
SELECT sin, rule, quote FROM quality_dismissals WHERE ticket_id = $1 AND agent_id = $2

-- name: dismissals-of-ticket
SELECT d.id, d.agent_id, COALESCE(a.name, ''), d.ticket_id, d.sin, d.rule, d.quote, d.reason, d.note, d.created_at
FROM quality_dismissals d LEFT JOIN agents a ON a.id = d.agent_id
WHERE d.ticket_id = $1
ORDER BY d.created_at, d.id

-- name: recent-dismissals
SELECT d.id, d.agent_id, COALESCE(a.name, ''), d.ticket_id, d.sin, d.rule, d.quote, d.reason, d.note, d.created_at
FROM quality_dismissals d LEFT JOIN agents a ON a.id = d.agent_id
ORDER BY d.created_at DESC, d.id DESC LIMIT $1

-- name: dismissals-by-rule
-- How often each rule was dismissed since $1, by reason.
SELECT sin, rule, reason, COUNT(*) FROM quality_dismissals WHERE created_at >= $1
GROUP BY sin, rule, reason ORDER BY sin, rule, reason

-- name: agent-dismissal-times
SELECT created_at FROM quality_dismissals WHERE agent_id = $1 AND created_at >= $2 AND created_at < $3

-- name: ticket-exists
SELECT 1 FROM tickets WHERE id = $1

-- name: insert-rubric
INSERT INTO qa_rubrics (name, description, scale, categories, auto_fails, active, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id

-- name: update-rubric
UPDATE qa_rubrics SET name = $2, description = $3, scale = $4, categories = $5, auto_fails = $6,
    active = $7, updated_at = $8
WHERE id = $1

-- name: get-rubric
SELECT id, name, description, scale, categories, auto_fails, active, created_at, updated_at
FROM qa_rubrics WHERE id = $1

-- name: list-rubrics
SELECT id, name, description, scale, categories, auto_fails, active, created_at, updated_at
FROM qa_rubrics ORDER BY active DESC, lower(name), id

-- name: reviewees
-- Whose work on a ticket can be reviewed: its owner and every agent who
-- replied to the customer, the owner first.
SELECT a.id, a.name FROM agents a
WHERE a.id = (SELECT owner_id FROM tickets WHERE id = $1)
   OR a.id IN (SELECT m.author_agent_id FROM messages m WHERE m.ticket_id = $1 AND m.kind = 'reply')
ORDER BY CASE WHEN a.id = (SELECT owner_id FROM tickets WHERE id = $1) THEN 0 ELSE 1 END, lower(a.name), a.id

-- name: upsert-review
INSERT INTO qa_reviews (ticket_id, reviewee_id, reviewer_id, rubric_id, scale, scores, auto_fails, comment,
    total, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
ON CONFLICT (ticket_id, reviewee_id, reviewer_id) DO UPDATE SET rubric_id = excluded.rubric_id,
    scale = excluded.scale, scores = excluded.scores, auto_fails = excluded.auto_fails,
    comment = excluded.comment, total = excluded.total, updated_at = excluded.updated_at
RETURNING id

-- name: get-review
SELECT r.id, r.ticket_id, t.subject, r.reviewee_id, COALESCE(e.name, ''), r.reviewer_id, COALESCE(v.name, ''),
       r.rubric_id, COALESCE(b.name, ''), r.scale, r.scores, r.auto_fails, r.comment, r.total, r.created_at, r.updated_at
FROM qa_reviews r
JOIN tickets t ON t.id = r.ticket_id
LEFT JOIN agents e ON e.id = r.reviewee_id
LEFT JOIN agents v ON v.id = r.reviewer_id
LEFT JOIN qa_rubrics b ON b.id = r.rubric_id
WHERE r.id = $1

-- name: find-review
SELECT r.id FROM qa_reviews r WHERE r.ticket_id = $1 AND r.reviewee_id = $2 AND r.reviewer_id = $3

-- name: recent-reviews
SELECT r.id, r.ticket_id, t.subject, r.reviewee_id, COALESCE(e.name, ''), r.reviewer_id, COALESCE(v.name, ''),
       r.rubric_id, COALESCE(b.name, ''), r.scale, r.scores, r.auto_fails, r.comment, r.total, r.created_at, r.updated_at
FROM qa_reviews r
JOIN tickets t ON t.id = r.ticket_id
LEFT JOIN agents e ON e.id = r.reviewee_id
LEFT JOIN agents v ON v.id = r.reviewer_id
LEFT JOIN qa_rubrics b ON b.id = r.rubric_id
ORDER BY r.updated_at DESC, r.id DESC LIMIT $1

-- name: ticket-reviews
SELECT r.id, r.ticket_id, t.subject, r.reviewee_id, COALESCE(e.name, ''), r.reviewer_id, COALESCE(v.name, ''),
       r.rubric_id, COALESCE(b.name, ''), r.scale, r.scores, r.auto_fails, r.comment, r.total, r.created_at, r.updated_at
FROM qa_reviews r
JOIN tickets t ON t.id = r.ticket_id
LEFT JOIN agents e ON e.id = r.reviewee_id
LEFT JOIN agents v ON v.id = r.reviewer_id
LEFT JOIN qa_rubrics b ON b.id = r.rubric_id
WHERE r.ticket_id = $1
ORDER BY lower(COALESCE(e.name, '')), r.reviewee_id, r.created_at, r.id

-- name: calibrations
-- Tickets where several reviewers scored the same agent: calibration
-- candidates, the widest disagreement first.
SELECT r.ticket_id, t.subject, r.reviewee_id, COALESCE(e.name, ''), COUNT(*), MAX(r.total) - MIN(r.total),
       MAX(r.updated_at)
FROM qa_reviews r
JOIN tickets t ON t.id = r.ticket_id
LEFT JOIN agents e ON e.id = r.reviewee_id
GROUP BY r.ticket_id, t.subject, r.reviewee_id, e.name
HAVING COUNT(*) >= 2
ORDER BY MAX(r.total) - MIN(r.total) DESC, MAX(r.updated_at) DESC
LIMIT $1

-- name: to-review
-- Recently updated tickets with a public reply and no review yet.
SELECT t.id, t.subject, COALESCE(t.owner_id, 0), COALESCE(a.name, ''), t.status, t.updated_at
FROM tickets t LEFT JOIN agents a ON a.id = t.owner_id
WHERE EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'reply')
  AND NOT EXISTS (SELECT 1 FROM qa_reviews r WHERE r.ticket_id = t.id)
ORDER BY t.updated_at DESC, t.id DESC
LIMIT $1

-- name: reviewee-totals
SELECT total, created_at FROM qa_reviews WHERE reviewee_id = $1 AND created_at >= $2 AND created_at < $3

-- name: reply-threads
-- The customer messages and public replies, up to $3, of every ticket the
-- agent answered in [$2, $3), in thread order: the agent's replies in the
-- period are analysed with the conversation before each, and the ticket's
-- channel (a chat answer is not a letter).
SELECT m.ticket_id, m.kind, COALESCE(m.author_agent_id, 0), m.body_text, m.created_at, t.channel
FROM messages m JOIN tickets t ON t.id = m.ticket_id
WHERE m.ticket_id IN (SELECT r.ticket_id FROM messages r
                      WHERE r.author_agent_id = $1 AND r.kind = 'reply' AND r.created_at >= $2 AND r.created_at < $3)
  AND m.kind IN ('customer', 'reply') AND m.created_at < $3
ORDER BY m.ticket_id, m.created_at, m.id
