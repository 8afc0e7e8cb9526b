-- Queries of the ticket service. Parameters are $1, $2 … in both dialects.

-- name: lock-ticket
-- The row a change starts from, locked until the transaction ends.
SELECT id, subject, channel, status, priority, kind, language, customer_id,
       owner_id, team_id, created_at, updated_at, first_response_at, solved_at,
       closed_at, reopen_count, transfer_count, message_count, snoozed_until
FROM tickets WHERE id = $1 FOR UPDATE

-- name: save-ticket
UPDATE tickets SET subject = $2, status = $3, priority = $4, kind = $5, language = $6,
       owner_id = $7, team_id = $8, updated_at = $9, first_response_at = $10,
       solved_at = $11, closed_at = $12, reopen_count = $13, transfer_count = $14,
       message_count = $15, snoozed_until = $16
WHERE id = $1

-- name: insert-ticket
INSERT INTO tickets (subject, channel, status, priority, kind, language, customer_id,
                     owner_id, team_id, created_at, updated_at, message_count, reply_token)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1, $11)
RETURNING id

-- name: insert-message
INSERT INTO messages (ticket_id, kind, author_agent_id, author_customer_id, body_text, body_html, created_at,
                      channel_message_id, inbound_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id

-- name: insert-event
INSERT INTO ticket_events (ticket_id, type, actor_kind, actor_agent_id, data, created_at)
VALUES ($1, $2, $3, $4, $5, $6)

-- name: insert-tag
INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)

-- name: delete-tag
DELETE FROM ticket_tags WHERE ticket_id = $1 AND tag = $2

-- name: ticket-tags
SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag

-- name: tags-of-tickets
-- The ids marker becomes $1, $2 … one per ticket of the page.
SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (/*ids*/) ORDER BY ticket_id, tag

-- name: customer-exists
SELECT 1 FROM customers WHERE id = $1

-- name: team-exists
SELECT 1 FROM teams WHERE id = $1

-- name: agent-status
SELECT active, role FROM agents WHERE id = $1

-- name: may-change-ticket
-- $1 ticket, $2 agent, $3 its owner (0: none), $4 its team (0: none): the
-- agent helps on the ticket, or it has no owner and the agent is of its
-- team (any agent when it has no team).
SELECT 1 FROM ticket_collaborators WHERE ticket_id = $1 AND agent_id = $2
UNION ALL
SELECT 1 WHERE $3 = 0 AND ($4 = 0 OR EXISTS
       (SELECT 1 FROM team_members WHERE team_id = $4 AND agent_id = $2))
LIMIT 1

-- name: get-ticket
SELECT t.id, t.subject, t.channel, t.status, t.priority, t.kind, t.language,
       t.customer_id, c.name,
       COALESCE((SELECT ci.value FROM customer_identities ci
                 WHERE ci.customer_id = t.customer_id AND ci.kind = 'email'
                 ORDER BY ci.id LIMIT 1), ''),
       COALESCE(t.owner_id, 0), COALESCE(a.name, ''), COALESCE(t.team_id, 0), COALESCE(tm.name, ''),
       t.created_at, t.updated_at, t.first_response_at, t.solved_at, t.closed_at,
       t.reopen_count, t.transfer_count, t.message_count, t.sla_due_at, t.snoozed_until
FROM tickets t
JOIN customers c ON c.id = t.customer_id
LEFT JOIN agents a ON a.id = t.owner_id
LEFT JOIN teams tm ON tm.id = t.team_id
WHERE t.id = $1

-- name: list-tickets
-- The page marker becomes the keyset query that picks the page's ids
-- (columns id; r: the priority rank or 0; k: the sort key), the order
-- marker its ORDER BY.
SELECT t.id, t.subject, t.channel, t.status, t.priority, t.kind, t.language,
       t.customer_id, c.name,
       COALESCE((SELECT ci.value FROM customer_identities ci
                 WHERE ci.customer_id = t.customer_id AND ci.kind = 'email'
                 ORDER BY ci.id LIMIT 1), ''),
       COALESCE(t.owner_id, 0), COALESCE(a.name, ''), COALESCE(t.team_id, 0), COALESCE(tm.name, ''),
       t.created_at, t.updated_at, t.first_response_at, t.solved_at, t.closed_at,
       t.reopen_count, t.transfer_count, t.message_count, t.sla_due_at, t.snoozed_until,
       p.r, p.k
