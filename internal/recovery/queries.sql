-- Queries of compensation: the business's kinds and limits, the ledger,
-- and what an agent has granted in a month. Times are UTC Unix
-- milliseconds; amounts integers in the currency's minor unit.

-- name: settings
SELECT currency, request_due_hours FROM compensation_settings WHERE id = 1

-- name: save-settings
UPDATE compensation_settings SET currency = $1, request_due_hours = $2, updated_at = $3 WHERE id = 1

-- name: kinds
SELECT id, kind, name, monetary, active, position, agent_ticket_limit, agent_month_limit,
    manager_ticket_limit, manager_month_limit, admin_ticket_limit, admin_month_limit
FROM compensation_kinds ORDER BY position, id

-- name: kind
SELECT id, kind, name, monetary, active, position, agent_ticket_limit, agent_month_limit,
    manager_ticket_limit, manager_month_limit, admin_ticket_limit, admin_month_limit
FROM compensation_kinds WHERE id = $1

-- name: save-kind
UPDATE compensation_kinds SET name = $2, active = $3, agent_ticket_limit = $4, agent_month_limit = $5,
    manager_ticket_limit = $6, manager_month_limit = $7, admin_ticket_limit = $8, admin_month_limit = $9,
    updated_at = $10
WHERE id = $1

-- name: agent-role
SELECT role FROM agents WHERE id = $1 AND active = $2

-- name: customer-purchase
SELECT amount_minor, currency, COALESCE(reference, '') FROM purchases WHERE id = $1 AND customer_id = $2

-- name: ticket-kind-granted
-- What was granted of one kind on one ticket, for its per-ticket limit.
SELECT COALESCE(sum(amount_minor), 0) FROM compensations WHERE ticket_id = $1 AND kind_id = $2 AND status = 'granted'

-- name: agent-kind-granted
-- What an agent granted of one kind in [from, to), for the monthly limit.
SELECT COALESCE(sum(amount_minor), 0) FROM compensations
WHERE agent_id = $1 AND kind_id = $2 AND status = 'granted' AND granted_at >= $3 AND granted_at < $4

-- name: approver-kind-granted
-- What a manager used of their own monthly limit of one kind in [from,
-- to): what they granted themselves and what they approved.
SELECT COALESCE(sum(amount_minor), 0) FROM compensations
WHERE kind_id = $2 AND status = 'granted' AND granted_at >= $3 AND granted_at < $4
  AND (decided_by = $1 OR (agent_id = $1 AND decided_by IS NULL))

-- name: purchase-refunded
SELECT COALESCE(sum(amount_minor), 0) FROM compensations WHERE purchase_id = $1 AND status IN ('granted', 'requested')

-- name: insert-compensation
INSERT INTO compensations (ticket_id, customer_id, kind_id, amount_minor, currency, reason, purchase_id, status,
    agent_id, created_at, granted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING id

-- name: compensation-ticket
SELECT ticket_id FROM compensations WHERE id = $1

-- name: compensation
SELECT c.id, c.ticket_id, c.customer_id, c.kind_id, k.kind, k.name, c.amount_minor, c.currency, c.reason,
    c.purchase_id, COALESCE(p.reference, ''), c.status, c.agent_id, COALESCE(a.name, ''), c.decided_by,
    COALESCE(d.name, ''), c.decline_reason, c.created_at, c.decided_at, c.granted_at, COALESCE(t.subject, '')
FROM compensations c
JOIN compensation_kinds k ON k.id = c.kind_id
JOIN tickets t ON t.id = c.ticket_id
LEFT JOIN purchases p ON p.id = c.purchase_id
LEFT JOIN agents a ON a.id = c.agent_id
LEFT JOIN agents d ON d.id = c.decided_by
WHERE c.id = $1

-- name: decide-compensation
UPDATE compensations SET status = $2, decided_by = $3, decline_reason = $4, decided_at = $5, granted_at = $6
WHERE id = $1 AND status = 'requested'

-- name: ledger
-- The ledger, newest first, filtered: $1 status ('' for all), $2 agent
-- (0 for all), $3 ticket (0 for all), [$4, $5) created.
SELECT c.id, c.ticket_id, c.customer_id, c.kind_id, k.kind, k.name, c.amount_minor, c.currency, c.reason,
    c.purchase_id, COALESCE(p.reference, ''), c.status, c.agent_id, COALESCE(a.name, ''), c.decided_by,
    COALESCE(d.name, ''), c.decline_reason, c.created_at, c.decided_at, c.granted_at, COALESCE(t.subject, '')
FROM compensations c
JOIN compensation_kinds k ON k.id = c.kind_id
JOIN tickets t ON t.id = c.ticket_id
LEFT JOIN purchases p ON p.id = c.purchase_id
LEFT JOIN agents a ON a.id = c.agent_id
LEFT JOIN agents d ON d.id = c.decided_by
WHERE ($1 = '' OR c.status = $1) AND ($2 = 0 OR c.agent_id = $2) AND ($3 = 0 OR c.ticket_id = $3)
    AND c.created_at >= $4 AND c.created_at < $5
ORDER BY c.created_at DESC, c.id DESC
LIMIT $6

-- name: granted-totals
-- Compensation granted in [$1, $2): count, total, and the summed
-- predicted lifetime value of the compensated customers who bought again
-- or re-committed after it.
SELECT count(*), COALESCE(sum(c.amount_minor), 0) FROM compensations c
WHERE c.status = 'granted' AND c.granted_at >= $1 AND c.granted_at < $2

-- name: kept-customers-value
SELECT COALESCE(sum(v.expected_value), 0) FROM customer_values v
WHERE v.customer_id IN (
    SELECT c.customer_id FROM compensations c
    WHERE c.status = 'granted' AND c.granted_at >= $1 AND c.granted_at < $2
      AND (EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.customer_id AND p.purchased_at > c.granted_at)
        OR EXISTS (SELECT 1 FROM recommitments r WHERE r.customer_id = c.customer_id AND r.status = 'confirmed'
                   AND r.confirmed_at > c.granted_at)))

