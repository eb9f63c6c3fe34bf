//! Webhook persistence on both backends: the fan-out of outbox events to
//! the endpoints that want them, the queue item that names each next
//! attempt, giving up and disabling, rotation, and purging history; on
//! PostgreSQL, replicas fanning out and recording attempts at once.
//! (Opening sealed secrets and `SyncStore::pending_events` are checked on
//! SQLite only until PostgreSQL has them.)

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

mod backends;

on_each_backend!(
    events_fan_out_to_the_endpoints_that_want_them_once,
    a_failed_attempt_names_the_next_item_and_the_last_one_disables_the_endpoint,
    rotation_keeps_the_replaced_secret_until_it_expires,
    history_older_than_the_cutoff_is_purged_but_pending_deliveries_stay,
    one_event_failing_does_not_disable_an_endpoint_that_takes_others,
    a_test_event_leaves_the_endpoints_health_alone,
    a_delivery_whose_queue_item_died_is_failed_by_the_housekeeping,
    a_resent_delivery_is_a_new_pending_delivery_of_the_same_body,
    endpoints_are_patched_listed_and_deleted_within_their_org,
);

/// What these tests need of a store.
trait Store: TenancyStore + WebhookStore + QueueStore {}
impl<S: TenancyStore + WebhookStore + QueueStore> Store for S {}

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

fn succeeded(n: u32) -> Attempt {
    Attempt {
        status_code: Some(200),
        error: None,
        ..failed(n)
    }
}

