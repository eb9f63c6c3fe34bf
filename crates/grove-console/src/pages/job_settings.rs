//! `/jobs/new` and `/jobs/{id}/settings`: creating, changing and deleting
//! agent jobs — name, prompt, schedule and zone, parameters with their
//! saved sets, saved SQL queries, notification channels, limits and
//! retries. Parameters, sets and queries are edited as the API's JSON.
//! Every change goes through the API's own functions (`routes::jobs`),
//! so a value the API refuses is refused here with the API's reason.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use grove_core::ids::{AgentId, JobId};
use grove_core::jobs::{Job, RetryPolicy};
use grove_core::page::Page;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::jobs::{create_job, delete_job, update_job, JobBody};
use grove_server::state::AppState;
use serde::de::DeserializeOwned;

use super::{
    agent_names, choices, render_form, see_other, submit, Choice, CsrfForm, Fields, Layout,
    PageError,
};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Creating, changing and deleting jobs: the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);
/// Notification channels offered as checkboxes.
const CHANNELS_LISTED: u32 = 200;

/// A job's settings as the form holds them (text, as typed).
#[derive(Debug)]
pub struct JobForm {
    pub agent_id: String,
    pub name: String,
    pub prompt: String,
    /// Cron, or empty for no schedule.
    pub schedule: String,
    pub timezone: String,
    pub schedule_enabled: bool,
    /// JSON arrays, as the API takes them.
    pub parameters: String,
    pub parameter_sets: String,
    pub queries: String,
    pub channel_ids: Vec<String>,
    pub timeout_seconds: String,
    pub fan_out_concurrency: String,
    pub max_retries: String,
    pub retry_delay_seconds: String,
}

impl Default for JobForm {
    fn default() -> Self {
        let retry = RetryPolicy::default();
        JobForm {
            agent_id: String::new(),
            name: String::new(),
            prompt: String::new(),
            schedule: String::new(),
            timezone: "UTC".into(),
            schedule_enabled: true,
            parameters: "[]".into(),
            parameter_sets: "[]".into(),
            queries: "[]".into(),
            channel_ids: Vec::new(),
            timeout_seconds: "300".into(),
            fan_out_concurrency: "4".into(),
            max_retries: retry.max_retries.to_string(),
            retry_delay_seconds: retry.delay_seconds.to_string(),
        }
    }
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "[]".into())
}

impl JobForm {
    fn of(job: &Job) -> Self {
        JobForm {
            agent_id: job.agent_id.to_string(),
            name: job.name.clone(),
            prompt: job.prompt.clone(),
            schedule: job.schedule.clone().unwrap_or_default(),
            timezone: job.timezone.clone(),
            schedule_enabled: job.schedule_enabled,
            parameters: pretty(&job.parameters),
            parameter_sets: pretty(&job.parameter_sets),
            queries: pretty(&job.queries),
            channel_ids: job.channel_ids.iter().map(|c| c.to_string()).collect(),
            timeout_seconds: job.timeout_seconds.to_string(),
            fan_out_concurrency: job.fan_out_concurrency.to_string(),
            max_retries: job.retry.max_retries.to_string(),
            retry_delay_seconds: job.retry.delay_seconds.to_string(),
        }
    }

    fn read(fields: &Fields) -> Self {
        JobForm {
            agent_id: fields.one("agent_id"),
            name: fields.one("name"),
            prompt: fields.one("prompt"),
            schedule: fields.one("schedule"),
            timezone: fields.one("timezone"),
            schedule_enabled: fields.has("schedule_enabled"),
            parameters: fields.one("parameters"),
            parameter_sets: fields.one("parameter_sets"),
            queries: fields.one("queries"),
            channel_ids: fields.all("channel_ids"),
            timeout_seconds: fields.one("timeout_seconds"),
            fan_out_concurrency: fields.one("fan_out_concurrency"),
            max_retries: fields.one("max_retries"),
            retry_delay_seconds: fields.one("retry_delay_seconds"),
        }
    }

    /// The API body of these settings, or the field that cannot be read.
    fn as_body(&self) -> Result<JobBody, String> {
        fn json<T: DeserializeOwned>(field: &str, raw: &str) -> Result<T, String> {
            let raw = if raw.is_empty() { "[]" } else { raw };
            serde_json::from_str(raw).map_err(|e| format!("{field}: {e}"))
        }
        fn number(field: &str, raw: &str) -> Result<u32, String> {
            raw.parse()
                .map_err(|_| format!("{field}: `{raw}` is not a whole number"))
        }
        Ok(JobBody {
            name: Some(self.name.clone()),
            prompt: Some(self.prompt.clone()),
            parameters: Some(json("parameters", &self.parameters)?),
            schedule: Some((!self.schedule.is_empty()).then(|| self.schedule.clone())),
            timezone: Some(self.timezone.clone()),
            schedule_enabled: Some(self.schedule_enabled),
            parameter_sets: Some(json("parameter_sets", &self.parameter_sets)?),
            fan_out_concurrency: Some(number("fan_out_concurrency", &self.fan_out_concurrency)?),
            timeout_seconds: Some(number("timeout_seconds", &self.timeout_seconds)?),
            retry: Some(RetryPolicy {
                max_retries: number("retry.max_retries", &self.max_retries)?,
                delay_seconds: number("retry.delay_seconds", &self.retry_delay_seconds)?,
            }),
            channel_ids: Some(self.channel_ids.clone()),
            queries: Some(json("queries", &self.queries)?),
        })
    }
}

