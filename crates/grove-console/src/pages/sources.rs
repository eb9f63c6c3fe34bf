//! `/sources`, `/sources/{id}` and `/documents/{id}`: what each data
//! source indexed and why a document failed — its status, its documents
//! filtered by status and text, the failures grouped by message (each
//! group a link to its documents), and one document with its chunks.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use grove_core::ids::{DataSourceId, DocumentId};
use grove_core::scope::{Requirement, Scope};
use grove_core::sources::{DocumentStatus, SourceStatus, SourceSync, SyncInitiator, SyncStatus};
use grove_server::state::AppState;
use grove_store::documents::DocumentFilter;
use serde::Deserialize;

use super::{
    encode_query, page_at, render, see_other, CsrfForm, Layout, PageError, Pager, Time, PAGE_SIZE,
};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Starting a sync is the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    offset: u64,
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    /// One failure group's message (`''` for failures without one).
    error: Option<String>,
}

pub struct SourceRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub last_synced_at: Option<Time>,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    layout: Layout,
    rows: Vec<SourceRow>,
    pager: Pager,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let status = SourceStatus::parse(&params.status);
    let listed = state
        .store
        .list_data_sources(&viewer.user.org_id, status, page_at(params.offset))
        .await?;
    let rows: Vec<SourceRow> = listed
        .items
        .into_iter()
        .map(|s| SourceRow {
            id: s.id.to_string(),
            name: s.name,
            kind: s.kind.as_str(),
            status: s.status.as_str(),
            last_synced_at: s.last_synced_at.map(Time::from),
        })
        .collect();
    let pager = Pager::new(params.offset, rows.len(), listed.total, |offset| {
        format!("/sources?offset={offset}")
    });
    let page = SourcesPage {
        layout: Layout::signed_in("Data sources", &viewer, "/sources"),
        rows,
        pager,
    };
    Ok(render(&page))
}

pub struct DocumentRow {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub status: &'static str,
    pub chunks: u32,
    pub indexed_at: Option<Time>,
    pub error: Option<String>,
}

pub struct ErrorGroup {
    pub message: String,
    pub count: u64,
    /// The failed documents with this message.
    pub href: String,
}

pub struct StatusOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The latest sync as the page shows it; while it is queued or running
/// the fragment asks for itself again every two seconds (htmx), and stops
/// once the sync is over.
pub struct Progress {
    pub source_id: String,
    pub status: &'static str,
    pub live: bool,
    pub done: u64,
    pub total: u64,
    pub failed: u64,
    pub chunks: u64,
    pub started_at: Option<Time>,
    /// "about 40 s left", from the pace so far.
    pub eta: Option<String>,
    pub error: Option<String>,
}

fn progress(source_id: &str, sync: Option<SourceSync>) -> Option<Progress> {
    let sync = sync?;
    let live = matches!(sync.status, SyncStatus::Queued | SyncStatus::Running);
    let eta = sync.started_at.filter(|_| live).and_then(|started| {
        let elapsed = jiff::Timestamp::now().duration_since(started).as_secs_f64();
        let left = sync.documents_total.checked_sub(sync.documents_done)?;
        (sync.documents_done > 0 && left > 0).then(|| {
            let seconds = elapsed / sync.documents_done as f64 * left as f64;
            format!("about {} s left", seconds.ceil() as u64)
        })
    });
    Some(Progress {
        source_id: source_id.to_owned(),
        status: sync.status.as_str(),
        live,
        done: sync.documents_done,
        total: sync.documents_total,
        failed: sync.documents_failed,
        chunks: sync.chunks_indexed,
        started_at: sync.started_at.map(Time::from),
        eta,
        error: sync.error,
    })
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressFragment {
    progress: Option<Progress>,
}

/// `GET /sources/{id}/progress`: the progress fragment alone.
pub async fn show_progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let missing = || PageError::NotFound(format!("There is no data source {id}."));
    let source_id = DataSourceId::parse(&id).map_err(|_| missing())?;
    let sync = state
        .store
        .latest_sync(&viewer.user.org_id, &source_id)
        .await?;
    Ok(render(&ProgressFragment {
        progress: progress(&id, sync),
    }))
}

/// `POST /sources/{id}/sync`: queues a sync (one at a time, as the API).
pub async fn sync_now(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let missing = || PageError::NotFound(format!("There is no data source {id}."));
    let source_id = DataSourceId::parse(&id).map_err(|_| missing())?;
    state
        .store
        .get_data_source(&viewer.user.org_id, &source_id)
        .await?
        .ok_or_else(missing)?;
    // Already queued or running: the page shows that sync's progress.
    state
        .store
        .start_sync(&viewer.user.org_id, &source_id, SyncInitiator::Manual)
        .await?;
    Ok(see_other(&format!("/sources/{id}")))
}

#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage {
    layout: Layout,
    progress: Option<Progress>,
    can_sync: bool,
    id: String,
    name: String,
    kind: &'static str,
    status: &'static str,
    last_synced_at: Option<Time>,
    errors: Vec<ErrorGroup>,
    status_options: Vec<StatusOption>,
    q: String,
    filtered: bool,
    documents: Vec<DocumentRow>,
    pager: Pager,
}

