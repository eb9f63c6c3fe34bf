//! Data sources and syncs on SQLite and PostgreSQL: one active sync per
//! data source (also with two PostgreSQL replicas starting one at once),
//! the sync's queue item written with it, the scheduler's view of what is
//! due, deletion cascading to syncs and documents, and documents listed,
//! filtered and kept when a later read fails.

use std::time::Duration;

use grove_core::ids::DocumentId;
use grove_core::page::Page;
use grove_core::sources::{
    DataSource, Document, DocumentStatus, SourceKind, SourceStatus, SyncFrequency, SyncInitiator,
};
use grove_store::queue::QueueStore;
use grove_store::{
    DataSourceStore, DocumentFilter, DocumentStore, Listed, NewDataSource, SyncProgress, SyncStart,
    SyncStore, TenancyStore, SYNC_KIND,
};
use jiff::{SignedDuration, Timestamp};

mod backends;
use backends::TestDb;

on_each_backend!(
    one_sync_at_a_time_with_its_queue_item,
    the_scheduler_sees_what_is_due,
    a_change_during_a_sync_queues_one_follow_up_when_it_ends,
    documents_are_filtered_paged_and_kept_when_a_later_read_fails,
    a_sync_keeps_what_it_saw_its_progress_and_its_errors,
);

/// What the sync tests need of a store.
trait Stores: TenancyStore + DataSourceStore + SyncStore + QueueStore + DocumentStore {}

impl<S: TenancyStore + DataSourceStore + SyncStore + QueueStore + DocumentStore> Stores for S {}

