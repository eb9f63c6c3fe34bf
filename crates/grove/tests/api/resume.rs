//! Syncs through the `grove` binary: one survives `kill -9` (killed mid-sync,
//! started again on the same data directory, it finishes from the durable
//! queue with the same documents and chunks as an uninterrupted sync), and
//! `grove sources add|upload|sync|status` drive syncs from the command line,
//! and `grove ask` streams an agent's answer.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{json, Value};

const PAGES: usize = 40;

/// A site of `pages` pages, each a little slow, all linked from the index.
async fn slow_site(pages: usize) -> String {
    let app = axum::Router::new().route(
        "/{page}",
        axum::routing::get(move |Path(page): Path<String>| async move {
            tokio::time::sleep(Duration::from_millis(40)).await;
            let body = if page == "index.html" {
                (0..pages)
                    .map(|i| format!("<a href=\"p{i}.html\">page {i}</a>"))
                    .collect::<String>()
            } else {
                let n: usize = page.trim_start_matches('p').trim_end_matches(".html").parse().unwrap_or(0);
                format!(
                    "<h2>Topic {n}</h2><p>{}</p><h2>Details</h2><p>{}</p>",
                    format!("Section {n} explains widget number {n} and its maintenance schedule. ").repeat(6),
                    format!("Widget {n} needs oil every {n} weeks and a new belt each year. ").repeat(6),
                )
            };
            (
                [(header::CONTENT_TYPE, "text/html")],
                format!("<html><head><title>{page}</title></head><body><main>{body}</main></body></html>"),
            )
                .into_response()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

struct Grove {
    data: std::path::PathBuf,
    base: String,
    key: String,
    child: Option<Child>,
    port: u16,
}

fn grove(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
    cmd.env_remove("GROVE_CONFIG")
        .env("RUST_LOG", "warn")
        .env("GROVE_ALLOW_PRIVATE_NETWORKS", "true")
        .env("GROVE_QUEUE__LEASE_SECONDS", "2")
        .env("GROVE_QUEUE__POLL_INTERVAL_MS", "50")
        .env("GROVE_DATA_DIR", data);
    cmd
}

impl Grove {
    fn init(dir: &std::path::Path) -> Self {
        let data = dir.to_path_buf();
        let out = grove(&data).args(["init", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let creds: Value = serde_json::from_slice(&out.stdout).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self {
            data,
            base: format!("http://127.0.0.1:{port}"),
            key: creds["api_key"].as_str().unwrap().to_owned(),
            child: None,
            port,
        }
    }

    async fn start(&mut self) {
        let child = grove(&self.data)
            .args(["serve", "--addr", &format!("127.0.0.1:{}", self.port)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        for _ in 0..200 {
            if reqwest::get(format!("{}/healthz", self.base)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("grove did not start");
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap().json().await.unwrap()
    }

    async fn status(&self, id: &str) -> Value {
        self.call(
            reqwest::Method::GET,
            &format!("/api/v1/data-sources/{id}/status"),
            None,
        )
        .await
    }

    /// Creates the website source and queues its sync; returns its id.
    async fn sync_site(&self, site: &str) -> String {
        let ds = self
            .call(
                reqwest::Method::POST,
                "/api/v1/data-sources",
                Some(json!({"type": "website", "name": "Widgets", "config": {"url": format!("{site}/index.html")}})),
            )
            .await;
        let id = ds["id"].as_str().unwrap().to_owned();
        let queued = self
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/data-sources/{id}/sync"),
                Some(json!({})),
            )
            .await;
        assert!(queued["sync_id"].is_string(), "{queued}");
        id
    }

    async fn wait_until(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let status = self.status(id).await;
            if done(&status) {
                return status;
            }
            assert!(Instant::now() < deadline, "gave up waiting: {status}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Grove {
    fn drop(&mut self) {
        self.kill();
    }
}

fn finished(s: &Value) -> bool {
    matches!(s["sync_status"].as_str(), Some("succeeded" | "failed"))
}

#[tokio::test]
async fn a_sync_killed_mid_way_finishes_after_a_restart_with_the_same_chunks() {
    let site = slow_site(PAGES).await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    let mut reference = Grove::init(dir_a.path());
    reference.start().await;
    let id = reference.sync_site(&site).await;
    let expected = reference.wait_until(&id, finished).await;
    assert_eq!(expected["sync_status"], "succeeded", "{expected}");
    assert_eq!(expected["documents_done"], PAGES + 1);
    reference.kill();

    let mut killed = Grove::init(dir_b.path());
    killed.start().await;
    let id = killed.sync_site(&site).await;
    let mid = killed
        .wait_until(&id, |s| {
            s["documents_done"].as_u64().unwrap_or(0) >= 5 || finished(s)
        })
        .await;
    assert_eq!(
        mid["sync_status"], "running",
        "the sync must be killed mid-way: {mid}"
    );
    killed.kill();

    killed.start().await;
    let after = killed.wait_until(&id, finished).await;
    assert_eq!(after["sync_status"], "succeeded", "{after}");
    assert_eq!(
        after["chunks_indexed"], expected["chunks_indexed"],
        "no chunk lost or duplicated"
    );
    assert_eq!(after["documents_done"], expected["documents_done"]);
    assert_eq!(after["errors"], json!([]));
}

#[tokio::test]
async fn the_sources_commands_add_sync_with_progress_and_report_status() {
    let site = slow_site(3).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Grove::init(dir.path());
    server.start().await;
    // Async, so the site served on this test's runtime keeps answering.
    let cli = async |args: &[&str]| {
        let mut cmd = grove(&server.data);
        cmd.arg("sources")
            .args(args)
            .args(["--server", &server.base, "--key", &server.key]);
        let out = tokio::process::Command::from(cmd).output().await.unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let url = format!("{site}/index.html");
    let (ok, id, err) = cli(&["add", "--name", "Widgets", "--url", &url]).await;
    assert!(ok && id.starts_with("ds_"), "{id} {err}");
    let (ok, _, err) = cli(&["sync", &id]).await;
    assert!(ok, "{err}");
    assert!(
        err.contains("done:") && err.contains("chunks indexed"),
        "{err}"
    );
    let (ok, status, err) = cli(&["status", &id]).await;
    assert!(ok, "{err}");
    let status: Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status["sync_status"], "succeeded");
    assert_eq!(status["documents_done"], 4);

    let files = tempfile::tempdir().unwrap();
    let guide = files.path().join("guide.md");
    let faq = files.path().join("faq.txt");
    std::fs::write(&guide, "# Guide\n\nWidgets ship in blue boxes.").unwrap();
    std::fs::write(&faq, "Returns are free for thirty days.").unwrap();
    let (ok, file_source, err) = cli(&["add", "--type", "file", "--name", "Docs"]).await;
    assert!(ok, "{err}");
    let (guide, faq) = (guide.to_str().unwrap(), faq.to_str().unwrap());
    let (ok, _, err) = cli(&["upload", &file_source, guide, faq]).await;
    assert!(ok, "{err}");
    assert!(
        err.contains("stored: guide.md") && err.contains("done: 2 documents"),
        "{err}"
    );

    // `grove ask` streams an answer from an agent named by its slug.
    let agent = reqwest::Client::new()
        .post(format!("{}/api/v1/agents", server.base))
        .bearer_auth(&server.key)
        .json(
            &json!({"name": "Docs agent", "data_source_ids": [file_source],
                      "similarity_threshold": 0.1}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(agent.status(), reqwest::StatusCode::CREATED);
    let ask = async |args: &[&str]| {
        let mut cmd = grove(&server.data);
        cmd.arg("ask")
            .args(args)
            .args(["--server", &server.base, "--key", &server.key]);
        let out = tokio::process::Command::from(cmd).output().await.unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    let (ok, answer, err) = ask(&["docs-agent", "Are returns free?"]).await;
    assert!(ok, "{err}");
    assert!(
        answer.starts_with("Returns are free for thirty days. [1]"),
        "{answer}"
    );
    assert!(answer.contains("Sources:\n  [1] "), "{answer}");
    assert!(
        err.contains("session sess_") && err.contains("answered"),
        "{err}"
    );
    let (ok, _, err) = ask(&["no-such-agent", "Anything?"]).await;
    assert!(!ok && err.contains("no agent with the id or slug"), "{err}");

    let (ok, _, err) = cli(&["add", "--name", "Bad", "--url", "ftp://x"]).await;
    assert!(
        !ok && err.contains("400") && err.contains("config.url"),
        "{err}"
    );
}
