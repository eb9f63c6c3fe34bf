//! Webhook delivery benchmark on a real server in a fresh data directory,
//! with default delivery settings, to receivers on loopback. Events are
//! `user.created`, written through the store (each in its own transaction,
//! as the API writes them); latency runs from the event's outbox timestamp
//! to its arrival at the receiver, so it covers the fan-out loop, the queue
//! and the signed HTTP attempt:
//!
//! - steady: EVENTS events at 100 per second to one endpoint, p50 and p99;
//! - burst: EVENTS events written at once, p50 and p99 and the rate;
//! - steady again with a second endpoint that never answers within the
//!   timeout: the healthy endpoint's p50 and p99.
//!
//!     cargo run --release -p grove --example webhooks_bench [-- EVENTS]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use grove_core::config::Config;
use grove_core::ids::OrgId;
use grove_core::model::Role;
use grove_server::provision::provision_org;
use grove_server::{open_search, open_store, Server};
use grove_store::webhooks::NewWebhook;
use grove_store::{NewUser, Store};
use jiff::Timestamp;

mod shared;
use shared::percentile;

/// Arrival times by event id.
type Arrivals = Arc<Mutex<HashMap<String, Timestamp>>>;

/// A receiver that records arrivals and answers 200 after `delay`.
async fn receiver(delay: Duration) -> (String, Arrivals) {
    let arrivals: Arrivals = Arc::default();
    let seen = arrivals.clone();
    let app = axum::Router::new().fallback(move |body: Bytes| {
        let seen = seen.clone();
        async move {
            let now = Timestamp::now();
            let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            if let Some(id) = event["id"].as_str() {
                seen.lock().unwrap().entry(id.to_owned()).or_insert(now);
            }
            tokio::time::sleep(delay).await;
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), arrivals)
}

/// Writes `count` user.created events, `per_second` a second (0: as fast
/// as the store takes them).
async fn emit(store: &Arc<dyn Store>, org: &OrgId, round: &str, count: usize, per_second: u32) {
    let started = Instant::now();
    for i in 0..count {
        if per_second > 0 {
            let due = Duration::from_secs_f64(i as f64 / f64::from(per_second));
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        let user = NewUser {
            email: format!("{round}-{i}@bench.example"),
            name: "Bench".into(),
            role: Role::Readonly,
        };
        store.create_user(org, user).await.expect("user");
    }
}

/// Waits until `arrivals` holds every `user.created` event of the round,
/// then returns each one's latency in ms, sorted, and the last arrival.
async fn latencies(
    store: &Arc<dyn Store>,
    arrivals: &Arrivals,
    count: usize,
) -> (Vec<f64>, Timestamp) {
    let events = store
        .recent_events("user.created", count as u32)
        .await
        .expect("events");
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let got = arrivals.lock().unwrap().clone();
        if events.iter().all(|e| got.contains_key(e.id.as_str())) {
            let mut ms: Vec<f64> = events
                .iter()
                .map(|e| {
                    got[e.id.as_str()]
                        .duration_since(e.created_at)
                        .as_secs_f64()
                        * 1000.0
                })
                .collect();
            ms.sort_by(f64::total_cmp);
            let last = events.iter().map(|e| got[e.id.as_str()]).max().unwrap();
            return (ms, last);
        }
        assert!(Instant::now() < deadline, "events were not all delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn report(name: &str, ms: &[f64]) {
    println!(
        "{name}: n={} p50={:.1} ms p99={:.1} ms max={:.1} ms",
        ms.len(),
        percentile(ms, 0.50),
        percentile(ms, 0.99),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}

fn endpoint(url: &str) -> NewWebhook {
    NewWebhook {
        url: url.to_owned(),
        events: vec!["user.created".into()],
        enabled: true,
    }
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        allow_private_networks: true,
        ..Config::default()
    };
    config.webhooks.allow_http = true;
    let store = open_store(&config).await.unwrap();
    let org = provision_org(store.as_ref(), "bench", "admin@bench.example")
        .await
        .unwrap();
    let (search, status) = open_search(&config).unwrap();
    let server = Server::start(config, store.clone(), search, &status, axum::Router::new())
        .await
        .unwrap();
    let org = OrgId::parse(&org.org_id).unwrap();

    let (url, arrivals) = receiver(Duration::ZERO).await;
    store
        .create_webhook(&org, endpoint(&url), "whsec_bench".into())
        .await
        .unwrap();

    emit(&store, &org, "steady", count, 100).await;
    let (ms, _) = latencies(&store, &arrivals, count).await;
    report(
        &format!("steady, {count} events at 100/s, one endpoint"),
        &ms,
    );

    arrivals.lock().unwrap().clear();
    let started = Timestamp::now();
    emit(&store, &org, "burst", count, 0).await;
    let (ms, last) = latencies(&store, &arrivals, count).await;
    let seconds = last.duration_since(started).as_secs_f64();
    report(&format!("burst, {count} events at once, one endpoint"), &ms);
    println!(
        "burst: all {count} delivered {seconds:.2} s after the first was written ({:.0} events/s)",
        count as f64 / seconds
    );

    let (hanging, _) = receiver(Duration::from_secs(3_600)).await;
    store
        .create_webhook(&org, endpoint(&hanging), "whsec_hanging".into())
        .await
        .unwrap();
    arrivals.lock().unwrap().clear();
    emit(&store, &org, "hanging", count, 100).await;
    let (ms, _) = latencies(&store, &arrivals, count).await;
    report(
        &format!("steady, {count} events at 100/s, healthy endpoint beside a hanging one"),
        &ms,
    );
    server.shutdown();
    server.wait().await.unwrap();
}
