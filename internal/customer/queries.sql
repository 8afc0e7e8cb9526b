-- Queries of customers, their identities and tags. Times are UTC Unix milliseconds.

-- name: insert-customer
INSERT INTO customers (name, language, notes, vip, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5)
RETURNING id

-- name: get-customer
SELECT id, name, language, notes, vip, time_zone, created_at, updated_at FROM customers WHERE id = $1

-- name: set-referrer
UPDATE customers SET referred_by = $2, updated_at = $3 WHERE id = $1

-- name: set-referrer-if-none
-- The first referrer stands: a later link does not take the referral.
UPDATE customers SET referred_by = $2, updated_at = $3 WHERE id = $1 AND referred_by IS NULL

-- name: update-customer
UPDATE customers SET name = $2, language = $3, notes = $4, vip = $5, updated_at = $6, time_zone = $7 WHERE id = $1

-- name: touch-customer
UPDATE customers SET updated_at = $2 WHERE id = $1

-- name: insert-identity
INSERT INTO customer_identities (customer_id, kind, value, created_at) VALUES ($1, $2, $3, $4)
RETURNING id

-- name: identities
SELECT id, kind, value FROM customer_identities WHERE customer_id = $1 ORDER BY id

-- name: delete-identity
DELETE FROM customer_identities WHERE id = $1 AND customer_id = $2

-- name: find-by-identity
SELECT customer_id FROM customer_identities WHERE kind = $1 AND value = $2

-- name: tags
SELECT tag FROM customer_tags WHERE customer_id = $1 ORDER BY tag

-- name: clear-tags
DELETE FROM customer_tags WHERE customer_id = $1

-- name: add-tag
INSERT INTO customer_tags (customer_id, tag) VALUES ($1, $2)

-- name: list-customers
SELECT id, name, language, notes, vip, time_zone, created_at, updated_at, lower(name) FROM customers
WHERE (lower(name) > $1 OR (lower(name) = $1 AND id > $2))
ORDER BY lower(name), id
LIMIT $3

-- name: search-customers
SELECT c.id, c.name, c.language, c.notes, c.vip, c.time_zone, c.created_at, c.updated_at, lower(c.name) FROM customers c
WHERE (lower(c.name) > $1 OR (lower(c.name) = $1 AND c.id > $2))
  AND (lower(c.name) LIKE $4 ESCAPE '\'
       OR EXISTS (SELECT 1 FROM customer_identities i WHERE i.customer_id = c.id AND lower(i.value) LIKE $4 ESCAPE '\'))
ORDER BY lower(c.name), c.id
LIMIT $3

-- name: savepoint-ensure
-- EnsureByIdentityTx creates a customer under a savepoint, to fall back to
-- the customer a concurrent transaction created with the same identity.
SAVEPOINT ensure_customer

-- name: rollback-ensure
ROLLBACK TO SAVEPOINT ensure_customer

-- name: release-ensure
RELEASE SAVEPOINT ensure_customer

-- name: set-customer-language
UPDATE customers SET language = $2, updated_at = $3 WHERE id = $1

-- name: get-referrer
SELECT COALESCE(referred_by, 0) FROM customers WHERE id = $1

-- name: get-referral-code
SELECT COALESCE(referral_code, '') FROM customers WHERE id = $1

-- name: set-referral-code
-- Only when it has none, so that two first views agree on one code.
UPDATE customers SET referral_code = $2 WHERE id = $1 AND referral_code IS NULL

-- name: customer-by-referral-code
SELECT id FROM customers WHERE referral_code = $1
