//! `/agents/new` and `/agents/{id}`: an agent's settings, with a preview
//! beside them that answers a question with the settings as they stand
//! in the form, before anything is saved (nothing it answers enters the
//! log). Saving, the preview and the checks all go through the API's own
//! functions (`routes::agents`), so a value the API refuses is refused
//! here with the API's reason. The analyst settings are there too: the
//! data connectors it may query, its tool rounds, its run budgets and its
//! split into query and analysis components.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use grove_agent::Unrecorded;
use grove_core::agents::{Agent, Component, Components, RagStrategy};
use grove_core::page::Page;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::agents::{create_agent, unsaved_agent, update_agent, AgentBody};
use grove_server::state::AppState;

use super::agents::{answer_html, find_agent, source_view, TurnView};
use super::{
    choices, render, render_form, see_other, submit, Choice, CsrfForm, Fields, Layout, PageError,
    Time,
};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Creating, changing and deleting agents: the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);
/// The preview asks a question (the API's execute scope) with settings
/// only an editor may choose (model, prompt, sources): it needs both.
const ASK: Requirement = Requirement::scope(Scope::Execute);
/// Data sources and connectors offered as checkboxes (the agent's own
/// always are).
const SOURCES_LISTED: u32 = 1_000;
/// Longest preview question.
const MAX_QUESTION: usize = 4_000;

/// The settings as the form holds them (text, as typed).
#[derive(Debug, Default)]
pub struct SettingsForm {
    pub name: String,
    pub description: String,
    pub system_prompt: String,
    pub rag_strategy: String,
    pub model: String,
    pub temperature: String,
    pub max_tokens: String,
    pub similarity_threshold: String,
    pub data_source_ids: Vec<String>,
    pub data_connector_ids: Vec<String>,
    pub max_steps: String,
    /// Empty: no limit.
    pub max_run_tokens: String,
    pub max_run_cost_usd: String,
    /// The analyst loop split into `query` and `analysis` components, each
    /// with an optional model of its own.
    pub split: bool,
    pub query_model: String,
    pub analysis_model: String,
    pub active: bool,
    pub question: String,
}

impl SettingsForm {
    fn of(agent: &Agent) -> Self {
        SettingsForm {
            name: agent.name.clone(),
            description: agent.description.clone(),
            system_prompt: agent.system_prompt.clone(),
            rag_strategy: agent.rag_strategy.as_str().to_owned(),
            model: match agent.model_source {
                grove_core::agents::ModelSource::Agent => agent.model.clone(),
                grove_core::agents::ModelSource::Organization => String::new(),
            },
            temperature: agent.temperature.to_string(),
            max_tokens: agent.max_tokens.to_string(),
            similarity_threshold: agent.similarity_threshold.to_string(),
            data_source_ids: agent
                .data_source_ids
                .iter()
                .map(|d| d.to_string())
                .collect(),
            data_connector_ids: agent
                .data_connector_ids
                .iter()
                .map(|d| d.to_string())
                .collect(),
            max_steps: agent.max_steps.to_string(),
            max_run_tokens: agent
                .max_run_tokens
                .map(|n| n.to_string())
                .unwrap_or_default(),
            max_run_cost_usd: agent
                .max_run_cost_usd
                .map(|n| n.to_string())
                .unwrap_or_default(),
            split: agent.components.is_some(),
            query_model: component_model(agent, |c| &c.query),
            analysis_model: component_model(agent, |c| &c.analysis),
            active: agent.active,
            question: String::new(),
        }
    }

    fn read(fields: &Fields) -> Self {
        SettingsForm {
            name: fields.one("name"),
            description: fields.one("description"),
            system_prompt: fields.one("system_prompt"),
            rag_strategy: fields.one("rag_strategy"),
            model: fields.one("model"),
            temperature: fields.one("temperature"),
            max_tokens: fields.one("max_tokens"),
            similarity_threshold: fields.one("similarity_threshold"),
            data_source_ids: fields.all("data_source_ids"),
            data_connector_ids: fields.all("data_connector_ids"),
            max_steps: fields.one("max_steps"),
            max_run_tokens: fields.one("max_run_tokens"),
            max_run_cost_usd: fields.one("max_run_cost_usd"),
            split: fields.has("split"),
            query_model: fields.one("query_model"),
            analysis_model: fields.one("analysis_model"),
            active: fields.has("active"),
            question: fields.one("question"),
        }
    }

