//! BigQuery over its REST API (reqwest; no SDK). The service account's
//! JSON key signs an RS256 JWT that the token endpoint exchanges for an
//! access token (cached until a minute before it expires). The database's
//! half of read-only is the dry run: `jobs.insert` with `dryRun` must report
//! `statementType` `SELECT` and `referencedTables` inside the catalog, and
//! its bytes estimate (at least 10 MiB per table, as BigQuery bills) times
//! the price per TiB must stay under `max_cost_usd`; the query then runs
//! with `maximumBytesBilled` as the server-side stop, through `jobs.query`
//! and `getQueryResults` pages. `base_url` and `token_url` can point at a
//! local server for tests.
//!
//! The JWT is assembled by hand (three base64url parts, RS256 with the
//! `rsa` crate): jsonwebtoken's RustCrypto backend would bring P-256, P-384
//! and Ed25519 code this one signature does not need.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde_json::{json, Map, Value};
use sha2::Sha256;
use tokio::sync::Mutex;

use crate::catalog::{AllowList, Catalog, TableKind, TableRef};
use crate::guard::{Dialect, Refusal};
use crate::result::{Column, QueryResult, TableSchema};
use crate::{number_or_text, Driver, Limits, SqlError, SqlResult};

const SCOPE: &str = "https://www.googleapis.com/auth/bigquery";
const DEFAULT_BASE_URL: &str = "https://bigquery.googleapis.com";
const TIB: f64 = 1_099_511_627_776.0;
/// BigQuery bills at least 10 MiB per table read.
const MIN_BYTES_PER_TABLE: u64 = 10 * 1024 * 1024;
/// Rows asked for per page.
const PAGE_ROWS: u64 = 10_000;

/// What the service-account key holds that Grove uses.
struct ServiceAccount {
    client_email: String,
    token_uri: String,
    key: SigningKey<Sha256>,
}

pub struct BigQuery {
    project: String,
    location: Option<String>,
    base_url: String,
    account: ServiceAccount,
    http: reqwest::Client,
    token: Mutex<Option<(String, Instant)>>,
}

fn invalid(field: &str, reason: impl Into<String>) -> SqlError {
    SqlError::invalid(field, reason)
}

