-- Compensation within limits (issue 12): the business's kinds of
-- compensation with per-role limits, and the ledger of what was granted,
-- requested and declined. Amounts are integers in the currency's minor
-- unit (cents for EUR); a NULL limit is no limit.

-- One row (id 1): the currency of every amount and how long a request may
-- wait for a manager before managers are notified.
CREATE TABLE compensation_settings (
    id                BIGINT PRIMARY KEY CHECK (id = 1),
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    request_due_hours INTEGER NOT NULL CHECK (request_due_hours > 0),
    updated_at        BIGINT NOT NULL
);
INSERT INTO compensation_settings (id, currency, request_due_hours, updated_at) VALUES (1, 'EUR', 4, 0);

-- A kind of compensation the business offers. kind is what it does (a
-- refund needs an order); name is what the business calls it. A kind that
-- is not monetary (a replacement) has no amount.
CREATE TABLE compensation_kinds (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('refund', 'discount', 'voucher', 'shipping', 'replacement', 'other')),
    name                 TEXT NOT NULL,
    monetary             INTEGER NOT NULL DEFAULT 1,
    active               INTEGER NOT NULL DEFAULT 1,
    position             INTEGER NOT NULL DEFAULT 0,
    agent_ticket_limit   BIGINT CHECK (agent_ticket_limit >= 0),
    agent_month_limit    BIGINT CHECK (agent_month_limit >= 0),
    manager_ticket_limit BIGINT CHECK (manager_ticket_limit >= 0),
    manager_month_limit  BIGINT CHECK (manager_month_limit >= 0),
    admin_ticket_limit   BIGINT CHECK (admin_ticket_limit >= 0),
    admin_month_limit    BIGINT CHECK (admin_month_limit >= 0),
    updated_at           BIGINT NOT NULL
);
INSERT INTO compensation_kinds (kind, name, monetary, position, agent_ticket_limit, agent_month_limit,
    manager_ticket_limit, manager_month_limit, updated_at) VALUES
    ('refund', 'Refund', 1, 1, 5000, 30000, 50000, 300000, 0),
    ('discount', 'Discount code', 1, 2, 2000, 20000, 10000, 100000, 0),
    ('voucher', 'Gift or voucher', 1, 3, 2000, 20000, 10000, 100000, 0),
    ('shipping', 'Free shipping', 1, 4, 1500, 15000, 5000, 50000, 0),
    ('replacement', 'Replacement', 0, 5, NULL, NULL, NULL, NULL, 0),
    ('other', 'Other', 1, 6, 0, 0, 10000, 100000, 0);

-- The ledger: one row per compensation, granted at once within the
-- limits of whoever asked, or requested from a manager who grants or
-- declines it. agent_id is who asked; decided_by the manager.
CREATE TABLE compensations (
    id             INTEGER PRIMARY KEY,
    ticket_id      BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    customer_id    BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind_id        BIGINT NOT NULL REFERENCES compensation_kinds(id),
    amount_minor   BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    reason         TEXT NOT NULL,
    purchase_id    BIGINT REFERENCES purchases(id) ON DELETE SET NULL,
    status         TEXT NOT NULL CHECK (status IN ('granted', 'requested', 'declined')),
    agent_id       BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    decided_by     BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    decline_reason TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    decided_at     BIGINT,
    granted_at     BIGINT
);
CREATE INDEX compensations_ticket ON compensations (ticket_id, id);
CREATE INDEX compensations_agent ON compensations (agent_id, status, granted_at);
CREATE INDEX compensations_status ON compensations (status, created_at);
CREATE INDEX compensations_granted ON compensations (granted_at);
