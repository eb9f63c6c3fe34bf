//! Files of `file` data sources: multipart upload (files and zip archives of
//! them, size-limited, all or nothing, then a sync is queued), listing and
//! deletion. Storage and checks live in [`grove_ingest::files`].

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Extension, Json as JsonResponse};
use grove_core::ids::{DataSourceId, OrgId, SyncId};
use grove_core::scope::{Requirement, Scope};
use grove_core::sources::{DataSource, SourceKind, SyncInitiator};
use grove_core::{ApiError, ErrorCode};
use grove_ingest::files::{FileStore, SkippedFile, StoredFile, UploadError, UploadLimits};
use grove_store::SyncStart;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::data_sources::{found, source_id};
use super::{Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

/// An upload: `multipart/form-data` whose file parts (any field name, each
/// with a file name) are stored; plain form fields are skipped.
#[derive(Debug, ToSchema)]
pub struct UploadFiles {
    /// One or more files.
    #[schema(value_type = Vec<String>, format = Binary, min_items = 1)]
    pub files: Vec<Vec<u8>>,
}

/// What an upload stored and the sync that will index it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadReport {
    pub files: Vec<StoredFile>,
    /// Archive entries not stored (unsupported types).
    pub skipped: Vec<SkippedFile>,
    /// The sync queued to index the files; `null` when one was already
    /// queued or running: then another is queued when it ends.
    pub sync_id: Option<SyncId>,
    /// The sync already queued or running, after which the files' sync is
    /// queued; `null` when `sync_id` is set.
    pub follows_sync_id: Option<SyncId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileList {
    pub files: Vec<StoredFile>,
}

fn upload_failure(e: UploadError) -> Failure {
    Failure(match e {
        UploadError::TooLarge { name, limit } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("`{name}` is larger than the limit of {limit} bytes; nothing was stored"),
        )
        .with_details(json!({ "field": "files", "file": name, "limit_bytes": limit })),
        UploadError::Invalid { name, reason } => {
            ApiError::invalid_field("files", format!("`{name}`: {reason}; nothing was stored"))
        }
        UploadError::Io(e) => {
            tracing::error!(error = %e, "upload could not be stored");
            ApiError::internal("the upload could not be stored")
        }
    })
}

fn multipart_failure(message: impl std::fmt::Display) -> Failure {
    Failure(ApiError::invalid_field(
        "files",
        format!("the multipart/form-data body could not be read: {message}"),
    ))
}

async fn file_source(state: &AppState, caller: &Caller, raw: &str) -> Result<DataSource, Failure> {
    let ds = found(state, caller, &source_id(raw)?).await?;
    check_file_source(&ds)?;
    Ok(ds)
}

/// Refuses a data source that does not hold uploaded files.
pub fn check_file_source(ds: &DataSource) -> Result<(), Failure> {
    if ds.kind != SourceKind::File {
        return Err(Failure(ApiError::invalid_field(
            "id",
            format!(
                "files belong to `file` data sources; this one is `{}`",
                ds.kind
            ),
        )));
    }
    Ok(())
}

/// Blocking file work (archive expansion, renames) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, UploadError> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| Failure(ApiError::internal("the upload could not be stored")))?
        .map_err(upload_failure)
}

async fn upload(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, JsonResponse<UploadReport>)> {
    let ds = file_source(&state, &caller, &id).await?;
    let multipart = multipart.map_err(multipart_failure)?;
    let report =
        receive_upload(&state, caller.org(), &ds.id, SyncInitiator::Api, multipart).await?;
    Ok((StatusCode::CREATED, JsonResponse(report)))
}

