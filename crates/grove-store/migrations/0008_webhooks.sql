-- Outgoing webhooks: endpoints, one delivery per (event, endpoint), and the
-- HTTP attempts of each delivery. The outbox's `delivered_at` now means
-- "fanned out into deliveries".
CREATE TABLE webhooks (
    id                          TEXT PRIMARY KEY,
    org_id                      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    url                         TEXT NOT NULL,
    events                      TEXT NOT NULL,            -- JSON array of names or ["*"]
    enabled                     INTEGER NOT NULL,
    -- Kept in the clear: signing needs the secret itself.
    secret                      TEXT NOT NULL,
    previous_secret             TEXT,
    previous_secret_expires_at  INTEGER,
    disabled_reason             TEXT,                     -- set when a delivery gave up
    consecutive_failures        INTEGER NOT NULL DEFAULT 0,
    last_error                  TEXT,
    last_success_at             INTEGER,
    last_failure_at             INTEGER,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL
) STRICT;
CREATE INDEX webhooks_org ON webhooks (org_id, created_at);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    webhook_id       TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL,
    event            TEXT NOT NULL,
    payload          TEXT NOT NULL,                       -- the exact body sent
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    queue_item_id    TEXT,                                -- the item due to make the next attempt
    resent_from      TEXT,
    error            TEXT,                                -- why it failed without a last attempt's error
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    status_code  INTEGER,
    latency_ms   INTEGER NOT NULL,
    error        TEXT,
    PRIMARY KEY (delivery_id, attempt)
) STRICT;

CREATE INDEX outbox_undelivered ON outbox (seq) WHERE delivered_at IS NULL;
