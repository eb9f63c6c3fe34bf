//! The embedded store: one SQLite database file in WAL mode, a small
//! connection pool, and versioned migrations applied on open.
//!
//! Writes can wait on SQLite's single write lock, so they run on Tokio's
//! blocking pool ([`SqliteStore::write`]), one at a time in this process and
//! in arrival order (the write gate). Reads are short indexed lookups that
//! never wait for a lock under WAL, so they run inline on the calling task
//! ([`SqliteStore::read`]): handing them to another thread cost more than the
//! query itself (see docs/BENCHMARKS.md).

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
mod notifications;
mod queue;
pub mod secrets;
mod syncs;
mod tenancy;
mod webhooks;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};

use crate::secrets::{Keyring, MasterKey, MASTER_KEY_FILE};
use crate::{ts, Store, StoreError, StoreResult};

type Pool = r2d2::Pool<SqliteConnectionManager>;

/// Schema versions, oldest first. Append; never edit a released migration.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_data_sources.sql"),
    include_str!("../../migrations/0003_ingestion.sql"),
    include_str!("../../migrations/0004_kb_articles.sql"),
    include_str!("../../migrations/0005_follow_up_syncs.sql"),
    include_str!("../../migrations/0006_agents.sql"),
    include_str!("../../migrations/0007_jobs.sql"),
    include_str!("../../migrations/0008_webhooks.sql"),
    include_str!("../../migrations/0009_kb_versions.sql"),
    include_str!("../../migrations/0010_evals.sql"),
    include_str!("../../migrations/0011_document_status.sql"),
    include_str!("../../migrations/0012_secret_keys.sql"),
    include_str!("../../migrations/0013_notification_deliveries.sql"),
    include_str!("../../migrations/0014_data_connectors.sql"),
    include_str!("../../migrations/0015_models.sql"),
    include_str!("../../migrations/0016_console.sql"),
    include_str!("../../migrations/0017_document_pages.sql"),
    include_str!("../../migrations/0018_interaction_askers.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Connections in the pool: readers run in parallel under WAL; writers take
/// turns in the write gate, so at most one holds a connection for writing.
const POOL_SIZE: u32 = 8;

/// How long a write waits for SQLite's lock while another process (the
/// `grove` CLI, a backup) holds it, before it fails as [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct SqliteStore {
    pool: Pool,
    /// One writer at a time in this process, first come first served.
    /// SQLite has one write lock per database anyway; waiting for it here
    /// rather than in SQLite's busy handler (which polls with sleeps and
    /// lets whoever polls at the right moment in first) means no writer
    /// starves past the busy timeout under load, and a transaction that
    /// reads before it writes cannot find its snapshot outdated by another
    /// connection of this process (`SQLITE_BUSY_SNAPSHOT`, which fails at
    /// once). The busy timeout is left for other processes.
    write_gate: Arc<tokio::sync::Mutex<()>>,
    /// The longest a write waits, in the gate and on SQLite's lock together.
    busy_timeout: Duration,
    /// Seals and opens stored credentials (`secrets`).
    keyring: Arc<Keyring>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and migrates it,
    /// with the master key in `master.key` beside it (created if missing).
    pub fn open(path: &Path) -> StoreResult<Self> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let master = MasterKey::load(None, dir)?;
        Self::open_with_key(path, master, Some(dir.join(MASTER_KEY_FILE)))
    }

    /// Opens the database at `path` with `master` as the master key;
    /// `master_file` is where it was read from, if from a file. Refuses a
    /// master key that does not open the database's data keys, and seals
    /// any credential an older version stored in the clear.
    pub fn open_with_key(
        path: &Path,
        master: MasterKey,
        master_file: Option<std::path::PathBuf>,
    ) -> StoreResult<Self> {
        Self::open_waiting(path, master, master_file, BUSY_TIMEOUT)
    }

    /// [`Self::open_with_key`] with `busy_timeout` as the wait for another
    /// process's lock.
    fn open_waiting(
        path: &Path,
        master: MasterKey,
        master_file: Option<std::path::PathBuf>,
        busy_timeout: Duration,
    ) -> StoreResult<Self> {
        let mut conn = Connection::open(path).map_err(backend)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(backend)?;
        configure(&conn, busy_timeout).map_err(backend)?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))?;
        let keyring = Arc::new(Keyring::new(master, master_file));
        secrets::load_keys(&conn, &keyring)?;
        secrets::seal_plaintext(&mut conn, &keyring)?;
        drop(conn);
        // Each pooled connection is used by one thread at a time, so SQLite's
        // per-connection mutex is not needed.
        let manager = SqliteConnectionManager::file(path)
            .with_flags(
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_init(move |c| configure(c, busy_timeout));
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            // A local file does not drop connections; skip the per-checkout probe.
            .test_on_check_out(false)
            .build(manager)
            .map_err(backend)?;
        Ok(Self {
            pool,
            write_gate: Arc::default(),
            busy_timeout,
            keyring,
        })
    }

    /// Runs a read-only `f` with a pooled connection, inline.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let conn = self.pool.get().map_err(backend)?;
        f(&conn)
    }

    /// Runs a writing `f` with a pooled connection on the blocking pool,
    /// once the writes before it in this process have finished. SQLite's
    /// lock is waited for only as long as the busy timeout has left since
    /// the call, so while another process holds it the writes queued here
    /// all fail as `Busy` about one timeout after they were made, not one
    /// timeout after another.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let deadline = std::time::Instant::now() + self.busy_timeout;
        let (pool, full_wait) = (self.pool.clone(), self.busy_timeout);
        let turn = self.write_gate.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || {
            // Held until `f` returns, even if the caller stops waiting.
            let _turn = turn;
            let mut conn = pool.get().map_err(backend)?;
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            conn.busy_timeout(left).map_err(backend)?;
            let result = f(&mut conn);
            // The connection goes back to the pool, where reads use it too.
            conn.busy_timeout(full_wait).map_err(backend)?;
            result
        })
        .await
        .map_err(|e| StoreError::Backend(format!("store task failed: {e}")))?
    }
}