/// An endpoint taking every event, and its deliveries (newest first) of
/// `users` new users' `user.created` events.
async fn endpoint_with_deliveries<S: Store>(
    store: &S,
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
async fn item_of<S: Store>(store: &S, id: &DeliveryId) -> String {
    let work = store.delivery_work(id).await.unwrap().unwrap();
    work.queue_item_id
        .expect("a pending delivery names its item")
}

/// A new user, whose creation records a `user.created` outbox event.
async fn user<S: TenancyStore>(store: &S, org: &OrgId, n: usize) {
    let new = NewUser {
        email: format!("u{n}@acme.example"),
        name: "U".into(),
        role: Role::Readonly,
    };
    store.create_user(org, new).await.unwrap();
}

async fn deliveries_total<S: Store>(store: &S, org: &OrgId, webhook: &Webhook) -> u64 {
    store
        .list_deliveries(org, &webhook.id, Page::default())
        .await
        .unwrap()
        .total
}

/// Signing secrets as stored: sealed, never the text given.
fn assert_sealed(stored: &[String], given: &str) {
    for value in stored {
        assert!(value.starts_with("sealed:v1:"), "stored sealed: {value}");
        assert!(!value.contains(given), "{value}");
    }
}

async fn events_fan_out_to_the_endpoints_that_want_them_once<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
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
    let other_org = backends::org(store, "other").await;
    let foreign = store
        .create_webhook(&other_org, hook(&["*"], true), "s5".into())
        .await
        .unwrap();
    user(store, &org, 1).await;
    user(store, &org, 2).await;

    assert_eq!(store.dispatch_events(100).await.unwrap(), 2);
    // Fanned out once: a second pass finds nothing.
    assert_eq!(store.dispatch_events(100).await.unwrap(), 0);
    assert_eq!(deliveries_total(store, &org, &users).await, 2);
    assert_eq!(deliveries_total(store, &org, &all).await, 2);
    assert_eq!(deliveries_total(store, &org, &agents).await, 0);
    assert_eq!(deliveries_total(store, &org, &off).await, 0);
    assert_eq!(
        deliveries_total(store, &other_org, &foreign).await,
        0,
        "another organisation's events stay there"
    );
    // Another organisation sees none of this one's deliveries.
    let peek = store
        .list_deliveries(&other_org, &users.id, Page::default())
        .await
        .unwrap();
    assert_eq!(peek.total, 0);

    // Each delivery is pending with one queued attempt naming it.
    let list = store
        .list_deliveries(&org, &users.id, Page::default())
        .await
        .unwrap();
    let mut events: Vec<_> = list.items.iter().map(|d| d.event_id.clone()).collect();
    events.sort();
    events.dedup();
    assert_eq!(events.len(), 2, "one delivery per event");
    for d in &list.items {
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(d.event, "user.created");
        assert_eq!(d.payload["event"], "user.created");
        assert_eq!(d.payload["id"], d.event_id.as_str());
        assert!(d.attempts.is_empty());
        let work = store.delivery_work(&d.id).await.unwrap().unwrap();
        assert_eq!(work.webhook.id, users.id);
        assert_eq!(work.secrets.len(), 1);
        assert_sealed(&work.secrets, "s1");
        let item = work.queue_item_id.unwrap();
        let item = store
            .queue_item(&grove_core::ids::QueueItemId::parse(&item).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(item.kind, DELIVERY_KIND);
        assert_eq!(item.payload["delivery_id"], d.id.as_str());
        let got = store.get_delivery(&org, &users.id, &d.id).await.unwrap();
        assert_eq!(got.as_ref(), Some(d));
        // Not through another endpoint or organisation.
        assert!(store
            .get_delivery(&org, &all.id, &d.id)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .get_delivery(&other_org, &users.id, &d.id)
            .await
            .unwrap()
            .is_none());
    }
}

/// SQLite only until PostgreSQL has `SyncStore` and `SecretStore`: the
/// fanned-out events are no longer pending and the secret opens.
#[tokio::test]
async fn fanned_out_events_are_not_pending_and_their_secret_opens() {
    let test = backends::TestSqlite::new();
    let store = &test.store;
    let org = backends::org(store, "acme").await;
    let (_, list) = endpoint_with_deliveries(store, &org, 2).await;
    assert_eq!(list.len(), 2);
    assert!(store.pending_events(10).await.unwrap().is_empty());
    let work = store.delivery_work(&list[0].id).await.unwrap().unwrap();
    assert_eq!(opened(store, &work.secrets).await, ["s"]);
}

async fn a_failed_attempt_names_the_next_item_and_the_last_one_disables_the_endpoint<S: Store>(
    store: &S,
) {
    let org = backends::org(store, "acme").await;
    let (webhook, list) = endpoint_with_deliveries(store, &org, 1).await;
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
    assert_eq!(work.delivery.attempts.len(), 1);
    assert_eq!(work.delivery.attempts[0].status_code, Some(503));
    assert_eq!(work.webhook.status, WebhookStatus::Failing);
    assert_eq!(work.webhook.consecutive_failures, 1);

    // Deferring moves the attempt to a new item without counting one.
    let item = item_of(store, &id).await;
    let later = next + Duration::from_secs(30);
    assert!(store.defer_delivery(&id, &item, later).await.unwrap());
    let work = store.delivery_work(&id).await.unwrap().unwrap();
    assert_ne!(work.queue_item_id.as_deref(), Some(item.as_str()));
    assert_eq!(work.delivery.attempts.len(), 1);
    assert_eq!(
        work.delivery.next_attempt_at.map(|t| t.as_second()),
        Some(later.as_second())
    );

    let give_up = AfterFailure::GiveUp {
        disable_reason: "gave up after 2 attempts".into(),
    };
    let item = item_of(store, &id).await;
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
    user(store, &org, 2).await;
    store.dispatch_events(10).await.unwrap();
    assert_eq!(deliveries_total(store, &org, &webhook).await, 1);
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

async fn rotation_keeps_the_replaced_secret_until_it_expires<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let (webhook, list) = endpoint_with_deliveries(store, &org, 1).await;
    let id = &list[0].id;
    let old = store.delivery_work(id).await.unwrap().unwrap().secrets;
    assert_eq!(old.len(), 1);

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
    let work = store.delivery_work(id).await.unwrap().unwrap();
    assert_eq!(work.secrets.len(), 2);
    assert_sealed(&work.secrets, "new");
    assert_ne!(work.secrets[0], old[0], "the new secret signs first");
    assert_eq!(work.secrets[1], old[0], "then the replaced one");

    // Rotated again with an overlap that has already ended: only the newest.
    let past = Timestamp::now() - Duration::from_secs(1);
    store
        .rotate_webhook_secret(&org, &webhook.id, "newest".into(), past)
        .await
        .unwrap();
    let newest = store.delivery_work(id).await.unwrap().unwrap();
    assert_eq!(newest.secrets.len(), 1);
    assert!(!work.secrets.contains(&newest.secrets[0]));
    assert_eq!(newest.webhook.previous_secret_expires_at, None);
    // Another organisation cannot rotate it.
    let other = backends::org(store, "other").await;
    assert!(store
        .rotate_webhook_secret(&other, &webhook.id, "x".into(), past)
        .await
        .unwrap()
        .is_none());
}

/// SQLite only until PostgreSQL has `SecretStore`: the secrets open to
/// what was given.
#[tokio::test]
async fn a_rotated_secret_signs_alongside_the_new_one_until_it_expires() {
    let test = backends::TestSqlite::new();
    let store = &test.store;
    let org = backends::org(store, "acme").await;
    let webhook = store
        .create_webhook(&org, hook(&["*"], true), "old".into())
        .await
        .unwrap();
    let until = Timestamp::now() + Duration::from_secs(3600);
    store
        .rotate_webhook_secret(&org, &webhook.id, "new".into(), until)
        .await
        .unwrap()
        .unwrap();
    user(store, &org, 1).await;
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
    assert_eq!(opened(store, &work.secrets).await, ["new", "old"]);
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
    assert_eq!(opened(store, &work.secrets).await, ["newest"]);
}

async fn history_older_than_the_cutoff_is_purged_but_pending_deliveries_stay<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let (webhook, list) = endpoint_with_deliveries(store, &org, 2).await;
    let settled = &list[0].id;
    let item = item_of(store, settled).await;
    store
        .record_attempt(settled, &item, succeeded(1), AfterFailure::Stop)
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
    assert!(store.delivery_work(settled).await.unwrap().is_none());
}