-- name: agent-granted-totals
SELECT count(*), COALESCE(sum(amount_minor), 0) FROM compensations
WHERE agent_id = $1 AND status = 'granted' AND granted_at >= $2 AND granted_at < $3

-- name: managers
SELECT id FROM agents WHERE active = $1 AND role IN ('manager', 'admin') ORDER BY id

-- name: insert-notification
INSERT INTO notifications (agent_id, ticket_id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)

-- name: lock-agent
-- Overridden per dialect (queries_postgres.sql locks the row).
SELECT id FROM agents WHERE id = $1

-- Root causes and prevention.

-- name: insert-cause
INSERT INTO root_causes (category, title, what_happened, prevention, owner_id, due_at, status, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8)
RETURNING id

-- name: cause-for-link
SELECT title, status, done_at FROM root_causes WHERE id = $1

-- name: ticket-cause-link
SELECT id FROM root_cause_tickets WHERE cause_id = $1 AND ticket_id = $2

-- name: insert-cause-link
INSERT INTO root_cause_tickets (cause_id, ticket_id, linked_by, linked_at) VALUES ($1, $2, $3, $4)

-- name: update-cause
UPDATE root_causes SET category = $2, title = $3, what_happened = $4, prevention = $5, owner_id = $6, due_at = $7,
    status = $8, done_at = $9, updated_at = $10
WHERE id = $1

-- name: set-cause-status
UPDATE root_causes SET status = $2, done_at = $3, updated_at = $4 WHERE id = $1

-- name: causes
-- Causes with their tickets, complaints, recurrences (linked after the
-- prevention was done), links in the last 30 days ($1 on) and the 30
-- before ($2 to $1), and the summed predicted lifetime value of their
-- customers; $3 a lower-case LIKE pattern of the title ('' for all).
SELECT c.id, c.category, c.title, c.what_happened, c.prevention, c.owner_id, COALESCE(a.name, ''), c.due_at, c.status,
    c.done_at, c.created_at,
    (SELECT count(*) FROM root_cause_tickets l WHERE l.cause_id = c.id),
    (SELECT count(*) FROM root_cause_tickets l JOIN tickets t ON t.id = l.ticket_id WHERE l.cause_id = c.id AND t.kind = 'complaint'),
    (SELECT count(*) FROM root_cause_tickets l WHERE l.cause_id = c.id AND c.done_at IS NOT NULL AND l.linked_at > c.done_at),
    (SELECT count(*) FROM root_cause_tickets l WHERE l.cause_id = c.id AND l.linked_at >= $1),
    (SELECT count(*) FROM root_cause_tickets l WHERE l.cause_id = c.id AND l.linked_at >= $2 AND l.linked_at < $1),
    (SELECT COALESCE(sum(v.expected_value), 0) FROM customer_values v WHERE v.customer_id IN
        (SELECT t.customer_id FROM root_cause_tickets l JOIN tickets t ON t.id = l.ticket_id WHERE l.cause_id = c.id))
FROM root_causes c LEFT JOIN agents a ON a.id = c.owner_id
WHERE ($3 = '' OR lower(c.title) LIKE $3) AND ($4 = 0 OR c.id = $4)
ORDER BY 12 DESC, c.id DESC
LIMIT $5

-- name: cause-tickets
SELECT l.ticket_id, t.subject, t.kind, l.linked_at, CASE WHEN c.done_at IS NOT NULL AND l.linked_at > c.done_at THEN 1 ELSE 0 END
FROM root_cause_tickets l JOIN tickets t ON t.id = l.ticket_id JOIN root_causes c ON c.id = l.cause_id
WHERE l.cause_id = $1
ORDER BY l.linked_at, l.id

-- name: ticket-causes
SELECT c.id, c.category, c.title, c.status, l.linked_at, CASE WHEN c.done_at IS NOT NULL AND l.linked_at > c.done_at THEN 1 ELSE 0 END
FROM root_cause_tickets l JOIN root_causes c ON c.id = l.cause_id
WHERE l.ticket_id = $1
ORDER BY l.linked_at, l.id

-- name: ticket-words
SELECT t.subject, COALESCE((SELECT m.body_text FROM messages m WHERE m.ticket_id = t.id ORDER BY m.created_at, m.id LIMIT 1), '')
FROM tickets t WHERE t.id = $1

-- name: recent-linked-tickets
-- Tickets created since $1 linked to a cause that ticket $2 is not linked
-- to, with their subject and first message, newest first.
SELECT l.cause_id, t.subject, COALESCE((SELECT m.body_text FROM messages m WHERE m.ticket_id = t.id ORDER BY m.created_at, m.id LIMIT 1), '')
FROM root_cause_tickets l JOIN tickets t ON t.id = l.ticket_id
WHERE t.created_at >= $1 AND l.ticket_id <> $2
    AND l.cause_id NOT IN (SELECT x.cause_id FROM root_cause_tickets x WHERE x.ticket_id = $2)
ORDER BY t.created_at DESC
LIMIT $3

-- name: cause-first-ticket
SELECT COALESCE(min(ticket_id), 0) FROM root_cause_tickets WHERE cause_id = $1
