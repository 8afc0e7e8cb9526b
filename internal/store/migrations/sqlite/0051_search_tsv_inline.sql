-- PostgreSQL keeps search_fts.tsv in the table's own rows from here on;
-- SQLite's search_fts is an FTS5 table and nothing changes in this dialect.
SELECT 1;
