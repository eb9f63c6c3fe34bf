-- Knowledge agents, their data sources, sessions and interactions.
CREATE TABLE agents (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    slug                 TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    system_prompt        TEXT NOT NULL DEFAULT '',
    rag_strategy         TEXT NOT NULL CHECK (rag_strategy IN ('redwood', 'cedar', 'cypress')),
    model                TEXT NOT NULL,
    temperature          REAL NOT NULL,
    max_tokens           INTEGER NOT NULL,
    similarity_threshold REAL NOT NULL,
    active               INTEGER NOT NULL DEFAULT 1,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (org_id, slug)
);

-- Which data sources an agent searches; deleting a data source drops it
-- from every agent.
CREATE TABLE agent_data_sources (
    agent_id       TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    data_source_id TEXT NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    PRIMARY KEY (agent_id, data_source_id)
);
CREATE INDEX agent_data_sources_source ON agent_data_sources (data_source_id);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    agent_id       TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL
);
CREATE INDEX sessions_last_active ON sessions (last_active_at);

-- Every question and answer. A deleted session leaves its interactions in
-- the log (for analytics), detached from it.
CREATE TABLE interactions (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    agent_id         TEXT NOT NULL,
    session_id       TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    key_id           TEXT,
    query            TEXT NOT NULL,
    response         TEXT NOT NULL,
    sources          TEXT NOT NULL,
    rag_strategy     TEXT NOT NULL,
    model            TEXT NOT NULL,
    retrieval        TEXT NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('answered', 'no_answer', 'cancelled', 'failed')),
    error            TEXT,
    cited            INTEGER NOT NULL,
    latency_ms       INTEGER NOT NULL,
    tokens_input     INTEGER NOT NULL,
    tokens_output    INTEGER NOT NULL,
    cost_usd         REAL NOT NULL,
    feedback         TEXT CHECK (feedback IN ('positive', 'negative')),
    feedback_comment TEXT,
    rating           INTEGER,
    created_at       INTEGER NOT NULL
);
CREATE INDEX interactions_org_created ON interactions (org_id, created_at);
CREATE INDEX interactions_org_agent ON interactions (org_id, agent_id, created_at);
CREATE INDEX interactions_session ON interactions (session_id, created_at);
