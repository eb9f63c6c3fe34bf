//! Syncs through the `grove` binary: one survives `kill -9` (killed mid-sync,
//! started again on the same data directory, it finishes from the durable
//! queue with the same documents and chunks as an uninterrupted sync), and
//! `grove sources add|upload|sync|status` drive syncs from the command line,
//! and `grove ask` streams an agent's answer. Job runs killed mid-way are
//! retried or failed by their retry policy after a restart, and webhook
//! deliveries keep their retry schedule across `kill -9`.

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
    /// Extra environment of the server (config overrides).
    env: Vec<(String, String)>,
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
            env: Vec::new(),
        }
    }

    async fn start(&mut self) {
        let child = grove(&self.data)
            .envs(self.env.iter().cloned())
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

    /// Stops the server gracefully (SIGTERM) and waits for it to exit.
    fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
            child.wait().unwrap();
        }
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

/// An OpenAI-wire model that holds every answer while `stalling`.
async fn stalling_model(
    stalling: std::sync::Arc<std::sync::atomic::AtomicBool>,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> String {
    use std::sync::atomic::Ordering;
    let app = axum::Router::new().fallback(move || {
        let (stalling, requests) = (stalling.clone(), requests.clone());
        async move {
            requests.fetch_add(1, Ordering::SeqCst);
            while stalling.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let delta =
                json!({"choices": [{"index": 0, "delta": {"content": "Belts yearly [1]."}}]});
            let end = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
            (
                [(header::CONTENT_TYPE, "text/event-stream")],
                format!("data: {delta}\n\ndata: {end}\n\ndata: [DONE]\n\n"),
            )
                .into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

impl Grove {
    async fn run(&self, id: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/api/v1/runs/{id}"), None)
            .await
    }

    async fn wait_run(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let run = self.run(id).await;
            if done(&run) {
                return run;
            }
            assert!(Instant::now() < deadline, "gave up waiting: {run}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Creates a job of `agent` with `max_retries` and runs it; the run id.
    async fn start_job(&self, agent: &str, name: &str, max_retries: u32) -> (String, String) {
        let job = self
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/agents/{agent}/jobs"),
                Some(
                    json!({"name": name, "prompt": "How often do widgets need a new belt?",
                            "retry": {"max_retries": max_retries, "delay_seconds": 0}}),
                ),
            )
            .await;
        let job = job["id"].as_str().unwrap().to_owned();
        let started = self
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/jobs/{job}/runs"),
                None,
            )
            .await;
        let run = started["runs"][0]["id"].as_str().unwrap().to_owned();
        (job, run)
    }
}

/// A server whose agent over a synced two-page site answers with a model
/// that holds its answers while `stalling`; `setting` is one more config
/// variable. The server and the agent's id.
async fn widgets_agent(
    dir: &std::path::Path,
    stalling: &std::sync::Arc<std::sync::atomic::AtomicBool>,
    requests: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    setting: (&str, &str),
) -> (Grove, String) {
    let site = slow_site(2).await;
    let model = stalling_model(stalling.clone(), requests.clone()).await;
    let mut grove = Grove::init(dir);
    grove.env = vec![
        (
            "GROVE_LLM__PROVIDERS__FAKE__API".into(),
            "openai_chat".into(),
        ),
        ("GROVE_LLM__PROVIDERS__FAKE__BASE_URL".into(), model),
        (setting.0.into(), setting.1.into()),
    ];
    grove.start().await;
    let source = grove.sync_site(&site).await;
    assert_eq!(
        grove.wait_until(&source, finished).await["sync_status"],
        "succeeded"
    );
    let agent = grove
        .call(
            reqwest::Method::POST,
            "/api/v1/agents",
            Some(
                json!({"name": "Widgets", "data_source_ids": [source], "model": "fake:m",
                        "similarity_threshold": 0.0}),
            ),
        )
        .await;
    let agent = agent["id"].as_str().unwrap().to_owned();
    (grove, agent)
}

#[tokio::test]
async fn job_runs_killed_mid_way_are_retried_or_failed_by_their_policy_after_a_restart() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let stalling = Arc::new(AtomicBool::new(true));
    let requests = Arc::new(AtomicUsize::new(0));
    let dir = tempfile::tempdir().unwrap();
    let (mut grove, agent) = widgets_agent(
        dir.path(),
        &stalling,
        &requests,
        ("GROVE_LLM__MAX_RETRIES", "0"),
    )
    .await;
    let (_, retried) = grove.start_job(&agent, "Retried", 1).await;
    let (given_up_job, given_up) = grove.start_job(&agent, "Given up", 0).await;
    for run in [&retried, &given_up] {
        grove.wait_run(run, |r| r["status"] == "running").await;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while requests.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "the model was not asked twice");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    grove.kill();
    stalling.store(false, Ordering::SeqCst);

    grove.start().await;
    let over = |r: &Value| !matches!(r["status"].as_str(), Some("queued" | "running"));
    let retried = grove.wait_run(&retried, over).await;
    assert_eq!(retried["status"], "succeeded", "{retried}");
    assert_eq!(
        retried["attempts"], 2,
        "the interrupted attempt counts: {retried}"
    );
    let chat = grove
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/chats/{}", retried["chat_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        chat["messages"][1]["content"], "Belts yearly [1].",
        "{chat}"
    );
    let given_up = grove.wait_run(&given_up, over).await;
    assert_eq!(given_up["status"], "failed", "{given_up}");
    assert_eq!(given_up["attempts"], 1);
    assert!(
        given_up["error"]
            .as_str()
            .unwrap()
            .contains("server stopped"),
        "{given_up}"
    );
    // Neither job is left claimed.
    let again = grove
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/jobs/{given_up_job}/runs"),
            None,
        )
        .await;
    assert_eq!(again["runs"][0]["status"], "queued", "{again}");
}

#[tokio::test]
async fn a_graceful_stop_puts_a_running_job_run_back_without_spending_a_retry() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let stalling = Arc::new(AtomicBool::new(true));
    let requests = Arc::new(AtomicUsize::new(0));
    let dir = tempfile::tempdir().unwrap();
    let (mut grove, agent) = widgets_agent(
        dir.path(),
        &stalling,
        &requests,
        ("GROVE_SHUTDOWN_GRACE_SECONDS", "2"),
    )
    .await;
    let (_, run) = grove.start_job(&agent, "No retries", 0).await;
    grove.wait_run(&run, |r| r["status"] == "running").await;
    grove.terminate();
    stalling.store(false, Ordering::SeqCst);

    grove.start().await;
    let over = |r: &Value| !matches!(r["status"].as_str(), Some("queued" | "running"));
    let done = grove.wait_run(&run, over).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        done["attempts"], 1,
        "the stopped attempt is not counted: {done}"
    );
}

