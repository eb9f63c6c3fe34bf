//! Generation: one [`Generator`] trait and its providers. An agent's `model`
//! picks one ([`Providers::resolve`]): `extractive` (the embedded default,
//! no model needed), or `<provider>:<model>` for a provider in the config
//! (`openai:gpt-4o-mini`, `ollama:qwen2.5:7b`, `anthropic:claude-sonnet-4-5`).
//!
//! Providers see a [`Prompt`] — the agent's system prompt, numbered sources,
//! the session's earlier turns and the question — and stream the answer's
//! text into a channel. [`prompt`] holds the documented template that the
//! model-backed providers render.

pub mod anthropic;
pub mod extractive;
pub mod openai;
pub mod prompt;
mod stream;
pub mod text;
pub mod tools;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use grove_core::config::{LlmConfig, ModelPrice, ProviderApi};
use tokio::sync::mpsc;

/// The model that answers with sentences of the retrieved sources; what an
/// organisation's agents use until it chooses another default.
pub const EXTRACTIVE: &str = grove_core::agents::DEFAULT_MODEL;

/// One retrieved source as the model sees it; sources are numbered from 1 in
/// the order given, and answers cite them as `[n]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceText {
    pub title: String,
    pub url: Option<String>,
    pub text: String,
}

/// An earlier question and answer of the session, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub question: String,
    pub answer: String,
}

/// Everything a generator answers from.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub system_prompt: String,
    pub question: String,
    pub sources: Vec<SourceText>,
    pub history: Vec<Turn>,
}

/// Per-request generation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The provider's own model id (`gpt-4o-mini`), without the provider name.
    pub model: String,
    pub temperature: f32,
    pub max_tokens: u32,
}

/// Tokens read and written, as the provider reported them (the extractive
/// answerer counts words).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

/// The answer to a helper prompt, with what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub usage: Usage,
}

/// Why generation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// The model string names no configured provider, or is malformed.
    #[error(
        "unknown model `{0}`: use `extractive` or `<provider>:<model>` with a configured provider"
    )]
    UnknownModel(String),
    /// The provider kept answering 429.
    #[error("{provider} is rate limiting requests (retry after {retry_after_secs:?} s)")]
    RateLimited {
        provider: String,
        retry_after_secs: Option<u64>,
    },
    /// No answer, or a silence between streamed pieces, past the limit.
    #[error("{provider} did not answer within {seconds} s")]
    Timeout { provider: String, seconds: u64 },
    /// The provider answered with an error status or an error event.
    #[error("{}", upstream_text(provider, *status, message))]
    Upstream {
        provider: String,
        /// HTTP status; 0 for an error event inside a stream.
        status: u16,
        message: String,
    },
    /// The connection failed or the answer could not be read.
    #[error("{provider}: {message}")]
    Transport { provider: String, message: String },
    /// The receiver of the streamed text went away (the client disconnected).
    #[error("generation cancelled")]
    Cancelled,
}

fn upstream_text(provider: &str, status: u16, message: &str) -> String {
    match status {
        0 => format!("{provider} reported an error mid-answer: {message}"),
        _ => format!("{provider} answered {status}: {message}"),
    }
}

/// A source of answers.
#[async_trait]
pub trait Generator: Send + Sync {
    /// Streams the answer's text into `deltas` as it is produced and returns
    /// the token usage. Stops with [`LlmError::Cancelled`] as soon as
    /// `deltas` is closed.
    async fn generate(
        &self,
        prompt: &Prompt,
        settings: &Settings,
        deltas: mpsc::Sender<String>,
    ) -> Result<Usage, LlmError>;

    /// One short completion without streaming, for helper prompts (question
    /// rewriting). `None` when the generator cannot follow instructions (the
    /// extractive answerer); callers then use a deterministic fallback.
    async fn complete(
        &self,
        system: &str,
        user: &str,
        settings: &Settings,
    ) -> Result<Option<Completion>, LlmError>;

    /// One turn of a tool-using conversation, streamed from the provider
    /// and returned whole. `None` when the generator cannot call tools (the
    /// extractive answerer).
    async fn converse(
        &self,
        _request: &tools::ToolRequest<'_>,
        _settings: &Settings,
    ) -> Result<Option<tools::ModelTurn>, LlmError> {
        Ok(None)
    }
}

/// Timeouts and retries shared by the HTTP providers.
#[derive(Debug, Clone)]
pub struct HttpPolicy {
    pub request_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_retries: u32,
    pub max_retry_after: Duration,
}

impl HttpPolicy {
    pub fn from_config(config: &LlmConfig) -> Self {
        Self {
            request_timeout: Duration::from_secs(config.request_timeout_seconds),
            idle_timeout: Duration::from_secs(config.idle_timeout_seconds),
            max_retries: config.max_retries,
            max_retry_after: Duration::from_secs(config.max_retry_after_seconds),
        }
    }
}