async fn one_event_failing_does_not_disable_an_endpoint_that_takes_others<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let (webhook, list) = endpoint_with_deliveries(store, &org, 2).await;
    let (refused, taken) = (&list[0].id, &list[1].id);
    let item = item_of(store, taken).await;
    assert!(store
        .record_attempt(taken, &item, succeeded(1), AfterFailure::Stop)
        .await
        .unwrap());
    let taken = store.delivery_work(taken).await.unwrap().unwrap();
    assert_eq!(taken.delivery.status, DeliveryStatus::Succeeded);
    assert_eq!(taken.queue_item_id, None);
    let give_up = AfterFailure::GiveUp {
        disable_reason: "gave up".into(),
    };
    let item = item_of(store, refused).await;
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
    assert!(after.last_success_at.is_some());
    let refused = store.delivery_work(refused).await.unwrap().unwrap();
    assert_eq!(refused.delivery.status, DeliveryStatus::Failed);
}

async fn a_test_event_leaves_the_endpoints_health_alone<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let webhook = store
        .create_webhook(&org, hook(&["*"], true), "s".into())
        .await
        .unwrap();
    let test = store
        .queue_test_delivery(&org, &webhook.id, "webhook.test", serde_json::json!({}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(test.status, DeliveryStatus::Pending);
    assert_eq!(test.payload["event"], "webhook.test");
    let item = item_of(store, &test.id).await;
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
    // Not to another organisation's endpoint.
    let other = backends::org(store, "other").await;
    assert!(store
        .queue_test_delivery(&other, &webhook.id, "webhook.test", serde_json::json!({}))
        .await
        .unwrap()
        .is_none());
}

async fn a_delivery_whose_queue_item_died_is_failed_by_the_housekeeping<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let webhook = store
        .create_webhook(&org, hook(&["*"], true), "s".into())
        .await
        .unwrap();
    user(store, &org, 1).await;
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
    assert!(
        error.starts_with("the delivery queue gave up on it: "),
        "{error}"
    );
    assert!(error.contains("database is locked"), "{error}");
}

