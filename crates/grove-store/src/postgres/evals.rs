//! Eval sets and runs on PostgreSQL. A set keeps its items as JSON; a run
//! copies them into `eval_run_items` when it is created (with its queue item,
//! in one transaction), so editing the set never changes a run.
//!
//! Two replicas may work on one run (its queue item re-leased after a
//! replica was thought dead). An item's score is written under a share lock
//! of the run row, only while the run is running and only if the item is
//! still unscored; the run's end takes the run row `FOR UPDATE`, so it waits
//! for scores being written, computes the aggregate over all of them, and a
//! second end (finish, cancel or the abandoned-run sweep) finds the run over
//! and does nothing: one aggregate, one `eval.completed` event.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::evals::{
    EvalAggregate, EvalItem, EvalItemResult, EvalRun, EvalRunStatus, EvalSet, ItemScore,
};
use grove_core::ids::{AgentId, EvalRunId, EvalSetId, OrgId};
use grove_core::page::Page;
use serde_json::json;

use super::outbox::record_event;
use super::queue::insert_item;
use super::{
    delete_in_org, filtered_page, list_in_org, mapped, mapped_opt, now_ms, pg_error, Arg, PgStore,
};
use crate::evals::{EvalSetPatch, EvalStore, NewEvalSet, EVAL_RUN_KIND};
use crate::queue::NewItem;
use crate::rows::evals::{
    abandoned_error, item_from_row, run_for_worker_from_row, run_from_row, set_from_row,
    set_with_items_from_row, ITEM_COLUMNS, RUN_COLUMNS, RUN_ITEM_ATTEMPTS, SET_COLUMNS,
};
use crate::{json_text, Listed, StoreError, StoreResult};

/// A set with its items; `lock` is appended to the query (a row lock).
async fn select_set(
    client: &impl GenericClient,
    org: &OrgId,
    id: &EvalSetId,
    lock: &str,
) -> StoreResult<Option<EvalSet>> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {SET_COLUMNS}, items FROM eval_sets WHERE org_id = $1 AND id = $2 {lock}"
            ),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, set_with_items_from_row)
}

/// A run with its queue item id; `lock` is appended to the query.
async fn select_run(
    client: &impl GenericClient,
    id: &EvalRunId,
    lock: &str,
) -> StoreResult<Option<(EvalRun, Option<String>)>> {
    let row = client
        .query_opt(
            &format!("SELECT {RUN_COLUMNS} FROM eval_runs WHERE id = $1 {lock}"),
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, run_for_worker_from_row)
}

async fn select_items(
    client: &impl GenericClient,
    id: &EvalRunId,
) -> StoreResult<Vec<EvalItemResult>> {
    let rows = client
        .query(
            &format!(
                "SELECT {ITEM_COLUMNS} FROM eval_run_items WHERE run_id = $1 ORDER BY position"
            ),
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped(rows, item_from_row)
}

/// Copies `items` into run `id`, in one statement.
async fn insert_run_items(
    client: &impl GenericClient,
    id: &EvalRunId,
    items: &[EvalItem],
) -> StoreResult<()> {
    let positions: Vec<i64> = (0..items.len() as i64).collect();
    let questions: Vec<&str> = items.iter().map(|i| i.question.as_str()).collect();
    let answers: Vec<Option<&str>> = items.iter().map(|i| i.expected_answer.as_deref()).collect();
    let sources = items
        .iter()
        .map(|i| json_text(&i.expected_sources))
        .collect::<StoreResult<Vec<_>>>()?;
    client
        .execute(
            "INSERT INTO eval_run_items (run_id, position, question, expected_answer,
                                         expected_sources)
             SELECT $1, * FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[])",
            &[&id.as_str(), &positions, &questions, &answers, &sources],
        )
        .await
        .map_err(pg_error)?;
    Ok(())
}

