//! `POST /api/v1/query` and legacy `POST /api/chat`: ask an agent. The
//! answer comes whole, or with `stream: true` as Server-Sent Events:
//! `data: {"delta":"…","done":false}` frames as text is generated, then
//! `{"delta":"","done":true,"sources":[…],"metadata":{…}}`. A client that
//! disconnects stops generation (the interaction is recorded as cancelled).

use std::convert::Infallible;

use axum::extract::State;
use axum::http::Method;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json as JsonResponse};
use futures_util::stream;
use grove_agent::{AgentError, Prepared, Question};
use grove_core::agents::{CitedSource, Interaction, Outcome, RagStrategy};
use grove_core::ids::{AgentId, SessionId};
use grove_core::scope::{Requirement, Scope};
use grove_core::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use utoipa::ToSchema;

use super::agents::{check_max_tokens, check_temperature, find};
use super::{Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::Json;
use crate::state::AppState;

/// Characters of a question or search query, at most.
pub(crate) const MAX_QUERY_CHARS: usize = 4096;

/// A question or query, trimmed, refused (naming `field`) when empty or
/// longer than [`MAX_QUERY_CHARS`]: one rule for every face that asks.
pub(crate) fn checked_query<'a>(field: &str, raw: &'a str) -> Result<&'a str, ApiError> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid_field(
            field,
            format!("must be 1 to {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(text)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    #[schema(pattern = "^agent_[A-Za-z0-9]{1,64}$")]
    pub agent_id: String,
    #[schema(min_length = 1, max_length = 4096)]
    pub query: String,
    /// Continues a session; a new one is created when absent.
    #[schema(pattern = "^sess_[A-Za-z0-9]{1,64}$")]
    pub session_id: Option<String>,
    /// Server-Sent Events instead of one JSON answer (default false).
    pub stream: Option<bool>,
    /// 0 to 2; default the agent's.
    #[schema(minimum = 0, maximum = 2)]
    pub temperature: Option<f64>,
    /// 1 to 8192; default the agent's.
    #[schema(minimum = 1, maximum = 8192)]
    pub max_tokens: Option<i64>,
}

