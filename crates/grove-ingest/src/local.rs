//! Indexing a local directory of HTML, Markdown and text files as one data
//! source (`grove ingest dir`). Document and chunk ids derive from the file's
//! path, so running it again replaces each document's chunks in place.
//! Pages that only redirect (meta refresh) are skipped, as a crawler would
//! follow them instead.

use std::path::{Path, PathBuf};

use grove_core::ids::OrgId;
use grove_core::sources::{SourceKind, SyncFrequency};
use grove_search::chunks::{ChunkInput, ChunkOwner};
use grove_search::SearchEngine;
use grove_store::{DataSourceStore, NewDataSource};
use sha2::{Digest, Sha256};

use crate::chunk::{chunk, ChunkSettings, TokenCounter};
use crate::ParsedDoc;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Search(#[from] grove_search::SearchError),
    #[error(transparent)]
    Store(#[from] grove_store::StoreError),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    pub data_source_id: String,
    pub documents: usize,
    pub chunks: usize,
    pub skipped: Vec<(PathBuf, String)>,
}

fn short_hash(s: &str) -> String {
    hex::encode(&Sha256::digest(s.as_bytes())[..10])
}

fn files(dir: &Path, exclude: &[String]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| IngestError::Io(format!("{}: {e}", d.display())))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if exclude.contains(&name) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("html" | "htm" | "md" | "markdown" | "txt")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn parse_file(path: &Path) -> Result<ParsedDoc, String> {
    let raw = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("document");
    Ok(match path.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => crate::html::parse(&raw),
        _ => crate::text::parse(&raw, stem),
    })
}

/// Parses and chunks one document into chunk inputs for the search engine.
pub fn chunk_inputs(
    doc: &ParsedDoc,
    doc_key: &str,
    url: Option<&str>,
    settings: ChunkSettings,
    counter: &dyn TokenCounter,
) -> Vec<ChunkInput> {
    chunk(doc, settings, counter)
        .into_iter()
        .enumerate()
        .map(|(i, c)| ChunkInput {
            chunk_id: format!("chk_{}", short_hash(&format!("{doc_key}#{i}"))),
            text: doc.text[c.start..c.end].to_owned(),
            title: doc.title.clone(),
            url: url.map(str::to_owned),
            heading_path: c.heading_path,
            start: c.start,
            end: c.end,
        })
        .collect()
}

/// What to index: a directory, the data source's name, file names to skip,
/// and the chunk size.
pub struct DirectoryIngest<'a> {
    pub dir: &'a Path,
    pub name: &'a str,
    pub exclude: &'a [String],
    pub settings: ChunkSettings,
}

/// Indexes every supported file under `job.dir` into a new data source.
pub async fn index_directory(
    store: &dyn DataSourceStore,
    engine: &SearchEngine,
    org: &OrgId,
    job: DirectoryIngest<'_>,
    counter: &dyn TokenCounter,
) -> Result<IngestReport, IngestError> {
    let root = job
        .dir
        .canonicalize()
        .map_err(|e| IngestError::Io(format!("{}: {e}", job.dir.display())))?;
    let (exclude, settings) = (job.exclude, job.settings);
    let new = NewDataSource {
        name: job.name.to_owned(),
        kind: SourceKind::File,
        config: serde_json::json!({ "directory": root.display().to_string() }),
        sync_frequency: SyncFrequency::Manual,
        chunk_size: settings.max_tokens as u32,
        chunk_overlap: settings.overlap_tokens as u32,
    };
    let ds = store.create_data_source(org, new).await?;
    let mut report = IngestReport {
        data_source_id: ds.id.to_string(),
        ..IngestReport::default()
    };
    for path in files(&root, exclude)? {
        let doc = match parse_file(&path) {
            Ok(doc) if doc.redirect.is_some() => continue,
            Ok(doc) => doc,
            Err(e) => {
                report.skipped.push((path, e));
                continue;
            }
        };
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let url = format!("file://{}", path.display());
        let doc_key = format!("{}/{relative}", ds.id);
        let chunks = chunk_inputs(&doc, &doc_key, Some(&url), settings, counter);
        if chunks.is_empty() {
            report.skipped.push((path, "no text".into()));
            continue;
        }
        let owner = ChunkOwner {
            org_id: org.to_string(),
            data_source_id: ds.id.to_string(),
            document_id: format!("doc_{}", short_hash(&doc_key)),
        };
        report.chunks += engine.replace_document(owner, chunks).await?;
        report.documents += 1;
    }
    Ok(report)
}
