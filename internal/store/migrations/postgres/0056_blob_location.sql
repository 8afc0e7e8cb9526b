-- Where a blob's bytes live: 'db' in blob_chunks (every blob before this
-- migration), 's3' in the configured bucket under the blob's SHA-256.
-- Both may be in one database: blobs stored before a bucket was set stay
-- readable from the database.
ALTER TABLE blobs ADD COLUMN location TEXT NOT NULL DEFAULT 'db' CHECK (location IN ('db', 's3'));
