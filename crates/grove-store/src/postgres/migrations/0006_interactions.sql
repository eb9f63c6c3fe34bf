-- The order interactions were recorded in, for ties within a millisecond
-- (SQLite orders those by rowid): a session's turns and the log, newest
-- first, come back in the order written.
ALTER TABLE interactions ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;

DROP INDEX interactions_session;

CREATE INDEX interactions_session ON interactions (session_id, created_at, seq);
