-- PostgreSQL makes customers.referred_by's foreign key deferrable here, so
-- that an import can load a customer before their referrer. SQLite's
-- import defers every foreign key with PRAGMA defer_foreign_keys; nothing
-- changes in this dialect.
SELECT 1;