/// The legacy body (`agentId`, `sessionId` arrive renamed).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    #[schema(min_length = 1, max_length = 4096, pattern = "\\S")]
    pub prompt: String,
    #[schema(pattern = "^agent_[A-Za-z0-9]{1,64}$")]
    pub agent_id: String,
    #[schema(pattern = "^sess_[A-Za-z0-9]{1,64}$")]
    pub session_id: Option<String>,
    pub stream: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryMetadata {
    pub interaction_id: String,
    pub session_id: Option<String>,
    pub latency_ms: u64,
    pub tokens_input: u64,
    pub tokens_output: u64,
    pub cost_usd: f64,
    pub rag_strategy: RagStrategy,
    pub model: String,
    /// `answered`, `no_answer`, `cancelled` or `failed`.
    pub outcome: Outcome,
    /// The queries retrieval ran (rewritten by cedar, expanded by cypress).
    pub queries: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryResponse {
    pub response: String,
    /// Every retrieved source, numbered as the answer cites them; `cited`
    /// and `span` say which support the answer, and where.
    pub sources: Vec<CitedSource>,
    pub metadata: QueryMetadata,
}

impl From<Interaction> for QueryResponse {
    fn from(i: Interaction) -> Self {
        Self {
            metadata: QueryMetadata {
                interaction_id: i.id.to_string(),
                session_id: i.session_id.map(|s| s.to_string()),
                latency_ms: i.latency_ms,
                tokens_input: i.tokens_input,
                tokens_output: i.tokens_output,
                cost_usd: i.cost_usd,
                rag_strategy: i.rag_strategy,
                model: i.model,
                outcome: i.outcome,
                queries: i.retrieval.queries,
            },
            response: i.response,
            sources: i.sources,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatSource {
    pub title: String,
    pub url: Option<String>,
    pub content: String,
    pub relevance: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatMetadata {
    /// Seconds.
    pub latency: f64,
    pub tokens_used: u64,
    /// REDWOOD, CEDAR or CYPRESS.
    pub strategy: String,
    /// The best similarity among the cited sources (0 without citations).
    pub confidence: f32,
    pub interaction_id: String,
    pub session_id: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatResponse {
    pub response: String,
    pub sources: Vec<ChatSource>,
    pub metadata: ChatMetadata,
}

impl From<Interaction> for ChatResponse {
    fn from(i: Interaction) -> Self {
        let confidence = i
            .sources
            .iter()
            .filter(|s| s.cited)
            .map(|s| s.similarity_score)
            .fold(0.0f32, f32::max);
        Self {
            metadata: ChatMetadata {
                latency: i.latency_ms as f64 / 1000.0,
                tokens_used: i.tokens_input + i.tokens_output,
                strategy: i.rag_strategy.as_str().to_ascii_uppercase(),
                confidence,
                interaction_id: i.id.to_string(),
                session_id: i.session_id.map(|s| s.to_string()),
                outcome: i.outcome,
            },
            response: i.response,
            sources: i
                .sources
                .into_iter()
                .map(|s| ChatSource {
                    title: s.document_title,
                    url: s.document_url,
                    content: s.chunk_text,
                    relevance: s.similarity_score,
                })
                .collect(),
        }
    }
}

/// Which family's shapes an answer takes.
#[derive(Clone, Copy)]
enum Shape {
    V1,
    Legacy,
}

impl Shape {
    /// The final answer as JSON (legacy keys already in camelCase, since
    /// event streams bypass the legacy adapter).
    fn render(self, interaction: Interaction) -> Value {
        match self {
            Shape::V1 => json!(QueryResponse::from(interaction)),
            Shape::Legacy => crate::legacy::to_camel(json!(ChatResponse::from(interaction))),
        }
    }
}

impl From<AgentError> for Failure {
    fn from(e: AgentError) -> Self {
        Failure(match e {
            AgentError::Inactive(id) => ApiError::new(
                ErrorCode::AgentInactive,
                "the agent is inactive; activate it to query it",
            )
            .with_details(json!({ "agent_id": id })),
            AgentError::SessionNotFound(id) => ApiError::not_found("session", id.as_str()),
            AgentError::SessionOfAnotherAgent { .. } => {
                ApiError::invalid_field("session_id", "belongs to another agent")
            }
            AgentError::Model(e) => ApiError::unavailable(format!("the agent's model: {e}")),
            AgentError::Search(e) => return Failure::from(e),
            AgentError::Store(e) => return Failure::from(e),
        })
    }
}

/// Checks the request into a question for the agent.
async fn question(
    state: &AppState,
    caller: &Caller,
    agent_id: &str,
    query: &str,
    session_id: Option<&str>,
) -> Result<Question, Failure> {
    let id = AgentId::parse(agent_id)
        .map_err(|e| Failure(ApiError::invalid_field("agent_id", e.to_string())))?;
    let query = checked_query("query", query)?;
    let session_id = session_id
        .map(|s| {
            SessionId::parse(s)
                .map_err(|e| Failure(ApiError::invalid_field("session_id", e.to_string())))
        })
        .transpose()?;
    Ok(Question {
        agent: find(state, caller.org(), &id).await?,
        query: query.to_owned(),
        session_id,
        temperature: None,
        max_tokens: None,
        key_id: Some(caller.key.id.clone()),
        user_id: None,
        history: None,
    })
}

/// Answers in one piece; a provider failure is a 502 naming the interaction.
pub(crate) async fn answered_whole(state: &AppState, prepared: Prepared) -> ApiResult<Interaction> {
    let (tx, mut rx) = mpsc::channel(32);
    let drain = async { while rx.recv().await.is_some() {} };
    let (answered, ()) = tokio::join!(state.answerer.answer(prepared, tx), drain);
    let interaction = answered?;
    if interaction.outcome == Outcome::Failed {
        return Err(generation_failed(&interaction));
    }
    Ok(interaction)
}

pub(crate) fn generation_failed(i: &Interaction) -> Failure {
    Failure(
        ApiError::new(
            ErrorCode::GenerationFailed,
            format!(
                "the model could not answer: {}",
                i.error.as_deref().unwrap_or("unknown error")
            ),
        )
        .with_details(json!({ "interaction_id": i.id, "model": i.model })),
    )
}

pub(crate) fn frame(value: &Value) -> Event {
    Event::default().data(value.to_string())
}

/// The closing frame: sources and metadata, or the error.
fn closing_frame(answered: Result<Interaction, AgentError>, shape: Shape) -> Value {
    let failure = match answered {
        Ok(i) if i.outcome != Outcome::Failed => {
            let mut done = shape.render(i);
            if let Value::Object(map) = &mut done {
                map.remove("response");
                map.insert("delta".into(), json!(""));
                map.insert("done".into(), json!(true));
            }
            return done;
        }
        Ok(i) => generation_failed(&i),
        Err(e) => Failure::from(e),
    };
    json!({
        "delta": "",
        "done": true,
        "error": {"code": failure.0.code.as_str(), "message": failure.0.message, "details": failure.0.details},
    })
}

/// How an answer's event stream is framed: Grove's `{delta, done}` frames,
/// or the OpenAI-compatible face's chunks.
pub(crate) trait Framing: Send + Sync + 'static {
    /// Frames sent before any text.
    fn opening(&self) -> Vec<Event> {
        Vec::new()
    }
    /// A piece of the answer's text.
    fn delta(&self, piece: &str) -> Event;
    /// The frames that end the stream: sources and metadata, or the error.
    fn closing(&self, answered: Result<Interaction, AgentError>) -> Vec<Event>;
}

impl Framing for Shape {
    fn delta(&self, piece: &str) -> Event {
        frame(&json!({"delta": piece, "done": false}))
    }

    fn closing(&self, answered: Result<Interaction, AgentError>) -> Vec<Event> {
        vec![frame(&closing_frame(answered, *self))]
    }
}

/// Answers as an event stream. Generation runs in its own task so that it
/// is recorded even when the client goes away; the client going away closes
/// the frame channel, which closes the text channel, which stops generation.
pub(crate) fn streamed(state: &AppState, prepared: Prepared, framing: impl Framing) -> Response {
    let (frames, frames_out) = mpsc::channel::<Event>(32);
    let answerer = state.answerer.clone();
    tokio::spawn(async move {
        for event in framing.opening() {
            if frames.send(event).await.is_err() {
                return;
            }
        }
        let (text, text_in) = mpsc::channel::<String>(32);
        let forward = async {
            // Owned here so that returning drops it, closing the text channel.
            let mut text_in = text_in;
            loop {
                tokio::select! {
                    piece = text_in.recv() => match piece {
                        Some(piece) => {
                            if frames.send(framing.delta(&piece)).await.is_err() {
                                return;
                            }
                        }
                        None => return,
                    },
                    _ = frames.closed() => return,
                }
            }
        };
        let (answered, ()) = tokio::join!(answerer.answer(prepared, text), forward);
        for event in framing.closing(answered) {
            if frames.send(event).await.is_err() {
                return;
            }
        }
    });
    let events = stream::unfold(frames_out, |mut rx| async move {
        rx.recv()
            .await
            .map(|event| (Ok::<_, Infallible>(event), rx))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn answer(
    state: &AppState,
    question: Question,
    stream: bool,
    shape: Shape,
) -> ApiResult<Response> {
    let prepared = state.answerer.prepare(question).await?;
    if stream {
        Ok(streamed(state, prepared, shape))
    } else {
        let interaction = answered_whole(state, prepared).await?;
        Ok(JsonResponse(shape.render(interaction)).into_response())
    }
}

async fn query(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<QueryRequest>,
) -> ApiResult<Response> {
    let mut question = question(
        &state,
        &caller,
        &body.agent_id,
        &body.query,
        body.session_id.as_deref(),
    )
    .await?;
    question.temperature = body.temperature.map(check_temperature).transpose()?;
    question.max_tokens = body.max_tokens.map(check_max_tokens).transpose()?;
    answer(&state, question, body.stream.unwrap_or(false), Shape::V1).await
}

async fn chat(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<ChatRequest>,
) -> ApiResult<Response> {
    let question = question(
        &state,
        &caller,
        &body.agent_id,
        &body.prompt,
        body.session_id.as_deref(),
    )
    .await
    .map_err(|Failure(mut e)| {
        // Name the fields as the legacy family sends them.
        if e.details["field"] == "query" {
            e = ApiError::invalid_field("prompt", e.details["reason"].as_str().unwrap_or(""));
        }
        Failure(e)
    })?;
    answer(
        &state,
        question,
        body.stream.unwrap_or(false),
        Shape::Legacy,
    )
    .await
}

pub fn routes() -> Vec<Route> {
    let doc = |operation_id, summary, request, response| RouteDoc {
        operation_id,
        summary,
        tag: "query",
        request: Some(request),
        response: (200, Some(response)),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    };
    vec![
        Route {
            family: Family::V1,
            method: Method::POST,
            path: "/api/v1/query",
            requirement: Requirement::scope(Scope::Execute),
            doc: doc(
                "query",
                "Ask an agent (JSON, or Server-Sent Events with stream: true)",
                "QueryRequest",
                "QueryResponse",
            ),
            handler: post(query),
        },
        Route {
            family: Family::Legacy,
            method: Method::POST,
            path: "/api/chat",
            requirement: Requirement::scope(Scope::Execute),
            doc: doc(
                "chat",
                "Ask an agent (legacy shape)",
                "ChatRequest",
                "ChatResponse",
            ),
            handler: post(chat),
        },
    ]
}
