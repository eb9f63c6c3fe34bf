//! Webhook persistence against a real SQLite file: the fan-out of outbox
//! events to the endpoints that want them, the queue item that names each
//! next attempt, giving up and disabling, rotation, and purging history.

use std::time::Duration;

use grove_core::ids::{DeliveryId, OrgId};
use grove_core::model::Role;
use grove_core::page::Page;
use grove_core::webhooks::{Attempt, Delivery, DeliveryStatus, Webhook, WebhookStatus};
use grove_store::queue::QueueStore;
use grove_store::sqlite::SqliteStore;
use grove_store::webhooks::{AfterFailure, NewWebhook, WebhookPatch, DELIVERY_KIND};
use grove_store::{NewUser, SecretStore, SyncStore, TenancyStore, WebhookStore};
use jiff::Timestamp;

async fn store_with_org() -> (tempfile::TempDir, SqliteStore, OrgId) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    let org = create_org(&store, "acme").await;
    (dir, store, org)
}

async fn create_org(store: &SqliteStore, name: &str) -> OrgId {
    {
        let key = grove_core::apikey::generate(grove_core::apikey::KeyEnvironment::Live);
        let provisioned = store
            .provision_org(grove_store::ProvisionOrg {
                name: name.into(),
                admin: NewUser {
                    email: format!("admin@{name}.example"),
                    name: "Admin".into(),
                    role: Role::Admin,
                },
                admin_key: grove_store::NewApiKey {
                    org_id: OrgId::generate(),
                    user_id: None,
                    name: "bootstrap".into(),
                    prefix: key.prefix,
                    hash: key.hash,
                    environment: grove_core::apikey::KeyEnvironment::Live,
                    scopes: vec![grove_core::scope::Scope::Admin],
                    permissions: vec![],
                    expires_at: None,
                },
            })
            .await
            .unwrap();
        provisioned.org.id
    }
}

fn hook(events: &[&str], enabled: bool) -> NewWebhook {
    NewWebhook {
        url: "https://hooks.example.com/in".into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        enabled,
    }
}

fn failed(n: u32) -> Attempt {
    Attempt {
        attempt: n,
        at: Timestamp::now(),
        status_code: Some(503),
        latency_ms: 3,
        error: Some("the endpoint answered 503".into()),
    }
}

/// An endpoint taking every event, and its deliveries (newest first) of
/// `users` new users' `user.created` events.
async fn endpoint_with_deliveries(
    store: &SqliteStore,
    org: &OrgId,
    users: usize,
) -> (Webhook, Vec<Delivery>) {
    let webhook = store
        .create_webhook(org, hook(&["*"], true), "s".into())
        .await
        .unwrap();
    for n in 0..users {
        user(store, org, n).await;
    }
    store.dispatch_events(10).await.unwrap();
    let list = store
        .list_deliveries(org, &webhook.id, Page::default())
        .await
        .unwrap();
    (webhook, list.items)
}

/// The queue item due to make a delivery's next attempt.
async fn item_of(store: &SqliteStore, id: &DeliveryId) -> String {
    let work = store.delivery_work(id).await.unwrap().unwrap();
    work.queue_item_id
        .expect("a pending delivery names its item")
}

async fn user(store: &SqliteStore, org: &OrgId, n: usize) {
    let new = NewUser {
        email: format!("u{n}@acme.example"),
        name: "U".into(),
        role: Role::Readonly,
    };
    store.create_user(org, new).await.unwrap();
}

