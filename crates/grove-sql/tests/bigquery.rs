//! The BigQuery connector against a local server speaking BigQuery's REST
//! format: the service account's RS256 assertion checked with the key's
//! public half and exchanged for a token (once, then cached), the catalog
//! listed over pages, the dry run's verdicts (a DML statement type, a
//! referenced table outside the allow-list, a cost over `max_cost_usd`),
//! `jobs.query` with `maximumBytesBilled` and positional parameters, and
//! `getQueryResults` paging with `pageToken`, every type converted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use grove_core::connectors::ConnectorKind;
use grove_sql::{AllowList, Connector, ConnectorSpec, Driver, Limits, SqlError};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::{json, Map, Value};

const PRIVATE_KEY: &str = include_str!("fixtures/test-service-account.pem");
const PUBLIC_KEY: &str = include_str!("fixtures/test-service-account.pub.pem");
const EMAIL: &str = "grove@acme-prod.iam.gserviceaccount.com";
const TOKEN: &str = "ya29.test-token";

#[derive(Clone, Default)]
struct Fake {
    base: String,
    tokens: Arc<AtomicUsize>,
    queries: Arc<std::sync::Mutex<Vec<Value>>>,
}

async fn token(State(fake): State<Fake>, Form(form): Form<Map<String, Value>>) -> Json<Value> {
    assert_eq!(
        form["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    let assertion = form["assertion"].as_str().unwrap();
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3);
    let key = VerifyingKey::<sha2::Sha256>::new(
        rsa::RsaPublicKey::from_public_key_pem(PUBLIC_KEY).unwrap(),
    );
    let signature =
        Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice()).unwrap();
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the assertion is signed by the service account");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["iss"], EMAIL);
    assert_eq!(claims["aud"], format!("{}/token", fake.base));
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/bigquery");
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 3600);
    fake.tokens.fetch_add(1, Ordering::SeqCst);
    Json(json!({"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"}))
}

fn authorised(headers: &HeaderMap) {
    assert_eq!(headers["authorization"], format!("Bearer {TOKEN}"));
}

async fn tables(
    headers: HeaderMap,
    Path((_, dataset)): Path<(String, String)>,
    Query(q): Query<Map<String, Value>>,
) -> Json<Value> {
    authorised(&headers);
    assert_eq!(dataset, "analytics");
    let table = |id: &str, kind: &str| json!({"tableReference": {"projectId": "acme-prod", "datasetId": "analytics", "tableId": id}, "type": kind});
    Json(match q.get("pageToken").and_then(Value::as_str) {
        None => json!({"tables": [table("orders", "TABLE")], "nextPageToken": "page 2"}),
        Some("page 2") => {
            json!({"tables": [table("customers", "TABLE"), table("order_view", "VIEW"), table("salaries", "TABLE")]})
        }
        Some(other) => panic!("unknown page token {other}"),
    })
}

async fn table(
    headers: HeaderMap,
    Path((_, _, table)): Path<(String, String, String)>,
) -> Json<Value> {
    authorised(&headers);
    Json(
        json!({"schema": {"fields": [{"name": "id", "type": "INTEGER"}, {"name": "region", "type": "STRING"}]}, "numRows": "3", "id": table}),
    )
}

async fn jobs(headers: HeaderMap, Json(body): Json<Value>) -> Json<Value> {
    authorised(&headers);
    assert_eq!(body["configuration"]["dryRun"], true);
    let sql = body["configuration"]["query"]["query"].as_str().unwrap();
    let referenced = |t: &str| json!({"projectId": "acme-prod", "datasetId": if t == "salaries" { "hr" } else { "analytics" }, "tableId": t});
    let (kind, tables, bytes) = if sql.starts_with("DELETE") {
        ("DELETE", vec![referenced("orders")], "0")
    } else if sql.contains("order_view") {
        // The view reads a table of another dataset.
        (
            "SELECT",
            vec![referenced("orders"), referenced("salaries")],
            "2048",
        )
    } else if sql.contains("CROSS JOIN") {
        ("SELECT", vec![referenced("orders")], "5497558138880")
    } else {
        ("SELECT", vec![referenced("orders")], "1048576")
    };
    Json(
        json!({"statistics": {"query": {"statementType": kind, "referencedTables": tables, "totalBytesProcessed": bytes}}}),
    )
}

