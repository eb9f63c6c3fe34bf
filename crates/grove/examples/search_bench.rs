//! Semantic-search benchmark: fills a fresh data directory with N synthetic
//! chunks (random words; random unit vectors standing in for their
//! embeddings, since the scan cost does not depend on them), starts the real
//! server, and drives `POST /api/v1/semantic-search` (hybrid, the query
//! embedded by the real local model) with 1 and 16 concurrent clients.
//! Prints p50/p99 latency, throughput, approximate-vs-exact recall@10 at the
//! default settings, index bytes per chunk and the server's RSS.
//!
//!     cargo run --release -p grove --example search_bench -- 10000 100000

use std::time::{Duration, Instant};

use grove_core::config::Config;
use grove_search::chunks::{ChunkInput, ChunkOwner};
use grove_search::vector::{Filter, VectorIndex, VectorSettings};
use grove_server::provision::provision_org;
use grove_server::{open_search, open_store, Server};

mod shared;
use shared::percentile;

const WORDS: &[&str] = &[
    "account",
    "billing",
    "refund",
    "deploy",
    "cluster",
    "server",
    "latency",
    "invoice",
    "password",
    "reset",
    "export",
    "import",
    "schedule",
    "report",
    "dashboard",
    "query",
    "index",
    "search",
    "token",
    "policy",
    "shipping",
    "order",
    "warehouse",
    "customer",
    "support",
    "ticket",
    "upgrade",
    "plan",
    "team",
    "storage",
    "backup",
    "restore",
    "network",
    "firewall",
    "certificate",
    "domain",
    "email",
    "notification",
    "webhook",
    "api",
];
const QUERIES: &[&str] = &[
    "how do I reset my password",
    "refund policy for annual plans",
    "deploy the server to a new cluster",
    "export invoices for the billing report",
    "configure webhook notifications for tickets",
    "restore a storage backup after failure",
];
const BATCH: usize = 1000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn unit(&mut self, dim: usize) -> Vec<f32> {
        let v: Vec<f32> = (0..dim)
            .map(|_| (self.next() as f32 / (1u64 << 31) as f32) - 0.5)
            .collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }
}

