//! PostgreSQL. The database's layer: every query runs in `BEGIN READ ONLY`
//! with `SET LOCAL statement_timeout` (and lock and idle timeouts), the
//! search path set to the allowed schemas before `pg_catalog` (so an
//! unqualified name resolves where the parser resolved it), and is rolled
//! back. Rows stream and stop at `max_rows + 1`. Parameters go in the text
//! format, so PostgreSQL parses them as whatever type the statement wants.

use std::error::Error;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use bytes::BytesMut;
use futures_util::{pin_mut, TryStreamExt};
use serde_json::Value;
use tokio_postgres::types::{to_sql_checked, Format, FromSql, IsNull, Kind, ToSql, Type};
use tokio_postgres::{Client, Config, NoTls};

use crate::catalog::{AllowList, Catalog, TableKind, TableRef};
use crate::guard::Dialect;
use crate::result::{Column, QueryResult, TableSchema};
use crate::{number_or_text, Driver, Limits, SqlError, SqlResult};

/// Idle connections kept for reuse (enough for a burst of concurrent
/// queries not to reconnect).
const POOL_SIZE: usize = 32;

pub struct Postgres {
    config: Config,
    idle: Mutex<Vec<Client>>,
}

impl Postgres {
    /// `config.url`: `postgres://user:password@host:port/database`.
    pub fn new(config: &Value) -> SqlResult<Postgres> {
        let url = crate::url_setting(config, &["postgres", "postgresql"])?;
        let config = Config::from_str(&url).map_err(|e| {
            SqlError::invalid("config.url", format!("is not a PostgreSQL URL ({e})"))
        })?;
        Ok(Postgres {
            config,
            idle: Mutex::new(Vec::new()),
        })
    }

    async fn client(&self) -> SqlResult<Client> {
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            std::iter::from_fn(|| idle.pop()).find(|c| !c.is_closed())
        };
        if let Some(client) = reused {
            return Ok(client);
        }
        let (client, connection) = self
            .config
            .connect(NoTls)
            .await
            .map_err(|e| SqlError::Unavailable(describe_error(&e)))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "a connector's PostgreSQL connection closed");
            }
        });
        Ok(client)
    }

    fn give_back(&self, client: Client) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < POOL_SIZE && !client.is_closed() {
            idle.push(client);
        }
    }

    /// The client back to the pool if the work went well; the timeout's
    /// message if it ran out.
    fn finish<T>(
        &self,
        client: Client,
        outcome: Result<SqlResult<T>, tokio::time::error::Elapsed>,
        timeout: Duration,
    ) -> SqlResult<T> {
        match outcome {
            Ok(Ok(value)) => {
                self.give_back(client);
                Ok(value)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(timed_out(timeout)),
        }
    }
}

fn timed_out(timeout: Duration) -> SqlError {
    SqlError::Failed(format!(
        "stopped after {} s (the connector's timeout_seconds)",
        timeout.as_secs()
    ))
}

/// The client's side of the timeout: the server's own, plus a margin.
fn client_deadline(timeout: Duration) -> Duration {
    timeout + Duration::from_secs(2)
}

/// `BEGIN READ ONLY` with the timeouts, the search path of the allowed
/// schemas and standard-conforming strings (so backslashes in literals mean
/// what the parser read), in one round trip. The caller ends it with
/// [`rollback`]; a client whose work failed is dropped rather than pooled,
/// and PostgreSQL rolls back with the connection.
async fn begin(client: &Client, timeout: Duration, search_path: &[String]) -> SqlResult<()> {
    let ms = timeout.as_millis().max(1);
    let path: Vec<String> = search_path
        .iter()
        .map(|s| quote_ident(s))
        .chain(["pg_catalog".to_owned()])
        .collect();
    client
        .batch_execute(&format!(
            "BEGIN READ ONLY; SET LOCAL statement_timeout = {ms}; SET LOCAL lock_timeout = {ms}; \
             SET LOCAL idle_in_transaction_session_timeout = {ms}; SET LOCAL search_path = {}; \
             SET LOCAL standard_conforming_strings = on;",
            path.join(", ")
        ))
        .await
        .map_err(failed)
}

async fn rollback(client: &Client) -> SqlResult<()> {
    client.batch_execute("ROLLBACK").await.map_err(failed)
}

