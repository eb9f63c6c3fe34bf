//! What was indexed, and why something was not: a data source's documents
//! (`GET /api/v1/data-sources/{id}/documents`, filtered by status and text),
//! one document with a page of its chunks, one chunk, and deleting a
//! document from every index. Documents are recorded by syncs (and `grove
//! ingest dir`) with their status; their chunks come from the search
//! engine's chunk store, the source of truth of the indexes. Deleting does
//! not touch the source: a later sync that finds the document there again
//! brings it back. No legacy (camelCase) aliases.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get};
use axum::{Extension, Json as JsonResponse};
use grove_core::ids::{ChunkId, DataSourceId, DocumentId};
use grove_core::page::Page;
use grove_core::scope::Scope;
use grove_core::sources::{Document, DocumentStatus};
use grove_core::ApiError;
use grove_ingest::chunk::TokenCounter;
use grove_search::chunks::{ChunkOwner, StoredChunk};
use grove_search::SearchError;
use grove_store::DocumentFilter;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::data_sources::{found as found_source, source_id};
use super::{v1_route, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{one_of, path_id, trimmed_text, ListParams, Query};
use crate::state::AppState;

/// Characters of the `q` filter.
const MAX_QUERY: usize = 200;

/// The query string of a document listing.
#[derive(Debug, Deserialize)]
pub struct DocumentListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `indexed`, `failed` or `skipped`.
    pub status: Option<String>,
    /// A substring of the title, URL or source key (ASCII case ignored).
    pub q: Option<String>,
}

/// A document as listed and shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: DocumentId,
    pub data_source_id: DataSourceId,
    /// URL, file name or connector item id, unique in the data source.
    pub source_key: String,
    pub title: String,
    pub url: Option<String>,
    /// `indexed`, `failed` (could not be fetched or read; an earlier version
    /// stays indexed if there was one) or `skipped` (deliberately not
    /// indexed: a redirect stub, an unsupported type, no text).
    pub status: DocumentStatus,
    /// Why it failed or was skipped; null when indexed.
    pub error: Option<String>,
    /// Chunks in the index now.
    pub chunk_count: u32,
    /// Size of the raw content; null when it was never read.
    pub bytes: Option<u64>,
    /// SHA-256 of the raw content (hex) the chunks were made from.
    pub content_hash: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub indexed_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub documents: Vec<DocumentView>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// A chunk as indexed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChunkView {
    pub chunk_id: String,
    pub document_id: String,
    pub text: String,
    /// Headings above the chunk, outermost first.
    pub heading_path: Vec<String>,
    /// Byte offsets of the chunk in its document's text.
    pub start_offset: usize,
    pub end_offset: usize,
    /// Tokens of the embedding model's tokenizer in `text`, counted when
    /// shown (an estimate from words when no tokenizer is loaded).
    pub token_count: usize,
}

/// A document with one page of its chunks, in text order; `total` counts
/// the chunks.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDetailView {
    pub document: DocumentView,
    pub chunks: Vec<ChunkView>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

fn view(doc: Document) -> DocumentView {
    DocumentView {
        content_hash: doc.content_sha256().map(str::to_owned),
        id: doc.id,
        data_source_id: doc.data_source_id,
        source_key: doc.source_key,
        title: doc.title,
        url: doc.url,
        status: doc.status,
        error: doc.error,
        chunk_count: doc.chunks,
        bytes: doc.bytes,
        indexed_at: doc.indexed_at,
    }
}

fn chunk_view(chunk: StoredChunk, tokens: &dyn TokenCounter) -> ChunkView {
    ChunkView {
        token_count: tokens.count(&chunk.input.text),
        chunk_id: chunk.input.chunk_id,
        document_id: chunk.owner.document_id,
        text: chunk.input.text,
        heading_path: chunk.input.heading_path,
        start_offset: chunk.input.start,
        end_offset: chunk.input.end,
    }
}

fn document_id(raw: &str) -> Result<DocumentId, Failure> {
    path_id(raw, "id", DocumentId::parse)
}

/// The caller's document, or 404 (also for another organisation's).
async fn found(state: &AppState, caller: &Caller, id: &DocumentId) -> Result<Document, Failure> {
    state
        .store
        .find_document(caller.org(), id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("document", id.as_str())))
}

