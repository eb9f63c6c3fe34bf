//! The one configuration loader. Sources, later ones winning:
//! built-in defaults → `grove.toml` (or the file named by `--config` /
//! `GROVE_CONFIG`) → `GROVE_*` environment variables, where `__` separates
//! nested keys (`GROVE_RATE_LIMITS__READ__PER_MINUTE=500`). The CLI applies its
//! own flags (`--addr`, `--data-dir`) last.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// Default config file, read from the working directory when present.
pub const DEFAULT_CONFIG_FILE: &str = "grove.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub addr: String,
    /// Directory holding the database file and indexes.
    pub data_dir: PathBuf,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// `text` or `json` log lines.
    pub log_format: LogFormat,
    /// Default log filter (overridden by `RUST_LOG`).
    pub log_level: String,
    /// How long in-flight requests get to finish on shutdown.
    pub shutdown_grace_seconds: u64,
    /// How long a verified API key is trusted without reading the store.
    /// Revocations in the same process apply at once; this bounds how long
    /// another replica's revocation takes. 0 turns the cache off.
    pub key_cache_seconds: u64,
    pub rate_limits: RateLimits,
    pub queue: QueueConfig,
    pub store: StoreConfig,
    pub embedding: EmbeddingConfig,
    pub search: SearchConfig,
    /// Lets crawlers and connectors reach loopback, private, link-local and
    /// cloud-metadata addresses (`GROVE_ALLOW_PRIVATE_NETWORKS=true`). Off by
    /// default: a data source URL must not become a way into the network.
    pub allow_private_networks: bool,
    pub ingest: IngestConfig,
    pub llm: LlmConfig,
    pub agents: AgentsConfig,
    pub jobs: JobsConfig,
    pub webhooks: WebhooksConfig,
    /// The master key that seals stored credentials: base64 of 32 random
    /// bytes, usually from `GROVE_MASTER_KEY`. Unset: `master.key` in the
    /// data directory, created with mode 0600 on first start.
    pub master_key: Option<String>,
}

/// Generation providers. An agent's `model` names one as `<provider>:<model>`
/// (`openai:gpt-4o-mini`, `ollama:qwen2.5:7b`); `extractive` needs none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmConfig {
    /// Providers by name. Built in: `openai`, `ollama`, `vllm`, `llamacpp`
    /// (OpenAI-compatible) and `anthropic`; add or override any.
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Prices in USD per million tokens, by full model string
    /// (`openai:gpt-4o-mini`). A model without a price costs 0.
    pub prices: BTreeMap<String, ModelPrice>,
    /// Time to connect and receive the first bytes of an answer.
    pub request_timeout_seconds: u64,
    /// Longest silence between two streamed pieces before giving up.
    pub idle_timeout_seconds: u64,
    /// Retries after 429 (honouring `Retry-After`) or 5xx before any text.
    pub max_retries: u32,
    /// Longest `Retry-After` waited out; longer ones fail at once.
    pub max_retry_after_seconds: u64,
    /// Sentences (or joined pairs) in an `extractive` answer, 1 to 3.
    pub extractive_sentences: usize,
}

