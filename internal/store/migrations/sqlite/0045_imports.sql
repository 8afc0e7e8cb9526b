-- Imports from other help desks (issue 17): `rapport import zendesk|freshdesk|helpscout`.
--
-- import_runs: one row per import that wrote (a dry run writes none): the
-- source, the folder, when, how it ended, what it brought in (counts,
-- JSON) and what it skipped and why (JSON list).
CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL CHECK (source IN ('zendesk', 'freshdesk', 'helpscout')),
    dir         TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    counts      TEXT NOT NULL DEFAULT '{}',
    skipped     TEXT NOT NULL DEFAULT '[]',
    error       TEXT NOT NULL DEFAULT '',
    started_at  BIGINT NOT NULL,
    finished_at BIGINT
);

-- import_links: the original number of every agent, customer, ticket,
-- message and file brought in, and the row it became. A second import of
-- the same export finds every record here and writes nothing again.
CREATE TABLE import_links (
    source      TEXT NOT NULL CHECK (source IN ('zendesk', 'freshdesk', 'helpscout')),
    kind        TEXT NOT NULL CHECK (kind IN ('agent', 'customer', 'ticket', 'message', 'attachment')),
    external_id TEXT NOT NULL,
    local_id    BIGINT NOT NULL,
    run_id      BIGINT NOT NULL REFERENCES import_runs(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (source, kind, external_id)
);
CREATE INDEX import_links_local ON import_links (kind, local_id);
