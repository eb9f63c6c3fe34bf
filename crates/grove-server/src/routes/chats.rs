//! Chats, and the agent-job API of the `/api/agents` family.
//!
//! `/api/v1/chats` (list, get, and ad-hoc chats with an agent) answer in
//! snake_case. The `/api/agents` family follows the Interact API seed: the
//! trigger answers `{"success": true, "chat_id", "job_id"}`, and chats are
//! shown in camelCase (`createdAt`, `agentId` filters).

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json as JsonResponse};
use grove_agent::analyst::{Analyst, AnalystRequest};
use grove_agent::{AgentError, Question};
use grove_core::agents::Agent;
use grove_core::ids::{AgentId, ChatId, JobId, RunId};
use grove_core::jobs::{
    ChatDocument, ChatMessage, Initiator, MessageRole, ModelUsage, Run, RunStatus,
};
use grove_core::scope::{Requirement, Scope};
use grove_core::{ApiError, ErrorCode};
use grove_store::{ChatRecord, ChatSummary, NewDocument, NewMessage};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc;
use utoipa::ToSchema;

use super::agents::{agent_id, find as find_agent};
use super::jobs::{find as find_job, job_id, start, RunRequest};
use super::{route_in, Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{optional_json, path_id, trimmed_text, Json, ListParams, Query};
use crate::legacy::to_camel;
use crate::state::AppState;

const MAX_MESSAGE: usize = 20_000;

/// A chat with its messages, documents and run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatView {
    pub id: ChatId,
    pub agent_id: AgentId,
    pub job_id: Option<JobId>,
    pub run_id: Option<RunId>,
    pub title: String,
    /// The run's status; absent for ad-hoc chats.
    pub status: Option<RunStatus>,
    /// Tokens and estimated cost of every model call the chat's answers
    /// made (each step and component of an analyst run included).
    pub usage: ModelUsage,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Oldest first.
    pub messages: Vec<ChatMessage>,
    pub documents: Vec<ChatDocument>,
    /// The run's metadata: status, initiator, timestamps, parameters.
    pub run: Option<Run>,
}

