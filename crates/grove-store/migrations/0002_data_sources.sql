-- Data sources: the containers of indexed documents. Their routes and syncs
-- arrive with the ingestion issue; search validates filters against them.
CREATE TABLE data_sources (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    config         TEXT NOT NULL DEFAULT '{}',  -- JSON
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'processing', 'active', 'failed')),
    sync_frequency TEXT NOT NULL DEFAULT 'manual',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX data_sources_by_org ON data_sources(org_id, created_at, id);
