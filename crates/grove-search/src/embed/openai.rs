//! An OpenAI-compatible `/v1/embeddings` client (OpenAI, TEI, vLLM, Ollama):
//! batches inputs, retries 429 and 5xx answers and transport errors with
//! exponential backoff (honouring `Retry-After`), and times requests out.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::{EmbedError, Embedder, EmbedderInfo};
use crate::calibration::{Calibrated, Calibration, OPENAI_COMPATIBLE_DEFAULT};

#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// Base URL including the version, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    pub dimension: usize,
    pub batch_size: usize,
    pub timeout: Duration,
    pub max_retries: u32,
    pub backoff_base: Duration,
    /// The model's calibration from the config; without one the documented
    /// default for OpenAI-compatible models applies.
    pub calibration: Option<Calibration>,
}

impl OpenAiConfig {
    pub fn new(base_url: &str, model: &str, dimension: usize) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: None,
            model: model.to_owned(),
            dimension,
            batch_size: 64,
            timeout: Duration::from_secs(30),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            calibration: None,
        }
    }
}

pub struct OpenAiEmbedder {
    client: reqwest::Client,
    config: OpenAiConfig,
    info: EmbedderInfo,
}

#[derive(Deserialize)]
struct Response {
    data: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    embedding: Vec<f32>,
    index: usize,
}

/// Whether an answer is worth retrying, and after how long at least.
enum Attempt {
    Done(Vec<Vec<f32>>),
    Retry(String, Option<Duration>),
    Fail(String),
}

impl OpenAiEmbedder {
    pub fn new(config: OpenAiConfig) -> Result<Self, EmbedError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| EmbedError::Provider(e.to_string()))?;
        let info = EmbedderInfo {
            name: format!("openai-compatible:{}", config.model),
            dimension: config.dimension,
        };
        Ok(Self {
            client,
            config,
            info,
        })
    }

    async fn attempt(&self, batch: &[String]) -> Attempt {
        let mut req = self
            .client
            .post(format!("{}/embeddings", self.config.base_url))
            .json(&json!({ "model": self.config.model, "input": batch }));
        if let Some(key) = &self.config.api_key {
            req = req.bearer_auth(key);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(format!("request failed: {e}"), None),
        };
        let status = resp.status();
        if status.as_u16() == 429 || status.is_server_error() {
            let wait = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = resp.text().await.unwrap_or_default();
            return Attempt::Retry(format!("{status}: {}", truncate(&body)), wait);
        }
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            return Attempt::Fail(format!("{status}: {}", truncate(&body)));
        }
        match resp.json::<Response>().await {
            Ok(parsed) => self.check(parsed, batch.len()),
            Err(e) => Attempt::Fail(format!("unreadable response: {e}")),
        }
    }

    fn check(&self, mut parsed: Response, expected: usize) -> Attempt {
        if parsed.data.len() != expected {
            return Attempt::Fail(format!(
                "asked for {expected} embeddings, got {}",
                parsed.data.len()
            ));
        }
        parsed.data.sort_by_key(|item| item.index);
        let mut out = Vec::with_capacity(expected);
        for item in parsed.data {
            if item.embedding.len() != self.config.dimension {
                return Attempt::Fail(format!(
                    "expected {} dimensions, got {}",
                    self.config.dimension,
                    item.embedding.len()
                ));
            }
            out.push(normalised(item.embedding));
        }
        Attempt::Done(out)
    }

    async fn embed_batch(&self, batch: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut attempt = 0;
        loop {
            match self.attempt(batch).await {
                Attempt::Done(vectors) => return Ok(vectors),
                Attempt::Fail(message) => return Err(EmbedError::Provider(message)),
                Attempt::Retry(message, wait) => {
                    attempt += 1;
                    if attempt > self.config.max_retries {
                        return Err(EmbedError::Provider(format!(
                            "gave up after {attempt} attempts: {message}"
                        )));
                    }
                    let backoff = self.config.backoff_base * 2u32.saturating_pow(attempt - 1);
                    let delay = wait.map_or(backoff, |w| w.max(backoff));
                    tracing::warn!(attempt, ?delay, error = %message, "embedding request will be retried");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}

fn truncate(body: &str) -> &str {
    let end = body.char_indices().nth(300).map_or(body.len(), |(i, _)| i);
    &body[..end]
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    fn info(&self) -> &EmbedderInfo {
        &self.info
    }

    fn calibration(&self) -> Calibrated {
        self.config.calibration.map_or(
            Calibrated::Default(OPENAI_COMPATIBLE_DEFAULT),
            Calibrated::Fitted,
        )
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.config.batch_size.max(1)) {
            out.extend(self.embed_batch(batch).await?);
        }
        Ok(out)
    }
}