impl From<ChatRecord> for ChatView {
    fn from(r: ChatRecord) -> Self {
        Self {
            id: r.chat.id,
            agent_id: r.chat.agent_id,
            job_id: r.chat.job_id,
            run_id: r.chat.run_id,
            title: r.chat.title,
            status: r.run.as_ref().map(|run| run.status),
            usage: r.chat.usage,
            created_at: r.chat.created_at,
            messages: r.messages,
            documents: r.documents,
            run: r.run,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedRef {
    pub id: String,
    pub name: Option<String>,
}

/// A chat in a list (the seed's shape).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatListItem {
    pub id: ChatId,
    pub title: String,
    pub status: Option<RunStatus>,
    pub initiator: Option<Initiator>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub job: Option<NamedRef>,
    pub agent: NamedRef,
}

impl From<ChatSummary> for ChatListItem {
    fn from(s: ChatSummary) -> Self {
        Self {
            job: s.chat.job_id.map(|id| NamedRef {
                id: id.to_string(),
                name: s.job_name,
            }),
            agent: NamedRef {
                id: s.chat.agent_id.to_string(),
                name: s.agent_name,
            },
            id: s.chat.id,
            title: s.chat.title,
            status: s.status,
            initiator: s.initiator,
            created_at: s.chat.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatList {
    pub chats: Vec<ChatListItem>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatFilter {
    #[serde(alias = "agentId")]
    pub agent_id: Option<String>,
    #[serde(alias = "jobId")]
    pub job_id: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// An ad-hoc chat: a first message to an agent, answered at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChatBody {
    #[schema(pattern = "^agent_[A-Za-z0-9]{1,64}$")]
    pub agent_id: String,
    #[schema(min_length = 1, max_length = 20000, pattern = "\\S")]
    pub message: String,
}

/// The seed's trigger answer; `chat_ids` and `run_ids` list every run of a
/// fan-out (the first is `chat_id`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Triggered {
    pub success: bool,
    pub chat_id: Option<ChatId>,
    pub job_id: JobId,
    pub run_id: RunId,
    pub chat_ids: Vec<ChatId>,
    pub run_ids: Vec<RunId>,
}

fn chat_id(raw: &str) -> Result<ChatId, Failure> {
    path_id(raw, "id", ChatId::parse)
}

async fn load(state: &AppState, caller: &Caller, raw: &str) -> Result<ChatView, Failure> {
    let id = chat_id(raw)?;
    state
        .store
        .get_chat(caller.org(), &id)
        .await?
        .map(ChatView::from)
        .ok_or_else(|| Failure(ApiError::not_found("chat", id.as_str())))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<ChatView>> {
    Ok(JsonResponse(load(&state, &caller, &id).await?))
}

async fn get_camel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<Value>> {
    let view = load(&state, &caller, &id).await?;
    let mut shown = camel(&view)?;
    // Parameter names and document contents are the user's and the
    // agent's data, not API fields: they keep their keys.
    if let Some(run) = &view.run {
        shown["run"]["parameters"] = Value::Object(run.parameters.clone());
    }
    for (n, document) in view.documents.iter().enumerate() {
        shown["documents"][n]["content"] = document.content.clone();
    }
    Ok(JsonResponse(shown))
}

fn camel<T: Serialize>(value: &T) -> Result<Value, Failure> {
    serde_json::to_value(value)
        .map(to_camel)
        .map_err(|e| Failure(ApiError::internal(e.to_string())))
}

async fn list_chats(
    state: &AppState,
    caller: &Caller,
    filter: ChatFilter,
) -> Result<ChatList, Failure> {
    let page = ListParams {
        limit: filter.limit,
        offset: filter.offset,
    }
    .page()?;
    let agent = filter
        .agent_id
        .as_deref()
        .map(|a| path_id(a, "agent_id", AgentId::parse))
        .transpose()?;
    let job = filter
        .job_id
        .as_deref()
        .map(|j| path_id(j, "job_id", JobId::parse))
        .transpose()?;
    let listed = state
        .store
        .list_chats(caller.org(), agent.as_ref(), job.as_ref(), page)
        .await?;
    Ok(ChatList {
        chats: listed.items.into_iter().map(Into::into).collect(),
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    })
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(filter): Query<ChatFilter>,
) -> ApiResult<JsonResponse<ChatList>> {
    Ok(JsonResponse(list_chats(&state, &caller, filter).await?))
}

async fn list_camel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(filter): Query<ChatFilter>,
) -> ApiResult<JsonResponse<Value>> {
    let listed = list_chats(&state, &caller, filter).await?;
    Ok(JsonResponse(camel(&listed)?))
}

/// Starts an ad-hoc chat: the agent answers the first message through the
/// knowledge-agent pipeline, and both are kept in the chat.
async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewChatBody>,
) -> ApiResult<(StatusCode, JsonResponse<ChatView>)> {
    let agent = find_agent(&state, caller.org(), &agent_id(&body.agent_id)?).await?;
    let message = trimmed_text("message", &body.message, MAX_MESSAGE, true)?;
    if Analyst::applies_to(&agent) {
        return investigate(&state, &caller, &agent, message).await;
    }
    let question = Question {
        agent: agent.clone(),
        query: message.clone(),
        session_id: None,
        temperature: None,
        max_tokens: None,
        key_id: Some(caller.key.id.clone()),
        user_id: None,
        history: None,
    };
    let prepared = state
        .answerer
        .prepare(question)
        .await
        .map_err(agent_failure)?;
    let (tx, mut rx) = mpsc::channel::<String>(64);
    let drain = async move { while rx.recv().await.is_some() {} };
    let (answered, ()) = tokio::join!(state.answerer.answer(prepared, tx), drain);
    let interaction = answered.map_err(agent_failure)?;
    if let Some(error) = &interaction.error {
        return Err(Failure(ApiError::new(
            ErrorCode::GenerationFailed,
            error.clone(),
        )));
    }
    let usage = ModelUsage {
        input_tokens: interaction.tokens_input,
        output_tokens: interaction.tokens_output,
        cost_usd: interaction.cost_usd,
    };
    let messages = vec![
        question_message(message.clone()),
        NewMessage {
            role: MessageRole::Assistant,
            content: interaction.response,
            sources: interaction.sources,
            model: Some(interaction.model),
        },
    ];
    let answered = Answered {
        messages,
        documents: Vec::new(),
        usage,
    };
    save_chat(&state, &caller, &agent, &message, answered).await
}

/// An ad-hoc chat with an analyst agent: the tool loop's steps, answer and
/// documents.
async fn investigate(
    state: &AppState,
    caller: &Caller,
    agent: &Agent,
    message: String,
) -> ApiResult<(StatusCode, JsonResponse<ChatView>)> {
    if !agent.active {
        return Err(Failure(ApiError::new(
            ErrorCode::AgentInactive,
            format!("agent {} is inactive", agent.id),
        )));
    }
    let request = AnalystRequest {
        org: caller.org(),
        agent,
        question: message.clone(),
        max_steps: agent.max_steps,
    };
    let outcome = state
        .analyst
        .run(request)
        .await
        .map_err(|e| Failure(ApiError::new(ErrorCode::GenerationFailed, e)))?;
    let reply = outcome.reply();
    let mut messages = vec![question_message(message.clone())];
    messages.extend(outcome.steps);
    messages.push(reply);
    let answered = Answered {
        messages,
        documents: outcome.documents,
        usage: outcome.usage,
    };
    save_chat(state, caller, agent, &message, answered).await
}

/// What an ad-hoc chat keeps of its first answer.
struct Answered {
    messages: Vec<NewMessage>,
    documents: Vec<NewDocument>,
    usage: ModelUsage,
}

async fn save_chat(
    state: &AppState,
    caller: &Caller,
    agent: &Agent,
    message: &str,
    answered: Answered,
) -> ApiResult<(StatusCode, JsonResponse<ChatView>)> {
    let title: String = message.chars().take(80).collect();
    let Answered {
        messages,
        documents,
        usage,
    } = answered;
    let chat = state
        .store
        .create_chat(caller.org(), &agent.id, &title, messages, documents, usage)
        .await?;
    let view = load(state, caller, chat.id.as_str()).await?;
    Ok((StatusCode::CREATED, JsonResponse(view)))
}

fn question_message(content: String) -> NewMessage {
    NewMessage {
        role: MessageRole::User,
        content,
        sources: Vec::new(),
        model: None,
    }
}

fn agent_failure(e: AgentError) -> Failure {
    match e {
        AgentError::Inactive(id) => Failure(ApiError::new(
            ErrorCode::AgentInactive,
            format!("agent {id} is inactive"),
        )),
        AgentError::Model(e) => Failure(ApiError::new(ErrorCode::GenerationFailed, e.to_string())),
        other => Failure(ApiError::internal(other.to_string())),
    }
}

/// `POST /api/agents/jobs/{job_id}/trigger`: starts a run (or a fan-out)
/// from an external system.
async fn trigger(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<JsonResponse<Triggered>> {
    let job = find_job(&state, caller.org(), &job_id(&id)?).await?;
    let params = optional_json::<RunRequest>(&body)?.params()?;
    let runs = start(&state, caller.org(), &job, Initiator::Api, params).await?;
    let first = runs
        .first()
        .ok_or_else(|| Failure(ApiError::internal("a trigger started no run")))?;
    Ok(JsonResponse(Triggered {
        success: true,
        chat_id: first.chat_id.clone(),
        job_id: job.id,
        run_id: first.id.clone(),
        chat_ids: runs.iter().filter_map(|r| r.chat_id.clone()).collect(),
        run_ids: runs.iter().map(|r| r.id.clone()).collect(),
    }))
}

fn doc(
    operation_id: &'static str,
    summary: &'static str,
    response: (u16, Option<&'static str>),
) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "chats",
        request: None,
        response,
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    let read = Requirement::scope(Scope::Read);
    let list_doc = |id, summary| RouteDoc {
        paginated: true,
        ..doc(id, summary, (200, Some("ChatList")))
    };
    vec![
        route_in(
            Family::Agents,
            Method::POST,
            "/api/agents/jobs/{job_id}/trigger",
            Requirement::scope_or(Scope::Execute, "agent_jobs_trigger"),
            RouteDoc {
                request: Some("RunRequest"),
                tag: "jobs",
                ..doc(
                    "triggerJob",
                    "Trigger a job run (API trigger)",
                    (200, Some("Triggered")),
                )
            },
            post(trigger),
        ),
        route_in(
            Family::V1,
            Method::GET,
            "/api/v1/chats",
            read,
            list_doc(
                "listChats",
                "List chats, newest first (filters agent_id, job_id)",
            ),
            get(list),
        ),
        route_in(
            Family::Agents,
            Method::GET,
            "/api/agents/chats",
            read,
            RouteDoc {
                camel_case: true,
                ..list_doc(
                    "listAgentChats",
                    "List chats in camelCase (filters agentId, jobId)",
                )
            },
            get(list_camel),
        ),
        route_in(
            Family::V1,
            Method::POST,
            "/api/v1/chats",
            Requirement::scope(Scope::Execute),
            RouteDoc {
                request: Some("NewChatBody"),
                ..doc(
                    "createChat",
                    "Start an ad-hoc chat with an agent",
                    (201, Some("ChatView")),
                )
            },
            post(create),
        ),
        route_in(
            Family::V1,
            Method::GET,
            "/api/v1/chats/{id}",
            read,
            doc(
                "getChat",
                "A chat: messages, documents and run",
                (200, Some("ChatView")),
            ),
            get(get_one),
        ),
        route_in(
            Family::Agents,
            Method::GET,
            "/api/agents/chats/{id}",
            read,
            RouteDoc {
                camel_case: true,
                ..doc(
                    "getAgentChat",
                    "A chat in camelCase",
                    (200, Some("ChatView")),
                )
            },
            get(get_camel),
        ),
    ]
}
