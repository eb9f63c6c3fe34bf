//! MySQL and MariaDB. The database's layer: every query runs in `START
//! TRANSACTION READ ONLY` under a session statement timeout (MySQL's
//! `MAX_EXECUTION_TIME`, MariaDB's `max_statement_time`), and is rolled
//! back. Rows stop at `max_rows + 1`.

use async_trait::async_trait;
use mysql_async::consts::ColumnType;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, Params, Pool, Row, Value as MyValue};
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::catalog::{AllowList, Catalog, TableKind, TableRef};
use crate::guard::Dialect;
use crate::result::{Column, QueryResult, TableSchema};
use crate::{number_or_text, Driver, Limits, SqlError, SqlResult};

pub struct MySql {
    pool: Pool,
    /// The URL's database: where unqualified names resolve.
    database: Option<String>,
    mariadb: OnceCell<bool>,
}

impl MySql {
    /// `config.url`: `mysql://user:password@host:port/database`.
    pub fn new(config: &Value) -> SqlResult<MySql> {
        let url = crate::url_setting(config, &["mysql", "mariadb"])?;
        let url = url.replacen("mariadb://", "mysql://", 1);
        let opts = Opts::from_url(&url)
            .map_err(|e| SqlError::invalid("config.url", format!("is not a MySQL URL ({e})")))?;
        Ok(MySql {
            database: opts.db_name().map(str::to_owned),
            pool: Pool::new(opts),
            mariadb: OnceCell::new(),
        })
    }

    async fn conn(&self) -> SqlResult<Conn> {
        self.pool
            .get_conn()
            .await
            .map_err(|e| SqlError::Unavailable(e.to_string()))
    }

    async fn is_mariadb(&self, conn: &mut Conn) -> SqlResult<bool> {
        self.mariadb
            .get_or_try_init(|| async {
                let version: Option<String> =
                    conn.query_first("SELECT VERSION()").await.map_err(failed)?;
                Ok(version.is_some_and(|v| v.contains("MariaDB")))
            })
            .await
            .copied()
    }

    /// Opens the read-only transaction under the timeout.
    async fn begin(&self, conn: &mut Conn, timeout: std::time::Duration) -> SqlResult<()> {
        let limit = if self.is_mariadb(conn).await? {
            format!("SET SESSION max_statement_time = {}", timeout.as_secs_f64())
        } else {
            format!("SET SESSION MAX_EXECUTION_TIME = {}", timeout.as_millis())
        };
        conn.query_drop(limit).await.map_err(failed)?;
        // Quotes and backslashes read as the parser read them: no
        // ANSI_QUOTES, no NO_BACKSLASH_ESCAPES.
        conn.query_drop("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'")
            .await
            .map_err(failed)?;
        conn.query_drop("START TRANSACTION READ ONLY")
            .await
            .map_err(failed)
    }
}

#[async_trait]
impl Driver for MySql {
    fn dialect(&self) -> Dialect {
        Dialect::MySql
    }

    async fn catalog(&self, allow: &AllowList) -> SqlResult<Catalog> {
        let mut conn = self.conn().await?;
        let mut tables = Vec::new();
        for dataset in &allow.datasets {
            let rows: Vec<(String, String)> = conn
                .exec(
                    "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES
                     WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
                    (dataset,),
                )
                .await
                .map_err(failed)?;
            for (name, kind) in rows {
                let kind = if kind == "BASE TABLE" {
                    TableKind::Table
                } else {
                    TableKind::View
                };
                if allow.admits(dataset, &name, kind) {
                    tables.push(TableRef {
                        dataset: dataset.clone(),
                        name,
                        kind,
                    });
                }
            }
        }
        Ok(Catalog {
            tables,
            unqualified: self.database.iter().cloned().collect(),
            project: None,
            present: Vec::new(),
        })
    }

    async fn describe(&self, table: &TableRef) -> SqlResult<TableSchema> {
        let mut conn = self.conn().await?;
        let columns: Vec<(String, String)> = conn
            .exec(
                "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS
                 WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                (&table.dataset, &table.name),
            )
            .await
            .map_err(failed)?;
        let estimate: Option<Option<u64>> = conn
            .exec_first(
                "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                (&table.dataset, &table.name),
            )
            .await
            .map_err(failed)?;
        Ok(TableSchema {
            dataset: table.dataset.clone(),
            name: table.name.clone(),
            kind: table.kind,
            columns: columns
                .into_iter()
                .map(|(name, data_type)| Column { name, data_type })
                .collect(),
            row_estimate: estimate.flatten(),
        })
    }

