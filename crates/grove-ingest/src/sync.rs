//! Syncs: the handler of `sync` queue items. A sync runs its data source's
//! connector and indexes what it streams, document by document:
//!
//! - a document whose raw content (and chunk settings) hash is unchanged is
//!   only marked seen: not parsed, chunked or embedded again;
//! - a changed one is parsed, chunked and its chunks replaced in one write,
//!   so a sync killed at any point and resumed (the queue hands the item out
//!   again) ends with the same chunks, never duplicates;
//! - a failing document is recorded with its reason (in the sync's errors
//!   and as a `failed` document, whose earlier version stays indexed) and
//!   the sync goes on;
//! - a document deliberately not indexed (a redirect stub, an unsupported
//!   type, no text) is recorded as `skipped` with the reason, and any
//!   earlier chunks of it leave the index;
//! - when the connector finished, documents it no longer produced are
//!   deleted from the indexes.
//!
//! Progress (documents found, done, failed, chunks) is written as it goes,
//! for the status endpoint's percentage and ETA.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use grove_core::config::Config;
use grove_core::ids::{DocumentId, SyncId};
use grove_core::sources::{DataSource, Document, DocumentStatus, SyncStatus};
use grove_search::chunks::ChunkOwner;
use grove_search::SearchEngine;
use grove_store::queue::{JobHandler, Leased};
use grove_store::{Store, SyncProgress};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::chunk::{ChunkSettings, TokenCounter};
use crate::local::chunk_inputs;
use crate::net::HttpClient;
use crate::source::{Content, SourceDocument, SourceItem};
use crate::ParsedDoc;

/// How often progress is written while a sync runs.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Time spent per stage of a sync, for logs and the ingestion benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    /// Parsing, in the connector (pages) or the indexer (raw files).
    pub parse: Duration,
    pub chunk: Duration,
    /// Embedding and index writes (the search engine's `replace_document`).
    pub index: Duration,
    /// Waiting for the connector (fetching), as seen by the indexing side.
    pub wait: Duration,
}

pub struct SyncRunner {
    store: Arc<dyn Store>,
    engine: Arc<SearchEngine>,
    counter: Arc<dyn TokenCounter>,
    config: Arc<Config>,
    client: HttpClient,
}

/// A sync's outcome before it is recorded.
enum Failure {
    /// The source could not be read: the sync fails, nothing is retried.
    Source(String),
    /// Grove itself failed (store, index): the queue retries the item.
    Internal(String),
}

impl SyncRunner {
    pub fn new(
        store: Arc<dyn Store>,
        engine: Arc<SearchEngine>,
        counter: Arc<dyn TokenCounter>,
        config: Arc<Config>,
    ) -> Result<Self, String> {
        let client = HttpClient::new(&config)?;
        Ok(Self {
            store,
            engine,
            counter,
            config,
            client,
        })
    }

    /// Runs one sync to its end; returns the stage times.
    pub async fn run(&self, sync: &SyncId, ds: &DataSource) -> Result<StageTimes, String> {
        match self.run_inner(sync, ds).await {
            Ok(times) => Ok(times),
            Err(Failure::Source(m) | Failure::Internal(m)) => Err(m),
        }
    }

    async fn run_inner(&self, sync: &SyncId, ds: &DataSource) -> Result<StageTimes, Failure> {
        let cx = crate::ConnectorContext {
            http: &self.client,
            config: &self.config,
            store: &self.store,
        };
        // Credentials are sealed at rest; the connector gets them opened.
        let opened =
            DataSource {
                config: self.store.reveal_config(&ds.config).await.map_err(|e| {
                    Failure::Internal(format!("the data source's credentials: {e}"))
                })?,
                ..ds.clone()
            };
        let connector = crate::connector(&opened, cx).map_err(Failure::Source)?;
        let (tx, mut rx) = mpsc::channel(32);
        let mut indexer = Indexer::new(self, sync.clone(), ds);
        let (read, indexed) = tokio::join!(connector.run(tx), indexer.consume(&mut rx));
        indexed?;
        read.map_err(Failure::Source)?;
        indexer.remove_unseen().await?;
        indexer.report(true).await?;
        Ok(indexer.times)
    }
}

/// The indexing side of one sync.
struct Indexer<'a> {
    runner: &'a SyncRunner,
    sync: SyncId,
    ds: &'a DataSource,
    settings: ChunkSettings,
    progress: SyncProgress,
    reported: Instant,
    unchanged: Vec<String>,
    times: StageTimes,
}

fn internal(e: impl std::fmt::Display) -> Failure {
    Failure::Internal(e.to_string())
}

impl<'a> Indexer<'a> {
    fn new(runner: &'a SyncRunner, sync: SyncId, ds: &'a DataSource) -> Self {
        Self {
            runner,
            sync,
            ds,
            settings: ChunkSettings {
                max_tokens: ds.chunk_size as usize,
                overlap_tokens: ds.chunk_overlap as usize,
            },
            progress: SyncProgress::default(),
            reported: Instant::now(),
            unchanged: Vec::new(),
            times: StageTimes::default(),
        }
    }

