-- The console's document list of one data source, ordered by source key,
-- with or without a status filter: counted and paged from these indexes
-- (org_id first, as every query of a tenant's rows filters on it), so a
-- source of 100,000 documents opens without reading its rows
-- (docs/BENCHMARKS.md, "Console pages"). The status index gains org_id so
-- the planner, without statistics, still prefers it when a status is given.
DROP INDEX documents_by_status;
CREATE INDEX documents_by_status ON documents (org_id, data_source_id, status, source_key);
CREATE INDEX documents_by_source_key ON documents (org_id, data_source_id, source_key);