impl BigQuery {
    /// `config.project_id`, `config.service_account` (the JSON key, as an
    /// object or its text), `config.location`, and for tests
    /// `config.base_url` and `config.token_url`.
    pub fn new(config: &Value) -> SqlResult<BigQuery> {
        let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::to_owned);
        let project = text("project_id")
            .filter(|p| !p.is_empty())
            .ok_or_else(|| invalid("config.project_id", "is required"))?;
        let key: Value = match config.get("service_account") {
            Some(Value::String(raw)) => serde_json::from_str(raw).map_err(|_| {
                invalid(
                    "config.service_account",
                    "is not a service-account JSON key",
                )
            })?,
            Some(object @ Value::Object(_)) => object.clone(),
            _ => {
                return Err(invalid(
                    "config.service_account",
                    "is required: the service account's JSON key",
                ))
            }
        };
        let field = |name: &str| {
            key.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| invalid("config.service_account", format!("has no `{name}`")))
        };
        let private_key = RsaPrivateKey::from_pkcs8_pem(&field("private_key")?).map_err(|_| {
            invalid(
                "config.service_account",
                "`private_key` is not a PKCS#8 RSA key",
            )
        })?;
        let account = ServiceAccount {
            client_email: field("client_email")?,
            token_uri: text("token_url")
                .or_else(|| {
                    key.get("token_uri")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "https://oauth2.googleapis.com/token".into()),
            key: SigningKey::<Sha256>::new(private_key),
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| SqlError::Unavailable(e.to_string()))?;
        Ok(BigQuery {
            project,
            location: text("location"),
            base_url: text("base_url")
                .unwrap_or_else(|| DEFAULT_BASE_URL.into())
                .trim_end_matches('/')
                .to_owned(),
            account,
            http,
            token: Mutex::new(None),
        })
    }

    /// The signed assertion the token endpoint exchanges.
    fn assertion(&self) -> String {
        let now = jiff::Timestamp::now().as_second();
        let header = json!({"alg": "RS256", "typ": "JWT"});
        let claims = json!({"iss": self.account.client_email, "scope": SCOPE,
                            "aud": self.account.token_uri, "iat": now, "exp": now + 3600});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.account.key.sign(signing_input.as_bytes()).to_bytes();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    async fn access_token(&self) -> SqlResult<String> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let response = self
            .http
            .post(&self.account.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", &self.assertion()),
            ])
            .send()
            .await
            .map_err(|e| SqlError::Unavailable(format!("the token endpoint: {e}")))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let token = body["access_token"]
            .as_str()
            .filter(|_| status.is_success())
            .ok_or_else(|| {
                let reason = body["error_description"]
                    .as_str()
                    .or(body["error"].as_str())
                    .unwrap_or("no access token");
                SqlError::Unavailable(format!("the token endpoint answered {status}: {reason}"))
            })?;
        let lifetime = body["expires_in"]
            .as_u64()
            .unwrap_or(3600)
            .saturating_sub(60);
        *cached = Some((
            token.to_owned(),
            Instant::now() + Duration::from_secs(lifetime),
        ));
        Ok(token.to_owned())
    }

    /// A call to the API; an error answer becomes `Failed` with its
    /// message (or `Unavailable` for auth and transport failures).
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> SqlResult<Value> {
        let token = self.access_token().await?;
        let url = format!(
            "{}/bigquery/v2/projects/{}{path}",
            self.base_url, self.project
        );
        let mut request = self.http.request(method, url).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| SqlError::Unavailable(e.to_string()))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or("no error message")
            .to_owned();
        let reason = body["error"]["errors"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Err(match status.as_u16() {
            401 => SqlError::Unavailable(format!("BigQuery answered {status}: {message}")),
            _ => SqlError::Failed(format!("{message} ({reason})")),
        })
    }

    /// The query with its positional (`?`) parameters typed from their
    /// JSON values.
    fn query_config(&self, sql: &str, values: &[Value]) -> Value {
        let parameters: Vec<Value> = values
            .iter()
            .map(|value| {
                let (kind, text) = match value {
                    Value::Bool(b) => ("BOOL", Value::String(b.to_string())),
                    Value::Number(n) if n.is_i64() => ("INT64", Value::String(n.to_string())),
                    Value::Number(n) => ("FLOAT64", Value::String(n.to_string())),
                    Value::Null => ("STRING", Value::Null),
                    Value::String(s) => ("STRING", Value::String(s.clone())),
                    other => ("STRING", Value::String(other.to_string())),
                };
                json!({"parameterType": {"type": kind}, "parameterValue": {"value": text}})
            })
            .collect();
        json!({"query": sql, "useLegacySql": false, "parameterMode": "POSITIONAL", "queryParameters": parameters})
    }

    /// The dry run's verdict: the estimated bytes, or why the query may not
    /// run.
    async fn dry_run(
        &self,
        sql: &str,
        values: &[Value],
        limits: &Limits,
        catalog: &Catalog,
    ) -> SqlResult<(u64, f64)> {
        let mut body =
            json!({"configuration": {"query": self.query_config(sql, values), "dryRun": true}});
        if let Some(location) = &self.location {
            body["jobReference"] = json!({"location": location});
        }
        let job = self
            .call(reqwest::Method::POST, "/jobs", Some(&body))
            .await?;
        let statistics = &job["statistics"]["query"];
        let statement = statistics["statementType"].as_str().unwrap_or("unknown");
        if statement != "SELECT" {
            return Err(refused(
                "read_only",
                format!("the dry run says this is a {statement} statement, not a SELECT"),
            ));
        }
        let tables = statistics["referencedTables"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for table in &tables {
            let (dataset, name) = (
                table["datasetId"].as_str().unwrap_or(""),
                table["tableId"].as_str().unwrap_or(""),
            );
            let known = table["projectId"].as_str() == Some(self.project.as_str())
                && catalog
                    .tables
                    .iter()
                    .any(|t| t.dataset == dataset && t.name == name);
            if !known {
                return Err(refused(
                    "table_not_allowed",
                    format!(
                        "the dry run reads `{dataset}.{name}`, which is not an allowed table; {}",
                        catalog.known()
                    ),
                ));
            }
        }
        let bytes: u64 = statistics["totalBytesProcessed"]
            .as_str()
            .and_then(|b| b.parse().ok())
            .unwrap_or(0);
        let billed = bytes.max(MIN_BYTES_PER_TABLE * tables.len() as u64);
        let cost = billed as f64 / TIB * limits.price_per_tib_usd;
        if let Some(max) = limits.max_cost_usd {
            if cost > max {
                return Err(refused("max_cost_usd", format!(
                    "the dry run estimates {bytes} bytes (${cost:.4} at ${}/TiB), over this connector's max_cost_usd (${max})",
                    limits.price_per_tib_usd
                )));
            }
        }
        Ok((bytes, cost))
    }

    /// `maximumBytesBilled` for a cost limit, as the string the API takes.
    fn bytes_cap(limits: &Limits) -> Option<String> {
        let max = limits.max_cost_usd?;
        (limits.price_per_tib_usd > 0.0).then(|| {
            ((max / limits.price_per_tib_usd * TIB) as u64)
                .max(MIN_BYTES_PER_TABLE)
                .to_string()
        })
    }
}

fn refused(rule: &'static str, detail: String) -> SqlError {
    SqlError::Refused(Refusal { rule, detail })
}