FROM (/*page*/) p
JOIN tickets t ON t.id = p.id
JOIN customers c ON c.id = t.customer_id
LEFT JOIN agents a ON a.id = t.owner_id
LEFT JOIN teams tm ON tm.id = t.team_id
ORDER BY /*order*/

-- name: count-filtered
-- The tickets a ranked search's filters keep, text aside, counted up to a
-- bound: the markers become the conditions and the bound's placeholder.
SELECT count(*) FROM (SELECT 1 FROM tickets t WHERE /*conds*/ LIMIT /*limit*/) f

-- name: ticket-exists
SELECT 1 FROM tickets WHERE id = $1

-- name: set-message-recipients
UPDATE messages SET to_address = $2, cc = $3 WHERE id = $1

-- name: get-message
SELECT m.id, m.ticket_id, m.kind, COALESCE(m.author_agent_id, 0), COALESCE(m.author_customer_id, 0),
       COALESCE(a.name, c.name, ''), m.body_text, m.body_html, m.created_at, COALESCE(m.inbound_id, 0),
       m.to_address, m.cc
FROM messages m
LEFT JOIN agents a ON a.id = m.author_agent_id
LEFT JOIN customers c ON c.id = m.author_customer_id
WHERE m.id = $1

-- name: list-messages
SELECT m.id, m.ticket_id, m.kind, COALESCE(m.author_agent_id, 0), COALESCE(m.author_customer_id, 0),
       COALESCE(a.name, c.name, ''), m.body_text, m.body_html, m.created_at, COALESCE(m.inbound_id, 0),
       m.to_address, m.cc
FROM messages m
LEFT JOIN agents a ON a.id = m.author_agent_id
LEFT JOIN customers c ON c.id = m.author_customer_id
WHERE m.ticket_id = $1
ORDER BY m.created_at, m.id

-- name: list-events
SELECT e.id, e.ticket_id, e.type, e.actor_kind, COALESCE(e.actor_agent_id, 0),
       CASE e.actor_kind WHEN 'agent' THEN COALESCE(a.name, '')
                         WHEN 'customer' THEN COALESCE(c.name, '')
                         ELSE '' END,
       e.data, e.created_at
FROM ticket_events e
JOIN tickets t ON t.id = e.ticket_id
LEFT JOIN agents a ON a.id = e.actor_agent_id
LEFT JOIN customers c ON c.id = t.customer_id
WHERE e.ticket_id = $1
-- A timeline: by time, then by writing order. Events are written with the
-- time of their change, so the two agree, except for records made later
-- about an earlier moment (an imported or generated history).
ORDER BY e.created_at, e.id

-- name: reply-token
SELECT COALESCE(reply_token, '') FROM tickets WHERE id = $1

-- name: set-reply-token
UPDATE tickets SET reply_token = $2 WHERE id = $1 AND reply_token IS NULL

-- name: set-sla-due
UPDATE tickets SET sla_due_at = $2 WHERE id = $1

-- name: insert-promise
INSERT INTO promises (ticket_id, agent_id, what, due_at, status, created_at) VALUES ($1, $2, $3, $4, 'open', $5)
RETURNING id

-- name: lock-promise
SELECT id, ticket_id, agent_id, what, due_at, status, created_at, COALESCE(resolved_at, 0), cancel_reason FROM promises WHERE id = $1

-- name: resolve-promise
UPDATE promises SET status = $2, resolved_at = $3 WHERE id = $1 AND status = 'open'

-- name: open-promises-of-ticket
SELECT id, ticket_id, agent_id, what, due_at, status, created_at, COALESCE(resolved_at, 0), cancel_reason FROM promises WHERE ticket_id = $1 AND status = 'open' ORDER BY due_at, id

-- name: promises-of-ticket
SELECT id, ticket_id, agent_id, what, due_at, status, created_at, COALESCE(resolved_at, 0), cancel_reason FROM promises WHERE ticket_id = $1 ORDER BY created_at, id

-- name: cancel-promise
UPDATE promises SET status = 'cancelled', resolved_at = $2, cancel_reason = $3 WHERE id = $1 AND status = 'open'

