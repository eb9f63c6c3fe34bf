-- What became of each document, for `GET …/documents`: documents that failed
-- or were skipped get a row too (status and reason), with the raw size and
-- the time the chunks were written.
--
-- SQLite cannot drop NOT NULL in place, so the table is rebuilt:
-- `content_hash` is null for a document never read, `last_sync_id` for one
-- indexed outside a sync (`grove ingest dir`). Nothing references
-- `documents`, so it can be dropped and renamed inside the migration.
CREATE TABLE documents_v2 (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    data_source_id TEXT NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    source_key     TEXT NOT NULL,   -- URL, file name or connector item id
    title          TEXT NOT NULL,
    url            TEXT,
    content_hash   TEXT,            -- sha256:chunk_size:overlap; null if never read
    chunks         INTEGER NOT NULL DEFAULT 0,
    bytes          INTEGER,         -- raw content size; null if never read
    status         TEXT NOT NULL DEFAULT 'indexed'
                   CHECK (status IN ('indexed', 'failed', 'skipped')),
    error          TEXT,            -- why it failed or was skipped
    indexed_at     INTEGER,         -- when its chunks were last written
    last_sync_id   TEXT,            -- the last sync that saw it
    updated_at     INTEGER NOT NULL,
    UNIQUE (data_source_id, source_key)
) STRICT;

INSERT INTO documents_v2 (id, org_id, data_source_id, source_key, title, url, content_hash,
                          chunks, status, indexed_at, last_sync_id, updated_at)
SELECT id, org_id, data_source_id, source_key, title, url, content_hash,
       chunks, 'indexed', updated_at, last_sync_id, updated_at
FROM documents;

DROP TABLE documents;
ALTER TABLE documents_v2 RENAME TO documents;
CREATE INDEX documents_by_status ON documents(data_source_id, status, source_key);
