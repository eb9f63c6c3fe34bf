//! Agent jobs: `/api/v1/agents/{agent_id}/jobs` (create, list) and
//! `/api/v1/jobs/{id}` (get, update, delete); runs: manual runs
//! (`POST /api/v1/jobs/{id}/runs`), the run history, one run, and cancel.
//! The API trigger of the `/api/agents` family lives in [`super::chats`]
//! with the chats it answers about; both start runs through [`start`].

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json as JsonResponse};
use grove_core::ids::{AgentId, ChannelId, DataConnectorId, JobId, OrgId, RunGroupId, RunId};
use grove_core::jobs::{Initiator, Job, ParamSpec, ParamValues, RetryPolicy, Run, SavedQuery};
use grove_core::scope::Scope;
use grove_core::{ApiError, ErrorCode};
use grove_jobs::schedule::Schedule;
use grove_jobs::template::{self, TemplateError};
use grove_jobs::{TriggerError, TriggerParams, MAX_FAN_OUT};
use grove_store::{NewJob, TriggerOutcome};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::agents::{agent_id, find as find_agent};
use super::{v1_route, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{
    id_list, optional_json, path_id, trimmed_text, unknown_ids, Json, ListParams, Query,
};
use crate::state::AppState;

const MAX_NAME: usize = 200;
const MAX_PROMPT: usize = 20_000;
const MAX_PARAMETERS: usize = 50;
const MAX_CHANNELS: usize = 20;
const MAX_QUERIES: usize = 20;
const MAX_SQL: usize = 100_000;
const CONCURRENCY: std::ops::RangeInclusive<u32> = 1..=50;
const TIMEOUT: std::ops::RangeInclusive<u32> = 1..=86_400;
const RETRIES: std::ops::RangeInclusive<u32> = 0..=10;
const RETRY_DELAY: std::ops::RangeInclusive<u32> = 0..=86_400;

/// A job as created or updated. On create `name` and `prompt` are
/// required; on update every field is optional and absent ones keep their
/// value (`schedule: null` removes the schedule).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// The question, with `{{name}}` placeholders for declared parameters.
    #[schema(min_length = 1, max_length = 20000, pattern = "\\S")]
    pub prompt: Option<String>,
    #[schema(max_items = 50)]
    pub parameters: Option<Vec<ParamSpec>>,
    /// 5-field cron or `@hourly`, `@daily`, `@weekly`, `@monthly`,
    /// `@first-weekday`, `@last-weekday`.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub schedule: Option<Option<String>>,
    /// IANA time zone of the schedule (default `UTC`).
    pub timezone: Option<String>,
    /// Default true.
    pub schedule_enabled: Option<bool>,
    #[schema(value_type = Option<Vec<Object>>, min_items = 1, max_items = 100)]
    pub parameter_sets: Option<Vec<ParamValues>>,
    /// 1 to 50, default 4.
    #[schema(minimum = 1, maximum = 50)]
    pub fan_out_concurrency: Option<u32>,
    /// 1 to 86400, default 300.
    #[schema(minimum = 1, maximum = 86400)]
    pub timeout_seconds: Option<u32>,
    pub retry: Option<RetryPolicy>,
    #[schema(max_items = 20)]
    pub channel_ids: Option<Vec<String>>,
    /// Queries run in order before the model (`{name, connector_id, sql,
    /// chart?}`), with `{{parameters}}` bound as SQL parameters.
    #[schema(max_items = 20)]
    pub queries: Option<Vec<SavedQuery>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub jobs: Vec<Job>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunList {
    pub runs: Vec<Run>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// Parameters of a manual run or API trigger: `parameters` for one run,
/// `parameter_sets` for a fan-out; neither runs the job's saved sets (or
/// its defaults).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<ParamValues>,
    #[schema(value_type = Option<Vec<Object>>, min_items = 1, max_items = 100)]
    pub parameter_sets: Option<Vec<ParamValues>>,
}

impl RunRequest {
    pub fn params(self) -> Result<TriggerParams, Failure> {
        match (self.parameters, self.parameter_sets) {
            (Some(_), Some(_)) => Err(Failure(ApiError::invalid_field(
                "parameter_sets",
                "give either parameters or parameter_sets, not both",
            ))),
            (Some(one), None) => Ok(TriggerParams::One(one)),
            (None, Some(sets)) => Ok(TriggerParams::Sets(sets)),
            (None, None) => Ok(TriggerParams::Saved),
        }
    }
}

/// The runs a trigger started.
#[derive(Debug, Serialize, ToSchema)]
pub struct Started {
    pub job_id: JobId,
    pub group_id: RunGroupId,
    pub runs: Vec<Run>,
}

pub(super) fn job_id(raw: &str) -> Result<JobId, Failure> {
    path_id(raw, "id", JobId::parse)
}

pub(crate) async fn find(state: &AppState, org: &OrgId, id: &JobId) -> Result<Job, Failure> {
    state
        .store
        .get_job(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("job", id.as_str())))
}

