//! `/api/v1/data-connectors`: the databases analyst agents may query, with
//! their allow-lists and limits; `…/test`, `…/schema` and `…/query` run
//! through `grove_sql` (the parser's check, then the database's read-only
//! mode). Credentials are sealed at rest and masked in answers; a config
//! sent back with the masked value keeps the stored one. Each query's whole
//! result is kept under its `result_id`.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::connectors::{
    ConnectorKind, DataConnector, DEFAULT_MAX_ROWS, DEFAULT_PRICE_PER_TIB_USD,
    DEFAULT_TIMEOUT_SECONDS, MAX_MAX_ROWS,
};
use grove_core::ids::{DataConnectorId, OrgId, ResultId};
use grove_core::scope::Scope;
use grove_core::ApiError;
use grove_sql::{keep_masked, masked_config, Connector, DatabaseSchema, TestReport};
use grove_store::NewDataConnector;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use utoipa::ToSchema;

use super::{v1_route, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{path_id, trimmed_text, Json, ListParams, Query};
use crate::state::AppState;

const MAX_NAME: usize = 200;
const MAX_TIMEOUT_SECONDS: u64 = 3_600;
/// Longest identifier in an allow-list.
const MAX_IDENTIFIER: usize = 256;
/// Longest statement `…/query` takes.
const MAX_SQL: usize = 100_000;

/// A connector as created or updated. On create `name`, `type`, `config`
/// and `allowed_datasets` are required (SQLite's defaults to `["main"]`);
/// on update every field is optional (a new `type` needs its `config`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// `postgres`, `mysql`, `sqlite` or `bigquery`.
    #[serde(rename = "type")]
    pub kind: Option<ConnectorKind>,
    /// `{"url": "postgres://user:password@host:5432/db"}` (PostgreSQL, and
    /// `mysql://…` for MySQL/MariaDB); `{"path": "/srv/shop.db"}` for SQLite.
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    /// Schemas (PostgreSQL), databases (MySQL), `main` (SQLite) or datasets
    /// (BigQuery) whose tables may be read.
    pub allowed_datasets: Option<Vec<String>>,
    /// `dataset.table`: when set, only these tables and views are read.
    pub allowed_tables: Option<Vec<String>>,
    /// Rows a query returns at most (default 1,000, at most 100,000).
    #[schema(minimum = 1, maximum = 100000)]
    pub max_rows: Option<u64>,
    /// Default 30, at most 3,600.
    #[schema(minimum = 1, maximum = 3600)]
    pub timeout_seconds: Option<u64>,
    /// BigQuery: a query whose dry run costs more is refused.
    pub max_cost_usd: Option<f64>,
    /// BigQuery's price per TiB scanned (default 6.25).
    pub price_per_tib_usd: Option<f64>,
    /// PostgreSQL and MySQL: a query whose plan estimates more rows is
    /// refused.
    pub max_estimated_rows: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DataConnectorList {
    pub data_connectors: Vec<DataConnector>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// `POST …/query`: a read-only statement with `{{name}}` parameters bound.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryBody {
    #[schema(min_length = 1, max_length = 100000, pattern = "\\S")]
    pub sql: String,
    /// Values for the `{{name}}` placeholders: strings, numbers, booleans
    /// or null.
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Map<String, Value>>,
}

/// What a query answered; the whole result is kept under `result_id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueryAnswer {
    #[schema(value_type = String)]
    pub result_id: ResultId,
    pub columns: Vec<grove_sql::Column>,
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub rows: Vec<Vec<Value>>,
    pub row_count: u64,
    pub truncated: bool,
    pub elapsed_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_cost_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_processed: Option<u64>,
}

fn connector_id(raw: &str) -> Result<DataConnectorId, Failure> {
    path_id(raw, "id", DataConnectorId::parse)
}

/// The connector with its credentials opened.
async fn find(
    state: &AppState,
    org: &OrgId,
    id: &DataConnectorId,
) -> Result<DataConnector, Failure> {
    let mut connector = state
        .store
        .get_connector(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("data connector", id.as_str())))?;
    connector.config = state.store.reveal_config(&connector.config).await?;
    Ok(connector)
}

