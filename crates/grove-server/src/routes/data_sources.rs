//! `/api/v1/data-sources`: CRUD, syncs (202, through the durable queue) and
//! sync status with progress, ETA and per-document errors. The legacy
//! `/api/data-specs` family lists, creates (its own body shape: upper-case
//! `type`, top-level `url`, `refreshFrequency`) and processes.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::credentials::{is_secret_key, MASK};
use grove_core::ids::{DataSourceId, OrgId, SyncId};
use grove_core::scope::{Requirement, Scope};
use grove_core::sources::{
    DataSource, DocumentError, SourceKind, SourceStatus, SyncFrequency, SyncInitiator, SyncStatus,
};
use grove_core::ApiError;
use grove_ingest::files::FileStore;
use grove_store::{DataSourcePatch, NewDataSource, SyncStart};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::{both_families, Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{
    id_list, one_of, path_id, trimmed_text, unknown_ids, Json, ListParams, Query,
};
use crate::state::AppState;

const MAX_NAME: usize = 200;
const CHUNK_SIZES: std::ops::RangeInclusive<u32> = 32..=8192;
/// Per-document errors shown by the status endpoint.
const ERRORS_SHOWN: u32 = 100;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDataSource {
    #[serde(rename = "type")]
    pub kind: SourceKind,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// Type-specific settings; for `website`: `url` (required), `max_pages`
    /// (default 1000, max 10000), `path_prefix`, `include_patterns`,
    /// `exclude_patterns` (URL globs with `*`).
    #[schema(value_type = Object)]
    pub config: Option<Value>,
    /// `hourly`, `daily`, `weekly` or `manual` (default).
    pub sync_frequency: Option<SyncFrequency>,
    /// Tokens per chunk (default 512) and overlap (default 50).
    #[schema(minimum = 32, maximum = 8192)]
    pub chunk_size: Option<u32>,
    #[schema(maximum = 4096)]
    pub chunk_overlap: Option<u32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDataSource {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    pub sync_frequency: Option<SyncFrequency>,
    #[schema(minimum = 32, maximum = 8192)]
    pub chunk_size: Option<u32>,
    #[schema(maximum = 4096)]
    pub chunk_overlap: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct ListDataSources {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DataSourceList {
    pub data_sources: Vec<DataSource>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncQueued {
    pub sync_id: SyncId,
    pub data_source_id: DataSourceId,
    pub status: SyncStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncStatusView {
    pub data_source_id: DataSourceId,
    pub status: SourceStatus,
    pub sync_id: Option<SyncId>,
    pub sync_status: Option<SyncStatus>,
    pub documents_total: u64,
    pub documents_done: u64,
    pub documents_failed: u64,
    /// Chunks of this data source in the index now.
    pub chunks_indexed: u64,
    pub progress_pct: u8,
    /// From the sync's measured documents per second; null when unknown.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub estimated_completion: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_synced_at: Option<Timestamp>,
    pub error: Option<String>,
    pub errors: Vec<DocumentError>,
}

pub(super) fn source_id(raw: &str) -> Result<DataSourceId, Failure> {
    path_id(raw, "id", DataSourceId::parse)
}

/// Parses `data_source_ids` (duplicates dropped, order kept) and checks each
/// is a data source of `org`; errors name the offending `data_source_ids[i]`.
pub(super) async fn known_sources(
    state: &AppState,
    org: &OrgId,
    raw: &[String],
) -> Result<Vec<DataSourceId>, Failure> {
    let ids = id_list("data_source_ids", raw, DataSourceId::parse)?;
    let missing = state.store.missing_data_sources(org, &ids).await?;
    if !missing.is_empty() {
        return Err(unknown_ids("data_source_ids", raw, &missing, "data source"));
    }
    Ok(ids)
}

fn check_name(name: &str) -> Result<String, Failure> {
    trimmed_text("name", name, MAX_NAME, true)
}

/// Checks a type's config; the error names the field inside `config`.
fn check_config(kind: SourceKind, config: Value) -> Result<Value, Failure> {
    if !config.is_object() {
        return Err(Failure(ApiError::invalid_field(
            "config",
            "must be an object",
        )));
    }
    grove_ingest::check_config(kind, &config)
        .map(|()| config)
        .map_err(|e| Failure(ApiError::invalid_field(&e.field, e.reason)))
}

fn check_chunking(size: u32, overlap: u32) -> Result<(), Failure> {
    if !CHUNK_SIZES.contains(&size) {
        return Err(Failure(ApiError::invalid_field(
            "chunk_size",
            format!(
                "must be {} to {} tokens",
                CHUNK_SIZES.start(),
                CHUNK_SIZES.end()
            ),
        )));
    }
    if overlap > size / 2 {
        return Err(Failure(ApiError::invalid_field(
            "chunk_overlap",
            "must be at most half of chunk_size",
        )));
    }
    Ok(())
}

/// `config` with each credential sent back masked, as answers show it,
/// replaced by the stored (sealed) value: a config read, edited and sent
/// back keeps its credentials.
fn keep_masked(mut config: Value, stored: &Value) -> Value {
    if let Value::Object(map) = &mut config {
        for (key, value) in map.iter_mut() {
            if is_secret_key(key) && value == MASK {
                if let Some(kept) = stored.get(key) {
                    *value = kept.clone();
                }
            }
        }
    }
    config
}

/// The data source as shown: credentials in `config` are masked.
pub fn shown(mut ds: DataSource) -> DataSource {
    if let Value::Object(map) = &mut ds.config {
        for (key, value) in map.iter_mut() {
            if is_secret_key(key) && !value.is_null() {
                *value = json!(MASK);
            }
        }
    }
    ds
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateDataSource>,
) -> ApiResult<(StatusCode, JsonResponse<DataSource>)> {
    let ds = create_source(&state, caller.org(), body).await?;
    Ok((StatusCode::CREATED, JsonResponse(ds)))
}

/// Checks and stores a new data source (status pending), shown as
/// answers show it; the console creates data sources through this too.
pub async fn create_source(
    state: &AppState,
    org: &OrgId,
    body: CreateDataSource,
) -> Result<DataSource, Failure> {
    let new = NewDataSource {
        name: check_name(&body.name)?,
        kind: body.kind,
        config: check_config(body.kind, body.config.unwrap_or_else(|| json!({})))?,
        sync_frequency: body.sync_frequency.unwrap_or(SyncFrequency::Manual),
        chunk_size: body.chunk_size.unwrap_or(512),
        chunk_overlap: body.chunk_overlap.unwrap_or(50),
    };
    check_chunking(new.chunk_size, new.chunk_overlap)?;
    Ok(shown(state.store.create_data_source(org, new).await?))
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListDataSources>,
) -> ApiResult<JsonResponse<DataSourceList>> {
    let page = ListParams {
        limit: params.limit,
        offset: params.offset,
    }
    .page()?;
    let status = one_of(
        "status",
        params.status.as_deref(),
        SourceStatus::parse,
        &SourceStatus::names(),
    )?;
    let listed = state
        .store
        .list_data_sources(caller.org(), status, page)
        .await?;
    Ok(JsonResponse(DataSourceList {
        data_sources: listed.items.into_iter().map(shown).collect(),
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

pub(super) async fn found(
    state: &AppState,
    caller: &Caller,
    id: &DataSourceId,
) -> Result<DataSource, Failure> {
    find_source(state, caller.org(), id).await
}

/// The data source `id` of `org`, or the API's 404.
async fn find_source(
    state: &AppState,
    org: &OrgId,
    id: &DataSourceId,
) -> Result<DataSource, Failure> {
    state
        .store
        .get_data_source(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("data source", id.as_str())))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<DataSource>> {
    let id = source_id(&id)?;
    Ok(JsonResponse(shown(found(&state, &caller, &id).await?)))
}

async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<UpdateDataSource>,
) -> ApiResult<JsonResponse<DataSource>> {
    let id = source_id(&id)?;
    Ok(JsonResponse(
        update_source(&state, caller.org(), &id, body).await?,
    ))
}

/// Applies the fields `body` sets (a masked credential sent back keeps
/// the stored one), checked as on create; shown as answers show it.
pub async fn update_source(
    state: &AppState,
    org: &OrgId,
    id: &DataSourceId,
    body: UpdateDataSource,
) -> Result<DataSource, Failure> {
    let current = find_source(state, org, id).await?;
    let patch = DataSourcePatch {
        name: body.name.as_deref().map(check_name).transpose()?,
        config: body
            .config
            .map(|c| check_config(current.kind, keep_masked(c, &current.config)))
            .transpose()?,
        sync_frequency: body.sync_frequency,
        chunk_size: body.chunk_size,
        chunk_overlap: body.chunk_overlap,
    };
    check_chunking(
        patch.chunk_size.unwrap_or(current.chunk_size),
        patch.chunk_overlap.unwrap_or(current.chunk_overlap),
    )?;
    state
        .store
        .update_data_source(org, id, patch)
        .await?
        .map(shown)
        .ok_or_else(|| Failure(ApiError::not_found("data source", id.as_str())))
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    delete_source(&state, caller.org(), &source_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a data source with its documents, chunks and uploaded files.
pub async fn delete_source(
    state: &AppState,
    org: &OrgId,
    id: &DataSourceId,
) -> Result<(), Failure> {
    if !state.store.delete_data_source(org, id).await? {
        return Err(Failure(ApiError::not_found("data source", id.as_str())));
    }
    state
        .search
        .delete_data_source(org.as_str(), id.as_str())
        .await?;
    if let Err(e) = FileStore::new(&state.config.data_dir).delete_source(id) {
        tracing::error!(data_source = %id, error = %e, "uploaded files could not be removed");
    }
    Ok(())
}

async fn sync(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, JsonResponse<SyncQueued>)> {
    let id = source_id(&id)?;
    found(&state, &caller, &id).await?;
    match state
        .store
        .start_sync(caller.org(), &id, SyncInitiator::Api)
        .await?
    {
        SyncStart::Started(sync) => Ok((
            StatusCode::ACCEPTED,
            JsonResponse(SyncQueued {
                sync_id: sync.id,
                data_source_id: id,
                status: sync.status,
            }),
        )),
        SyncStart::AlreadyActive(running) => Err(Failure(
            ApiError::conflict("a sync of this data source is already queued or running")
                .with_details(json!({ "sync_id": running })),
        )),
    }
}

async fn status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<SyncStatusView>> {
    let id = source_id(&id)?;
    let ds = found(&state, &caller, &id).await?;
    let sync = state.store.latest_sync(caller.org(), &id).await?;
    let errors = match &sync {
        Some(s) => state.store.document_errors(&s.id, ERRORS_SHOWN).await?,
        None => Vec::new(),
    };
    let chunks_indexed = state
        .search
        .count(caller.org().as_str(), Some(&[id.to_string()]))?;
    let (progress_pct, estimated_completion) = match &sync {
        Some(s) => progress(s, Timestamp::now()),
        None => (0, None),
    };
    Ok(JsonResponse(SyncStatusView {
        data_source_id: id,
        status: ds.status,
        sync_status: sync.as_ref().map(|s| s.status),
        documents_total: sync.as_ref().map_or(0, |s| s.documents_total),
        documents_done: sync.as_ref().map_or(0, |s| s.documents_done),
        documents_failed: sync.as_ref().map_or(0, |s| s.documents_failed),
        error: sync.as_ref().and_then(|s| s.error.clone()),
        sync_id: sync.map(|s| s.id),
        chunks_indexed,
        progress_pct,
        estimated_completion,
        last_synced_at: ds.last_synced_at,
        errors,
    }))
}

/// Percentage done and, from the documents per second measured so far, the
/// expected end. A running sync shows at most 99 %.
pub fn progress(sync: &grove_core::sources::SourceSync, now: Timestamp) -> (u8, Option<Timestamp>) {
    match sync.status {
        SyncStatus::Succeeded => return (100, None),
        SyncStatus::Failed | SyncStatus::Queued => return (0, None),
        SyncStatus::Running => {}
    }
    let finished = sync.documents_done + sync.documents_failed;
    let total = sync.documents_total.max(finished);
    if total == 0 {
        return (0, None);
    }
    let pct = ((finished * 100) / total).min(99) as u8;
    let eta = sync.started_at.and_then(|started| {
        let elapsed = now.duration_since(started).as_secs_f64();
        if finished == 0 || elapsed <= 0.0 {
            return None;
        }
        let remaining = (total - finished) as f64 * elapsed / finished as f64;
        now.checked_add(jiff::SignedDuration::from_secs_f64(remaining))
            .ok()
    });
    (pct, eta)
}

/// The legacy create body: `{"type":"WEBSITE","name","url","refreshFrequency":"DAILY"}`
/// (keys arrive snake_cased by the legacy adapter).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDataSpec {
    #[serde(rename = "type")]
    #[schema(
        pattern = "^(website|file|kb|confluence|slack|google_drive|sharepoint|WEBSITE|FILE|KB|CONFLUENCE|SLACK|GOOGLE_DRIVE|SHAREPOINT)$"
    )]
    pub kind: String,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    pub url: Option<String>,
    pub refresh_frequency: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
}

async fn create_data_spec(
    state: State<AppState>,
    caller: Extension<Caller>,
    Json(body): Json<CreateDataSpec>,
) -> ApiResult<(StatusCode, JsonResponse<DataSource>)> {
    let kind = SourceKind::parse(&body.kind.to_ascii_lowercase()).ok_or_else(|| {
        Failure(ApiError::invalid_field(
            "type",
            format!("must be one of {} (any case)", SourceKind::names()),
        ))
    })?;
    let sync_frequency = body
        .refresh_frequency
        .as_deref()
        .map(|f| {
            SyncFrequency::parse(&f.to_ascii_lowercase()).ok_or_else(|| {
                Failure(ApiError::invalid_field(
                    "refreshFrequency",
                    format!("must be one of {} (any case)", SyncFrequency::names()),
                ))
            })
        })
        .transpose()?;
    let mut config = body.config.unwrap_or_else(|| json!({}));
    if let (Some(url), Value::Object(map)) = (body.url, &mut config) {
        map.insert("url".into(), Value::String(url));
    }
    let body = CreateDataSource {
        kind,
        name: body.name,
        config: Some(config),
        sync_frequency,
        chunk_size: None,
        chunk_overlap: None,
    };
    create(state, caller, Json(body)).await
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "data-sources",
        request: None,
        response: (200, Some("DataSource")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(both_families(
        Method::GET,
        "/api/v1/data-sources",
        "/api/data-specs",
        Scope::Read,
        RouteDoc {
            response: (200, Some("DataSourceList")),
            paginated: true,
            ..doc("listDataSources", "List data sources (filter: status)")
        },
        || get(list),
    ));
    routes.push(Route {
        family: Family::V1,
        method: Method::POST,
        path: "/api/v1/data-sources",
        requirement: Requirement::scope(Scope::Write),
        doc: RouteDoc {
            request: Some("CreateDataSource"),
            response: (201, Some("DataSource")),
            ..doc("createDataSource", "Create a data source (status pending)")
        },
        handler: post(create),
    });
    routes.push(Route {
        family: Family::Legacy,
        method: Method::POST,
        path: "/api/data-specs",
        requirement: Requirement::scope(Scope::Write),
        doc: RouteDoc {
            request: Some("CreateDataSpec"),
            response: (201, Some("DataSource")),
            ..doc("createDataSpec", "Create a data source (legacy shape)")
        },
        handler: post(create_data_spec),
    });
    routes.extend(both_families(
        Method::GET,
        "/api/v1/data-sources/{id}",
        "/api/data-specs/{id}",
        Scope::Read,
        doc("getDataSource", "Get a data source"),
        || get(get_one),
    ));
    routes.extend(both_families(
        Method::PUT,
        "/api/v1/data-sources/{id}",
        "/api/data-specs/{id}",
        Scope::Write,
        RouteDoc {
            request: Some("UpdateDataSource"),
            ..doc("updateDataSource", "Update a data source (fields optional)")
        },
        || put(update),
    ));
    routes.extend(both_families(
        Method::DELETE,
        "/api/v1/data-sources/{id}",
        "/api/data-specs/{id}",
        Scope::Write,
        RouteDoc {
            response: (204, None),
            ..doc(
                "deleteDataSource",
                "Delete a data source, its documents and chunks",
            )
        },
        || delete(remove),
    ));
    routes.extend(both_families(
        Method::POST,
        "/api/v1/data-sources/{id}/sync",
        "/api/data-specs/{id}/process",
        Scope::Write,
        RouteDoc {
            response: (202, Some("SyncQueued")),
            ..doc(
                "syncDataSource",
                "Queue a sync (409 while one is queued or running)",
            )
        },
        || post(sync),
    ));
    routes.extend(both_families(
        Method::GET,
        "/api/v1/data-sources/{id}/status",
        "/api/data-specs/{id}/status",
        Scope::Read,
        RouteDoc {
            response: (200, Some("SyncStatusView")),
            ..doc(
                "dataSourceStatus",
                "Sync status: progress, ETA and per-document errors",
            )
        },
        || get(status),
    ));
    routes
}
