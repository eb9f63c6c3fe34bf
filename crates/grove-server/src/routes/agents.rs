//! `/api/v1/agents`: knowledge-agent CRUD (validation: strategy, model,
//! temperature 0–2, max_tokens, similarity threshold, data sources of the
//! organisation, unique slug). The legacy `/api/ai-agent-managers` family
//! takes and shows `strategyCode` (REDWOOD | CEDAR | CYPRESS) as well.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::agents::{Agent, AgentStatus, Components, ModelSource, RagStrategy};
use grove_core::ids::{AgentId, DataConnectorId, DataSourceId, OrgId};
use grove_core::scope::{Requirement, Scope};
use grove_core::ApiError;
use grove_store::{NewAgent, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::data_sources::known_sources;
use super::{both_families, route_in, Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{id_list, path_id, trimmed_text, unknown_ids, Json, ListParams, Query};
use crate::state::AppState;

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 2000;
const MAX_SYSTEM_PROMPT: usize = 20_000;
const MAX_TOKENS: std::ops::RangeInclusive<u32> = 1..=8192;
const MAX_SOURCES: usize = 100;
const MAX_SLUG: usize = 64;
/// Most tool rounds an agent may allow its analyst loop.
const MAX_STEPS: u32 = 50;
/// Highest token budget an agent may give one analyst run.
const MAX_RUN_TOKENS: u64 = 10_000_000;
/// Highest cost budget, in USD, an agent may give one analyst run.
const MAX_RUN_COST_USD: f64 = 10_000.0;

/// An agent as created or updated. On create, `name` and `data_source_ids`
/// or `data_connector_ids` are required (an agent reads at least one data
/// source or one database); on update every field is optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// Lower-case letters, digits and `-`; derived from the name if absent.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$")]
    pub slug: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[schema(max_length = 20000)]
    pub system_prompt: Option<String>,
    /// `redwood`, `cedar` or `cypress` (default `redwood`).
    pub rag_strategy: Option<RagStrategy>,
    /// `extractive` or `<provider>:<model>`; absent or `null`: the
    /// organisation's `default_model` (`GET /api/v1/organization/settings`).
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub model: Option<Option<String>>,
    /// 0 to 2, default 0.7.
    #[schema(minimum = 0, maximum = 2)]
    pub temperature: Option<f64>,
    /// 1 to 8192, default 500.
    #[schema(minimum = 1, maximum = 8192)]
    pub max_tokens: Option<i64>,
    /// 0 to 1; default from the config (0.7).
    #[schema(minimum = 0, maximum = 1)]
    pub similarity_threshold: Option<f64>,
    #[schema(max_items = 100)]
    pub data_source_ids: Option<Vec<String>>,
    /// Data connectors the agent's tool loop may query (with a language
    /// model).
    #[schema(max_items = 100)]
    pub data_connector_ids: Option<Vec<String>>,
    /// Tool rounds of the analyst loop before it must answer: 1 to 50,
    /// default 8.
    #[schema(minimum = 1, maximum = 50)]
    pub max_steps: Option<u32>,
    /// Splits the analyst loop into a `query` and an `analysis` component,
    /// each with an optional `model` of its own; `null` joins them again.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<Components>)]
    pub components: Option<Option<Components>>,
    /// Tokens one analyst run may use (1 to 10,000,000); `null`: no limit.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 10_000_000)]
    pub max_run_tokens: Option<Option<u64>>,
    /// Estimated USD one analyst run may cost (above 0, at most 10,000);
    /// `null`: no limit.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<f64>, exclusive_minimum = 0, maximum = 10_000)]
    pub max_run_cost_usd: Option<Option<f64>>,
    /// Default true; an inactive agent is not queried.
    pub active: Option<bool>,
}

/// The legacy body: `strategyCode` in place of `rag_strategy`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AiAgentManagerBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$")]
    pub slug: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[schema(max_length = 20000)]
    pub system_prompt: Option<String>,
    /// REDWOOD, CEDAR or CYPRESS.
    #[schema(pattern = "^(REDWOOD|CEDAR|CYPRESS|redwood|cedar|cypress)$")]
    pub strategy_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub model: Option<Option<String>>,
    #[schema(minimum = 0, maximum = 2)]
    pub temperature: Option<f64>,
    #[schema(minimum = 1, maximum = 8192)]
    pub max_tokens: Option<i64>,
    #[schema(minimum = 0, maximum = 1)]
    pub similarity_threshold: Option<f64>,
    #[schema(max_items = 100)]
    pub data_source_ids: Option<Vec<String>>,
    #[schema(max_items = 100)]
    pub data_connector_ids: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 50)]
    pub max_steps: Option<u32>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<Components>)]
    pub components: Option<Option<Components>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 10_000_000)]
    pub max_run_tokens: Option<Option<u64>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<f64>, exclusive_minimum = 0, maximum = 10_000)]
    pub max_run_cost_usd: Option<Option<f64>>,
    pub active: Option<bool>,
}

