-- name: tables
SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;

-- name: columns
-- Each column of table $1: name, declared type, position in the primary
-- key (0 when not in it), whether the database numbers it itself.
SELECT name, type, pk, 0 FROM pragma_table_info($1) ORDER BY cid;

-- name: references
SELECT DISTINCT "table" FROM pragma_foreign_key_list($1);
