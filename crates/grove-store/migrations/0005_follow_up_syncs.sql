-- Set when something changed a data source while its sync was running (an
-- upload, a deleted file); finishing that sync then queues another.
ALTER TABLE data_sources ADD COLUMN follow_up_sync INTEGER NOT NULL DEFAULT 0;