/// Stores the files of `multipart` (plain form fields are skipped) in the
/// `file` data source `id`, all or nothing, then queues a sync of them
/// started by `initiator`; the console uploads through this too.
pub async fn receive_upload(
    state: &AppState,
    org: &OrgId,
    id: &DataSourceId,
    initiator: SyncInitiator,
    mut multipart: Multipart,
) -> Result<UploadReport, Failure> {
    let limits = UploadLimits::from(&state.config.ingest);
    let files = FileStore::new(&state.config.data_dir);
    let mut upload = files.begin(limits).map_err(upload_failure)?;
    let mut received = 0u64;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_failure)? {
        let Some(file_name) = field.file_name().map(str::to_owned) else {
            continue; // a plain form field, not a file
        };
        let mut part = upload.part(&file_name).map_err(upload_failure)?;
        while let Some(bytes) = field.chunk().await.map_err(multipart_failure)? {
            received += bytes.len() as u64;
            if received > limits.max_zip_bytes {
                return Err(upload_failure(UploadError::TooLarge {
                    name: "the upload".into(),
                    limit: limits.max_zip_bytes,
                }));
            }
            // Small sequential writes to the local staging file.
            part.write(&bytes).map_err(upload_failure)?;
        }
        upload = blocking(move || upload.finish_part(part).map(|()| upload)).await?;
    }
    let ds_id = id.clone();
    let (stored, skipped) = blocking(move || upload.commit(&files, &ds_id)).await?;
    let (sync_id, follows_sync_id) = match queue_sync(state, org, id, initiator).await? {
        SyncStart::Started(sync) => (Some(sync.id), None),
        SyncStart::AlreadyActive(running) => (None, Some(running)),
    };
    Ok(UploadReport {
        files: stored,
        skipped,
        sync_id,
        follows_sync_id,
    })
}

/// Queues a sync of the files, or a follow-up of the one under way.
async fn queue_sync(
    state: &AppState,
    org: &OrgId,
    id: &DataSourceId,
    initiator: SyncInitiator,
) -> Result<SyncStart, Failure> {
    Ok(state
        .store
        .start_or_follow_up_sync(org, id, initiator)
        .await?)
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<FileList>> {
    let ds = file_source(&state, &caller, &id).await?;
    let store = FileStore::new(&state.config.data_dir);
    let files = blocking(move || store.list(&ds.id).map_err(UploadError::Io)).await?;
    Ok(JsonResponse(FileList { files }))
}

/// Deletes one file and queues a sync, which removes its chunks.
async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ds = file_source(&state, &caller, &id).await?;
    let store = FileStore::new(&state.config.data_dir);
    let ds_id = ds.id.clone();
    let shown = name.clone();
    if !blocking(move || store.delete(&ds_id, &name)).await? {
        return Err(Failure(ApiError::not_found("file", &shown)));
    }
    queue_sync(&state, caller.org(), &ds.id, SyncInitiator::Api).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "data-sources",
        request: None,
        response: (200, Some("FileList")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    vec![
        Route {
            family: Family::V1,
            method: Method::POST,
            path: "/api/v1/data-sources/{id}/files",
            requirement: Requirement::scope(Scope::Write),
            doc: RouteDoc {
                request: Some("UploadFiles"),
                response: (201, Some("UploadReport")),
                ..doc(
                    "uploadFiles",
                    "Upload files (multipart/form-data; PDF, DOCX, HTML, Markdown, text, CSV, zip) and queue a sync",
                )
            },
            // Parts are size-checked as they stream (config `ingest`), so the
            // general JSON body limit does not apply here.
            handler: post(upload).layer(DefaultBodyLimit::disable()),
        },
        Route {
            family: Family::V1,
            method: Method::GET,
            path: "/api/v1/data-sources/{id}/files",
            requirement: Requirement::scope(Scope::Read),
            doc: doc("listFiles", "List a file data source's files"),
            handler: get(list),
        },
        Route {
            family: Family::V1,
            method: Method::DELETE,
            path: "/api/v1/data-sources/{id}/files/{*name}",
            requirement: Requirement::scope(Scope::Write),
            doc: RouteDoc {
                response: (204, None),
                ..doc(
                    "deleteFile",
                    "Delete a file and queue a sync that removes its chunks",
                )
            },
            handler: delete(remove),
        },
    ]
}