async fn one_sync_at_a_time_with_its_queue_item<S: Stores>(store: &S) {
    let org = backends::org(store, "acme").await;
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

async fn the_scheduler_sees_what_is_due<S: Stores>(store: &S) {
    let org = backends::org(store, "acme").await;
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

async fn a_change_during_a_sync_queues_one_follow_up_when_it_ends<S: Stores>(store: &S) {
    let org = backends::org(store, "acme").await;
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

fn document(ds: &DataSource, key: &str, title: &str, status: DocumentStatus) -> Document {
    let indexed = status == DocumentStatus::Indexed;
    Document {
        id: DocumentId::generate(),
        data_source_id: ds.id.clone(),
        source_key: key.into(),
        title: title.into(),
        url: Some(format!("https://docs.example/{key}")),
        content_hash: indexed.then(|| "abc:512:50".into()),
        chunks: if indexed { 4 } else { 0 },
        bytes: indexed.then_some(1200),
        status,
        error: (!indexed).then(|| format!("{key}: {status}")),
        indexed_at: indexed.then(|| Timestamp::from_second(1_700_000_000).unwrap()),
    }
}

async fn documents_are_filtered_paged_and_kept_when_a_later_read_fails<S: Stores>(store: &S) {
    let org = backends::org(store, "acme").await;
    let ds = store
        .create_data_source(&org, NewDataSource::new("docs", SourceKind::Website))
        .await
        .unwrap();
    let docs = [
        document(
            &ds,
            "install.html",
            "Installing Grove",
            DocumentStatus::Indexed,
        ),
        document(&ds, "upgrade.html", "Upgrades", DocumentStatus::Indexed),
        document(&ds, "old.html", "old.html", DocumentStatus::Skipped),
        document(&ds, "100%.html", "Full", DocumentStatus::Failed),
    ];
    for doc in docs.clone() {
        store.put_document(&org, doc, None).await.unwrap();
    }
    let list = |filter: DocumentFilter, page: Page| {
        let (org, ds) = (&org, &ds.id);
        async move { store.list_documents(org, ds, &filter, page).await.unwrap() }
    };
    let keys = |listed: &Listed<Document>| -> Vec<String> {
        listed.items.iter().map(|d| d.source_key.clone()).collect()
    };
    let all = list(DocumentFilter::default(), Page::default()).await;
    assert_eq!(all.total, 4);
    assert_eq!(
        keys(&all),
        ["100%.html", "install.html", "old.html", "upgrade.html"]
    );
    assert_eq!(all.items[1], docs[0], "stored as given");
    let page = list(
        DocumentFilter::default(),
        Page {
            limit: 2,
            offset: 1,
        },
    )
    .await;
    assert_eq!(
        (page.total, keys(&page)),
        (4, vec!["install.html".into(), "old.html".into()])
    );
    let text = |t: &str| DocumentFilter {
        text: Some(t.into()),
        ..DocumentFilter::default()
    };
    // Title, URL or key, ignoring case; `%` is a character, not a pattern.
    assert_eq!(
        keys(&list(text("GROVE"), Page::default()).await),
        ["install.html"]
    );
    assert_eq!(
        keys(&list(text("docs.example/upg"), Page::default()).await),
        ["upgrade.html"]
    );
    assert_eq!(keys(&list(text("%"), Page::default()).await), ["100%.html"]);
    // Nor are `_` and `\\` ("l_h" would match "l.html" as a pattern).
    assert!(keys(&list(text("l_h"), Page::default()).await).is_empty());
    assert!(keys(&list(text("\\"), Page::default()).await).is_empty());
    let skipped = DocumentFilter {
        status: Some(DocumentStatus::Skipped),
        ..DocumentFilter::default()
    };
    let skipped = list(skipped, Page::default()).await;
    assert_eq!(
        (skipped.total, keys(&skipped)),
        (1, vec!["old.html".into()])
    );
    assert_eq!(skipped.items[0].error.as_deref(), Some("old.html: skipped"));

    // A failed read keeps the version indexed before.
    let mut failing = docs[0].clone();
    failing.status = DocumentStatus::Failed;
    failing.error = Some("HTTP 500".into());
    (failing.chunks, failing.content_hash, failing.indexed_at) = (0, None, None);
    store
        .put_failed_document(&org, failing, None)
        .await
        .unwrap();
    let kept = store
        .find_document(&org, &docs[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.status, kept.error.as_deref()),
        (DocumentStatus::Failed, Some("HTTP 500"))
    );
    assert_eq!(
        (kept.chunks, &kept.content_hash, kept.indexed_at, kept.bytes),
        (4, &docs[0].content_hash, docs[0].indexed_at, Some(1200))
    );
    // A new document that fails is stored as given.
    let new = document(&ds, "new.html", "new.html", DocumentStatus::Failed);
    store
        .put_failed_document(&org, new.clone(), None)
        .await
        .unwrap();
    assert_eq!(store.find_document(&org, &new.id).await.unwrap(), Some(new));
    // Failures grouped by their reason, the most frequent first.
    let groups = store.failure_counts(&org, &ds.id).await.unwrap();
    let expected = [
        ("100%.html: failed", 1),
        ("HTTP 500", 1),
        ("new.html: failed", 1),
    ];
    let expected: Vec<(String, u64)> = expected.iter().map(|(r, n)| (r.to_string(), *n)).collect();
    assert_eq!(groups, expected);

    // Another organisation finds and deletes nothing.
    let other = backends::org(store, "other").await;
    assert!(store
        .find_document(&other, &docs[1].id)
        .await
        .unwrap()
        .is_none());
    assert!(!store.delete_document(&other, &docs[1].id).await.unwrap());
    assert!(store.delete_document(&org, &docs[1].id).await.unwrap());
    assert!(!store.delete_document(&org, &docs[1].id).await.unwrap());
    assert!(store
        .find_document(&org, &docs[1].id)
        .await
        .unwrap()
        .is_none());
    let left = list(DocumentFilter::default(), Page::default()).await;
    assert_eq!(left.total, 4);
}

async fn a_sync_keeps_what_it_saw_its_progress_and_its_errors<S: Stores>(store: &S) {
    let org = backends::org(store, "acme").await;
    let ds = store
        .create_data_source(&org, NewDataSource::new("docs", SourceKind::Website))
        .await
        .unwrap();
    let start = || store.start_sync(&org, &ds.id, SyncInitiator::Manual);
    let SyncStart::Started(first) = start().await.unwrap() else {
        panic!("nothing was running");
    };
    let [a, b, c] =
        ["a.html", "b.html", "c.html"].map(|key| document(&ds, key, key, DocumentStatus::Indexed));
    for doc in [&a, &b, &c] {
        store
            .put_document(&org, doc.clone(), Some(&first.id))
            .await
            .unwrap();
    }
    store.finish_sync(&first.id, Ok(())).await.unwrap();

    let SyncStart::Started(second) = start().await.unwrap() else {
        panic!("the first sync ended");
    };
    store.mark_sync_running(&second.id).await.unwrap();
    let started_at = store
        .get_sync(&second.id)
        .await
        .unwrap()
        .unwrap()
        .started_at;
    assert!(started_at.is_some());
    tokio::time::sleep(Duration::from_millis(2)).await;
    store.mark_sync_running(&second.id).await.unwrap();
    assert_eq!(
        store
            .get_sync(&second.id)
            .await
            .unwrap()
            .unwrap()
            .started_at,
        started_at,
        "a retry keeps the first start"
    );
    // `a` unchanged, `b` failing, `c` gone; `d` written outside a sync.
    let keys = [a.source_key.clone(), "missing.html".into()];
    store
        .touch_documents(&ds.id, &keys, &second.id)
        .await
        .unwrap();
    let mut failing = document(&ds, "b.html", "b.html", DocumentStatus::Failed);
    failing.error = Some("HTTP 500".into());
    store
        .put_failed_document(&org, failing, Some(&second.id))
        .await
        .unwrap();
    let d = document(&ds, "d.html", "d.html", DocumentStatus::Skipped);
    store.put_document(&org, d.clone(), None).await.unwrap();
    let unseen = store.unseen_documents(&ds.id, &second.id).await.unwrap();
    assert_eq!(unseen, std::slice::from_ref(&c));
    let b_now = store.get_document(&ds.id, "b.html").await.unwrap().unwrap();
    assert_eq!(
        (b_now.id, b_now.status),
        (b.id.clone(), DocumentStatus::Failed)
    );
    assert!(store
        .get_document(&ds.id, "missing.html")
        .await
        .unwrap()
        .is_none());

    let progress = SyncProgress {
        documents_total: 3,
        documents_done: 2,
        documents_failed: 1,
        chunks_indexed: 8,
    };
    store.report_progress(&second.id, progress).await.unwrap();
    for (document, message) in [
        ("b.html", "HTTP 500"),
        ("b.html", "HTTP 503"),
        ("c.html", "gone"),
    ] {
        store
            .record_document_error(&second.id, document, message)
            .await
            .unwrap();
    }
    let errors = store.document_errors(&second.id, 10).await.unwrap();
    let errors: Vec<_> = errors
        .iter()
        .map(|e| (e.document.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [("b.html", "HTTP 503"), ("c.html", "gone")],
        "the latest reason each"
    );
    assert_eq!(store.document_errors(&second.id, 1).await.unwrap().len(), 1);

    store
        .delete_documents(&[c.id.clone(), d.id.clone()])
        .await
        .unwrap();
    let left = store.documents(&ds.id).await.unwrap();
    let left: Vec<_> = left.iter().map(|d| d.source_key.as_str()).collect();
    assert_eq!(left, ["a.html", "b.html"]);

    store.finish_sync(&second.id, Ok(())).await.unwrap();
    let done = store.get_sync(&second.id).await.unwrap().unwrap();
    assert_eq!(done.status.as_str(), "succeeded");
    assert_eq!(
        (
            done.documents_total,
            done.documents_done,
            done.documents_failed,
            done.chunks_indexed
        ),
        (3, 2, 1, 8)
    );
    assert!(done.finished_at.is_some());
    assert_eq!(
        store.latest_sync(&org, &ds.id).await.unwrap().unwrap().id,
        second.id
    );
    let synced = store.recent_events("data_source.synced", 10).await.unwrap();
    assert_eq!(synced.len(), 2);
    assert_eq!(synced[0].data["sync_id"], first.id.as_str(), "oldest first");
    assert_eq!(synced[1].data["sync_id"], second.id.as_str());
    assert_eq!(synced[1].data["chunks_indexed"], 8);
    assert_eq!(
        store.recent_events("data_source.synced", 1).await.unwrap()[0].id,
        synced[1].id
    );
}

/// Leases every queued sync item, returning the syncs they name.
async fn leased_syncs<S: QueueStore>(store: &S) -> Vec<String> {
    let mut ids = Vec::new();
    while let Some(item) = store
        .lease(&[SYNC_KIND.into()], "w", Duration::from_secs(30))
        .await
        .unwrap()
    {
        ids.push(item.payload["sync_id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Two replicas asked at once to sync one data source: exactly one starts
/// a sync (with one queue item), the other is told it is active.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_starting_one_source_start_one_sync() {
    let db = TestDb::new().await;
    let (a, b) = (db.replica().await, db.replica().await);
    let org = backends::org(&a, "acme").await;
    let ds = a
        .create_data_source(&org, NewDataSource::new("docs", SourceKind::Website))
        .await
        .unwrap();
    for _ in 0..10 {
        let (from_a, from_b) = tokio::join!(
            a.start_sync(&org, &ds.id, SyncInitiator::Manual),
            b.start_sync(&org, &ds.id, SyncInitiator::Api),
        );
        let started = match (from_a.unwrap(), from_b.unwrap()) {
            (SyncStart::Started(s), SyncStart::AlreadyActive(id))
            | (SyncStart::AlreadyActive(id), SyncStart::Started(s)) => {
                assert_eq!(id, s.id, "told which sync is active");
                s
            }
            other => panic!("exactly one must start: {other:?}"),
        };
        assert_eq!(leased_syncs(&b).await, [started.id.to_string()]);
        a.finish_sync(&started.id, Ok(())).await.unwrap();
    }
    db.drop_now().await;
}

/// A change announced on one replica while another finishes the running
/// sync is never lost: either it asked for a follow-up the finish queued,
/// or it came after and started a sync itself — one sync is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_racing_the_end_of_a_sync_leaves_one_queued() {
    let db = TestDb::new().await;
    let (a, b) = (db.replica().await, db.replica().await);
    let org = backends::org(&a, "acme").await;
    let ds = a
        .create_data_source(&org, NewDataSource::new("files", SourceKind::File))
        .await
        .unwrap();
    let SyncStart::Started(mut running) = a
        .start_sync(&org, &ds.id, SyncInitiator::Api)
        .await
        .unwrap()
    else {
        panic!("nothing was running");
    };
    assert_eq!(leased_syncs(&a).await, [running.id.to_string()]);
    for _ in 0..10 {
        a.mark_sync_running(&running.id).await.unwrap();
        let (finished, changed) = tokio::join!(
            a.finish_sync(&running.id, Ok(())),
            b.start_or_follow_up_sync(&org, &ds.id, SyncInitiator::Api),
        );
        finished.unwrap();
        changed.unwrap();
        let latest = a.latest_sync(&org, &ds.id).await.unwrap().unwrap();
        assert_ne!(latest.id, running.id);
        assert_eq!(latest.status.as_str(), "queued", "the change is synced");
        assert_eq!(
            leased_syncs(&b).await,
            [latest.id.to_string()],
            "its queue item with it, and no other"
        );
        running = latest;
    }
    db.drop_now().await;
}
