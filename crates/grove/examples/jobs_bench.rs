//! Agent-job benchmark on a real server in a fresh data directory, with
//! 1,000 jobs of an extractive agent over an empty data source (so a run is
//! the job machinery itself, not retrieval or generation):
//!
//! - scheduler lateness, from a fire's due time to its run's start, p50 and
//!   p99: once with the 1,000 due times spread over 30 s (how schedules of
//!   many jobs fall), once with all 1,000 due at the same instant (a burst:
//!   then the run slots, not the scheduler, set the pace). The due times
//!   are set in the store, so the run does not wait for a clock minute;
//! - API-trigger latency (`POST /api/agents/jobs/{id}/trigger`, one client,
//!   each job triggered once), p50 and p99, and of a refused trigger (409).
//!
//!     cargo run --release -p grove --example jobs_bench [-- JOBS]

use std::sync::Arc;
use std::time::{Duration, Instant};

use grove_core::config::Config;
use grove_core::ids::{JobId, OrgId};
use grove_core::jobs::RunStatus;
use grove_core::page::Page;
use grove_server::provision::provision_org;
use grove_server::{open_search, open_store, Server};
use grove_store::{NewJob, Store};
use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};

mod shared;
use shared::percentile;

struct Api {
    base: String,
    key: String,
    org: String,
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

    /// The seed's trigger; returns the status and the time it took.
    async fn trigger(&self, job: &str) -> (u16, Duration) {
        let started = Instant::now();
        let resp = self
            .client
            .post(format!("{}/api/agents/jobs/{job}/trigger", self.base))
            .header("X-API-Key", &self.key)
            .header("X-Organization-Id", &self.org)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        resp.bytes().await.expect("body");
        (status, started.elapsed())
    }
}

/// Sets each job's next run time to `due(i)`, then wakes the scheduler
/// (any job written through the API does).
async fn schedule_at(
    store: &Arc<dyn Store>,
    api: &Api,
    agent: &str,
    org: &OrgId,
    jobs: &[JobId],
    due: impl Fn(usize) -> Timestamp,
) {
    for (i, id) in jobs.iter().enumerate() {
        let job = store.get_job(org, id).await.unwrap().unwrap();
        store
            .replace_job(
                org,
                id,
                NewJob {
                    next_run_at: Some(due(i)),
                    ..job.into()
                },
            )
            .await
            .unwrap();
    }
    api.post(
        &format!("/api/v1/agents/{agent}/jobs"),
        json!({"name": "wake", "prompt": "wake"}),
    )
    .await;
}

/// Waits until every job has a finished run scheduled at or after `since`;
/// returns the lateness of each (due → start) in milliseconds.
async fn lateness(
    store: &Arc<dyn Store>,
    org: &OrgId,
    jobs: &[JobId],
    since: Timestamp,
) -> Vec<f64> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut late = Vec::with_capacity(jobs.len());
    for id in jobs {
        loop {
            let runs = store.list_runs(org, id, Page::default()).await.unwrap();
            let run = runs
                .items
                .into_iter()
                .find(|r| r.scheduled_for.is_some_and(|s| s >= since));
            if let Some(run) = run.filter(|r| r.status.is_terminal()) {
                assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
                let due = run.scheduled_for.unwrap();
                let start = run.started_at.unwrap();
                late.push(start.duration_since(due).as_secs_f64() * 1000.0);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "runs of {id} did not finish: {:?}",
                store
                    .list_runs(org, id, Page::default())
                    .await
                    .unwrap()
                    .items
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    late.sort_by(f64::total_cmp);
    late
}

/// Three seconds from now, whole milliseconds (the store keeps milliseconds).
fn soon() -> Timestamp {
    Timestamp::from_millisecond(Timestamp::now().as_millisecond() + 3000).unwrap()
}

fn report(label: &str, sorted: &[f64]) {
    println!(
        "{label}: n={} p50={:.1} ms p99={:.1} ms max={:.1} ms",
        sorted.len(),
        percentile(sorted, 0.5),
        percentile(sorted, 0.99),
        sorted.last().copied().unwrap_or(f64::NAN)
    );
}

#[tokio::main]
async fn main() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt::init();
    }
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    for quota in [
        &mut config.rate_limits.read,
        &mut config.rate_limits.write,
        &mut config.rate_limits.execute,
    ] {
        quota.per_minute = 1_000_000;
        quota.burst = 1_000_000;
    }
    let store = open_store(&config).await.unwrap();
    let org = provision_org(store.as_ref(), "bench", "bench@example.com")
        .await
        .unwrap();
    let (search, status) = open_search(&config).unwrap();
    let server = Server::start(config, store.clone(), search, &status, axum::Router::new())
        .await
        .unwrap();
    let api = Api {
        base: format!("http://{}", server.addr),
        key: org.api_key.clone(),
        org: org.org_id.clone(),
        client: reqwest::Client::new(),
    };
    let org_id = OrgId::parse(&org.org_id).unwrap();

    let source = api
        .post(
            "/api/v1/data-sources",
            json!({"type": "file", "name": "empty"}),
        )
        .await;
    let agent = api
        .post(
            "/api/v1/agents",
            json!({"name": "Bench", "data_source_ids": [source["id"]]}),
        )
        .await;
    let agent = agent["id"].as_str().unwrap().to_owned();
    let started = Instant::now();
    let mut jobs = Vec::with_capacity(count);
    for i in 0..count {
        // Yearly, so only the due times set below fire during the run.
        let job = api
            .post(
                &format!("/api/v1/agents/{agent}/jobs"),
                json!({"name": format!("job {i}"), "prompt": "How are we doing?",
                       "schedule": "0 0 1 1 *", "timezone": "Europe/Berlin"}),
            )
            .await;
        jobs.push(JobId::parse(job["id"].as_str().unwrap()).unwrap());
    }
    println!(
        "created {count} scheduled jobs in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let t0 = soon();
    let spread_ms = 30_000 / count.max(1) as i64;
    schedule_at(&store, &api, &agent, &org_id, &jobs, |i| {
        t0 + SignedDuration::from_millis(i as i64 * spread_ms)
    })
    .await;
    let spread = lateness(&store, &org_id, &jobs, t0).await;
    report(
        &format!("scheduler lateness, {count} due times spread over 30 s"),
        &spread,
    );

    let t1 = soon();
    schedule_at(&store, &api, &agent, &org_id, &jobs, |_| t1).await;
    let burst = lateness(&store, &org_id, &jobs, t1).await;
    report(
        &format!("scheduler lateness, {count} due at the same instant"),
        &burst,
    );

    let mut took = Vec::with_capacity(count);
    let mut refused = Vec::with_capacity(count);
    for id in &jobs {
        let (status, elapsed) = api.trigger(id.as_str()).await;
        assert_eq!(status, 200);
        took.push(elapsed.as_secs_f64() * 1000.0);
        let (status, elapsed) = api.trigger(id.as_str()).await;
        if status == 409 {
            refused.push(elapsed.as_secs_f64() * 1000.0);
        }
    }
    took.sort_by(f64::total_cmp);
    refused.sort_by(f64::total_cmp);
    report("API trigger (200, run queued), 1 client", &took);
    report("API trigger refused (409 job_already_running)", &refused);
    server.shutdown();
    server.wait().await.unwrap();
}