-- name: next-promises
-- The earliest open promise of each ticket in $1, a JSON array of ticket
-- ids (the inbox page's): one query per page, beside the inbox's own.
SELECT p.id, p.ticket_id, p.agent_id, p.what, p.due_at, p.status, p.created_at, COALESCE(p.resolved_at, 0), p.cancel_reason FROM promises p
WHERE p.status = 'open' AND p.ticket_id IN (SELECT value FROM json_each($1))
  AND NOT EXISTS (SELECT 1 FROM promises o WHERE o.ticket_id = p.ticket_id AND o.status = 'open'
                  AND (o.due_at < p.due_at OR (o.due_at = p.due_at AND o.id < p.id)))

-- name: promise-people
-- Who hears of a broken promise: the ticket's owner (else $2, who made it)
-- and the managers of the ticket's team, or every manager when it has no team.
SELECT a.id FROM agents a
WHERE a.active = TRUE AND (
    a.id = COALESCE((SELECT owner_id FROM tickets WHERE id = $1), $2)
    OR (a.role IN ('manager', 'admin') AND (
        a.id IN (SELECT tm.agent_id FROM team_members tm JOIN tickets t ON t.team_id = tm.team_id WHERE t.id = $1)
        OR (SELECT team_id FROM tickets WHERE id = $1) IS NULL)))
ORDER BY a.id

-- name: insert-notification
INSERT INTO notifications (agent_id, ticket_id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)


-- name: insert-collaborator
INSERT INTO ticket_collaborators (ticket_id, agent_id, added_by, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (ticket_id, agent_id) DO NOTHING

-- name: delete-collaborator
DELETE FROM ticket_collaborators WHERE ticket_id = $1 AND agent_id = $2

-- name: list-collaborators
SELECT c.agent_id, a.name, COALESCE(c.added_by, 0), COALESCE(b.name, ''), c.created_at
FROM ticket_collaborators c
JOIN agents a ON a.id = c.agent_id
LEFT JOIN agents b ON b.id = c.added_by
WHERE c.ticket_id = $1 ORDER BY c.created_at, c.agent_id

-- name: upsert-presence
INSERT INTO ticket_presence (ticket_id, agent_id, state, seen_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (ticket_id, agent_id) DO UPDATE SET state = excluded.state, seen_at = excluded.seen_at

-- name: delete-presence
DELETE FROM ticket_presence WHERE ticket_id = $1 AND agent_id = $2

-- name: sweep-presence
DELETE FROM ticket_presence WHERE seen_at < $1

-- name: list-presence
SELECT p.agent_id, a.name, p.state, p.seen_at
FROM ticket_presence p JOIN agents a ON a.id = p.agent_id
WHERE p.ticket_id = $1 AND p.agent_id <> $2 AND p.seen_at >= $3
ORDER BY p.state DESC, a.name

-- name: delete-unanswered-followups
-- A new follow-up replaces one whose mail never went out.
DELETE FROM followups WHERE ticket_id = $1 AND answered_at IS NULL

-- name: insert-followup
INSERT INTO followups (ticket_id, token_hash, sent_at, expires_at) VALUES ($1, $2, $3, $4)

-- name: followup-by-token
SELECT id, ticket_id, sent_at, expires_at, answered_at, COALESCE(answer, ''), via
FROM followups WHERE token_hash = $1

-- name: latest-followup
SELECT id, ticket_id, sent_at, expires_at, answered_at, COALESCE(answer, ''), via
FROM followups WHERE ticket_id = $1 ORDER BY sent_at DESC, id DESC LIMIT 1

-- name: open-followup
-- The unanswered follow-up of a solved ticket asked since it was solved.
SELECT id FROM followups
WHERE ticket_id = $1 AND answered_at IS NULL AND sent_at >= $2
ORDER BY sent_at DESC, id DESC LIMIT 1

-- name: answer-followup
UPDATE followups SET answered_at = $2, answer = $3, via = $4 WHERE id = $1 AND answered_at IS NULL

-- name: ticket-customer
-- A ticket's customer, which never changes: read before any lock.
SELECT customer_id FROM tickets WHERE id = $1

-- name: followup-decided
-- Whether an agent decided a follow-up answer given at $3 or later.
SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND type = $2 AND created_at >= $3

-- name: followup-unclear-event
-- The data of the event that recorded an unclear answer given at $2 or later.
SELECT data FROM ticket_events WHERE ticket_id = $1 AND type = 'followup_unclear' AND created_at >= $2
ORDER BY id DESC LIMIT 1

-- name: history-latest
-- The latest time of ticket $1's messages and events: an imported
-- ticket's last change.
SELECT coalesce(max(t), 0) FROM (
    SELECT max(created_at) AS t FROM messages WHERE ticket_id = $1
    UNION ALL
    SELECT max(created_at) AS t FROM ticket_events WHERE ticket_id = $1
) latest