#[async_trait]
impl Driver for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn catalog(&self, allow: &AllowList) -> SqlResult<Catalog> {
        let client = self.client().await?;
        // pg_class rather than information_schema: every relation the search
        // path could find, materialized views and those without privileges
        // included.
        let rows = client
            .query(
                "SELECT n.nspname::text, c.relname::text, c.relkind::text
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                 ORDER BY 1, 2",
                &[&allow.datasets],
            )
            .await
            .map_err(failed)?;
        self.give_back(client);
        let mut tables = Vec::new();
        let mut present = Vec::new();
        for row in &rows {
            let (dataset, name, kind): (String, String, String) =
                (row.get(0), row.get(1), row.get(2));
            // Views, materialized views, foreign tables and sequences are
            // readable only when named: they may read outside the schema.
            let kind = if matches!(kind.as_str(), "r" | "p") {
                TableKind::Table
            } else {
                TableKind::View
            };
            if allow.admits(&dataset, &name, kind) {
                tables.push(TableRef {
                    dataset: dataset.clone(),
                    name: name.clone(),
                    kind,
                });
            }
            present.push((dataset, name));
        }
        Ok(Catalog {
            tables,
            unqualified: allow.datasets.clone(),
            project: None,
            present,
        })
    }

    async fn describe(&self, table: &TableRef) -> SqlResult<TableSchema> {
        let client = self.client().await?;
        let columns = client
            .query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns
                 WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                &[&table.dataset, &table.name],
            )
            .await
            .map_err(failed)?
            .iter()
            .map(|row| Column {
                name: row.get(0),
                data_type: row.get(1),
            })
            .collect();
        let estimate: Option<f32> = client
            .query_opt(
                "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2",
                &[&table.dataset, &table.name],
            )
            .await
            .map_err(failed)?
            .map(|row| row.get(0));
        self.give_back(client);
        Ok(TableSchema {
            dataset: table.dataset.clone(),
            name: table.name.clone(),
            kind: table.kind,
            columns,
            // -1: never analysed.
            row_estimate: estimate.filter(|e| *e >= 0.0).map(|e| e as u64),
        })
    }

    async fn estimate_rows(
        &self,
        sql: &str,
        values: &[Value],
        catalog: &Catalog,
    ) -> SqlResult<Option<f64>> {
        let explain = format!("EXPLAIN (FORMAT JSON) {sql}");
        let timeout = Duration::from_secs(10);
        let params = text_params(values);
        let client = self.client().await?;
        let outcome = tokio::time::timeout(client_deadline(timeout), async {
            begin(&client, timeout, &catalog.unqualified).await?;
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            let row = client.query_one(&explain, &refs).await.map_err(failed)?;
            rollback(&client).await?;
            let plan: Value = row.get(0);
            Ok(plan[0]["Plan"]["Plan Rows"].as_f64())
        })
        .await;
        self.finish(client, outcome, timeout)
    }

    async fn run(
        &self,
        sql: &str,
        values: &[Value],
        limits: &Limits,
        catalog: &Catalog,
    ) -> SqlResult<QueryResult> {
        let started = std::time::Instant::now();
        let params = text_params(values);
        let client = self.client().await?;
        let outcome = tokio::time::timeout(client_deadline(limits.timeout), async {
            begin(&client, limits.timeout, &catalog.unqualified).await?;
            let result = fetch(&client, sql, &params, limits.max_rows).await?;
            rollback(&client).await?;
            Ok(result)
        })
        .await;
        let mut result = self.finish(client, outcome, limits.timeout)?;
        result.row_count = result.rows.len() as u64;
        result.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(result)
    }
}

