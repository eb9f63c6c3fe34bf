//! Notification channels and their deliveries, on SQLite and PostgreSQL:
//! channels kept per organisation with their credentials sealed, changes
//! made to the opened config, and a test notification's delivery with its
//! queue item and attempts.

use std::time::Duration;

use grove_core::ids::ChannelId;
use grove_core::jobs::{ChannelKind, NotificationStatus, NotifyLevel, NotifyTopic};
use grove_core::page::Page;
use grove_store::notifications::{AttemptOutcome, NotificationStore, TEST_NOTIFICATION};
use grove_store::queue::QueueStore;
use grove_store::secrets::is_sealed;
use grove_store::{ChannelStore, NewChannel, SecretStore, TenancyStore, NOTIFY_KIND};
use jiff::Timestamp;
use serde_json::json;

mod backends;

on_each_backend!(
    channels_are_kept_per_org_with_sealed_credentials,
    a_change_sees_the_opened_config_and_seals_it_again,
    a_test_notification_is_delivered_after_a_retry,
    a_dropped_notification_keeps_its_reason,
);

const HOOK: &str = "https://hooks.example/T000/B000/secret";

fn slack(name: &str) -> NewChannel {
    NewChannel {
        name: name.into(),
        kind: ChannelKind::Slack,
        config: json!({"webhook_url": HOOK, "channel": "#ops"}),
        min_level: NotifyLevel::Warning,
        topics: vec![NotifyTopic::FailedRun],
        enabled: true,
    }
}

async fn channels_are_kept_per_org_with_sealed_credentials<
    S: TenancyStore + ChannelStore + SecretStore,
>(
    store: &S,
) {
    let acme = backends::org(store, "acme").await;
    let other = backends::org(store, "other").await;
    let created = store.create_channel(&acme, slack("ops")).await.unwrap();
    let stored = created.config["webhook_url"].as_str().unwrap();
    assert!(is_sealed(stored), "the webhook URL is sealed: {stored}");
    assert_eq!(
        created.config["channel"], "#ops",
        "other settings stay plain"
    );
    assert_eq!(created.min_level, NotifyLevel::Warning);
    assert_eq!(created.topics, vec![NotifyTopic::FailedRun]);
    assert!(created.enabled);
    let revealed = store.reveal_config(&created.config).await.unwrap();
    assert_eq!(revealed["webhook_url"], HOOK);

    let got = store
        .get_channel(&acme, &created.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, created);
    assert!(store
        .get_channel(&other, &created.id)
        .await
        .unwrap()
        .is_none());
    // A later millisecond, so the order by creation is known.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = store.create_channel(&acme, slack("alerts")).await.unwrap();
    let listed = store.list_channels(&acme, Page::default()).await.unwrap();
    assert_eq!(listed.total, 2);
    let names: Vec<_> = listed.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["ops", "alerts"], "oldest first");
    assert_eq!(
        store
            .list_channels(&other, Page::default())
            .await
            .unwrap()
            .total,
        0
    );

    let mut new = slack("ops renamed");
    new.enabled = false;
    new.min_level = NotifyLevel::Error;
    assert!(store
        .replace_channel(&other, &created.id, new.clone())
        .await
        .unwrap()
        .is_none());
    let replaced = store
        .replace_channel(&acme, &created.id, new)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(replaced.name, "ops renamed");
    assert!(!replaced.enabled);
    assert_eq!(replaced.min_level, NotifyLevel::Error);
    assert!(is_sealed(replaced.config["webhook_url"].as_str().unwrap()));

    let absent = ChannelId::generate();
    let missing = store
        .missing_channels(&acme, &[created.id.clone(), absent.clone()])
        .await
        .unwrap();
    assert_eq!(missing, vec![absent]);
    assert!(!store.delete_channel(&other, &created.id).await.unwrap());
    assert!(store.delete_channel(&acme, &created.id).await.unwrap());
    assert!(!store.delete_channel(&acme, &created.id).await.unwrap());
    assert!(store
        .get_channel(&acme, &created.id)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .missing_channels(&acme, std::slice::from_ref(&second.id))
            .await
            .unwrap(),
        vec![]
    );
}

async fn a_change_sees_the_opened_config_and_seals_it_again<
    S: TenancyStore + ChannelStore + SecretStore,
>(
    store: &S,
) {
    let acme = backends::org(store, "acme").await;
    let channel = store.create_channel(&acme, slack("ops")).await.unwrap();
    let changed = store
        .change_channel(
            &acme,
            &channel.id,
            Box::new(|mut new| {
                assert_eq!(new.config["webhook_url"], HOOK, "the change sees it opened");
                new.config["webhook_url"] = json!("https://hooks.example/new");
                new.topics.push(NotifyTopic::CompletedRun);
                Ok(new)
            }),
        )
        .await
        .unwrap()
        .unwrap();
    let stored = changed.config["webhook_url"].as_str().unwrap();
    assert!(is_sealed(stored));
    assert_eq!(
        store.reveal(stored).await.unwrap(),
        "https://hooks.example/new"
    );
    assert_eq!(
        changed.topics,
        vec![NotifyTopic::FailedRun, NotifyTopic::CompletedRun]
    );
    let refused = store
        .change_channel(
            &acme,
            &channel.id,
            Box::new(|_| Err(grove_core::ApiError::conflict("no"))),
        )
        .await;
    assert!(refused.is_err());
    let kept = store
        .get_channel(&acme, &channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept, changed, "a refused change writes nothing");
    let other = backends::org(store, "other").await;
    assert!(store
        .change_channel(&other, &channel.id, Box::new(Ok))
        .await
        .unwrap()
        .is_none());
}

