//! The search engine: one entry point for indexing (add, replace and delete
//! a document's chunks; delete a data source) and for search in three modes.
//!
//! Writes go to the chunk store first (the source of truth), then to the
//! lexical index (committed with the store's change sequence) and the vector
//! index. On open, a lexical index behind the store is rebuilt from it, and
//! the vector index is loaded from the stored embeddings.
//!
//! `similarity_score` is the estimated relevance of a chunk to the query: the
//! cosine between them through the embedder's calibration
//! ([`crate::calibration`]), in every mode; the hybrid mode ranks by
//! reciprocal-rank fusion but reports and thresholds by relevance. The raw
//! cosine travels beside it (`raw_score`). Without a model, lexical scores are
//! BM25 divided by the best hit's BM25 (so the top hit is 1.0), and the
//! threshold applies to that.
//!
//! Before the threshold, a passage repeated across documents of a data
//! source is kept once (see `collapse_duplicates`).

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::calibration::Calibrated;
use crate::chunks::{ChunkInput, ChunkOwner, ChunkStore, StoredChunk};
use crate::embed::{EmbedError, Embedder, EmbedderInfo};
use crate::fusion::{reciprocal_rank, FusionWeights};
use crate::lexical::{FieldWeights, LexicalIndex};
use crate::rerank::{Candidate, Reranker};
use crate::vector::{Filter, VectorIndex, VectorSettings};
use crate::SearchError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Lexical,
    Vector,
    Hybrid,
}

impl Mode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Mode::Lexical => "lexical",
            Mode::Vector => "vector",
            Mode::Hybrid => "hybrid",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SearchSettings {
    pub fusion: FusionWeights,
    pub fields: FieldWeights,
    pub vector: VectorSettings,
    /// Candidates taken from each list before fusion, at least.
    pub candidates: usize,
    /// Texts per embedding call when indexing.
    pub embed_batch: usize,
}

impl Default for SearchSettings {
    fn default() -> Self {
        Self {
            fusion: FusionWeights::default(),
            fields: FieldWeights::default(),
            vector: VectorSettings::default(),
            candidates: 50,
            embed_batch: 32,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub org_id: String,
    pub query: String,
    pub mode: Mode,
    pub top_k: usize,
    pub threshold: f32,
    pub data_source_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub chunk: StoredChunk,
    /// The relevance the threshold applies to (see the module comment).
    pub similarity: f32,
    /// The score before calibration: the cosine similarity with a model,
    /// the normalised BM25 without one.
    pub raw_score: f32,
    /// The share of the query's rare-word weight the chunk contains (0
    /// without a model), which the calibration also reads.
    pub coverage: f32,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub query_embedding: Option<Vec<f32>>,
    pub chunks_searched: u64,
    /// The mode actually used (hybrid falls back to lexical without a model).
    pub mode: Mode,
    pub embedder: Option<EmbedderInfo>,
}

pub struct SearchEngine {
    store: Arc<ChunkStore>,
    lexical: Arc<LexicalIndex>,
    vectors: RwLock<Option<VectorIndex>>,
    embedder: Option<Arc<dyn Embedder>>,
    reranker: Option<Arc<dyn Reranker>>,
    settings: SearchSettings,
    writes: tokio::sync::Mutex<()>,
}

fn blocking_err(e: tokio::task::JoinError) -> SearchError {
    SearchError::Storage(format!("index task failed: {e}"))
}

impl SearchEngine {
    /// Opens (creating) the indexes in `dir`. An index built with another
    /// embedder is refused.
    pub fn open(
        dir: &Path,
        embedder: Option<Arc<dyn Embedder>>,
        settings: SearchSettings,
    ) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Storage(e.to_string()))?;
        let store = ChunkStore::open(&dir.join("chunks.db"))?;
        if let (Some(recorded), Some(current)) = (store.embedder()?, embedder.as_ref()) {
            if &recorded != current.info() {
                return Err(EmbedError::Mismatch {
                    expected: recorded.to_string(),
                    actual: current.info().to_string(),
                }
                .into());
            }
        }
        let lexical = LexicalIndex::open(&dir.join("lexical"), settings.fields)?;
        let sequence = store.sequence()?;
        if lexical.sequence()? != sequence {
            tracing::warn!("lexical index is behind the chunk store; rebuilding it");
            lexical.rebuild(|add| store.for_each_chunk(|c| add(&c)), sequence)?;
        }
        let vectors = match &embedder {
            Some(e) => {
                let mut index = VectorIndex::new(e.info().dimension, settings.vector);
                store.for_each_vector(|row| {
                    if row.embedding.len() == index.dimension() {
                        index.insert(row.key, &row.org_id, &row.data_source_id, &row.embedding);
                    }
                })?;
                Some(index)
            }
            None => None,
        };
        Ok(Self {
            store: Arc::new(store),
            lexical: Arc::new(lexical),
            vectors: RwLock::new(vectors),
            embedder,
            reranker: None,
            settings,
            writes: tokio::sync::Mutex::new(()),
        })
    }

