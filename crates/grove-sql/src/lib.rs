//! Data connectors: read-only SQL over the tables a connector allows, in
//! PostgreSQL, MySQL/MariaDB, SQLite and BigQuery.
//!
//! A query runs only if two layers agree: the parser's check against the
//! catalog of allowed tables (`guard.rs`, `catalog.rs`) and the database's
//! own read-only mode, which each driver sets up (`postgres.rs`,
//! `mysql.rs`, `sqlite.rs`). Parameters are bound, never pasted
//! (`params.rs`). [`Connector`] ties a driver to its allow-lists and limits.

pub mod bigquery;
pub mod catalog;
pub mod connector;
pub mod guard;
pub mod mysql;
pub mod params;
pub mod pool;
pub mod postgres;
pub mod result;
pub mod sqlite;

use std::time::Duration;

pub use catalog::{AllowList, Catalog, TableKind, TableRef};
pub use connector::{Connector, ConnectorSpec, DatabaseSchema, TestReport};
pub use guard::{Dialect, Refusal};
pub use pool::{keep_masked, masked_config, spec_of, ConnectorPool};
pub use result::{Column, QueryResult, TableSchema};

use async_trait::async_trait;
use serde_json::Value;

/// Why a connector could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// A setting or argument is wrong; `field` names it.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The parser's check, or a limit (cost, estimated rows), refused the
    /// query before it reached the database.
    #[error("refused ({0})")]
    Refused(#[from] Refusal),
    /// The database could not be reached or logged into.
    #[error("the database could not be reached: {0}")]
    Unavailable(String),
    /// The database ran the query and failed it (an unknown column, a
    /// read-only violation, the timeout).
    #[error("the database failed the query: {0}")]
    Failed(String),
}

impl SqlError {
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        SqlError::Invalid {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

pub type SqlResult<T> = Result<T, SqlError>;

/// What bounds one query.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_rows: u64,
    pub timeout: Duration,
    pub max_estimated_rows: Option<u64>,
    pub max_cost_usd: Option<f64>,
    pub price_per_tib_usd: f64,
}

/// One database behind a connector. `run` is the database's layer alone:
/// it enforces read-only itself, whatever the statement (the parser's
/// check happens in [`Connector`]).
#[async_trait]
pub trait Driver: Send + Sync {
    fn dialect(&self) -> Dialect;
    /// The allowed relations that exist.
    async fn catalog(&self, allow: &AllowList) -> SqlResult<Catalog>;
    /// A table's columns and row estimate.
    async fn describe(&self, table: &TableRef) -> SqlResult<TableSchema>;
    /// The planner's row estimate for a statement, where it gives one.
    async fn estimate_rows(
        &self,
        sql: &str,
        values: &[Value],
        catalog: &Catalog,
    ) -> SqlResult<Option<f64>>;
    /// Runs one statement read-only under the limits, fetching at most
    /// `max_rows + 1` rows.
    async fn run(
        &self,
        sql: &str,
        values: &[Value],
        limits: &Limits,
        catalog: &Catalog,
    ) -> SqlResult<QueryResult>;
}

/// A cell as JSON: integers that fit stay numbers, others become strings.
pub(crate) fn number_or_text(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_owned())),
        _ => Value::String(text.to_owned()),
    }
}

/// `config.url`, checked to be a URL with one of `schemes`.
pub(crate) fn url_setting(config: &Value, schemes: &[&str]) -> SqlResult<String> {
    let raw = config
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            SqlError::invalid(
                "config.url",
                format!(
                    "is required: {}://user:password@host:port/database",
                    schemes[0]
                ),
            )
        })?;
    let url = url::Url::parse(raw)
        .map_err(|e| SqlError::invalid("config.url", format!("is not a URL ({e})")))?;
    if !schemes.contains(&url.scheme()) {
        return Err(SqlError::invalid(
            "config.url",
            format!("must start with {}://", schemes.join(":// or ")),
        ));
    }
    Ok(raw.to_owned())
}
