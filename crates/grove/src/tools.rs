//! Offline commands that work on a data directory directly: `grove ingest dir`
//! and `grove eval retrieval`. They open the store and the search index
//! themselves; `ingest` writes the index, so the server must not be running
//! on the same data directory at the time (the index says so if it is).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use grove_core::config::Config;
use grove_core::ids::OrgId;
use grove_ingest::chunk::ChunkSettings;
use grove_ingest::local::{index_directory, DirectoryIngest};
use grove_search::eval::{evaluate, parse_questions};
use grove_search::Mode;
use grove_server::{open_search, open_store};
use grove_store::TenancyStore;

/// The organisation to work in: the one named, or the only one there is.
pub async fn pick_org(store: &dyn TenancyStore, named: Option<&str>) -> anyhow::Result<OrgId> {
    if let Some(raw) = named {
        let id = OrgId::parse(raw).map_err(|e| anyhow::anyhow!("--org: {e}"))?;
        if store.get_org(&id).await?.is_none() {
            bail!("--org: no organisation {id} in this data directory");
        }
        return Ok(id);
    }
    let orgs = store.list_orgs().await?;
    match orgs.as_slice() {
        [only] => Ok(only.id.clone()),
        [] => bail!("no organisation yet: run `grove init` first"),
        _ => bail!("{} organisations here: choose one with --org", orgs.len()),
    }
}

pub struct IngestArgs<'a> {
    pub dir: &'a Path,
    pub name: Option<&'a str>,
    pub org: Option<&'a str>,
    pub exclude: &'a [String],
    pub settings: ChunkSettings,
}

pub async fn ingest_dir(config: &Config, args: IngestArgs<'_>) -> anyhow::Result<()> {
    let store = open_store(config)?;
    let org = pick_org(store.as_ref(), args.org).await?;
    let (engine, status) = open_search(config)?;
    eprintln!("embedder: {status}");
    let default_name = args
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "files".into());
    let job = DirectoryIngest {
        dir: args.dir,
        name: args.name.unwrap_or(&default_name),
        exclude: args.exclude,
        settings: args.settings,
    };
    let started = std::time::Instant::now();
    let report = index_directory(
        store.as_ref(),
        &engine,
        &org,
        job,
        grove_ingest::chunk::token_counter(config).as_ref(),
    )
    .await
    .context("indexing failed")?;
    for (path, why) in &report.skipped {
        eprintln!("skipped {}: {why}", path.display());
    }
    println!(
        "data source {}: {} documents, {} chunks in {:.1} s",
        report.data_source_id,
        report.documents,
        report.chunks,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn eval_retrieval(
    config: &Config,
    questions: &PathBuf,
    data_source: &str,
    org: Option<&str>,
    modes: &[Mode],
) -> anyhow::Result<()> {
    let raw = std::fs::read_to_string(questions)
        .with_context(|| format!("cannot read {}", questions.display()))?;
    let questions =
        parse_questions(&raw).map_err(|e| anyhow::anyhow!("{}: {e}", questions.display()))?;
    let store = open_store(config)?;
    let org = pick_org(store.as_ref(), org).await?;
    let (engine, status) = open_search(config)?;
    eprintln!("embedder: {status}");
    println!(
        "{:<8} {:>7} {:>7} {:>10}   ({} questions)",
        "mode",
        "hit@5",
        "MRR@10",
        "recall@10",
        questions.len()
    );
    for &mode in modes {
        if mode != Mode::Lexical && engine.embedder().is_none() {
            println!(
                "{:<8} skipped: no embedding model",
                format!("{mode:?}").to_lowercase()
            );
            continue;
        }
        let s = evaluate(&engine, org.as_str(), data_source, &questions, mode).await?;
        println!(
            "{:<8} {:>7.3} {:>7.3} {:>10.3}",
            format!("{mode:?}").to_lowercase(),
            s.hit_at_5,
            s.mrr_at_10,
            s.recall_at_10
        );
    }
    Ok(())
}