    pub fn with_reranker(mut self, reranker: Arc<dyn Reranker>) -> Self {
        self.reranker = Some(reranker);
        self
    }

    pub fn embedder(&self) -> Option<&Arc<dyn Embedder>> {
        self.embedder.as_ref()
    }

    pub fn settings(&self) -> &SearchSettings {
        &self.settings
    }

    fn read_vectors(&self) -> std::sync::RwLockReadGuard<'_, Option<VectorIndex>> {
        self.vectors.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_vectors(&self) -> std::sync::RwLockWriteGuard<'_, Option<VectorIndex>> {
        self.vectors.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Embeds texts in batches of `embed_batch`.
    async fn embed_all(
        &self,
        embedder: &Arc<dyn Embedder>,
        texts: Vec<String>,
    ) -> Result<Vec<Vec<f32>>, SearchError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.settings.embed_batch.max(1)) {
            let vectors = embedder.embed(batch.to_vec()).await?;
            if let Some(bad) = vectors
                .iter()
                .find(|v| v.len() != embedder.info().dimension)
            {
                return Err(EmbedError::Mismatch {
                    expected: embedder.info().to_string(),
                    actual: format!("a vector of {} dimensions", bad.len()),
                }
                .into());
            }
            out.extend(vectors);
        }
        Ok(out)
    }

    /// Replaces all chunks of a document with `chunks` (empty deletes it),
    /// embedding them with the engine's embedder. Returns the number indexed.
    pub async fn replace_document(
        &self,
        owner: ChunkOwner,
        chunks: Vec<ChunkInput>,
    ) -> Result<usize, SearchError> {
        check_chunks(&chunks)?;
        let embeddings = match &self.embedder {
            Some(e) if !chunks.is_empty() => Some(
                self.embed_all(e, chunks.iter().map(embedding_text).collect())
                    .await?,
            ),
            _ => None,
        };
        self.write_document(owner, chunks, embeddings).await
    }

    /// Like [`Self::replace_document`] with vectors computed elsewhere by the
    /// same embedder (an external pipeline, or benchmarks at scale). Vectors
    /// of another dimension are refused.
    pub async fn replace_document_with_vectors(
        &self,
        owner: ChunkOwner,
        chunks: Vec<ChunkInput>,
        vectors: Vec<Vec<f32>>,
    ) -> Result<usize, SearchError> {
        check_chunks(&chunks)?;
        let embedder = self.embedder.as_ref().ok_or(SearchError::NoEmbedder)?;
        let dim = embedder.info().dimension;
        if vectors.len() != chunks.len() {
            return Err(SearchError::Invalid(format!(
                "{} chunks but {} vectors",
                chunks.len(),
                vectors.len()
            )));
        }
        if let Some(bad) = vectors.iter().find(|v| v.len() != dim) {
            return Err(EmbedError::Mismatch {
                expected: embedder.info().to_string(),
                actual: format!("a vector of {} dimensions", bad.len()),
            }
            .into());
        }
        self.write_document(owner, chunks, Some(vectors)).await
    }

    async fn write_document(
        &self,
        owner: ChunkOwner,
        chunks: Vec<ChunkInput>,
        embeddings: Option<Vec<Vec<f32>>>,
    ) -> Result<usize, SearchError> {
        let _write = self.writes.lock().await;
        let (store, lexical) = (Arc::clone(&self.store), Arc::clone(&self.lexical));
        let info = self.embedder.as_ref().map(|e| e.info().clone());
        let n = chunks.len();
        let owner_for_vectors = owner.clone();
        let (applied, vectors_for_index) =
            tokio::task::spawn_blocking(move || -> Result<_, SearchError> {
                if let (Some(info), true) = (info, embeddings.is_some()) {
                    record_embedder(&store, &info)?;
                }
                let applied = store.replace_document(&owner, &chunks, embeddings.as_deref())?;
                let added = store.get(&applied.added)?;
                lexical.apply(&applied.removed, &added, applied.sequence)?;
                Ok((applied, embeddings))
            })
            .await
            .map_err(blocking_err)??;
        if let Some(index) = self.write_vectors().as_mut() {
            index.remove(&applied.removed);
            if let Some(vectors) = vectors_for_index {
                for (key, v) in applied.added.iter().zip(&vectors) {
                    index.insert(
                        *key,
                        &owner_for_vectors.org_id,
                        &owner_for_vectors.data_source_id,
                        v,
                    );
                }
            }
        }
        Ok(n)
    }

    /// Embeds every chunk that was indexed while no model was loaded, in
    /// batches, and adds it to the vector index. Returns how many were
    /// embedded. Safe to run beside indexing: a chunk replaced meanwhile is
    /// skipped, since its key is gone.
    pub async fn backfill_vectors(&self) -> Result<usize, SearchError> {
        let Some(embedder) = self.embedder.clone() else {
            return Ok(0);
        };
        let batch = self.settings.embed_batch.max(1) * 4;
        let mut done = 0;
        loop {
            let store = Arc::clone(&self.store);
            let pending = tokio::task::spawn_blocking(move || store.unembedded(batch))
                .await
                .map_err(blocking_err)??;
            if pending.is_empty() {
                return Ok(done);
            }
            let texts = pending.iter().map(|c| embedding_text(&c.input)).collect();
            let vectors = self.embed_all(&embedder, texts).await?;
            let _write = self.writes.lock().await;
            let store = Arc::clone(&self.store);
            let info = embedder.info().clone();
            let rows: Vec<(u64, Vec<f32>)> = pending.iter().map(|c| c.key).zip(vectors).collect();
            let (written, rows) = tokio::task::spawn_blocking(move || {
                record_embedder(&store, &info)?;
                store.fill_embeddings(&rows).map(|w| (w, rows))
            })
            .await
            .map_err(blocking_err)??;
            if let Some(index) = self.write_vectors().as_mut() {
                for (chunk, (key, v)) in pending.iter().zip(&rows) {
                    if written.contains(key) {
                        index.insert(*key, &chunk.owner.org_id, &chunk.owner.data_source_id, v);
                    }
                }
            }
            done += written.len();
            // Progress is guaranteed: every pending chunk was either written
            // or has gone, so the next page starts past these keys.
        }
    }

    pub async fn delete_document(&self, owner: ChunkOwner) -> Result<(), SearchError> {
        self.replace_document(owner, Vec::new()).await.map(|_| ())
    }

    /// Removes every chunk of a data source from every index.
    pub async fn delete_data_source(
        &self,
        org_id: &str,
        data_source_id: &str,
    ) -> Result<(), SearchError> {
        let _write = self.writes.lock().await;
        let (store, lexical) = (Arc::clone(&self.store), Arc::clone(&self.lexical));
        let (org, ds) = (org_id.to_owned(), data_source_id.to_owned());
        let applied = tokio::task::spawn_blocking(move || -> Result<_, SearchError> {
            let applied = store.delete_data_source(&org, &ds)?;
            lexical.apply(&applied.removed, &[], applied.sequence)?;
            Ok(applied)
        })
        .await
        .map_err(blocking_err)??;
        if let Some(index) = self.write_vectors().as_mut() {
            index.remove(&applied.removed);
        }
        Ok(())
    }

    /// Chunks that a search with these filters looks at.
    pub fn count(
        &self,
        org_id: &str,
        data_source_ids: Option<&[String]>,
    ) -> Result<u64, SearchError> {
        self.store.count(org_id, data_source_ids)
    }

    /// A page of a document's chunks in text order, and how many it has.
    pub fn document_chunks(
        &self,
        org_id: &str,
        document_id: &str,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<StoredChunk>, u64), SearchError> {
        self.store
            .document_chunks(org_id, document_id, offset, limit)
    }

    /// One chunk of a document, by chunk id.
    pub fn document_chunk(
        &self,
        org_id: &str,
        document_id: &str,
        chunk_id: &str,
    ) -> Result<Option<StoredChunk>, SearchError> {
        self.store.document_chunk(org_id, document_id, chunk_id)
    }

    pub async fn search(&self, req: SearchRequest) -> Result<SearchResults, SearchError> {
        let mode = match (req.mode, &self.embedder) {
            (Mode::Vector, None) => return Err(SearchError::NoEmbedder),
            (Mode::Hybrid, None) => Mode::Lexical,
            (mode, _) => mode,
        };
        let query_embedding = match &self.embedder {
            Some(e) => Some(self.embed_all(e, vec![req.query.clone()]).await?.remove(0)),
            None => None,
        };
        let started = Instant::now();
        // Ranking is a few milliseconds of CPU over in-memory indexes; it runs
        // on the calling task like any other request work.
        let ranked = self.rank(&req, mode, query_embedding.as_deref())?;
        // The relevance step has read most hits already; read the rest.
        let unread: Vec<u64> = ranked
            .iter()
            .filter(|r| r.chunk.is_none())
            .map(|r| r.key)
            .collect();
        let mut chunks = self.store.get(&unread)?;
        let hits = ranked
            .into_iter()
            .filter_map(|r| {
                let chunk = match r.chunk {
                    Some(chunk) => chunk,
                    None => {
                        let at = chunks.iter().position(|c| c.key == r.key)?;
                        chunks.swap_remove(at)
                    }
                };
                Some(SearchHit {
                    chunk,
                    similarity: r.relevance,
                    raw_score: r.raw,
                    coverage: r.coverage,
                })
            })
            .collect();
        tracing::debug!(
            elapsed_us = started.elapsed().as_micros() as u64,
            "search ranked"
        );
        Ok(SearchResults {
            hits,
            query_embedding,
            chunks_searched: self
                .store
                .count(&req.org_id, req.data_source_ids.as_deref())?,
            mode,
            embedder: self.embedder.as_ref().map(|e| e.info().clone()),
        })
    }

    /// Keys with their relevance and raw score, best first, one per
    /// duplicated passage, thresholded and cut to top_k.
    fn rank(
        &self,
        req: &SearchRequest,
        mode: Mode,
        query: Option<&[f32]>,
    ) -> Result<Vec<Ranked>, SearchError> {
        let want = req.top_k.max(self.settings.candidates);
        let sources = req.data_source_ids.as_deref();
        let vectors = self.read_vectors();
        let index = vectors.as_ref().zip(query);
        let lexical_hits = match mode {
            Mode::Vector => Vec::new(),
            _ => self
                .lexical
                .search(&req.query, &req.org_id, sources, want)?,
        };
        let vector_hits = match (mode, index) {
            (Mode::Lexical, _) | (_, None) => Vec::new(),
            (_, Some((index, q))) => {
                let filter = Filter {
                    org: &req.org_id,
                    sources,
                };
                index.search(q, &filter, want, false)
            }
        };
        let Some((index, q)) = index else {
            // No model: BM25 relative to the best hit is all there is.
            let best = lexical_hits
                .first()
                .map_or(1.0, |h| h.1.max(f32::MIN_POSITIVE));
            let order: Vec<u64> = lexical_hits.iter().map(|h| h.0).collect();
            let shown = self.collapse_duplicates(&req.org_id, order, None)?;
            return Ok(shown
                .into_iter()
                .filter_map(|s| {
                    let score = lexical_hits.iter().find(|h| h.0 == s.rank_of)?.1;
                    Some(Ranked::uncalibrated(s.key, score / best))
                })
                .filter(|r| r.relevance >= req.threshold)
                .take(req.top_k)
                .collect());
        };
        let order: Vec<u64> = match mode {
            Mode::Lexical => lexical_hits.iter().map(|h| h.0).collect(),
            Mode::Vector => vector_hits.iter().map(|h| h.0).collect(),
            Mode::Hybrid => {
                let lex: Vec<u64> = lexical_hits.iter().map(|h| h.0).collect();
                let vec: Vec<u64> = vector_hits.iter().map(|h| h.0).collect();
                reciprocal_rank(&lex, &vec, self.settings.fusion)
                    .into_iter()
                    .map(|f| f.0)
                    .collect()
            }
        };
        let order: Vec<u64> = self
            .collapse_duplicates(&req.org_id, order, Some(index))?
            .into_iter()
            .map(|s| s.key)
            .collect();
        let wanted = match mode {
            Mode::Hybrid => req.top_k.max(HYBRID_REORDERED),
            _ => req.top_k,
        };
        let mut passing = self.calibrated(req, index.similarities(q, &order), wanted)?;
        if mode == Mode::Hybrid {
            // Fusion finds the candidates; the best few are ordered by their
            // relevance, which weighs both lists' evidence in one number.
            let head = passing.len().min(HYBRID_REORDERED);
            passing[..head].sort_by(|a, b| b.relevance.total_cmp(&a.relevance));
        }
        Ok(match &self.reranker {
            Some(reranker) => {
                let candidates = passing
                    .iter()
                    .map(|r| Candidate {
                        key: r.key,
                        relevance: r.relevance,
                        vector: index.vector(r.key),
                    })
                    .collect();
                let order = reranker.rerank(&req.query, candidates, req.top_k);
                order
                    .into_iter()
                    .filter_map(|k| passing.iter().find(|p| p.key == k).cloned())
                    .collect()
            }
            None => passing.into_iter().take(req.top_k).collect(),
        })
    }

    /// The candidates (best first, with their cosine) that reach the
    /// threshold, with their relevance. Without a reranker, stops once
    /// `wanted` pass; a candidate that could not pass even with every
    /// question word present is passed over without reading its text.
    fn calibrated(
        &self,
        req: &SearchRequest,
        candidates: Vec<(u64, f32)>,
        wanted: usize,
    ) -> Result<Vec<Ranked>, SearchError> {
        let calibration = self.calibration();
        let terms = self.lexical.query_terms(&req.query)?;
        let mut passing = Vec::new();
        for (key, raw) in candidates {
            if self.reranker.is_none() && passing.len() >= wanted {
                break;
            }
            if calibration.relevance(raw, 1.0) < req.threshold {
                continue;
            }
            let Some(chunk) = self.store.get(&[key])?.pop() else {
                continue;
            };
            let coverage = crate::lexical::coverage(&terms, &chunk);
            let relevance = calibration.relevance(raw, coverage);
            if relevance >= req.threshold {
                passing.push(Ranked {
                    key,
                    relevance,
                    raw,
                    coverage,
                    chunk: Some(chunk),
                });
            }
        }
        Ok(passing)
    }

    /// How the embedder's cosine reads as relevance.
    pub fn calibration(&self) -> Calibrated {
        self.embedder
            .as_ref()
            .map_or(Calibrated::Uncalibrated, |e| e.calibration())
    }

    /// One place per passage: a chunk whose text another document of its
    /// data source repeats is replaced by the copy in the smaller document
    /// (so a whole-book page never outranks its chapters), and of two chunks
    /// of one data source whose vectors are near-identical only the one in
    /// the smaller document is kept. Order is otherwise kept.
    fn collapse_duplicates(
        &self,
        org: &str,
        order: Vec<u64>,
        index: Option<&VectorIndex>,
    ) -> Result<Vec<Shown>, SearchError> {
        let mut facts = self.store.facts(&order)?;
        // The copy shown must be rankable: with a model it needs a vector,
        // without one it must have matched the query too.
        let rankable = |key: u64| match index {
            Some(index) => index.vector(key).is_some(),
            None => order.contains(&key),
        };
        let mut shown: Vec<Shown> = Vec::with_capacity(order.len());
        for &key in &order {
            let copy = facts.get(&key).map_or(key, |f| f.representative);
            let copy = if rankable(copy) { copy } else { key };
            if !shown.iter().any(|s| s.key == copy) {
                shown.push(Shown {
                    key: copy,
                    rank_of: key,
                });
            }
        }
        let Some(index) = index else {
            return Ok(shown);
        };
        let missing: Vec<u64> = shown
            .iter()
            .map(|s| s.key)
            .filter(|k| !facts.contains_key(k))
            .collect();
        facts.extend(self.store.facts(&missing)?);
        let source = |k: u64| facts.get(&k).map(|f| f.data_source_id.as_str());
        let size = |k: u64| -> Result<u64, SearchError> {
            let Some(f) = facts.get(&k) else {
                return Ok(u64::MAX);
            };
            let document = (org.to_owned(), f.document_id.clone());
            let sizes = self.store.document_sizes(std::slice::from_ref(&document))?;
            Ok(sizes.get(&document).copied().unwrap_or(u64::MAX))
        };
        let twins = |a: u64, b: u64| {
            source(a) == source(b)
                && match (index.vector(a), index.vector(b)) {
                    (Some(x), Some(y)) => crate::simd::dot_f32(x, y) >= NEAR_DUPLICATE,
                    _ => false,
                }
        };
        let mut kept: Vec<Shown> = Vec::with_capacity(shown.len());
        for s in shown {
            match kept.iter().position(|k| twins(k.key, s.key)) {
                None => kept.push(s),
                Some(at) => {
                    if size(s.key)? < size(kept[at].key)? {
                        kept[at].key = s.key;
                    }
                }
            }
        }
        Ok(kept)
    }
}