/// A model string resolved to its generator.
#[derive(Clone)]
pub struct Resolved {
    pub generator: Arc<dyn Generator>,
    /// The provider's model id (empty for extractive).
    pub model: String,
    pub price: Option<ModelPrice>,
}

impl Resolved {
    /// Cost in USD of the given usage; 0 without a price.
    pub fn cost_usd(&self, usage: Usage) -> f64 {
        self.price.map_or(0.0, |p| {
            (usage.input_tokens as f64 * p.input_per_million
                + usage.output_tokens as f64 * p.output_per_million)
                / 1e6
        })
    }
}

/// Embeds texts, one normalised vector per text in order (the search
/// engine's embedder, wrapped by the server): for the extractive answerer's
/// ranking and for evals' answer similarity.
pub type TextEmbedder = dyn Fn(
        Vec<String>,
    )
        -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<Vec<f32>>, String>> + Send>>
    + Send
    + Sync;

/// The configured providers, built once.
pub struct Providers {
    extractive: Arc<dyn Generator>,
    by_name: BTreeMap<String, Arc<dyn Generator>>,
    prices: BTreeMap<String, ModelPrice>,
}

impl Providers {
    pub fn from_config(config: &LlmConfig) -> Self {
        let policy = HttpPolicy::from_config(config);
        let by_name = config
            .providers
            .iter()
            .map(|(name, p)| {
                let generator: Arc<dyn Generator> = match p.api {
                    ProviderApi::OpenaiChat => Arc::new(openai::OpenAiChat::new(
                        name,
                        &p.base_url,
                        p.api_key.clone(),
                        policy.clone(),
                    )),
                    ProviderApi::AnthropicMessages => Arc::new(anthropic::Anthropic::new(
                        name,
                        &p.base_url,
                        p.api_key.clone(),
                        policy.clone(),
                    )),
                };
                (name.clone(), generator)
            })
            .collect();
        Self {
            extractive: Arc::new(extractive::Extractive::new(
                None,
                config.extractive_sentences,
            )),
            by_name,
            prices: config.prices.clone(),
        }
    }

    /// The providers with an extractive answerer that ranks sentences by
    /// `embedder`'s vectors as well as by terms.
    pub fn with_sentence_embedder(
        mut self,
        embedder: Arc<TextEmbedder>,
        config: &LlmConfig,
    ) -> Self {
        self.extractive = Arc::new(extractive::Extractive::new(
            Some(embedder),
            config.extractive_sentences,
        ));
        self
    }

    /// Checks a model string without resolving it, for agent validation.
    /// The names of the configured providers (`[llm.providers.NAME]`).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    pub fn check(&self, model: &str) -> Result<(), LlmError> {
        self.resolve(model).map(|_| ())
    }

    /// The generator and model id for an agent's `model`.
    pub fn resolve(&self, model: &str) -> Result<Resolved, LlmError> {
        if model == EXTRACTIVE {
            return Ok(Resolved {
                generator: self.extractive.clone(),
                model: String::new(),
                price: None,
            });
        }
        let unknown = || LlmError::UnknownModel(model.to_owned());
        let (provider, id) = model.split_once(':').ok_or_else(unknown)?;
        if id.trim().is_empty() {
            return Err(unknown());
        }
        let generator = self.by_name.get(provider).ok_or_else(unknown)?.clone();
        Ok(Resolved {
            generator,
            model: id.to_owned(),
            price: self.prices.get(model).copied(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_strings_resolve_to_providers_with_prices() {
        let providers = Providers::from_config(&LlmConfig::default());
        let r = providers.resolve("openai:gpt-4o-mini").unwrap();
        assert_eq!(r.model, "gpt-4o-mini");
        let usage = Usage {
            input_tokens: 1_000_000,
            output_tokens: 500_000,
        };
        assert!((r.cost_usd(usage) - (0.15 + 0.30)).abs() < 1e-9);
        // Ollama model ids carry a colon of their own.
        assert_eq!(
            providers.resolve("ollama:qwen2.5:7b").unwrap().model,
            "qwen2.5:7b"
        );
        assert_eq!(
            providers
                .resolve("ollama:qwen2.5:7b")
                .unwrap()
                .cost_usd(usage),
            0.0
        );
        assert_eq!(providers.resolve(EXTRACTIVE).unwrap().cost_usd(usage), 0.0);
        for bad in ["gpt-4", "nope:model", "openai:", ""] {
            assert!(
                matches!(providers.resolve(bad), Err(LlmError::UnknownModel(_))),
                "{bad}"
            );
        }
    }
}