/// Ends run `run` — read under `FOR UPDATE` in this transaction — if it is
/// queued or running: status, error, the aggregate over its scored items and
/// the `eval.completed` event. `None` if it was over.
async fn end_locked_run(
    tx: &impl GenericClient,
    run: &EvalRun,
    status: EvalRunStatus,
    error: Option<&str>,
) -> StoreResult<Option<EvalRun>> {
    if run.status.is_terminal() {
        return Ok(None);
    }
    let aggregate = EvalAggregate::of(&select_items(tx, &run.id).await?);
    let ended = tx
        .query_opt(
            &format!(
                "UPDATE eval_runs SET status = $2, error = $3, aggregate = $4, finished_at = $5
                 WHERE id = $1 AND status IN ('queued', 'running') RETURNING {RUN_COLUMNS}"
            ),
            &[
                &run.id.as_str(),
                &status.as_str(),
                &error,
                &json_text(&aggregate)?,
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
    let Some(ended) = mapped_opt(ended, run_from_row)? else {
        return Ok(None);
    };
    let data = json!({
        "eval_run_id": run.id,
        "eval_set_id": run.eval_set_id,
        "agent_id": run.agent_id,
        "status": status.as_str(),
        "aggregate": aggregate,
    });
    record_event(tx, run.org_id.as_str(), "eval.completed", data).await?;
    Ok(Some(ended))
}

/// Locks run `id` and ends it as [`end_locked_run`] does.
async fn end_run(
    tx: &impl GenericClient,
    id: &EvalRunId,
    status: EvalRunStatus,
    error: Option<&str>,
) -> StoreResult<Option<EvalRun>> {
    match select_run(tx, id, "FOR UPDATE").await? {
        Some((run, _)) => end_locked_run(tx, &run, status, error).await,
        None => Ok(None),
    }
}

#[async_trait]
impl EvalStore for PgStore {
    async fn create_eval_set(&self, org: &OrgId, new: NewEvalSet) -> StoreResult<EvalSet> {
        let id = EvalSetId::generate();
        let row = self
            .client()
            .await?
            .query_one(
                &format!(
                    "INSERT INTO eval_sets (id, org_id, name, description, items, item_count,
                                            created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {SET_COLUMNS}, items"
                ),
                &[
                    &id.as_str(),
                    &org.as_str(),
                    &new.name,
                    &new.description,
                    &json_text(&new.items)?,
                    &(new.items.len() as i64),
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        Ok(set_with_items_from_row(&row)?)
    }

    async fn get_eval_set(&self, org: &OrgId, id: &EvalSetId) -> StoreResult<Option<EvalSet>> {
        select_set(&self.client().await?, org, id, "").await
    }

    async fn list_eval_sets(&self, org: &OrgId, page: Page) -> StoreResult<Listed<EvalSet>> {
        let client = self.client().await?;
        list_in_org(&client, "eval_sets", SET_COLUMNS, org, None, page, |r| {
            set_from_row(r)
        })
        .await
    }

    async fn update_eval_set(
        &self,
        org: &OrgId,
        id: &EvalSetId,
        patch: EvalSetPatch,
    ) -> StoreResult<Option<EvalSet>> {
        let items = patch.items.as_deref().map(json_text).transpose()?;
        let count = patch.items.as_ref().map(|items| items.len() as i64);
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "UPDATE eval_sets SET name = COALESCE($3, name),
                         description = COALESCE($4, description), items = COALESCE($5, items),
                         item_count = COALESCE($6, item_count), updated_at = $7
                     WHERE org_id = $1 AND id = $2 RETURNING {SET_COLUMNS}, items"
                ),
                &[
                    &org.as_str(),
                    &id.as_str(),
                    &patch.name,
                    &patch.description,
                    &items,
                    &count,
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, set_with_items_from_row)
    }

    async fn delete_eval_set(&self, org: &OrgId, id: &EvalSetId) -> StoreResult<bool> {
        delete_in_org(self, "eval_sets", org, id.as_str()).await
    }

    async fn create_eval_run(
        &self,
        org: &OrgId,
        set: &EvalSetId,
        agent: &AgentId,
        agent_snapshot: serde_json::Value,
    ) -> StoreResult<Option<EvalRun>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // Held until commit: a set deleted meanwhile takes the run with it.
        let Some(found) = select_set(&tx, org, set, "FOR KEY SHARE").await? else {
            return Ok(None);
        };
        let items = found.items.unwrap_or_default();
        let id = EvalRunId::generate();
        let mut item = NewItem::new(EVAL_RUN_KIND, json!({ "eval_run_id": id }));
        item.org_id = Some(org.clone());
        item.max_attempts = Some(RUN_ITEM_ATTEMPTS);
        let queue_item = insert_item(&tx, &item).await?;
        tx.execute(
            "INSERT INTO eval_runs (id, org_id, eval_set_id, agent_id, status, agent_snapshot,
                                    items_total, queue_item_id, created_at)
             VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8)",
            &[
                &id.as_str(),
                &org.as_str(),
                &set.as_str(),
                &agent.as_str(),
                &agent_snapshot.to_string(),
                &(items.len() as i64),
                &queue_item.as_str(),
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
        insert_run_items(&tx, &id, &items).await?;
        let run = select_run(&tx, &id, "").await?.map(|(run, _)| run);
        tx.commit().await.map_err(pg_error)?;
        Ok(run)
    }

    async fn get_eval_run(&self, org: &OrgId, id: &EvalRunId) -> StoreResult<Option<EvalRun>> {
        Ok(select_run(&self.client().await?, id, "")
            .await?
            .map(|(run, _)| run)
            .filter(|run| run.org_id == *org))
    }

    async fn eval_run_for_worker(
        &self,
        id: &EvalRunId,
    ) -> StoreResult<Option<(EvalRun, Option<String>)>> {
        select_run(&self.client().await?, id, "").await
    }

    async fn eval_run_items(&self, id: &EvalRunId) -> StoreResult<Vec<EvalItemResult>> {
        select_items(&self.client().await?, id).await
    }

    async fn list_eval_runs(
        &self,
        org: &OrgId,
        set: &EvalSetId,
        page: Page,
    ) -> StoreResult<Listed<EvalRun>> {
        let args: Vec<Arg> = vec![
            Box::new(org.as_str().to_owned()),
            Box::new(set.as_str().to_owned()),
        ];
        let client = self.client().await?;
        filtered_page(
            &client,
            "eval_runs",
            RUN_COLUMNS,
            "org_id = $1 AND eval_set_id = $2",
            args,
            "created_at DESC, id DESC",
            page,
            run_from_row,
        )
        .await
    }

    async fn start_eval_run(
        &self,
        id: &EvalRunId,
        similarity_note: Option<String>,
    ) -> StoreResult<Option<EvalRun>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "UPDATE eval_runs SET status = 'running', similarity_note = $3,
                            started_at = COALESCE(started_at, $2)
                     WHERE id = $1 AND status IN ('queued', 'running') RETURNING {RUN_COLUMNS}"
                ),
                &[&id.as_str(), &now_ms(), &similarity_note],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, run_from_row)
    }

    async fn record_eval_item(
        &self,
        id: &EvalRunId,
        position: u32,
        score: ItemScore,
    ) -> StoreResult<bool> {
        let result = json_text(&score)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // Shared with other scores, exclusive of the run's end: a run that
        // ended meanwhile is seen over, and an end waits for this score.
        let running = tx
            .query_opt(
                "SELECT 1 FROM eval_runs WHERE id = $1 AND status = 'running' FOR SHARE",
                &[&id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        if running.is_none() {
            return Ok(false);
        }
        // A second writer of the same item waits for the first, then finds
        // it scored.
        let written = tx
            .execute(
                "UPDATE eval_run_items SET result = $3, scored_at = $4
                 WHERE run_id = $1 AND position = $2 AND scored_at IS NULL",
                &[&id.as_str(), &i64::from(position), &result, &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)?;
        Ok(written > 0)
    }

    async fn finish_eval_run(
        &self,
        id: &EvalRunId,
        status: EvalRunStatus,
        error: Option<String>,
    ) -> StoreResult<Option<EvalRun>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let ended = end_run(&tx, id, status, error.as_deref()).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(ended)
    }

    async fn cancel_eval_run(&self, org: &OrgId, id: &EvalRunId) -> StoreResult<Option<EvalRun>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let Some((run, _)) = select_run(&tx, id, "FOR UPDATE").await? else {
            return Ok(None);
        };
        if run.org_id != *org {
            return Ok(None);
        }
        let ended = end_locked_run(&tx, &run, EvalRunStatus::Cancelled, None).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(Some(ended.unwrap_or(run)))
    }

    async fn fail_abandoned_eval_runs(&self) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // Runs another replica is ending (or scoring) are skipped: the next
        // sweep sees them again if they are still unfinished.
        let abandoned = tx
            .query(
                "SELECT r.id, q.last_error FROM eval_runs r
                 JOIN queue_items q ON q.id = r.queue_item_id
                 WHERE r.status IN ('queued', 'running') AND q.status = 'dead'
                 ORDER BY r.id FOR UPDATE OF r SKIP LOCKED",
                &[],
            )
            .await
            .map_err(pg_error)?;
        let mut failed = 0;
        for row in abandoned {
            let id: String = row.try_get(0).map_err(pg_error)?;
            let id = EvalRunId::parse(&id).map_err(|e| StoreError::Backend(e.to_string()))?;
            let last_error: Option<String> = row.try_get(1).map_err(pg_error)?;
            let error = abandoned_error(last_error.as_deref());
            if end_run(&tx, &id, EvalRunStatus::Failed, Some(&error))
                .await?
                .is_some()
            {
                failed += 1;
            }
        }
        tx.commit().await.map_err(pg_error)?;
        Ok(failed)
    }
}