/// Text with a realistic shape: a few common topic words among many rarer
/// pseudo-words (Zipf-like), so posting lists are not all the same length.
fn synthetic_text(rng: &mut Rng, words: usize) -> String {
    const SYLLABLES: &[&str] = &[
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "dor", "fen", "gal",
        "hob",
    ];
    (0..words)
        .map(|_| {
            if rng.next().is_multiple_of(5) {
                return WORDS[rng.next() as usize % WORDS.len()].to_owned();
            }
            // Squaring skews toward low ranks: a long tail of rare words.
            let u = (rng.next() % 10_000) as f64 / 10_000.0;
            let rank = (u * u * 20_000.0) as usize;
            let (a, b, c) = (rank % 15, (rank / 15) % 15, (rank / 225) % 15);
            format!("{}{}{}", SYLLABLES[a], SYLLABLES[b], SYLLABLES[c])
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn dir_bytes(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_bytes(&p)
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

async fn drive(
    base: &str,
    key: &str,
    org: &str,
    clients: usize,
    duration: Duration,
) -> (Vec<f64>, f64) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, url, key, org) = (
            client.clone(),
            format!("{base}/api/v1/semantic-search"),
            key.to_owned(),
            org.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = c;
            while started.elapsed() < duration {
                let body = serde_json::json!({ "query": QUERIES[i % QUERIES.len()], "org_id": org, "top_k": 10 });
                let t = Instant::now();
                let resp = client.post(&url).bearer_auth(&key).json(&body).send().await.expect("request");
                assert!(resp.status().is_success(), "{}", resp.status());
                resp.bytes().await.expect("body");
                latencies.push(t.elapsed().as_secs_f64() * 1e3);
                i += clients;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client"));
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    (all, rate)
}

async fn run(n: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.rate_limits.execute.per_minute = 100_000_000;
    config.rate_limits.execute.burst = 100_000_000;
    config.log_level = "warn".into();
    let store = open_store(&config).await.expect("store");
    let creds = provision_org(store.as_ref(), "bench", "bench@grove.local")
        .await
        .expect("org");
    let org_id = grove_core::ids::OrgId::parse(&creds.org_id).expect("org id");
    let ds = store
        .create_data_source(
            &org_id,
            grove_store::NewDataSource::new("synthetic", grove_core::sources::SourceKind::File),
        )
        .await
        .expect("ds");
    let (search, status) = open_search(&config).expect("search");
    assert!(
        search.embedder().is_some(),
        "the benchmark needs the local model: {status}"
    );
    let dim = search.embedder().map(|e| e.info().dimension).unwrap_or(384);

    let mut rng = Rng(n as u64);
    let fill = Instant::now();
    let mut exact_check = VectorIndex::new(dim, VectorSettings::default());
    for b in 0..n.div_ceil(BATCH) {
        let count = BATCH.min(n - b * BATCH);
        let mut chunks = Vec::with_capacity(count);
        let mut vectors = Vec::with_capacity(count);
        for i in 0..count {
            let text = synthetic_text(&mut rng, 60);
            chunks.push(ChunkInput {
                chunk_id: format!("chk_b{b}i{i}"),
                end: text.len(),
                text,
                title: format!("Synthetic page {b}"),
                url: Some(format!("https://bench.example/{b}")),
                heading_path: vec![],
                start: 0,
            });
            let v = rng.unit(dim);
            exact_check.insert((b * BATCH + i) as u64, "o", "s", &v);
            vectors.push(v);
        }
        let owner = ChunkOwner {
            org_id: creds.org_id.clone(),
            data_source_id: ds.id.to_string(),
            document_id: format!("doc_b{b}"),
        };
        search
            .replace_document_with_vectors(owner, chunks, vectors)
            .await
            .expect("index");
    }
    let fill_s = fill.elapsed().as_secs_f64();

    // Recall of the default (quantised) scan against exact search.
    let filter = Filter {
        org: "o",
        sources: None,
    };
    let (mut found, mut total) = (0usize, 0usize);
    for q in 0..100 {
        let query = Rng(1_000_000 + q).unit(dim);
        let exact: Vec<u64> = exact_check
            .search(&query, &filter, 10, true)
            .into_iter()
            .map(|h| h.0)
            .collect();
        let approx = exact_check.search(&query, &filter, 10, false);
        found += approx.iter().filter(|h| exact.contains(&h.0)).count();
        total += exact.len();
    }
    let approximate = n > VectorSettings::default().exact_limit;
    drop(exact_check);

    let rss_before_server = rss_mib();
    let server = Server::start(config, store, search, &status, axum::Router::new())
        .await
        .expect("server");
    let base = format!("http://{}", server.addr);
    drive(
        &base,
        &creds.api_key,
        &creds.org_id,
        2,
        Duration::from_secs(2),
    )
    .await; // warm-up
    println!(
        "\n== {n} chunks (filled in {fill_s:.1} s; vector search {})",
        if approximate {
            "approximate: int8 scan + exact re-scoring"
        } else {
            "exact"
        }
    );
    println!(
        "recall@10 of the default search against exact: {:.3}",
        found as f64 / total as f64
    );
    for clients in [1, 16] {
        let (lat, rate) = drive(
            &base,
            &creds.api_key,
            &creds.org_id,
            clients,
            Duration::from_secs(10),
        )
        .await;
        println!(
            "hybrid, {clients:>2} client(s): p50 {:6.2} ms  p99 {:6.2} ms  {:7.1} req/s  ({} requests)",
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            rate,
            lat.len()
        );
    }
    let index_bytes = dir_bytes(&dir.path().join("index"));
    println!(
        "index on disk: {:.1} MiB, {:.0} bytes per chunk; process RSS {:.0} MiB (before serving: {:.0} MiB)",
        index_bytes as f64 / 1048576.0,
        index_bytes as f64 / n as f64,
        rss_mib(),
        rss_before_server
    );
    server.shutdown();
    server.wait().await.expect("stop");
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    for n in if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    } {
        run(n).await;
    }
}
