//! The PostgreSQL store (127.0.0.1:5432, as on every machine here) — its
//! migrations, the durable queue and leader leases — with several stores
//! standing for several replicas: each test runs in a database of its own,
//! created and dropped here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use grove_store::postgres::{PgOptions, PgStore};
use grove_store::queue::{Backoff, FailOutcome, ItemStatus, Leased, NewItem, QueueStore};
use serde_json::json;
use tokio_postgres::NoTls;

mod backends;
use backends::TestDb;

const KIND: &str = "test.work";

fn kinds() -> Vec<String> {
    vec![KIND.to_owned()]
}

/// Leases the next item of the test's kind for `owner`.
async fn take(store: &PgStore, owner: &str, lease_for: Duration) -> Option<Leased> {
    store.lease(&kinds(), owner, lease_for).await.unwrap()
}

fn backoff() -> Backoff {
    Backoff {
        base: Duration::from_millis(10),
        max: Duration::from_millis(20),
    }
}

#[tokio::test]
async fn replicas_starting_together_apply_each_migration_once() {
    let db = TestDb::new().await;
    let opened = futures_join(
        (0..4)
            .map(|_| {
                let (options, master) = (PgOptions::new(db.url()), db.master.clone());
                async move { PgStore::open(&options, master, None).await }
            })
            .collect::<Vec<_>>(),
    )
    .await;
    assert!(opened.iter().all(Result::is_ok));
    let store = opened.into_iter().next().unwrap().unwrap();
    assert_eq!(store.migrate().await.unwrap(), 0, "nothing left to apply");
    let rows = admin_of(&db)
        .await
        .query("SELECT version FROM grove_migrations ORDER BY version", &[])
        .await
        .unwrap();
    let versions: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6], "each migration recorded once");
    db.drop_now().await;
}

/// Runs futures as tasks at once and waits for all, in order.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