/// The deliveries of a webhook endpoint, newest first.
async fn hook_deliveries(grove: &Grove, hook: &str) -> Vec<Value> {
    let list = grove
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            None,
        )
        .await;
    list["deliveries"].as_array().cloned().unwrap_or_default()
}

async fn wait_deliveries(grove: &Grove, hook: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let list = hook_deliveries(grove, hook).await;
        if done(&list) {
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries never got there: {list:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn webhook_deliveries_keep_their_retry_schedule_across_kill_9() {
    use crate::common::receiver::Receiver;
    let receiver = Receiver::start().await;
    receiver.answer_with(503);
    let dir = tempfile::tempdir().unwrap();
    let mut grove = Grove::init(dir.path());
    grove.env = vec![
        ("GROVE_WEBHOOKS__ALLOW_HTTP".into(), "true".into()),
        (
            "GROVE_WEBHOOKS__RETRY_SCHEDULE_SECONDS".into(),
            "[2, 3, 60]".into(),
        ),
    ];
    grove.start().await;
    let hook = grove
        .call(
            reqwest::Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": receiver.url, "events": ["agent.created"]})),
        )
        .await;
    let hook = hook["id"].as_str().unwrap().to_owned();
    let source = grove
        .call(
            reqwest::Method::POST,
            "/api/v1/data-sources",
            Some(json!({"type": "file", "name": "Notes"})),
        )
        .await;
    for name in ["First", "Second"] {
        let agent = grove
            .call(
                reqwest::Method::POST,
                "/api/v1/agents",
                Some(json!({"name": name, "data_source_ids": [source["id"]]})),
            )
            .await;
        assert!(agent["id"].is_string(), "{agent}");
    }
    // The receiver is down: both events fail twice, then the server dies.
    let two_attempts = |list: &[Value]| {
        list.len() == 2
            && list
                .iter()
                .all(|d| d["attempts"].as_array().map(Vec::len) == Some(2))
    };
    wait_deliveries(&grove, &hook, two_attempts).await;
    grove.kill();
    receiver.answer_with(200);
    grove.start().await;

    let done = |list: &[Value]| list.len() == 2 && list.iter().all(|d| d["status"] != "pending");
    let list = wait_deliveries(&grove, &hook, done).await;
    for delivery in &list {
        assert_eq!(delivery["status"], "succeeded", "{delivery:#}");
        let attempts = delivery["attempts"].as_array().unwrap();
        let codes: Vec<u64> = attempts
            .iter()
            .map(|a| a["status_code"].as_u64().unwrap())
            .collect();
        assert_eq!(codes, [503, 503, 200], "{delivery:#}");
        let at: Vec<jiff::Timestamp> = attempts
            .iter()
            .map(|a| a["at"].as_str().unwrap().parse().unwrap())
            .collect();
        for (i, wait) in [2.0, 3.0].iter().enumerate() {
            let gap = at[i + 1].duration_since(at[i]).as_secs_f64();
            // At least the wait; the one spanning the restart may be
            // longer by the time the server took to start again.
            assert!(
                gap >= wait - 0.01 && gap < wait + 15.0,
                "wait {i} was {gap}s, scheduled {wait}s"
            );
        }
    }
    // Every event reached the receiver exactly as scheduled: two refusals
    // and one success each, nothing lost and nothing extra.
    let received = receiver.received();
    assert_eq!(received.len(), 6, "{received:?}");
    for delivery in &list {
        let id = delivery["event_id"].as_str().unwrap();
        let answers: Vec<u16> = received
            .iter()
            .filter(|r| r.header("x-grove-event-id") == id)
            .map(|r| r.answered)
            .collect();
        assert_eq!(answers, [503, 503, 200], "event {id}");
    }
    grove.kill();
}