    async fn consume(&mut self, rx: &mut mpsc::Receiver<SourceItem>) -> Result<(), Failure> {
        loop {
            let waited = Instant::now();
            let Some(item) = rx.recv().await else {
                return Ok(());
            };
            self.times.wait += waited.elapsed();
            match item {
                SourceItem::Discovered(n) => self.progress.documents_total = n,
                SourceItem::Failed { key, message } => self.fail(&key, &message).await?,
                SourceItem::Skipped { key, url, reason } => {
                    self.skip_item(&key, url, reason).await?;
                    self.progress.documents_done += 1;
                }
                SourceItem::Document(doc) => {
                    let key = doc.key.clone();
                    match self.index(doc).await {
                        Ok(()) => self.progress.documents_done += 1,
                        Err(Failure::Source(message)) => self.fail(&key, &message).await?,
                        Err(e) => return Err(e),
                    }
                }
            }
            self.report(false).await?;
        }
    }

    /// Records a failed document, in the sync's errors and as a `failed`
    /// document; its earlier version stays indexed.
    async fn fail(&mut self, key: &str, message: &str) -> Result<(), Failure> {
        tracing::warn!(sync = %self.sync, document = key, error = message, "document failed");
        self.progress.documents_failed += 1;
        let store = &self.runner.store;
        store
            .record_document_error(&self.sync, key, message)
            .await
            .map_err(internal)?;
        let record = self.unread(key, None, DocumentStatus::Failed, message.to_owned());
        store
            .put_failed_document(&self.ds.org_id, record, Some(&self.sync))
            .await
            .map_err(internal)
    }

    /// A document the connector found but will not index.
    async fn skip_item(
        &self,
        key: &str,
        url: Option<String>,
        reason: String,
    ) -> Result<(), Failure> {
        let existing = self
            .runner
            .store
            .get_document(&self.ds.id, key)
            .await
            .map_err(internal)?;
        let record = self.unread(key, url, DocumentStatus::Skipped, reason);
        self.skip(record, existing.is_some_and(|d| d.chunks > 0))
            .await
    }

    /// Records a skipped document, first taking any earlier chunks of it
    /// out of the index.
    async fn skip(&self, record: Document, had_chunks: bool) -> Result<(), Failure> {
        if had_chunks {
            let owner = self.owner(&record.id);
            self.runner
                .engine
                .delete_document(owner)
                .await
                .map_err(internal)?;
        }
        self.runner
            .store
            .put_document(&self.ds.org_id, record, Some(&self.sync))
            .await
            .map_err(internal)
    }

    /// The record of a document with no content read: titled by its key.
    fn unread(
        &self,
        key: &str,
        url: Option<String>,
        status: DocumentStatus,
        error: String,
    ) -> Document {
        Document {
            id: document_id(&format!("{}/{key}", self.ds.id)),
            data_source_id: self.ds.id.clone(),
            source_key: key.to_owned(),
            title: key.to_owned(),
            url,
            content_hash: None,
            chunks: 0,
            bytes: None,
            status,
            error: Some(error),
            indexed_at: None,
        }
    }

    async fn report(&mut self, last: bool) -> Result<(), Failure> {
        if !last && self.reported.elapsed() < PROGRESS_EVERY {
            return Ok(());
        }
        let store = &self.runner.store;
        if !self.unchanged.is_empty() {
            let keys = std::mem::take(&mut self.unchanged);
            store
                .touch_documents(&self.ds.id, &keys, &self.sync)
                .await
                .map_err(internal)?;
        }
        let finished = self.progress.documents_done + self.progress.documents_failed;
        self.progress.documents_total = if last {
            finished
        } else {
            self.progress.documents_total.max(finished)
        };
        self.progress.chunks_indexed = self
            .runner
            .engine
            .count(self.ds.org_id.as_str(), Some(&[self.ds.id.to_string()]))
            .map_err(internal)?;
        store
            .report_progress(&self.sync, self.progress)
            .await
            .map_err(internal)?;
        self.reported = Instant::now();
        Ok(())
    }

    fn owner(&self, document: &DocumentId) -> ChunkOwner {
        ChunkOwner {
            org_id: self.ds.org_id.to_string(),
            data_source_id: self.ds.id.to_string(),
            document_id: document.to_string(),
        }
    }

