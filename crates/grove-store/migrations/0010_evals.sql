-- Evals: sets of questions, runs of a set against an agent, and each run's
-- items (the set's questions snapshotted when the run was created, with
-- their scores once answered).
CREATE TABLE eval_sets (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    -- JSON array of {question, expected_answer, expected_sources}.
    items       TEXT NOT NULL,
    item_count  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
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
    items_total     INTEGER NOT NULL,
    -- JSON EvalAggregate, written when the run ends.
    aggregate       TEXT,
    similarity_note TEXT,
    error           TEXT,
    queue_item_id   TEXT,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER
);
CREATE INDEX eval_runs_org_set ON eval_runs (org_id, eval_set_id, created_at);

CREATE TABLE eval_run_items (
    run_id           TEXT NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    question         TEXT NOT NULL,
    expected_answer  TEXT,
    expected_sources TEXT NOT NULL,
    -- JSON ItemScore; NULL until the item is answered.
    result           TEXT,
    scored_at        INTEGER,
    PRIMARY KEY (run_id, position)
);
