//! SQLite files, opened read-only. The database's layer: the file is
//! opened with `SQLITE_OPEN_READ_ONLY` and `query_only`, an authorizer
//! allows only reads of the catalog's tables and functions off the deny-list
//! (no writes, no `ATTACH`, no `PRAGMA`), and a progress handler stops a
//! query at its timeout.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use async_trait::async_trait;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::catalog::{AllowList, Catalog, TableKind, TableRef};
use crate::connector::quoted_table;
use crate::guard::Dialect;
use crate::result::{Column, QueryResult, TableSchema};
use crate::{Driver, Limits, SqlError, SqlResult};

/// SQLite's one dataset name.
pub const MAIN: &str = "main";
/// Virtual machine steps between timeout checks.
const PROGRESS_STEPS: i32 = 1_000;

pub struct Sqlite {
    path: PathBuf,
}

impl Sqlite {
    /// `config.path`: an existing database file outside `data_dir`.
    pub fn new(config: &Value, data_dir: &Path) -> SqlResult<Sqlite> {
        let path = config
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| {
                SqlError::invalid("config.path", "is required: a SQLite database file")
            })?;
        let path = Path::new(path)
            .canonicalize()
            .map_err(|e| SqlError::invalid("config.path", format!("cannot be opened ({e})")))?;
        if !path.is_file() {
            return Err(SqlError::invalid("config.path", "is not a file"));
        }
        if let Ok(own) = data_dir.canonicalize() {
            if path.starts_with(&own) {
                return Err(SqlError::invalid(
                    "config.path",
                    "is inside Grove's own data directory, which connectors may not read",
                ));
            }
        }
        Ok(Sqlite { path })
    }

    fn connect(&self) -> SqlResult<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)
            .map_err(|e| SqlError::Unavailable(e.to_string()))?;
        conn.pragma_update(None, "query_only", true)
            .map_err(|e| SqlError::Unavailable(e.to_string()))?;
        Ok(conn)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(Connection) -> SqlResult<T> + Send + 'static,
    ) -> SqlResult<T> {
        let conn = self.connect()?;
        tokio::task::spawn_blocking(move || work(conn))
            .await
            .map_err(|e| SqlError::Failed(format!("the query task stopped: {e}")))?
    }
}

