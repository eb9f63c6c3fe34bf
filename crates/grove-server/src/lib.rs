//! Grove's HTTP server: the router built from the route catalogue, the
//! middleware stack (request context → legacy adapter → auth guard), the
//! queue worker, and graceful start and stop.

pub mod auth;
pub mod context;
pub mod error;
pub mod extract;
pub mod legacy;
pub mod mcp;
pub mod metrics;
pub mod openapi;
pub mod provision;
pub mod ratelimit;
pub mod routes;
pub mod state;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::serve::ListenerExt;
use axum::Router;
use grove_core::config::Config;
use grove_core::sources::SyncInitiator;
use grove_core::ApiError;
use grove_ingest::sync::SyncRunner;
use grove_jobs::notify::Notifier;
use grove_jobs::runner::RunHandler;
use grove_search::fusion::FusionWeights;
use grove_search::lexical::FieldWeights;
use grove_search::vector::VectorSettings;
use grove_search::{SearchEngine, SearchSettings};
use grove_store::console::SessionLimits;
use grove_store::postgres::{PgOptions, PgStore};
use grove_store::queue::Worker;
use grove_store::secrets::{MasterKey, MASTER_KEY_FILE};
use grove_store::sqlite::SqliteStore;
use grove_store::webhooks::DELIVERY_KIND;
use grove_store::{Store, SyncStart, NOTIFY_KIND, RUN_KIND, SYNC_KIND};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::Failure;
use crate::routes::Family;
use crate::state::AppState;

/// Queue slots per process.
const WORKER_SLOTS: usize = 4;

/// Builds the full router for `state`: the operational routes, the API
/// catalogue, and `pages` (the web console, or nothing) beside them.
pub fn router(state: AppState, pages: Router<AppState>) -> Router {
    let body_limit = state.config.max_body_bytes;
    let mut api = Router::new();
    for route in routes::catalogue() {
        let guard = auth::Guard {
            state: state.clone(),
            requirement: route.requirement,
        };
        let mut handler = route
            .handler
            .route_layer(from_fn_with_state(guard, auth::guard));
        match route.family {
            Family::Legacy => {
                handler = handler.layer(from_fn_with_state(body_limit, legacy::camel_case));
            }
            Family::OpenAi => handler = handler.layer(from_fn(routes::openai::openai_errors)),
            Family::V1 | Family::Agents => {}
        }
        api = api.route(route.path, handler);
    }
    Router::new()
        .merge(routes::ops::router())
        .merge(api)
        .merge(mcp::router(state.clone()))
        .merge(pages)
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_answer,
        ))
        .layer(from_fn(context::request_context))
        .with_state(state)
}

/// The answer for a path no route serves: a 404 in the error envelope,
/// OpenAI's under `/v1/` (where OpenAI's clients read it).
async fn no_route(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = Failure(ApiError::not_found("route", uri.path())).into_response();
    if uri.path().starts_with(routes::openai::PREFIX) {
        response.extensions_mut().insert(error::ErrorStyle::OpenAi);
    }
    response
}

/// The answer to a request whose handler panicked: the panic logged and a
/// 500 in the error envelope, instead of a connection closed without an
/// answer.
fn panic_answer(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    tracing::error!(panic = %message, "a request handler panicked");
    Failure(ApiError::internal("the request failed unexpectedly")).into_response()
}

/// Opens the configured store: PostgreSQL when `store.url`
/// (`GROVE_DATABASE_URL`) is set, else the embedded SQLite file in the data
/// directory. Either way the master key comes from `GROVE_MASTER_KEY` or
/// the data directory's `master.key` (replicas must share it).
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let Some(url) = config.store.postgres_url() else {
        return Ok(open_embedded_store(config)?);
    };
    let (master, master_file) = master_key(config)?;
    let options = PgOptions {
        url: url.to_owned(),
        pool_size: config.store.pool_size,
        statement_timeout: Duration::from_secs(config.store.statement_timeout_seconds),
        poll_only: config.store.poll_only,
    };
    let store = PgStore::open(&options, master, master_file)
        .await
        .context("cannot open the PostgreSQL store (store.url, GROVE_DATABASE_URL)")?;
    Ok(Arc::new(store))
}

