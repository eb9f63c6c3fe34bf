//! `/sources`, `/sources/{id}` and `/documents/{id}`: what each data
//! source indexed and why a document failed — its status, its documents
//! filtered by status and text, the failures grouped by message (each
//! group a link to its documents), and one document with its chunks.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use grove_core::ids::{DataSourceId, DocumentId, OrgId};
use grove_core::scope::{Requirement, Scope};
use grove_core::sources::{
    DataSource, DocumentStatus, SourceKind, SourceStatus, SourceSync, SyncInitiator, SyncStatus,
};
use grove_server::routes::data_sources::progress as sync_progress;
use grove_server::routes::documents::{filter as document_filter, DocumentListParams};
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
    /// Files just uploaded (after an upload).
    uploaded: Option<usize>,
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
    can_write: bool,
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
        can_write: viewer.can(WRITE),
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
    let now = jiff::Timestamp::now();
    // The API's own estimate (`GET …/status`, `estimated_completion`).
    let eta = sync_progress(&sync, now).1.map(|end| {
        let seconds = end.duration_since(now).as_secs_f64().max(1.0);
        format!("about {} s left", seconds.ceil() as u64)
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

async fn progress_html(
    state: &AppState,
    org: &OrgId,
    id: &str,
    source_id: &DataSourceId,
) -> Result<(String, bool), PageError> {
    let sync = state.store.latest_sync(org, source_id).await?;
    let progress = progress(id, sync);
    let live = progress.as_ref().is_some_and(|p| p.live);
    let html = ProgressFragment { progress }
        .render()
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok((html, live))
}

fn parse_source_id(id: &str) -> Result<DataSourceId, PageError> {
    DataSourceId::parse(id)
        .map_err(|_| PageError::NotFound(format!("There is no data source {id}.")))
}

/// The organisation's data source `id`, or the page's 404.
pub async fn find_data_source(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<DataSource, PageError> {
    state
        .store
        .get_data_source(&viewer.user.org_id, &parse_source_id(id)?)
        .await?
        .ok_or_else(|| PageError::NotFound(format!("There is no data source {id}.")))
}

/// `GET /sources/{id}/progress`: the progress fragment alone (what the
/// page polls when the event stream cannot be opened).
pub async fn show_progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let source_id = parse_source_id(&id)?;
    let (html, _) = progress_html(&state, &viewer.user.org_id, &id, &source_id).await?;
    Ok(Html(html).into_response())
}

/// How often the event stream reads the sync's progress from the store
/// (the store, not this process, knows a sync another replica runs).
const PROGRESS_TICK: Duration = Duration::from_secs(1);
/// A stream ends after this long without `done`, so the browser's
/// EventSource reconnects and follows on with a new one.
const PROGRESS_STREAM_LIMIT: Duration = Duration::from_secs(300);

struct ProgressStream {
    state: AppState,
    org: OrgId,
    id: String,
    source_id: DataSourceId,
    /// The fragment last sent; an unchanged one is not sent again.
    sent: String,
    until: tokio::time::Instant,
    /// The sync is over and its last fragment sent: `done` comes next.
    ending: bool,
    over: bool,
}

impl ProgressStream {
    /// The next event: the fragment when it changed, then `done` once the
    /// sync is over; when the stream's time is up it ends without `done`.
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if self.over {
            return None;
        }
        // An event without data is never dispatched by EventSource.
        let done = || Ok(Event::default().event("done").data("over"));
        if self.ending {
            self.over = true;
            return Some((done(), self));
        }
        loop {
            let read = progress_html(&self.state, &self.org, &self.id, &self.source_id).await;
            let (html, live) = match read {
                Ok(read) => read,
                Err(e) => {
                    tracing::warn!(error = ?e, "sync progress could not be read");
                    self.over = true;
                    return Some((done(), self));
                }
            };
            if html != self.sent {
                self.sent = html.clone();
                self.ending = !live;
                return Some((Ok(Event::default().event("progress").data(html)), self));
            }
            if !live {
                self.over = true;
                return Some((done(), self));
            }
            if tokio::time::Instant::now() >= self.until {
                return None;
            }
            tokio::time::sleep(PROGRESS_TICK).await;
        }
    }
}

/// `GET /sources/{id}/progress/stream`: the progress fragment as
/// server-sent events (`progress` each time it changes, `done` when the
/// sync is over), which `progress.js` swaps into the page.
pub async fn stream_progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let source = find_data_source(&state, &viewer, &id).await?;
    let start = ProgressStream {
        state,
        org: viewer.user.org_id.clone(),
        id,
        source_id: source.id,
        sent: String::new(),
        until: tokio::time::Instant::now() + PROGRESS_STREAM_LIMIT,
        ending: false,
        over: false,
    };
    let events = futures_util::stream::unfold(start, ProgressStream::next);
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
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
    let source = find_data_source(&state, &viewer, &id).await?;
    // Already queued or running: the page shows that sync's progress.
    state
        .store
        .start_sync(&viewer.user.org_id, &source.id, SyncInitiator::Manual)
        .await?;
    Ok(see_other(&format!("/sources/{id}")))
}

#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage {
    layout: Layout,
    progress: Option<Progress>,
    progress_js: String,
    can_sync: bool,
    /// Files can be uploaded into it (a `file` source, and the write role).
    can_upload: bool,
    uploaded: Option<usize>,
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
    let source = find_data_source(&state, &viewer, &id).await?;
    let source_id = source.id.clone();
    // The API's own reading of the filter (its checks, its length limit).
    let asked = DocumentListParams {
        limit: None,
        offset: None,
        status: (!params.status.is_empty()).then(|| params.status.clone()),
        q: Some(params.q.clone()),
    };
    let filter = DocumentFilter {
        error: params.error.clone(),
        ..document_filter(&asked)?
    };
    let status = filter.status;
    let text = filter.text.clone().unwrap_or_default();
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
        progress_js: crate::assets::url("progress.js"),
        can_sync: viewer.can(WRITE),
        can_upload: viewer.can(WRITE) && source.kind == SourceKind::File,
        uploaded: params.uploaded,
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
