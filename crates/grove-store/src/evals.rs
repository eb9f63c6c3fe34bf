//! What evals need from persistence: eval sets, runs with their items
//! (each run snapshots its set's questions), item scores written one by
//! one, and the end of a run with its aggregate and `eval.completed` event.

use async_trait::async_trait;
use grove_core::evals::{EvalItem, EvalItemResult, EvalRun, EvalRunStatus, EvalSet, ItemScore};
use grove_core::ids::{AgentId, EvalRunId, EvalSetId, OrgId};
use grove_core::page::Page;

use crate::{Listed, StoreResult};

/// The queue kind of an eval run; its payload is `{"eval_run_id": …}`.
pub const EVAL_RUN_KIND: &str = "eval.run";

/// An eval set as created (validated by the caller).
#[derive(Debug, Clone)]
pub struct NewEvalSet {
    pub name: String,
    pub description: String,
    pub items: Vec<EvalItem>,
}

/// Changes to an eval set: the fields given replace the stored ones, in one
/// statement, so concurrent updates of different fields all land.
#[derive(Debug, Clone, Default)]
pub struct EvalSetPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub items: Option<Vec<EvalItem>>,
}

/// Eval sets and their runs.
#[async_trait]
pub trait EvalStore: Send + Sync {
    async fn create_eval_set(&self, org: &OrgId, new: NewEvalSet) -> StoreResult<EvalSet>;
    /// With its items.
    async fn get_eval_set(&self, org: &OrgId, id: &EvalSetId) -> StoreResult<Option<EvalSet>>;
    /// Oldest first, without items.
    async fn list_eval_sets(&self, org: &OrgId, page: Page) -> StoreResult<Listed<EvalSet>>;
    /// Replaces name, description and items; runs keep their snapshot.
    /// `None` if absent.
    async fn update_eval_set(
        &self,
        org: &OrgId,
        id: &EvalSetId,
        patch: EvalSetPatch,
    ) -> StoreResult<Option<EvalSet>>;
    /// False if absent. Its runs go with it.
    async fn delete_eval_set(&self, org: &OrgId, id: &EvalSetId) -> StoreResult<bool>;

    /// Creates a queued run of the set against `agent` (its record as
    /// `agent_snapshot`), the set's items copied into the run, and the
    /// run's durable queue item (kind `eval.run`), in one transaction.
    /// `None` if the set is absent.
    async fn create_eval_run(
        &self,
        org: &OrgId,
        set: &EvalSetId,
        agent: &AgentId,
        agent_snapshot: serde_json::Value,
    ) -> StoreResult<Option<EvalRun>>;
    async fn get_eval_run(&self, org: &OrgId, id: &EvalRunId) -> StoreResult<Option<EvalRun>>;
    /// A run by id alone, with its queue item id, for the worker.
    async fn eval_run_for_worker(
        &self,
        id: &EvalRunId,
    ) -> StoreResult<Option<(EvalRun, Option<String>)>>;
    /// A run's items in order, scored or not.
    async fn eval_run_items(&self, id: &EvalRunId) -> StoreResult<Vec<EvalItemResult>>;
    /// A set's runs, newest first.
    async fn list_eval_runs(
        &self,
        org: &OrgId,
        set: &EvalSetId,
        page: Page,
    ) -> StoreResult<Listed<EvalRun>>;
    /// Marks a queued or running run running (keeping its first start
    /// time) with the note on answer similarity; `None` if it is over.
    async fn start_eval_run(
        &self,
        id: &EvalRunId,
        similarity_note: Option<String>,
    ) -> StoreResult<Option<EvalRun>>;
    /// Stores an item's score, if the run is running and the item not yet
    /// scored; false otherwise (the run was cancelled or deleted).
    async fn record_eval_item(
        &self,
        id: &EvalRunId,
        position: u32,
        score: ItemScore,
    ) -> StoreResult<bool>;
    /// Ends a queued or running run with `status` (and `error`): its
    /// aggregate over the scored items and the `eval.completed` event, in
    /// one transaction. `None` if it was over already.
    async fn finish_eval_run(
        &self,
        id: &EvalRunId,
        status: EvalRunStatus,
        error: Option<String>,
    ) -> StoreResult<Option<EvalRun>>;
    /// Cancels a queued or running run (as [`Self::finish_eval_run`] does);
    /// a run already over is returned unchanged. `None` if absent.
    async fn cancel_eval_run(&self, org: &OrgId, id: &EvalRunId) -> StoreResult<Option<EvalRun>>;
    /// Fails (with `eval.completed`) unfinished runs whose queue item the
    /// queue gave up on, so none stays running forever; returns how many.
    async fn fail_abandoned_eval_runs(&self) -> StoreResult<u64>;
}
