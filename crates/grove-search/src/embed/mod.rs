//! Embedders behind one trait: the local all-MiniLM-L6-v2 ([`LocalMiniLm`])
//! and any OpenAI-compatible `/v1/embeddings` server ([`openai::OpenAiEmbedder`]).
//! Every vector index records the name and dimension of the embedder that
//! filled it, and refuses vectors from another.

pub mod coalesce;
pub mod int8;
pub mod kernels;
pub mod minilm;
pub mod models;
pub mod openai;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use grove_core::config::{EmbeddingConfig, EmbeddingProvider};

use async_trait::async_trait;

use crate::calibration::Calibrated;

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
    /// What this embedder's cosine means as relevance (see [`crate::calibration`]).
    fn calibration(&self) -> Calibrated {
        Calibrated::Uncalibrated
    }
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

    /// The model in the default precision ([`minilm::Precision::choose`]).
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        Self::load_with(dir, minilm::Precision::choose(None))
    }

    pub fn load_with(dir: &Path, precision: minilm::Precision) -> Result<Self, EmbedError> {
        Ok(Self {
            model: Arc::new(minilm::MiniLm::load_with(dir, precision)?),
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

    fn calibration(&self) -> Calibrated {
        crate::calibration::for_model(&self.info.name)
            .map_or(Calibrated::Uncalibrated, Calibrated::Fitted)
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

/// The embedder the configuration asks for, and a sentence saying what was
/// loaded (for logs, `/readyz` and search metadata). A missing local model is
/// not an error: the server then serves lexical search only.
pub struct Loaded {
    pub embedder: Option<Arc<dyn Embedder>>,
    pub status: String,
}

pub fn from_config(config: &EmbeddingConfig) -> Loaded {
    match config.provider {
        EmbeddingProvider::None => Loaded {
            embedder: None,
            status: "disabled by configuration: lexical search only".into(),
        },
        EmbeddingProvider::Openai => {
            let mut c = openai::OpenAiConfig::new(&config.openai_base_url, &config.openai_model, config.openai_dimension);
            c.api_key = config.openai_api_key.clone();
            c.batch_size = config.openai_batch_size;
            c.timeout = Duration::from_secs(config.openai_timeout_seconds);
            c.calibration = match (config.calibration_slope, config.calibration_midpoint) {
                (Some(slope), Some(midpoint)) => Some(crate::calibration::Calibration {
                    slope,
                    midpoint,
                    coverage_weight: config.calibration_coverage_weight.unwrap_or(0.0),
                }),
                _ => None,
            };
            match openai::OpenAiEmbedder::new(c) {
                Ok(e) => Loaded {
                    status: format!("{} at {}", e.info(), config.openai_base_url),
                    embedder: Some(Arc::new(e)),
                },
                Err(e) => Loaded { embedder: None, status: format!("unavailable: {e}: lexical search only") },
            }
        }
        EmbeddingProvider::Local => match models::locate_minilm(config.model_path.as_deref()) {
            Err(tried) => Loaded {
                embedder: None,
                status: format!(
                    "no embedding model found (looked in {}); run scripts/fetch-models.sh: lexical search only",
                    tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
                ),
            },
            Ok(dir) => match LocalMiniLm::load_with(&dir, minilm::Precision::choose(config.precision)) {
                Ok(model) => Loaded {
                    status: format!("{} ({}) from {}", model.info(), model.model().precision(), dir.display()),
                    embedder: Some(Arc::new(coalesce::Coalescing::new(Arc::new(model)))),
                },
                Err(e) => Loaded { embedder: None, status: format!("{e}: lexical search only") },
            },
        },
    }
}
