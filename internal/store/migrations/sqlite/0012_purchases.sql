-- Purchases, lifetime values and re-commitments (issue 6).
--
-- Amounts are integers in the currency's minor unit (cents for EUR): sums
-- and comparisons are exact in both databases and in Go, which NUMERIC
-- kept as text would not give without parsing every row. The currency's
-- number of decimals comes from Go (loyalty.MinorDigits).

CREATE TABLE purchases (
    id           INTEGER PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    purchased_at BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    -- The item or order reference; NULL when the source gave none. Unique
    -- per customer, so that re-imports and webhook retries add nothing.
    reference    TEXT,
    channel      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    UNIQUE (customer_id, reference)
);
CREATE INDEX purchases_customer_time ON purchases (customer_id, purchased_at);
CREATE INDEX purchases_time ON purchases (purchased_at);

-- One row per customer the lifetime-value refit scored. Times (recency, T)
-- are in days; monetary and expected_value in the main currency's major
-- unit, as the models see them.
CREATE TABLE customer_values (
    customer_id        BIGINT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    currency           TEXT NOT NULL,
    frequency          INTEGER NOT NULL,
    recency            DOUBLE PRECISION NOT NULL,
    t                  DOUBLE PRECISION NOT NULL,
    monetary           DOUBLE PRECISION NOT NULL,
    expected_purchases DOUBLE PRECISION NOT NULL,
    p_alive            DOUBLE PRECISION NOT NULL,
    expected_value     DOUBLE PRECISION NOT NULL,
    horizon_days       INTEGER NOT NULL,
    -- Regular: bought often or much enough lately (see loyalty.RefitOpts);
    -- customers.vip stays the explicit VIP flag.
    regular            INTEGER NOT NULL DEFAULT 0,
    -- Filled by the churn model; NULL until it has scored the customer.
    churn_risk         DOUBLE PRECISION CHECK (churn_risk BETWEEN 0 AND 1),
    churn_reasons      TEXT,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX customer_values_value ON customer_values (expected_value);

-- The fitted models of each refit, newest last: the panel says when the
-- figures were made, and a customer's P(alive) at any past moment can be
-- recomputed from the parameters.
CREATE TABLE clv_fits (
    id             INTEGER PRIMARY KEY,
    fitted_at      BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    customers      INTEGER NOT NULL,
    bg_r           DOUBLE PRECISION NOT NULL,
    bg_alpha       DOUBLE PRECISION NOT NULL,
    bg_a           DOUBLE PRECISION NOT NULL,
    bg_b           DOUBLE PRECISION NOT NULL,
    bg_loglik      DOUBLE PRECISION NOT NULL,
    -- NULL when too few customers bought again to fit spend.
    gg_p           DOUBLE PRECISION,
    gg_q           DOUBLE PRECISION,
    gg_gamma       DOUBLE PRECISION,
    horizon_days   INTEGER NOT NULL
);

CREATE TABLE recommitments (
    id               INTEGER PRIMARY KEY,
    ticket_id        BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    customer_id      BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- Credited: the ticket's owner when it was recorded.
    agent_id         BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    words            TEXT NOT NULL,
    source           TEXT NOT NULL CHECK (source IN ('agent', 'message', 'survey')),
    status           TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'rejected')),
    -- The message or survey that proposed it, for proposals.
    message_id       BIGINT,
    -- The customer's predicted lifetime value at confirmation.
    value            DOUBLE PRECISION NOT NULL DEFAULT 0,
    currency         TEXT NOT NULL DEFAULT '',
    at_risk_at_start INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    confirmed_at     BIGINT,
    decided_by       BIGINT REFERENCES agents(id) ON DELETE SET NULL
);
CREATE INDEX recommitments_ticket ON recommitments (ticket_id);
CREATE INDEX recommitments_customer ON recommitments (customer_id);
CREATE INDEX recommitments_agent_confirmed ON recommitments (agent_id, confirmed_at);
CREATE UNIQUE INDEX recommitments_message ON recommitments (message_id) WHERE message_id IS NOT NULL;