fn status_options(chosen: Option<DocumentStatus>) -> Vec<StatusOption> {
    let mut options = vec![StatusOption {
        value: "",
        label: "any",
        selected: chosen.is_none(),
    }];
    options.extend(DocumentStatus::ALL.iter().map(|s| StatusOption {
        value: s.as_str(),
        label: s.as_str(),
        selected: chosen == Some(*s),
    }));
    options
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let org = &viewer.user.org_id;
    let missing = || PageError::NotFound(format!("There is no data source {id}."));
    let source_id = DataSourceId::parse(&id).map_err(|_| missing())?;
    let source = state
        .store
        .get_data_source(org, &source_id)
        .await?
        .ok_or_else(missing)?;
    let status = DocumentStatus::parse(&params.status);
    let text = params.q.trim().to_owned();
    let filter = DocumentFilter {
        status,
        text: (!text.is_empty()).then(|| text.clone()),
        error: params.error.clone(),
    };
    let listed = state
        .store
        .list_documents(org, &source_id, &filter, page_at(params.offset))
        .await?;
    let errors = state
        .store
        .failure_counts(org, &source_id)
        .await?
        .into_iter()
        .map(|(message, count)| ErrorGroup {
            href: format!(
                "/sources/{id}?status=failed&error={}",
                encode_query(&message)
            ),
            message: if message.is_empty() {
                "(no message)".into()
            } else {
                message
            },
            count,
        })
        .collect();
    let documents: Vec<DocumentRow> = listed
        .items
        .into_iter()
        .map(|d| DocumentRow {
            id: d.id.to_string(),
            title: d.title,
            url: d.url,
            status: d.status.as_str(),
            chunks: d.chunks,
            indexed_at: d.indexed_at.map(Time::from),
            error: d.error,
        })
        .collect();
    let status_param = status.map(|s| s.as_str()).unwrap_or_default();
    let error_param = params
        .error
        .as_deref()
        .map(|e| format!("&error={}", encode_query(e)))
        .unwrap_or_default();
    let pager = Pager::new(params.offset, documents.len(), listed.total, |offset| {
        format!(
            "/sources/{id}?status={status_param}&q={}{error_param}&offset={offset}",
            encode_query(&text)
        )
    });
    let sync = state.store.latest_sync(org, &source_id).await?;
    let page = SourcePage {
        progress: progress(&id, sync),
        can_sync: viewer.can(WRITE),
        layout: Layout::signed_in(source.name.clone(), &viewer, "/sources"),
        id: id.clone(),
        name: source.name,
        kind: source.kind.as_str(),
        status: source.status.as_str(),
        last_synced_at: source.last_synced_at.map(Time::from),
        errors,
        status_options: status_options(status),
        filtered: status.is_some() || !text.is_empty() || params.error.is_some(),
        q: text,
        documents,
        pager,
    };
    Ok(render(&page))
}

pub struct ChunkRow {
    pub id: String,
    pub position: u64,
    pub heading: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    layout: Layout,
    source_id: String,
    source_name: String,
    title: String,
    status: &'static str,
    chunk_total: u64,
    bytes: Option<u64>,
    url: Option<String>,
    error: Option<String>,
    chunks: Vec<ChunkRow>,
    pager: Pager,
}

pub async fn document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let org = viewer.user.org_id.clone();
    let missing = || PageError::NotFound(format!("There is no document {id}."));
    let document_id = DocumentId::parse(&id).map_err(|_| missing())?;
    let doc = state
        .store
        .find_document(&org, &document_id)
        .await?
        .ok_or_else(missing)?;
    let source_name = state
        .store
        .get_data_source(&org, &doc.data_source_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let search = state.search.clone();
    let offset = page_at(params.offset).offset;
    let (org_key, doc_key) = (org.to_string(), document_id.to_string());
    let (stored, total) = tokio::task::spawn_blocking(move || {
        search.document_chunks(&org_key, &doc_key, offset, PAGE_SIZE)
    })
    .await
    .map_err(|e| PageError::Internal(e.to_string()))?
    .map_err(|e| PageError::Internal(e.to_string()))?;
    let chunks: Vec<ChunkRow> = stored
        .into_iter()
        .enumerate()
        .map(|(i, c)| ChunkRow {
            id: c.input.chunk_id,
            position: offset + i as u64 + 1,
            heading: c.input.heading_path.join(" › "),
            text: c.input.text,
        })
        .collect();
    let pager = Pager::new(offset, chunks.len(), total, |offset| {
        format!("/documents/{id}?offset={offset}")
    });
    let page = DocumentPage {
        layout: Layout::signed_in(doc.title.clone(), &viewer, "/sources"),
        source_id: doc.data_source_id.to_string(),
        source_name,
        title: doc.title,
        status: doc.status.as_str(),
        chunk_total: total,
        bytes: doc.bytes,
        url: doc
            .url
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        error: doc.error,
        chunks,
        pager,
    };
    Ok(render(&page))
}
