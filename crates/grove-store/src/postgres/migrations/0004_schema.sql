-- Every table of the embedded store's migrations (../../../migrations/), as
-- they stand after the last one, for PostgreSQL. Times are Unix milliseconds
-- (BIGINT) as in SQLite, so both backends read rows with the same code
-- (../rows.rs); flags are BOOLEAN; JSON stays TEXT, written and read as the
-- embedded store does. The queue's own tables are in 0001.

CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('readonly', 'train', 'configure', 'admin')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Emails are unique per organisation whatever their case (SQLite: NOCASE).
CREATE UNIQUE INDEX users_email ON users (org_id, lower(email));

CREATE INDEX users_by_org ON users(org_id, created_at, id);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id     TEXT REFERENCES users(id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    environment TEXT NOT NULL CHECK (environment IN ('live', 'test')),
    key_hash    TEXT NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,   -- JSON array
    permissions TEXT NOT NULL,   -- JSON array
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);

CREATE INDEX api_keys_by_org ON api_keys(org_id, created_at, id);

CREATE TABLE data_sources (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    config         TEXT NOT NULL DEFAULT '{}',  -- JSON
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'processing', 'active', 'failed')),
    sync_frequency TEXT NOT NULL DEFAULT 'manual',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    chunk_size BIGINT NOT NULL DEFAULT 512,
    chunk_overlap BIGINT NOT NULL DEFAULT 50,
    last_synced_at BIGINT,
    follow_up_sync BOOLEAN NOT NULL DEFAULT FALSE);

CREATE INDEX data_sources_by_org ON data_sources(org_id, created_at, id);

CREATE INDEX data_sources_by_status ON data_sources(org_id, status, created_at, id);

CREATE TABLE syncs (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    data_source_id   TEXT NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    status           TEXT NOT NULL
                     CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    initiator        TEXT NOT NULL,
    documents_total  BIGINT NOT NULL DEFAULT 0,
    documents_done   BIGINT NOT NULL DEFAULT 0,
    documents_failed BIGINT NOT NULL DEFAULT 0,
    chunks_indexed   BIGINT NOT NULL DEFAULT 0,
    error            TEXT,
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT
);

CREATE UNIQUE INDEX syncs_one_active ON syncs(data_source_id)
    WHERE status IN ('queued', 'running');

CREATE INDEX syncs_by_source ON syncs(data_source_id, created_at);

CREATE TABLE sync_errors (
    sync_id  TEXT NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    document TEXT NOT NULL,
    message  TEXT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (sync_id, document)
);

CREATE TABLE outbox (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    org_id       TEXT NOT NULL,
    event        TEXT NOT NULL,
    data         TEXT NOT NULL,   -- JSON
    created_at   BIGINT NOT NULL,
    delivered_at BIGINT
);

CREATE TABLE kb_articles (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    content     TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    status      TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1);

CREATE INDEX kb_articles_org_status ON kb_articles (org_id, status, updated_at);

CREATE TABLE agents (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    slug                 TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    system_prompt        TEXT NOT NULL DEFAULT '',
    rag_strategy         TEXT NOT NULL CHECK (rag_strategy IN ('redwood', 'cedar', 'cypress')),
    model                TEXT NOT NULL,
    temperature          DOUBLE PRECISION NOT NULL,
    max_tokens           BIGINT NOT NULL,
    similarity_threshold DOUBLE PRECISION NOT NULL,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    data_connector_ids TEXT NOT NULL DEFAULT '[]',
    max_steps BIGINT NOT NULL DEFAULT 8,
    components TEXT,
    max_run_tokens BIGINT,
    max_run_cost_usd DOUBLE PRECISION,
    UNIQUE (org_id, slug)
);

CREATE TABLE agent_data_sources (
    agent_id       TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    data_source_id TEXT NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    position       BIGINT NOT NULL,
    PRIMARY KEY (agent_id, data_source_id)
);

CREATE INDEX agent_data_sources_source ON agent_data_sources (data_source_id);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    agent_id       TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at     BIGINT NOT NULL,
    last_active_at BIGINT NOT NULL
);

CREATE INDEX sessions_last_active ON sessions (last_active_at);

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
    cited            BOOLEAN NOT NULL,
    latency_ms       BIGINT NOT NULL,
    tokens_input     BIGINT NOT NULL,
    tokens_output    BIGINT NOT NULL,
    cost_usd         DOUBLE PRECISION NOT NULL,
    feedback         TEXT CHECK (feedback IN ('positive', 'negative')),
    feedback_comment TEXT,
    rating           BIGINT,
    created_at       BIGINT NOT NULL,
    review_status TEXT NOT NULL DEFAULT 'not_reviewed'
    CHECK (review_status IN ('not_reviewed', 'accurate', 'edited', 'inaccurate', 'no_answer')),
    edited_answer TEXT,
    reviewed_at BIGINT,
    kb_article_id TEXT REFERENCES kb_articles(id) ON DELETE SET NULL,
    user_id TEXT);

