-- Rate limits for the whole deployment: one GCRA state per caller and
-- scope, the theoretical arrival time of the next request (see ../rate.rs).
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat TIMESTAMPTZ NOT NULL
);
