//! End-to-end ingestion benchmark: the Rust book from the toolchain, served
//! over loopback HTTP, crawled by the website connector, parsed, chunked,
//! embedded by the real local model and indexed — one full sync into a fresh
//! data directory. Prints pages/s, chunks/s, the time spent per stage, and
//! the dev set's retrieval scores over what was indexed (the measurement
//! behind the default chunk size).
//!
//!     cargo run --release -p grove --example ingest_bench [-- --chunk-size N]

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use grove_core::config::Config;
use grove_core::ids::OrgId;
use grove_core::sources::{DocumentStatus, SourceKind, SyncInitiator};
use grove_ingest::sync::SyncRunner;
use grove_search::embed::{EmbedError, Embedder, EmbedderInfo};
use grove_server::provision::provision_org;
use grove_server::{open_search, open_store};
use grove_store::{NewDataSource, Store, SyncStart};
use serde_json::json;

mod shared;
use shared::serve_book;

/// Wraps the configured embedder to measure the time spent embedding.
struct Timed {
    inner: Arc<dyn Embedder>,
    spent: std::sync::Mutex<Duration>,
}

#[async_trait]
impl Embedder for Timed {
    fn info(&self) -> &EmbedderInfo {
        self.inner.info()
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        let started = Instant::now();
        let out = self.inner.embed(texts).await;
        *self.spent.lock().unwrap() += started.elapsed();
        out
    }
}

fn share(part: Duration, whole: Duration) -> f64 {
    100.0 * part.as_secs_f64() / whole.as_secs_f64().max(1e-9)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = serve_book().await;
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        allow_private_networks: true,
        ..Config::default()
    };
    let store: Arc<dyn Store> = open_store(&config).await?;
    let creds = provision_org(store.as_ref(), "bench", "bench@example.com").await?;
    let org = OrgId::parse(&creds.org_id)?;
    let chunk_size = chunk_size_arg()?;
    let mut new = NewDataSource::new("rust-book", SourceKind::Website);
    new.chunk_size = chunk_size;
    new.chunk_overlap = chunk_size.min(512) / 10;
    new.config = json!({"url": format!("{base}/index.html"), "exclude_patterns": ["*/print.html"]});
    let ds = store.create_data_source(&org, new).await?;
    let SyncStart::Started(sync) = store
        .start_sync(&org, &ds.id, SyncInitiator::Manual)
        .await?
    else {
        anyhow::bail!("a sync was already running");
    };

    let (probe, status) = open_search(&config)?;
    let model = probe.embedder().cloned().ok_or_else(|| {
        anyhow::anyhow!("no embedding model ({status}); run scripts/fetch-models.sh")
    })?;
    drop(probe);
    let timed = Arc::new(Timed {
        inner: model,
        spent: Default::default(),
    });
    let engine = Arc::new(grove_search::SearchEngine::open(
        &config.data_dir.join("index"),
        Some(timed.clone() as Arc<dyn Embedder>),
        grove_search::SearchSettings::default(),
    )?);
    let config = Arc::new(config);
    let runner = SyncRunner::new(
        store.clone(),
        engine.clone(),
        grove_ingest::chunk::token_counter(&config),
        config,
    )
    .map_err(anyhow::Error::msg)?;

    let started = Instant::now();
    let times = runner
        .run(&sync.id, &ds)
        .await
        .map_err(anyhow::Error::msg)?;
    let wall = started.elapsed();
    let pages = store
        .documents(&ds.id)
        .await?
        .iter()
        .filter(|d| d.status == DocumentStatus::Indexed)
        .count();
    let chunks = engine.count(org.as_str(), None)?;
    let embed = *timed.spent.lock().unwrap();
    let write = times.index.saturating_sub(embed);
    let staged = times.wait + times.parse + times.chunk + times.index;
    println!(
        "Rust book through the website connector, {} cores, chunks of {chunk_size} tokens ({} overlap)",
        std::thread::available_parallelism()?.get(),
        ds.chunk_overlap
    );
    println!(
        "pages {pages}, chunks {chunks}, wall {:.1} s",
        wall.as_secs_f64()
    );
    println!(
        "throughput: {:.1} pages/s, {:.1} chunks/s",
        pages as f64 / wall.as_secs_f64(),
        chunks as f64 / wall.as_secs_f64()
    );
    println!(
        "time per stage (share of {:.1} s in stages):",
        staged.as_secs_f64()
    );
    for (stage, t) in [
        ("embed", embed),
        ("index write", write),
        ("chunk", times.chunk),
        ("parse (HTML, in the crawler)", times.parse),
        ("waiting for fetches", times.wait),
    ] {
        println!(
            "  {stage:<30} {:>7.2} s  {:>5.1} %",
            t.as_secs_f64(),
            share(t, staged)
        );
    }
    println!(
        "everything but embedding: {:.1} %",
        share(staged.saturating_sub(embed), staged)
    );
    retrieval_scores(&engine, org.as_str(), ds.id.as_str()).await
}

fn chunk_size_arg() -> anyhow::Result<u32> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--chunk-size") {
        Some(i) => Ok(args
            .get(i + 1)
            .ok_or_else(|| anyhow::anyhow!("--chunk-size needs a number"))?
            .parse()?),
        None => Ok(512),
    }
}

/// The dev set's scores over the data source just indexed.
async fn retrieval_scores(
    engine: &grove_search::SearchEngine,
    org: &str,
    data_source: &str,
) -> anyhow::Result<()> {
    use grove_search::eval::{evaluate, parse_questions};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../eval/rust-book/questions.tsv"
    );
    let questions = parse_questions(&std::fs::read_to_string(path)?).map_err(anyhow::Error::msg)?;
    println!("retrieval over {} dev-set questions:", questions.len());
    for mode in [grove_search::Mode::Vector, grove_search::Mode::Hybrid] {
        let s = evaluate(engine, org, data_source, &questions, mode).await?;
        println!(
            "  {:<8} hit@5 {:.3}  MRR@10 {:.3}  recall@10 {:.3}",
            format!("{mode:?}").to_lowercase(),
            s.hit_at_5,
            s.mrr_at_10,
            s.recall_at_10
        );
    }
    Ok(())
}
