-- Model precedence and per-run usage (the data-agents issue): an
-- organisation's default model; agents that set no model of their own
-- (`model = ''`) use it; analyst agents may be split into components with
-- their own models and carry token and cost limits per run; each chat
-- message records the model that wrote it and each chat what its models
-- used.

CREATE TABLE org_settings (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    default_model TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- `extractive` was the default every agent got when it named no model;
-- those agents now follow the organisation's default, which starts as
-- `extractive`, so nothing they answer changes.
UPDATE agents SET model = '' WHERE model = 'extractive';
ALTER TABLE agents ADD COLUMN components TEXT;
ALTER TABLE agents ADD COLUMN max_run_tokens INTEGER;
ALTER TABLE agents ADD COLUMN max_run_cost_usd REAL;

ALTER TABLE chat_messages ADD COLUMN model TEXT;
ALTER TABLE chats ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
