//! Query benchmark: the Rust book of the installed toolchain, served over
//! loopback, synced by the website connector into a fresh data directory of
//! a real server; then an extractive `redwood` agent over it is asked the
//! dev set's 40 questions by 1 and by 16 concurrent clients through
//! `POST /api/v1/query`, whole and streamed. Prints end-to-end latency p50
//! and p99, the time to the first SSE frame, throughput, the share of
//! no-answers, and the best hit's similarity over the questions (how the
//! similarity threshold sits against this embedder).
//!
//!     cargo run --release -p grove --example query_bench [-- SECONDS THRESHOLD]

use std::time::{Duration, Instant};

use grove_core::config::Config;
use grove_server::provision::provision_org;
use grove_server::{open_search, open_store, Server};
use serde_json::{json, Value};

mod shared;
use shared::{percentile, serve_book};

struct Api {
    base: String,
    key: String,
    client: reqwest::Client,
}

impl Api {
    async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .expect("request");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.expect("json")
    }

    async fn get(&self, path: &str) -> Value {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("request");
        resp.json().await.expect("json")
    }
}

fn questions() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../eval/rust-book/questions.tsv"
    );
    let text = std::fs::read_to_string(path).expect("the dev set");
    grove_search::eval::parse_questions(&text)
        .expect("questions")
        .into_iter()
        .map(|q| q.text)
        .collect()
}

/// Syncs the book into a website data source; returns its id.
async fn sync_book(api: &Api, book: &str) -> String {
    let ds = api
        .post(
            "/api/v1/data-sources",
            json!({"type": "website", "name": "Rust book",
                   "config": {"url": format!("{book}/index.html"), "exclude_patterns": ["*/print.html"]}}),
        )
        .await;
    let id = ds["id"].as_str().expect("id").to_owned();
    api.post(&format!("/api/v1/data-sources/{id}/sync"), json!({}))
        .await;
    loop {
        let status = api.get(&format!("/api/v1/data-sources/{id}/status")).await;
        if status["sync_status"] == "succeeded" {
            println!("synced: {} chunks", status["chunks_indexed"]);
            return id;
        }
        assert_ne!(status["sync_status"], "failed", "{status}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// One timed query: (latency ms, first frame ms if streamed, no-answer).
async fn one(api: &Api, agent: &str, question: &str, stream: bool) -> (f64, f64, bool) {
    let started = Instant::now();
    let mut resp = api
        .client
        .post(format!("{}/api/v1/query", api.base))
        .bearer_auth(&api.key)
        .json(&json!({"agent_id": agent, "query": question, "stream": stream}))
        .send()
        .await
        .expect("request");
    assert!(resp.status().is_success(), "{}", resp.status());
    let mut body = Vec::new();
    let mut first = None;
    while let Some(chunk) = resp.chunk().await.expect("body") {
        first.get_or_insert_with(|| started.elapsed().as_secs_f64() * 1e3);
        body.extend_from_slice(&chunk);
    }
    let total = started.elapsed().as_secs_f64() * 1e3;
    let text = String::from_utf8_lossy(&body);
    (
        total,
        first.unwrap_or(total),
        text.contains("\"no_answer\""),
    )
}

struct Run {
    latency: Vec<f64>,
    first_frame: Vec<f64>,
    no_answers: usize,
    rate: f64,
}

async fn drive(api: &'static Api, agent: &str, clients: usize, stream: bool, secs: u64) -> Run {
    let questions = std::sync::Arc::new(questions());
    let started = Instant::now();
    let duration = Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (agent, questions) = (agent.to_owned(), questions.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            let mut i = c;
            while started.elapsed() < duration {
                out.push(one(api, &agent, &questions[i % questions.len()], stream).await);
                i += clients;
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client"));
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    let mut latency: Vec<f64> = all.iter().map(|r| r.0).collect();
    let mut first_frame: Vec<f64> = all.iter().map(|r| r.1).collect();
    latency.sort_by(f64::total_cmp);
    first_frame.sort_by(f64::total_cmp);
    Run {
        no_answers: all.iter().filter(|r| r.2).count(),
        latency,
        first_frame,
        rate,
    }
}

/// The best hit's cosine per dev-set question, as quantiles.
async fn best_similarities(api: &Api, org: &str, source: &str) {
    let mut best = Vec::new();
    for q in questions() {
        let found = api
            .post(
                "/api/v1/semantic-search",
                json!({"query": q, "org_id": org, "top_k": 1, "data_source_ids": [source]}),
            )
            .await;
        best.push(
            found["chunks"][0]["similarity_score"]
                .as_f64()
                .unwrap_or(0.0),
        );
    }
    best.sort_by(f64::total_cmp);
    println!(
        "best hit's similarity over the {} questions: min {:.2}, p10 {:.2}, p50 {:.2}, p90 {:.2}, max {:.2}",
        best.len(),
        best[0],
        percentile(&best, 0.1),
        percentile(&best, 0.5),
        percentile(&best, 0.9),
        best[best.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args.next().map_or(20, |a| a.parse().expect("SECONDS"));
    let threshold: f64 = args.next().map_or(0.5, |a| a.parse().expect("THRESHOLD"));
    let book = serve_book().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        allow_private_networks: true,
        log_level: "warn".into(),
        ..Config::default()
    };
    config.rate_limits.execute.per_minute = 10_000_000;
    config.rate_limits.execute.burst = 10_000_000;
    let store = open_store(&config).await.expect("store");
    let creds = provision_org(store.as_ref(), "bench", "bench@example.com")
        .await
        .expect("org");
    let (search, status) = open_search(&config).expect("search");
    assert!(search.embedder().is_some(), "no embedding model: {status}");
    let server = Server::start(config, store, search, &status, axum::Router::new())
        .await
        .expect("server");
    let api: &'static Api = Box::leak(Box::new(Api {
        base: format!("http://{}", server.addr),
        key: creds.api_key.clone(),
        client: reqwest::Client::new(),
    }));
    let source = sync_book(api, &book).await;
    best_similarities(api, &creds.org_id, &source).await;
    let agent = api
        .post(
            "/api/v1/agents",
            json!({"name": "Book", "data_source_ids": [source], "similarity_threshold": threshold}),
        )
        .await;
    let agent = agent["id"].as_str().expect("agent").to_owned();
    println!(
        "extractive redwood agent, threshold {threshold}, {} cores, {secs} s per run",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    drive(api, &agent, 1, false, 2).await; // warm-up
    for (clients, stream) in [(1, false), (16, false), (1, true), (16, true)] {
        let run = drive(api, &agent, clients, stream, secs).await;
        println!(
            "{clients:>2} clients, {:<8} p50 {:>7.1} ms  p99 {:>7.1} ms  first frame p50 {:>7.1} ms  p99 {:>7.1} ms  {:>6.1} q/s  no-answer {:.0} %",
            if stream { "streamed" } else { "whole" },
            percentile(&run.latency, 0.5),
            percentile(&run.latency, 0.99),
            percentile(&run.first_frame, 0.5),
            percentile(&run.first_frame, 0.99),
            run.rate,
            100.0 * run.no_answers as f64 / run.latency.len().max(1) as f64,
        );
    }
    server.shutdown();
    server.wait().await.expect("stop");
}