/// Which wire format a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderApi {
    /// `POST {base_url}/chat/completions` (OpenAI, vLLM, Ollama, llama.cpp).
    OpenaiChat,
    /// `POST {base_url}/v1/messages` (Anthropic Messages API).
    AnthropicMessages,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderConfig {
    pub api: ProviderApi,
    /// For `openai_chat`, including the version (`http://127.0.0.1:11434/v1`);
    /// for `anthropic_messages`, without it (`https://api.anthropic.com`).
    pub base_url: String,
    /// Sent as a bearer token (OpenAI) or `x-api-key` (Anthropic); never logged.
    #[serde(default)]
    pub api_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelPrice {
    pub input_per_million: f64,
    pub output_per_million: f64,
}

impl Default for LlmConfig {
    fn default() -> Self {
        let provider = |api, base_url: &str| ProviderConfig {
            api,
            base_url: base_url.to_owned(),
            api_key: None,
        };
        let providers = BTreeMap::from([
            (
                "openai".to_owned(),
                provider(ProviderApi::OpenaiChat, "https://api.openai.com/v1"),
            ),
            (
                "ollama".to_owned(),
                provider(ProviderApi::OpenaiChat, "http://127.0.0.1:11434/v1"),
            ),
            (
                "vllm".to_owned(),
                provider(ProviderApi::OpenaiChat, "http://127.0.0.1:8000/v1"),
            ),
            (
                "llamacpp".to_owned(),
                provider(ProviderApi::OpenaiChat, "http://127.0.0.1:8081/v1"),
            ),
            (
                "anthropic".to_owned(),
                provider(ProviderApi::AnthropicMessages, "https://api.anthropic.com"),
            ),
        ]);
        let price = |input_per_million, output_per_million| ModelPrice {
            input_per_million,
            output_per_million,
        };
        let prices = BTreeMap::from([
            ("openai:gpt-4o-mini".to_owned(), price(0.15, 0.60)),
            ("openai:gpt-4o".to_owned(), price(2.50, 10.0)),
            ("anthropic:claude-sonnet-4-5".to_owned(), price(3.0, 15.0)),
            ("anthropic:claude-haiku-4-5".to_owned(), price(1.0, 5.0)),
        ]);
        Self {
            providers,
            prices,
            request_timeout_seconds: 60,
            idle_timeout_seconds: 30,
            max_retries: 3,
            max_retry_after_seconds: 60,
            extractive_sentences: 3,
        }
    }
}

/// Knowledge agents: answering and sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentsConfig {
    /// Agents' default similarity threshold: when no retrieved chunk reaches
    /// it, the agent says it has no information instead of guessing.
    pub similarity_threshold: f32,
    /// Sessions idle longer than this are deleted with their turns.
    pub session_retention_days: u32,
    /// Earlier turns of a session that cedar and cypress read.
    pub history_turns: usize,
}

impl Default for AgentsConfig {
    fn default() -> Self {
        Self {
            similarity_threshold: 0.7,
            session_retention_days: 30,
            history_turns: 5,
        }
    }
}

/// Agent jobs: the scheduler, runs and notifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobsConfig {
    /// A scheduled fire missed (the server was down) runs once on start if
    /// it is at most this old; older ones are recorded as skipped.
    pub missed_fire_grace_seconds: u64,
    /// Runs of all jobs that may run at the same time in this process.
    pub max_concurrent_runs: usize,
    /// Base URL of links in notifications (a chat's link is
    /// `<public_url>/api/v1/chats/<id>`).
    pub public_url: String,
    /// SMTP server for email channels.
    pub smtp: SmtpConfig,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            missed_fire_grace_seconds: 300,
            max_concurrent_runs: 4,
            public_url: "http://127.0.0.1:8080".into(),
            smtp: SmtpConfig::default(),
        }
    }
}

/// Outgoing webhooks: delivery schedule, limits and URL rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhooksConfig {
    /// Accept `http://` endpoint URLs (tests, closed networks). Off by
    /// default: endpoints must use HTTPS.
    pub allow_http: bool,
    /// Waits before each retry of a failed delivery; a delivery that fails
    /// once more after the last wait gives up and disables its endpoint.
    pub retry_schedule_seconds: Vec<u64>,
    /// Time for an endpoint to answer one attempt.
    pub timeout_seconds: u64,
    /// Deliveries in flight at once in this process.
    pub max_concurrent_deliveries: usize,
    /// Attempts in flight at once to one endpoint, so that a slow one
    /// never takes every delivery slot; its other deliveries wait.
    pub max_in_flight_per_endpoint: usize,
    /// How long the secret replaced by a rotation keeps signing.
    pub previous_secret_hours: u64,
    /// Settled deliveries and sent events older than this are deleted.
    pub history_days: u32,
}

/// The longest retention the housekeeping accepts (about 100 years).
const MAX_RETENTION_DAYS: u32 = 36_500;