#[tokio::test]
async fn events_fan_out_to_the_endpoints_that_want_them_once() {
    let (_dir, store, org) = store_with_org().await;
    let users = store
        .create_webhook(&org, hook(&["user.created"], true), "s1".into())
        .await
        .unwrap();
    let all = store
        .create_webhook(&org, hook(&["*"], true), "s2".into())
        .await
        .unwrap();
    let agents = store
        .create_webhook(&org, hook(&["agent.created"], true), "s3".into())
        .await
        .unwrap();
    let off = store
        .create_webhook(&org, hook(&["*"], false), "s4".into())
        .await
        .unwrap();
    let other_org = create_org(&store, "other").await;
    let foreign = store
        .create_webhook(&other_org, hook(&["*"], true), "s5".into())
        .await
        .unwrap();
    user(&store, &org, 1).await;
    user(&store, &org, 2).await;

    assert_eq!(store.dispatch_events(100).await.unwrap(), 2);
    // Fanned out once: a second pass finds nothing.
    assert_eq!(store.dispatch_events(100).await.unwrap(), 0);
    assert!(store.pending_events(10).await.unwrap().is_empty());
    let count = |id| {
        let store = &store;
        let org = org.clone();
        async move {
            store
                .list_deliveries(&org, id, Page::default())
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(count(&users.id).await, 2);
    assert_eq!(count(&all.id).await, 2);
    assert_eq!(count(&agents.id).await, 0);
    assert_eq!(count(&off.id).await, 0);
    let foreign_list = store
        .list_deliveries(&other_org, &foreign.id, Page::default())
        .await
        .unwrap();
    assert_eq!(
        foreign_list.total, 0,
        "another organisation's events stay there"
    );

    // Each delivery is pending with one queued attempt naming it.
    let list = store
        .list_deliveries(&org, &users.id, Page::default())
        .await
        .unwrap();
    for d in &list.items {
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(d.event, "user.created");
        assert_eq!(d.payload["event"], "user.created");
        assert_eq!(d.payload["id"], d.event_id.as_str());
        let work = store.delivery_work(&d.id).await.unwrap().unwrap();
        assert_eq!(opened(&store, &work.secrets).await, ["s1"]);
        let item = work.queue_item_id.unwrap();
        let item = store
            .queue_item(&grove_core::ids::QueueItemId::parse(&item).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(item.kind, DELIVERY_KIND);
        assert_eq!(item.payload["delivery_id"], d.id.as_str());
    }
}

#[tokio::test]
async fn a_failed_attempt_names_the_next_item_and_the_last_one_disables_the_endpoint() {
    let (_dir, store, org) = store_with_org().await;
    let (webhook, list) = endpoint_with_deliveries(&store, &org, 1).await;
    let id: DeliveryId = list[0].id.clone();
    let first_item = store
        .delivery_work(&id)
        .await
        .unwrap()
        .unwrap()
        .queue_item_id;

    let next = Timestamp::now() + Duration::from_secs(30);
    let item = first_item.clone().unwrap();
    assert!(store
        .record_attempt(&id, &item, failed(1), AfterFailure::RetryAt(next))
        .await
        .unwrap());
    // The old item is stale now: it can neither record nor defer.
    let late = AfterFailure::RetryAt(next);
    assert!(!store
        .record_attempt(&id, &item, failed(1), late)
        .await
        .unwrap());
    assert!(!store.defer_delivery(&id, &item, next).await.unwrap());
    let work = store.delivery_work(&id).await.unwrap().unwrap();
    assert_ne!(
        work.queue_item_id, first_item,
        "the retry is a new item; the old one is stale"
    );
    assert_eq!(
        work.delivery.next_attempt_at.map(|t| t.as_second()),
        Some(next.as_second())
    );
    assert_eq!(work.webhook.status, WebhookStatus::Failing);
    assert_eq!(work.webhook.consecutive_failures, 1);

    let give_up = AfterFailure::GiveUp {
        disable_reason: "gave up after 2 attempts".into(),
    };
    let item = item_of(&store, &id).await;
    assert!(store
        .record_attempt(&id, &item, failed(2), give_up.clone())
        .await
        .unwrap());
    let work = store.delivery_work(&id).await.unwrap().unwrap();
    assert_eq!(work.delivery.status, DeliveryStatus::Failed);
    assert_eq!(work.delivery.attempts.len(), 2);
    assert_eq!(work.queue_item_id, None);
    assert_eq!(work.webhook.status, WebhookStatus::Disabled);
    assert_eq!(
        work.webhook.status_message.as_deref(),
        Some("gave up after 2 attempts")
    );
    // A settled delivery takes no more attempts.
    assert!(!store
        .record_attempt(&id, &item, failed(3), give_up)
        .await
        .unwrap());

    // Disabled: new events are not fanned out to it.
    user(&store, &org, 2).await;
    store.dispatch_events(10).await.unwrap();
    assert_eq!(
        store
            .list_deliveries(&org, &webhook.id, Page::default())
            .await
            .unwrap()
            .total,
        1
    );
    // Enabled again, its health starts afresh.
    let again = store
        .update_webhook(
            &org,
            &webhook.id,
            WebhookPatch {
                enabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.status, WebhookStatus::Active);
    assert_eq!(again.consecutive_failures, 0);
    assert_eq!(again.status_message, None);
}

#[tokio::test]
async fn a_rotated_secret_signs_alongside_the_new_one_until_it_expires() {
    let (_dir, store, org) = store_with_org().await;
    let webhook = store
        .create_webhook(&org, hook(&["*"], true), "old".into())
        .await
        .unwrap();
    let until = Timestamp::now() + Duration::from_secs(3600);
    let rotated = store
        .rotate_webhook_secret(&org, &webhook.id, "new".into(), until)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        rotated.previous_secret_expires_at.map(|t| t.as_second()),
        Some(until.as_second())
    );
    user(&store, &org, 1).await;
    store.dispatch_events(10).await.unwrap();
    let list = store
        .list_deliveries(&org, &webhook.id, Page::default())
        .await
        .unwrap();
    let work = store
        .delivery_work(&list.items[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opened(&store, &work.secrets).await, ["new", "old"]);
    // Rotated again with an overlap that has already ended: only the newest.
    let past = Timestamp::now() - Duration::from_secs(1);
    store
        .rotate_webhook_secret(&org, &webhook.id, "newest".into(), past)
        .await
        .unwrap();
    let work = store
        .delivery_work(&list.items[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opened(&store, &work.secrets).await, ["newest"]);
    assert_eq!(work.webhook.previous_secret_expires_at, None);
}

#[tokio::test]
async fn history_older_than_the_cutoff_is_purged_but_pending_deliveries_stay() {
    let (_dir, store, org) = store_with_org().await;
    let (webhook, list) = endpoint_with_deliveries(&store, &org, 2).await;
    let settled = &list[0].id;
    let ok = Attempt {
        status_code: Some(200),
        error: None,
        ..failed(1)
    };
    let item = item_of(&store, settled).await;
    store
        .record_attempt(settled, &item, ok, AfterFailure::Stop)
        .await
        .unwrap();

    // Nothing is old enough yet.
    let long_ago = Timestamp::now() - Duration::from_secs(3600);
    assert_eq!(store.purge_webhook_history(long_ago).await.unwrap(), 0);
    // Everything settled is: the settled delivery and both sent events go.
    let later = Timestamp::now() + Duration::from_secs(1);
    assert_eq!(store.purge_webhook_history(later).await.unwrap(), 3);
    let left = store
        .list_deliveries(&org, &webhook.id, Page::default())
        .await
        .unwrap();
    assert_eq!(left.total, 1);
    assert_eq!(left.items[0].status, DeliveryStatus::Pending);
}

#[tokio::test]
async fn one_event_failing_does_not_disable_an_endpoint_that_takes_others() {
    let (_dir, store, org) = store_with_org().await;
    let (webhook, list) = endpoint_with_deliveries(&store, &org, 2).await;
    let (refused, taken) = (&list[0].id, &list[1].id);
    let ok = Attempt {
        status_code: Some(200),
        error: None,
        ..failed(1)
    };
    let item = item_of(&store, taken).await;
    assert!(store
        .record_attempt(taken, &item, ok, AfterFailure::Stop)
        .await
        .unwrap());
    let give_up = AfterFailure::GiveUp {
        disable_reason: "gave up".into(),
    };
    let item = item_of(&store, refused).await;
    assert!(store
        .record_attempt(refused, &item, failed(1), give_up)
        .await
        .unwrap());
    let after = store.get_webhook(&org, &webhook.id).await.unwrap().unwrap();
    assert!(
        after.enabled,
        "a success since the delivery began keeps it on"
    );
    assert_eq!(after.status, WebhookStatus::Failing);
    let refused = store.delivery_work(refused).await.unwrap().unwrap();
    assert_eq!(refused.delivery.status, DeliveryStatus::Failed);
}

#[tokio::test]
async fn a_test_event_leaves_the_endpoints_health_alone() {
    let (_dir, store, org) = store_with_org().await;
    let webhook = store
        .create_webhook(&org, hook(&["*"], true), "s".into())
        .await
        .unwrap();
    let test = store
        .queue_test_delivery(&org, &webhook.id, "webhook.test", serde_json::json!({}))
        .await
        .unwrap()
        .unwrap();
    let item = item_of(&store, &test.id).await;
    assert!(store
        .record_attempt(&test.id, &item, failed(1), AfterFailure::Stop)
        .await
        .unwrap());
    let after = store.get_webhook(&org, &webhook.id).await.unwrap().unwrap();
    assert_eq!(after.status, WebhookStatus::Active);
    assert_eq!(after.consecutive_failures, 0);
    assert_eq!(after.last_failure_at, None);
    let test = store.delivery_work(&test.id).await.unwrap().unwrap();
    assert_eq!(test.delivery.status, DeliveryStatus::Failed);
    assert_eq!(test.delivery.attempts.len(), 1);
}

#[tokio::test]
async fn a_delivery_whose_queue_item_died_is_failed_by_the_housekeeping() {
    let (_dir, store, org) = store_with_org().await;
    let webhook = store
        .create_webhook(&org, hook(&["*"], true), "s".into())
        .await
        .unwrap();
    user(&store, &org, 1).await;
    store.dispatch_events(10).await.unwrap();
    // The handler fails on every attempt until the queue gives the item up.
    let no_wait = grove_store::queue::Backoff {
        base: Duration::ZERO,
        max: Duration::ZERO,
    };
    let kinds = [DELIVERY_KIND.to_owned()];
    while let Some(leased) = store
        .lease(&kinds, "worker", Duration::from_secs(60))
        .await
        .unwrap()
    {
        store
            .fail(&leased, "database is locked", no_wait)
            .await
            .unwrap();
    }
    let before = Timestamp::now() - Duration::from_secs(3600);
    store.purge_webhook_history(before).await.unwrap();
    let list = store
        .list_deliveries(&org, &webhook.id, Page::default())
        .await
        .unwrap();
    assert_eq!(list.items[0].status, DeliveryStatus::Failed);
    let error = list.items[0].error.as_deref().unwrap();
    assert!(error.contains("database is locked"), "{error}");
}

/// Signing secrets are sealed at rest; the deliverer opens them.
async fn opened(store: &SqliteStore, sealed: &[String]) -> Vec<String> {
    let mut plain = Vec::new();
    for value in sealed {
        assert!(value.starts_with("sealed:v1:"), "stored sealed: {value}");
        plain.push(store.reveal(value).await.unwrap());
    }
    plain
}
