-- Ingestion: data source settings, syncs with their progress and per-document
-- errors, the documents a data source holds (with content hashes for
-- incremental re-syncs), and the event outbox.
ALTER TABLE data_sources ADD COLUMN chunk_size INTEGER NOT NULL DEFAULT 512;
ALTER TABLE data_sources ADD COLUMN chunk_overlap INTEGER NOT NULL DEFAULT 50;
ALTER TABLE data_sources ADD COLUMN last_synced_at INTEGER;
CREATE INDEX data_sources_by_status ON data_sources(org_id, status, created_at, id);

CREATE TABLE syncs (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    data_source_id   TEXT NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    status           TEXT NOT NULL
                     CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    initiator        TEXT NOT NULL,
    documents_total  INTEGER NOT NULL DEFAULT 0,
    documents_done   INTEGER NOT NULL DEFAULT 0,
    documents_failed INTEGER NOT NULL DEFAULT 0,
    chunks_indexed   INTEGER NOT NULL DEFAULT 0,
    error            TEXT,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER
) STRICT;
-- One sync per data source at a time, enforced by the database itself.
CREATE UNIQUE INDEX syncs_one_active ON syncs(data_source_id)
    WHERE status IN ('queued', 'running');
CREATE INDEX syncs_by_source ON syncs(data_source_id, created_at);

CREATE TABLE sync_errors (
    sync_id  TEXT NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    document TEXT NOT NULL,
    message  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (sync_id, document)
) STRICT;

CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    data_source_id TEXT NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    source_key     TEXT NOT NULL,   -- URL, file name or connector item id
    title          TEXT NOT NULL,
    url            TEXT,
    content_hash   TEXT NOT NULL,
    chunks         INTEGER NOT NULL,
    last_sync_id   TEXT NOT NULL,   -- the last sync that saw it
    updated_at     INTEGER NOT NULL,
    UNIQUE (data_source_id, source_key)
) STRICT;

-- Events for webhooks, written in the same transaction as what they report.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    org_id       TEXT NOT NULL,
    event        TEXT NOT NULL,
    data         TEXT NOT NULL,   -- JSON
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER
) STRICT;
