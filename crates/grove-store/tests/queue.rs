//! The durable queue against a real SQLite file: leases, expiry, retries,
//! restarts and the worker runtime.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use grove_core::config::QueueConfig;
use grove_store::queue::{
    Backoff, FailOutcome, ItemStatus, JobHandler, Leased, NewItem, QueueStore, Worker,
};
use grove_store::sqlite::SqliteStore;
use serde_json::json;

fn kinds() -> Vec<String> {
    vec!["sync".to_owned()]
}

const SHORT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_lease_whose_worker_died_is_taken_again_after_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    let id = store
        .enqueue(NewItem::new("sync", json!({"ds": 1})))
        .await
        .unwrap();

    let first = store
        .lease(&kinds(), "worker-a", SHORT)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.id, id);
    assert_eq!(first.attempts, 1);
    assert_eq!(first.payload, json!({"ds": 1}));
    // worker-a dies: it never completes. Nobody else may take it yet.
    assert!(store
        .lease(&kinds(), "worker-b", SHORT)
        .await
        .unwrap()
        .is_none());

    tokio::time::sleep(SHORT + Duration::from_millis(100)).await;
    let second = store
        .lease(&kinds(), "worker-b", SHORT)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.id, id);
    assert_eq!(second.attempts, 2);
    // The dead worker's token no longer counts.
    assert!(!store.complete(&first).await.unwrap());
    assert!(store.complete(&second).await.unwrap());
    let stored = store.queue_item(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, ItemStatus::Done);
}

#[tokio::test]
async fn a_restart_keeps_every_queued_item() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grove.db");
    let ids = {
        let store = SqliteStore::open(&path).unwrap();
        let mut ids = Vec::new();
        for n in 0..3 {
            ids.push(
                store
                    .enqueue(NewItem::new("sync", json!({ "n": n })))
                    .await
                    .unwrap(),
            );
        }
        // One is leased when the process "crashes".
        store
            .lease(&kinds(), "crashed", SHORT)
            .await
            .unwrap()
            .unwrap();
        ids
    };

    let store = SqliteStore::open(&path).unwrap();
    tokio::time::sleep(SHORT + Duration::from_millis(100)).await;
    let mut seen = Vec::new();
    while let Some(item) = store.lease(&kinds(), "restarted", SHORT).await.unwrap() {
        seen.push(item.id.clone());
        assert!(store.complete(&item).await.unwrap());
    }
    seen.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn failures_back_off_then_give_up_after_max_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    let mut item = NewItem::new("sync", json!({}));
    item.max_attempts = Some(2);
    let id = store.enqueue(item).await.unwrap();
    let backoff = Backoff {
        base: Duration::from_millis(300),
        max: Duration::from_secs(5),
    };

    let leased = store.lease(&kinds(), "w", SHORT).await.unwrap().unwrap();
    let outcome = store
        .fail(&leased, "source unreachable", backoff)
        .await
        .unwrap();
    assert!(matches!(outcome, Some(FailOutcome::RetryAt(_))));
    let stored = store.queue_item(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, ItemStatus::Queued);
    assert_eq!(stored.last_error.as_deref(), Some("source unreachable"));
    // Not due before the backoff has passed.
    assert!(store.lease(&kinds(), "w", SHORT).await.unwrap().is_none());

    tokio::time::sleep(Duration::from_millis(400)).await;
    let again = store.lease(&kinds(), "w", SHORT).await.unwrap().unwrap();
    assert_eq!(again.attempts, 2);
    let outcome = store
        .fail(&again, "still unreachable", backoff)
        .await
        .unwrap();
    assert_eq!(outcome, Some(FailOutcome::Dead));
    assert_eq!(
        store.queue_item(&id).await.unwrap().unwrap().status,
        ItemStatus::Dead
    );
    assert_eq!(store.queue_depth().await.unwrap().dead, 1);
}

#[tokio::test]
async fn released_leases_are_available_at_once_without_costing_an_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    store
        .enqueue(NewItem::new("sync", json!({})))
        .await
        .unwrap();
    store
        .enqueue(NewItem::new("other-kind", json!({})))
        .await
        .unwrap();
    let held = store
        .lease(&kinds(), "stopping", Duration::from_secs(600))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.release_owner("stopping").await.unwrap(), 1);
    let again = store.lease(&kinds(), "next", SHORT).await.unwrap().unwrap();
    assert_eq!(again.id, held.id);
    assert_eq!(again.attempts, 1);
    // Kinds not asked for are left alone.
    assert!(store
        .lease(&kinds(), "next", SHORT)
        .await
        .unwrap()
        .is_none());
}

struct FlakyHandler {
    calls: AtomicU32,
    fail_first: u32,
}

#[async_trait]
impl JobHandler for FlakyHandler {
    async fn handle(&self, _item: &Leased) -> Result<(), String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= self.fail_first {
            Err(format!("failure {n}"))
        } else {
            Ok(())
        }
    }
}

#[tokio::test]
async fn the_worker_retries_a_failing_handler_until_it_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("grove.db")).unwrap());
    let id = store
        .enqueue(NewItem::new("sync", json!({})))
        .await
        .unwrap();
    let handler = Arc::new(FlakyHandler {
        calls: AtomicU32::new(0),
        fail_first: 2,
    });
    let config = QueueConfig {
        poll_interval_ms: 20,
        backoff_base_ms: 50,
        ..QueueConfig::default()
    };
    let mut worker = Worker::new(store.clone(), config, 2);
    worker.register("sync", handler.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let item = store.queue_item(&id).await.unwrap().unwrap();
        if item.status == ItemStatus::Done {
            assert_eq!(item.attempts, 3);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "item never completed: {item:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(handler.calls.load(Ordering::SeqCst), 3);
    stop.send(true).unwrap();
    running.await.unwrap();
}

struct StuckHandler;

#[async_trait]
impl JobHandler for StuckHandler {
    async fn handle(&self, _item: &Leased) -> Result<(), String> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
}

#[tokio::test]
async fn shutting_the_worker_down_releases_its_leases() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("grove.db")).unwrap());
    let id = store
        .enqueue(NewItem::new("sync", json!({})))
        .await
        .unwrap();
    let config = QueueConfig {
        poll_interval_ms: 20,
        ..QueueConfig::default()
    };
    let mut worker = Worker::new(store.clone(), config, 1);
    worker.register("sync", Arc::new(StuckHandler));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while store.queue_item(&id).await.unwrap().unwrap().status != ItemStatus::Leased {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(true).unwrap();
    running.await.unwrap();
    let item = store.queue_item(&id).await.unwrap().unwrap();
    assert_eq!(item.status, ItemStatus::Queued);
    assert_eq!(item.attempts, 0);
}