fn schema() -> Value {
    json!({"fields": [
        {"name": "id", "type": "INTEGER"}, {"name": "ratio", "type": "FLOAT"}, {"name": "total", "type": "NUMERIC"},
        {"name": "paid", "type": "BOOLEAN"}, {"name": "day", "type": "DATE"}, {"name": "at", "type": "TIMESTAMP"},
        {"name": "note", "type": "STRING"}, {"name": "tags", "type": "STRING", "mode": "REPEATED"}]})
}

fn row(i: i64) -> Value {
    json!({"f": [{"v": i.to_string()}, {"v": "0.25"}, {"v": "99.99"}, {"v": if i % 2 == 0 { "true" } else { "false" }},
                 {"v": "2026-01-31"}, {"v": "1767225600000000"}, {"v": null}, {"v": [{"v": "a"}, {"v": "b"}]}]})
}

async fn query(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Json<Value> {
    authorised(&headers);
    fake.queries.lock().unwrap().push(body);
    Json(
        json!({"jobReference": {"projectId": "acme-prod", "jobId": "job_1"}, "jobComplete": false}),
    )
}

async fn results(
    headers: HeaderMap,
    Path((_, job)): Path<(String, String)>,
    Query(q): Query<Map<String, Value>>,
) -> Json<Value> {
    authorised(&headers);
    assert_eq!(job, "job_1");
    Json(match q.get("pageToken").and_then(Value::as_str) {
        None => {
            json!({"jobComplete": true, "schema": schema(), "rows": [row(1), row(2)], "pageToken": "t2", "totalRows": "3"})
        }
        Some("t2") => {
            json!({"jobComplete": true, "schema": schema(), "rows": [row(3)], "totalRows": "3"})
        }
        Some(other) => panic!("unknown page token {other}"),
    })
}

async fn fake_bigquery() -> Fake {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake = Fake {
        base: format!("http://{}", listener.local_addr().unwrap()),
        ..Fake::default()
    };
    let app = axum::Router::new()
        .route("/token", post(token))
        .route(
            "/bigquery/v2/projects/{project}/datasets/{dataset}/tables",
            get(tables),
        )
        .route(
            "/bigquery/v2/projects/{project}/datasets/{dataset}/tables/{table}",
            get(table),
        )
        .route("/bigquery/v2/projects/{project}/jobs", post(jobs))
        .route("/bigquery/v2/projects/{project}/queries", post(query))
        .route(
            "/bigquery/v2/projects/{project}/queries/{job}",
            get(results),
        )
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    fake
}

fn config(fake: &Fake) -> Value {
    json!({
        "project_id": "acme-prod",
        "service_account": {"type": "service_account", "client_email": EMAIL, "private_key": PRIVATE_KEY,
                            "token_uri": "https://oauth2.googleapis.com/token"},
        "location": "EU",
        "base_url": fake.base,
        "token_url": format!("{}/token", fake.base),
    })
}

fn limits() -> Limits {
    Limits {
        max_rows: 1000,
        timeout: Duration::from_secs(10),
        max_estimated_rows: None,
        max_cost_usd: Some(1.0),
        price_per_tib_usd: 6.25,
    }
}

fn connector(fake: &Fake) -> Connector {
    let spec = ConnectorSpec {
        kind: ConnectorKind::Bigquery,
        config: config(fake),
        allow: AllowList {
            datasets: vec!["analytics".into()],
            tables: vec!["analytics.orders".into(), "analytics.order_view".into()],
        },
        limits: limits(),
    };
    Connector::open(spec, &std::env::temp_dir()).unwrap()
}

#[tokio::test]
async fn queries_run_after_a_dry_run_and_page_through_typed_results() {
    let fake = fake_bigquery().await;
    let bq = connector(&fake);
    let report = bq.test().await.unwrap();
    assert_eq!(report.tables, ["analytics.orders", "analytics.order_view"]);

    let mut params = Map::new();
    params.insert("region".into(), json!("EU"));
    params.insert("min".into(), json!(5));
    let sql =
        "SELECT * FROM `acme-prod.analytics.orders` WHERE region = {{region}} AND total > {{min}}";
    let result = bq.query(sql, &params).await.unwrap();
    assert_eq!(result.row_count, 3);
    assert_eq!(
        result.rows[0],
        vec![
            json!(1),
            json!(0.25),
            json!(99.99),
            json!(false),
            json!("2026-01-31"),
            json!("2026-01-01T00:00:00Z"),
            Value::Null,
            json!(["a", "b"])
        ]
    );
    assert_eq!(result.rows[2][0], json!(3));
    assert_eq!(result.columns[7].data_type, "ARRAY<STRING>");
    assert_eq!(result.bytes_processed, Some(1_048_576));
    // Billed at the 10 MiB minimum: 10 MiB / 1 TiB × $6.25.
    let cost = result.estimated_cost_usd.unwrap();
    assert!(
        (cost - 10.0 * 1048576.0 / 1099511627776.0 * 6.25).abs() < 1e-12,
        "{cost}"
    );

    let sent = fake.queries.lock().unwrap()[0].clone();
    assert_eq!(
        sent["query"],
        "SELECT * FROM `acme-prod.analytics.orders` WHERE region = ? AND total > ?"
    );
    assert_eq!(sent["parameterMode"], "POSITIONAL");
    assert_eq!(
        sent["queryParameters"][0],
        json!({"parameterType": {"type": "STRING"}, "parameterValue": {"value": "EU"}})
    );
    assert_eq!(sent["queryParameters"][1]["parameterType"]["type"], "INT64");
    assert_eq!(
        sent["maximumBytesBilled"],
        ((1.0 / 6.25 * 1099511627776.0) as u64).to_string()
    );
    assert_eq!(sent["location"], "EU");
    assert_eq!(sent["jobTimeoutMs"], "10000", "the server's own deadline");

    bq.query("SELECT id FROM analytics.orders", &Map::new())
        .await
        .unwrap();
    assert_eq!(fake.tokens.load(Ordering::SeqCst), 1, "the token is cached");
}

#[tokio::test]
async fn the_dry_run_refuses_other_tables_costs_over_the_limit_and_writes() {
    let fake = fake_bigquery().await;
    let bq = connector(&fake);
    let rule = |r: Result<grove_sql::QueryResult, SqlError>| match r {
        Err(SqlError::Refused(refusal)) => refusal.rule,
        other => panic!("{other:?}"),
    };
    // The parser allows the view (named in allowed_tables); the dry run
    // shows it reads hr.salaries.
    assert_eq!(
        rule(
            bq.query("SELECT * FROM analytics.order_view", &Map::new())
                .await
        ),
        "table_not_allowed"
    );
    assert_eq!(
        rule(
            bq.query(
                "SELECT * FROM analytics.orders a CROSS JOIN analytics.orders b",
                &Map::new()
            )
            .await
        ),
        "max_cost_usd"
    );
    // The parser refuses these before any request.
    assert_eq!(
        rule(
            bq.query("SELECT * FROM analytics.salaries", &Map::new())
                .await
        ),
        "table_not_allowed"
    );
    assert_eq!(
        rule(
            bq.query("SELECT * FROM EXTERNAL_QUERY('c', 'select 1')", &Map::new())
                .await
        ),
        "table_function"
    );
    // The database layer alone: a DELETE sent past the parser is refused by
    // the dry run's statement type.
    let driver = grove_sql::bigquery::BigQuery::new(&config(&fake)).unwrap();
    let catalog = bq.catalog(false).await.unwrap();
    match driver
        .run(
            "DELETE FROM analytics.orders WHERE true",
            &[],
            &limits(),
            &catalog,
        )
        .await
    {
        Err(SqlError::Refused(r)) => assert_eq!(r.rule, "read_only", "{r}"),
        other => panic!("{other:?}"),
    }
    assert!(
        fake.queries.lock().unwrap().is_empty(),
        "nothing refused reached jobs.query"
    );
}

#[test]
fn a_bad_service_account_key_is_an_error_naming_the_field() {
    for (key, reason) in [
        (json!("not json"), "is not a service-account JSON key"),
        (json!({"client_email": EMAIL}), "has no `private_key`"),
        (
            json!({"client_email": EMAIL, "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}),
            "not a PKCS#8 RSA key",
        ),
    ] {
        match grove_sql::bigquery::BigQuery::new(
            &json!({"project_id": "p", "service_account": key}),
        ) {
            Err(SqlError::Invalid {
                field,
                reason: said,
            }) => {
                assert_eq!(field, "config.service_account");
                assert!(said.contains(reason), "{said}");
            }
            Ok(_) => panic!("accepted"),
            Err(other) => panic!("{other:?}"),
        }
    }
}
