-- The order syncs were created in, so the newest of a data source's syncs
-- is known when two share a millisecond (a sync finishing and queueing
-- its follow-up): the embedded store's rowid does this there.
ALTER TABLE syncs ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;

DROP INDEX syncs_by_source;
CREATE INDEX syncs_by_source ON syncs(data_source_id, created_at, seq);