/// Opens the embedded store in the configured data directory, with the
/// master key from `GROVE_MASTER_KEY` or the data directory's `master.key`
/// (for the commands that work on the SQLite file itself).
pub fn open_embedded_store(config: &Config) -> anyhow::Result<Arc<SqliteStore>> {
    let (master, master_file) = master_key(config)?;
    let store = SqliteStore::open_with_key(&config.database_path(), master, master_file)
        .with_context(|| format!("cannot open {}", config.database_path().display()))?;
    Ok(Arc::new(store))
}

/// The master key and the file it was read from, if from a file; creates
/// the data directory (where `master.key` lives unless given).
fn master_key(config: &Config) -> anyhow::Result<(MasterKey, Option<std::path::PathBuf>)> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    let master = MasterKey::load(config.master_key.as_deref(), &config.data_dir)?;
    let master_file = config
        .master_key
        .is_none()
        .then(|| config.data_dir.join(MASTER_KEY_FILE));
    Ok((master, master_file))
}

/// Opens the retrieval engine in `<data_dir>/index` with the configured
/// embedder. Without a model it still opens, for lexical search.
pub fn open_search(config: &Config) -> anyhow::Result<(Arc<SearchEngine>, String)> {
    let loaded = grove_search::embed::from_config(&config.embedding);
    if loaded.embedder.is_some() {
        tracing::info!(embedder = %loaded.status, "embedding model loaded");
    } else {
        tracing::warn!(embedder = %loaded.status, "no embedding model: lexical search only");
    }
    let s = &config.search;
    let settings = SearchSettings {
        fusion: FusionWeights {
            lexical: s.lexical_weight,
            vector: s.vector_weight,
            k: s.rrf_k,
        },
        fields: FieldWeights {
            title: s.title_weight,
            headings: s.headings_weight,
            body: s.body_weight,
        },
        vector: VectorSettings {
            exact_limit: s.exact_limit,
            oversample: s.oversample.max(1),
        },
        candidates: s.candidates.max(1),
        ..SearchSettings::default()
    };
    let engine = SearchEngine::open(&config.data_dir.join("index"), loaded.embedder, settings)
        .context("cannot open the search index")?;
    Ok((Arc::new(engine), loaded.status))
}