async fn a_resent_delivery_is_a_new_pending_delivery_of_the_same_body<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let (webhook, list) = endpoint_with_deliveries(store, &org, 1).await;
    let original = &list[0];
    let item = item_of(store, &original.id).await;
    store
        .record_attempt(&original.id, &item, failed(1), AfterFailure::Stop)
        .await
        .unwrap();
    let resent = store
        .resend_delivery(&org, &webhook.id, &original.id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(resent.id, original.id);
    assert_eq!(resent.resent_from.as_ref(), Some(&original.id));
    assert_eq!(resent.event_id, original.event_id);
    assert_eq!(resent.payload, original.payload);
    assert_eq!(resent.status, DeliveryStatus::Pending);
    assert!(resent.attempts.is_empty());
    assert!(item_of(store, &resent.id).await != item);
    // Newest first, each with its own attempts.
    let listed = store
        .list_deliveries(&org, &webhook.id, Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 2);
    let attempts: Vec<usize> = listed.items.iter().map(|d| d.attempts.len()).collect();
    let of_original = listed.items.iter().find(|d| d.id == original.id).unwrap();
    assert_eq!(of_original.attempts.len(), 1);
    assert_eq!(attempts.iter().sum::<usize>(), 1);
    // Absent deliveries, endpoints or organisations resend nothing.
    let other = backends::org(store, "other").await;
    assert!(store
        .resend_delivery(&other, &webhook.id, &original.id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .resend_delivery(&org, &webhook.id, &DeliveryId::generate())
        .await
        .unwrap()
        .is_none());
}

async fn endpoints_are_patched_listed_and_deleted_within_their_org<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let other = backends::org(store, "other").await;
    let a = store
        .create_webhook(&org, hook(&["user.created"], true), "s".into())
        .await
        .unwrap();
    let b = store
        .create_webhook(&org, hook(&["*"], false), "s".into())
        .await
        .unwrap();
    assert_eq!(b.status, WebhookStatus::Disabled);
    assert_eq!(b.status_message.as_deref(), Some("disabled by a user"));
    let listed = store.list_webhooks(&org, Page::default()).await.unwrap();
    assert_eq!(listed.total, 2);
    let ids: Vec<_> = listed.items.iter().map(|w| w.id.clone()).collect();
    assert!(ids.contains(&a.id) && ids.contains(&b.id));
    assert_eq!(
        store
            .list_webhooks(&other, Page::default())
            .await
            .unwrap()
            .total,
        0
    );
    let second = Page {
        limit: 1,
        offset: 1,
    };
    let page = store.list_webhooks(&org, second).await.unwrap();
    assert_eq!((page.total, page.items.len()), (2, 1));
    assert_eq!(page.items[0].id, listed.items[1].id);

    // The fields given change; the others stay.
    let patched = store
        .update_webhook(
            &org,
            &a.id,
            WebhookPatch {
                url: Some("https://elsewhere.example.com/x".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(patched.url, "https://elsewhere.example.com/x");
    assert_eq!(patched.events, ["user.created"]);
    assert!(patched.enabled);
    let patched = store
        .update_webhook(
            &org,
            &a.id,
            WebhookPatch {
                events: Some(vec!["agent.created".into()]),
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(patched.url, "https://elsewhere.example.com/x");
    assert_eq!(patched.events, ["agent.created"]);
    assert_eq!(patched.status, WebhookStatus::Disabled);
    let patch = WebhookPatch {
        enabled: Some(true),
        ..Default::default()
    };
    assert!(store
        .update_webhook(&other, &a.id, patch)
        .await
        .unwrap()
        .is_none());

    // Deleting takes its deliveries with it, in its own org only.
    let (c, _) = endpoint_with_deliveries(store, &org, 1).await;
    assert_eq!(deliveries_total(store, &org, &c).await, 1);
    assert!(!store.delete_webhook(&other, &c.id).await.unwrap());
    assert!(store.delete_webhook(&org, &c.id).await.unwrap());
    assert!(!store.delete_webhook(&org, &c.id).await.unwrap());
    assert!(store.get_webhook(&org, &c.id).await.unwrap().is_none());
    assert_eq!(deliveries_total(store, &org, &c).await, 0);
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

/// PostgreSQL only: replicas over one database fanning out, recording
/// attempts and deleting endpoints at the same time.
mod replicas {
    use super::*;
    use crate::backends::TestDb;
    use grove_store::postgres::PgStore;
    use tokio_postgres::NoTls;

    const ALL: Page = Page {
        limit: 200,
        offset: 0,
    };

    async fn raw(db: &TestDb) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&db.url(), NoTls).await.unwrap();
        tokio::spawn(connection);
        client
    }

    /// Fans out in small batches until nothing is left; how many events
    /// this replica handled.
    async fn drain(store: PgStore) -> u32 {
        let mut handled = 0;
        loop {
            match store.dispatch_events(3).await.unwrap() {
                0 => return handled,
                n => handled += n,
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_replicas_fanning_out_at_once_make_each_delivery_once() {
        let db = TestDb::new().await;
        let (a, b) = (db.replica().await, db.replica().await);
        let org = backends::org(&a, "acme").await;
        let all = a
            .create_webhook(&org, hook(&["*"], true), "s".into())
            .await
            .unwrap();
        let users = b
            .create_webhook(&org, hook(&["user.created"], true), "s".into())
            .await
            .unwrap();
        const EVENTS: usize = 60;
        for n in 0..EVENTS {
            user(&a, &org, n).await;
        }

        let (on_a, on_b) = tokio::join!(tokio::spawn(drain(a.clone())), tokio::spawn(drain(b)));
        let (on_a, on_b) = (on_a.unwrap(), on_b.unwrap());
        assert_eq!(on_a + on_b, EVENTS as u32, "each event handled once");
        for webhook in [&all, &users] {
            let list = a.list_deliveries(&org, &webhook.id, ALL).await.unwrap();
            assert_eq!(list.total, EVENTS as u64, "one delivery per event");
            let mut events: Vec<_> = list.items.iter().map(|d| d.event_id.clone()).collect();
            events.sort();
            events.dedup();
            assert_eq!(events.len(), EVENTS);
        }
        let items: i64 = raw(&db)
            .await
            .query_one(
                "SELECT COUNT(*) FROM queue_items WHERE kind = $1",
                &[&DELIVERY_KIND],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(items, 2 * EVENTS as i64, "one queue item per delivery");
    }

    #[tokio::test]
    async fn the_fan_out_skips_events_another_replica_holds_without_waiting() {
        let db = TestDb::new().await;
        let store = db.replica().await;
        let org = backends::org(&store, "acme").await;
        let webhook = store
            .create_webhook(&org, hook(&["*"], true), "s".into())
            .await
            .unwrap();
        for n in 0..3 {
            user(&store, &org, n).await;
        }
        // Another replica is fanning out the oldest event.
        let mut other = raw(&db).await;
        let holding = other.transaction().await.unwrap();
        holding
            .query(
                "SELECT seq FROM outbox ORDER BY seq LIMIT 1 FOR UPDATE",
                &[],
            )
            .await
            .unwrap();
        let handled = tokio::time::timeout(Duration::from_secs(5), store.dispatch_events(10))
            .await
            .expect("the fan-out does not wait for an event another replica holds")
            .unwrap();
        assert_eq!(handled, 2);
        assert_eq!(deliveries_total(&store, &org, &webhook).await, 2);
        // The other replica gave up on it: it is still to fan out, once.
        holding.rollback().await.unwrap();
        assert_eq!(store.dispatch_events(10).await.unwrap(), 1);
        assert_eq!(store.dispatch_events(10).await.unwrap(), 0);
        assert_eq!(deliveries_total(&store, &org, &webhook).await, 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_replicas_recording_the_same_attempt_record_it_once() {
        let db = TestDb::new().await;
        let (a, b) = (db.replica().await, db.replica().await);
        let org = backends::org(&a, "acme").await;
        let (webhook, list) = endpoint_with_deliveries(&a, &org, 10).await;
        assert_eq!(list.len(), 10);
        let next = Timestamp::now() + Duration::from_secs(30);
        for delivery in &list {
            let item = item_of(&a, &delivery.id).await;
            let (on_a, on_b) = tokio::join!(
                a.record_attempt(&delivery.id, &item, failed(1), AfterFailure::RetryAt(next)),
                b.record_attempt(&delivery.id, &item, failed(1), AfterFailure::RetryAt(next)),
            );
            assert!(
                on_a.unwrap() ^ on_b.unwrap(),
                "exactly one replica records the attempt"
            );
            let work = a.delivery_work(&delivery.id).await.unwrap().unwrap();
            assert_eq!(work.delivery.attempts.len(), 1);
            assert_ne!(work.queue_item_id.as_deref(), Some(item.as_str()));
        }
        let after = a.get_webhook(&org, &webhook.id).await.unwrap().unwrap();
        assert_eq!(after.consecutive_failures, 10, "each attempt counted once");
        let items: i64 = raw(&db)
            .await
            .query_one(
                "SELECT COUNT(*) FROM queue_items WHERE kind = $1",
                &[&DELIVERY_KIND],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(items, 20, "one first item and one retry per delivery");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn deleting_an_endpoint_while_another_replica_records_an_attempt_both_succeed() {
        let db = TestDb::new().await;
        let (a, b) = (db.replica().await, db.replica().await);
        let org = backends::org(&a, "acme").await;
        for round in 0..30 {
            let webhook = a
                .create_webhook(&org, hook(&["*"], true), "s".into())
                .await
                .unwrap();
            user(&a, &org, round).await;
            a.dispatch_events(10).await.unwrap();
            let list = a.list_deliveries(&org, &webhook.id, ALL).await.unwrap();
            let id = &list.items[0].id;
            let item = item_of(&a, id).await;
            let (deleted, recorded) = tokio::join!(
                a.delete_webhook(&org, &webhook.id),
                b.record_attempt(id, &item, failed(1), AfterFailure::Stop),
            );
            assert!(deleted.unwrap(), "round {round}");
            recorded.unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert!(a.delivery_work(id).await.unwrap().is_none());
        }
    }
}
