-- Agent jobs, their runs and the chats runs leave; notification channels.
CREATE TABLE jobs (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    agent_id            TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    prompt              TEXT NOT NULL,
    parameters          TEXT NOT NULL,
    schedule            TEXT,
    timezone            TEXT NOT NULL,
    schedule_enabled    INTEGER NOT NULL,
    parameter_sets      TEXT NOT NULL,
    fan_out_concurrency INTEGER NOT NULL,
    timeout_seconds     INTEGER NOT NULL,
    max_retries         INTEGER NOT NULL,
    retry_delay_seconds INTEGER NOT NULL,
    -- When the schedule fires next; NULL without an enabled schedule.
    next_run_at         INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX jobs_org_agent ON jobs (org_id, agent_id, created_at);
CREATE INDEX jobs_next_run ON jobs (next_run_at) WHERE next_run_at IS NOT NULL;

-- The duplicate guard: one row per job while a trigger's runs are queued or
-- running. Inserting it is how a trigger claims the job.
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
    created_at INTEGER NOT NULL
);
CREATE INDEX chats_org_created ON chats (org_id, created_at);
CREATE INDEX chats_org_job ON chats (org_id, job_id, created_at);
CREATE INDEX chats_org_agent ON chats (org_id, agent_id, created_at);

CREATE TABLE chat_messages (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content    TEXT NOT NULL,
    sources    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX chat_messages_chat ON chat_messages (chat_id, seq);

CREATE TABLE chat_documents (
    id         TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,
    chat_id    TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('table', 'chart', 'text')),
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX chat_documents_chat ON chat_documents (chat_id, seq);

-- Runs stay in the history after their job is deleted.
CREATE TABLE job_runs (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
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
    dispatched    INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    error         TEXT,
    scheduled_for INTEGER,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER
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
    enabled    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE job_channels (
    job_id     TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (job_id, channel_id)
);
CREATE INDEX job_channels_channel ON job_channels (channel_id);
