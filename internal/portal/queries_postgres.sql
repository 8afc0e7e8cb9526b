-- name: lock-customer-tickets
-- Locked after the customer, as a ticket change locks them.
SELECT id FROM tickets WHERE customer_id = $1 ORDER BY id FOR NO KEY UPDATE

-- name: lock-erasure
SELECT e.id, e.customer_id, '', e.status, e.reason, e.requested_at, e.decided_at, e.decided_by
FROM erasure_requests e WHERE e.id = $1 FOR UPDATE

-- name: erase-inbound
UPDATE inbound_messages SET raw = ''::bytea, raw_blob = '', reason = '', sender = 'erased:' || id
WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id = $1)

-- name: erase-inbound-from
UPDATE inbound_messages SET raw = ''::bytea, raw_blob = '', reason = '', sender = 'erased:' || id WHERE sender = $1