impl WebhooksConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |what: &str| Err(ConfigError::Invalid(format!("webhooks.{what}")));
        if !(1..=300).contains(&self.timeout_seconds) {
            return bad("timeout_seconds must be 1 to 300");
        }
        if self.retry_schedule_seconds.is_empty() || self.retry_schedule_seconds.len() > 20 {
            return bad("retry_schedule_seconds must list 1 to 20 waits");
        }
        if self.retry_schedule_seconds.iter().any(|s| *s > 7 * 86_400) {
            return bad("retry_schedule_seconds: each wait must be at most 7 days (604800)");
        }
        if self.max_concurrent_deliveries == 0 || self.max_in_flight_per_endpoint == 0 {
            return bad(
                "max_concurrent_deliveries and max_in_flight_per_endpoint must be at least 1",
            );
        }
        if self.previous_secret_hours > 24 * 365 {
            return bad("previous_secret_hours must be at most 8760 (a year)");
        }
        if !(1..=MAX_RETENTION_DAYS).contains(&self.history_days) {
            return bad("history_days must be 1 to 36500");
        }
        Ok(())
    }
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            allow_http: false,
            retry_schedule_seconds: vec![5, 30, 120, 600, 3_600, 21_600, 86_400],
            timeout_seconds: 10,
            max_concurrent_deliveries: 8,
            max_in_flight_per_endpoint: 2,
            previous_secret_hours: 24,
            history_days: 30,
        }
    }
}

/// The SMTP relay that email notifications go through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `none` (plain, for a local relay), `starttls` or `tls`.
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    pub timeout_seconds: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 25,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Grove <grove@localhost>".into(),
            timeout_seconds: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    None,
    Starttls,
    Tls,
}

/// Fetching and parsing limits of crawlers, connectors and uploads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngestConfig {
    /// Networks reachable even though private (CIDR, e.g. `10.1.0.0/16`).
    pub allowed_cidrs: Vec<String>,
    /// Largest response body read from a site or service.
    pub max_response_bytes: u64,
    /// Time limit of one request, connection included.
    pub request_timeout_seconds: u64,
    /// Redirect hops followed per URL.
    pub max_redirects: u32,
    /// Pages fetched at once by one crawl.
    pub crawl_concurrency: usize,
    /// Requests per second to one host.
    pub requests_per_second_per_host: u32,
    pub user_agent: String,
    /// Largest uploaded file, and largest zip archive (uncompressed total).
    pub max_file_bytes: u64,
    pub max_zip_bytes: u64,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            allowed_cidrs: Vec::new(),
            max_response_bytes: 20 * 1024 * 1024,
            request_timeout_seconds: 30,
            max_redirects: 10,
            crawl_concurrency: 4,
            requests_per_second_per_host: 10,
            user_agent: "GroveBot/0.1 (+https://github.com/grove)".into(),
            max_file_bytes: 50 * 1024 * 1024,
            max_zip_bytes: 200 * 1024 * 1024,
        }
    }
}

/// Which embedder fills the vector index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmbeddingProvider {
    /// all-MiniLM-L6-v2 on the CPU (found as DESIGN.md's "Models, offline" says).
    Local,
    /// An OpenAI-compatible `/v1/embeddings` server.
    Openai,
    /// No embeddings: lexical search only.
    None,
}

