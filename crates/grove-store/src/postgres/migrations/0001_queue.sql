-- The durable queue (see ../queue.rs). Times are the database's clock, so
-- replicas whose clocks disagree still agree on what is due and expired.
CREATE TABLE queue_items (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    org_id           TEXT,
    kind             TEXT NOT NULL,
    payload          JSONB NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'leased', 'done', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at           TIMESTAMPTZ NOT NULL,
    lease_owner      TEXT,
    -- Bumped on every claim; heartbeats, completions and failures must name it.
    lease_epoch      BIGINT NOT NULL DEFAULT 0,
    lease_expires_at TIMESTAMPTZ,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX queue_items_due ON queue_items (run_at, seq) WHERE status = 'queued';
CREATE INDEX queue_items_leases ON queue_items (lease_expires_at) WHERE status = 'leased';
CREATE INDEX queue_items_owner ON queue_items (lease_owner) WHERE status = 'leased';