    /// The API body of these settings, or the field that is not a number.
    fn as_body(&self) -> Result<AgentBody, String> {
        fn number<T: std::str::FromStr>(field: &str, raw: &str) -> Result<Option<T>, String> {
            if raw.is_empty() {
                return Ok(None);
            }
            raw.parse()
                .map(Some)
                .map_err(|_| format!("{field}: `{raw}` is not a number"))
        }
        Ok(AgentBody {
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            system_prompt: Some(self.system_prompt.clone()),
            rag_strategy: RagStrategy::parse(&self.rag_strategy),
            model: Some((!self.model.is_empty()).then(|| self.model.clone())),
            temperature: number("temperature", &self.temperature)?,
            max_tokens: number("max_tokens", &self.max_tokens)?,
            similarity_threshold: number("similarity_threshold", &self.similarity_threshold)?,
            data_source_ids: Some(self.data_source_ids.clone()),
            data_connector_ids: Some(self.data_connector_ids.clone()),
            max_steps: number("max_steps", &self.max_steps)?,
            // Empty is "no limit" (`null` in the API).
            max_run_tokens: Some(number("max_run_tokens", &self.max_run_tokens)?),
            max_run_cost_usd: Some(number("max_run_cost_usd", &self.max_run_cost_usd)?),
            components: Some(self.split.then(|| Components {
                query: component(&self.query_model),
                analysis: component(&self.analysis_model),
            })),
            active: Some(self.active),
            ..AgentBody::default()
        })
    }
}

fn component_model(agent: &Agent, part: impl Fn(&Components) -> &Component) -> String {
    agent
        .components
        .as_ref()
        .and_then(|c| part(c).model.clone())
        .unwrap_or_default()
}

fn component(model: &str) -> Component {
    Component {
        model: (!model.is_empty()).then(|| model.to_owned()),
    }
}

/// Checkboxes of (id, name) with `chosen` checked; a chosen id not
/// listed keeps its box, so saving never drops it unseen.
fn checkboxes(
    listed: impl Iterator<Item = (String, String)>,
    chosen: &[String],
) -> Vec<SourceChoice> {
    let mut boxes: Vec<SourceChoice> = listed
        .map(|(id, name)| SourceChoice {
            checked: chosen.contains(&id),
            id,
            name,
        })
        .collect();
    for id in chosen {
        if !boxes.iter().any(|b| &b.id == id) {
            boxes.push(SourceChoice {
                id: id.clone(),
                name: id.clone(),
                checked: true,
            });
        }
    }
    boxes
}

/// A checkbox of a data source or connector the agent may read.
pub struct SourceChoice {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "agent_settings.html")]
struct SettingsPage {
    layout: Layout,
    /// `None` for a new agent.
    agent_id: Option<String>,
    heading: String,
    form: SettingsForm,
    strategies: Vec<Choice>,
    sources: Vec<SourceChoice>,
    connectors: Vec<SourceChoice>,
    default_model: String,
    can_write: bool,
    can_preview: bool,
    error: Option<String>,
    saved: bool,
    preview: Option<PreviewView>,
}

/// The preview's answer, or why there is none.
pub struct PreviewView {
    pub turn: Option<TurnView>,
    pub problem: Option<String>,
    pub model: String,
    pub latency_ms: u64,
}

#[derive(Template)]
#[template(path = "agent_preview.html")]
struct PreviewFragment<'a> {
    preview: &'a PreviewView,
}