/// The arithmetic of the local model's linear layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmbeddingPrecision {
    /// 8-bit weights and activations, products in 32-bit integers (on CPUs
    /// with AVX-512 VNNI or AVX2; elsewhere f32 runs).
    Int8,
    F32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmbeddingConfig {
    pub provider: EmbeddingProvider,
    /// `int8` or `f32`; unset: int8 where the CPU has fast integer dot
    /// products (AVX-512 VNNI, or AVX2 with 7-bit weights), else f32.
    pub precision: Option<EmbeddingPrecision>,
    /// Directory holding model.safetensors and tokenizer.json; when unset,
    /// GROVE_MODELS_DIR, ./models and the Hugging Face cache are searched.
    pub model_path: Option<PathBuf>,
    /// Base URL including the version, e.g. http://127.0.0.1:11434/v1.
    pub openai_base_url: String,
    pub openai_model: String,
    pub openai_dimension: usize,
    /// Sent as a bearer token; never logged.
    pub openai_api_key: Option<String>,
    pub openai_batch_size: usize,
    pub openai_timeout_seconds: u64,
    /// The OpenAI-compatible model's calibration (relevance =
    /// 1 / (1 + e^-(slope · (cosine + coverage_weight · coverage −
    /// midpoint))), docs/API.md); slope and midpoint both or neither, the
    /// coverage weight optional (default 0). Without them a documented
    /// default applies, reported as not fitted.
    pub calibration_slope: Option<f32>,
    pub calibration_midpoint: Option<f32>,
    pub calibration_coverage_weight: Option<f32>,
}

impl Default for EmbeddingConfig {
    fn default() -> Self {
        Self {
            provider: EmbeddingProvider::Local,
            precision: None,
            model_path: None,
            openai_base_url: "http://127.0.0.1:11434/v1".into(),
            openai_model: "all-minilm".into(),
            openai_dimension: 384,
            openai_api_key: None,
            openai_batch_size: 64,
            openai_timeout_seconds: 30,
            calibration_slope: None,
            calibration_midpoint: None,
            calibration_coverage_weight: None,
        }
    }
}

/// Retrieval tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchConfig {
    /// Weights of the two lists in reciprocal-rank fusion, and its constant.
    pub lexical_weight: f32,
    pub vector_weight: f32,
    pub rrf_k: f32,
    /// BM25 multipliers of a term found in the page title, the heading path
    /// and the chunk's text.
    pub title_weight: f32,
    pub headings_weight: f32,
    pub body_weight: f32,
    /// Candidates taken from each list before fusion.
    pub candidates: usize,
    /// Filtered collections up to this many chunks are searched exactly.
    pub exact_limit: usize,
    /// Above it, this many candidates per result are re-scored exactly.
    pub oversample: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            lexical_weight: 1.0,
            vector_weight: 1.0,
            rrf_k: 60.0,
            title_weight: 0.5,
            headings_weight: 0.5,
            body_weight: 1.0,
            candidates: 50,
            exact_limit: 20_000,
            oversample: 8,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Requests per minute and burst, per key, for each scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimits {
    pub read: RateQuota,
    pub write: RateQuota,
    pub execute: RateQuota,
    pub admin: RateQuota,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateQuota {
    pub per_minute: u32,
    pub burst: u32,
}

/// Where Grove keeps its records. Without a `url` (the default) it is the
/// embedded SQLite file in the data directory; a `postgres://` URL
/// (`GROVE_DATABASE_URL`) puts them in PostgreSQL, which many replicas
/// can share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoreConfig {
    /// `postgres://user:password@host:port/database`, or unset for SQLite.
    pub url: Option<String>,
    /// Connections each replica holds at most.
    pub pool_size: usize,
    /// A statement running longer is cancelled by the server.
    pub statement_timeout_seconds: u64,
    /// No `LISTEN`: workers find new queue items by polling alone (for
    /// transaction-pooling proxies such as PgBouncer, which do not carry
    /// notifications).
    pub poll_only: bool,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: None,
            pool_size: 16,
            statement_timeout_seconds: 30,
            poll_only: false,
        }
    }
}