/// A stored connector as shown: credentials opened, then masked.
async fn shown(state: &AppState, mut connector: DataConnector) -> Result<DataConnector, Failure> {
    let config = state.store.reveal_config(&connector.config).await?;
    connector.config = masked_config(connector.kind, &config);
    Ok(connector)
}

/// The opened connector of `id` (its driver and pool): `test()` and
/// `schema()` on it are what `…/test` and `…/schema` answer.
pub async fn open(
    state: &AppState,
    org: &OrgId,
    id: &DataConnectorId,
) -> Result<Arc<Connector>, Failure> {
    let record = find(state, org, id).await?;
    Ok(state.connectors.get(&record)?)
}

fn invalid(field: &str, reason: impl Into<String>) -> Failure {
    Failure(ApiError::invalid_field(field, reason))
}

fn identifiers(field: &str, items: Vec<String>) -> Result<Vec<String>, Failure> {
    let mut unique: Vec<String> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let item = item.trim().to_owned();
        if item.is_empty() || item.len() > MAX_IDENTIFIER {
            return Err(invalid(
                &format!("{field}[{i}]"),
                format!("must be 1 to {MAX_IDENTIFIER} characters"),
            ));
        }
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    Ok(unique)
}

fn check_allow_lists(
    kind: ConnectorKind,
    datasets: &[String],
    tables: &[String],
) -> Result<(), Failure> {
    if datasets.is_empty() {
        return Err(invalid(
            "allowed_datasets",
            format!(
                "must name at least one {} whose tables may be read",
                kind.dataset_word()
            ),
        ));
    }
    if kind == ConnectorKind::Sqlite && datasets.iter().any(|d| d != "main") {
        return Err(invalid(
            "allowed_datasets",
            "a SQLite connector reads only `main`",
        ));
    }
    for (i, table) in tables.iter().enumerate() {
        let Some((dataset, name)) = table.split_once('.') else {
            return Err(invalid(
                &format!("allowed_tables[{i}]"),
                "must be `dataset.table`",
            ));
        };
        if name.is_empty() || !datasets.iter().any(|d| d == dataset) {
            return Err(invalid(
                &format!("allowed_tables[{i}]"),
                format!("`{dataset}` is not one of allowed_datasets"),
            ));
        }
    }
    Ok(())
}

fn check_limits(new: &NewDataConnector) -> Result<(), Failure> {
    if !(1..=MAX_MAX_ROWS).contains(&new.max_rows) {
        return Err(invalid("max_rows", format!("must be 1 to {MAX_MAX_ROWS}")));
    }
    if !(1..=MAX_TIMEOUT_SECONDS).contains(&new.timeout_seconds) {
        return Err(invalid(
            "timeout_seconds",
            format!("must be 1 to {MAX_TIMEOUT_SECONDS}"),
        ));
    }
    if new
        .max_cost_usd
        .is_some_and(|c| !(c.is_finite() && c > 0.0))
    {
        return Err(invalid("max_cost_usd", "must be a positive amount"));
    }
    if !(new.price_per_tib_usd.is_finite() && new.price_per_tib_usd >= 0.0) {
        return Err(invalid("price_per_tib_usd", "must be zero or more"));
    }
    if new.max_estimated_rows == Some(0) {
        return Err(invalid("max_estimated_rows", "must be at least 1"));
    }
    Ok(())
}

