//! Data sources and syncs against a real SQLite file: one active sync per
//! data source, the sync's queue item written with it, the scheduler's view
//! of what is due, and deletion cascading to syncs and documents.

use std::time::Duration;

use grove_core::apikey::{self, KeyEnvironment};
use grove_core::ids::OrgId;
use grove_core::model::Role;
use grove_core::page::Page;
use grove_core::sources::{SourceKind, SourceStatus, SyncFrequency, SyncInitiator};
use grove_store::queue::QueueStore;
use grove_store::sqlite::SqliteStore;
use grove_store::{
    DataSourceStore, NewApiKey, NewDataSource, NewUser, ProvisionOrg, SyncStart, SyncStore,
    TenancyStore, SYNC_KIND,
};
use jiff::{SignedDuration, Timestamp};

async fn org(store: &SqliteStore) -> OrgId {
    let key = apikey::generate(KeyEnvironment::Live);
    store
        .provision_org(ProvisionOrg {
            name: "acme".into(),
            admin: NewUser {
                email: "admin@acme.example".into(),
                name: "Admin".into(),
                role: Role::Admin,
            },
            admin_key: NewApiKey {
                org_id: OrgId::generate(),
                user_id: None,
                name: "bootstrap".into(),
                prefix: key.prefix,
                hash: key.hash,
                environment: KeyEnvironment::Live,
                scopes: vec![],
                permissions: vec![],
                expires_at: None,
            },
        })
        .await
        .unwrap()
        .org
        .id
}

#[tokio::test]
async fn one_sync_at_a_time_with_its_queue_item() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    let org = org(&store).await;
    let ds = store
        .create_data_source(&org, NewDataSource::new("docs", SourceKind::Website))
        .await
        .unwrap();
    let SyncStart::Started(first) = store
        .start_sync(&org, &ds.id, SyncInitiator::Manual)
        .await
        .unwrap()
    else {
        panic!("nothing was running");
    };
    let SyncStart::AlreadyActive(active) = store
        .start_sync(&org, &ds.id, SyncInitiator::Api)
        .await
        .unwrap()
    else {
        panic!("a second sync started");
    };
    assert_eq!(active, first.id);
    let item = store
        .lease(&[SYNC_KIND.into()], "w", Duration::from_secs(30))
        .await
        .unwrap()
        .expect("the sync's item was enqueued with it");
    assert_eq!(item.payload["sync_id"], first.id.as_str());
    assert!(
        store
            .lease(&[SYNC_KIND.into()], "w", Duration::from_secs(30))
            .await
            .unwrap()
            .is_none(),
        "exactly one item"
    );

    store.mark_sync_running(&first.id).await.unwrap();
    let listed = store
        .list_data_sources(&org, Some(SourceStatus::Processing), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 1);
    store.finish_sync(&first.id, Ok(())).await.unwrap();
    assert!(matches!(
        store
            .start_sync(&org, &ds.id, SyncInitiator::Manual)
            .await
            .unwrap(),
        SyncStart::Started(_)
    ));

    assert!(store.delete_data_source(&org, &ds.id).await.unwrap());
    assert!(
        store.get_sync(&first.id).await.unwrap().is_none(),
        "syncs go with it"
    );
}

#[tokio::test]
async fn the_scheduler_sees_what_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    let org = org(&store).await;
    let manual = store
        .create_data_source(&org, NewDataSource::new("manual", SourceKind::Website))
        .await
        .unwrap();
    let mut hourly = NewDataSource::new("hourly", SourceKind::Website);
    hourly.sync_frequency = SyncFrequency::Hourly;
    let hourly = store.create_data_source(&org, hourly).await.unwrap();
    let now = Timestamp::now();
    let due = store.due_data_sources(now).await.unwrap();
    assert_eq!(
        due.iter().map(|d| &d.id).collect::<Vec<_>>(),
        [&hourly.id],
        "never synced: due now"
    );
    assert_ne!(due[0].id, manual.id);

    let SyncStart::Started(sync) = store
        .start_sync(&org, &hourly.id, SyncInitiator::Schedule)
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(
        store.due_data_sources(now).await.unwrap().is_empty(),
        "a sync is queued"
    );
    store
        .finish_sync(&sync.id, Err("site down".into()))
        .await
        .unwrap();
    assert!(
        store.due_data_sources(now).await.unwrap().is_empty(),
        "a failed sync is not retried before the interval"
    );
    let later = now + SignedDuration::from_mins(61);
    assert_eq!(store.due_data_sources(later).await.unwrap().len(), 1);
    let events = store.pending_events(10).await.unwrap();
    assert_eq!(events[0].event, "data_source.failed");
    assert_eq!(events[0].data["error"], "site down");
}

#[tokio::test]
async fn a_change_during_a_sync_queues_one_follow_up_when_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    let org = org(&store).await;
    let ds = store
        .create_data_source(&org, NewDataSource::new("files", SourceKind::File))
        .await
        .unwrap();
    let SyncStart::Started(first) = store
        .start_or_follow_up_sync(&org, &ds.id, SyncInitiator::Api)
        .await
        .unwrap()
    else {
        panic!("nothing was running");
    };
    store.mark_sync_running(&first.id).await.unwrap();
    // Two changes while it runs ask for one follow-up.
    for _ in 0..2 {
        let started = store
            .start_or_follow_up_sync(&org, &ds.id, SyncInitiator::Api)
            .await
            .unwrap();
        assert!(matches!(started, SyncStart::AlreadyActive(ref id) if *id == first.id));
    }
    store.finish_sync(&first.id, Ok(())).await.unwrap();
    let follow_up = store.latest_sync(&org, &ds.id).await.unwrap().unwrap();
    assert_ne!(follow_up.id, first.id);
    assert_eq!(follow_up.status.as_str(), "queued");
    let leased: Vec<String> = {
        let mut ids = Vec::new();
        while let Some(item) = store
            .lease(&[SYNC_KIND.into()], "w", Duration::from_secs(30))
            .await
            .unwrap()
        {
            ids.push(item.payload["sync_id"].as_str().unwrap().to_owned());
        }
        ids
    };
    assert_eq!(leased, [first.id.to_string(), follow_up.id.to_string()]);

    // The follow-up ends with nothing more asked: no third sync.
    store.finish_sync(&follow_up.id, Ok(())).await.unwrap();
    let latest = store.latest_sync(&org, &ds.id).await.unwrap().unwrap();
    assert_eq!(latest.id, follow_up.id);
    // A plain start while one runs asks for nothing.
    let SyncStart::Started(third) = store
        .start_sync(&org, &ds.id, SyncInitiator::Api)
        .await
        .unwrap()
    else {
        panic!("nothing was running");
    };
    assert!(matches!(
        store
            .start_sync(&org, &ds.id, SyncInitiator::Api)
            .await
            .unwrap(),
        SyncStart::AlreadyActive(_)
    ));
    store.finish_sync(&third.id, Ok(())).await.unwrap();
    let latest = store.latest_sync(&org, &ds.id).await.unwrap().unwrap();
    assert_eq!(latest.id, third.id);
}