impl StoreConfig {
    /// The PostgreSQL URL, if one is set (an empty one means SQLite).
    pub fn postgres_url(&self) -> Option<&str> {
        self.url.as_deref().filter(|u| !u.trim().is_empty())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = self.postgres_url() {
            let scheme = url.split_once("://").map(|(s, _)| s);
            if !matches!(scheme, Some("postgres" | "postgresql")) {
                return Err(ConfigError::Invalid(
                    "store.url (GROVE_DATABASE_URL) must be a postgres:// or postgresql:// URL; \
                     leave it unset for the embedded SQLite store"
                        .into(),
                ));
            }
        }
        if self.pool_size == 0 {
            return Err(ConfigError::Invalid(
                "store.pool_size must be at least 1".into(),
            ));
        }
        if self.statement_timeout_seconds == 0 {
            return Err(ConfigError::Invalid(
                "store.statement_timeout_seconds must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueConfig {
    /// How long a worker holds an item before another may take it.
    pub lease_seconds: u64,
    /// How often idle workers look for new items.
    pub poll_interval_ms: u64,
    /// Attempts before an item is given up (status `dead`).
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt up to `backoff_max_ms`.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./grove-data"),
            max_body_bytes: 1024 * 1024,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            shutdown_grace_seconds: 30,
            key_cache_seconds: 10,
            rate_limits: RateLimits::default(),
            queue: QueueConfig::default(),
            store: StoreConfig::default(),
            embedding: EmbeddingConfig::default(),
            search: SearchConfig::default(),
            allow_private_networks: false,
            ingest: IngestConfig::default(),
            llm: LlmConfig::default(),
            agents: AgentsConfig::default(),
            jobs: JobsConfig::default(),
            webhooks: WebhooksConfig::default(),
            master_key: None,
        }
    }
}

impl Default for RateLimits {
    /// The seeds' defaults.
    fn default() -> Self {
        Self {
            execute: RateQuota {
                per_minute: 100,
                burst: 120,
            },
            write: RateQuota {
                per_minute: 10,
                burst: 15,
            },
            read: RateQuota {
                per_minute: 200,
                burst: 250,
            },
            admin: RateQuota {
                per_minute: 50,
                burst: 60,
            },
        }
    }
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            lease_seconds: 60,
            poll_interval_ms: 250,
            max_attempts: 5,
            backoff_base_ms: 1_000,
            backoff_max_ms: 3_600_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads defaults, then the config file, then `GROVE_*` variables.
    /// `file` is an explicitly named file, which must exist; without it,
    /// `GROVE_CONFIG` or `./grove.toml` is read if present.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let explicit = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("GROVE_CONFIG").map(PathBuf::from));
        let path = match explicit {
            Some(p) if !p.exists() => return Err(ConfigError::MissingFile(p)),
            Some(p) => p,
            None => PathBuf::from(DEFAULT_CONFIG_FILE),
        };
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(path))
            .merge(Env::prefixed("GROVE_").split("__"))
            .merge(
                Env::raw()
                    .only(&["GROVE_DATABASE_URL"])
                    .map(|_| "store.url".into()),
            )
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        for (name, q) in [
            ("read", self.rate_limits.read),
            ("write", self.rate_limits.write),
            ("execute", self.rate_limits.execute),
            ("admin", self.rate_limits.admin),
        ] {
            if q.per_minute == 0 || q.burst == 0 {
                return Err(ConfigError::Invalid(format!(
                    "rate_limits.{name}: per_minute and burst must be at least 1"
                )));
            }
        }
        if self.max_body_bytes == 0 {
            return Err(ConfigError::Invalid(
                "max_body_bytes must be at least 1".into(),
            ));
        }
        self.webhooks.validate()?;
        self.store.validate()?;
        let e = &self.embedding;
        match (e.calibration_slope, e.calibration_midpoint) {
            (Some(_), None) | (None, Some(_)) => {
                return Err(ConfigError::Invalid(
                    "embedding.calibration_slope and embedding.calibration_midpoint go together: give both or neither".into(),
                ))
            }
            (Some(slope), Some(midpoint)) if !(slope > 0.0 && slope.is_finite() && midpoint.is_finite()) => {
                return Err(ConfigError::Invalid(
                    "embedding.calibration_slope must be above 0 and calibration_midpoint a number".into(),
                ))
            }
            (None, None) if e.calibration_coverage_weight.is_some() => {
                return Err(ConfigError::Invalid(
                    "embedding.calibration_coverage_weight needs calibration_slope and calibration_midpoint".into(),
                ))
            }
            _ => {}
        }
        if e.calibration_coverage_weight
            .is_some_and(|w| !(w >= 0.0 && w.is_finite()))
        {
            return Err(ConfigError::Invalid(
                "embedding.calibration_coverage_weight must be a number, 0 or more".into(),
            ));
        }
        if self.agents.session_retention_days > MAX_RETENTION_DAYS {
            return Err(ConfigError::Invalid(format!(
                "agents.session_retention_days must be at most {MAX_RETENTION_DAYS}"
            )));
        }
        if self.queue.lease_seconds == 0 {
            return Err(ConfigError::Invalid(
                "queue.lease_seconds must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// Path of the SQLite database inside the data directory.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("grove.db")
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return its large error
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "grove.toml",
                "addr = \"127.0.0.1:9999\"\n[rate_limits.read]\nper_minute = 7\nburst = 9\n",
            )?;
            jail.set_env("GROVE_DATA_DIR", "/tmp/elsewhere");
            jail.set_env("GROVE_RATE_LIMITS__READ__BURST", "11");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.addr, "127.0.0.1:9999");
            assert_eq!(config.data_dir, PathBuf::from("/tmp/elsewhere"));
            assert_eq!(
                config.rate_limits.read,
                RateQuota {
                    per_minute: 7,
                    burst: 11
                }
            );
            assert_eq!(config.rate_limits.write, RateLimits::default().write);
            Ok(())
        });
    }

    #[test]
    fn the_store_is_sqlite_by_default_and_postgres_from_grove_database_url() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(Config::load(None).unwrap().store.postgres_url(), None);
            jail.create_file("grove.toml", "[store]\npool_size = 4\n")?;
            jail.set_env("GROVE_DATABASE_URL", "postgres://grove@db.internal/grove");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(
                config.store.postgres_url(),
                Some("postgres://grove@db.internal/grove")
            );
            assert_eq!(config.store.pool_size, 4);
            jail.set_env("GROVE_DATABASE_URL", "mysql://grove@db.internal/grove");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("store.url (GROVE_DATABASE_URL)"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn a_named_missing_file_and_zero_quotas_are_refused() {
        assert!(matches!(
            Config::load(Some(Path::new("/nonexistent/grove.toml"))),
            Err(ConfigError::MissingFile(_))
        ));
        figment::Jail::expect_with(|jail| {
            jail.set_env("GROVE_RATE_LIMITS__ADMIN__PER_MINUTE", "0");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("rate_limits.admin"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn webhook_settings_out_of_range_are_refused_with_their_name() {
        for (var, value, named) in [
            (
                "GROVE_WEBHOOKS__RETRY_SCHEDULE_SECONDS",
                "[]",
                "retry_schedule_seconds",
            ),
            (
                "GROVE_WEBHOOKS__RETRY_SCHEDULE_SECONDS",
                "[5, 9999999]",
                "retry_schedule_seconds",
            ),
            ("GROVE_WEBHOOKS__TIMEOUT_SECONDS", "0", "timeout_seconds"),
            (
                "GROVE_WEBHOOKS__PREVIOUS_SECRET_HOURS",
                "99999999",
                "previous_secret_hours",
            ),
            ("GROVE_WEBHOOKS__HISTORY_DAYS", "0", "history_days"),
            (
                "GROVE_WEBHOOKS__MAX_IN_FLIGHT_PER_ENDPOINT",
                "0",
                "max_in_flight_per_endpoint",
            ),
        ] {
            figment::Jail::expect_with(|jail| {
                jail.set_env(var, value);
                let err = Config::load(None).unwrap_err().to_string();
                assert!(
                    err.contains(&format!("webhooks.{named}")) || err.contains(named),
                    "{var}={value}: {err}"
                );
                Ok(())
            });
        }
    }

    #[test]
    fn the_example_file_documents_the_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../grove.example.toml");
        let example: Config = Figment::from(Toml::file(path)).extract().unwrap();
        assert_eq!(example, Config::default());
    }
}