#[async_trait]
impl Driver for BigQuery {
    fn dialect(&self) -> Dialect {
        Dialect::BigQuery
    }

    async fn catalog(&self, allow: &AllowList) -> SqlResult<Catalog> {
        let mut tables = Vec::new();
        for dataset in &allow.datasets {
            let mut page: Option<String> = None;
            loop {
                let mut path = format!("/datasets/{dataset}/tables?maxResults=1000");
                if let Some(token) = &page {
                    path.push_str(&format!(
                        "&pageToken={}",
                        url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
                    ));
                }
                let listed = self.call(reqwest::Method::GET, &path, None).await?;
                for table in listed["tables"].as_array().into_iter().flatten() {
                    let name = table["tableReference"]["tableId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    let kind = if table["type"] == "TABLE" {
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
                page = listed["nextPageToken"].as_str().map(str::to_owned);
                if page.is_none() {
                    break;
                }
            }
        }
        Ok(Catalog {
            tables,
            unqualified: Vec::new(),
            project: Some(self.project.clone()),
            present: Vec::new(),
        })
    }

    async fn describe(&self, table: &TableRef) -> SqlResult<TableSchema> {
        let meta = self
            .call(
                reqwest::Method::GET,
                &format!("/datasets/{}/tables/{}", table.dataset, table.name),
                None,
            )
            .await?;
        let columns = meta["schema"]["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| Column {
                name: f["name"].as_str().unwrap_or_default().into(),
                data_type: field_type(f),
            })
            .collect();
        Ok(TableSchema {
            dataset: table.dataset.clone(),
            name: table.name.clone(),
            kind: table.kind,
            columns,
            row_estimate: meta["numRows"].as_str().and_then(|n| n.parse().ok()),
        })
    }

    async fn estimate_rows(&self, _: &str, _: &[Value], _: &Catalog) -> SqlResult<Option<f64>> {
        // BigQuery estimates bytes, not rows; `run` checks those.
        Ok(None)
    }

    async fn run(
        &self,
        sql: &str,
        values: &[Value],
        limits: &Limits,
        catalog: &Catalog,
    ) -> SqlResult<QueryResult> {
        let started = Instant::now();
        let (bytes, cost) = self.dry_run(sql, values, limits, catalog).await?;
        let mut body = self.query_config(sql, values);
        body["maxResults"] = json!(PAGE_ROWS.min(limits.max_rows + 1));
        body["timeoutMs"] = json!(limits.timeout.as_millis() as u64);
        // The server's own deadline: BigQuery cancels the job past it.
        body["jobTimeoutMs"] = json!(limits.timeout.as_millis().to_string());
        body["formatOptions"] = json!({"useInt64Timestamp": true});
        if let Some(cap) = Self::bytes_cap(limits) {
            body["maximumBytesBilled"] = json!(cap);
        }
        if let Some(location) = &self.location {
            body["location"] = json!(location);
        }
        let mut page = self
            .call(reqwest::Method::POST, "/queries", Some(&body))
            .await?;
        let job = page["jobReference"]["jobId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let deadline = started + limits.timeout;
        let mut result = QueryResult::default();
        let mut fields: Vec<Value> = Vec::new();
        loop {
            if page["jobComplete"] == true {
                if fields.is_empty() {
                    fields = page["schema"]["fields"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    result.columns = fields
                        .iter()
                        .map(|f| Column {
                            name: f["name"].as_str().unwrap_or_default().into(),
                            data_type: field_type(f),
                        })
                        .collect();
                }
                for row in page["rows"].as_array().into_iter().flatten() {
                    if result.rows.len() as u64 == limits.max_rows {
                        result.truncated = true;
                        break;
                    }
                    result.rows.push(convert_row(row, &fields));
                }
            }
            let token = page["pageToken"].as_str().map(str::to_owned);
            let done = page["jobComplete"] == true && (token.is_none() || result.truncated);
            if done {
                break;
            }
            if Instant::now() > deadline {
                return Err(SqlError::Failed(format!(
                    "stopped after {} s (the connector's timeout_seconds)",
                    limits.timeout.as_secs()
                )));
            }
            let mut path = format!(
                "/queries/{job}?maxResults={PAGE_ROWS}&timeoutMs={}",
                limits.timeout.as_millis()
            );
            if let Some(token) = token {
                path.push_str(&format!(
                    "&pageToken={}",
                    url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
                ));
            }
            if let Some(location) = &self.location {
                path.push_str(&format!("&location={location}"));
            }
            page = self.call(reqwest::Method::GET, &path, None).await?;
        }
        result.row_count = result.rows.len() as u64;
        result.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        result.bytes_processed = Some(bytes);
        result.estimated_cost_usd = Some(cost);
        Ok(result)
    }
}

/// `INT64`, or `ARRAY<INT64>` for a repeated field.
fn field_type(field: &Value) -> String {
    let kind = field["type"].as_str().unwrap_or("STRING").to_uppercase();
    let kind = match kind.as_str() {
        "INTEGER" => "INT64".to_owned(),
        "FLOAT" => "FLOAT64".to_owned(),
        "BOOLEAN" => "BOOL".to_owned(),
        "RECORD" => "STRUCT".to_owned(),
        other => other.to_owned(),
    };
    if field["mode"] == "REPEATED" {
        format!("ARRAY<{kind}>")
    } else {
        kind
    }
}

/// A row with one cell per field (cells the server left out are null).
fn convert_row(row: &Value, fields: &[Value]) -> Vec<Value> {
    let cells = row["f"].as_array().cloned().unwrap_or_default();
    fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            cells
                .get(i)
                .map_or(Value::Null, |cell| convert_field(field, &cell["v"]))
        })
        .collect()
}

/// A cell by its field: every scalar arrives as a string (or null); a
/// repeated field is an array of `{"v"}`; a record is `{"f": [...]}`.
fn convert_field(field: &Value, value: &Value) -> Value {
    if field["mode"] == "REPEATED" {
        let scalar =
            json!({"name": field["name"], "type": field["type"], "fields": field["fields"]});
        return Value::Array(
            value
                .as_array()
                .into_iter()
                .flatten()
                .map(|item| convert_field(&scalar, &item["v"]))
                .collect(),
        );
    }
    if value.is_null() {
        return Value::Null;
    }
    let kind = field["type"].as_str().unwrap_or("STRING").to_uppercase();
    if kind == "RECORD" || kind == "STRUCT" {
        let subfields = field["fields"].as_array().cloned().unwrap_or_default();
        let cells = value["f"].as_array().cloned().unwrap_or_default();
        let object: Map<String, Value> = subfields
            .iter()
            .zip(cells)
            .map(|(f, c)| {
                (
                    f["name"].as_str().unwrap_or_default().to_owned(),
                    convert_field(f, &c["v"]),
                )
            })
            .collect();
        return Value::Object(object);
    }
    let Some(text) = value.as_str() else {
        return value.clone();
    };
    match kind.as_str() {
        "INTEGER" | "INT64" => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.into())),
        "FLOAT" | "FLOAT64" | "NUMERIC" | "BIGNUMERIC" => number_or_text(text),
        "BOOLEAN" | "BOOL" => Value::Bool(text.eq_ignore_ascii_case("true")),
        "TIMESTAMP" => timestamp(text),
        _ => Value::String(text.into()),
    }
}

