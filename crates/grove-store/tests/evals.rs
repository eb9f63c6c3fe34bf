//! Eval sets and runs, on SQLite and on PostgreSQL; then two PostgreSQL
//! replicas working on one run at once (a run re-leased after a replica was
//! thought dead): each item scored once, the run ended once, with one
//! aggregate counting exactly the scores written and one `eval.completed`.

use std::time::Duration;

use grove_core::evals::{EvalItem, EvalRun, EvalRunStatus, ItemScore};
use grove_core::ids::{AgentId, EvalSetId, OrgId};
use grove_core::page::Page;
use grove_store::evals::{EvalSetPatch, NewEvalSet, EVAL_RUN_KIND};
use grove_store::queue::{Backoff, ItemStatus, QueueStore};
use grove_store::{EvalStore, TenancyStore};
use serde_json::json;
use tokio_postgres::NoTls;

mod backends;
use backends::TestDb;

on_each_backend!(
    sets_are_created_listed_updated_and_deleted_within_their_org,
    a_run_snapshots_its_set_scores_each_item_once_and_finishes_once,
    a_cancelled_run_keeps_its_scores_and_takes_no_more,
    a_run_whose_queue_item_died_is_failed_once,
    runs_are_listed_newest_first_and_go_with_their_set,
);

fn item(question: &str) -> EvalItem {
    EvalItem {
        question: question.into(),
        expected_answer: Some(format!("answer to {question}")),
        expected_sources: vec!["doc".into()],
    }
}

fn new_set(name: &str, questions: &[&str]) -> NewEvalSet {
    NewEvalSet {
        name: name.into(),
        description: format!("{name} questions"),
        items: questions.iter().map(|q| item(q)).collect(),
    }
}

fn score(hit: bool) -> ItemScore {
    ItemScore {
        answer: if hit { "right" } else { "wrong" }.into(),
        cited_sources: Vec::new(),
        retrieval_hit: Some(hit),
        answer_similarity: Some(if hit { 0.9 } else { 0.1 }),
        citation_present: hit,
        latency_ms: 7,
        error: None,
    }
}

/// A queued run of a fresh set of `n` questions.
async fn queued_run<S: EvalStore>(store: &S, org: &OrgId, n: usize) -> EvalRun {
    let questions: Vec<String> = (0..n).map(|i| format!("q{i}")).collect();
    let questions: Vec<&str> = questions.iter().map(String::as_str).collect();
    let set = store
        .create_eval_set(org, new_set("set", &questions))
        .await
        .unwrap();
    store
        .create_eval_run(org, &set.id, &AgentId::generate(), json!({"top_k": 4}))
        .await
        .unwrap()
        .unwrap()
}

async fn sets_are_created_listed_updated_and_deleted_within_their_org<
    S: EvalStore + TenancyStore,
>(
    store: &S,
) {
    let (a, b) = (
        backends::org(store, "a").await,
        backends::org(store, "b").await,
    );
    let first = store
        .create_eval_set(&a, new_set("first", &["one", "two"]))
        .await
        .unwrap();
    assert_eq!(
        (first.item_count, first.items.as_ref().unwrap().len()),
        (2, 2)
    );
    tokio::time::sleep(Duration::from_millis(2)).await;
    let second = store
        .create_eval_set(&a, new_set("second", &["three"]))
        .await
        .unwrap();
    store
        .create_eval_set(&b, new_set("theirs", &[]))
        .await
        .unwrap();

    let got = store.get_eval_set(&a, &first.id).await.unwrap().unwrap();
    assert_eq!(got.items.unwrap()[1], item("two"));
    let listed = store.list_eval_sets(&a, Page::default()).await.unwrap();
    assert_eq!(listed.total, 2);
    let names: Vec<&str> = listed.items.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["first", "second"], "oldest first");
    assert!(listed.items.iter().all(|s| s.items.is_none()));
    let past_end = Page {
        limit: 10,
        offset: 5,
    };
    let empty = store.list_eval_sets(&a, past_end).await.unwrap();
    assert_eq!((empty.items.len(), empty.total), (0, 2));

    // A patch replaces only the fields it gives.
    let renamed = EvalSetPatch {
        name: Some("renamed".into()),
        ..EvalSetPatch::default()
    };
    let updated = store
        .update_eval_set(&a, &first.id, renamed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.name, "renamed");
    assert_eq!(updated.description, "first questions");
    assert_eq!(updated.items.as_ref().unwrap().len(), 2);
    let reitemed = EvalSetPatch {
        items: Some(vec![item("x"), item("y"), item("z")]),
        ..EvalSetPatch::default()
    };
    let updated = store
        .update_eval_set(&a, &first.id, reitemed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((updated.name.as_str(), updated.item_count), ("renamed", 3));
    assert_eq!(updated.items.unwrap()[2], item("z"));

    // Another organisation neither sees, changes nor deletes it.
    assert!(store.get_eval_set(&b, &first.id).await.unwrap().is_none());
    let hijack = EvalSetPatch {
        name: Some("hijacked".into()),
        ..EvalSetPatch::default()
    };
    assert!(store
        .update_eval_set(&b, &first.id, hijack)
        .await
        .unwrap()
        .is_none());
    assert!(!store.delete_eval_set(&b, &first.id).await.unwrap());
    let absent = EvalSetId::generate();
    let patch = EvalSetPatch::default();
    assert!(store
        .update_eval_set(&a, &absent, patch)
        .await
        .unwrap()
        .is_none());

    assert!(store.delete_eval_set(&a, &first.id).await.unwrap());
    assert!(!store.delete_eval_set(&a, &first.id).await.unwrap());
    assert!(store.get_eval_set(&a, &first.id).await.unwrap().is_none());
    let listed = store.list_eval_sets(&a, Page::default()).await.unwrap();
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].id, second.id);
}

