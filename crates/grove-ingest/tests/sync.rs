//! Syncs end to end over a real store, index and local site: a re-sync
//! re-embeds only the page that changed and deletes pages that are gone;
//! the sync's record, progress, data source status and outbox event follow;
//! documents that fail or are skipped are recorded with the reason, by a
//! sync and by `grove ingest dir` alike.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use grove_core::apikey::KeyEnvironment;
use grove_core::config::Config;
use grove_core::ids::OrgId;
use grove_core::model::Role;
use grove_core::sources::{
    DataSource, DocumentStatus, SourceKind, SourceStatus, SyncInitiator, SyncStatus,
};
use grove_ingest::sync::SyncRunner;
use grove_search::embed::models::locate_minilm;
use grove_search::embed::{EmbedError, Embedder, EmbedderInfo, LocalMiniLm};
use grove_search::{SearchEngine, SearchSettings};
use grove_store::queue::JobHandler;
use grove_store::queue::QueueStore;
use grove_store::sqlite::SqliteStore;
use grove_store::{
    DataSourceStore, NewApiKey, NewDataSource, NewUser, ProvisionOrg, SyncStart, SyncStore,
    TenancyStore, SYNC_KIND,
};
use serde_json::json;

/// The local model, counting the texts it embeds.
struct Counting {
    inner: Arc<LocalMiniLm>,
    texts: AtomicUsize,
}

#[async_trait]
impl Embedder for Counting {
    fn info(&self) -> &EmbedderInfo {
        self.inner.info()
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.texts.fetch_add(texts.len(), Ordering::SeqCst);
        self.inner.embed(texts).await
    }
}

fn minilm() -> Arc<LocalMiniLm> {
    static MODEL: OnceLock<Arc<LocalMiniLm>> = OnceLock::new();
    MODEL
        .get_or_init(|| Arc::new(LocalMiniLm::load(&locate_minilm(None).unwrap()).unwrap()))
        .clone()
}

type Pages = Arc<Mutex<HashMap<String, String>>>;