    /// Indexes one document unless its content is unchanged since it was
    /// indexed or skipped. A document that cannot be read is a
    /// `Failure::Source` (recorded, the sync goes on); one without text is
    /// recorded as skipped.
    async fn index(&mut self, doc: SourceDocument) -> Result<(), Failure> {
        let fingerprint = format!(
            "{}:{}:{}",
            doc.content_hash, self.settings.max_tokens, self.settings.overlap_tokens
        );
        let store = &self.runner.store;
        let existing = store
            .get_document(&self.ds.id, &doc.key)
            .await
            .map_err(internal)?;
        let had_chunks = existing.as_ref().is_some_and(|d| d.chunks > 0);
        if existing.is_some_and(|d| {
            d.status != DocumentStatus::Failed && d.content_hash.as_ref() == Some(&fingerprint)
        }) {
            self.unchanged.push(doc.key);
            return Ok(());
        }
        self.times.parse += doc.parse_time;
        let started = Instant::now();
        let parsed = parse(doc.content).await?;
        self.times.parse += started.elapsed();
        let doc_key = format!("{}/{}", self.ds.id, doc.key);
        let document_id = document_id(&doc_key);
        let started = Instant::now();
        let chunks = chunk_inputs(
            &parsed,
            &doc_key,
            doc.url.as_deref(),
            self.settings,
            self.runner.counter.as_ref(),
        );
        self.times.chunk += started.elapsed();
        let mut record = Document {
            id: document_id,
            data_source_id: self.ds.id.clone(),
            source_key: doc.key,
            title: parsed.title,
            url: doc.url,
            content_hash: Some(fingerprint),
            chunks: 0,
            bytes: Some(doc.bytes),
            status: DocumentStatus::Indexed,
            error: None,
            indexed_at: None,
        };
        if chunks.is_empty() {
            record.status = DocumentStatus::Skipped;
            record.error = Some("no text could be extracted".into());
            return self.skip(record, had_chunks).await;
        }
        let started = Instant::now();
        let n = self
            .runner
            .engine
            .replace_document(self.owner(&record.id), chunks)
            .await
            .map_err(internal)?;
        self.times.index += started.elapsed();
        record.chunks = n as u32;
        record.indexed_at = Some(jiff::Timestamp::now());
        let owner = self.owner(&record.id);
        if let Err(e) = store
            .put_document(&self.ds.org_id, record, Some(&self.sync))
            .await
        {
            // Most likely the data source was deleted meanwhile: do not leave
            // its chunks behind in the index.
            let _ = self.runner.engine.delete_document(owner).await;
            return Err(internal(e));
        }
        Ok(())
    }

    /// Deletes the documents this sync did not see from every index.
    async fn remove_unseen(&mut self) -> Result<(), Failure> {
        self.report(true).await?;
        let store = &self.runner.store;
        let gone = store
            .unseen_documents(&self.ds.id, &self.sync)
            .await
            .map_err(internal)?;
        for doc in gone.iter().filter(|d| d.chunks > 0) {
            self.runner
                .engine
                .delete_document(self.owner(&doc.id))
                .await
                .map_err(internal)?;
        }
        let ids: Vec<DocumentId> = gone.into_iter().map(|d| d.id).collect();
        store.delete_documents(&ids).await.map_err(internal)
    }
}

/// A document's content as parsed text (raw bytes are parsed on the
/// blocking pool); an unreadable one is a `Failure::Source`.
async fn parse(content: Content) -> Result<ParsedDoc, Failure> {
    match content {
        Content::Parsed(p) => Ok(p),
        Content::Raw {
            name,
            content_type,
            bytes,
        } => tokio::task::spawn_blocking(move || {
            crate::parse::parse_raw(&name, &content_type, &bytes)
        })
        .await
        .map_err(|_| Failure::Source("the parser crashed on this file".into()))?
        .map_err(Failure::Source),
    }
}

/// A document's id, derived from its data source and key so a re-sync or a
/// resumed sync addresses the same document.
pub fn document_id(doc_key: &str) -> DocumentId {
    let hash = hex::encode(&Sha256::digest(doc_key.as_bytes())[..10]);
    DocumentId::parse(&format!("doc_{hash}")).unwrap_or_else(|_| DocumentId::generate())
}

#[async_trait]
impl JobHandler for SyncRunner {
    async fn handle(&self, item: &Leased) -> Result<(), String> {
        let id = item
            .payload
            .get("sync_id")
            .and_then(|v| v.as_str())
            .and_then(|s| SyncId::parse(s).ok())
            .ok_or("sync item without a valid sync_id")?;
        let store = &self.store;
        let Some(sync) = store.get_sync(&id).await.map_err(|e| e.to_string())? else {
            return Ok(()); // its data source was deleted
        };
        if !matches!(sync.status, SyncStatus::Queued | SyncStatus::Running) {
            return Ok(());
        }
        let Some(ds) = store
            .get_data_source(&sync.org_id, &sync.data_source_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        store
            .mark_sync_running(&id)
            .await
            .map_err(|e| e.to_string())?;
        let outcome = match self.run_inner(&id, &ds).await {
            Ok(times) => {
                tracing::info!(sync = %id, ?times, "sync finished");
                Ok(())
            }
            Err(Failure::Source(message)) => Err(message),
            Err(Failure::Internal(message)) if item.attempts < item.max_attempts => {
                return Err(message);
            }
            Err(Failure::Internal(message)) => Err(message),
        };
        store
            .finish_sync(&id, outcome)
            .await
            .map_err(|e| e.to_string())
    }
}
