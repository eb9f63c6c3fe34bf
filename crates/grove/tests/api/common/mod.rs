//! Test harness: a real server on a random loopback port over a fresh data
//! directory, with two organisations provisioned, and a small HTTP client.
//! With `GROVE_TEST_STORE=postgres` each server keeps its records in a fresh
//! PostgreSQL database on 127.0.0.1:5432 instead of the embedded SQLite
//! file (the database is dropped with the server).

#![allow(dead_code)]

pub mod receiver;

use std::sync::Arc;

use grove_core::config::Config;
use grove_search::SearchEngine;
use grove_server::provision::{provision_org, Credentials};
use grove_server::{open_search, open_store, Server};
use grove_store::Store;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestServer {
    pub base: String,
    pub org_a: Credentials,
    pub org_b: Credentials,
    pub store: Arc<dyn Store>,
    pub search: Arc<SearchEngine>,
    pub client: reqwest::Client,
    server: Option<Server>,
    dir: tempfile::TempDir,
    /// Files outside the data directory (databases for connectors).
    scratch: tempfile::TempDir,
    /// The PostgreSQL database of this server, under `GROVE_TEST_STORE=postgres`.
    database: Option<PgDatabase>,
}

/// A PostgreSQL database made for one test server, dropped (with its
/// connections) when this is dropped.
pub struct PgDatabase {
    name: String,
}

const PG_ADMIN: &str = "host=127.0.0.1 port=5432 user=postgres dbname=test";

