-- A customer may be referred by a customer with a higher id (the
-- referrer's record was made later). An import of an export loads the
-- customers in id order in one transaction and defers this check to the
-- commit, as SQLite's import does with defer_foreign_keys.
ALTER TABLE customers ALTER CONSTRAINT customers_referred_by_fkey DEFERRABLE INITIALLY IMMEDIATE;
