//! Console page-render benchmark on a real server in a fresh data
//! directory: one data source with ROWS documents (one in fifty failed,
//! under five different reasons) and ROWS answers in the log, written
//! through the store; then the pages a person opens, each REQUESTS times
//! over loopback HTTP with a signed-in session cookie, p50 and p99 of the
//! whole request as the client sees it (an upper bound on the server's
//! time):
//!
//! - `/sources/{id}`: the first page, a status filter, a failure group,
//!   and the last page;
//! - `/interactions`: the first page, filtered by agent and feedback, a
//!   date range, and the last page.
//!
//!     cargo run --release -p grove --example console_bench [-- ROWS REQUESTS]

use std::time::Instant;

use grove_console::session::{random_token, token_hash, SESSION_COOKIE};
use grove_core::agents::{Outcome, RagStrategy, RetrievalTrace};
use grove_core::config::{Config, RateQuota};
use grove_core::ids::{DataSourceId, DocumentId, OrgId, UserId};
use grove_core::sources::{Document, DocumentStatus, SourceKind};
use grove_server::provision::provision_org;
use grove_server::{open_search, open_store, Server};
use grove_store::{NewAgent, NewDataSource, NewInteraction};

mod shared;
use shared::percentile;

/// The failure reasons, one per failed document in turn.
const REASONS: [&str; 5] = [
    "HTTP 404 Not Found",
    "HTTP 500 Internal Server Error",
    "the page is larger than 10 MB",
    "the PDF has no text layer",
    "timed out after 30 s",
];

fn document(source: &DataSourceId, i: usize) -> Document {
    let failed = i.is_multiple_of(50);
    Document {
        id: DocumentId::generate(),
        data_source_id: source.clone(),
        source_key: format!("https://docs.example/page/{i:06}"),
        title: format!("Page {i} of the handbook"),
        url: Some(format!("https://docs.example/page/{i:06}")),
        content_hash: Some(format!("{i:064x}:512:50")),
        chunks: if failed { 0 } else { 3 + (i % 7) as u32 },
        bytes: Some(4_000 + i as u64 % 9_000),
        status: if failed {
            DocumentStatus::Failed
        } else {
            DocumentStatus::Indexed
        },
        error: failed.then(|| REASONS[(i / 50) % REASONS.len()].to_owned()),
        indexed_at: (!failed).then(jiff::Timestamp::now),
    }
}

fn answer(agent: &grove_core::ids::AgentId, i: usize) -> NewInteraction {
    NewInteraction {
        agent_id: agent.clone(),
        session_id: None,
        key_id: None,
        user_id: None,
        query: format!(
            "Question {i}: how do the vents of greenhouse {} work?",
            i % 97
        ),
        response: "The vents open above 28 degrees [1].".into(),
        sources: Vec::new(),
        rag_strategy: RagStrategy::Redwood,
        model: "extractive".into(),
        retrieval: RetrievalTrace::default(),
        outcome: if i.is_multiple_of(9) {
            Outcome::NoAnswer
        } else {
            Outcome::Answered
        },
        error: None,
        latency_ms: 20 + (i % 300) as u64,
        tokens_input: 0,
        tokens_output: 0,
        cost_usd: 0.0,
    }
}

/// Times `requests` GETs of `path`; prints p50 and p99 in ms.
async fn time_page(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    path: &str,
    requests: usize,
) {
    let mut ms = Vec::with_capacity(requests);
    let mut bytes = 0;
    for _ in 0..requests {
        let started = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .header("cookie", cookie)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let body = response.text().await.expect("body");
        ms.push(started.elapsed().as_secs_f64() * 1_000.0);
        assert!(status.is_success(), "{path}: {status}: {body}");
        bytes = body.len();
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "{path}: p50 {:.1} ms, p99 {:.1} ms ({requests} requests, {} KB)",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        bytes / 1024
    );
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    // The benchmark measures pages, not the quota.
    config.rate_limits.read = RateQuota {
        per_minute: 1_000_000,
        burst: 1_000_000,
    };
    let store = open_store(&config).await.unwrap();
    let org = provision_org(store.as_ref(), "bench", "admin@bench.example")
        .await
        .unwrap();
    let org_id = OrgId::parse(&org.org_id).unwrap();
    let admin = store
        .get_user(&org_id, &UserId::parse(&org.user_id).unwrap())
        .await
        .unwrap()
        .unwrap();

    let seeding = Instant::now();
    let source = store
        .create_data_source(&org_id, NewDataSource::new("Handbook", SourceKind::Website))
        .await
        .unwrap();
    for i in 0..rows {
        store
            .put_document(&org_id, document(&source.id, i), None)
            .await
            .unwrap();
    }
    let new_agent = NewAgent {
        name: "Greenhouse helper".into(),
        slug: "greenhouse-helper".into(),
        description: String::new(),
        system_prompt: String::new(),
        rag_strategy: RagStrategy::Redwood,
        model: None,
        temperature: 0.0,
        max_tokens: 800,
        similarity_threshold: 0.5,
        data_source_ids: vec![source.id.clone()],
        data_connector_ids: Vec::new(),
        max_steps: 8,
        components: None,
        max_run_tokens: None,
        max_run_cost_usd: None,
        active: true,
    };
    let agent = store.create_agent(&org_id, new_agent).await.unwrap();
    for i in 0..rows {
        store
            .record_interaction(&org_id, answer(&agent.id, i))
            .await
            .unwrap();
    }
    println!(
        "seeded {rows} documents and {rows} answers in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let (search, status) = open_search(&config).unwrap();
    let server = Server::start(
        config,
        store.clone(),
        search,
        &status,
        grove_console::router(),
    )
    .await
    .unwrap();
    let base = format!("http://{}", server.addr);
    let token = random_token();
    store
        .create_console_session(&admin, &token_hash(&token), &random_token())
        .await
        .unwrap();
    let cookie = format!("{SESSION_COOKIE}={token}");
    let client = reqwest::Client::new();
    let last = rows.saturating_sub(1) / 50 * 50;
    let source_path = format!("/sources/{}", source.id);
    let today = jiff::Zoned::now().date();
    for path in [
        source_path.clone(),
        format!("{source_path}?status=failed"),
        format!("{source_path}?status=failed&error={}", "HTTP+404+Not+Found"),
        format!("{source_path}?q=handbook&offset={last}"),
        // Matching nothing: every column of every row is read.
        format!("{source_path}?q=no-such-words"),
        format!("{source_path}?offset={last}"),
        "/interactions".to_owned(),
        format!("/interactions?agent_id={}&feedback=null", agent.id),
        format!("/interactions?start_date={today}&end_date={today}&review_status=not_reviewed"),
        format!("/interactions?offset={last}"),
    ] {
        time_page(&client, &base, &cookie, &path, requests).await;
    }
    server.shutdown();
    server.wait().await.unwrap();
}