/// The search engine's embedder as the extractive answerer and the eval
/// handler take it.
pub fn text_embedder(
    embedder: Arc<dyn grove_search::embed::Embedder>,
) -> Arc<grove_llm::TextEmbedder> {
    Arc::new(move |texts: Vec<String>| {
        let embedder = embedder.clone();
        Box::pin(async move { embedder.embed(texts).await.map_err(|e| e.to_string()) })
    })
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Server {
    /// Binds `config.addr` and starts serving and working the queue.
    /// `search` and its embedder status come from [`open_search`]; `pages`
    /// are served beside the API (the binary passes the web console; the
    /// server crate does not depend on it).
    pub async fn start(
        config: Config,
        store: Arc<dyn Store>,
        search: Arc<SearchEngine>,
        embedder_status: &str,
        pages: Router<AppState>,
    ) -> anyhow::Result<Server> {
        metrics::install();
        let listener = tokio::net::TcpListener::bind(&config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let addr = listener.local_addr()?;
        let grace = Duration::from_secs(config.shutdown_grace_seconds);
        let mut worker = Worker::new(store.clone(), config.queue.clone(), WORKER_SLOTS);
        let (shutdown, stopped) = watch::channel(false);
        spawn_vector_backfill(search.clone(), stopped.clone());
        let state = AppState::new(store, config, search, embedder_status);
        let syncs = SyncRunner::new(
            state.store.clone(),
            state.search.clone(),
            state.tokens.clone(),
            state.config.clone(),
        )
        .map_err(|e| anyhow::anyhow!("cannot set up syncs: {e}"))?;
        worker.register(SYNC_KIND, Arc::new(syncs));
        spawn_sync_scheduler(state.store.clone(), stopped.clone());
        spawn_housekeeping(state.store.clone(), &state.config, stopped.clone());

        spawn_limiter_cleanup(state.clone(), stopped.clone());
        let job_worker = job_worker(&state)?;
        let webhook_worker = webhook_worker(&state)?;
        let eval_worker = eval_worker(&state);
        tokio::spawn(grove_webhooks::dispatcher::run(
            state.store.clone(),
            state.deliveries_queued.clone(),
            grove_webhooks::dispatcher::POLL,
            stopped.clone(),
        ));
        tokio::spawn(grove_jobs::scheduler::run(
            state.jobs.clone(),
            Duration::from_secs(state.config.jobs.missed_fire_grace_seconds),
            stopped.clone(),
        ));
        let worker_task = tokio::spawn(worker.run(stopped.clone()));
        let job_worker_task = tokio::spawn(job_worker.run(stopped.clone()));
        let webhook_worker_task = tokio::spawn(webhook_worker.run(stopped.clone()));
        let eval_worker_task = tokio::spawn(eval_worker.run(stopped.clone()));
        let jobs = state.jobs.clone();
        let app = router(state, pages);
        let mut stop_http = stopped.clone();
        let task = tokio::spawn(async move {
            // Small writes (SSE frames) go out at once instead of waiting
            // for the previous one's ACK (Nagle with delayed ACKs: ~40 ms).
            let listener = listener.tap_io(|tcp| {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::debug!(error = %e, "could not set TCP_NODELAY");
                }
            });
            // With each connection's address, for limits per address.
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stop_http.wait_for(|stop| *stop).await;
            });
            let mut stop_timer = stopped;
            let outcome = tokio::select! {
                r = serve.into_future() => r.context("server failed"),
                _ = async {
                    let _ = stop_timer.wait_for(|stop| *stop).await;
                    tokio::time::sleep(grace).await;
                } => {
                    tracing::warn!("in-flight requests did not finish within the grace period");
                    Ok(())
                }
            };
            worker_task.await.context("queue worker panicked")?;
            job_worker_task.await.context("job worker panicked")?;
            webhook_worker_task
                .await
                .context("webhook worker panicked")?;
            eval_worker_task.await.context("eval worker panicked")?;
            match jobs.requeue_interrupted().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(runs = n, "interrupted runs queued again"),
                Err(e) => tracing::error!(error = %e, "could not queue interrupted runs again"),
            }
            outcome
        });
        tracing::info!(%addr, "grove is listening");
        Ok(Server {
            addr,
            shutdown,
            task,
        })
    }

    /// Asks the server to stop: no new connections, in-flight requests
    /// finish, queue leases are released.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    /// Waits until the server has stopped.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task panicked")?
    }
}

/// The queue worker of agent jobs: runs and their notifications, with
/// their own slots so that long syncs never hold back a scheduled run.
fn job_worker(state: &AppState) -> anyhow::Result<Worker> {
    let mut worker = Worker::new(
        state.store.clone(),
        state.config.queue.clone(),
        state.config.jobs.max_concurrent_runs,
    );
    worker.wake_on(state.jobs.runs_queued());
    let runs = RunHandler::new(
        state.jobs.clone(),
        state.answerer.clone(),
        state.analyst.clone(),
        state.connectors.clone(),
    );
    worker.register(RUN_KIND, Arc::new(runs));
    let notifier = Notifier::new(state.store.clone(), state.config.clone())
        .map_err(|e| anyhow::anyhow!("cannot set up notifications: {e}"))?;
    worker.register(NOTIFY_KIND, Arc::new(notifier));
    Ok(worker)
}

/// Eval runs at once in this process: a run answers its items one after
/// another, so one slot keeps evals from taking the job slots (and the
/// model) from scheduled runs.
const EVAL_SLOTS: usize = 1;

/// The queue worker of eval runs, with its own slot.
fn eval_worker(state: &AppState) -> Worker {
    let mut worker = Worker::new(state.store.clone(), state.config.queue.clone(), EVAL_SLOTS);
    worker.wake_on(state.evals_queued.clone());
    let evals = grove_jobs::evals::EvalHandler::new(
        state.store.clone(),
        state.answerer.clone(),
        state.search.embedder().cloned().map(text_embedder),
        &state.embedder_status,
    );
    worker.register(grove_store::evals::EVAL_RUN_KIND, Arc::new(evals));
    worker
}

