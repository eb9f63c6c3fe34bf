//! Grove's retrieval engine: embedders, the chunk store, the lexical and vector
//! indexes, fusion and reranking, brought together by [`engine::SearchEngine`].

mod simd;
pub(crate) use simd::dispatch;

pub mod calibration;
pub mod chunks;
pub mod embed;
pub mod engine;
pub mod eval;
pub mod fusion;
pub mod lexical;
pub mod rerank;
pub mod vector;

pub use engine::{Mode, SearchEngine, SearchHit, SearchRequest, SearchResults, SearchSettings};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The request cannot be served as asked (bad chunk input, mode needing
    /// a missing model); the message says why.
    #[error("{0}")]
    Invalid(String),
    #[error("vector search needs an embedding model, and none is loaded")]
    NoEmbedder,
    #[error(transparent)]
    Embed(#[from] embed::EmbedError),
    #[error("index storage: {0}")]
    Storage(String),
}