/// Applies `body` over `base` (the stored connector with credentials
/// opened, or defaults) and checks the result.
fn merge(
    state: &AppState,
    base: NewDataConnector,
    body: ConnectorBody,
) -> Result<NewDataConnector, Failure> {
    let kind = body.kind.unwrap_or(base.kind);
    let config = match body.config {
        Some(config) if kind == base.kind => keep_masked(kind, config, &base.config),
        Some(config) => config,
        None if kind != base.kind => {
            return Err(invalid(
                "config",
                format!("is required when the type changes to {kind}"),
            ))
        }
        None => base.config,
    };
    state.connectors.check_config(kind, &config)?;
    let allowed_datasets = match body.allowed_datasets {
        Some(list) => identifiers("allowed_datasets", list)?,
        None if base.allowed_datasets.is_empty() && kind == ConnectorKind::Sqlite => {
            vec!["main".into()]
        }
        None => base.allowed_datasets,
    };
    let allowed_tables = match body.allowed_tables {
        Some(list) => identifiers("allowed_tables", list)?,
        None => base.allowed_tables,
    };
    check_allow_lists(kind, &allowed_datasets, &allowed_tables)?;
    let new = NewDataConnector {
        name: match body.name {
            Some(name) => trimmed_text("name", &name, MAX_NAME, true)?,
            None => base.name,
        },
        kind,
        config,
        allowed_datasets,
        allowed_tables,
        max_rows: body.max_rows.unwrap_or(base.max_rows),
        timeout_seconds: body.timeout_seconds.unwrap_or(base.timeout_seconds),
        max_cost_usd: body.max_cost_usd.or(base.max_cost_usd),
        price_per_tib_usd: body.price_per_tib_usd.unwrap_or(base.price_per_tib_usd),
        max_estimated_rows: body.max_estimated_rows.or(base.max_estimated_rows),
    };
    check_limits(&new)?;
    Ok(new)
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<ConnectorBody>,
) -> ApiResult<(StatusCode, JsonResponse<DataConnector>)> {
    let connector = create_connector(&state, caller.org(), body).await?;
    Ok((StatusCode::CREATED, JsonResponse(connector)))
}

