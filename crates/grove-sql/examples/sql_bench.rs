//! The query path's overhead — bind, parse and check against the catalog,
//! the read-only transaction, convert — against the database's own time
//! for the same query, over PostgreSQL on 127.0.0.1:5432 with 1 and 16
//! concurrent clients.
//!
//! `cargo run --release -p grove-sql --example sql_bench -- [QUERIES_PER_CLIENT]`
//!
//! "direct" is tokio-postgres on its own connection per client running the
//! same statement with the same parameter (prepared once, as a driver with
//! a statement cache would); "grove" is `Connector::query`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use grove_core::connectors::ConnectorKind;
use grove_sql::{AllowList, Connector, ConnectorSpec, Limits};
use serde_json::{json, Map, Value};

const URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const SETUP: &str = "
    DROP SCHEMA IF EXISTS grove_bench CASCADE;
    CREATE SCHEMA grove_bench;
    CREATE TABLE grove_bench.orders (id int PRIMARY KEY, region text, total numeric(10,2), placed date);
    INSERT INTO grove_bench.orders SELECT i, CASE WHEN i % 2 = 0 THEN 'EU' ELSE 'US' END, i * 1.25,
        DATE '2026-01-01' + i % 365 FROM generate_series(1, 10000) AS i;
    ANALYZE grove_bench.orders;";
const DIRECT_SQL: &str =
    "SELECT id, region, total, placed FROM grove_bench.orders WHERE id BETWEEN $1 AND $1 + 9";
const GROVE_SQL: &str =
    "SELECT id, region, total, placed FROM orders WHERE id BETWEEN {{id}} AND {{id}} + 9";

fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

async fn direct(queries: usize) -> Vec<f64> {
    let (client, connection) = tokio_postgres::connect(URL, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let statement = client.prepare(DIRECT_SQL).await.unwrap();
    let mut times = Vec::with_capacity(queries);
    for i in 0..queries {
        let id = (i % 9000) as i32 + 1;
        let started = Instant::now();
        let rows = client.query(&statement, &[&id]).await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(rows.len(), 10);
    }
    times
}

async fn grove(connector: Arc<Connector>, queries: usize) -> Vec<f64> {
    let mut times = Vec::with_capacity(queries);
    for i in 0..queries {
        let mut params = Map::new();
        params.insert("id".into(), Value::from((i % 9000) as i64 + 1));
        let started = Instant::now();
        let result = connector.query(GROVE_SQL, &params).await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(result.row_count, 10);
    }
    times
}

async fn round(clients: usize, queries: usize, connector: &Arc<Connector>) {
    let started = Instant::now();
    let direct_runs: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(direct(queries)))
        .collect();
    let mut direct_times = Vec::new();
    for run in direct_runs {
        direct_times.extend(run.await.unwrap());
    }
    let direct_wall = started.elapsed();
    let started = Instant::now();
    let grove_runs: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(grove(connector.clone(), queries)))
        .collect();
    let mut grove_times = Vec::new();
    for run in grove_runs {
        grove_times.extend(run.await.unwrap());
    }
    let grove_wall = started.elapsed();
    let (d50, g50) = (
        percentile(&mut direct_times, 0.5),
        percentile(&mut grove_times, 0.5),
    );
    let (d95, g95) = (
        percentile(&mut direct_times, 0.95),
        percentile(&mut grove_times, 0.95),
    );
    let rate = |n: usize, wall: Duration| n as f64 / wall.as_secs_f64();
    println!(
        "{clients:>2} clients: direct p50 {d50:.3} ms p95 {d95:.3} ms ({:.0} q/s) | grove p50 {g50:.3} ms p95 {g95:.3} ms ({:.0} q/s) | added at p50 {:.3} ms",
        rate(direct_times.len(), direct_wall),
        rate(grove_times.len(), grove_wall),
        g50 - d50
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let queries: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let (admin, connection) = tokio_postgres::connect(URL, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    admin.batch_execute(SETUP).await.unwrap();
    let spec = ConnectorSpec {
        kind: ConnectorKind::Postgres,
        config: json!({"url": URL}),
        allow: AllowList {
            datasets: vec!["grove_bench".into()],
            tables: vec![],
        },
        limits: Limits {
            max_rows: 1000,
            timeout: Duration::from_secs(30),
            max_estimated_rows: None,
            max_cost_usd: None,
            price_per_tib_usd: 6.25,
        },
    };
    let connector =
        Arc::new(Connector::open(spec, &std::env::temp_dir().join("grove-bench-none")).unwrap());
    // Warm both paths (connections, catalog, plans).
    round(1, 200, &connector).await;
    for clients in [1, 16] {
        round(
            clients,
            queries / clients.max(1) * if clients == 1 { 1 } else { 4 },
            &connector,
        )
        .await;
    }
    admin
        .batch_execute("DROP SCHEMA grove_bench CASCADE")
        .await
        .unwrap();
}
