//! Grove's store on PostgreSQL, for many replicas over one database. It owns
//! the connection pool (deadpool-postgres over tokio-postgres; sqlx would
//! clash with rusqlite over `libsqlite3-sys`), its migrations, and the store
//! traits implemented so far: the durable queue ([`queue`]); leader
//! leases for singleton work ([`leader`]); rate limits shared by every
//! replica ([`rate`]); organisations, users and keys ([`tenancy`],
//! [`keys`]); the console's passwords, sessions and links ([`console`]);
//! sealed credentials ([`secrets`]); data sources ([`data_sources`]); syncs
//! and the documents they write ([`syncs`], [`documents`]); knowledge agents
//! ([`agents`]), sessions and the interaction log ([`interactions`]),
//! knowledge-base articles and their versions ([`kb`]); notification
//! channels and deliveries ([`channels`], [`notifications`]); agent jobs,
//! their runs and chats ([`jobs`], [`chats`]); the event outbox
//! ([`outbox`]); outgoing webhooks ([`webhooks`]); data connectors and query
//! results ([`connectors`]); eval sets and runs ([`evals`]). Rows are read
//! by the same
//! functions as the embedded store's (`crate::rows`); only the SQL differs.
//! Every store trait is implemented, so [`crate::Store`] is too.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use grove_core::ids::OrgId;
use grove_core::page::Page;
use jiff::Timestamp;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use crate::rows::BadRow;
use crate::secrets::{Keyring, MasterKey};
use crate::{Listed, StoreError, StoreResult};

mod agents;
mod channels;
mod chats;
mod connectors;
mod console;
mod data_sources;
mod documents;
mod evals;
mod interactions;
mod jobs;
mod kb;
mod keys;
mod leader;
mod notifications;
mod outbox;
mod queue;
mod rate;
pub(crate) mod secrets;
mod syncs;
mod tenancy;
mod webhooks;

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
    (4, "schema", include_str!("migrations/0004_schema.sql")),
    (5, "syncs", include_str!("migrations/0005_syncs.sql")),
    (
        6,
        "interactions",
        include_str!("migrations/0006_interactions.sql"),
    ),
];

/// Key of the advisory lock held (for one transaction) while migrating, so
/// replicas starting together apply each migration once.
pub(crate) const MIGRATION_LOCK: i64 = 0x6772_6f76_655f_6d67; // "grove_mg"

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
    /// Seals and opens stored credentials ([`secrets`]); every replica
    /// must be given the same master key.
    pub(crate) keyring: Arc<Keyring>,
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

/// A failed write: a broken uniqueness rule is a conflict saying `what`
/// (as the embedded store words it), anything else as [`pg_error`].
pub(crate) fn write_error(error: tokio_postgres::Error, what: &str) -> StoreError {
    match error.as_db_error().map(|db| db.code()) {
        Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
            StoreError::Conflict(what.to_owned())
        }
        _ => pg_error(error),
    }
}

/// Now, in Unix milliseconds, as the tables keep times.
pub(crate) fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// The records `rows` hold, each read by `map`.
pub(crate) fn mapped<T>(
    rows: Vec<Row>,
    map: impl Fn(&Row) -> Result<T, BadRow>,
) -> StoreResult<Vec<T>> {
    rows.iter()
        .map(|r| map(r).map_err(StoreError::from))
        .collect()
}

/// The record `row` holds, if any, read by `map`.
pub(crate) fn mapped_opt<T>(
    row: Option<Row>,
    map: impl Fn(&Row) -> Result<T, BadRow>,
) -> StoreResult<Option<T>> {
    row.as_ref().map(map).transpose().map_err(StoreError::from)
}

/// A page size or offset as a bind parameter.
pub(crate) fn page_bounds(page: Page) -> (i64, i64) {
    (
        i64::from(page.limit),
        i64::try_from(page.offset).unwrap_or(i64::MAX),
    )
}

