//! `POST /api/v1/semantic-search` (and legacy `POST /api/semantic-search`):
//! chunks without generation, in lexical, vector or hybrid mode.

use std::time::Instant;

use axum::extract::State;
use axum::http::Method;
use axum::routing::post;
use axum::{Extension, Json as JsonResponse};
use grove_core::scope::Scope;
use grove_core::ApiError;
use grove_search::{Mode, SearchError, SearchRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::data_sources::known_sources;
use super::{both_families, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::Json;
use crate::state::AppState;

const MAX_TOP_K: i64 = 100;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    Lexical,
    Vector,
    Hybrid,
}

impl From<SearchMode> for Mode {
    fn from(m: SearchMode) -> Self {
        match m {
            SearchMode::Lexical => Mode::Lexical,
            SearchMode::Vector => Mode::Vector,
            SearchMode::Hybrid => Mode::Hybrid,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SemanticSearch {
    #[schema(min_length = 1, max_length = 4096)]
    pub query: String,
    /// Must be the organisation of the API key.
    #[schema(pattern = "^org_[A-Za-z0-9]{1,64}$")]
    pub org_id: String,
    /// 1 to 100, default 10.
    #[schema(minimum = 1, maximum = 100)]
    pub top_k: Option<i64>,
    /// 0 to 1, default 0: hits below it are dropped. With an embedding
    /// model it applies to `similarity_score`, the calibrated relevance of
    /// each hit in every mode (hybrid ranks by fusion but reports and
    /// thresholds by relevance); without a model, to BM25 relative to the
    /// best hit.
    #[schema(minimum = 0, maximum = 1)]
    pub similarity_threshold: Option<f64>,
    #[schema(max_items = 100)]
    pub data_source_ids: Option<Vec<String>>,
    /// `hybrid` (default), `lexical` or `vector`.
    pub mode: Option<SearchMode>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchChunk {
    pub chunk_id: String,
    pub text: String,
    /// The estimated relevance, 0 to 1: the embedder's cosine through its
    /// calibration (see docs/API.md); without a model, BM25 relative to the
    /// best hit.
    pub similarity_score: f32,
    /// The score before calibration: the cosine similarity (without a
    /// model, the same as `similarity_score`).
    pub raw_score: f32,
    pub document_id: String,
    pub document_title: String,
    pub document_url: Option<String>,
    pub data_source_id: String,
    pub heading_path: Vec<String>,
    /// Byte offsets of the chunk in its document's text.
    pub start_offset: usize,
    pub end_offset: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchMetadata {
    pub total_chunks_searched: u64,
    pub latency_ms: f64,
    pub mode: String,
    /// The embedder that produced `query_embedding`, if any.
    pub embedder: Option<String>,
    /// How `similarity_score` relates to the cosine: `fitted` (a
    /// calibration fitted for this embedder), `default` (a documented
    /// default for its family, not fitted to it) or `uncalibrated` (the raw
    /// cosine, or BM25 without a model).
    pub calibration: String,
    /// Set when the search ran in a reduced mode, saying why.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SemanticSearchResults {
    pub chunks: Vec<SearchChunk>,
    /// Null when no embedding model is loaded.
    pub query_embedding: Option<Vec<f32>>,
    pub metadata: SearchMetadata,
}

/// Validates the request into an engine request.
async fn check(
    state: &AppState,
    caller: &Caller,
    body: SemanticSearch,
) -> Result<SearchRequest, Failure> {
    let query = super::query::checked_query("query", &body.query)?;
    if body.org_id != caller.org().as_str() {
        return Err(Failure(ApiError::invalid_field(
            "org_id",
            "must be the organisation of the API key",
        )));
    }
    let top_k = body.top_k.unwrap_or(10);
    if !(1..=MAX_TOP_K).contains(&top_k) {
        return Err(Failure(ApiError::invalid_field(
            "top_k",
            format!("must be between 1 and {MAX_TOP_K}"),
        )));
    }
    let threshold = body.similarity_threshold.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(Failure(ApiError::invalid_field(
            "similarity_threshold",
            "must be between 0 and 1",
        )));
    }
    let data_source_ids = match body.data_source_ids {
        None => None,
        Some(raw) => Some(
            known_sources(state, caller.org(), &raw)
                .await?
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
    };
    Ok(SearchRequest {
        org_id: caller.org().to_string(),
        query: query.to_owned(),
        mode: body.mode.map_or(Mode::Hybrid, Mode::from),
        top_k: top_k as usize,
        threshold: threshold as f32,
        data_source_ids,
    })
}

impl From<SearchError> for Failure {
    fn from(e: SearchError) -> Self {
        Failure(match e {
            SearchError::Invalid(message) => ApiError::invalid_field("body", message),
            SearchError::NoEmbedder => ApiError::unavailable(
                "vector search needs an embedding model and none is loaded; use mode `lexical` or `hybrid`",
            ),
            SearchError::Embed(err) => ApiError::unavailable(format!("embedding failed: {err}")),
            SearchError::Storage(detail) => {
                tracing::error!(error = %detail, "search storage failure");
                ApiError::internal("internal search error")
            }
        })
    }
}

async fn semantic_search(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<SemanticSearch>,
) -> ApiResult<JsonResponse<SemanticSearchResults>> {
    let started = Instant::now();
    let request = check(&state, &caller, body).await?;
    let asked = request.mode;
    let results = state.search.search(request).await?;
    let note = (results.mode != asked).then(|| {
        format!(
            "no embedding model loaded ({}); searched lexically",
            state.embedder_status
        )
    });
    let chunks = results
        .hits
        .into_iter()
        .map(|hit| SearchChunk {
            chunk_id: hit.chunk.input.chunk_id,
            text: hit.chunk.input.text,
            similarity_score: hit.similarity,
            raw_score: hit.raw_score,
            document_id: hit.chunk.owner.document_id,
            document_title: hit.chunk.input.title,
            document_url: hit.chunk.input.url,
            data_source_id: hit.chunk.owner.data_source_id,
            heading_path: hit.chunk.input.heading_path,
            start_offset: hit.chunk.input.start,
            end_offset: hit.chunk.input.end,
        })
        .collect();
    Ok(JsonResponse(SemanticSearchResults {
        chunks,
        query_embedding: results.query_embedding,
        metadata: SearchMetadata {
            total_chunks_searched: results.chunks_searched,
            latency_ms: (started.elapsed().as_secs_f64() * 1e3 * 100.0).round() / 100.0,
            mode: results.mode.as_str().to_owned(),
            embedder: results.embedder.map(|e| e.name),
            calibration: state.search.calibration().label().to_owned(),
            note,
        },
    }))
}

pub fn routes() -> Vec<Route> {
    both_families(
        Method::POST,
        "/api/v1/semantic-search",
        "/api/semantic-search",
        Scope::Execute,
        RouteDoc {
            operation_id: "semanticSearch",
            summary: "Retrieve chunks without generation",
            tag: "search",
            request: Some("SemanticSearch"),
            response: (200, Some("SemanticSearchResults")),
            paginated: false,
            camel_case: false,
            required: &[],
            query: None,
        },
        || post(semantic_search),
    )
    .into()
}