impl PgDatabase {
    /// A fresh database when the tests run against PostgreSQL.
    async fn for_this_run() -> Option<Self> {
        if std::env::var("GROVE_TEST_STORE").as_deref() != Ok("postgres") {
            return None;
        }
        let name = format!("grove_api_{:016x}", rand::random::<u64>());
        let (client, connection) = tokio_postgres::connect(PG_ADMIN, tokio_postgres::NoTls)
            .await
            .expect("PostgreSQL on 127.0.0.1:5432");
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        Some(Self { name })
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(PG_ADMIN, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            addr: "127.0.0.1:0".into(),
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        // Tests exercise many routes per key; limits get their own test.
        for quota in [
            &mut config.rate_limits.read,
            &mut config.rate_limits.write,
            &mut config.rate_limits.execute,
            &mut config.rate_limits.admin,
        ] {
            quota.per_minute = 100_000;
            quota.burst = 100_000;
        }
        if std::env::var_os("GROVE_TEST_LOG").is_some() {
            // The server's log in the test's output (`--no-capture`).
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_env("GROVE_TEST_LOG"))
                .with_test_writer()
                .try_init();
        }
        let database = PgDatabase::for_this_run().await;
        config.store.url = database.as_ref().map(PgDatabase::url);
        tweak(&mut config);
        let store = open_store(&config).await.unwrap();
        let org_a = provision_org(store.as_ref(), "org-a", "admin@a.example")
            .await
            .unwrap();
        let org_b = provision_org(store.as_ref(), "org-b", "admin@b.example")
            .await
            .unwrap();
        let (search, status) = open_search(&config).unwrap();
        let server = Server::start(
            config,
            store.clone(),
            search.clone(),
            &status,
            grove_console::router(),
        )
        .await
        .unwrap();
        Self {
            base: format!("http://{}", server.addr),
            org_a,
            org_b,
            store,
            search,
            client: reqwest::Client::new(),
            server: Some(server),
            dir,
            scratch: tempfile::tempdir().unwrap(),
            database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request with a bearer key (if any) and a JSON body (if any).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        read(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, key: &str) -> Reply {
        self.call(Method::GET, path, Some(key), None).await
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(key), Some(body)).await
    }

    /// Creates a key in org A with the given scopes and permissions.
    pub async fn key_with(&self, scopes: &[&str], permissions: &[&str]) -> (String, String) {
        let reply = self
            .post(
                "/api/v1/api-keys",
                &self.org_a.api_key,
                serde_json::json!({ "name": "test key", "scopes": scopes, "permissions": permissions }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        (
            reply.body["key"].as_str().unwrap().to_owned(),
            reply.body["id"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn stop(self) {
        self.stop_keeping_data().await;
    }

    /// The embedded store's database file.
    pub fn store_path(&self) -> std::path::PathBuf {
        self.dir.path().join("grove.db")
    }

    /// A directory outside the data directory, gone with the server.
    pub fn scratch(&self) -> &std::path::Path {
        self.scratch.path()
    }

    /// Stops the server and hands over its data (the directory, and the
    /// PostgreSQL database when there is one), which lives until the
    /// returned guard is dropped.
    pub async fn stop_keeping_data(mut self) -> KeptData {
        if let Some(server) = self.server.take() {
            server.shutdown();
            server.wait().await.unwrap();
        }
        KeptData {
            dir: self.dir,
            database: self.database.take(),
        }
    }

    /// Whether this server keeps its records in PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.database.is_some()
    }

    /// Runs `sql` (placeholders `$1`, `$2`, … filled with `params`) on the
    /// store's database as stored, whichever backend it is: for tests that
    /// set up a state no route makes.
    pub async fn execute_sql(&self, sql: &str, params: &[&str]) -> u64 {
        match &self.database {
            Some(db) => {
                let (client, connection) =
                    tokio_postgres::connect(&db.url(), tokio_postgres::NoTls)
                        .await
                        .unwrap();
                tokio::spawn(connection);
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                client.execute(sql, &params).await.unwrap()
            }
            None => {
                let db = rusqlite::Connection::open(self.store_path()).unwrap();
                db.execute(sql, rusqlite::params_from_iter(params)).unwrap() as u64
            }
        }
    }
}

/// A stopped server's data: its directory and, on PostgreSQL, its database.
pub struct KeptData {
    dir: tempfile::TempDir,
    database: Option<PgDatabase>,
}

impl KeptData {
    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The variables a `grove` command needs to open this data's store.
    pub fn store_env(&self) -> Vec<(&'static str, String)> {
        self.database
            .iter()
            .map(|db| ("GROVE_DATABASE_URL", db.url()))
            .collect()
    }

    /// The PostgreSQL database's URL, when there is one.
    pub fn database_url(&self) -> Option<String> {
        self.database.as_ref().map(PgDatabase::url)
    }
}

pub async fn read(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// Serves the files under `root` over HTTP on a loopback port (content type
/// by extension); returns the base URL.
pub async fn serve_dir(root: std::path::PathBuf) -> String {
    use axum::http::{header, StatusCode, Uri};
    use axum::response::IntoResponse;
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let root = root.clone();
        async move {
            let relative = uri.path().trim_start_matches('/');
            if relative.split('/').any(|part| part == "..") {
                return StatusCode::BAD_REQUEST.into_response();
            }
            let path = root.join(relative);
            let kind = match path.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "application/javascript",
                Some("txt") => "text/plain",
                _ => "application/octet-stream",
            };
            match std::fs::read(&path) {
                Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Polls a data source's status until its sync ends; checks that a running
/// sync never shows 100 %.
pub async fn wait_for_sync(t: &TestServer, key: &str, id: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(900);
    loop {
        let status = t
            .get(&format!("/api/v1/data-sources/{id}/status"), key)
            .await;
        assert_eq!(status.status, StatusCode::OK, "{}", status.body);
        match status.body["sync_status"].as_str() {
            Some("succeeded" | "failed") => return status.body,
            _ => {
                let pct = status.body["progress_pct"].as_u64().unwrap();
                assert!(
                    pct <= 99,
                    "a running sync shows at most 99 %: {}",
                    status.body
                );
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sync did not finish: {}",
            status.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// Uploads files to a `file` data source (which queues its sync).
pub async fn upload(t: &TestServer, key: &str, id: &str, files: &[(&str, Vec<u8>)]) -> Reply {
    let mut form =
        reqwest::multipart::Form::new().text("note", "form fields without a file are ignored");
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let resp = t
        .client
        .post(t.url(&format!("/api/v1/data-sources/{id}/files")))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    read(resp).await
}

/// A `file` data source holding one page about the greenhouse vents
/// ("open above 28 degrees"), synced; returns its id.
pub async fn greenhouse_source(t: &TestServer, key: &str) -> String {
    let ds = t
        .post(
            "/api/v1/data-sources",
            key,
            serde_json::json!({"type": "file", "name": "Garden"}),
        )
        .await;
    assert_eq!(ds.status, StatusCode::CREATED, "{}", ds.body);
    let source = ds.body["id"].as_str().unwrap().to_owned();
    let files = [(
        "greenhouse.md",
        b"# Greenhouse\n\nThe greenhouse vents open automatically when the temperature rises above 28 degrees. They close again at night.\n".to_vec(),
    )];
    assert_eq!(
        upload(t, key, &source, &files).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        wait_for_sync(t, key, &source).await["sync_status"],
        "succeeded"
    );
    source
}