/// A notification channel offered to the job.
pub struct ChannelChoice {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "job_settings.html")]
struct SettingsPage {
    layout: Layout,
    /// `None` for a new job.
    job_id: Option<String>,
    heading: String,
    form: JobForm,
    agents: Vec<Choice>,
    channels: Vec<ChannelChoice>,
    can_write: bool,
    error: Option<String>,
    saved: bool,
}

struct Shown<'a> {
    job: Option<&'a Job>,
    form: JobForm,
    error: Option<String>,
    saved: bool,
}

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    shown: Shown<'_>,
) -> Result<Response, PageError> {
    let org = &viewer.user.org_id;
    let agents = agent_names(state, viewer).await?;
    let listed = state
        .store
        .list_channels(
            org,
            Page {
                limit: CHANNELS_LISTED,
                offset: 0,
            },
        )
        .await?;
    let mut channels: Vec<ChannelChoice> = listed
        .items
        .iter()
        .map(|c| ChannelChoice {
            id: c.id.to_string(),
            name: c.name.clone(),
            checked: shown.form.channel_ids.contains(&c.id.to_string()),
        })
        .collect();
    // A channel the job sends to but not listed keeps its box.
    for id in &shown.form.channel_ids {
        if !channels.iter().any(|c| &c.id == id) {
            channels.push(ChannelChoice {
                id: id.clone(),
                name: id.clone(),
                checked: true,
            });
        }
    }
    let heading = shown.job.map_or("New job".to_owned(), |j| j.name.clone());
    let refused = shown.error.is_some();
    let page = SettingsPage {
        layout: Layout::signed_in(heading.clone(), viewer, "/jobs"),
        job_id: shown.job.map(|j| j.id.to_string()),
        heading,
        agents: choices(
            &shown.form.agent_id,
            agents.iter().map(|(id, name)| (id.as_str(), name.as_str())),
        ),
        channels,
        form: shown.form,
        can_write: viewer.can(WRITE),
        error: shown.error,
        saved: shown.saved,
    };
    Ok(render_form(&page, refused))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NewParams {
    /// The agent chosen in advance (`?agent_id=`).
    #[serde(default)]
    agent_id: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<NewParams>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    let form = JobForm {
        agent_id: params.agent_id,
        ..JobForm::default()
    };
    let shown = Shown {
        job: None,
        form,
        error: None,
        saved: false,
    };
    settings_page(&state, &viewer, shown).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let form = JobForm::read(&fields);
    let org = &viewer.user.org_id;
    let created = match AgentId::parse(&form.agent_id) {
        Ok(agent) => submit(form.as_body(), |body| create_job(&state, org, &agent, body)).await,
        Err(_) => Err("agent_id: choose the agent that answers the job".into()),
    };
    match created {
        Ok(job) => Ok(see_other(&format!("/jobs/{}", job.id))),
        Err(error) => {
            let shown = Shown {
                job: None,
                form,
                error: Some(error),
                saved: false,
            };
            settings_page(&state, &viewer, shown).await
        }
    }
}

pub async fn find_job(state: &AppState, viewer: &Viewer, id: &str) -> Result<Job, PageError> {
    let missing = || PageError::NotFound(format!("There is no job {id}."));
    let job_id = JobId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_job(&viewer.user.org_id, &job_id)
        .await?
        .ok_or_else(missing)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedParam {
    #[serde(default)]
    saved: bool,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<SavedParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let job = find_job(&state, &viewer, &id).await?;
    let shown = Shown {
        job: Some(&job),
        form: JobForm::of(&job),
        error: None,
        saved: params.saved,
    };
    settings_page(&state, &viewer, shown).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let job = find_job(&state, &viewer, &id).await?;
    let mut form = JobForm::read(&fields);
    // The agent is fixed once created; the form does not send it.
    form.agent_id = job.agent_id.to_string();
    let updated = submit(form.as_body(), |body| {
        update_job(&state, &viewer.user.org_id, &job.id, body)
    })
    .await;
    match updated {
        Ok(job) => Ok(see_other(&format!("/jobs/{}/settings?saved=true", job.id))),
        Err(error) => {
            let shown = Shown {
                job: Some(&job),
                form,
                error: Some(error),
                saved: false,
            };
            settings_page(&state, &viewer, shown).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let job = find_job(&state, &viewer, &id).await?;
    delete_job(&state, &viewer.user.org_id, &job.id).await?;
    Ok(see_other("/jobs"))
}
