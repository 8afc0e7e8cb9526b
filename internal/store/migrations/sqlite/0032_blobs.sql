-- Files every node shares: attachments' bytes in the database, in chunks
-- of at most 256 KiB so that no file is ever read or written whole.
-- blobs.sha256 is the content's address (attachments.storage_key); it is
-- indexed, not unique, because two transactions may store the same bytes
-- at once, and either copy serves. A blob's row and its chunks are
-- written in one transaction, so a reader never sees half a file.
CREATE TABLE blobs (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    chunk_size INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX blobs_sha256 ON blobs (sha256);

CREATE TABLE blob_chunks (
    blob_id BIGINT NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

-- A received message larger than 256 KiB is kept as a blob too: raw is
-- then empty and raw_blob names the blob (its SHA-256), so that neither
-- storing nor downloading it passes the whole message through one query.
ALTER TABLE inbound_messages ADD COLUMN raw_blob TEXT NOT NULL DEFAULT '';
