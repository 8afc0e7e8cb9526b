-- name: lock-customer
-- The customer row, locked until the transaction ends by a change that
-- will write it after locking one of its tickets (the lock order on
-- ticket.Service's run). NO KEY UPDATE, as an UPDATE of the row takes: it
-- does not wait for the KEY SHARE locks of rows inserted with a reference
-- to the customer (its new messages and tickets).
SELECT id FROM customers WHERE id = $1 FOR NO KEY UPDATE
