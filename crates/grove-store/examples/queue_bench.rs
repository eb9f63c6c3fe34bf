//! Queue throughput: items enqueued, then leased and completed by workers,
//! on the embedded SQLite store and on PostgreSQL with several stores
//! standing for replicas (a database of its own on 127.0.0.1:5432, dropped
//! after). Prints `backend: N items, enqueue X/s, lease+complete Y/s`.
//!
//!   cargo run --release -p grove-store --example queue_bench -- [items] [replicas] [workers]

use std::sync::Arc;
use std::time::{Duration, Instant};

use grove_store::postgres::{PgOptions, PgStore};
use grove_store::queue::{NewItem, QueueStore};
use grove_store::sqlite::SqliteStore;
use serde_json::json;

const KIND: &str = "bench.item";

async fn run(name: &str, replicas: Vec<Arc<dyn QueueStore>>, items: usize, workers: usize) {
    let started = Instant::now();
    for i in 0..items {
        replicas[i % replicas.len()]
            .enqueue(NewItem::new(KIND, json!({ "n": i })))
            .await
            .expect("enqueue");
    }
    let enqueued = started.elapsed();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (r, store) in replicas.iter().enumerate() {
        for w in 0..workers {
            let store = Arc::clone(store);
            tasks.spawn(async move {
                let (kinds, owner) = (vec![KIND.to_owned()], format!("r{r}w{w}"));
                let mut done = 0usize;
                while let Some(item) = store
                    .lease(&kinds, &owner, Duration::from_secs(60))
                    .await
                    .expect("lease")
                {
                    assert!(store.complete(&item).await.expect("complete"));
                    done += 1;
                }
                done
            });
        }
    }
    let mut done = 0;
    while let Some(n) = tasks.join_next().await {
        done += n.expect("worker");
    }
    assert_eq!(done, items, "every item ran once");
    let ran = started.elapsed();
    println!(
        "{name}: {items} items, enqueue {:.0}/s, lease+complete {:.0}/s ({} replicas x {workers} workers)",
        items as f64 / enqueued.as_secs_f64(),
        items as f64 / ran.as_secs_f64(),
        replicas.len(),
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let items = args.first().copied().unwrap_or(2000);
    let replicas = args.get(1).copied().unwrap_or(2).max(1);
    let workers = args.get(2).copied().unwrap_or(4).max(1);

    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite: Arc<dyn QueueStore> =
        Arc::new(SqliteStore::open(&dir.path().join("grove.db")).expect("sqlite"));
    run(
        "sqlite (one process)",
        vec![sqlite],
        items,
        workers * replicas,
    )
    .await;

    let admin = "host=127.0.0.1 port=5432 user=postgres dbname=test";
    let (client, connection) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    tokio::spawn(connection);
    let db = format!("grove_queue_bench_{:08x}", rand::random::<u32>());
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .await
        .expect("create");
    let options = PgOptions::new(format!("postgres://postgres@127.0.0.1:5432/{db}"));
    let master = grove_store::secrets::MasterKey::generate();
    let mut stores: Vec<Arc<dyn QueueStore>> = Vec::new();
    for _ in 0..replicas {
        stores.push(Arc::new(
            PgStore::open(&options, master.clone(), None)
                .await
                .expect("postgres"),
        ));
    }
    run("postgres", stores, items, workers).await;
    let _ = client
        .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .await;
}