async fn page(State(pages): State<Pages>, uri: Uri) -> Response {
    match pages.lock().unwrap().get(uri.path()) {
        Some(body) => ([(header::CONTENT_TYPE, "text/html")], body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn html(title: &str, body: &str) -> String {
    format!("<html><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>")
}

struct Fixture {
    store: Arc<SqliteStore>,
    engine: Arc<SearchEngine>,
    counting: Arc<Counting>,
    runner: SyncRunner,
    ds: DataSource,
    pages: Pages,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let pages: Pages = Arc::default();
    {
        let mut p = pages.lock().unwrap();
        p.insert(
            "/index.html".into(),
            html("Home", r#"<p>The handbook.</p><a href="a.html">A</a> <a href="b.html">B</a> <a href="c.html">C</a>"#),
        );
        p.insert(
            "/a.html".into(),
            html("Refunds", "<p>Refunds are processed within 30 days.</p>"),
        );
        p.insert(
            "/b.html".into(),
            html("Shipping", "<p>Orders ship within two business days.</p>"),
        );
        p.insert(
            "/c.html".into(),
            html("Pricing", "<p>The team plan costs 99 dollars a month.</p>"),
        );
    }
    let app = Router::new().fallback(page).with_state(pages.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("grove.db")).unwrap());
    let org = store
        .provision_org(ProvisionOrg {
            name: "org".into(),
            admin: NewUser {
                email: "admin@example.com".into(),
                name: "Admin".into(),
                role: Role::Admin,
            },
            admin_key: NewApiKey {
                org_id: OrgId::generate(),
                user_id: None,
                name: "admin".into(),
                prefix: "gk_test".into(),
                hash: "0".repeat(64),
                environment: KeyEnvironment::Test,
                scopes: vec![],
                permissions: vec![],
                expires_at: None,
            },
        })
        .await
        .unwrap()
        .org;
    let mut new = NewDataSource::new("Handbook", SourceKind::Website);
    new.config = json!({ "url": format!("http://{addr}/index.html") });
    let ds = store.create_data_source(&org.id, new).await.unwrap();
    let counting = Arc::new(Counting {
        inner: minilm(),
        texts: AtomicUsize::new(0),
    });
    let engine = Arc::new(
        SearchEngine::open(
            &dir.path().join("index"),
            Some(counting.clone() as Arc<dyn Embedder>),
            SearchSettings::default(),
        )
        .unwrap(),
    );
    let config = Arc::new(Config {
        allow_private_networks: true,
        ..Config::default()
    });
    let runner = SyncRunner::new(
        store.clone(),
        engine.clone(),
        grove_ingest::chunk::token_counter(&config),
        config,
    )
    .unwrap();
    Fixture {
        store,
        engine,
        counting,
        runner,
        ds,
        pages,
        _dir: dir,
    }
}

impl Fixture {
    /// Queues a sync, leases its queue item and runs it; returns the sync.
    async fn sync(&self) -> grove_core::sources::SourceSync {
        let SyncStart::Started(sync) = self
            .store
            .start_sync(&self.ds.org_id, &self.ds.id, SyncInitiator::Manual)
            .await
            .unwrap()
        else {
            panic!("a sync was already active");
        };
        let item = self
            .store
            .lease(&[SYNC_KIND.to_owned()], "test", Duration::from_secs(60))
            .await
            .unwrap()
            .expect("the sync's queue item");
        assert_eq!(item.payload["sync_id"], sync.id.as_str());
        self.runner.handle(&item).await.unwrap();
        self.store.complete(&item).await.unwrap();
        self.store.get_sync(&sync.id).await.unwrap().unwrap()
    }

    fn chunks(&self) -> u64 {
        self.engine
            .count(self.ds.org_id.as_str(), Some(&[self.ds.id.to_string()]))
            .unwrap()
    }
}

#[tokio::test]
async fn a_resync_reembeds_only_what_changed_and_drops_what_is_gone() {
    let f = fixture().await;
    let first = f.sync().await;
    assert_eq!(first.status, SyncStatus::Succeeded, "{:?}", first.error);
    assert_eq!((first.documents_done, first.documents_failed), (4, 0));
    assert_eq!(first.documents_total, 4);
    let chunks = f.chunks();
    assert_eq!(first.chunks_indexed, chunks);
    assert_eq!(
        f.counting.texts.load(Ordering::SeqCst) as u64,
        chunks,
        "everything embedded once"
    );
    let ds = f
        .store
        .get_data_source(&f.ds.org_id, &f.ds.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ds.status, SourceStatus::Active);
    assert!(ds.last_synced_at.is_some());

    // Nothing changed: nothing is embedded again.
    f.counting.texts.store(0, Ordering::SeqCst);
    let unchanged = f.sync().await;
    assert_eq!(unchanged.status, SyncStatus::Succeeded);
    assert_eq!(f.counting.texts.load(Ordering::SeqCst), 0);
    assert_eq!(f.chunks(), chunks);

    // One page changes and one disappears from the site.
    {
        let mut p = f.pages.lock().unwrap();
        p.insert(
            "/b.html".into(),
            html(
                "Shipping",
                "<p>Orders now ship the same day from two warehouses.</p>",
            ),
        );
        p.insert(
            "/index.html".into(),
            html(
                "Home",
                r#"<p>The handbook.</p><a href="a.html">A</a> <a href="b.html">B</a>"#,
            ),
        );
        p.remove("/c.html");
    }
    let second = f.sync().await;
    assert_eq!(second.status, SyncStatus::Succeeded);
    let index = f
        .store
        .get_document(&f.ds.id, f.ds.config["url"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let b_key = index.source_key.replace("index.html", "b.html");
    let b = f
        .store
        .get_document(&f.ds.id, &b_key)
        .await
        .unwrap()
        .unwrap();
    let c_key = index.source_key.replace("index.html", "c.html");
    assert!(
        f.store
            .get_document(&f.ds.id, &c_key)
            .await
            .unwrap()
            .is_none(),
        "c is gone"
    );
    assert_eq!(
        f.counting.texts.load(Ordering::SeqCst) as u32,
        b.chunks + index.chunks,
        "only the changed pages (b, and the index whose links changed) are embedded"
    );
    let hits = f
        .engine
        .search(grove_search::SearchRequest {
            org_id: f.ds.org_id.to_string(),
            query: "team plan price".into(),
            mode: grove_search::Mode::Lexical,
            top_k: 5,
            threshold: 0.0,
            data_source_ids: None,
        })
        .await
        .unwrap();
    assert!(
        hits.hits.iter().all(|h| h.chunk.input.title != "Pricing"),
        "the removed page's chunks left the index"
    );
    let events = f.store.pending_events(10).await.unwrap();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.event == "data_source.synced"));
    assert_eq!(events[2].data["sync_id"], second.id.as_str());
}

#[tokio::test]
async fn a_second_sync_waits_for_the_first_and_failures_are_recorded() {
    let f = fixture().await;
    let SyncStart::Started(first) = f
        .store
        .start_sync(&f.ds.org_id, &f.ds.id, SyncInitiator::Api)
        .await
        .unwrap()
    else {
        panic!("no sync was active");
    };
    match f
        .store
        .start_sync(&f.ds.org_id, &f.ds.id, SyncInitiator::Api)
        .await
        .unwrap()
    {
        SyncStart::AlreadyActive(id) => assert_eq!(id, first.id),
        SyncStart::Started(_) => panic!("two syncs of one data source"),
    }
    let item = f
        .store
        .lease(&[SYNC_KIND.to_owned()], "test", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    f.pages.lock().unwrap().remove("/b.html");
    f.runner.handle(&item).await.unwrap();
    let done = f.store.get_sync(&first.id).await.unwrap().unwrap();
    assert_eq!(
        done.status,
        SyncStatus::Succeeded,
        "one failing page never fails the sync"
    );
    assert_eq!((done.documents_done, done.documents_failed), (3, 1));
    let errors = f.store.document_errors(&first.id, 10).await.unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].document.ends_with("/b.html") && errors[0].message.contains("404"),
        "{errors:?}"
    );

    // The site is down entirely: the sync fails and keeps what was indexed.
    let before = f.chunks();
    f.pages.lock().unwrap().clear();
    let failed = f.sync().await;
    assert_eq!(failed.status, SyncStatus::Failed);
    assert!(
        failed.error.as_deref().unwrap_or("").contains("start page"),
        "{:?}",
        failed.error
    );
    assert_eq!(f.chunks(), before);
    let ds = f
        .store
        .get_data_source(&f.ds.org_id, &f.ds.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ds.status, SourceStatus::Failed);
    let events = f.store.pending_events(10).await.unwrap();
    assert_eq!(events.last().unwrap().event, "data_source.failed");
}

#[tokio::test]
async fn documents_record_what_failed_or_was_skipped_and_why() {
    let f = fixture().await;
    {
        let mut p = f.pages.lock().unwrap();
        p.insert(
            "/index.html".into(),
            html(
                "Home",
                r#"<p>The handbook.</p><a href="a.html">A</a> <a href="old.html">old</a> <a href="blank.html">blank</a>"#,
            ),
        );
        p.insert(
            "/old.html".into(),
            r#"<html><head><meta http-equiv="refresh" content="0; URL=a.html"></head><body></body></html>"#.into(),
        );
        p.insert(
            "/blank.html".into(),
            "<html><head><title>Blank</title></head><body></body></html>".into(),
        );
    }
    let url = |page: &str| {
        f.ds.config["url"]
            .as_str()
            .unwrap()
            .replace("index.html", page)
    };
    let doc = |page: &str| {
        let key = url(page);
        let store = f.store.clone();
        let ds = f.ds.id.clone();
        async move { store.get_document(&ds, &key).await.unwrap().unwrap() }
    };
    let first = f.sync().await;
    assert_eq!((first.documents_done, first.documents_failed), (4, 0));
    let a = doc("a.html").await;
    assert_eq!(
        (a.status, a.error.as_deref()),
        (DocumentStatus::Indexed, None)
    );
    assert!(a.chunks > 0 && a.indexed_at.is_some(), "{a:?}");
    let page_a = html("Refunds", "<p>Refunds are processed within 30 days.</p>");
    assert_eq!(a.bytes, Some(page_a.len() as u64));
    assert_eq!(
        a.content_sha256(),
        Some(grove_ingest::source::content_hash(page_a.as_bytes()).as_str())
    );
    let old = doc("old.html").await;
    assert_eq!(old.status, DocumentStatus::Skipped);
    assert!(
        old.error.as_deref().unwrap().contains("meta refresh"),
        "{old:?}"
    );
    assert_eq!((old.chunks, old.indexed_at), (0, None));
    let blank = doc("blank.html").await;
    assert_eq!(
        (blank.status, blank.error.as_deref()),
        (DocumentStatus::Skipped, Some("no text could be extracted"))
    );
    assert!(blank.bytes.is_some() && blank.content_hash.is_some());

    // A.html now fails: it is recorded as failed, and its earlier version
    // stays indexed and searchable.
    f.pages.lock().unwrap().remove("/a.html");
    let second = f.sync().await;
    assert_eq!(second.documents_failed, 1);
    let failed = doc("a.html").await;
    assert_eq!(failed.status, DocumentStatus::Failed);
    assert!(
        failed.error.as_deref().unwrap().contains("HTTP 404"),
        "{failed:?}"
    );
    assert_eq!(
        (failed.chunks, failed.indexed_at, &failed.content_hash),
        (a.chunks, a.indexed_at, &a.content_hash),
        "the earlier version is kept"
    );
    let hits = f
        .engine
        .search(grove_search::SearchRequest {
            org_id: f.ds.org_id.to_string(),
            query: "refunds processed".into(),
            mode: grove_search::Mode::Lexical,
            top_k: 5,
            threshold: 0.0,
            data_source_ids: None,
        })
        .await
        .unwrap();
    assert!(hits.hits.iter().any(|h| h.chunk.input.title == "Refunds"));

    // Back again: indexed, with no error.
    f.pages.lock().unwrap().insert("/a.html".into(), page_a);
    f.sync().await;
    let again = doc("a.html").await;
    assert_eq!(
        (again.status, again.error.as_deref()),
        (DocumentStatus::Indexed, None)
    );
    assert!(again.indexed_at > a.indexed_at);
}

#[tokio::test]
async fn a_local_directory_records_its_documents_like_a_sync() {
    let f = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    let files: [(&str, &[u8]); 4] = [
        ("guide.md", b"# Guide\n\nWater the tomatoes every morning."),
        ("title-only.md", b"# Nothing below"),
        (
            "moved.html",
            br#"<html><head><meta http-equiv="refresh" content="0; URL=guide.html"></head></html>"#,
        ),
        ("latin1.txt", b"caf\xe9"),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let job = grove_ingest::local::DirectoryIngest {
        dir: dir.path(),
        name: "notes",
        exclude: &[],
        settings: grove_ingest::chunk::ChunkSettings::default(),
    };
    let report = grove_ingest::local::index_directory(
        f.store.as_ref(),
        &f.engine,
        &f.ds.org_id,
        job,
        &grove_ingest::chunk::WordCounter,
    )
    .await
    .unwrap();
    assert_eq!(report.documents, 1);
    let ds = grove_core::ids::DataSourceId::parse(&report.data_source_id).unwrap();
    let docs = f.store.documents(&ds).await.unwrap();
    let by_key = |key: &str| docs.iter().find(|d| d.source_key == key).unwrap();
    let guide = by_key("guide.md");
    assert_eq!(
        (guide.status, guide.chunks as usize),
        (DocumentStatus::Indexed, report.chunks)
    );
    assert_eq!(guide.bytes, Some(files[0].1.len() as u64));
    assert!(guide.indexed_at.is_some() && guide.url.as_deref().unwrap().starts_with("file://"));
    let status = |key: &str| (by_key(key).status, by_key(key).error.clone().unwrap());
    assert_eq!(
        status("title-only.md"),
        (DocumentStatus::Skipped, "no text could be extracted".into())
    );
    let (moved, why) = status("moved.html");
    assert!(
        moved == DocumentStatus::Skipped && why.contains("meta refresh"),
        "{why}"
    );
    let (latin1, why) = status("latin1.txt");
    assert!(
        latin1 == DocumentStatus::Failed && why.contains("UTF-8"),
        "{why}"
    );
    assert_eq!(docs.len(), 4);
}
