-- Data keys for sealed credentials (grove-store's `secrets`): each is wrapped
-- by the master key named by `master_id`. The newest key seals new values;
-- `grove secrets rotate --reencrypt` seals everything again under a new key
-- and drops the others.
CREATE TABLE secret_keys (
    id          TEXT PRIMARY KEY,
    wrapped     TEXT NOT NULL,
    master_id   TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