async fn admin_of(db: &TestDb) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&db.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_run_every_item_exactly_once() {
    let db = TestDb::new().await;
    let replicas = [db.replica().await, db.replica().await];
    const ITEMS: usize = 300;
    for i in 0..ITEMS {
        replicas[i % 2]
            .enqueue(NewItem::new(KIND, json!({ "n": i })))
            .await
            .unwrap();
    }
    let runs: Arc<Mutex<HashMap<String, u32>>> = Default::default();
    let mut workers = tokio::task::JoinSet::new();
    for (r, replica) in replicas.iter().enumerate() {
        for w in 0..4 {
            let (store, runs) = (replica.clone(), runs.clone());
            let owner = format!("replica-{r}-worker-{w}");
            workers.spawn(async move {
                while let Some(item) = take(&store, &owner, Duration::from_secs(30)).await {
                    *runs.lock().unwrap().entry(item.id.to_string()).or_default() += 1;
                    assert!(store.complete(&item).await.unwrap(), "the lease is held");
                }
            });
        }
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    let runs = std::mem::take(&mut *runs.lock().unwrap());
    assert_eq!(runs.len(), ITEMS, "every item ran");
    assert!(runs.values().all(|&n| n == 1), "none ran twice");
    let depth = replicas[0].queue_depth().await.unwrap();
    assert_eq!((depth.queued, depth.leased, depth.dead), (0, 0, 0));
    db.drop_now().await;
}

#[tokio::test]
async fn a_replica_whose_lease_ran_out_cannot_finish_what_another_took_over() {
    let db = TestDb::new().await;
    let (paused, other) = (db.replica().await, db.replica().await);
    let id = paused
        .enqueue(NewItem::new(KIND, json!({"x": 1})))
        .await
        .unwrap();
    let stale = take(&paused, "paused", Duration::from_millis(50))
        .await
        .expect("due now");
    assert!(take(&other, "other", Duration::from_secs(30))
        .await
        .is_none());
    tokio::time::sleep(Duration::from_millis(120)).await;
    let fresh = take(&other, "other", Duration::from_secs(30))
        .await
        .expect("the expired lease is taken over");
    assert_eq!(fresh.id, id);
    assert_eq!(fresh.attempts, 2);
    assert_ne!(fresh.lease_token, stale.lease_token);
    assert!(!paused
        .heartbeat(&stale, Duration::from_secs(30))
        .await
        .unwrap());
    assert!(!paused.complete(&stale).await.unwrap());
    assert_eq!(paused.fail(&stale, "late", backoff()).await.unwrap(), None);
    assert!(other.complete(&fresh).await.unwrap());
    let item = other.queue_item(&id).await.unwrap().unwrap();
    assert_eq!(item.status, ItemStatus::Done);
    assert_eq!(item.last_error, None, "the stale failure wrote nothing");
    db.drop_now().await;
}

#[tokio::test]
async fn failures_retry_with_backoff_then_the_item_is_dead() {
    let db = TestDb::new().await;
    let store = db.replica().await;
    let mut item = NewItem::new(KIND, json!({}));
    item.max_attempts = Some(2);
    let id = store.enqueue(item).await.unwrap();
    let first = take(&store, "w", Duration::from_secs(30)).await.unwrap();
    // The first retry waits the backoff's base: not leased before it.
    let wait = Backoff {
        base: Duration::from_millis(300),
        max: Duration::from_secs(1),
    };
    let Some(FailOutcome::RetryAt(at)) = store.fail(&first, "boom", wait).await.unwrap() else {
        panic!("a retry was due");
    };
    let queued = store.queue_item(&id).await.unwrap().unwrap();
    assert_eq!((queued.status, queued.attempts), (ItemStatus::Queued, 1));
    assert_eq!(queued.last_error.as_deref(), Some("boom"));
    assert_eq!(
        queued.run_at, at,
        "the retry time reported is the one stored"
    );
    assert!(take(&store, "w", Duration::from_secs(30)).await.is_none());
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = take(&store, "w", Duration::from_secs(30)).await.unwrap();
    assert_eq!(second.attempts, 2);
    assert_eq!(
        store.fail(&second, "again", backoff()).await.unwrap(),
        Some(FailOutcome::Dead)
    );
    assert_eq!(
        store.queue_item(&id).await.unwrap().unwrap().status,
        ItemStatus::Dead
    );
    assert!(take(&store, "w", Duration::from_secs(30)).await.is_none());
    assert_eq!(store.queue_depth().await.unwrap().dead, 1);
    db.drop_now().await;
}

#[tokio::test]
async fn a_lease_expiring_on_the_last_attempt_gives_the_item_up() {
    let db = TestDb::new().await;
    let store = db.replica().await;
    let mut item = NewItem::new(KIND, json!({}));
    item.max_attempts = Some(1);
    let id = store.enqueue(item).await.unwrap();
    take(&store, "w", Duration::from_millis(20)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert!(take(&store, "w", Duration::from_secs(30)).await.is_none());
    let item = store.queue_item(&id).await.unwrap().unwrap();
    assert_eq!(item.status, ItemStatus::Dead);
    assert_eq!(
        item.last_error.as_deref(),
        Some("lease expired on the last attempt")
    );
    db.drop_now().await;
}

#[tokio::test]
async fn releasing_an_owner_requeues_without_counting_the_attempt_and_later_items_wait() {
    let db = TestDb::new().await;
    let store = db.replica().await;
    let now_id = store
        .enqueue(NewItem::new(KIND, json!({"n": 1})))
        .await
        .unwrap();
    let mut later = NewItem::new(KIND, json!({"n": 2}));
    later.run_at = Some(jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600));
    let later_id = store.enqueue(later).await.unwrap();
    let mut other_kind = NewItem::new("test.other", json!({}));
    other_kind.org_id = None;
    store.enqueue(other_kind).await.unwrap();

    let held = take(&store, "leaving", Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(held.id, now_id);
    assert_eq!(held.payload, json!({"n": 1}));
    assert!(store
        .heartbeat(&held, Duration::from_secs(60))
        .await
        .unwrap());
    assert!(
        take(&store, "w", Duration::from_secs(30)).await.is_none(),
        "the other item of this kind is not due, and the third is of another kind"
    );
    assert_eq!(store.release_owner("leaving").await.unwrap(), 1);
    let item = store.queue_item(&now_id).await.unwrap().unwrap();
    assert_eq!((item.status, item.attempts), (ItemStatus::Queued, 0));
    assert!(
        !store.complete(&held).await.unwrap(),
        "a released lease is not held"
    );
    let again = take(&store, "w", Duration::from_secs(30)).await.unwrap();
    assert_eq!((again.id, again.attempts), (now_id, 1));
    assert_eq!(
        store.queue_item(&later_id).await.unwrap().unwrap().status,
        ItemStatus::Queued
    );
    db.drop_now().await;
}

/// Records the items it runs; the first replica's never returns.
struct Handler {
    hang: bool,
    ran: Arc<Mutex<Vec<String>>>,
}

#[async_trait::async_trait]
impl grove_store::queue::JobHandler for Handler {
    async fn handle(&self, item: &grove_store::queue::Leased) -> Result<(), String> {
        self.ran.lock().unwrap().push(item.id.to_string());
        if self.hang {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
}

/// A worker of one slot over `store` running `Handler`.
fn worker(
    store: &PgStore,
    config: grove_core::config::QueueConfig,
    hang: bool,
    ran: &Arc<Mutex<Vec<String>>>,
) -> grove_store::queue::Worker {
    let mut worker = grove_store::queue::Worker::new(Arc::new(store.clone()), config, 1);
    let ran = Arc::clone(ran);
    worker.register(KIND, Arc::new(Handler { hang, ran }));
    worker
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_of_a_replica_killed_mid_item_is_finished_by_another_after_its_lease() {
    let db = TestDb::new().await;
    let (a, b) = (db.replica().await, db.replica().await);
    let config = grove_core::config::QueueConfig {
        lease_seconds: 1,
        poll_interval_ms: 50,
        ..Default::default()
    };
    let id = a.enqueue(NewItem::new(KIND, json!({}))).await.unwrap();
    let (ran_a, ran_b) = (Arc::default(), Arc::default());
    let first = worker(&a, config.clone(), true, &ran_a);
    let (_stop_a, stopped_a) = tokio::sync::watch::channel(false);
    let killed = tokio::spawn(first.run(stopped_a));
    while ran_a.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // As kill -9: the task vanishes without releasing its lease.
    killed.abort();
    let second = worker(&b, config, false, &ran_b);
    let (stop_b, stopped_b) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(second.run(stopped_b));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while b.queue_item(&id).await.unwrap().unwrap().status != ItemStatus::Done {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the item was never finished"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop_b.send(true).unwrap();
    running.await.unwrap();
    assert_eq!(
        *ran_b.lock().unwrap(),
        vec![id.to_string()],
        "run once by the second"
    );
    assert_eq!(b.queue_item(&id).await.unwrap().unwrap().attempts, 2);
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_enqueued_on_one_replica_wakes_an_idle_worker_on_another() {
    let db = TestDb::new().await;
    let (a, b) = (db.replica().await, db.replica().await);
    // Polls a minute apart (jittered: 30–90 s): only the notification can
    // get the item run within the test's deadline.
    let config = grove_core::config::QueueConfig {
        poll_interval_ms: 60_000,
        ..Default::default()
    };
    let ran = Arc::default();
    let mut idle = worker(&b, config, false, &ran);
    idle.wake_on(b.queue_wakeups());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(idle.run(stopped));
    // Idle: its first look found nothing, and its listener is subscribed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let id = a.enqueue(NewItem::new(KIND, json!({}))).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while b.queue_item(&id).await.unwrap().unwrap().status != ItemStatus::Done {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker was not woken"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    running.await.unwrap();
    assert_eq!(*ran.lock().unwrap(), vec![id.to_string()]);
    db.drop_now().await;
}

/// A leader's write: fenced by its lease, in one transaction.
async fn fenced_insert(
    writer: &mut tokio_postgres::Client,
    lead: &grove_store::postgres::Leadership,
    n: i32,
) -> Result<(), grove_store::StoreError> {
    let tx = writer.transaction().await.unwrap();
    grove_store::postgres::fence(&tx, lead).await?;
    tx.execute("INSERT INTO fanned_out VALUES ($1)", &[&n])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Ok(())
}

#[tokio::test]
async fn one_replica_leads_at_a_time_and_a_lapsed_leader_writes_nothing() {
    let db = TestDb::new().await;
    let (a, b) = (db.replica().await, db.replica().await);
    let ttl = Duration::from_millis(300);
    let lead = a
        .acquire_leadership("outbox", "a", ttl)
        .await
        .unwrap()
        .expect("free");
    assert_eq!(lead.epoch, 1);
    assert_eq!(
        b.acquire_leadership("outbox", "b", ttl).await.unwrap(),
        None
    );
    // Another name is another lease.
    assert!(b
        .acquire_leadership("housekeeping", "b", ttl)
        .await
        .unwrap()
        .is_some());
    // Renewing keeps the epoch.
    let renewed = a
        .acquire_leadership("outbox", "a", ttl)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renewed, lead);

    // The leader's writes check the lease in their own transaction.
    let mut writer = admin_of(&db).await;
    writer
        .batch_execute("CREATE TABLE fanned_out (n INTEGER)")
        .await
        .unwrap();
    fenced_insert(&mut writer, &lead, 1).await.unwrap();

    // The leader stalls past its lease; the other replica takes over.
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    let taken = b
        .acquire_leadership("outbox", "b", ttl)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.epoch, 2);
    let late = fenced_insert(&mut writer, &lead, 2).await.unwrap_err();
    assert!(
        late.to_string().contains("leadership of outbox lost"),
        "{late}"
    );
    let rows = admin_of(&db)
        .await
        .query("SELECT n FROM fanned_out", &[])
        .await
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.get::<_, i32>(0)).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(
        a.acquire_leadership("outbox", "a", ttl).await.unwrap(),
        None
    );

    // Released on shutdown, the lease is free at once, in a new epoch.
    assert!(
        !a.release_leadership(&lead).await.unwrap(),
        "not a's any more"
    );
    assert!(b.release_leadership(&taken).await.unwrap());
    let back = a
        .acquire_leadership("outbox", "a", ttl)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.epoch, 3);
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_limit_holds_for_the_whole_deployment() {
    use grove_store::postgres::SharedQuota;
    let db = TestDb::new().await;
    let replicas = [db.replica().await, db.replica().await, db.replica().await];
    // Ten at once, then one every six seconds: nothing comes back within
    // the test, so exactly ten of forty pass however the replicas interleave.
    let quota = SharedQuota {
        per_minute: 10,
        burst: 10,
    };
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..40 {
        let replica = replicas[i % 3].clone();
        calls.spawn(async move { replica.spend_rate("key_a:read", quota).await.unwrap() });
    }
    let mut decisions = Vec::new();
    while let Some(d) = calls.join_next().await {
        decisions.push(d.unwrap());
    }
    let passed = decisions.iter().filter(|d| d.allowed).count();
    assert_eq!(passed, 10, "the burst, across three replicas");
    let mut remaining: Vec<u32> = decisions
        .iter()
        .filter(|d| d.allowed)
        .map(|d| d.remaining)
        .collect();
    remaining.sort_unstable();
    assert_eq!(
        remaining,
        (0..10).collect::<Vec<_>>(),
        "each pass counted once"
    );
    for refused in decisions.iter().filter(|d| !d.allowed) {
        let wait = refused.retry_after.expect("a refusal says when");
        assert!(
            wait > Duration::from_secs(5) && wait <= Duration::from_secs(6),
            "{wait:?}"
        );
        assert_eq!(refused.remaining, 0);
    }
    // Another key, or another scope, has its own quota.
    let other = replicas[0].spend_rate("key_b:read", quota).await.unwrap();
    assert!(other.allowed);
    assert_eq!(other.remaining, 9);
    db.drop_now().await;
}

#[tokio::test]
async fn a_spent_quota_comes_back_at_its_rate() {
    use grove_store::postgres::SharedQuota;
    let db = TestDb::new().await;
    let store = db.replica().await;
    // One request every 100 ms, two at once.
    let quota = SharedQuota {
        per_minute: 600,
        burst: 2,
    };
    let first = store.spend_rate("k", quota).await.unwrap();
    assert!(first.allowed);
    assert_eq!(first.remaining, 1);
    assert!(store.spend_rate("k", quota).await.unwrap().allowed);
    let refused = store.spend_rate("k", quota).await.unwrap();
    assert!(!refused.allowed);
    assert!(refused.retry_after.unwrap() <= Duration::from_millis(100));
    tokio::time::sleep(refused.retry_after.unwrap() + Duration::from_millis(20)).await;
    assert!(
        store.spend_rate("k", quota).await.unwrap().allowed,
        "one came back"
    );
    assert!(
        !store.spend_rate("k", quota).await.unwrap().allowed,
        "only one"
    );
    db.drop_now().await;
}