struct Shown<'a> {
    agent: Option<&'a Agent>,
    form: SettingsForm,
    error: Option<String>,
    saved: bool,
    preview: Option<PreviewView>,
}

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    shown: Shown<'_>,
) -> Result<Response, PageError> {
    let org = &viewer.user.org_id;
    let listed = Page {
        limit: SOURCES_LISTED,
        offset: 0,
    };
    let sources = state.store.list_data_sources(org, None, listed).await?;
    let sources = checkboxes(
        sources
            .items
            .iter()
            .map(|s| (s.id.to_string(), s.name.clone())),
        &shown.form.data_source_ids,
    );
    let connectors = state.store.list_connectors(org, listed).await?;
    let connectors = checkboxes(
        connectors
            .items
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone())),
        &shown.form.data_connector_ids,
    );
    let default_model = state.store.org_settings(org).await?.default_model;
    let refused = shown.error.is_some();
    let page = SettingsPage {
        layout: Layout::signed_in(
            shown
                .agent
                .map_or("New agent".to_owned(), |a| a.name.clone()),
            viewer,
            "/agents",
        ),
        agent_id: shown.agent.map(|a| a.id.to_string()),
        heading: shown
            .agent
            .map_or("New agent".to_owned(), |a| a.name.clone()),
        strategies: choices(
            &shown.form.rag_strategy,
            RagStrategy::ALL.iter().map(|s| (s.as_str(), s.as_str())),
        ),
        sources,
        connectors,
        form: shown.form,
        default_model,
        can_write: viewer.can(WRITE),
        can_preview: viewer.can(ASK) && viewer.can(WRITE),
        error: shown.error,
        saved: shown.saved,
        preview: shown.preview,
    };
    Ok(render_form(&page, refused))
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    let form = SettingsForm {
        rag_strategy: RagStrategy::Redwood.as_str().to_owned(),
        active: true,
        ..SettingsForm::default()
    };
    let shown = Shown {
        agent: None,
        form,
        error: None,
        saved: false,
        preview: None,
    };
    settings_page(&state, &viewer, shown).await
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
    axum::extract::Query(params): axum::extract::Query<SavedParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let agent = find_agent(&state, &viewer, &id).await?;
    let shown = Shown {
        agent: Some(&agent),
        form: SettingsForm::of(&agent),
        error: None,
        saved: params.saved,
        preview: None,
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
    let form = SettingsForm::read(&fields);
    let created = submit(form.as_body(), |body| {
        create_agent(&state, &viewer.user.org_id, body)
    })
    .await;
    match created {
        Ok(agent) => Ok(see_other(&format!("/agents/{}?saved=true", agent.id))),
        Err(error) => {
            let shown = Shown {
                agent: None,
                form,
                error: Some(error),
                saved: false,
                preview: None,
            };
            settings_page(&state, &viewer, shown).await
        }
    }
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let agent = find_agent(&state, &viewer, &id).await?;
    let form = SettingsForm::read(&fields);
    let updated = submit(form.as_body(), |body| {
        update_agent(&state, &viewer.user.org_id, agent.id.as_str(), body)
    })
    .await;
    match updated {
        Ok(agent) => Ok(see_other(&format!("/agents/{}?saved=true", agent.id))),
        Err(error) => {
            let shown = Shown {
                agent: Some(&agent),
                form,
                error: Some(error),
                saved: false,
                preview: None,
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
    let agent = find_agent(&state, &viewer, &id).await?;
    state
        .store
        .delete_agent(&viewer.user.org_id, &agent.id)
        .await?;
    Ok(see_other("/agents"))
}

/// Answers the form's question with the form's settings, unsaved.
async fn preview_answer(
    state: &AppState,
    viewer: &Viewer,
    base: Option<Agent>,
    form: &SettingsForm,
) -> PreviewView {
    let problem = |text: String| PreviewView {
        turn: None,
        problem: Some(text),
        model: String::new(),
        latency_ms: 0,
    };
    let question = form.question.trim();
    if question.is_empty() {
        return problem("Write a question to try the settings with.".into());
    }
    if question.chars().count() > MAX_QUESTION {
        return problem(format!(
            "The question is longer than {MAX_QUESTION} characters."
        ));
    }
    let body = match form.as_body() {
        Ok(body) => body,
        Err(text) => return problem(text),
    };
    let agent = match unsaved_agent(state, &viewer.user.org_id, base, body).await {
        Ok(agent) => agent,
        Err(failure) => return problem(failure.0.message),
    };
    match state.answerer.answer_unrecorded(&agent, question).await {
        Ok(answer) => PreviewView {
            turn: Some(preview_turn(question, &answer)),
            problem: answer.error.clone(),
            model: agent.model.clone(),
            latency_ms: answer.latency_ms,
        },
        Err(e) => problem(e.to_string()),
    }
}

fn preview_turn(question: &str, answer: &Unrecorded) -> TurnView {
    let anchor = "preview";
    let cited: Vec<_> = answer.sources.iter().filter(|s| s.cited).collect();
    let numbers: Vec<usize> = cited.iter().map(|s| s.number).collect();
    TurnView {
        id: String::new(),
        feedback: None,
        question: question.to_owned(),
        answer_html: answer_html(&answer.text, anchor, &numbers),
        outcome: answer.outcome.as_str(),
        sources: cited.iter().map(|s| source_view(s, anchor)).collect(),
        at: Time::from(jiff::Timestamp::now()),
    }
}

/// `POST /agents/preview` and `/agents/{id}/preview`: the preview's
/// answer; as a fragment for htmx, else the page with it beside the form.
pub async fn preview(
    State(state): State<AppState>,
    viewer: Viewer,
    id: Option<Path<String>>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(ASK)?;
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let agent = match id {
        Some(Path(id)) => Some(find_agent(&state, &viewer, &id).await?),
        None => None,
    };
    let form = SettingsForm::read(&fields);
    let preview = preview_answer(&state, &viewer, agent.clone(), &form).await;
    if headers.contains_key("hx-request") {
        return Ok(render(&PreviewFragment { preview: &preview }));
    }
    let shown = Shown {
        agent: agent.as_ref(),
        form,
        error: None,
        saved: false,
        preview: Some(preview),
    };
    settings_page(&state, &viewer, shown).await
}
