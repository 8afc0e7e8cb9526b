-- name: tables
SELECT table_name::text FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
ORDER BY table_name;

-- name: columns
-- Each column of table $1: name, type, position in the primary key (0 when
-- not in it), whether it is an identity column.
SELECT a.attname::text, format_type(a.atttypid, a.atttypmod),
       coalesce((SELECT k.n FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(att, n)
                 WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.att = a.attnum), 0),
       CASE WHEN a.attidentity <> '' THEN 1 ELSE 0 END
FROM pg_attribute a
WHERE a.attrelid = to_regclass(quote_ident($1)) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;

-- name: references
SELECT DISTINCT c.confrelid::regclass::text FROM pg_constraint c
WHERE c.contype = 'f' AND c.conrelid = to_regclass(quote_ident($1));
