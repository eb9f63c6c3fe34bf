//! Eval sets and runs in SQLite. A set keeps its items as JSON; a run copies
//! them into `eval_run_items` when it is created, so editing the set never
//! changes a run. Each item's score is written as soon as it is known, and
//! the run's end (aggregate + `eval.completed` event) is one transaction.

use async_trait::async_trait;
use grove_core::evals::{
    EvalAggregate, EvalItem, EvalItemResult, EvalRun, EvalRunStatus, EvalSet, ItemScore,
};
use grove_core::ids::{AgentId, EvalRunId, EvalSetId, OrgId};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::json;

use super::queue::insert_item;
use super::syncs::record_event;
use super::{backend, delete_in_org, list_in_org, now_ms, SqliteStore};
use crate::evals::{EvalSetPatch, EvalStore, NewEvalSet, EVAL_RUN_KIND};
use crate::queue::NewItem;
use crate::rows::evals::{
    abandoned_error, item_from_row, run_for_worker_from_row, run_from_row, set_from_row,
    set_with_items_from_row, ITEM_COLUMNS, RUN_COLUMNS, RUN_ITEM_ATTEMPTS, SET_COLUMNS,
};
use crate::{Listed, StoreResult};

fn select_set(conn: &Connection, org: &OrgId, id: &EvalSetId) -> StoreResult<Option<EvalSet>> {
    let row = conn
        .query_row(
            &format!("SELECT {SET_COLUMNS}, items FROM eval_sets WHERE org_id = ?1 AND id = ?2"),
            params![org.as_str(), id.as_str()],
            |r| Ok(set_with_items_from_row(r)?),
        )
        .optional()
        .map_err(backend)?;
    Ok(row)
}