impl AiAgentManagerBody {
    fn into_body(self) -> Result<AgentBody, Failure> {
        let rag_strategy = self
            .strategy_code
            .map(|code| {
                RagStrategy::parse(&code.to_ascii_lowercase()).ok_or_else(|| {
                    Failure(ApiError::invalid_field(
                        "strategy_code",
                        "must be REDWOOD, CEDAR or CYPRESS",
                    ))
                })
            })
            .transpose()?;
        Ok(AgentBody {
            name: self.name,
            slug: self.slug,
            description: self.description,
            system_prompt: self.system_prompt,
            rag_strategy,
            model: self.model,
            temperature: self.temperature,
            max_tokens: self.max_tokens,
            similarity_threshold: self.similarity_threshold,
            data_source_ids: self.data_source_ids,
            data_connector_ids: self.data_connector_ids,
            max_steps: self.max_steps,
            components: self.components,
            max_run_tokens: self.max_run_tokens,
            max_run_cost_usd: self.max_run_cost_usd,
            active: self.active,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentList {
    pub agents: Vec<Agent>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// An agent in the legacy family: every field plus `strategyCode`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AiAgentManager {
    #[serde(flatten)]
    pub agent: Agent,
    pub strategy_code: String,
}

impl From<Agent> for AiAgentManager {
    fn from(agent: Agent) -> Self {
        let strategy_code = agent.rag_strategy.as_str().to_ascii_uppercase();
        Self {
            agent,
            strategy_code,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AiAgentManagerList {
    pub agents: Vec<AiAgentManager>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

pub(super) fn agent_id(raw: &str) -> Result<AgentId, Failure> {
    path_id(raw, "id", AgentId::parse)
}

/// The agent of the caller's organisation, or 404.
pub(crate) async fn find(state: &AppState, org: &OrgId, id: &AgentId) -> Result<Agent, Failure> {
    state
        .store
        .get_agent(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("agent", id.as_str())))
}

/// The agent a client names by slug or by id, in `org`.
pub(crate) async fn by_slug_or_id(
    state: &AppState,
    org: &OrgId,
    name: &str,
) -> Result<Option<Agent>, Failure> {
    if let Some(agent) = state.store.agent_by_slug(org, name).await? {
        return Ok(Some(agent));
    }
    Ok(match AgentId::parse(name) {
        Ok(id) => state.store.get_agent(org, &id).await?,
        Err(_) => None,
    })
}

/// A slug from a name: lower-case ASCII letters and digits, `-` between words.
fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug
        .trim_end_matches('-')
        .chars()
        .take(MAX_SLUG - 4)
        .collect();
    if slug.is_empty() {
        "agent".to_owned()
    } else {
        slug.trim_end_matches('-').to_owned()
    }
}

fn check_slug(slug: &str) -> Result<(), Failure> {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(Failure(ApiError::invalid_field(
            "slug",
            format!(
                "must be 1 to {MAX_SLUG} lower-case letters, digits and `-`, not starting with `-`"
            ),
        )))
    }
}

/// 1 to [`MAX_SOURCES`] data sources of the organisation.
async fn check_sources(
    state: &AppState,
    org: &OrgId,
    raw: Vec<String>,
) -> Result<Vec<DataSourceId>, Failure> {
    if raw.len() > MAX_SOURCES {
        return Err(Failure(ApiError::invalid_field(
            "data_source_ids",
            format!("must list at most {MAX_SOURCES} data sources"),
        )));
    }
    known_sources(state, org, &raw).await
}

/// `data_connector_ids`, each a connector of `org`.
async fn check_connectors(
    state: &AppState,
    org: &OrgId,
    raw: Vec<String>,
) -> Result<Vec<DataConnectorId>, Failure> {
    if raw.len() > MAX_SOURCES {
        return Err(Failure(ApiError::invalid_field(
            "data_connector_ids",
            format!("must list at most {MAX_SOURCES} data connectors"),
        )));
    }
    let ids = id_list("data_connector_ids", &raw, DataConnectorId::parse)?;
    let missing = state.store.missing_connectors(org, &ids).await?;
    if !missing.is_empty() {
        return Err(unknown_ids(
            "data_connector_ids",
            &raw,
            &missing,
            "data connector",
        ));
    }
    Ok(ids)
}

/// A component's model: a known language model (the extractive one calls
/// no tools).
fn check_component_model(
    providers: &grove_llm::Providers,
    field: &str,
    model: &str,
) -> Result<(), Failure> {
    if model == grove_llm::EXTRACTIVE {
        return Err(Failure(ApiError::invalid_field(
            field,
            "must be a language model (`<provider>:<model>`): `extractive` cannot call tools",
        )));
    }
    providers
        .check(model)
        .map_err(|e| Failure(ApiError::invalid_field(field, e.to_string())))
}

/// Applies a field that `null` clears: absent keeps `base`.
fn nullable_field<T>(
    given: Option<Option<T>>,
    base: Option<T>,
    check: impl FnOnce(T) -> Result<T, Failure>,
) -> Result<Option<T>, Failure> {
    match given {
        Some(Some(value)) => check(value).map(Some),
        Some(None) => Ok(None),
        None => Ok(base),
    }
}

/// What `prepare` checked against the store.
struct Prepared {
    body: AgentBody,
    sources: Option<Vec<DataSourceId>>,
    connectors: Option<Vec<DataConnectorId>>,
}

fn in_range(field: &str, value: f64, range: std::ops::RangeInclusive<f64>) -> Result<f32, Failure> {
    if value.is_finite() && range.contains(&value) {
        Ok(value as f32)
    } else {
        Err(Failure(ApiError::invalid_field(
            field,
            format!("must be between {} and {}", range.start(), range.end()),
        )))
    }
}

pub(crate) fn check_temperature(value: f64) -> Result<f32, Failure> {
    in_range("temperature", value, 0.0..=2.0)
}

pub(crate) fn check_max_tokens(value: i64) -> Result<u32, Failure> {
    u32::try_from(value)
        .ok()
        .filter(|v| MAX_TOKENS.contains(v))
        .ok_or_else(|| {
            Failure(ApiError::invalid_field(
                "max_tokens",
                format!(
                    "must be between {} and {}",
                    MAX_TOKENS.start(),
                    MAX_TOKENS.end()
                ),
            ))
        })
}

/// The checks of `body` that need the providers or the store, made before
/// the write: the model, if given, and the data sources, if given.
async fn prepare(state: &AppState, org: &OrgId, mut body: AgentBody) -> Result<Prepared, Failure> {
    let providers = state.answerer.providers();
    if let Some(Some(model)) = &mut body.model {
        *model = model.trim().to_owned();
        providers
            .check(model)
            .map_err(|e| Failure(ApiError::invalid_field("model", e.to_string())))?;
    }
    if let Some(Some(components)) = &mut body.components {
        for (field, component) in [
            ("components.query.model", &mut components.query),
            ("components.analysis.model", &mut components.analysis),
        ] {
            if let Some(model) = &mut component.model {
                *model = model.trim().to_owned();
                check_component_model(providers, field, model)?;
            }
        }
    }
    let sources = match body.data_source_ids.take() {
        Some(raw) => Some(check_sources(state, org, raw).await?),
        None => None,
    };
    let connectors = match body.data_connector_ids.take() {
        Some(raw) => Some(check_connectors(state, org, raw).await?),
        None => None,
    };
    Ok(Prepared {
        body,
        sources,
        connectors,
    })
}

/// Applies a prepared `body` over `base` (the stored agent, or defaults)
/// and checks every field it gives.
fn merge(base: NewAgent, prepared: Prepared) -> Result<NewAgent, Failure> {
    let Prepared {
        body,
        sources,
        connectors,
    } = prepared;
    let name = match body.name {
        Some(name) => trimmed_text("name", &name, MAX_NAME, true)?,
        None => base.name,
    };
    let slug = body.slug.unwrap_or(base.slug);
    check_slug(&slug)?;
    let data_source_ids = sources.unwrap_or(base.data_source_ids);
    let data_connector_ids = connectors.unwrap_or(base.data_connector_ids);
    if data_source_ids.is_empty() && data_connector_ids.is_empty() {
        return Err(Failure(ApiError::invalid_field(
            "data_source_ids",
            "an agent needs at least one data source or one data connector",
        )));
    }
    Ok(NewAgent {
        name,
        slug,
        description: match body.description {
            Some(d) => trimmed_text("description", &d, MAX_DESCRIPTION, false)?,
            None => base.description,
        },
        system_prompt: match body.system_prompt {
            Some(p) => trimmed_text("system_prompt", &p, MAX_SYSTEM_PROMPT, false)?,
            None => base.system_prompt,
        },
        rag_strategy: body.rag_strategy.unwrap_or(base.rag_strategy),
        model: nullable_field(body.model, base.model, Ok)?,
        temperature: body
            .temperature
            .map(check_temperature)
            .transpose()?
            .unwrap_or(base.temperature),
        max_tokens: body
            .max_tokens
            .map(check_max_tokens)
            .transpose()?
            .unwrap_or(base.max_tokens),
        similarity_threshold: body
            .similarity_threshold
            .map(|t| in_range("similarity_threshold", t, 0.0..=1.0))
            .transpose()?
            .unwrap_or(base.similarity_threshold),
        data_source_ids,
        data_connector_ids,
        max_steps: match body.max_steps {
            Some(n) if (1..=MAX_STEPS).contains(&n) => n,
            Some(_) => {
                return Err(Failure(ApiError::invalid_field(
                    "max_steps",
                    format!("must be between 1 and {MAX_STEPS}"),
                )))
            }
            None => base.max_steps,
        },
        components: nullable_field(body.components, base.components, Ok)?,
        max_run_tokens: nullable_field(body.max_run_tokens, base.max_run_tokens, |n| {
            if (1..=MAX_RUN_TOKENS).contains(&n) {
                Ok(n)
            } else {
                Err(Failure(ApiError::invalid_field(
                    "max_run_tokens",
                    format!("must be between 1 and {MAX_RUN_TOKENS}"),
                )))
            }
        })?,
        max_run_cost_usd: nullable_field(body.max_run_cost_usd, base.max_run_cost_usd, |usd| {
            if usd.is_finite() && usd > 0.0 && usd <= MAX_RUN_COST_USD {
                Ok(usd)
            } else {
                Err(Failure(ApiError::invalid_field(
                    "max_run_cost_usd",
                    format!("must be above 0 and at most {MAX_RUN_COST_USD}"),
                )))
            }
        })?,
        active: body.active.unwrap_or(base.active),
    })
}

fn defaults(state: &AppState) -> NewAgent {
    NewAgent {
        name: String::new(),
        slug: String::new(),
        description: String::new(),
        system_prompt: String::new(),
        rag_strategy: RagStrategy::Redwood,
        model: None,
        temperature: 0.7,
        max_tokens: 500,
        similarity_threshold: state.config.agents.similarity_threshold,
        data_source_ids: Vec::new(),
        data_connector_ids: Vec::new(),
        max_steps: grove_agent::analyst::DEFAULT_MAX_STEPS,
        components: None,
        max_run_tokens: None,
        max_run_cost_usd: None,
        active: true,
    }
}

/// The agent `body` would make over `base` (the stored agent, or the
/// defaults for a new one), checked as a write is but not written: the
/// console's preview answers with it before anything is saved.
pub async fn unsaved_agent(
    state: &AppState,
    org: &OrgId,
    base: Option<Agent>,
    body: AgentBody,
) -> Result<Agent, Failure> {
    let placeholder = || NewAgent {
        name: body.name.clone().unwrap_or_default(),
        slug: "preview".to_owned(),
        ..defaults(state)
    };
    let start = base.clone().map(NewAgent::from).unwrap_or_else(placeholder);
    let prepared = prepare(state, org, body).await?;
    let new = merge(start, prepared)?;
    let (model, model_source) = match new.model {
        Some(own) => (own, ModelSource::Agent),
        None => (
            state.store.org_settings(org).await?.default_model,
            ModelSource::Organization,
        ),
    };
    let now = jiff::Timestamp::now();
    Ok(Agent {
        id: base
            .as_ref()
            .map_or_else(AgentId::generate, |a| a.id.clone()),
        org_id: org.clone(),
        name: new.name,
        slug: new.slug,
        description: new.description,
        system_prompt: new.system_prompt,
        rag_strategy: new.rag_strategy,
        model,
        model_source,
        temperature: new.temperature,
        max_tokens: new.max_tokens,
        similarity_threshold: new.similarity_threshold,
        data_source_ids: new.data_source_ids,
        data_connector_ids: new.data_connector_ids,
        max_steps: new.max_steps,
        components: new.components,
        max_run_tokens: new.max_run_tokens,
        max_run_cost_usd: new.max_run_cost_usd,
        status: if new.active {
            AgentStatus::Active
        } else {
            AgentStatus::Inactive
        },
        active: new.active,
        created_at: base.as_ref().map_or(now, |a| a.created_at),
        updated_at: now,
    })
}

/// Creates an agent; a slug derived from the name gets `-2`, `-3`, … when
/// taken, an explicit one that is taken gives 409.
pub async fn create_agent(
    state: &AppState,
    org: &OrgId,
    body: AgentBody,
) -> Result<Agent, Failure> {
    let name = body
        .name
        .clone()
        .ok_or_else(|| Failure(ApiError::invalid_field("name", "is required")))?;
    if body.data_source_ids.is_none() && body.data_connector_ids.is_none() {
        return Err(Failure(ApiError::invalid_field(
            "data_source_ids",
            "is required (or data_connector_ids)",
        )));
    }
    let derived = body.slug.is_none();
    let base = NewAgent {
        slug: slugify(&name),
        ..defaults(state)
    };
    let prepared = prepare(state, org, body).await?;
    let new = merge(base, prepared)?;
    for n in 1..=50 {
        let mut attempt = new.clone();
        if n > 1 {
            attempt.slug = format!("{}-{n}", new.slug);
        }
        match state.store.create_agent(org, attempt).await {
            Err(StoreError::Conflict(_)) if derived => continue,
            other => return Ok(other?),
        }
    }
    Err(Failure(ApiError::conflict(
        "could not find a free slug; give one",
    )))
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<AgentBody>,
) -> ApiResult<(StatusCode, JsonResponse<Agent>)> {
    let agent = create_agent(&state, caller.org(), body).await?;
    Ok((StatusCode::CREATED, JsonResponse(agent)))
}

async fn create_legacy(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<AiAgentManagerBody>,
) -> ApiResult<(StatusCode, JsonResponse<AiAgentManager>)> {
    let agent = create_agent(&state, caller.org(), body.into_body()?).await?;
    Ok((StatusCode::CREATED, JsonResponse(agent.into())))
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    params: ListParams,
) -> Result<(Vec<Agent>, u64, grove_core::page::Page), Failure> {
    let page = params.page()?;
    let listed = state.store.list_agents(caller.org(), page).await?;
    Ok((listed.items, listed.total, page))
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<AgentList>> {
    let (agents, total, page) = list_page(&state, &caller, params).await?;
    Ok(JsonResponse(AgentList {
        agents,
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn list_legacy(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<AiAgentManagerList>> {
    let (agents, total, page) = list_page(&state, &caller, params).await?;
    Ok(JsonResponse(AiAgentManagerList {
        agents: agents.into_iter().map(Into::into).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<Agent>> {
    Ok(JsonResponse(
        find(&state, caller.org(), &agent_id(&id)?).await?,
    ))
}

async fn get_legacy(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<AiAgentManager>> {
    Ok(JsonResponse(
        find(&state, caller.org(), &agent_id(&id)?).await?.into(),
    ))
}

/// Applies `body` to agent `raw_id`, merged over it as stored.
pub async fn update_agent(
    state: &AppState,
    org: &OrgId,
    raw_id: &str,
    body: AgentBody,
) -> Result<Agent, Failure> {
    let id = agent_id(raw_id)?;
    let prepared = prepare(state, org, body).await?;
    // Merged over the agent as stored at the moment of the write, so
    // concurrent updates of different fields all land.
    let change = Box::new(move |base| merge(base, prepared).map_err(|Failure(e)| e));
    state
        .store
        .change_agent(org, &id, change)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("agent", id.as_str())))
}

async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<AgentBody>,
) -> ApiResult<JsonResponse<Agent>> {
    Ok(JsonResponse(
        update_agent(&state, caller.org(), &id, body).await?,
    ))
}

async fn update_legacy(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<AiAgentManagerBody>,
) -> ApiResult<JsonResponse<AiAgentManager>> {
    let agent = update_agent(&state, caller.org(), &id, body.into_body()?).await?;
    Ok(JsonResponse(agent.into()))
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = agent_id(&id)?;
    if state.store.delete_agent(caller.org(), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Failure(ApiError::not_found("agent", id.as_str())))
    }
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "agents",
        request: None,
        response: (200, Some("Agent")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    let legacy = |id: &'static str, summary: &'static str| RouteDoc {
        response: (200, Some("AiAgentManager")),
        ..doc(id, summary)
    };
    let mut routes = vec![
        route_in(
            Family::V1,
            Method::GET,
            "/api/v1/agents",
            Requirement::scope(Scope::Read),
            RouteDoc {
                response: (200, Some("AgentList")),
                paginated: true,
                ..doc("listAgents", "List agents")
            },
            get(list),
        ),
        route_in(
            Family::Legacy,
            Method::GET,
            "/api/ai-agent-managers",
            Requirement::scope(Scope::Read),
            RouteDoc {
                response: (200, Some("AiAgentManagerList")),
                paginated: true,
                ..legacy("listAiAgentManagers", "List agents (legacy shape)")
            },
            get(list_legacy),
        ),
        route_in(
            Family::V1,
            Method::POST,
            "/api/v1/agents",
            Requirement::scope(Scope::Write),
            RouteDoc {
                request: Some("AgentBody"),
                required: &["name", "data_source_ids|data_connector_ids"],
                response: (201, Some("Agent")),
                ..doc("createAgent", "Create an agent")
            },
            post(create),
        ),
        route_in(
            Family::Legacy,
            Method::POST,
            "/api/ai-agent-managers",
            Requirement::scope(Scope::Write),
            RouteDoc {
                request: Some("AiAgentManagerBody"),
                required: &["name", "data_source_ids|data_connector_ids"],
                response: (201, Some("AiAgentManager")),
                ..legacy("createAiAgentManager", "Create an agent (legacy shape)")
            },
            post(create_legacy),
        ),
        route_in(
            Family::V1,
            Method::GET,
            "/api/v1/agents/{id}",
            Requirement::scope(Scope::Read),
            doc("getAgent", "Get an agent"),
            get(get_one),
        ),
        route_in(
            Family::Legacy,
            Method::GET,
            "/api/ai-agent-managers/{id}",
            Requirement::scope(Scope::Read),
            legacy("getAiAgentManager", "Get an agent (legacy shape)"),
            get(get_legacy),
        ),
        route_in(
            Family::V1,
            Method::PUT,
            "/api/v1/agents/{id}",
            Requirement::scope(Scope::Write),
            RouteDoc {
                request: Some("AgentBody"),
                ..doc("updateAgent", "Update an agent (fields optional)")
            },
            put(update),
        ),
        route_in(
            Family::Legacy,
            Method::PUT,
            "/api/ai-agent-managers/{id}",
            Requirement::scope(Scope::Write),
            RouteDoc {
                request: Some("AiAgentManagerBody"),
                ..legacy("updateAiAgentManager", "Update an agent (legacy shape)")
            },
            put(update_legacy),
        ),
    ];
    routes.extend(both_families(
        Method::DELETE,
        "/api/v1/agents/{id}",
        "/api/ai-agent-managers/{id}",
        Scope::Write,
        RouteDoc {
            response: (204, None),
            ..doc("deleteAgent", "Delete an agent and its sessions")
        },
        || delete(remove),
    ));
    routes
}
