-- Leader leases for work one replica at a time must do (outbox fan-out,
-- housekeeping, sync scheduling). A lease is a row with a time-to-live and an
-- epoch bumped whenever it changes hands; a leader's writes check the epoch
-- in their own transaction (see ../leader.rs), so a leader that stalled past
-- its lease cannot write after another took over.
CREATE TABLE leader_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    epoch      BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