/// Checks and stores a new connector, shown with its credentials masked;
/// the console adds connectors through this too.
pub async fn create_connector(
    state: &AppState,
    org: &OrgId,
    body: ConnectorBody,
) -> Result<DataConnector, Failure> {
    let required = |field: &str| invalid(field, "is required");
    if body.name.is_none() {
        return Err(required("name"));
    }
    let kind = body.kind.ok_or_else(|| required("type"))?;
    if body.config.is_none() {
        return Err(required("config"));
    }
    let base = NewDataConnector {
        name: String::new(),
        kind,
        config: Value::Null,
        allowed_datasets: Vec::new(),
        allowed_tables: Vec::new(),
        max_rows: DEFAULT_MAX_ROWS,
        timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
        max_cost_usd: None,
        price_per_tib_usd: DEFAULT_PRICE_PER_TIB_USD,
        max_estimated_rows: None,
    };
    let new = merge(state, base, body)?;
    let connector = state.store.create_connector(org, new).await?;
    shown(state, connector).await
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<DataConnectorList>> {
    let page = params.page()?;
    let listed = state.store.list_connectors(caller.org(), page).await?;
    let mut data_connectors = Vec::with_capacity(listed.items.len());
    for connector in listed.items {
        data_connectors.push(shown(&state, connector).await?);
    }
    Ok(JsonResponse(DataConnectorList {
        data_connectors,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<DataConnector>> {
    let connector = find_connector(&state, caller.org(), &connector_id(&id)?).await?;
    Ok(JsonResponse(connector))
}

/// The connector `id` of `org` as shown (credentials masked), or the 404.
pub async fn find_connector(
    state: &AppState,
    org: &OrgId,
    id: &DataConnectorId,
) -> Result<DataConnector, Failure> {
    let mut connector = find(state, org, id).await?;
    connector.config = masked_config(connector.kind, &connector.config);
    Ok(connector)
}

async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<ConnectorBody>,
) -> ApiResult<JsonResponse<DataConnector>> {
    let id = connector_id(&id)?;
    Ok(JsonResponse(
        update_connector(&state, caller.org(), &id, body).await?,
    ))
}

/// Applies the fields `body` sets, merged over the connector as stored at
/// the moment of the write, so concurrent updates all land; a masked
/// credential sent back keeps the stored one.
pub async fn update_connector(
    state: &AppState,
    org: &OrgId,
    id: &DataConnectorId,
    body: ConnectorBody,
) -> Result<DataConnector, Failure> {
    let checker = state.clone();
    let change = Box::new(move |base| merge(&checker, base, body).map_err(|Failure(e)| e));
    let connector = state
        .store
        .change_connector(org, id, change)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("data connector", id.as_str())))?;
    shown(state, connector).await
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    delete_connector(&state, caller.org(), &connector_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a connector and closes its pool.
pub async fn delete_connector(
    state: &AppState,
    org: &OrgId,
    id: &DataConnectorId,
) -> Result<(), Failure> {
    if !state.store.delete_connector(org, id).await? {
        return Err(Failure(ApiError::not_found("data connector", id.as_str())));
    }
    state.connectors.forget(id);
    Ok(())
}

async fn test(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<TestReport>> {
    let connector = open(&state, caller.org(), &connector_id(&id)?).await?;
    Ok(JsonResponse(connector.test().await?))
}

async fn schema(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<DatabaseSchema>> {
    let connector = open(&state, caller.org(), &connector_id(&id)?).await?;
    Ok(JsonResponse(connector.schema().await?))
}

async fn query(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<QueryBody>,
) -> ApiResult<JsonResponse<QueryAnswer>> {
    let id = connector_id(&id)?;
    Ok(JsonResponse(
        run_query(&state, caller.org(), &id, body).await?,
    ))
}

/// Runs a read-only statement (the parser's check, then the database's
/// read-only mode) and keeps its whole result under a `result_id`.
pub async fn run_query(
    state: &AppState,
    org: &OrgId,
    id: &DataConnectorId,
    body: QueryBody,
) -> Result<QueryAnswer, Failure> {
    let sql = trimmed_text("sql", &body.sql, MAX_SQL, true)?;
    let connector = open(state, org, id).await?;
    let result = connector
        .query(&sql, &body.parameters.unwrap_or_default())
        .await?;
    let kept =
        serde_json::to_value(&result).map_err(|e| Failure(ApiError::internal(e.to_string())))?;
    let stored = state.store.save_result(org, Some(id), &sql, kept).await?;
    Ok(QueryAnswer {
        result_id: stored.id,
        columns: result.columns,
        rows: result.rows,
        row_count: result.row_count,
        truncated: result.truncated,
        elapsed_ms: result.elapsed_ms,
        estimated_cost_usd: result.estimated_cost_usd,
        bytes_processed: result.bytes_processed,
    })
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "data-connectors",
        request: None,
        response: (200, Some("DataConnector")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    const ALL: &str = "/api/v1/data-connectors";
    const ONE: &str = "/api/v1/data-connectors/{id}";
    vec![
        v1_route(
            Method::GET,
            ALL,
            Scope::Read,
            RouteDoc {
                response: (200, Some("DataConnectorList")),
                paginated: true,
                ..doc("listDataConnectors", "List data connectors")
            },
            get(list),
        ),
        v1_route(
            Method::POST,
            ALL,
            Scope::Write,
            RouteDoc {
                request: Some("ConnectorBody"),
                required: &["name", "type", "config"],
                response: (201, Some("DataConnector")),
                ..doc(
                    "createDataConnector",
                    "Create a data connector (PostgreSQL, MySQL, SQLite, BigQuery)",
                )
            },
            post(create),
        ),
        v1_route(
            Method::GET,
            ONE,
            Scope::Read,
            doc("getDataConnector", "Get a data connector"),
            get(get_one),
        ),
        v1_route(
            Method::PUT,
            ONE,
            Scope::Write,
            RouteDoc {
                request: Some("ConnectorBody"),
                ..doc(
                    "updateDataConnector",
                    "Update a data connector (fields optional)",
                )
            },
            put(update),
        ),
        v1_route(
            Method::DELETE,
            ONE,
            Scope::Write,
            RouteDoc {
                response: (204, None),
                ..doc("deleteDataConnector", "Delete a data connector")
            },
            delete(remove),
        ),
        v1_route(
            Method::POST,
            "/api/v1/data-connectors/{id}/test",
            Scope::Read,
            RouteDoc {
                response: (200, Some("TestReport")),
                ..doc(
                    "testDataConnector",
                    "Connect, time it and list the visible tables",
                )
            },
            post(test),
        ),
        v1_route(
            Method::GET,
            "/api/v1/data-connectors/{id}/schema",
            Scope::Read,
            RouteDoc {
                response: (200, Some("DatabaseSchema")),
                ..doc(
                    "getDataConnectorSchema",
                    "The allowed tables with columns, types and row estimates",
                )
            },
            get(schema),
        ),
        v1_route(
            Method::POST,
            "/api/v1/data-connectors/{id}/query",
            Scope::Execute,
            RouteDoc {
                request: Some("QueryBody"),
                response: (200, Some("QueryAnswer")),
                ..doc(
                    "queryDataConnector",
                    "Run a read-only query; the result is kept under result_id",
                )
            },
            post(query),
        ),
    ]
}
