-- PostgreSQL versions of the metrics queries that differ.

-- name: table-exists
SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1
