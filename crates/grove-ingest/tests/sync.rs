//! Syncs end to end over a real store, index and local site: a re-sync
//! re-embeds only the page that changed and deletes pages that are gone;
//! the sync's record, progress, data source status and outbox event follow.

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
use grove_core::sources::{DataSource, SourceKind, SourceStatus, SyncInitiator, SyncStatus};
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
