-- Tenancy, API keys and the durable work queue.
CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    email       TEXT NOT NULL COLLATE NOCASE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('readonly', 'train', 'configure', 'admin')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (org_id, email)
) STRICT;
CREATE INDEX users_by_org ON users(org_id, created_at, id);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id     TEXT REFERENCES users(id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    environment TEXT NOT NULL CHECK (environment IN ('live', 'test')),
    key_hash    TEXT NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,   -- JSON array
    permissions TEXT NOT NULL,   -- JSON array
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX api_keys_by_org ON api_keys(org_id, created_at, id);

-- The durable work queue: syncs, runs, deliveries. `seq` keeps FIFO order
-- among items due at the same time.
CREATE TABLE queue_items (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    org_id           TEXT,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,  -- JSON
    status           TEXT NOT NULL CHECK (status IN ('queued', 'leased', 'done', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    run_at           INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_token      TEXT,
    lease_expires_at INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX queue_due ON queue_items(status, run_at, seq);
CREATE INDEX queue_leases ON queue_items(status, lease_expires_at);
