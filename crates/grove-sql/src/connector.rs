//! A connector: one driver with its allow-lists and limits. Every query
//! goes through [`Connector::query`]: parameters bound, the parser's check
//! against the catalog, the plan's estimate where a limit asks for it, then
//! the driver's read-only run.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use grove_core::connectors::ConnectorKind;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::Mutex;
use utoipa::ToSchema;

use crate::catalog::{AllowList, Catalog, TableRef};
use crate::guard::{self, Dialect, Refusal};
use crate::result::{QueryResult, TableSchema};
use crate::{bigquery, mysql, params, postgres, sqlite, Driver, Limits, SqlError, SqlResult};

/// How long a catalog is trusted before the database is asked again.
const CATALOG_TTL: Duration = Duration::from_secs(60);
/// Sample rows `describe` shows.
const SAMPLE_ROWS: u64 = 3;

/// What a connector is: its kind, its config with credentials opened, its
/// allow-lists and its limits.
#[derive(Debug, Clone)]
pub struct ConnectorSpec {
    pub kind: ConnectorKind,
    pub config: Value,
    pub allow: AllowList,
    pub limits: Limits,
}

/// `POST …/test`: how long the round trip took and what is visible.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TestReport {
    pub ok: bool,
    pub latency_ms: f64,
    /// `dataset.table` of every allowed table that exists.
    pub tables: Vec<String>,
}

/// `GET …/schema`: the allowed tables with their columns.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatabaseSchema {
    pub tables: Vec<TableSchema>,
}

/// A described table with a few sample rows (what `describe_table` shows).
#[derive(Debug, Clone, Serialize)]
pub struct Described {
    #[serde(flatten)]
    pub table: TableSchema,
    pub sample_rows: Vec<Vec<Value>>,
}

pub struct Connector {
    driver: Box<dyn Driver>,
    allow: AllowList,
    limits: Limits,
    catalog: Mutex<Option<(Instant, Arc<Catalog>)>>,
}

impl Connector {
    /// Checks the config and makes the driver; nothing connects yet.
    /// `data_dir` is refused as a SQLite path (Grove's own data).
    pub fn open(spec: ConnectorSpec, data_dir: &Path) -> SqlResult<Connector> {
        let driver: Box<dyn Driver> = match spec.kind {
            ConnectorKind::Postgres => Box::new(postgres::Postgres::new(&spec.config)?),
            ConnectorKind::Mysql => Box::new(mysql::MySql::new(&spec.config)?),
            ConnectorKind::Sqlite => Box::new(sqlite::Sqlite::new(&spec.config, data_dir)?),
            ConnectorKind::Bigquery => Box::new(bigquery::BigQuery::new(&spec.config)?),
        };
        Ok(Connector {
            driver,
            allow: spec.allow,
            limits: spec.limits,
            catalog: Mutex::new(None),
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.driver.dialect()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The allowed tables that exist, cached for a minute; `fresh` asks the
    /// database again.
    pub async fn catalog(&self, fresh: bool) -> SqlResult<Arc<Catalog>> {
        let mut cached = self.catalog.lock().await;
        if let Some((at, catalog)) = cached.as_ref() {
            if !fresh && at.elapsed() < CATALOG_TTL {
                return Ok(catalog.clone());
            }
        }
        let catalog = Arc::new(self.driver.catalog(&self.allow).await?);
        *cached = Some((Instant::now(), catalog.clone()));
        Ok(catalog)
    }

    /// Connects, lists the visible tables and times it.
    pub async fn test(&self) -> SqlResult<TestReport> {
        let started = Instant::now();
        let catalog = self.catalog(true).await?;
        Ok(TestReport {
            ok: true,
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
            tables: catalog.tables.iter().map(TableRef::qualified).collect(),
        })
    }

    /// Every allowed table with its columns.
    pub async fn schema(&self) -> SqlResult<DatabaseSchema> {
        let catalog = self.catalog(false).await?;
        let mut tables = Vec::with_capacity(catalog.tables.len());
        for table in &catalog.tables {
            tables.push(self.driver.describe(table).await?);
        }
        Ok(DatabaseSchema { tables })
    }

    /// One table (`dataset.table` or `table`) with sample rows; an unknown
    /// name is an error listing the allowed tables.
    pub async fn describe(&self, name: &str) -> SqlResult<Described> {
        let catalog = self.catalog(false).await?;
        let table = catalog
            .lookup(self.dialect(), name)
            .map_err(|reason| SqlError::invalid("table", reason))?;
        let schema = self.driver.describe(&table).await?;
        if self.dialect() == Dialect::BigQuery {
            // A LIMIT does not lower what BigQuery bills: no sample rows.
            return Ok(Described {
                table: schema,
                sample_rows: Vec::new(),
            });
        }
        let sql = format!(
            "SELECT * FROM {} LIMIT {SAMPLE_ROWS}",
            quoted_table(self.dialect(), &table)
        );
        let sample = self.query(&sql, &Map::new()).await?;
        Ok(Described {
            table: schema,
            sample_rows: sample.rows,
        })
    }

    /// Runs `sql` with `{{parameters}}` bound, if the parser's check and the
    /// limits allow it.
    pub async fn query(
        &self,
        sql: &str,
        parameters: &Map<String, Value>,
    ) -> SqlResult<QueryResult> {
        let bound = params::bind(sql, parameters, self.dialect())?;
        let catalog = self.checked_catalog(&bound.sql).await?;
        if let Some(max) = self.limits.max_estimated_rows {
            let estimate = self
                .driver
                .estimate_rows(&bound.sql, &bound.values, &catalog)
                .await?;
            if let Some(rows) = estimate.filter(|rows| *rows > max as f64) {
                return Err(SqlError::Refused(Refusal {
                    rule: "max_estimated_rows",
                    detail: format!(
                        "the plan estimates {rows:.0} rows, over this connector's max_estimated_rows ({max})"
                    ),
                }));
            }
        }
        self.driver
            .run(&bound.sql, &bound.values, &self.limits, &catalog)
            .await
    }

    /// The catalog `sql` passes the check against; a table the cached
    /// catalog does not know sends one fresh look at the database first.
    async fn checked_catalog(&self, sql: &str) -> SqlResult<Arc<Catalog>> {
        let catalog = self.catalog(false).await?;
        match guard::check(sql, self.dialect(), &catalog) {
            Ok(_) => Ok(catalog),
            Err(refusal) if refusal.rule == "table_not_allowed" => {
                let fresh = self.catalog(true).await?;
                guard::check(sql, self.dialect(), &fresh)?;
                Ok(fresh)
            }
            Err(refusal) => Err(refusal.into()),
        }
    }
}

/// `dataset.table` quoted for the dialect.
pub fn quoted_table(dialect: Dialect, table: &TableRef) -> String {
    let quote = |name: &str| match dialect {
        Dialect::MySql | Dialect::BigQuery => format!("`{}`", name.replace('`', "``")),
        Dialect::Postgres | Dialect::Sqlite => format!("\"{}\"", name.replace('"', "\"\"")),
    };
    format!("{}.{}", quote(&table.dataset), quote(&table.name))
}