/// The queue worker of webhook deliveries, with its own slots so that slow
/// endpoints never hold back syncs or runs.
fn webhook_worker(state: &AppState) -> anyhow::Result<Worker> {
    let mut worker = Worker::new(
        state.store.clone(),
        state.config.queue.clone(),
        state.config.webhooks.max_concurrent_deliveries,
    );
    worker.wake_on(state.deliveries_queued.clone());
    let deliverer = grove_webhooks::Deliverer::new(state.store.clone(), &state.config)
        .map_err(|e| anyhow::anyhow!("cannot set up webhooks: {e}"))?;
    worker.register(DELIVERY_KIND, Arc::new(deliverer));
    Ok(worker)
}

/// How often the scheduler looks for data sources due a sync.
const SCHEDULE_EVERY: Duration = Duration::from_secs(60);

/// Queues syncs of data sources whose `sync_frequency` makes them due.
fn spawn_sync_scheduler(store: Arc<dyn Store>, mut stopped: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SCHEDULE_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            let due = match store.due_data_sources(jiff::Timestamp::now()).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::error!(error = %e, "scheduler could not read data sources");
                    continue;
                }
            };
            for ds in due {
                match store
                    .start_sync(&ds.org_id, &ds.id, SyncInitiator::Schedule)
                    .await
                {
                    Ok(SyncStart::Started(sync)) => {
                        tracing::info!(data_source = %ds.id, sync = %sync.id, "scheduled sync queued")
                    }
                    Ok(SyncStart::AlreadyActive(_)) => {}
                    Err(e) => {
                        tracing::error!(data_source = %ds.id, error = %e, "could not queue a scheduled sync")
                    }
                }
            }
        }
    });
}

/// Hourly: deletes sessions idle longer than their retention, expired
/// console sessions and links, and settled webhook deliveries and sent outbox events older than theirs; fails eval
/// runs whose queue item died.
fn spawn_housekeeping(store: Arc<dyn Store>, config: &Config, mut stopped: watch::Receiver<bool>) {
    let session_days = config.agents.session_retention_days;
    let webhook_days = config.webhooks.history_days;
    let days_ago =
        |days: u32| jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * i64::from(days));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            match store.purge_sessions(days_ago(session_days)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "expired sessions deleted"),
                Err(e) => tracing::error!(error = %e, "could not delete expired sessions"),
            }
            match store.purge_console(SessionLimits::CONSOLE).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "expired console sessions and links deleted"),
                Err(e) => tracing::error!(error = %e, "could not delete expired console sessions"),
            }
            match store.purge_webhook_history(days_ago(webhook_days)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "old webhook deliveries and events deleted"),
                Err(e) => tracing::error!(error = %e, "could not delete old webhook history"),
            }
            match store.fail_abandoned_eval_runs().await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(runs = n, "eval runs whose queue item died were failed"),
                Err(e) => tracing::error!(error = %e, "could not fail abandoned eval runs"),
            }
        }
    });
}

/// Gives vectors to chunks indexed while no embedding model was loaded, in
/// the background, so vector and hybrid search cover them once it is.
fn spawn_vector_backfill(search: Arc<SearchEngine>, mut stopped: watch::Receiver<bool>) {
    if search.embedder().is_none() {
        return;
    }
    tokio::spawn(async move {
        tokio::select! {
            outcome = search.backfill_vectors() => match outcome {
                Ok(0) => {}
                Ok(n) => tracing::info!(chunks = n, "embedded chunks indexed without a model"),
                Err(e) => tracing::error!(error = %e, "vector backfill stopped"),
            },
            _ = stopped.wait_for(|stop| *stop) => {}
        }
    });
}

fn spawn_limiter_cleanup(state: AppState, mut stopped: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = tick.tick() => state.limiters.forget_idle(),
                _ = stopped.wait_for(|stop| *stop) => break,
            }
        }
    });
}
