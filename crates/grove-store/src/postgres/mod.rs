//! Grove's store on PostgreSQL, for many replicas over one database. It owns
//! the connection pool (deadpool-postgres over tokio-postgres; sqlx would
//! clash with rusqlite over `libsqlite3-sys`), its migrations, and the store
//! traits implemented so far: the durable queue ([`queue`]); leader
//! leases for singleton work ([`leader`]); rate limits shared by every
//! replica ([`rate`]). The rest of the
//! traits follow before the backend can be selected in the config; until
//! then nothing outside tests opens a `PgStore`.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::{StoreError, StoreResult};

mod leader;
mod queue;
mod rate;

pub use leader::{fence, Leadership};
pub use queue::QUEUE_CHANNEL;
pub use rate::{SharedDecision, SharedQuota};

/// Migrations in order; each runs once, in one transaction with its record.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "queue", include_str!("migrations/0001_queue.sql")),
    (
        2,
        "leader_leases",
        include_str!("migrations/0002_leader_leases.sql"),
    ),
    (
        3,
        "rate_limits",
        include_str!("migrations/0003_rate_limits.sql"),
    ),
];

/// Key of the advisory lock held (for one transaction) while migrating, so
/// replicas starting together apply each migration once.
const MIGRATION_LOCK: i64 = 0x6772_6f76_655f_6d67; // "grove_mg"

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// `postgres://user@host:port/db` or a libpq key=value string.
    pub url: String,
    /// Connections held at most.
    pub pool_size: usize,
    /// A statement running longer is cancelled by the server.
    pub statement_timeout: Duration,
    /// No `LISTEN`: workers find new items by polling alone (for
    /// transaction-pooling proxies, which do not carry notifications).
    pub poll_only: bool,
}

impl PgOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            pool_size: 16,
            statement_timeout: Duration::from_secs(30),
            poll_only: false,
        }
    }
}

/// The PostgreSQL store: a pool of connections to one database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// For connections outside the pool (the queue's listener).
    config: tokio_postgres::Config,
    poll_only: bool,
}

/// A failure of the database or of the pool, as the store reports it: a
/// broken uniqueness rule is a conflict, the rest are backend errors.
pub(crate) fn pg_error(error: tokio_postgres::Error) -> StoreError {
    let Some(db) = error.as_db_error() else {
        return StoreError::Backend(format!("postgres: {error}"));
    };
    let message = format!("postgres: {} ({})", db.message(), db.code().code());
    if *db.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
        StoreError::Conflict(message)
    } else {
        StoreError::Backend(message)
    }
}

fn pool_error(error: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Backend(format!("postgres pool: {error}"))
}

impl PgStore {
    /// Connects (lazily: the first call opens the first connection) and
    /// applies the migrations this replica knows that the database lacks.
    pub async fn open(options: &PgOptions) -> StoreResult<Self> {
        let mut config: tokio_postgres::Config = options
            .url
            .parse()
            .map_err(|e| StoreError::Backend(format!("database url: {e}")))?;
        config.options(format!(
            "-c statement_timeout={}",
            options.statement_timeout.as_millis()
        ));
        config.application_name("grove");
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .build()
            .map_err(|e| StoreError::Backend(format!("postgres pool: {e}")))?;
        let store = Self {
            pool,
            config,
            poll_only: options.poll_only,
        };
        store.migrate().await?;
        Ok(store)
    }

    pub(crate) async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_error)
    }

    /// Applies the missing migrations under a transaction-scoped advisory
    /// lock: a second replica waits, then finds them applied. Returns the
    /// number this call applied.
    pub async fn migrate(&self) -> StoreResult<usize> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(pg_error)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS grove_migrations (
                 version    INTEGER PRIMARY KEY,
                 name       TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await
        .map_err(pg_error)?;
        let applied: i32 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM grove_migrations",
                &[],
            )
            .await
            .map_err(pg_error)?
            .get(0);
        let mut count = 0;
        for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > applied) {
            tx.batch_execute(sql).await.map_err(pg_error)?;
            tx.execute(
                "INSERT INTO grove_migrations (version, name) VALUES ($1, $2)",
                &[version, name],
            )
            .await
            .map_err(pg_error)?;
            count += 1;
        }
        tx.commit().await.map_err(pg_error)?;
        Ok(count)
    }
}