fn in_range(field: &str, value: u32, range: std::ops::RangeInclusive<u32>) -> Result<u32, Failure> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(Failure(ApiError::invalid_field(
            field,
            format!("must be between {} and {}", range.start(), range.end()),
        )))
    }
}

fn template_error(e: TemplateError) -> Failure {
    let field = match e {
        TemplateError::Undeclared(_)
        | TemplateError::Unclosed(_)
        | TemplateError::BadPlaceholder(_) => "prompt",
        _ => "parameters",
    };
    Failure(ApiError::invalid_field(field, e.to_string()))
}

async fn check_channels(
    state: &AppState,
    org: &OrgId,
    raw: Vec<String>,
) -> Result<Vec<ChannelId>, Failure> {
    if raw.len() > MAX_CHANNELS {
        return Err(Failure(ApiError::invalid_field(
            "channel_ids",
            format!("at most {MAX_CHANNELS}"),
        )));
    }
    let ids = id_list("channel_ids", &raw, ChannelId::parse)?;
    let missing = state.store.missing_channels(org, &ids).await?;
    if !missing.is_empty() {
        return Err(unknown_ids(
            "channel_ids",
            &raw,
            &missing,
            "notification channel",
        ));
    }
    Ok(ids)
}

/// The schedule checked in its time zone; the error names `schedule` or
/// `timezone`.
fn check_schedule(schedule: Option<&str>, timezone: &str) -> Result<(), Failure> {
    if jiff::tz::TimeZone::get(timezone).is_err() {
        return Err(Failure(ApiError::invalid_field(
            "timezone",
            format!("`{timezone}` is not a known IANA time zone"),
        )));
    }
    if let Some(expression) = schedule {
        Schedule::parse(expression, timezone)
            .map_err(|e| Failure(ApiError::invalid_field("schedule", e.to_string())))?;
    }
    Ok(())
}

fn check_sets(specs: &[ParamSpec], sets: &[ParamValues]) -> Result<(), Failure> {
    if sets.len() > MAX_FAN_OUT {
        return Err(Failure(ApiError::invalid_field(
            "parameter_sets",
            format!("at most {MAX_FAN_OUT} sets"),
        )));
    }
    for (i, set) in sets.iter().enumerate() {
        template::resolve(specs, set).map_err(|e| {
            Failure(ApiError::invalid_field(
                &format!("parameter_sets[{i}]"),
                e.to_string(),
            ))
        })?;
    }
    Ok(())
}

/// Applies `body` over `base` and checks the whole job.
/// The check of `body` that needs the store, made before the write: the
/// notification channels, if given.
async fn prepare(
    state: &AppState,
    org: &OrgId,
    mut body: JobBody,
) -> Result<(JobBody, Option<Vec<ChannelId>>), Failure> {
    let channels = match body.channel_ids.take() {
        Some(raw) => Some(check_channels(state, org, raw).await?),
        None => None,
    };
    if let Some(queries) = &body.queries {
        check_connectors(state, org, queries).await?;
    }
    Ok((body, channels))
}

/// Each saved query's connector is one of `org`'s.
async fn check_connectors(
    state: &AppState,
    org: &OrgId,
    queries: &[SavedQuery],
) -> Result<(), Failure> {
    let ids: Vec<DataConnectorId> = queries.iter().map(|q| q.connector_id.clone()).collect();
    let missing = state.store.missing_connectors(org, &ids).await?;
    match queries
        .iter()
        .position(|q| missing.contains(&q.connector_id))
    {
        Some(i) => Err(Failure(ApiError::invalid_field(
            &format!("queries[{i}].connector_id"),
            format!(
                "no data connector {} in this organisation",
                queries[i].connector_id
            ),
        ))),
        None => Ok(()),
    }
}