#[async_trait]
impl Driver for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn catalog(&self, allow: &AllowList) -> SqlResult<Catalog> {
        let allow = allow.clone();
        self.blocking(move |conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT name, type FROM main.sqlite_schema
                     WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                     ORDER BY name",
                )
                .map_err(failed)?;
            let rows = stmt
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .map_err(failed)?;
            let mut tables = Vec::new();
            for row in rows {
                let (name, kind) = row.map_err(failed)?;
                let kind = if kind == "view" {
                    TableKind::View
                } else {
                    TableKind::Table
                };
                if allow.admits(MAIN, &name, kind) {
                    tables.push(TableRef {
                        dataset: MAIN.into(),
                        name,
                        kind,
                    });
                }
            }
            Ok(Catalog {
                tables,
                unqualified: vec![MAIN.into()],
                project: None,
                present: Vec::new(),
            })
        })
        .await
    }

    async fn describe(&self, table: &TableRef) -> SqlResult<TableSchema> {
        let table = table.clone();
        self.blocking(move |conn| {
            let mut stmt = conn
                .prepare("SELECT name, type FROM pragma_table_info(?1, 'main') ORDER BY cid")
                .map_err(failed)?;
            let columns = stmt
                .query_map([&table.name], |row| {
                    Ok(Column {
                        name: row.get(0)?,
                        data_type: row.get::<_, String>(1)?.to_lowercase(),
                    })
                })
                .map_err(failed)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(failed)?;
            let count: i64 = conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM {}",
                        quoted_table(Dialect::Sqlite, &table)
                    ),
                    [],
                    |row| row.get(0),
                )
                .map_err(failed)?;
            Ok(TableSchema {
                dataset: table.dataset,
                name: table.name,
                kind: table.kind,
                columns,
                row_estimate: u64::try_from(count).ok(),
            })
        })
        .await
    }

    async fn estimate_rows(&self, _: &str, _: &[Value], _: &Catalog) -> SqlResult<Option<f64>> {
        // SQLite's planner gives no row estimates.
        Ok(None)
    }

    async fn run(
        &self,
        sql: &str,
        values: &[Value],
        limits: &Limits,
        catalog: &Catalog,
    ) -> SqlResult<QueryResult> {
        let (sql, values, limits) = (sql.to_owned(), values.to_vec(), limits.clone());
        let readable: HashSet<String> = catalog
            .tables
            .iter()
            .map(|t| t.name.to_lowercase())
            .collect();
        self.blocking(move |conn| {
            let started = Instant::now();
            guard_connection(&conn, readable, started + limits.timeout)?;
            let mut stmt = conn
                .prepare(&sql)
                .map_err(|e| refused_or_failed(e, &limits))?;
            let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
            let declared: Vec<Option<String>> = stmt
                .columns()
                .iter()
                .map(|c| c.decl_type().map(str::to_lowercase))
                .collect();
            let mut rows = stmt
                .query(rusqlite::params_from_iter(values.iter().map(to_sql)))
                .map_err(|e| refused_or_failed(e, &limits))?;
            let mut result = QueryResult::default();
            while let Some(row) = rows.next().map_err(|e| refused_or_failed(e, &limits))? {
                if result.rows.len() as u64 == limits.max_rows {
                    result.truncated = true;
                    break;
                }
                let cells = (0..names.len())
                    .map(|i| row.get_ref(i).map(to_json))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(failed)?;
                result.rows.push(cells);
            }
            result.columns = names
                .into_iter()
                .zip(declared)
                .enumerate()
                .map(|(i, (name, declared))| Column {
                    name,
                    data_type: declared.unwrap_or_else(|| observed_type(&result.rows, i)),
                })
                .collect();
            result.row_count = result.rows.len() as u64;
            result.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
            Ok(result)
        })
        .await
    }
}

/// The authorizer (reads of `readable` tables, selects, allowed functions;
/// everything else denied) and the timeout's progress handler.
fn guard_connection(
    conn: &Connection,
    readable: HashSet<String>,
    deadline: Instant,
) -> SqlResult<()> {
    conn.authorizer(Some(move |ctx: AuthContext<'_>| match ctx.action {
        AuthAction::Select | AuthAction::Recursive => Authorization::Allow,
        AuthAction::Read { table_name, .. } => {
            // A read with no database is of a CTE or subquery, not a table.
            let via = ctx.accessor.unwrap_or(table_name).to_lowercase();
            let stored = ctx.database_name.is_some();
            if !stored || (ctx.database_name == Some(MAIN) && readable.contains(&via)) {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }
        AuthAction::Function { function_name } => {
            if Dialect::Sqlite.denies(&function_name.to_lowercase()) {
                Authorization::Deny
            } else {
                Authorization::Allow
            }
        }
        _ => Authorization::Deny,
    }))
    .map_err(failed)?;
    conn.progress_handler(PROGRESS_STEPS, Some(move || Instant::now() > deadline))
        .map_err(failed)
}

fn failed(e: rusqlite::Error) -> SqlError {
    SqlError::Failed(e.to_string())
}

fn refused_or_failed(e: rusqlite::Error, limits: &Limits) -> SqlError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => SqlError::Failed(format!(
            "stopped after {} s (the connector's timeout_seconds)",
            limits.timeout.as_secs()
        )),
        Some(rusqlite::ErrorCode::AuthorizationForStatementDenied) => {
            SqlError::Failed(format!("the database refused it: {e}"))
        }
        _ => failed(e),
    }
}

fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

fn to_json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(format!("({} bytes)", b.len())),
    }
}

/// A type for an expression column, from its first non-null value.
fn observed_type(rows: &[Vec<Value>], column: usize) -> String {
    let first = rows.iter().map(|r| &r[column]).find(|v| !v.is_null());
    match first {
        Some(Value::Number(n)) if n.is_i64() => "integer",
        Some(Value::Number(_)) => "real",
        Some(_) => "text",
        None => "null",
    }
    .into()
}
