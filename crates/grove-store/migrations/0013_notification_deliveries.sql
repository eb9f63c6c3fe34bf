-- What became of each notification (`GET …/notification-channels/{id}/deliveries`):
-- a row per notification queued for a channel, written in the transaction
-- that queues its `job.notify` item, and a row per attempt. While pending,
-- the next attempt is the queue item's `run_at`.
CREATE TABLE notification_deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    channel_id      TEXT NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
    run_id          TEXT,                        -- null for a test message
    event           TEXT NOT NULL,               -- job.run.<status> or test
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dropped')),
    queue_item_id   TEXT,
    error           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX notification_deliveries_channel ON notification_deliveries (channel_id, created_at);

CREATE TABLE notification_attempts (
    delivery_id  TEXT NOT NULL REFERENCES notification_deliveries(id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    ok           INTEGER NOT NULL,
    latency_ms   INTEGER NOT NULL,
    error        TEXT,
    PRIMARY KEY (delivery_id, attempt)
) STRICT;
