-- search_fts.tsv is kept in the table's own rows (compressed) rather than
-- in its TOAST table: ranking a search's matches reads the tsvector of
-- each, and fetching ~1,000 of them from TOAST (an index lookup and a
-- chunk read each) was a third of a help-center search on a common word
-- (docs/PERFORMANCE.md). The title, body and extra columns are moved out
-- first; a tsvector too large to fit still goes out of line.
ALTER TABLE search_fts ALTER COLUMN tsv SET STORAGE MAIN;

-- The help-center documents written before are written again to take the
-- new storage (the tickets' keep theirs until they are next indexed).
UPDATE search_fts SET tsv = tsv || ''::tsvector
WHERE doc_id IN (SELECT id FROM search_docs WHERE kind = 'kb');
