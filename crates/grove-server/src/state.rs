//! Shared state handed to every handler.

use std::sync::Arc;

use grove_agent::analyst::Analyst;
use grove_agent::Answerer;
use grove_core::config::Config;
use grove_ingest::chunk::TokenCounter;
use grove_jobs::Jobs;
use grove_llm::Providers;
use grove_search::SearchEngine;
use grove_sql::ConnectorPool;
use grove_store::Store;

use crate::auth::KeyCache;
use crate::ratelimit::Limiters;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub limiters: Arc<Limiters>,
    pub key_cache: Arc<KeyCache>,
    pub search: Arc<SearchEngine>,
    /// What embedder was loaded, in a sentence (or why none was).
    pub embedder_status: Arc<str>,
    /// Counts tokens as the chunker does (the embedding model's tokenizer,
    /// or an estimate from words without it).
    pub tokens: Arc<dyn TokenCounter>,
    /// Answers questions with agents (retrieval, generation, recording).
    pub answerer: Arc<Answerer>,
    /// Agent jobs: triggers, cancellation, the scheduler's wake-up.
    pub jobs: Arc<Jobs>,
    /// Wakes the webhook worker when deliveries are queued in-process.
    pub deliveries_queued: Arc<tokio::sync::Notify>,
    /// Wakes the eval worker when an eval run is queued in-process.
    pub evals_queued: Arc<tokio::sync::Notify>,
    /// Data connectors opened so far, with their connection pools.
    pub connectors: Arc<ConnectorPool>,
    /// The tool-using loop of agents with a language model and connectors.
    pub analyst: Arc<Analyst>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        config: Config,
        search: Arc<SearchEngine>,
        embedder_status: &str,
    ) -> Self {
        let mut providers = Providers::from_config(&config.llm);
        if let Some(embedder) = search.embedder() {
            // The extractive answerer ranks sentences by meaning too.
            let sentences = crate::text_embedder(embedder.clone());
            providers = providers.with_sentence_embedder(sentences, &config.llm);
        }
        let providers = Arc::new(providers);
        let connectors = Arc::new(ConnectorPool::new(config.data_dir.clone()));
        let analyst = Arc::new(Analyst::new(
            store.clone(),
            search.clone(),
            connectors.clone(),
            providers.clone(),
        ));
        let answerer = Arc::new(Answerer::new(
            store.clone(),
            search.clone(),
            providers,
            config.agents.clone(),
        ));
        Self {
            answerer,
            jobs: Jobs::new(store.clone()),
            deliveries_queued: Arc::new(tokio::sync::Notify::new()),
            evals_queued: Arc::new(tokio::sync::Notify::new()),
            limiters: Arc::new(Limiters::new(&config.rate_limits)),
            connectors,
            analyst,
            tokens: grove_ingest::chunk::token_counter(&config),
            key_cache: Arc::new(KeyCache::new(std::time::Duration::from_secs(
                config.key_cache_seconds,
            ))),
            config: Arc::new(config),
            store,
            search,
            embedder_status: Arc::from(embedder_status),
        }
    }
}