/// Names present and unique, SQL present, placeholders declared, charts
/// naming columns.
fn check_queries(
    queries: Vec<SavedQuery>,
    parameters: &[ParamSpec],
) -> Result<Vec<SavedQuery>, Failure> {
    if queries.len() > MAX_QUERIES {
        return Err(Failure(ApiError::invalid_field(
            "queries",
            format!("at most {MAX_QUERIES}"),
        )));
    }
    let mut checked: Vec<SavedQuery> = Vec::with_capacity(queries.len());
    for (i, mut query) in queries.into_iter().enumerate() {
        let at = |field: &str| format!("queries[{i}].{field}");
        query.name = trimmed_text(&at("name"), &query.name, MAX_NAME, true)?;
        if checked.iter().any(|q| q.name == query.name) {
            return Err(Failure(ApiError::invalid_field(
                &at("name"),
                "is used by another query",
            )));
        }
        query.sql = trimmed_text(&at("sql"), &query.sql, MAX_SQL, true)?;
        template::check_template(&query.sql, parameters)
            .map_err(|e| Failure(ApiError::invalid_field(&at("sql"), e.to_string())))?;
        if let Some(chart) = &query.chart {
            for (field, column) in [("x", &chart.x), ("y", &chart.y)] {
                if column.trim().is_empty() {
                    return Err(Failure(ApiError::invalid_field(
                        &at(&format!("chart.{field}")),
                        "must name a column",
                    )));
                }
            }
        }
        checked.push(query);
    }
    Ok(checked)
}

/// Applies a prepared `body` over `job` (the stored job, or defaults) and
/// checks the result, fields against each other included.
fn merge(
    mut job: NewJob,
    body: JobBody,
    channels: Option<Vec<ChannelId>>,
) -> Result<NewJob, Failure> {
    let schedule_before = (
        job.schedule.clone(),
        job.timezone.clone(),
        job.schedule_enabled,
    );
    if let Some(name) = body.name {
        job.name = trimmed_text("name", &name, MAX_NAME, true)?;
    }
    if let Some(prompt) = body.prompt {
        job.prompt = trimmed_text("prompt", &prompt, MAX_PROMPT, true)?;
    }
    if let Some(parameters) = body.parameters {
        if parameters.len() > MAX_PARAMETERS {
            return Err(Failure(ApiError::invalid_field(
                "parameters",
                format!("at most {MAX_PARAMETERS}"),
            )));
        }
        job.parameters = parameters;
    }
    template::check_template(&job.prompt, &job.parameters).map_err(template_error)?;
    if let Some(queries) = body.queries {
        job.queries = queries;
    }
    job.queries = check_queries(std::mem::take(&mut job.queries), &job.parameters)?;
    if let Some(schedule) = body.schedule {
        job.schedule = schedule.map(|s| s.trim().to_owned());
    }
    if let Some(timezone) = body.timezone {
        job.timezone = timezone.trim().to_owned();
    }
    check_schedule(job.schedule.as_deref(), &job.timezone)?;
    job.schedule_enabled = body.schedule_enabled.unwrap_or(job.schedule_enabled);
    if let Some(sets) = body.parameter_sets {
        job.parameter_sets = sets;
    }
    check_sets(&job.parameters, &job.parameter_sets)?;
    if let Some(n) = body.fan_out_concurrency {
        job.fan_out_concurrency = in_range("fan_out_concurrency", n, CONCURRENCY)?;
    }
    if let Some(n) = body.timeout_seconds {
        job.timeout_seconds = in_range("timeout_seconds", n, TIMEOUT)?;
    }
    if let Some(retry) = body.retry {
        job.retry = RetryPolicy {
            max_retries: in_range("retry.max_retries", retry.max_retries, RETRIES)?,
            delay_seconds: in_range("retry.delay_seconds", retry.delay_seconds, RETRY_DELAY)?,
        };
    }
    if let Some(channels) = channels {
        job.channel_ids = channels;
    }
    // A fire already due stays due unless the schedule itself changed.
    let schedule_after = (
        job.schedule.clone(),
        job.timezone.clone(),
        job.schedule_enabled,
    );
    if schedule_after != schedule_before {
        job.next_run_at = grove_jobs::next_run_at(
            job.schedule.as_deref(),
            &job.timezone,
            job.schedule_enabled,
            Timestamp::now(),
        );
    }
    Ok(job)
}