/// Microseconds since the epoch (`useInt64Timestamp`) or float seconds, as
/// RFC 3339 in UTC.
fn timestamp(text: &str) -> Value {
    let micros = match text.parse::<i64>() {
        Ok(micros) => Some(micros),
        Err(_) => text.parse::<f64>().ok().map(|s| (s * 1e6).round() as i64),
    };
    micros
        .and_then(|m| jiff::Timestamp::from_microsecond(m).ok())
        .map(|t| Value::String(t.to_string()))
        .unwrap_or_else(|| Value::String(text.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_convert_by_their_field_types() {
        let fields: Vec<Value> = serde_json::from_value(json!([
            {"name": "n", "type": "INTEGER"}, {"name": "f", "type": "FLOAT64"}, {"name": "d", "type": "NUMERIC"},
            {"name": "b", "type": "BOOLEAN"}, {"name": "day", "type": "DATE"}, {"name": "at", "type": "TIMESTAMP"},
            {"name": "none", "type": "STRING"}, {"name": "tags", "type": "STRING", "mode": "REPEATED"},
            {"name": "ts", "type": "TIMESTAMP"}
        ])).unwrap();
        let row = json!({"f": [{"v": "42"}, {"v": "1.5"}, {"v": "12345.678"}, {"v": "true"}, {"v": "2026-01-31"},
            {"v": "1767225600000000"}, {"v": null}, {"v": [{"v": "a"}, {"v": "b"}]}, {"v": "1.7672256E9"}]});
        assert_eq!(
            convert_row(&row, &fields),
            vec![
                json!(42),
                json!(1.5),
                json!(12345.678),
                json!(true),
                json!("2026-01-31"),
                json!("2026-01-01T00:00:00Z"),
                Value::Null,
                json!(["a", "b"]),
                json!("2026-01-01T00:00:00Z"),
            ]
        );
        assert_eq!(field_type(&fields[7]), "ARRAY<STRING>");
        // A row shorter than the schema (a hostile or broken server) is
        // padded, never indexed past its end.
        let short = convert_row(&json!({"f": [{"v": "7"}]}), &fields);
        assert_eq!(short.len(), fields.len());
        assert_eq!(
            (short[0].clone(), short[8].clone()),
            (json!(7), Value::Null)
        );
    }
}
