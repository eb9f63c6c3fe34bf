//! Indexing a local directory of HTML, Markdown and text files as one data
//! source (`grove ingest dir`). Document and chunk ids derive from the file's
//! path, so running it again replaces each document's chunks in place.
//! Pages that only redirect (meta refresh) are skipped, as a crawler would
//! follow them instead. Every file gets a document record, as a sync writes
//! them: indexed, failed (unreadable) or skipped, with the reason.

use std::path::{Path, PathBuf};

use grove_core::ids::OrgId;
use grove_core::sources::{DataSource, Document, DocumentStatus, SourceKind, SyncFrequency};
use grove_search::chunks::{ChunkInput, ChunkOwner};
use grove_search::SearchEngine;
use grove_store::{NewDataSource, Store};
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

/// A file's text, parsed, with its raw size and SHA-256.
struct ReadFile {
    doc: ParsedDoc,
    bytes: u64,
    hash: String,
}

fn parse_file(path: &Path) -> Result<ReadFile, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let hash = crate::source::content_hash(&bytes);
    let size = bytes.len() as u64;
    let raw = String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text ({e})"))?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("document");
    let doc = match path.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => crate::html::parse(&raw),
        _ => crate::text::parse(&raw, stem),
    };
    Ok(ReadFile {
        doc,
        bytes: size,
        hash,
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
    store: &dyn Store,
    engine: &SearchEngine,
    org: &OrgId,
    job: DirectoryIngest<'_>,
    counter: &dyn TokenCounter,
) -> Result<IngestReport, IngestError> {
    let root = job
        .dir
        .canonicalize()
        .map_err(|e| IngestError::Io(format!("{}: {e}", job.dir.display())))?;
    let settings = job.settings;
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
    let dir = Directory {
        store,
        engine,
        ds: &ds,
        root: &root,
        settings,
        counter,
    };
    for path in files(&root, job.exclude)? {
        dir.index_file(path, &mut report).await?;
    }
    Ok(report)
}

/// What indexing one file of a directory needs.
struct Directory<'a> {
    store: &'a dyn Store,
    engine: &'a SearchEngine,
    ds: &'a DataSource,
    root: &'a Path,
    settings: ChunkSettings,
    counter: &'a dyn TokenCounter,
}

impl Directory<'_> {
    /// Indexes one file and records its document, whatever became of it.
    async fn index_file(
        &self,
        path: PathBuf,
        report: &mut IngestReport,
    ) -> Result<(), IngestError> {
        let relative = path
            .strip_prefix(self.root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let url = format!("file://{}", path.display());
        let doc_key = format!("{}/{relative}", self.ds.id);
        let mut record = Document {
            id: crate::sync::document_id(&doc_key),
            data_source_id: self.ds.id.clone(),
            source_key: relative.clone(),
            title: relative,
            url: Some(url.clone()),
            content_hash: None,
            chunks: 0,
            bytes: None,
            status: DocumentStatus::Indexed,
            error: None,
            indexed_at: None,
        };
        let file = match parse_file(&path) {
            Ok(file) => file,
            Err(e) => {
                report.skipped.push((path, e.clone()));
                record.status = DocumentStatus::Failed;
                record.error = Some(e);
                return self.record(record).await;
            }
        };
        record.title = file.doc.title.clone();
        record.bytes = Some(file.bytes);
        record.content_hash = Some(format!(
            "{}:{}:{}",
            file.hash, self.settings.max_tokens, self.settings.overlap_tokens
        ));
        if let Some(target) = &file.doc.redirect {
            record.status = DocumentStatus::Skipped;
            record.error = Some(format!("only redirects (meta refresh) to {target}"));
            return self.record(record).await;
        }
        let chunks = chunk_inputs(&file.doc, &doc_key, Some(&url), self.settings, self.counter);
        if chunks.is_empty() {
            report.skipped.push((path, "no text".into()));
            record.status = DocumentStatus::Skipped;
            record.error = Some("no text could be extracted".into());
            return self.record(record).await;
        }
        let owner = ChunkOwner {
            org_id: self.ds.org_id.to_string(),
            data_source_id: self.ds.id.to_string(),
            document_id: record.id.to_string(),
        };
        let n = self.engine.replace_document(owner, chunks).await?;
        report.chunks += n;
        report.documents += 1;
        record.chunks = n as u32;
        record.indexed_at = Some(jiff::Timestamp::now());
        self.record(record).await
    }

    async fn record(&self, doc: Document) -> Result<(), IngestError> {
        Ok(self.store.put_document(&self.ds.org_id, doc, None).await?)
    }
}