    async fn estimate_rows(
        &self,
        sql: &str,
        values: &[Value],
        _: &Catalog,
    ) -> SqlResult<Option<f64>> {
        let mut conn = self.conn().await?;
        self.begin(&mut conn, std::time::Duration::from_secs(10))
            .await?;
        let plan: Vec<Row> = conn
            .exec(format!("EXPLAIN {sql}"), params(values))
            .await
            .map_err(failed)?;
        conn.query_drop("ROLLBACK").await.map_err(failed)?;
        // The rows each table contributes multiply in a nested-loop join.
        let estimate = plan
            .iter()
            .filter_map(|row| {
                row.get_opt::<Option<f64>, _>("rows")
                    .and_then(Result::ok)
                    .flatten()
            })
            .fold(None, |acc: Option<f64>, rows| {
                Some(acc.unwrap_or(1.0) * rows.max(1.0))
            });
        Ok(estimate)
    }

    async fn run(
        &self,
        sql: &str,
        values: &[Value],
        limits: &Limits,
        _: &Catalog,
    ) -> SqlResult<QueryResult> {
        let started = std::time::Instant::now();
        let mut conn = self.conn().await?;
        let work = async {
            self.begin(&mut conn, limits.timeout).await?;
            let mut rows = conn.exec_iter(sql, params(values)).await.map_err(failed)?;
            let types: Vec<ColumnType> =
                rows.columns_ref().iter().map(|c| c.column_type()).collect();
            let mut result = QueryResult {
                columns: rows
                    .columns_ref()
                    .iter()
                    .map(|c| Column {
                        name: c.name_str().into_owned(),
                        data_type: type_name(c.column_type()),
                    })
                    .collect(),
                ..QueryResult::default()
            };
            while let Some(row) = rows.next().await.map_err(failed)? {
                if result.rows.len() as u64 == limits.max_rows {
                    result.truncated = true;
                    break;
                }
                let cells = row
                    .unwrap()
                    .into_iter()
                    .zip(&types)
                    .map(|(v, t)| to_json(v, *t))
                    .collect();
                result.rows.push(cells);
            }
            rows.drop_result().await.map_err(failed)?;
            conn.query_drop("ROLLBACK").await.map_err(failed)?;
            Ok::<_, SqlError>(result)
        };
        let mut result =
            tokio::time::timeout(limits.timeout + std::time::Duration::from_secs(2), work)
                .await
                .map_err(|_| {
                    SqlError::Failed(format!(
                        "stopped after {} s (the connector's timeout_seconds)",
                        limits.timeout.as_secs()
                    ))
                })??;
        result.row_count = result.rows.len() as u64;
        result.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(result)
    }
}

fn failed(e: mysql_async::Error) -> SqlError {
    match e {
        mysql_async::Error::Server(server) => {
            let reason = match server.code {
                3024 | 1969 => " (the connector's timeout_seconds)",
                _ => "",
            };
            SqlError::Failed(format!(
                "{} (error {}){reason}",
                server.message, server.code
            ))
        }
        mysql_async::Error::Io(io) => SqlError::Unavailable(io.to_string()),
        other => SqlError::Failed(other.to_string()),
    }
}

fn params(values: &[Value]) -> Params {
    if values.is_empty() {
        return Params::Empty;
    }
    Params::Positional(
        values
            .iter()
            .map(|v| match v {
                Value::Null => MyValue::NULL,
                Value::Bool(b) => MyValue::Int(i64::from(*b)),
                Value::Number(n) => match n.as_i64() {
                    Some(i) => MyValue::Int(i),
                    None => MyValue::Double(n.as_f64().unwrap_or(f64::NAN)),
                },
                Value::String(s) => MyValue::Bytes(s.clone().into_bytes()),
                other => MyValue::Bytes(other.to_string().into_bytes()),
            })
            .collect(),
    )
}

/// `MYSQL_TYPE_NEWDECIMAL` → `decimal`.
fn type_name(t: ColumnType) -> String {
    let name = format!("{t:?}").to_lowercase();
    let name = name.trim_start_matches("mysql_type_");
    match name {
        "newdecimal" => "decimal".into(),
        "var_string" => "varchar".into(),
        "long" => "int".into(),
        "longlong" => "bigint".into(),
        other => other.into(),
    }
}

fn to_json(value: MyValue, column: ColumnType) -> Value {
    match value {
        MyValue::NULL => Value::Null,
        MyValue::Int(i) => Value::from(i),
        MyValue::UInt(u) => Value::from(u),
        MyValue::Float(f) => {
            serde_json::Number::from_f64(f64::from(f)).map_or(Value::Null, Value::Number)
        }
        MyValue::Double(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        MyValue::Bytes(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            match column {
                ColumnType::MYSQL_TYPE_DECIMAL | ColumnType::MYSQL_TYPE_NEWDECIMAL => {
                    number_or_text(&text)
                }
                _ => Value::String(text),
            }
        }
        MyValue::Date(y, mo, d, h, mi, s, us) => Value::String(match column {
            ColumnType::MYSQL_TYPE_DATE => format!("{y:04}-{mo:02}-{d:02}"),
            _ if us > 0 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}"),
            _ => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
        }),
        MyValue::Time(negative, days, h, mi, s, _) => {
            let hours = u32::from(h) + days * 24;
            Value::String(format!(
                "{}{hours:02}:{mi:02}:{s:02}",
                if negative { "-" } else { "" }
            ))
        }
    }
}