/// The filter a listing asks for, checked (the console's document list
/// reads its filter through this too).
pub fn filter(params: &DocumentListParams) -> Result<DocumentFilter, Failure> {
    let status = one_of(
        "status",
        params.status.as_deref(),
        DocumentStatus::parse,
        &DocumentStatus::names(),
    )?;
    let text = params
        .q
        .as_deref()
        .map(|q| trimmed_text("q", q, MAX_QUERY, false))
        .transpose()?
        .filter(|q| !q.is_empty());
    Ok(DocumentFilter {
        status,
        text,
        error: None,
    })
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<DocumentListParams>,
) -> ApiResult<JsonResponse<DocumentList>> {
    let id = source_id(&id)?;
    let page = ListParams {
        limit: params.limit,
        offset: params.offset,
    }
    .page()?;
    let filter = filter(&params)?;
    found_source(&state, &caller, &id).await?;
    let listed = state
        .store
        .list_documents(caller.org(), &id, &filter, page)
        .await?;
    Ok(JsonResponse(DocumentList {
        documents: listed.items.into_iter().map(view).collect(),
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// A page of a document's chunks with their token counts; counting runs on
/// the blocking pool (a page can hold 200 chunks of thousands of tokens).
async fn chunk_page(
    state: &AppState,
    caller: &Caller,
    doc: &Document,
    page: Page,
) -> Result<(Vec<ChunkView>, u64), Failure> {
    let (search, tokens) = (state.search.clone(), state.tokens.clone());
    let (org, id) = (caller.org().to_string(), doc.id.to_string());
    let listed = tokio::task::spawn_blocking(move || -> Result<_, SearchError> {
        let (chunks, total) = search.document_chunks(&org, &id, page.offset, page.limit)?;
        let views = chunks
            .into_iter()
            .map(|c| chunk_view(c, tokens.as_ref()))
            .collect();
        Ok((views, total))
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "chunk listing task failed");
        Failure(ApiError::internal("internal search error"))
    })??;
    Ok(listed)
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<DocumentDetailView>> {
    let id = document_id(&id)?;
    let page = params.page()?;
    let doc = found(&state, &caller, &id).await?;
    let (chunks, total) = chunk_page(&state, &caller, &doc, page).await?;
    Ok(JsonResponse(DocumentDetailView {
        document: view(doc),
        chunks,
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn chunk(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, chunk_id)): Path<(String, String)>,
) -> ApiResult<JsonResponse<ChunkView>> {
    let id = document_id(&id)?;
    let chunk_id = path_id(&chunk_id, "chunk_id", ChunkId::parse)?;
    found(&state, &caller, &id).await?;
    let chunk = state
        .search
        .document_chunk(caller.org().as_str(), id.as_str(), chunk_id.as_str())?
        .ok_or_else(|| Failure(ApiError::not_found("chunk", chunk_id.as_str())))?;
    Ok(JsonResponse(chunk_view(chunk, state.tokens.as_ref())))
}

/// Takes the document out of every index (chunk store, lexical, vector),
/// then deletes its record, so a failure on the way leaves it listed and
/// the delete can be repeated.
async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = document_id(&id)?;
    let doc = found(&state, &caller, &id).await?;
    let owner = ChunkOwner {
        org_id: caller.org().to_string(),
        data_source_id: doc.data_source_id.to_string(),
        document_id: id.to_string(),
    };
    state.search.delete_document(owner).await?;
    state.store.delete_document(caller.org(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "documents",
        request: None,
        response: (200, Some("DocumentDetailView")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    vec![
        v1_route(
            Method::GET,
            "/api/v1/data-sources/{id}/documents",
            Scope::Read,
            RouteDoc {
                response: (200, Some("DocumentList")),
                paginated: true,
                ..doc(
                    "listDocuments",
                    "A data source's documents with their status (filters: status, q)",
                )
            },
            get(list),
        ),
        v1_route(
            Method::GET,
            "/api/v1/documents/{id}",
            Scope::Read,
            RouteDoc {
                paginated: true,
                ..doc("getDocument", "A document with a page of its chunks")
            },
            get(get_one),
        ),
        v1_route(
            Method::GET,
            "/api/v1/documents/{id}/chunks/{chunk_id}",
            Scope::Read,
            RouteDoc {
                response: (200, Some("ChunkView")),
                ..doc("getDocumentChunk", "One chunk of a document")
            },
            get(chunk),
        ),
        v1_route(
            Method::DELETE,
            "/api/v1/documents/{id}",
            Scope::Write,
            RouteDoc {
                response: (204, None),
                ..doc(
                    "deleteDocument",
                    "Delete a document from every index; a later sync may bring it back",
                )
            },
            delete(remove),
        ),
    ]
}