CREATE INDEX interactions_org_created ON interactions (org_id, created_at);

CREATE INDEX interactions_org_agent ON interactions (org_id, agent_id, created_at);

CREATE INDEX interactions_session ON interactions (session_id, created_at);

CREATE TABLE jobs (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    agent_id            TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    prompt              TEXT NOT NULL,
    parameters          TEXT NOT NULL,
    schedule            TEXT,
    timezone            TEXT NOT NULL,
    schedule_enabled    BOOLEAN NOT NULL,
    parameter_sets      TEXT NOT NULL,
    fan_out_concurrency BIGINT NOT NULL,
    timeout_seconds     BIGINT NOT NULL,
    max_retries         BIGINT NOT NULL,
    retry_delay_seconds BIGINT NOT NULL,
    -- When the schedule fires next; NULL without an enabled schedule.
    next_run_at         BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    queries TEXT NOT NULL DEFAULT '[]');

CREATE INDEX jobs_org_agent ON jobs (org_id, agent_id, created_at);

CREATE INDEX jobs_next_run ON jobs (next_run_at) WHERE next_run_at IS NOT NULL;

CREATE TABLE job_locks (
    job_id   TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    run_id   TEXT NOT NULL,
    chat_id  TEXT
);

CREATE TABLE chats (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    agent_id   TEXT NOT NULL,
    job_id     TEXT,
    run_id     TEXT,
    title      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0);

CREATE INDEX chats_org_created ON chats (org_id, created_at);

CREATE INDEX chats_org_job ON chats (org_id, job_id, created_at);

CREATE INDEX chats_org_agent ON chats (org_id, agent_id, created_at);

CREATE TABLE job_runs (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    job_id        TEXT NOT NULL,
    agent_id      TEXT NOT NULL,
    group_id      TEXT NOT NULL,
    chat_id       TEXT,
    status        TEXT NOT NULL CHECK (status IN
                    ('queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped')),
    initiator     TEXT NOT NULL CHECK (initiator IN ('schedule', 'manual', 'api')),
    parameters    TEXT NOT NULL,
    -- The question as rendered at the trigger.
    prompt        TEXT NOT NULL,
    -- The queue item that carries the run now; any other item of the run
    -- (left by a crash between a retry and its item's completion) is stale.
    queue_item_id TEXT,
    -- Whether the run's queue item exists (fan-outs dispatch up to their
    -- concurrency; each finish dispatches the next).
    dispatched    BOOLEAN NOT NULL DEFAULT FALSE,
    attempts      BIGINT NOT NULL DEFAULT 0,
    max_attempts  BIGINT NOT NULL,
    error         TEXT,
    scheduled_for BIGINT,
    created_at    BIGINT NOT NULL,
    started_at    BIGINT,
    finished_at   BIGINT
);

CREATE INDEX job_runs_job ON job_runs (org_id, job_id, seq);

CREATE INDEX job_runs_group ON job_runs (group_id, status);

CREATE TABLE notification_channels (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'slack', 'teams')),
    config     TEXT NOT NULL,
    min_level  TEXT NOT NULL CHECK (min_level IN ('info', 'warning', 'error')),
    topics     TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE job_channels (
    job_id     TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    PRIMARY KEY (job_id, channel_id)
);

CREATE INDEX job_channels_channel ON job_channels (channel_id);

CREATE TABLE webhooks (
    id                          TEXT PRIMARY KEY,
    org_id                      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    url                         TEXT NOT NULL,
    events                      TEXT NOT NULL,            -- JSON array of names or ["*"]
    enabled                     BOOLEAN NOT NULL,
    -- Kept in the clear: signing needs the secret itself.
    secret                      TEXT NOT NULL,
    previous_secret             TEXT,
    previous_secret_expires_at  BIGINT,
    disabled_reason             TEXT,                     -- set when a delivery gave up
    consecutive_failures        BIGINT NOT NULL DEFAULT 0,
    last_error                  TEXT,
    last_success_at             BIGINT,
    last_failure_at             BIGINT,
    created_at                  BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL
);

CREATE INDEX webhooks_org ON webhooks (org_id, created_at);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    webhook_id       TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL,
    event            TEXT NOT NULL,
    payload          TEXT NOT NULL,                       -- the exact body sent
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,
    queue_item_id    TEXT,                                -- the item due to make the next attempt
    resent_from      TEXT,
    error            TEXT,                                -- why it failed without a last attempt's error
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt      BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    status_code  BIGINT,
    latency_ms   BIGINT NOT NULL,
    error        TEXT,
    PRIMARY KEY (delivery_id, attempt)
);

CREATE INDEX outbox_undelivered ON outbox (seq) WHERE delivered_at IS NULL;