async fn a_test_notification_is_delivered_after_a_retry<
    S: TenancyStore + ChannelStore + NotificationStore + QueueStore,
>(
    store: &S,
) {
    let acme = backends::org(store, "acme").await;
    let channel = store.create_channel(&acme, slack("ops")).await.unwrap();
    assert!(store
        .queue_test_notification(&acme, &ChannelId::generate())
        .await
        .unwrap()
        .is_none());
    let other = backends::org(store, "other").await;
    assert!(store
        .queue_test_notification(&other, &channel.id)
        .await
        .unwrap()
        .is_none());

    let before = Timestamp::now();
    let queued = store
        .queue_test_notification(&acme, &channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(queued.status, NotificationStatus::Pending);
    assert_eq!(queued.event, TEST_NOTIFICATION);
    assert_eq!(queued.channel_id, channel.id);
    assert!(queued.run_id.is_none() && queued.attempts.is_empty());
    let next = queued
        .next_attempt_at
        .expect("a pending delivery's next attempt");
    let skew = next.duration_since(before).as_secs_f64().abs();
    assert!(skew < 5.0, "its queue item is due now, not {next}");

    let item = store
        .lease(&[NOTIFY_KIND.to_owned()], "test", Duration::from_secs(30))
        .await
        .unwrap()
        .expect("the delivery's queue item");
    assert_eq!(item.payload["delivery_id"], json!(queued.id));
    assert_eq!(item.payload["channel_id"], json!(channel.id));
    assert_eq!(item.org_id.as_ref(), Some(&acme));

    store
        .record_notification_attempt(&queued.id, 1, 120, AttemptOutcome::Retrying("503".into()))
        .await
        .unwrap();
    let retrying = store
        .notification_delivery(&acme, &queued.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(retrying.status, NotificationStatus::Pending);
    assert_eq!(retrying.attempts.len(), 1);
    assert_eq!(retrying.attempts[0].status, NotificationStatus::Failed);
    assert_eq!(retrying.attempts[0].error.as_deref(), Some("503"));
    assert_eq!(retrying.attempts[0].latency_ms, 120);
    assert!(retrying.next_attempt_at.is_none(), "its item is leased");

    // The same attempt recorded twice (a redelivered item) is kept once.
    store
        .record_notification_attempt(&queued.id, 1, 130, AttemptOutcome::Retrying("502".into()))
        .await
        .unwrap();
    store
        .record_notification_attempt(&queued.id, 2, 40, AttemptOutcome::Delivered)
        .await
        .unwrap();
    let delivered = store
        .notification_delivery(&acme, &queued.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivered.status, NotificationStatus::Delivered);
    let attempts: Vec<_> = delivered
        .attempts
        .iter()
        .map(|a| (a.attempt, a.status, a.error.clone(), a.latency_ms))
        .collect();
    assert_eq!(
        attempts,
        vec![
            (1, NotificationStatus::Failed, Some("502".to_owned()), 130),
            (2, NotificationStatus::Delivered, None, 40),
        ]
    );
    assert!(store
        .notification_delivery(&other, &queued.id)
        .await
        .unwrap()
        .is_none());

    let listed = store
        .notification_deliveries(&acme, &channel.id, Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items, vec![delivered]);
    assert_eq!(
        store
            .notification_deliveries(&other, &channel.id, Page::default())
            .await
            .unwrap()
            .total,
        0
    );
}

async fn a_dropped_notification_keeps_its_reason<
    S: TenancyStore + ChannelStore + NotificationStore,
>(
    store: &S,
) {
    let acme = backends::org(store, "acme").await;
    let channel = store.create_channel(&acme, slack("ops")).await.unwrap();
    let first = store
        .queue_test_notification(&acme, &channel.id)
        .await
        .unwrap()
        .unwrap();
    let second = store
        .queue_test_notification(&acme, &channel.id)
        .await
        .unwrap()
        .unwrap();
    store
        .drop_notification(&first.id, "the channel is disabled")
        .await
        .unwrap();
    let dropped = store
        .notification_delivery(&acme, &first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dropped.status, NotificationStatus::Dropped);
    assert_eq!(dropped.error.as_deref(), Some("the channel is disabled"));
    assert!(dropped.next_attempt_at.is_none(), "only pending ones wait");
    let page = Page {
        limit: 1,
        offset: 0,
    };
    let listed = store
        .notification_deliveries(&acme, &channel.id, page)
        .await
        .unwrap();
    assert_eq!(listed.total, 2);
    assert_eq!(listed.items.len(), 1);
    let newest = &listed.items[0];
    assert!(
        newest.created_at >= dropped.created_at,
        "newest first: {} before {}",
        newest.id,
        dropped.id
    );
    assert!([&first.id, &second.id].contains(&&newest.id));
    assert!(store.delete_channel(&acme, &channel.id).await.unwrap());
    assert!(
        store
            .notification_delivery(&acme, &second.id)
            .await
            .unwrap()
            .is_none(),
        "deliveries go with their channel"
    );
}
