-- SQLite versions of the router's queries.

-- name: any-waiting
-- Without statistics SQLite would walk every new and open ticket by
-- status; the waiting-tickets index holds only the waiting ones.
SELECT 1 FROM tickets t INDEXED BY tickets_waiting_team_language
WHERE COALESCE(t.owner_id, 0) = 0 AND t.status IN ('new', 'open') LIMIT 1
