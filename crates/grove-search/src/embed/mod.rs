//! Embedders behind one trait: the local all-MiniLM-L6-v2 ([`LocalMiniLm`])
//! and any OpenAI-compatible `/v1/embeddings` server ([`openai::OpenAiEmbedder`]).
//! Every vector index records the name and dimension of the embedder that
//! filled it, and refuses vectors from another.

pub mod kernels;
pub mod minilm;
pub mod models;
pub mod openai;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("embedding model error: {0}")]
    Model(String),
    #[error("embedding provider error: {0}")]
    Provider(String),
    #[error("embedder mismatch: index was built with {expected}, got {actual}")]
    Mismatch { expected: String, actual: String },
}

/// Which embedder produced a vector: name and dimension.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmbedderInfo {
    pub name: String,
    pub dimension: usize,
}

impl std::fmt::Display for EmbedderInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} dimensions)", self.name, self.dimension)
    }
}

#[async_trait]
pub trait Embedder: Send + Sync {
    fn info(&self) -> &EmbedderInfo;
    /// One normalised vector per text, in order.
    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// The local model, run on Tokio's blocking pool.
pub struct LocalMiniLm {
    model: Arc<minilm::MiniLm>,
    info: EmbedderInfo,
}

impl LocalMiniLm {
    pub const NAME: &'static str = "sentence-transformers/all-MiniLM-L6-v2";

    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        Ok(Self {
            model: Arc::new(minilm::MiniLm::load(dir)?),
            info: EmbedderInfo {
                name: Self::NAME.into(),
                dimension: 384,
            },
        })
    }

    pub fn model(&self) -> &Arc<minilm::MiniLm> {
        &self.model
    }
}

#[async_trait]
impl Embedder for LocalMiniLm {
    fn info(&self) -> &EmbedderInfo {
        &self.info
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        let model = Arc::clone(&self.model);
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            model.embed(&refs)
        })
        .await
        .map_err(|e| EmbedError::Model(format!("embedding task failed: {e}")))?
    }
}