fn select_run(conn: &Connection, id: &EvalRunId) -> StoreResult<Option<(EvalRun, Option<String>)>> {
    conn.query_row(
        &format!("SELECT {RUN_COLUMNS} FROM eval_runs WHERE id = ?1"),
        [id.as_str()],
        |r| Ok(run_for_worker_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

fn select_items(conn: &Connection, id: &EvalRunId) -> StoreResult<Vec<EvalItemResult>> {
    conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM eval_run_items WHERE run_id = ?1 ORDER BY position"
    ))
    .and_then(|mut stmt| {
        stmt.query_map([id.as_str()], |r| Ok(item_from_row(r)?))?
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .map_err(backend)
}

fn items_json(items: &[EvalItem]) -> StoreResult<String> {
    serde_json::to_string(items).map_err(backend)
}

/// Ends a queued or running run: status, error, aggregate and the event.
fn end_run(
    tx: &Transaction,
    id: &EvalRunId,
    status: EvalRunStatus,
    error: Option<&str>,
) -> StoreResult<Option<EvalRun>> {
    let Some((run, _)) = select_run(tx, id)? else {
        return Ok(None);
    };
    if run.status.is_terminal() {
        return Ok(None);
    }
    let aggregate = EvalAggregate::of(&select_items(tx, id)?);
    let aggregate_json = serde_json::to_string(&aggregate).map_err(backend)?;
    tx.execute(
        "UPDATE eval_runs SET status = ?2, error = ?3, aggregate = ?4, finished_at = ?5
         WHERE id = ?1",
        params![
            id.as_str(),
            status.as_str(),
            error,
            aggregate_json,
            now_ms()
        ],
    )
    .map_err(backend)?;
    record_event(
        tx,
        run.org_id.as_str(),
        "eval.completed",
        json!({
            "eval_run_id": run.id,
            "eval_set_id": run.eval_set_id,
            "agent_id": run.agent_id,
            "status": status.as_str(),
            "aggregate": aggregate,
        }),
    )?;
    Ok(select_run(tx, id)?.map(|(run, _)| run))
}

#[async_trait]
impl EvalStore for SqliteStore {
    async fn create_eval_set(&self, org: &OrgId, new: NewEvalSet) -> StoreResult<EvalSet> {
        let org = org.clone();
        self.write(move |conn| {
            let id = EvalSetId::generate();
            conn.execute(
                "INSERT INTO eval_sets (id, org_id, name, description, items, item_count,
                                        created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    id.as_str(),
                    org.as_str(),
                    new.name,
                    new.description,
                    items_json(&new.items)?,
                    new.items.len() as i64,
                    now_ms()
                ],
            )
            .map_err(backend)?;
            select_set(conn, &org, &id)?.ok_or_else(|| backend("eval set vanished after insert"))
        })
        .await
    }

    async fn get_eval_set(&self, org: &OrgId, id: &EvalSetId) -> StoreResult<Option<EvalSet>> {
        self.read(|conn| select_set(conn, org, id))
    }

    async fn list_eval_sets(&self, org: &OrgId, page: Page) -> StoreResult<Listed<EvalSet>> {
        self.read(|conn| {
            list_in_org(conn, "eval_sets", SET_COLUMNS, org, None, page, |r| {
                set_from_row(r)
            })
        })
    }

    async fn update_eval_set(
        &self,
        org: &OrgId,
        id: &EvalSetId,
        patch: EvalSetPatch,
    ) -> StoreResult<Option<EvalSet>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let items = patch.items.as_deref().map(items_json).transpose()?;
            let count = patch.items.as_ref().map(|items| items.len() as i64);
            let changed = conn
                .execute(
                    "UPDATE eval_sets SET name = COALESCE(?3, name),
                         description = COALESCE(?4, description), items = COALESCE(?5, items),
                         item_count = COALESCE(?6, item_count), updated_at = ?7
                     WHERE org_id = ?1 AND id = ?2",
                    params![
                        org.as_str(),
                        id.as_str(),
                        patch.name,
                        patch.description,
                        items,
                        count,
                        now_ms()
                    ],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Ok(None);
            }
            select_set(conn, &org, &id)
        })
        .await
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
        let (org, set, agent) = (org.clone(), set.clone(), agent.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some(found) = select_set(&tx, &org, &set)? else {
                return Ok(None);
            };
            let items = found.items.unwrap_or_default();
            let id = EvalRunId::generate();
            let mut item = NewItem::new(EVAL_RUN_KIND, json!({ "eval_run_id": id }));
            item.org_id = Some(org.clone());
            item.max_attempts = Some(RUN_ITEM_ATTEMPTS);
            let queue_item = insert_item(&tx, &item).map_err(backend)?;
            tx.execute(
                "INSERT INTO eval_runs (id, org_id, eval_set_id, agent_id, status, agent_snapshot,
                                        items_total, queue_item_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?8)",
                params![
                    id.as_str(),
                    org.as_str(),
                    set.as_str(),
                    agent.as_str(),
                    agent_snapshot.to_string(),
                    items.len() as i64,
                    queue_item.as_str(),
                    now_ms()
                ],
            )
            .map_err(backend)?;
            for (position, item) in items.iter().enumerate() {
                tx.execute(
                    "INSERT INTO eval_run_items (run_id, position, question, expected_answer,
                                                 expected_sources)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        id.as_str(),
                        position as i64,
                        item.question,
                        item.expected_answer,
                        serde_json::to_string(&item.expected_sources).map_err(backend)?
                    ],
                )
                .map_err(backend)?;
            }
            let run = select_run(&tx, &id)?.map(|(run, _)| run);
            tx.commit().map_err(backend)?;
            Ok(run)
        })
        .await
    }

    async fn get_eval_run(&self, org: &OrgId, id: &EvalRunId) -> StoreResult<Option<EvalRun>> {
        Ok(self
            .read(|conn| select_run(conn, id))?
            .map(|(run, _)| run)
            .filter(|run| run.org_id == *org))
    }

    async fn eval_run_for_worker(
        &self,
        id: &EvalRunId,
    ) -> StoreResult<Option<(EvalRun, Option<String>)>> {
        self.read(|conn| select_run(conn, id))
    }

    async fn eval_run_items(&self, id: &EvalRunId) -> StoreResult<Vec<EvalItemResult>> {
        self.read(|conn| select_items(conn, id))
    }

    async fn list_eval_runs(
        &self,
        org: &OrgId,
        set: &EvalSetId,
        page: Page,
    ) -> StoreResult<Listed<EvalRun>> {
        self.read(|conn| {
            let items = conn
                .prepare_cached(&format!(
                    "SELECT {RUN_COLUMNS} FROM eval_runs WHERE org_id = ?1 AND eval_set_id = ?2
                     ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4"
                ))
                .and_then(|mut stmt| {
                    stmt.query_map(
                        params![org.as_str(), set.as_str(), page.limit, page.offset as i64],
                        |r| Ok(run_from_row(r)?),
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(backend)?;
            let total: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM eval_runs WHERE org_id = ?1 AND eval_set_id = ?2",
                    params![org.as_str(), set.as_str()],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            Ok(Listed {
                items,
                total: total as u64,
            })
        })
    }

    async fn start_eval_run(
        &self,
        id: &EvalRunId,
        similarity_note: Option<String>,
    ) -> StoreResult<Option<EvalRun>> {
        let id = id.clone();
        self.write(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE eval_runs SET status = 'running', similarity_note = ?3,
                            started_at = COALESCE(started_at, ?2)
                     WHERE id = ?1 AND status IN ('queued', 'running')",
                    params![id.as_str(), now_ms(), similarity_note],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Ok(None);
            }
            Ok(select_run(conn, &id)?.map(|(run, _)| run))
        })
        .await
    }

    async fn record_eval_item(
        &self,
        id: &EvalRunId,
        position: u32,
        score: ItemScore,
    ) -> StoreResult<bool> {
        let id = id.clone();
        let result = serde_json::to_string(&score).map_err(backend)?;
        self.write(move |conn| {
            conn.execute(
                "UPDATE eval_run_items SET result = ?3, scored_at = ?4
                 WHERE run_id = ?1 AND position = ?2 AND scored_at IS NULL
                   AND EXISTS (SELECT 1 FROM eval_runs r WHERE r.id = ?1 AND r.status = 'running')",
                params![id.as_str(), position, result, now_ms()],
            )
            .map(|n| n > 0)
            .map_err(backend)
        })
        .await
    }

    async fn finish_eval_run(
        &self,
        id: &EvalRunId,
        status: EvalRunStatus,
        error: Option<String>,
    ) -> StoreResult<Option<EvalRun>> {
        let id = id.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let ended = end_run(&tx, &id, status, error.as_deref())?;
            tx.commit().map_err(backend)?;
            Ok(ended)
        })
        .await
    }

    async fn fail_abandoned_eval_runs(&self) -> StoreResult<u64> {
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let abandoned: Vec<(String, Option<String>)> = tx
                .prepare(
                    "SELECT r.id, q.last_error FROM eval_runs r
                     JOIN queue_items q ON q.id = r.queue_item_id
                     WHERE r.status IN ('queued', 'running') AND q.status = 'dead'",
                )
                .and_then(|mut stmt| {
                    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(backend)?;
            let mut failed = 0;
            for (id, last_error) in abandoned {
                let id = EvalRunId::parse(&id).map_err(backend)?;
                let error = abandoned_error(last_error.as_deref());
                if end_run(&tx, &id, EvalRunStatus::Failed, Some(&error))?.is_some() {
                    failed += 1;
                }
            }
            tx.commit().map_err(backend)?;
            Ok(failed)
        })
        .await
    }

    async fn cancel_eval_run(&self, org: &OrgId, id: &EvalRunId) -> StoreResult<Option<EvalRun>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some((run, _)) = select_run(&tx, &id)? else {
                return Ok(None);
            };
            if run.org_id != org {
                return Ok(None);
            }
            let ended = end_run(&tx, &id, EvalRunStatus::Cancelled, None)?;
            tx.commit().map_err(backend)?;
            Ok(Some(ended.unwrap_or(run)))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewApiKey, NewUser, ProvisionOrg, SyncStore, TenancyStore};
    use grove_core::apikey::KeyEnvironment;
    use grove_core::model::Role;

    async fn store_with_org() -> (tempfile::TempDir, SqliteStore, OrgId) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
        let provisioned = store
            .provision_org(ProvisionOrg {
                name: "org".into(),
                admin: NewUser {
                    email: "a@example.com".into(),
                    name: "A".into(),
                    role: Role::Admin,
                },
                admin_key: NewApiKey {
                    org_id: OrgId::generate(),
                    user_id: None,
                    name: "admin".into(),
                    prefix: "grove_live_abcdefgh".into(),
                    hash: "0".repeat(64),
                    environment: KeyEnvironment::Live,
                    scopes: Vec::new(),
                    permissions: Vec::new(),
                    expires_at: None,
                },
            })
            .await
            .unwrap();
        (dir, store, provisioned.org.id)
    }

    fn item(q: &str) -> EvalItem {
        EvalItem {
            question: q.into(),
            expected_answer: None,
            expected_sources: vec!["doc".into()],
        }
    }

    fn score(hit: bool) -> ItemScore {
        ItemScore {
            answer: "a".into(),
            cited_sources: Vec::new(),
            retrieval_hit: Some(hit),
            answer_similarity: None,
            citation_present: hit,
            latency_ms: 3,
            error: None,
        }
    }

    #[tokio::test]
    async fn a_run_whose_queue_item_died_is_failed_with_its_event() {
        use crate::queue::{Backoff, QueueStore};
        let (_dir, store, org) = store_with_org().await;
        let items = vec![item("one")];
        let new = NewEvalSet {
            name: "s".into(),
            description: String::new(),
            items,
        };
        let set = store.create_eval_set(&org, new).await.unwrap();
        let agent = AgentId::generate();
        let run = store
            .create_eval_run(&org, &set.id, &agent, json!({}))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(store.fail_abandoned_eval_runs().await.unwrap(), 0);
        // The handler fails on the store until the queue gives the item up.
        let no_wait = Backoff {
            base: std::time::Duration::ZERO,
            max: std::time::Duration::ZERO,
        };
        let kinds = [crate::evals::EVAL_RUN_KIND.to_owned()];
        let lease = std::time::Duration::from_secs(60);
        while let Some(leased) = store.lease(&kinds, "w", lease).await.unwrap() {
            store
                .fail(&leased, "disk I/O error", no_wait)
                .await
                .unwrap();
        }
        assert_eq!(store.fail_abandoned_eval_runs().await.unwrap(), 1);
        let failed = store.get_eval_run(&org, &run.id).await.unwrap().unwrap();
        assert_eq!(failed.status, EvalRunStatus::Failed);
        assert!(failed.error.unwrap().contains("disk I/O error"));
        let events = store.recent_events("eval.completed", 10).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data["status"], "failed");
        // Once failed, it is not failed again.
        assert_eq!(store.fail_abandoned_eval_runs().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_run_scores_items_once_and_ends_with_its_aggregate_and_event() {
        let (_dir, store, org) = store_with_org().await;
        let set = store
            .create_eval_set(
                &org,
                NewEvalSet {
                    name: "s".into(),
                    description: String::new(),
                    items: vec![item("one"), item("two")],
                },
            )
            .await
            .unwrap();
        let agent = AgentId::generate();
        let run = store
            .create_eval_run(&org, &set.id, &agent, json!({"top": 1}))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((run.status, run.items_total), (EvalRunStatus::Queued, 2));
        // Not running yet: nothing is recorded.
        assert!(!store
            .record_eval_item(&run.id, 0, score(true))
            .await
            .unwrap());
        store.start_eval_run(&run.id, None).await.unwrap().unwrap();
        assert!(store
            .record_eval_item(&run.id, 0, score(true))
            .await
            .unwrap());
        // An item is scored once.
        assert!(!store
            .record_eval_item(&run.id, 0, score(false))
            .await
            .unwrap());
        assert!(store
            .record_eval_item(&run.id, 1, score(false))
            .await
            .unwrap());
        let ended = store
            .finish_eval_run(&run.id, EvalRunStatus::Succeeded, None)
            .await
            .unwrap()
            .unwrap();
        let aggregate = ended.aggregate.unwrap();
        assert_eq!(aggregate.retrieval_hit_rate, Some(0.5));
        assert_eq!(ended.items_scored, 2);
        // Over: neither finished nor cancelled again.
        assert!(store
            .finish_eval_run(&run.id, EvalRunStatus::Failed, None)
            .await
            .unwrap()
            .is_none());
        let completed: Vec<_> = store
            .recent_events("eval.completed", 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.data["eval_run_id"] == run.id.as_str())
            .collect();
        assert_eq!(completed.len(), 1);
        assert_eq!(completed[0].data["aggregate"]["retrieval_hit_rate"], 0.5);
        // Another organisation does not see it.
        let other = OrgId::generate();
        assert!(store.get_eval_run(&other, &run.id).await.unwrap().is_none());
    }
}
