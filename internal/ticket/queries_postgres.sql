-- PostgreSQL overrides of queries.sql.

-- name: next-promises
-- As in queries.sql, reading the ids with jsonb_array_elements_text.
SELECT p.id, p.ticket_id, p.agent_id, p.what, p.due_at, p.status, p.created_at, COALESCE(p.resolved_at, 0), p.cancel_reason
FROM promises p
WHERE p.status = 'open' AND p.ticket_id IN (SELECT value::bigint FROM jsonb_array_elements_text($1::jsonb))
  AND NOT EXISTS (SELECT 1 FROM promises o WHERE o.ticket_id = p.ticket_id AND o.status = 'open'
                  AND (o.due_at < p.due_at OR (o.due_at = p.due_at AND o.id < p.id)))