CREATE TABLE kb_article_versions (
    article_id    TEXT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    version       BIGINT NOT NULL,
    title         TEXT NOT NULL,
    content       TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    key_id        TEXT,
    user_id       TEXT,
    restored_from BIGINT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE INDEX interactions_org_review ON interactions (org_id, review_status, created_at);

CREATE TABLE eval_sets (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    -- JSON array of {question, expected_answer, expected_sources}.
    items       TEXT NOT NULL,
    item_count  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX eval_sets_org ON eval_sets (org_id, created_at);

CREATE TABLE eval_runs (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    eval_set_id     TEXT NOT NULL REFERENCES eval_sets(id) ON DELETE CASCADE,
    -- No foreign key: a run outlives its agent.
    agent_id        TEXT NOT NULL,
    status          TEXT NOT NULL
                    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    agent_snapshot  TEXT NOT NULL,
    items_total     BIGINT NOT NULL,
    -- JSON EvalAggregate, written when the run ends.
    aggregate       TEXT,
    similarity_note TEXT,
    error           TEXT,
    queue_item_id   TEXT,
    created_at      BIGINT NOT NULL,
    started_at      BIGINT,
    finished_at     BIGINT
);

CREATE INDEX eval_runs_org_set ON eval_runs (org_id, eval_set_id, created_at);

CREATE TABLE eval_run_items (
    run_id           TEXT NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    position         BIGINT NOT NULL,
    question         TEXT NOT NULL,
    expected_answer  TEXT,
    expected_sources TEXT NOT NULL,
    -- JSON ItemScore; NULL until the item is answered.
    result           TEXT,
    scored_at        BIGINT,
    PRIMARY KEY (run_id, position)
);

CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    data_source_id TEXT NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    source_key     TEXT NOT NULL,   -- URL, file name or connector item id
    title          TEXT NOT NULL,
    url            TEXT,
    content_hash   TEXT,            -- sha256:chunk_size:overlap; null if never read
    chunks         BIGINT NOT NULL DEFAULT 0,
    bytes          BIGINT,         -- raw content size; null if never read
    status         TEXT NOT NULL DEFAULT 'indexed'
                   CHECK (status IN ('indexed', 'failed', 'skipped')),
    error          TEXT,            -- why it failed or was skipped
    indexed_at     BIGINT,         -- when its chunks were last written
    last_sync_id   TEXT,            -- the last sync that saw it
    updated_at     BIGINT NOT NULL,
    UNIQUE (data_source_id, source_key)
);

CREATE TABLE secret_keys (
    id          TEXT PRIMARY KEY,
    wrapped     TEXT NOT NULL,
    master_id   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE notification_deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    channel_id      TEXT NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
    run_id          TEXT,                        -- null for a test message
    event           TEXT NOT NULL,               -- job.run.<status> or test
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dropped')),
    queue_item_id   TEXT,
    error           TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE INDEX notification_deliveries_channel ON notification_deliveries (channel_id, created_at);

CREATE TABLE notification_attempts (
    delivery_id  TEXT NOT NULL REFERENCES notification_deliveries(id) ON DELETE CASCADE,
    attempt      BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    ok           BOOLEAN NOT NULL,
    latency_ms   BIGINT NOT NULL,
    error        TEXT,
    PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE data_connectors (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('postgres', 'mysql', 'sqlite', 'bigquery')),
    config              TEXT NOT NULL,
    allowed_datasets    TEXT NOT NULL,
    allowed_tables      TEXT NOT NULL,
    max_rows            BIGINT NOT NULL,
    timeout_seconds     BIGINT NOT NULL,
    max_cost_usd        DOUBLE PRECISION,
    price_per_tib_usd   DOUBLE PRECISION NOT NULL,
    max_estimated_rows  BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE INDEX data_connectors_org ON data_connectors (org_id, created_at);

CREATE TABLE query_results (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    connector_id    TEXT REFERENCES data_connectors(id) ON DELETE SET NULL,
    sql             TEXT NOT NULL,
    result          TEXT NOT NULL,               -- columns, rows, counts (JSON)
    created_at      BIGINT NOT NULL
);

CREATE INDEX query_results_org ON query_results (org_id, created_at);

CREATE TABLE chat_documents (
    id         TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL,
    chat_id    TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('table', 'chart', 'text', 'report')),
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX chat_documents_chat ON chat_documents (chat_id, seq);

CREATE TABLE chat_messages (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id    TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content    TEXT NOT NULL,
    sources    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    model TEXT);

CREATE INDEX chat_messages_chat ON chat_messages (chat_id, seq);

CREATE TABLE org_settings (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    default_model TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE user_passwords (
    user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE console_sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE INDEX console_sessions_by_user ON console_sessions(user_id);

CREATE TABLE console_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('setup', 'invite', 'reset')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE INDEX documents_by_status ON documents (org_id, data_source_id, status, source_key);

CREATE INDEX documents_by_source_key ON documents (org_id, data_source_id, source_key);