/// A chunk shown in a ranking, and the candidate whose place it takes (itself,
/// or a copy of its passage in a larger document).
#[derive(Debug, Clone, Copy)]
struct Shown {
    key: u64,
    rank_of: u64,
}

/// Fused hybrid hits reordered by relevance: measured on the dev corpora,
/// 5 raised MRR@10 on all three; 10 and 20 lost hits (docs/BENCHMARKS.md).
const HYBRID_REORDERED: usize = 5;

/// Cosine at or above which two chunks of a data source count as one passage.
const NEAR_DUPLICATE: f32 = 0.98;

/// A ranked chunk: the relevance its threshold applies to and its raw score.
#[derive(Debug, Clone)]
struct Ranked {
    key: u64,
    relevance: f32,
    raw: f32,
    coverage: f32,
    /// The chunk, when ranking had to read it.
    chunk: Option<StoredChunk>,
}

impl Ranked {
    fn uncalibrated(key: u64, score: f32) -> Self {
        Self {
            key,
            relevance: score,
            raw: score,
            coverage: 0.0,
            chunk: None,
        }
    }
}

/// Records the embedder an index's vectors come from, once.
fn record_embedder(store: &ChunkStore, info: &EmbedderInfo) -> Result<(), SearchError> {
    if store.embedder()?.is_none() {
        store.set_meta("embedder", &serde_json::to_string(info).unwrap_or_default())?;
    }
    Ok(())
}

fn check_chunks(chunks: &[ChunkInput]) -> Result<(), SearchError> {
    for c in chunks {
        if c.text.trim().is_empty() {
            return Err(SearchError::Invalid(format!(
                "chunk {} has no text",
                c.chunk_id
            )));
        }
        if c.start > c.end {
            return Err(SearchError::Invalid(format!(
                "chunk {}: start is after end",
                c.chunk_id
            )));
        }
    }
    Ok(())
}

/// What is embedded for a chunk: its title path and text, so a chunk that
/// only makes sense under its heading is found by the heading's words too.
fn embedding_text(c: &ChunkInput) -> String {
    let mut heads: Vec<&str> = Vec::new();
    if !c.title.is_empty() {
        heads.push(&c.title);
    }
    heads.extend(
        c.heading_path
            .iter()
            .map(String::as_str)
            .filter(|h| *h != c.title),
    );
    if heads.is_empty() {
        c.text.clone()
    } else {
        format!("{}\n{}", heads.join(" › "), c.text)
    }
}
