-- Data connectors: databases analyst agents may query. `config` is JSON
-- whose credential fields (a URL with its password, a service-account key)
-- are sealed; the allow-lists are JSON arrays.
CREATE TABLE data_connectors (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('postgres', 'mysql', 'sqlite', 'bigquery')),
    config              TEXT NOT NULL,
    allowed_datasets    TEXT NOT NULL,
    allowed_tables      TEXT NOT NULL,
    max_rows            INTEGER NOT NULL,
    timeout_seconds     INTEGER NOT NULL,
    max_cost_usd        REAL,
    price_per_tib_usd   REAL NOT NULL,
    max_estimated_rows  INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX data_connectors_org ON data_connectors (org_id, created_at);

-- Query results kept whole under their id, for charts and reports to use.
CREATE TABLE query_results (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    connector_id    TEXT REFERENCES data_connectors(id) ON DELETE SET NULL,
    sql             TEXT NOT NULL,
    result          TEXT NOT NULL,               -- columns, rows, counts (JSON)
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX query_results_org ON query_results (org_id, created_at);

-- Saved queries a job runs before (or instead of) its model (JSON array of
-- {name, connector_id, sql, chart?}).
ALTER TABLE jobs ADD COLUMN queries TEXT NOT NULL DEFAULT '[]';

-- Chat documents gain `report` (rebuilt: SQLite cannot change a CHECK).
CREATE TABLE chat_documents_new (
    id         TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,
    chat_id    TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('table', 'chart', 'text', 'report')),
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO chat_documents_new SELECT id, seq, chat_id, kind, title, content, created_at FROM chat_documents;
DROP TABLE chat_documents;
ALTER TABLE chat_documents_new RENAME TO chat_documents;
CREATE INDEX chat_documents_chat ON chat_documents (chat_id, seq);

-- Agents name the data connectors their tool loop may query (JSON array).
ALTER TABLE agents ADD COLUMN data_connector_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE agents ADD COLUMN max_steps INTEGER NOT NULL DEFAULT 8;

-- Chat messages gain `tool`: each step of a tool-using run (rebuilt: SQLite
-- cannot change a CHECK).
CREATE TABLE chat_messages_new (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content    TEXT NOT NULL,
    sources    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO chat_messages_new SELECT seq, chat_id, role, content, sources, created_at FROM chat_messages;
DROP TABLE chat_messages;
ALTER TABLE chat_messages_new RENAME TO chat_messages;
CREATE INDEX chat_messages_chat ON chat_messages (chat_id, seq);