fn defaults(agent: AgentId) -> NewJob {
    NewJob {
        agent_id: agent,
        name: String::new(),
        prompt: String::new(),
        parameters: Vec::new(),
        schedule: None,
        timezone: "UTC".into(),
        schedule_enabled: true,
        parameter_sets: Vec::new(),
        fan_out_concurrency: 4,
        timeout_seconds: 300,
        retry: RetryPolicy::default(),
        channel_ids: Vec::new(),
        next_run_at: None,
        queries: Vec::new(),
    }
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(agent): Path<String>,
    Json(body): Json<JobBody>,
) -> ApiResult<(StatusCode, JsonResponse<Job>)> {
    let job = create_job(&state, caller.org(), &agent_id(&agent)?, body).await?;
    Ok((StatusCode::CREATED, JsonResponse(job)))
}

/// Checks and stores a new job of `agent` (the agent must be `org`'s);
/// the console creates jobs through this too.
pub async fn create_job(
    state: &AppState,
    org: &OrgId,
    agent: &AgentId,
    body: JobBody,
) -> Result<Job, Failure> {
    let agent = find_agent(state, org, agent).await?;
    for (field, given) in [
        ("name", body.name.is_some()),
        ("prompt", body.prompt.is_some()),
    ] {
        if !given {
            return Err(Failure(ApiError::invalid_field(field, "is required")));
        }
    }
    let (body, channels) = prepare(state, org, body).await?;
    let new = merge(defaults(agent.id), body, channels)?;
    let job = state.store.create_job(org, new).await?;
    state.jobs.schedule_changed();
    Ok(job)
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(agent): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<JobList>> {
    let agent = find_agent(&state, caller.org(), &agent_id(&agent)?).await?;
    let page = params.page()?;
    let listed = state
        .store
        .list_jobs(caller.org(), Some(&agent.id), page)
        .await?;
    Ok(JsonResponse(JobList {
        jobs: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<Job>> {
    Ok(JsonResponse(
        find(&state, caller.org(), &job_id(&id)?).await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<JobBody>,
) -> ApiResult<JsonResponse<Job>> {
    let id = job_id(&id)?;
    Ok(JsonResponse(
        update_job(&state, caller.org(), &id, body).await?,
    ))
}

/// Applies the fields `body` sets, merged over the job as stored at the
/// moment of the write, so concurrent updates of different fields all
/// land and the checks of fields against each other see the stored ones.
pub async fn update_job(
    state: &AppState,
    org: &OrgId,
    id: &JobId,
    body: JobBody,
) -> Result<Job, Failure> {
    let (body, channels) = prepare(state, org, body).await?;
    let change = Box::new(move |job| merge(job, body, channels).map_err(|Failure(e)| e));
    let job = state
        .store
        .change_job(org, id, change)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("job", id.as_str())))?;
    state.jobs.schedule_changed();
    Ok(job)
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    delete_job(&state, caller.org(), &job_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a job; its unfinished runs are cancelled.
pub async fn delete_job(state: &AppState, org: &OrgId, id: &JobId) -> Result<(), Failure> {
    if state.jobs.delete(org, id).await? {
        Ok(())
    } else {
        Err(Failure(ApiError::not_found("job", id.as_str())))
    }
}

/// Starts a job's runs; 409 `job_already_running` naming the run and chat
/// that hold it.
pub async fn start(
    state: &AppState,
    org: &OrgId,
    job: &Job,
    initiator: Initiator,
    params: TriggerParams,
) -> Result<Vec<Run>, Failure> {
    let outcome = state
        .jobs
        .trigger(org, job, initiator, params, None)
        .await
        .map_err(|e| match e {
            TriggerError::Parameters { field, error } => {
                Failure(ApiError::invalid_field(&field, error.to_string()))
            }
            TriggerError::FanOutSize => Failure(ApiError::invalid_field(
                "parameter_sets",
                format!("a fan-out takes 1 to {MAX_FAN_OUT} sets"),
            )),
            TriggerError::Store(e) => Failure::from(e),
        })?;
    match outcome {
        Some(TriggerOutcome::Started(runs)) => Ok(runs),
        Some(TriggerOutcome::AlreadyRunning { run_id, chat_id }) => Err(Failure(
            ApiError::new(
                ErrorCode::JobAlreadyRunning,
                format!("job {} is already running (run {run_id})", job.id),
            )
            .with_details(json!({ "run_id": run_id, "chat_id": chat_id })),
        )),
        Some(TriggerOutcome::Stale) | None => {
            Err(Failure(ApiError::not_found("job", job.id.as_str())))
        }
    }
}

async fn run_now(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, JsonResponse<Started>)> {
    let job = find(&state, caller.org(), &job_id(&id)?).await?;
    let params = optional_json::<RunRequest>(&body)?.params()?;
    let runs = start(&state, caller.org(), &job, Initiator::Manual, params).await?;
    let group_id = runs
        .first()
        .map(|r| r.group_id.clone())
        .ok_or_else(|| Failure(ApiError::internal("a trigger started no run")))?;
    Ok((
        StatusCode::ACCEPTED,
        JsonResponse(Started {
            job_id: job.id,
            group_id,
            runs,
        }),
    ))
}

async fn history(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<RunList>> {
    let id = job_id(&id)?;
    let page = params.page()?;
    let listed = state.store.list_runs(caller.org(), &id, page).await?;
    if listed.total == 0 {
        find(&state, caller.org(), &id).await?;
    }
    Ok(JsonResponse(RunList {
        runs: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

fn run_id(raw: &str) -> Result<RunId, Failure> {
    path_id(raw, "id", RunId::parse)
}

async fn get_run(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<Run>> {
    let id = run_id(&id)?;
    state
        .store
        .get_run(caller.org(), &id)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| Failure(ApiError::not_found("run", id.as_str())))
}

async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<Run>> {
    let id = run_id(&id)?;
    state
        .jobs
        .cancel(caller.org(), &id)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| Failure(ApiError::not_found("run", id.as_str())))
}

fn doc(
    operation_id: &'static str,
    summary: &'static str,
    response: (u16, Option<&'static str>),
) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "jobs",
        request: None,
        response,
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    let job = (200, Some("Job"));
    vec![
        v1_route(
            Method::POST,
            "/api/v1/agents/{agent_id}/jobs",
            Scope::Write,
            RouteDoc {
                request: Some("JobBody"),
                required: &["name", "prompt"],
                ..doc("createJob", "Create a job of an agent", (201, Some("Job")))
            },
            post(create),
        ),
        v1_route(
            Method::GET,
            "/api/v1/agents/{agent_id}/jobs",
            Scope::Read,
            RouteDoc {
                paginated: true,
                ..doc("listJobs", "List an agent's jobs", (200, Some("JobList")))
            },
            get(list),
        ),
        v1_route(
            Method::GET,
            "/api/v1/jobs/{id}",
            Scope::Read,
            doc("getJob", "Get a job", job),
            get(get_one),
        ),
        v1_route(
            Method::PUT,
            "/api/v1/jobs/{id}",
            Scope::Write,
            RouteDoc {
                request: Some("JobBody"),
                ..doc("updateJob", "Update a job (fields optional)", job)
            },
            axum::routing::put(update),
        ),
        v1_route(
            Method::DELETE,
            "/api/v1/jobs/{id}",
            Scope::Write,
            doc(
                "deleteJob",
                "Delete a job (its runs and chats stay)",
                (204, None),
            ),
            axum::routing::delete(remove),
        ),
        v1_route(
            Method::POST,
            "/api/v1/jobs/{id}/runs",
            Scope::Execute,
            RouteDoc {
                request: Some("RunRequest"),
                ..doc("runJob", "Run a job now", (202, Some("Started")))
            },
            post(run_now),
        ),
        v1_route(
            Method::GET,
            "/api/v1/jobs/{id}/runs",
            Scope::Read,
            RouteDoc {
                paginated: true,
                ..doc(
                    "listRuns",
                    "A job's run history, newest first",
                    (200, Some("RunList")),
                )
            },
            get(history),
        ),
        v1_route(
            Method::GET,
            "/api/v1/runs/{id}",
            Scope::Read,
            doc("getRun", "Get a run", (200, Some("Run"))),
            get(get_run),
        ),
        v1_route(
            Method::POST,
            "/api/v1/runs/{id}/cancel",
            Scope::Execute,
            doc(
                "cancelRun",
                "Cancel a queued or running run",
                (200, Some("Run")),
            ),
            post(cancel),
        ),
    ]
}