/// Streams the statement's rows, stopping at `max_rows + 1`.
async fn fetch(
    client: &Client,
    sql: &str,
    params: &[TextParam],
    max_rows: u64,
) -> SqlResult<QueryResult> {
    let statement = client.prepare(sql).await.map_err(failed)?;
    let columns: Vec<Column> = statement
        .columns()
        .iter()
        .map(|c| Column {
            name: c.name().to_owned(),
            data_type: c.type_().name().to_owned(),
        })
        .collect();
    let stream = client
        .query_raw(&statement, params.iter())
        .await
        .map_err(failed)?;
    pin_mut!(stream);
    let mut result = QueryResult {
        columns,
        ..QueryResult::default()
    };
    while let Some(row) = stream.try_next().await.map_err(failed)? {
        if result.rows.len() as u64 == max_rows {
            result.truncated = true;
            break;
        }
        let cells = (0..row.len())
            .map(|i| row.try_get::<_, Cell>(i).map(|c| c.0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed)?;
        result.rows.push(cells);
    }
    Ok(result)
}

fn failed(e: tokio_postgres::Error) -> SqlError {
    SqlError::Failed(describe_error(&e))
}

/// The server's message (with its SQLSTATE) rather than "db error".
fn describe_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => match e.source() {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A parameter sent in PostgreSQL's text format: the server parses it as
/// the type the statement infers (a date, a numeric, an integer, …).
#[derive(Debug)]
struct TextParam(Option<String>);

fn text_params(values: &[Value]) -> Vec<TextParam> {
    values
        .iter()
        .map(|v| {
            TextParam(match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            })
        })
        .collect()
}

impl ToSql for TextParam {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match &self.0 {
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> Format {
        Format::Text
    }

    to_sql_checked!();
}

/// Any cell as JSON: numbers, text, booleans, JSON, dates and times
/// (ISO 8601), UUIDs, NUMERIC (decoded by hand: no numeric type is in
/// the dependency tree) and arrays of these; other types as text when they
/// are UTF-8.
struct Cell(Value);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        let value = match *ty {
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::INT2 => Value::from(i16::from_sql(ty, raw)?),
            Type::INT4 => Value::from(i32::from_sql(ty, raw)?),
            Type::INT8 => Value::from(i64::from_sql(ty, raw)?),
            Type::OID => Value::from(u32::from_sql(ty, raw)?),
            Type::FLOAT4 => float(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => float(f64::from_sql(ty, raw)?),
            Type::NUMERIC => number_or_text(&numeric_text(raw)?),
            Type::JSON | Type::JSONB => Value::from_sql(ty, raw)?,
            Type::DATE => Value::String(jiff::civil::Date::from_sql(ty, raw)?.to_string()),
            Type::TIMESTAMP => Value::String(jiff::civil::DateTime::from_sql(ty, raw)?.to_string()),
            Type::TIMESTAMPTZ => Value::String(jiff::Timestamp::from_sql(ty, raw)?.to_string()),
            Type::TIME => Value::String(jiff::civil::Time::from_sql(ty, raw)?.to_string()),
            Type::UUID => Value::String(uuid_text(raw)?),
            _ => match ty.kind() {
                Kind::Array(_) => Value::Array(
                    Vec::<Option<Cell>>::from_sql(ty, raw)?
                        .into_iter()
                        .map(|c| c.map_or(Value::Null, |c| c.0))
                        .collect(),
                ),
                _ => match std::str::from_utf8(raw) {
                    Ok(text) => Value::String(text.to_owned()),
                    Err(_) => Value::String(format!("({} bytes of {})", raw.len(), ty.name())),
                },
            },
        };
        Ok(Cell(value))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn uuid_text(raw: &[u8]) -> Result<String, Box<dyn Error + Sync + Send>> {
    if raw.len() != 16 {
        return Err("a uuid is 16 bytes".into());
    }
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// NUMERIC's binary format: ndigits, weight, sign, dscale (i16 each), then
/// ndigits base-10000 digits, the first at 10000^weight.
fn numeric_text(raw: &[u8]) -> Result<String, Box<dyn Error + Sync + Send>> {
    let word = |i: usize| -> Result<i16, Box<dyn Error + Sync + Send>> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a truncated numeric".into())
    };
    let (ndigits, weight, sign, dscale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    match sign {
        0xC000 => return Ok("NaN".into()),
        0xD000 => return Ok("Infinity".into()),
        0xF000 => return Ok("-Infinity".into()),
        _ => {}
    }
    let digits = (0..ndigits as usize)
        .map(|i| word(4 + i))
        .collect::<Result<Vec<_>, _>>()?;
    let digit_at = |position: i32| -> i16 {
        // position: power of 10000; digits[0] is at `weight`.
        let index = weight as i32 - position;
        if index >= 0 && (index as usize) < digits.len() {
            digits[index as usize]
        } else {
            0
        }
    };
    let mut text = String::new();
    if sign == 0x4000 {
        text.push('-');
    }
    let top = (weight as i32).max(0);
    let integer: String = (0..=top)
        .rev()
        .enumerate()
        .map(|(i, p)| {
            if i == 0 {
                digit_at(p).to_string()
            } else {
                format!("{:04}", digit_at(p))
            }
        })
        .collect();
    text.push_str(&integer);
    if dscale > 0 {
        let groups = (dscale as i32 + 3) / 4;
        let fraction: String = (1..=groups)
            .map(|p| format!("{:04}", digit_at(-p)))
            .collect();
        text.push('.');
        text.push_str(&fraction[..dscale as usize]);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(words: &[i16]) -> String {
        let raw: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
        numeric_text(&raw).unwrap()
    }

    #[test]
    fn numerics_decode_from_their_binary_format() {
        // 12345.678: digits 1, 2345, 6780; weight 1; scale 3.
        assert_eq!(numeric(&[3, 1, 0, 3, 1, 2345, 6780]), "12345.678");
        // -0.05: digit 500 at weight -1; scale 2.
        assert_eq!(numeric(&[1, -1, 0x4000u16 as i16, 2, 500]), "-0.05");
        // 100000000: digit 1 at weight 2.
        assert_eq!(numeric(&[1, 2, 0, 0, 1]), "100000000");
        assert_eq!(numeric(&[0, 0, 0, 0]), "0");
    }
}
