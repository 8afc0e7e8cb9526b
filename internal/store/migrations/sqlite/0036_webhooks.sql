-- Outbound webhooks: subscriptions and their deliveries (issue 17).
--
-- events: the event types subscribed to, separated by spaces. secret: the
-- signing key, "whsec_" and base64 (Standard Webhooks). failing: how many
-- deliveries in a row ended failed; at the limit the webhook is switched
-- off with a reason.
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description     TEXT NOT NULL DEFAULT '',
    events          TEXT NOT NULL,
    secret          TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failing         INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- One event sent (or to be sent) to one webhook. message_id is the
-- webhook-id header: the same for every attempt and for a replay, so a
-- receiver can drop what it has already seen.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    message_id      TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    response_code   INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    last_attempt_at BIGINT,
    delivered_at    BIGINT
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
