-- Queries of SLA calendars, policies and ticket timers. Times are UTC Unix
-- milliseconds.

-- name: insert-calendar
INSERT INTO calendars (name, timezone, week, holidays, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5) RETURNING id

-- name: update-calendar
UPDATE calendars SET name = $2, timezone = $3, week = $4, holidays = $5, updated_at = $6 WHERE id = $1

-- name: get-calendar
SELECT id, name, timezone, week, holidays FROM calendars WHERE id = $1

-- name: list-calendars
SELECT id, name, timezone, week, holidays FROM calendars ORDER BY lower(name), id

-- name: insert-policy
INSERT INTO sla_policies (name, position, priority, channel, vip_only, team_id, calendar_id,
    first_response_minutes, next_response_minutes, resolution_minutes, pause_on_pending, active, created_at, updated_at,
    greeting_seconds, pause_on_snooze)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15) RETURNING id

-- name: update-policy
UPDATE sla_policies SET name = $2, position = $3, priority = $4, channel = $5, vip_only = $6, team_id = $7,
    calendar_id = $8, first_response_minutes = $9, next_response_minutes = $10, resolution_minutes = $11,
    pause_on_pending = $12, active = $13, updated_at = $14, greeting_seconds = $15, pause_on_snooze = $16
WHERE id = $1

-- name: delete-policy
DELETE FROM sla_policies WHERE id = $1

-- name: list-policies
SELECT id, name, position, priority, channel, vip_only, COALESCE(team_id, 0), COALESCE(calendar_id, 0),
       first_response_minutes, next_response_minutes, resolution_minutes, pause_on_pending, active,
       greeting_seconds, pause_on_snooze
FROM sla_policies ORDER BY position, id

-- name: customer-vip
SELECT vip FROM customers WHERE id = $1

-- name: get-state
SELECT COALESCE(policy_id, 0), first_response_due, next_response_due, resolution_due, paused_at, greeting_due
FROM ticket_sla WHERE ticket_id = $1

-- name: upsert-state
INSERT INTO ticket_sla (ticket_id, policy_id, first_response_due, next_response_due, resolution_due, paused_at, updated_at, greeting_due)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id,
    first_response_due = excluded.first_response_due, next_response_due = excluded.next_response_due,
    resolution_due = excluded.resolution_due, paused_at = excluded.paused_at, updated_at = excluded.updated_at,
    greeting_due = excluded.greeting_due

-- name: delete-state
DELETE FROM ticket_sla WHERE ticket_id = $1

-- name: ticket-people
-- The owner and the managers of the ticket's team (or every manager when
-- it has no team), who hear of risks and breaches.
SELECT a.id, a.email, a.name, a.locale FROM agents a
WHERE a.active = $2 AND (
    a.id = (SELECT owner_id FROM tickets WHERE id = $1)
    OR (a.role IN ('manager', 'admin') AND (
        a.id IN (SELECT tm.agent_id FROM team_members tm JOIN tickets t ON t.team_id = tm.team_id WHERE t.id = $1)
        OR (SELECT team_id FROM tickets WHERE id = $1) IS NULL)))

-- name: unread-notifications
SELECT n.id, n.ticket_id, n.kind, n.data, n.created_at, COALESCE(t.subject, '')
FROM notifications n LEFT JOIN tickets t ON t.id = n.ticket_id
WHERE n.agent_id = $1 AND n.read_at IS NULL ORDER BY n.id DESC LIMIT $2

-- name: mark-read
UPDATE notifications SET read_at = $3 WHERE agent_id = $1 AND id <= $2 AND read_at IS NULL
