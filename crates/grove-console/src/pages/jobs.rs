//! `/jobs`, `/jobs/{id}` and `/chats/{id}`: the organisation's agent jobs
//! with their schedule and next run, "run now" with the job's parameters
//! (through the API's own trigger, so the same checks apply), each job's
//! run history, and a run's chat as a reader sees it — the messages, and
//! the tables, charts (the server's SVG) and reports it left, each
//! exportable to PDF.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use base64::Engine;
use grove_core::ids::{ChatId, DocumentOutputId};
use grove_core::jobs::{ChatDocument, DocumentKind, Initiator, Job, ParamType, ParamValues};
use grove_core::scope::{Requirement, Scope};
use grove_jobs::TriggerParams;
use grove_server::routes::{chat_exports, jobs};
use grove_server::state::AppState;
use serde_json::Value;

use super::job_settings::find_job;
use super::{page_at, render, see_other, Layout, OffsetParam, PageError, Pager, Time};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Starting a run is the API's execute scope.
const RUN: Requirement = Requirement::scope(Scope::Execute);
/// Creating and changing jobs is the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);

pub struct JobRow {
    pub id: String,
    pub name: String,
    pub schedule: String,
    pub next_run_at: Option<Time>,
}

/// The schedule in words — "At 08:00, only on Monday (Europe/Berlin;
/// cron `0 8 * * 1`)" — or "manual" without an enabled schedule.
fn schedule_text(job: &Job) -> String {
    let Some(cron) = &job.schedule else {
        return "manual and API triggers only".into();
    };
    let words = cronspeak::describe_with(
        cron,
        &cronspeak::Options::new().time_format(cronspeak::TimeFormat::H24),
    );
    let said = match words {
        Ok(words) => format!("{words} ({}; cron {cron})", job.timezone),
        // Grove's scheduler accepted it; say it as written.
        Err(_) => format!("cron {cron} ({})", job.timezone),
    };
    if job.schedule_enabled {
        said
    } else {
        format!("{said}, paused")
    }
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    layout: Layout,
    can_write: bool,
    rows: Vec<JobRow>,
    pager: Pager,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let page = page_at(params.offset);
    let listed = state
        .store
        .list_jobs(&viewer.user.org_id, None, page)
        .await?;
    let rows: Vec<JobRow> = listed
        .items
        .iter()
        .map(|job| JobRow {
            id: job.id.to_string(),
            name: job.name.clone(),
            schedule: schedule_text(job),
            next_run_at: job.next_run_at.map(Time::from),
        })
        .collect();
    let pager = Pager::new(params.offset, rows.len(), listed.total, |offset| {
        format!("/jobs?offset={offset}")
    });
    let page = JobsPage {
        layout: Layout::signed_in("Jobs", &viewer, "/jobs"),
        can_write: viewer.can(WRITE),
        rows,
        pager,
    };
    Ok(render(&page))
}

pub struct ParamField {
    pub name: String,
    pub kind: &'static str,
    pub default: String,
}

pub struct RunRow {
    pub status: &'static str,
    pub initiator: &'static str,
    pub chat_id: Option<String>,
    pub created_at: Time,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    layout: Layout,
    id: String,
    name: String,
    prompt: String,
    schedule: String,
    next_run_at: Option<Time>,
    params: Vec<ParamField>,
    /// The saved parameter sets, each as `name = value, …`.
    sets: Vec<String>,
    can_run: bool,
    can_write: bool,
    runs: Vec<RunRow>,
    pager: Pager,
    error: Option<String>,
}