/// One page of an organisation's rows of `table`, oldest first, with the
/// total, optionally only rows whose `column` equals a value (`filter`).
/// The total rides along as a window count; only a page past the end needs
/// a second statement.
pub(crate) async fn list_in_org<T>(
    client: &impl GenericClient,
    table: &str,
    columns: &str,
    org: &OrgId,
    filter: Option<(&str, &str)>,
    page: Page,
    map: impl Fn(&Row) -> Result<T, BadRow>,
) -> StoreResult<Listed<T>> {
    let (condition, value) = match filter {
        Some((column, value)) => (format!("AND {column} = $4"), Some(value)),
        None => (String::new(), None),
    };
    let (limit, offset) = page_bounds(page);
    let org_id = org.as_str();
    let mut args: Vec<&(dyn ToSql + Sync)> = vec![&org_id, &limit, &offset];
    if let Some(value) = &value {
        args.push(value);
    }
    let rows = client
        .query(
            &format!(
                "SELECT {columns}, COUNT(*) OVER () FROM {table} WHERE org_id = $1 {condition}
                 ORDER BY created_at, id LIMIT $2 OFFSET $3"
            ),
            &args,
        )
        .await
        .map_err(pg_error)?;
    let total = match rows.first() {
        Some(row) => row.get::<_, i64>(row.len() - 1),
        None => {
            let mut args: Vec<&(dyn ToSql + Sync)> = vec![&org_id];
            if let Some(value) = &value {
                args.push(value);
            }
            client
                .query_one(
                    &format!(
                        "SELECT COUNT(*) FROM {table} WHERE org_id = $1 {}",
                        condition.replace("$4", "$2")
                    ),
                    &args,
                )
                .await
                .map_err(pg_error)?
                .get(0)
        }
    };
    Ok(Listed {
        items: mapped(rows, map)?,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// A bind parameter kept in a list built at run time.
pub(crate) type Arg = Box<dyn ToSql + Sync + Send>;

/// One page of the rows of `table` that match `condition` (whose `$n`
/// placeholders `args` fill), ordered by `order`, with the total — one
/// statement, so the page and the total come from one snapshot.
#[allow(clippy::too_many_arguments)] // each is a distinct part of the query
pub(crate) async fn filtered_page<T>(
    client: &impl GenericClient,
    table: &str,
    columns: &str,
    condition: &str,
    mut args: Vec<Arg>,
    order: &str,
    page: Page,
    map: impl Fn(&Row) -> Result<T, BadRow>,
) -> StoreResult<Listed<T>> {
    let n = args.len();
    let (limit, offset) = page_bounds(page);
    args.push(Box::new(limit));
    args.push(Box::new(offset));
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a.as_ref() as _).collect();
    let rows = client
        .query(
            &format!(
                "SELECT {columns}, COUNT(*) OVER () FROM {table} WHERE {condition}
                 ORDER BY {order} LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &params,
        )
        .await
        .map_err(pg_error)?;
    let total = match rows.first() {
        Some(row) => row.get::<_, i64>(row.len() - 1),
        None => client
            .query_one(
                &format!("SELECT COUNT(*) FROM {table} WHERE {condition}"),
                &params[..n],
            )
            .await
            .map_err(pg_error)?
            .get(0),
    };
    Ok(Listed {
        items: mapped(rows, map)?,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// Deletes row `id` of `table` if it is the organisation's; false if not.
pub(crate) async fn delete_in_org(
    store: &PgStore,
    table: &'static str,
    org: &OrgId,
    id: &str,
) -> StoreResult<bool> {
    let deleted = store
        .client()
        .await?
        .execute(
            &format!("DELETE FROM {table} WHERE org_id = $1 AND id = $2"),
            &[&org.as_str(), &id],
        )
        .await
        .map_err(pg_error)?;
    Ok(deleted > 0)
}

/// Those of `ids` that are not rows of the organisation in `table`.
pub(crate) async fn missing_in_org<T: Clone>(
    client: &impl GenericClient,
    table: &str,
    org: &OrgId,
    ids: &[T],
    as_str: fn(&T) -> &str,
) -> StoreResult<Vec<T>> {
    let wanted: Vec<&str> = ids.iter().map(as_str).collect();
    let found: Vec<String> = client
        .query(
            &format!("SELECT id FROM {table} WHERE org_id = $1 AND id = ANY($2)"),
            &[&org.as_str(), &wanted],
        )
        .await
        .map_err(pg_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(ids
        .iter()
        .filter(|id| !found.iter().any(|f| f == as_str(id)))
        .cloned()
        .collect())
}

fn pool_error(error: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Backend(format!("postgres pool: {error}"))
}

impl PgStore {
    /// Connects (lazily: the first call opens the first connection),
    /// applies the migrations this replica knows that the database lacks,
    /// and loads the data keys with `master` (read from `master_file`, if
    /// from a file), refusing a master key that does not open them.
    pub async fn open(
        options: &PgOptions,
        master: MasterKey,
        master_file: Option<PathBuf>,
    ) -> StoreResult<Self> {
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
            keyring: Arc::new(Keyring::new(master, master_file)),
        };
        store.migrate().await?;
        store.load_keys().await?;
        Ok(store)
    }

    /// A pooled connection, for one statement or one transaction.
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

#[async_trait::async_trait]
impl crate::Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        self.client()
            .await?
            .query_one("SELECT 1", &[])
            .await
            .map(|_| ())
            .map_err(pg_error)
    }

    fn backend_name(&self) -> &'static str {
        "postgres"
    }
}