fn configure(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<()> {
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;",
    )?;
    conn.busy_timeout(busy_timeout)?;
    // Keep one plan per statement: the bundled SQLite is built with STAT4,
    // which otherwise re-prepares cached statements when bound values change.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// A failure of the database as a [`StoreError`]: SQLite's lock still held
/// by another process when the busy timeout ran out is [`StoreError::Busy`]
/// (worth retrying), anything else [`StoreError::Backend`]. Takes any error
/// so `.map_err(backend)` reads the same for SQLite, the pool and messages.
fn backend<E: std::fmt::Display + 'static>(e: E) -> StoreError {
    let sqlite = (&e as &dyn std::any::Any).downcast_ref::<rusqlite::Error>();
    match sqlite.and_then(rusqlite::Error::sqlite_error_code) {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::Busy(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

/// Maps a failed write to `Conflict` when a uniqueness rule broke.
fn write_error(e: rusqlite::Error, what: &str) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict(what.to_owned()),
        _ => backend(e),
    }
}

fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// Reads a column holding a typed id or enum written by this store.
fn parsed<T>(raw: String, parse: impl FnOnce(&str) -> Option<T>) -> rusqlite::Result<T> {
    parse(&raw).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unexpected stored value `{raw}`").into(),
        )
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(backend))
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

/// Deletes row `id` of `table` if it is the organisation's; false if not.
async fn delete_in_org(
    store: &SqliteStore,
    table: &'static str,
    org: &grove_core::ids::OrgId,
    id: &str,
) -> StoreResult<bool> {
    let (org, id) = (org.as_str().to_owned(), id.to_owned());
    store
        .write(move |conn| {
            conn.execute(
                &format!("DELETE FROM {table} WHERE org_id = ?1 AND id = ?2"),
                rusqlite::params![org, id],
            )
            .map(|n| n > 0)
            .map_err(backend)
        })
        .await
}

/// Those of `ids` that are not rows of the organisation in `table`.
fn missing_in_org<T: Clone>(
    conn: &Connection,
    table: &str,
    org: &grove_core::ids::OrgId,
    ids: &[T],
    as_str: fn(&T) -> &str,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT 1 FROM {table} WHERE org_id = ?1 AND id = ?2"
        ))
        .map_err(backend)?;
    let mut missing = Vec::new();
    for id in ids {
        if !stmt
            .exists(rusqlite::params![org.as_str(), as_str(id)])
            .map_err(backend)?
        {
            missing.push(id.clone());
        }
    }
    Ok(missing)
}

/// One page of the rows of `table` that match `condition` (whose `?n`
/// placeholders `args` fill), ordered by `order`, with the total.
#[allow(clippy::too_many_arguments)] // each is a distinct part of the query
fn filtered_page<T>(
    conn: &Connection,
    table: &str,
    columns: &str,
    condition: &str,
    mut args: Vec<rusqlite::types::Value>,
    order: &str,
    page: grove_core::page::Page,
    map: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
) -> StoreResult<crate::Listed<T>> {
    use rusqlite::params_from_iter;
    use rusqlite::types::Value;
    // One read transaction: the page and the total from the same snapshot.
    let tx = conn.unchecked_transaction().map_err(backend)?;
    let conn = &*tx;
    let total: i64 = conn
        .query_row(
            &format!("SELECT COUNT(*) FROM {table} WHERE {condition}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )
        .map_err(backend)?;
    let n = args.len();
    args.push(Value::Integer(i64::from(page.limit)));
    args.push(Value::Integer(page.offset as i64));
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {columns} FROM {table} WHERE {condition}
             ORDER BY {order} LIMIT ?{} OFFSET ?{}",
            n + 1,
            n + 2
        ))
        .map_err(backend)?;
    let items = stmt
        .query_map(params_from_iter(args.iter()), map)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(backend)?;
    Ok(crate::Listed {
        items,
        total: total.max(0) as u64,
    })
}