async fn a_run_snapshots_its_set_scores_each_item_once_and_finishes_once<
    S: EvalStore + TenancyStore + QueueStore,
>(
    store: &S,
) {
    let org = backends::org(store, "acme").await;
    let set = store
        .create_eval_set(&org, new_set("set", &["one", "two", "three"]))
        .await
        .unwrap();
    let agent = AgentId::generate();
    let absent = EvalSetId::generate();
    assert!(store
        .create_eval_run(&org, &absent, &agent, json!({}))
        .await
        .unwrap()
        .is_none());
    let run = store
        .create_eval_run(&org, &set.id, &agent, json!({"top_k": 4}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.status, EvalRunStatus::Queued);
    assert_eq!((run.items_total, run.items_scored), (3, 0));
    assert_eq!(run.agent_id, agent);
    assert_eq!(run.agent_snapshot, json!({"top_k": 4}));
    assert!(run.started_at.is_none() && run.aggregate.is_none());

    // Its queue item carries the run's id.
    let (for_worker, queue_item) = store.eval_run_for_worker(&run.id).await.unwrap().unwrap();
    assert_eq!(for_worker, run);
    let queue_item = grove_core::ids::QueueItemId::parse(&queue_item.unwrap()).unwrap();
    let queued = store.queue_item(&queue_item).await.unwrap().unwrap();
    assert_eq!(queued.kind, EVAL_RUN_KIND);
    assert_eq!(queued.payload["eval_run_id"], run.id.as_str());
    assert_eq!(
        (queued.status, queued.max_attempts),
        (ItemStatus::Queued, 100)
    );

    // Editing the set leaves the run's copy alone.
    let patch = EvalSetPatch {
        items: Some(vec![item("other")]),
        ..EvalSetPatch::default()
    };
    store.update_eval_set(&org, &set.id, patch).await.unwrap();
    let items = store.eval_run_items(&run.id).await.unwrap();
    let questions: Vec<&str> = items.iter().map(|i| i.question.as_str()).collect();
    assert_eq!(questions, ["one", "two", "three"]);
    assert_eq!(items[1].expected_answer.as_deref(), Some("answer to two"));
    assert_eq!(items[1].expected_sources, ["doc"]);
    assert!(items.iter().all(|i| i.scored_at.is_none()));

    // Queued: nothing is recorded yet.
    assert!(!store
        .record_eval_item(&run.id, 0, score(true))
        .await
        .unwrap());
    let started = store
        .start_eval_run(&run.id, Some("no embedder".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(started.status, EvalRunStatus::Running);
    assert_eq!(started.similarity_note.as_deref(), Some("no embedder"));
    let first_start = started.started_at.unwrap();
    tokio::time::sleep(Duration::from_millis(2)).await;
    let restarted = store.start_eval_run(&run.id, None).await.unwrap().unwrap();
    assert_eq!(restarted.started_at, Some(first_start), "first start kept");

    assert!(store
        .record_eval_item(&run.id, 0, score(true))
        .await
        .unwrap());
    assert!(
        !store
            .record_eval_item(&run.id, 0, score(false))
            .await
            .unwrap(),
        "scored once"
    );
    assert!(!store
        .record_eval_item(&run.id, 9, score(true))
        .await
        .unwrap());
    assert!(store
        .record_eval_item(&run.id, 2, score(false))
        .await
        .unwrap());
    let items = store.eval_run_items(&run.id).await.unwrap();
    assert_eq!(items[0].answer.as_deref(), Some("right"));
    assert_eq!(
        (items[0].retrieval_hit, items[0].latency_ms),
        (Some(true), Some(7))
    );
    assert!(items[0].scored_at.is_some() && items[1].scored_at.is_none());
    let got = store.get_eval_run(&org, &run.id).await.unwrap().unwrap();
    assert_eq!(got.items_scored, 2);

    let ended = store
        .finish_eval_run(&run.id, EvalRunStatus::Succeeded, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, EvalRunStatus::Succeeded);
    assert!(ended.finished_at.is_some());
    let aggregate = ended.aggregate.clone().unwrap();
    assert_eq!((aggregate.items, aggregate.scored), (3, 2));
    assert_eq!(aggregate.retrieval_hit_rate, Some(0.5));
    assert_eq!(aggregate.citation_rate, Some(0.5));
    assert!((aggregate.mean_answer_similarity.unwrap() - 0.5).abs() < 1e-6);

    // Over: neither finished, started nor scored again; cancel returns it.
    assert!(store
        .finish_eval_run(&run.id, EvalRunStatus::Failed, Some("late".into()))
        .await
        .unwrap()
        .is_none());
    assert!(store.start_eval_run(&run.id, None).await.unwrap().is_none());
    assert!(!store
        .record_eval_item(&run.id, 1, score(true))
        .await
        .unwrap());
    let cancelled = store.cancel_eval_run(&org, &run.id).await.unwrap().unwrap();
    assert_eq!(cancelled, ended);
    // Another organisation does not see it.
    let other = backends::org(store, "other").await;
    assert!(store.get_eval_run(&other, &run.id).await.unwrap().is_none());
    assert!(store
        .cancel_eval_run(&other, &run.id)
        .await
        .unwrap()
        .is_none());
}

async fn a_cancelled_run_keeps_its_scores_and_takes_no_more<S: EvalStore + TenancyStore>(
    store: &S,
) {
    let org = backends::org(store, "acme").await;
    let run = queued_run(store, &org, 3).await;
    store.start_eval_run(&run.id, None).await.unwrap().unwrap();
    assert!(store
        .record_eval_item(&run.id, 1, score(true))
        .await
        .unwrap());

    let other = backends::org(store, "other").await;
    assert!(store
        .cancel_eval_run(&other, &run.id)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .get_eval_run(&org, &run.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        EvalRunStatus::Running,
        "another organisation's cancel changes nothing"
    );
    let cancelled = store.cancel_eval_run(&org, &run.id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, EvalRunStatus::Cancelled);
    let aggregate = cancelled.aggregate.clone().unwrap();
    assert_eq!((aggregate.items, aggregate.scored), (3, 1));

    assert!(!store
        .record_eval_item(&run.id, 0, score(true))
        .await
        .unwrap());
    assert!(store.start_eval_run(&run.id, None).await.unwrap().is_none());
    assert!(store
        .finish_eval_run(&run.id, EvalRunStatus::Succeeded, None)
        .await
        .unwrap()
        .is_none());
    let again = store.cancel_eval_run(&org, &run.id).await.unwrap().unwrap();
    assert_eq!(again, cancelled);
    let absent = grove_core::ids::EvalRunId::generate();
    assert!(store
        .cancel_eval_run(&org, &absent)
        .await
        .unwrap()
        .is_none());

    // A queued run is cancelled too.
    let queued = queued_run(store, &org, 1).await;
    let cancelled = store
        .cancel_eval_run(&org, &queued.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cancelled.status, EvalRunStatus::Cancelled);
    assert_eq!(cancelled.aggregate.unwrap().scored, 0);
}

async fn a_run_whose_queue_item_died_is_failed_once<S: EvalStore + TenancyStore + QueueStore>(
    store: &S,
) {
    let org = backends::org(store, "acme").await;
    let run = queued_run(store, &org, 1).await;
    let alive = queued_run(store, &org, 1).await;
    assert_eq!(store.fail_abandoned_eval_runs().await.unwrap(), 0);
    // The handler fails on the store until the queue gives the item up.
    let no_wait = Backoff {
        base: Duration::ZERO,
        max: Duration::ZERO,
    };
    let kinds = [EVAL_RUN_KIND.to_owned()];
    let lease = Duration::from_secs(60);
    while let Some(leased) = store.lease(&kinds, "w", lease).await.unwrap() {
        if leased.payload["eval_run_id"] == alive.id.as_str() {
            store.complete(&leased).await.unwrap();
        } else {
            store
                .fail(&leased, "disk I/O error", no_wait)
                .await
                .unwrap();
        }
    }
    assert_eq!(store.fail_abandoned_eval_runs().await.unwrap(), 1);
    let failed = store.get_eval_run(&org, &run.id).await.unwrap().unwrap();
    assert_eq!(failed.status, EvalRunStatus::Failed);
    assert!(failed.error.unwrap().contains("disk I/O error"));
    assert_eq!(failed.aggregate.unwrap().items, 1);
    let untouched = store.get_eval_run(&org, &alive.id).await.unwrap().unwrap();
    assert_eq!(untouched.status, EvalRunStatus::Queued);
    // Once failed, it is not failed again.
    assert_eq!(store.fail_abandoned_eval_runs().await.unwrap(), 0);
}

async fn runs_are_listed_newest_first_and_go_with_their_set<S: EvalStore + TenancyStore>(
    store: &S,
) {
    let org = backends::org(store, "acme").await;
    let set = store
        .create_eval_set(&org, new_set("set", &["one"]))
        .await
        .unwrap();
    let mut runs = Vec::new();
    for _ in 0..3 {
        let run = store
            .create_eval_run(&org, &set.id, &AgentId::generate(), json!({}))
            .await
            .unwrap()
            .unwrap();
        runs.push(run.id);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Another set's run is not listed.
    queued_run(store, &org, 1).await;
    let listed = store
        .list_eval_runs(&org, &set.id, Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 3);
    let ids: Vec<_> = listed.items.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, [runs[2].clone(), runs[1].clone(), runs[0].clone()]);
    let page = Page {
        limit: 1,
        offset: 1,
    };
    let second = store.list_eval_runs(&org, &set.id, page).await.unwrap();
    assert_eq!(
        (second.total, second.items[0].id.clone()),
        (3, runs[1].clone())
    );
    let other = backends::org(store, "other").await;
    let theirs = store
        .list_eval_runs(&other, &set.id, Page::default())
        .await
        .unwrap();
    assert_eq!((theirs.total, theirs.items.len()), (0, 0));

    assert!(store.delete_eval_set(&org, &set.id).await.unwrap());
    assert!(store.get_eval_run(&org, &runs[0]).await.unwrap().is_none());
    assert!(store.eval_run_items(&runs[0]).await.unwrap().is_empty());
    let listed = store
        .list_eval_runs(&org, &set.id, Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 0);
}

// ---- Two PostgreSQL replicas on one run ----

async fn sql(db: &TestDb) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&db.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// The `eval.completed` events of run `id` in the outbox, as JSON.
async fn completed_events(db: &TestDb, run: &EvalRun) -> Vec<serde_json::Value> {
    sql(db)
        .await
        .query(
            "SELECT data FROM outbox WHERE event = 'eval.completed'
             AND data::jsonb ->> 'eval_run_id' = $1",
            &[&run.id.as_str()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(r.get::<_, &str>(0)).unwrap())
        .collect()
}

/// Scored items of run `id` as stored now.
async fn stored_scores(db: &TestDb, run: &EvalRun) -> i64 {
    sql(db)
        .await
        .query_one(
            "SELECT COUNT(*) FROM eval_run_items WHERE run_id = $1 AND scored_at IS NOT NULL",
            &[&run.id.as_str()],
        )
        .await
        .unwrap()
        .get(0)
}

/// Both replicas score every item of a run at once (each with its own
/// score), several items in flight on each: each item is written by exactly
/// one of them. Then both finish it at once: one ends it, with one event.
#[tokio::test]
async fn two_replicas_scoring_and_finishing_one_run_write_each_item_and_the_end_once() {
    const ITEMS: u32 = 40;
    let db = TestDb::new().await;
    let replicas = [db.replica().await, db.replica().await];
    let org = backends::org(&replicas[0], "acme").await;
    let run = queued_run(&replicas[0], &org, ITEMS as usize).await;
    replicas[1]
        .start_eval_run(&run.id, None)
        .await
        .unwrap()
        .unwrap();
    replicas[0]
        .start_eval_run(&run.id, None)
        .await
        .unwrap()
        .unwrap();

    let mut scoring = tokio::task::JoinSet::new();
    for (r, replica) in replicas.iter().enumerate() {
        for lane in 0..4u32 {
            let (store, id) = (replica.clone(), run.id.clone());
            scoring.spawn(async move {
                let mut won = Vec::new();
                for position in (lane..ITEMS).step_by(4) {
                    if store
                        .record_eval_item(&id, position, score(r == 0))
                        .await
                        .unwrap()
                    {
                        won.push((position, r == 0));
                    }
                }
                won
            });
        }
    }
    let mut written: Vec<(u32, bool)> = scoring.join_all().await.into_iter().flatten().collect();
    written.sort();
    let positions: Vec<u32> = written.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        positions,
        (0..ITEMS).collect::<Vec<_>>(),
        "each item written once"
    );
    // What is stored is the score of the replica that won each item.
    let items = replicas[1].eval_run_items(&run.id).await.unwrap();
    for ((_, first_replica), item) in written.iter().zip(&items) {
        assert_eq!(item.retrieval_hit, Some(*first_replica));
    }
    let hits = written.iter().filter(|(_, hit)| *hit).count();

    let (a, b) = tokio::join!(
        replicas[0].finish_eval_run(&run.id, EvalRunStatus::Succeeded, None),
        replicas[1].finish_eval_run(&run.id, EvalRunStatus::Failed, Some("crashed".into())),
    );
    let ended: Vec<EvalRun> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(ended.len(), 1, "one replica ends the run");
    let aggregate = ended[0].aggregate.clone().unwrap();
    assert_eq!(aggregate.scored, ITEMS);
    assert_eq!(
        aggregate.retrieval_hit_rate,
        Some(hits as f64 / f64::from(ITEMS))
    );
    let events = completed_events(&db, &run).await;
    assert_eq!(events.len(), 1, "one eval.completed");
    assert_eq!(events[0]["status"], ended[0].status.as_str());
    assert_eq!(events[0]["aggregate"]["scored"], ITEMS);
    db.drop_now().await;
}

/// One replica scores while the other ends the run midway, over several
/// runs: no score lands after the end, so the aggregate counts exactly the
/// scores reported written, and the stored items agree.
#[tokio::test]
async fn a_run_ended_while_another_replica_scores_counts_exactly_the_scores_written() {
    const ITEMS: u32 = 60;
    let db = TestDb::new().await;
    let (scorer, ender) = (db.replica().await, db.replica().await);
    let org = backends::org(&scorer, "acme").await;
    for round in 0..4u64 {
        let run = queued_run(&scorer, &org, ITEMS as usize).await;
        scorer.start_eval_run(&run.id, None).await.unwrap().unwrap();
        let mut lanes = tokio::task::JoinSet::new();
        for lane in 0..3u32 {
            let (store, id) = (scorer.clone(), run.id.clone());
            lanes.spawn(async move {
                let mut written = 0u32;
                for position in (lane..ITEMS).step_by(3) {
                    written += u32::from(
                        store
                            .record_eval_item(&id, position, score(true))
                            .await
                            .unwrap(),
                    );
                }
                written
            });
        }
        tokio::time::sleep(Duration::from_millis(5 + 5 * round)).await;
        let ended = ender.cancel_eval_run(&org, &run.id).await.unwrap().unwrap();
        let written: u32 = lanes.join_all().await.into_iter().sum();
        let aggregate = ended.aggregate.unwrap();
        assert_eq!(aggregate.scored, written, "round {round}");
        assert_eq!(ended.items_scored, written, "round {round}");
        assert_eq!(
            stored_scores(&db, &run).await,
            i64::from(written),
            "round {round}"
        );
        assert_eq!(completed_events(&db, &run).await.len(), 1);
    }
    db.drop_now().await;
}

/// Both replicas sweep for abandoned runs at once: each run is failed once.
#[tokio::test]
async fn two_replicas_sweeping_abandoned_runs_fail_each_once() {
    let db = TestDb::new().await;
    let replicas = [db.replica().await, db.replica().await];
    let org = backends::org(&replicas[0], "acme").await;
    let mut runs = Vec::new();
    for _ in 0..5 {
        runs.push(queued_run(&replicas[0], &org, 2).await);
    }
    sql(&db)
        .await
        .execute(
            "UPDATE queue_items SET status = 'dead', last_error = 'gave up'",
            &[],
        )
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        replicas[0].fail_abandoned_eval_runs(),
        replicas[1].fail_abandoned_eval_runs()
    );
    assert_eq!(a.unwrap() + b.unwrap(), 5);
    for run in &runs {
        let failed = replicas[1]
            .get_eval_run(&org, &run.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(failed.status, EvalRunStatus::Failed);
        assert!(failed.error.unwrap().contains("gave up"));
        assert_eq!(completed_events(&db, run).await.len(), 1);
    }
    let again = replicas[0].fail_abandoned_eval_runs().await.unwrap();
    assert_eq!(again, 0);
    db.drop_now().await;
}