async fn job_page(
    state: &AppState,
    viewer: &Viewer,
    job: Job,
    offset: u64,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = page_at(offset);
    let listed = state
        .store
        .list_runs(&viewer.user.org_id, &job.id, page)
        .await?;
    let runs: Vec<RunRow> = listed
        .items
        .into_iter()
        .map(|run| RunRow {
            status: run.status.as_str(),
            initiator: run.initiator.as_str(),
            chat_id: run.chat_id.map(|c| c.to_string()),
            created_at: Time::from(run.created_at),
            error: run.error,
        })
        .collect();
    let id = job.id.to_string();
    let pager = Pager::new(offset, runs.len(), listed.total, |offset| {
        format!("/jobs/{id}?offset={offset}")
    });
    let page = JobPage {
        layout: Layout::signed_in(job.name.clone(), viewer, "/jobs"),
        schedule: schedule_text(&job),
        next_run_at: job.next_run_at.map(Time::from),
        params: job
            .parameters
            .iter()
            .map(|p| ParamField {
                name: p.name.clone(),
                kind: p.kind.as_str(),
                default: match &p.default {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                },
            })
            .collect(),
        sets: job
            .parameter_sets
            .iter()
            .map(|set| {
                set.iter()
                    .map(|(name, value)| format!("{name} = {}", cell(value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect(),
        can_run: viewer.can(RUN),
        can_write: viewer.can(WRITE),
        id,
        name: job.name,
        prompt: job.prompt,
        runs,
        pager,
        error,
    };
    Ok(render(&page))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let job = find_job(&state, &viewer, &id).await?;
    job_page(&state, &viewer, job, params.offset, None).await
}

/// A form value as the parameter's JSON type; text the type cannot read
/// is passed on as text, for the trigger's check to name.
fn typed(kind: ParamType, raw: &str) -> Value {
    let parsed = match kind {
        ParamType::Integer => raw.parse::<i64>().ok().map(Value::from),
        ParamType::Number => raw.parse::<f64>().ok().map(Value::from),
        ParamType::Boolean => raw.parse::<bool>().ok().map(Value::from),
        ParamType::String | ParamType::Date => None,
    };
    parsed.unwrap_or_else(|| Value::from(raw))
}

pub async fn run(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    viewer.require(RUN)?;
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    viewer.check_csrf(csrf)?;
    let job = find_job(&state, &viewer, &id).await?;
    let mut values = ParamValues::new();
    for spec in &job.parameters {
        let given = form
            .iter()
            .find(|(k, _)| *k == format!("param.{}", spec.name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty());
        if let Some(raw) = given {
            values.insert(spec.name.clone(), typed(spec.kind, raw));
        }
    }
    // "Run every saved set", or a job without parameters: the API's
    // trigger without parameters (one run per saved set, or one run).
    let every_set = form.iter().any(|(k, _)| k == "every_set");
    let params = if job.parameters.is_empty() || every_set {
        TriggerParams::Saved
    } else {
        TriggerParams::One(values)
    };
    match jobs::start(&state, &viewer.user.org_id, &job, Initiator::Manual, params).await {
        Ok(_) => Ok(see_other(&format!("/jobs/{id}"))),
        Err(failure) => job_page(&state, &viewer, job, 0, Some(failure.0.message)).await,
    }
}

pub struct MessageView {
    pub role: &'static str,
    pub model: Option<String>,
    pub content: String,
}

/// A chat document as the page shows it.
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    /// `table`: header and rows as text.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// `chart`: the server's SVG as an image address.
    pub image: Option<String>,
    /// `text` and a report's summary.
    pub text: String,
    /// `report`: highlights, and sections (heading, text).
    pub highlights: Vec<String>,
    pub sections: Vec<(String, String)>,
}

/// A JSON value as a table cell shows it.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().map(cell).collect())
        .unwrap_or_default()
}

fn document_view(document: &ChatDocument) -> DocumentView {
    let content = &document.content;
    let mut view = DocumentView {
        id: document.id.to_string(),
        title: document.title.clone(),
        kind: document.kind.as_str(),
        columns: Vec::new(),
        rows: Vec::new(),
        image: None,
        text: String::new(),
        highlights: Vec::new(),
        sections: Vec::new(),
    };
    match document.kind {
        DocumentKind::Table => {
            view.columns = strings(&content["columns"]);
            view.rows = content["rows"]
                .as_array()
                .map(|rows| rows.iter().take(200).map(strings).collect())
                .unwrap_or_default();
        }
        DocumentKind::Chart => {
            // An image, so the SVG's own styles do not meet the page's CSP.
            view.image = content["svg"].as_str().map(|svg| {
                format!(
                    "data:image/svg+xml;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(svg)
                )
            });
        }
        DocumentKind::Text => view.text = cell(&content["text"]),
        DocumentKind::Report => {
            view.text = cell(&content["summary"]);
            view.highlights = strings(&content["highlights"]);
            view.sections = content["sections"]
                .as_array()
                .map(|sections| {
                    sections
                        .iter()
                        .map(|s| (cell(&s["heading"]), cell(&s["text"])))
                        .collect()
                })
                .unwrap_or_default();
        }
    }
    view
}

#[derive(Template)]
#[template(path = "chat_record.html")]
struct ChatRecordPage {
    layout: Layout,
    id: String,
    title: String,
    status: Option<&'static str>,
    job: Option<String>,
    messages: Vec<MessageView>,
    documents: Vec<DocumentView>,
}

pub async fn chat(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let missing = || PageError::NotFound(format!("There is no chat {id}."));
    let chat_id = ChatId::parse(&id).map_err(|_| missing())?;
    let record = state
        .store
        .get_chat(&viewer.user.org_id, &chat_id)
        .await?
        .ok_or_else(missing)?;
    let page = ChatRecordPage {
        layout: Layout::signed_in(record.chat.title.clone(), &viewer, "/jobs"),
        id: id.clone(),
        title: record.chat.title,
        status: record.run.as_ref().map(|r| r.status.as_str()),
        job: record.chat.job_id.map(|j| j.to_string()),
        messages: record
            .messages
            .into_iter()
            .map(|m| MessageView {
                role: m.role.as_str(),
                model: m.model,
                content: m.content,
            })
            .collect(),
        documents: record.documents.iter().map(document_view).collect(),
    };
    Ok(render(&page))
}

pub async fn pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((chat, document)): Path<(String, String)>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let missing =
        || PageError::NotFound(format!("There is no document {document} in chat {chat}."));
    let chat_id = ChatId::parse(&chat).map_err(|_| missing())?;
    let document_id = DocumentOutputId::parse(&document).map_err(|_| missing())?;
    let (filename, bytes) =
        chat_exports::document_pdf(&state, &viewer.user.org_id, &chat_id, &document_id)
            .await
            .map_err(|f| match f.0.code {
                grove_core::ErrorCode::NotFound => missing(),
                _ => PageError::Internal(f.0.message),
            })?;
    Ok(chat_exports::pdf_download(&filename, bytes))
}