/// One page of an organisation's rows of `table`, oldest first, with the total,
/// optionally only rows whose `column` equals a value (`filter`).
/// The total rides along as a window count, so a page costs one statement
/// (one read transaction); only a page past the end needs a second.
fn list_in_org<T, E>(
    conn: &Connection,
    table: &str,
    columns: &str,
    org: &grove_core::ids::OrgId,
    filter: Option<(&str, &str)>,
    page: grove_core::page::Page,
    map: impl Fn(&rusqlite::Row) -> Result<T, E>,
) -> StoreResult<crate::Listed<T>>
where
    E: Into<rusqlite::Error>,
{
    let (condition, value) = match filter {
        Some((column, value)) => (format!("AND {column} = ?4"), Some(value)),
        None => (String::new(), None),
    };
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {columns}, COUNT(*) OVER () FROM {table} WHERE org_id = ?1 {condition}
             ORDER BY created_at, id LIMIT ?2 OFFSET ?3"
        ))
        .map_err(backend)?;
    let total_column = stmt.column_count() - 1;
    let mut total = None;
    let (org_id, limit, offset) = (org.as_str(), page.limit, page.offset as i64);
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![&org_id, &limit, &offset];
    if let Some(value) = &value {
        args.push(value);
    }
    let items = stmt
        .query_map(args.as_slice(), |row| {
            total = Some(row.get::<_, i64>(total_column)?);
            map(row).map_err(Into::into)
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(backend)?;
    let total = match total {
        Some(n) => n,
        None => conn
            .prepare_cached(&format!(
                "SELECT COUNT(*) FROM {table} WHERE org_id = ?1 {}",
                condition.replace("?4", "?2")
            ))
            .and_then(|mut stmt| match value {
                Some(v) => stmt.query_row([org_id, v], |r| r.get(0)),
                None => stmt.query_row([org_id], |r| r.get(0)),
            })
            .map_err(backend)?,
    };
    Ok(crate::Listed {
        items,
        total: total as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn reopening_keeps_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grove.db");
        SqliteStore::open(&path).unwrap();
        SqliteStore::open(&path).unwrap();
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    /// A store whose writes wait at most `wait`, with a table `t (n)`.
    async fn store_with_table(dir: &Path, wait: Duration) -> SqliteStore {
        let master = MasterKey::load(None, dir).unwrap();
        let store = SqliteStore::open_waiting(&dir.join("grove.db"), master, None, wait).unwrap();
        let table = |conn: &mut Connection| {
            conn.execute_batch("CREATE TABLE t (n INTEGER)")
                .map_err(backend)
        };
        store.write(table).await.unwrap();
        store
    }

    /// Writes `n` into `t` in a write transaction of its own.
    async fn insert(store: SqliteStore, n: i64) -> StoreResult<()> {
        store
            .write(move |conn| {
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(backend)?;
                tx.execute("INSERT INTO t (n) VALUES (?1)", [n])
                    .map_err(backend)?;
                tx.commit().map_err(backend)
            })
            .await
    }

    fn rows_in_t(store: &SqliteStore) -> i64 {
        store
            .read(|c| {
                c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
                    .map_err(backend)
            })
            .unwrap()
    }

    /// While another process holds SQLite's write lock past the busy
    /// timeout, writes fail as `Busy` (the server's 503 with `Retry-After`),
    /// the ones queued behind the first as well, and write nothing; once
    /// the lock is let go they pass.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lock_held_by_another_process_makes_writes_busy_until_let_go() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path(), Duration::from_millis(200)).await;
        let other = Connection::open(dir.path().join("grove.db")).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let (first, second) = tokio::join!(insert(store.clone(), 1), insert(store.clone(), 2));
        for result in [first, second] {
            assert!(matches!(result, Err(StoreError::Busy(_))), "{result:?}");
        }
        other.execute_batch("ROLLBACK").unwrap();
        assert_eq!(rows_in_t(&store), 0);
        insert(store.clone(), 3).await.unwrap();
        insert(store.clone(), 4).await.unwrap();
        assert_eq!(rows_in_t(&store), 2);
    }

    /// Writes of one process queue in the write gate, never on SQLite's
    /// lock: with no busy timeout at all, a burst of concurrent write
    /// transactions on several threads meets no `Busy`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writes_of_one_process_never_wait_on_sqlites_lock() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path(), Duration::ZERO).await;
        let mut writes = tokio::task::JoinSet::new();
        for n in 0..200 {
            writes.spawn(insert(store.clone(), n));
        }
        while let Some(done) = writes.join_next().await {
            done.unwrap().unwrap();
        }
        assert_eq!(rows_in_t(&store), 200);
    }
}
