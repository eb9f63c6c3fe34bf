//! The OpenAI-compatible face under `/v1`, so any tool that speaks OpenAI's
//! Chat Completions (the `openai` SDKs, Open WebUI, LibreChat, LangChain)
//! can talk to Grove's agents with a Grove API key:
//!
//! - `GET /v1/models` and `GET /v1/models/{model}`: the organisation's
//!   agents as models, named by slug (an agent's id is accepted too);
//! - `POST /v1/chat/completions`: `model` is the agent, `messages` the
//!   conversation (the last user message is the question, earlier
//!   user/assistant pairs are the history cedar rewrites from), whole or
//!   streamed as `chat.completion.chunk` frames ending in `data: [DONE]`.
//!
//! Sources travel three ways at once, since clients keep different parts:
//! `message.annotations` of type `url_citation` (on the marker `[n]` in the
//! content), a `sources` field beside `choices`, and, unless the request
//! says `"grove": {"sources_footer": false}`, a "Sources:" footer in the
//! content. Errors take OpenAI's envelope ([`ErrorStyle::OpenAi`]).

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json as JsonResponse};
use grove_agent::{AgentError, Question};
use grove_core::agents::{Agent, CitedSource, Interaction, Outcome, RagStrategy};
use grove_core::scope::{Requirement, Scope};
use grove_core::ApiError;
use grove_llm::Turn;
use grove_store::every;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::agents::{by_slug_or_id, check_max_tokens, check_temperature};
use super::query::{answered_whole, checked_query, frame, generation_failed, streamed, Framing};
use super::{route_in, Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::context::base_url;
use crate::error::{ApiResult, ErrorStyle, Failure};
use crate::extract::Json;
use crate::state::AppState;

/// Characters of an earlier message of the conversation, at most (they are
/// read into cedar's rewrite and the answer's prompt).
const MAX_HISTORY_CHARS: usize = 16_384;

/// Where the face's paths start; a path under it that no route serves
/// is answered in OpenAI's envelope too.
pub const PREFIX: &str = "/v1/";

/// Marks every response of the face so its errors take OpenAI's envelope.
pub async fn openai_errors(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    response.extensions_mut().insert(ErrorStyle::OpenAi);
    response
}

/// An agent as OpenAI lists a model.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelView {
    /// The agent's slug.
    pub id: String,
    /// Always `model`.
    pub object: &'static str,
    /// When the agent was created, in Unix seconds.
    pub created: i64,
    /// Always `grove`.
    pub owned_by: &'static str,
    /// The agent's id, name and description, for clients that show them.
    pub grove: ModelDetails,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelDetails {
    pub agent_id: String,
    pub name: String,
    pub description: String,
    pub active: bool,
}

impl From<Agent> for ModelView {
    fn from(a: Agent) -> Self {
        Self {
            id: a.slug,
            object: "model",
            created: a.created_at.as_second(),
            owned_by: "grove",
            grove: ModelDetails {
                agent_id: a.id.to_string(),
                name: a.name,
                description: a.description,
                active: a.active,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    /// Always `list`.
    pub object: &'static str,
    pub data: Vec<ModelView>,
}

/// The agent a `model` names: its slug, or its id.
async fn agent_for_model(state: &AppState, caller: &Caller, model: &str) -> ApiResult<Agent> {
    by_slug_or_id(state, caller.org(), model)
        .await?
        .ok_or_else(|| {
            Failure(
                ApiError::not_found("model", model).with_details(
                    json!({"field": "model", "reason": "no agent has this slug or id"}),
                ),
            )
        })
}

async fn list_models(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<JsonResponse<ModelList>> {
    // OpenAI's list has no pages: every agent is a model.
    let agents = every(|page| state.store.list_agents(caller.org(), page)).await?;
    Ok(JsonResponse(ModelList {
        object: "list",
        data: agents.into_iter().map(ModelView::from).collect(),
    }))
}

async fn get_model(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(model): Path<String>,
) -> ApiResult<JsonResponse<ModelView>> {
    Ok(JsonResponse(
        agent_for_model(&state, &caller, &model).await?.into(),
    ))
}

/// A message's content: a string, or OpenAI's array of parts (text parts
/// are read; others are refused).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum MessageContent {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ContentPart {
    /// `text` (the only kind read).
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<String>,
}

/// A message of `messages` (`ChatCompletionMessage` in the document, apart
/// from the chats' `ChatMessage`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = ChatCompletionMessage)]
pub struct ChatMessage {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    #[schema(pattern = "^(system|developer|user|assistant|tool)$")]
    pub role: String,
    /// Null for an assistant message that only called tools.
    pub content: Option<MessageContent>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StreamOptions {
    /// A last chunk with the usage and no choices, before `[DONE]`.
    pub include_usage: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GroveOptions {
    /// A "Sources:" footer in the content (default true).
    pub sources_footer: Option<bool>,
}

/// OpenAI's request. Fields other clients send and Grove has no use for
/// (`n`, `top_p`, `user`, `metadata`, …) are accepted and ignored, as
/// OpenAI-compatible servers do.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChatCompletionRequest {
    /// The agent: its slug (as `/v1/models` lists it) or its id.
    #[schema(min_length = 1)]
    pub model: String,
    /// The conversation; the last message is the user's question.
    #[schema(min_items = 1)]
    pub messages: Vec<ChatMessage>,
    pub stream: Option<bool>,
    pub stream_options: Option<StreamOptions>,
    /// 0 to 2; default the agent's.
    #[schema(minimum = 0, maximum = 2)]
    pub temperature: Option<f64>,
    /// 1 to 8192; default the agent's.
    #[schema(minimum = 1, maximum = 8192)]
    pub max_tokens: Option<i64>,
    /// The newer name of `max_tokens`; wins when both are given.
    #[schema(minimum = 1, maximum = 8192)]
    pub max_completion_tokens: Option<i64>,
    pub grove: Option<GroveOptions>,
}

/// The text of an earlier message, within [`MAX_HISTORY_CHARS`].
fn history_text(message: &ChatMessage, index: usize) -> Result<String, Failure> {
    let text = message_text(message, index)?;
    if text.chars().count() > MAX_HISTORY_CHARS {
        return Err(Failure(ApiError::invalid_field(
            &format!("messages[{index}].content"),
            format!("an earlier message may hold at most {MAX_HISTORY_CHARS} characters"),
        )));
    }
    Ok(text)
}

/// The text of a message (its text parts joined).
fn message_text(message: &ChatMessage, index: usize) -> Result<String, Failure> {
    match &message.content {
        None => Ok(String::new()),
        Some(MessageContent::Text(text)) => Ok(text.clone()),
        Some(MessageContent::Parts(parts)) => {
            let mut text = String::new();
            for part in parts {
                match (part.kind.as_str(), &part.text) {
                    ("text", Some(t)) => text.push_str(t),
                    (kind, _) => {
                        return Err(Failure(ApiError::invalid_field(
                            &format!("messages[{index}].content"),
                            format!("content parts of type `{kind}` are not supported; send text"),
                        )))
                    }
                }
            }
            Ok(text)
        }
    }
}

/// The question (the last message, from the user) and the turns before it
/// (each user message answered by the assistant message after it).
fn conversation(messages: &[ChatMessage]) -> Result<(String, Vec<Turn>), Failure> {
    let Some((last, earlier)) = messages.split_last() else {
        return Err(Failure(ApiError::invalid_field(
            "messages",
            "must hold at least one user message",
        )));
    };
    if last.role != "user" {
        return Err(Failure(ApiError::invalid_field(
            "messages",
            "the last message must be the user's question",
        )));
    }
    let text = message_text(last, messages.len() - 1)?;
    let question = checked_query(&format!("messages[{}].content", messages.len() - 1), &text)?;
    let mut turns = Vec::new();
    let mut asked: Option<String> = None;
    for (i, message) in earlier.iter().enumerate() {
        match message.role.as_str() {
            "user" => asked = Some(history_text(message, i)?),
            "assistant" => {
                if let Some(question) = asked.take() {
                    turns.push(Turn {
                        question,
                        answer: history_text(message, i)?,
                    });
                }
            }
            "system" | "developer" | "tool" | "function" => {}
            other => {
                return Err(Failure(ApiError::invalid_field(
                    &format!("messages[{i}].role"),
                    format!(
                        "`{other}` is not a role: use system, developer, user, assistant or tool"
                    ),
                )))
            }
        }
    }
    Ok((question.to_owned(), turns))
}

async fn chat_completions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Json(body): Json<ChatCompletionRequest>,
) -> ApiResult<Response> {
    let agent = agent_for_model(&state, &caller, &body.model).await?;
    let (query, history) = conversation(&body.messages)?;
    let max_tokens = match (body.max_completion_tokens, body.max_tokens) {
        (Some(n), _) => Some(check_max_tokens(n).map_err(|e| renamed(e, "max_completion_tokens"))?),
        (None, Some(n)) => Some(check_max_tokens(n)?),
        (None, None) => None,
    };
    let question = Question {
        query,
        session_id: None,
        temperature: body.temperature.map(check_temperature).transpose()?,
        max_tokens,
        key_id: Some(caller.key.id.clone()),
        user_id: None,
        history: Some(history),
        agent,
    };
    let completion = Completion {
        id: String::new(),
        base_url: base_url(&headers),
        model: question.agent.slug.clone(),
        created: jiff::Timestamp::now().as_second(),
        footer: body
            .grove
            .as_ref()
            .and_then(|g| g.sources_footer)
            .unwrap_or(true),
        include_usage: body
            .stream_options
            .as_ref()
            .and_then(|o| o.include_usage)
            .unwrap_or(false),
    };
    let prepared = state.answerer.prepare(question).await?;
    if body.stream.unwrap_or(false) {
        let completion = Completion {
            // The interaction is named in the last chunk's `grove`; the
            // stream's own id is not an interaction id.
            id: format!(
                "chatcmpl-{}",
                rand::distr::SampleString::sample_string(
                    &rand::distr::Alphanumeric,
                    &mut rand::rng(),
                    24
                )
            ),
            ..completion
        };
        Ok(streamed(&state, prepared, completion))
    } else {
        let interaction = answered_whole(&state, prepared).await?;
        Ok(JsonResponse(completion.whole(interaction)).into_response())
    }
}

/// A 400 about `max_tokens` renamed to the field the client sent.
fn renamed(Failure(e): Failure, field: &str) -> Failure {
    Failure(ApiError::invalid_field(
        field,
        e.details["reason"].as_str().unwrap_or_default(),
    ))
}

/// One completion's fixed parts, and how it renders.
struct Completion {
    /// `chatcmpl-…`; a whole answer takes its interaction's id.
    id: String,
    /// This server as the client reaches it, for links to documents
    /// without a URL of their own.
    base_url: String,
    model: String,
    created: i64,
    footer: bool,
    include_usage: bool,
}

/// The content with the sources footer when asked for and any source is
/// cited, and the `url_citation` annotations on its `[n]` markers.
fn content_and_annotations(
    answer: &str,
    sources: &[CitedSource],
    footer: bool,
    base_url: &str,
) -> (String, Vec<Annotation>) {
    let mut content = answer.to_owned();
    let tail = sources_footer(sources);
    if footer && !tail.is_empty() {
        content.push_str(&tail);
    }
    (content, annotations(answer, sources, base_url))
}

/// Where a source can be opened: its own URL, or (an uploaded file) the
/// document in Grove's API.
fn source_url(source: &CitedSource, base_url: &str) -> String {
    source
        .document_url
        .clone()
        .unwrap_or_else(|| format!("{base_url}/api/v1/documents/{}", source.document_id))
}

/// "Sources:" and one line per cited source, after a blank line; empty
/// when nothing is cited.
fn sources_footer(sources: &[CitedSource]) -> String {
    let cited: Vec<String> = sources
        .iter()
        .filter(|s| s.cited)
        .map(|s| match &s.document_url {
            Some(url) => format!("[{}] {} — {url}", s.number, s.document_title),
            None => format!("[{}] {}", s.number, s.document_title),
        })
        .collect();
    if cited.is_empty() {
        String::new()
    } else {
        format!("\n\nSources:\n{}", cited.join("\n"))
    }
}

/// A `url_citation` for each `[n]` marker of the answer; indexes count
/// characters, as OpenAI's do.
fn annotations(answer: &str, sources: &[CitedSource], base_url: &str) -> Vec<Annotation> {
    let mut out = Vec::new();
    for source in sources.iter().filter(|s| s.cited) {
        let url = source_url(source, base_url);
        let marker = format!("[{}]", source.number);
        for (byte, _) in answer.match_indices(&marker) {
            let start = answer[..byte].chars().count();
            out.push(Annotation {
                kind: "url_citation",
                url_citation: UrlCitation {
                    start_index: start,
                    end_index: start + marker.chars().count(),
                    title: source.document_title.clone(),
                    url: url.clone(),
                },
            });
        }
    }
    out.sort_by_key(|a| a.url_citation.start_index);
    out
}

impl From<&Interaction> for CompletionUsage {
    fn from(i: &Interaction) -> Self {
        Self {
            prompt_tokens: i.tokens_input,
            completion_tokens: i.tokens_output,
            total_tokens: i.tokens_input + i.tokens_output,
        }
    }
}

impl From<&Interaction> for CompletionMetadata {
    fn from(i: &Interaction) -> Self {
        Self {
            interaction_id: i.id.to_string(),
            agent_id: i.agent_id.to_string(),
            outcome: i.outcome,
            rag_strategy: i.rag_strategy,
            queries: i.retrieval.queries.clone(),
        }
    }
}

impl Completion {
    fn whole(&self, i: Interaction) -> ChatCompletion {
        let (content, annotations) =
            content_and_annotations(&i.response, &i.sources, self.footer, &self.base_url);
        ChatCompletion {
            id: format!("chatcmpl-{}", i.id),
            object: "chat.completion",
            created: self.created,
            model: self.model.clone(),
            choices: vec![ChatCompletionChoice {
                index: 0,
                message: AssistantMessage {
                    role: "assistant",
                    content,
                    refusal: None,
                    annotations,
                },
                finish_reason: "stop",
            }],
            usage: (&i).into(),
            grove: (&i).into(),
            sources: i.sources,
        }
    }

    /// A `chat.completion.chunk` with one choice's delta.
    fn chunk(&self, delta: Value, finish_reason: Option<&'static str>) -> ChatCompletionChunk {
        ChatCompletionChunk {
            id: self.id.clone(),
            object: "chat.completion.chunk",
            created: self.created,
            model: self.model.clone(),
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                finish_reason,
            }],
            // With `include_usage`, every chunk has the field, null but the last.
            usage: self.include_usage.then_some(None),
            sources: None,
            grove: None,
        }
    }
}

/// One event of a streamed completion (`chat.completion.chunk`),
/// serialised from its types (so its numbers read as the whole
/// completion's do).
#[derive(Serialize, ToSchema)]
pub struct ChatCompletionChunk {
    /// The same on every chunk of a stream.
    pub id: String,
    /// `chat.completion.chunk`.
    pub object: &'static str,
    pub created: i64,
    pub model: String,
    /// One choice; none on the usage chunk.
    pub choices: Vec<ChunkChoice>,
    /// With `stream_options.include_usage`: null on every chunk but the
    /// last, which has no choices.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CompletionUsage>)]
    pub usage: Option<Option<CompletionUsage>>,
    /// On the chunk with `finish_reason: "stop"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<CitedSource>>,
    /// On the chunk with `finish_reason: "stop"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grove: Option<CompletionMetadata>,
}

#[derive(Serialize, ToSchema)]
pub struct ChunkChoice {
    pub index: u32,
    /// `{"role":"assistant","content":""}` first, then `{"content": …}`,
    /// then `{}` with the finish reason.
    #[schema(value_type = Object)]
    pub delta: Value,
    /// `stop` on the last choice, else null.
    pub finish_reason: Option<&'static str>,
}

fn event(chunk: &ChatCompletionChunk) -> Event {
    Event::default().data(serde_json::to_string(chunk).unwrap_or_default())
}

impl Framing for Completion {
    fn opening(&self) -> Vec<Event> {
        vec![event(
            &self.chunk(json!({"role": "assistant", "content": ""}), None),
        )]
    }

    fn delta(&self, piece: &str) -> Event {
        event(&self.chunk(json!({"content": piece}), None))
    }

    fn closing(&self, answered: Result<Interaction, AgentError>) -> Vec<Event> {
        let failure = match answered {
            Ok(i) if i.outcome != Outcome::Failed => {
                let mut events = Vec::new();
                let footer = sources_footer(&i.sources);
                if self.footer && !footer.is_empty() {
                    events.push(event(&self.chunk(json!({"content": footer}), None)));
                }
                let mut last = self.chunk(json!({}), Some("stop"));
                last.grove = Some(CompletionMetadata::from(&i));
                last.sources = Some(i.sources.clone());
                events.push(event(&last));
                if self.include_usage {
                    let mut tail = self.chunk(json!({}), None);
                    tail.choices.clear();
                    tail.usage = Some(Some(CompletionUsage::from(&i)));
                    events.push(event(&tail));
                }
                events.push(Event::default().data("[DONE]"));
                return events;
            }
            Ok(i) => generation_failed(&i),
            Err(e) => Failure::from(e),
        };
        let error = failure.0;
        vec![
            frame(&json!({"error": {
                "message": error.message,
                "type": "server_error",
                "param": null,
                "code": error.code.as_str(),
                "details": error.details,
            }})),
            Event::default().data("[DONE]"),
        ]
    }
}

pub fn routes() -> Vec<Route> {
    let doc = |operation_id, summary, request, response| RouteDoc {
        operation_id,
        summary,
        tag: "openai",
        request,
        response: (200, Some(response)),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    };
    let route = |method, path, doc, handler| {
        route_in(
            Family::OpenAi,
            method,
            path,
            Requirement::scope(Scope::Execute),
            doc,
            handler,
        )
    };
    vec![
        route(
            Method::GET,
            "/v1/models",
            doc(
                "openai_list_models",
                "The agents as OpenAI-compatible models",
                None,
                "ModelList",
            ),
            get(list_models),
        ),
        route(
            Method::GET,
            "/v1/models/{model}",
            doc(
                "openai_get_model",
                "One agent as an OpenAI-compatible model (by slug or id)",
                None,
                "ModelView",
            ),
            get(get_model),
        ),
        route(
            Method::POST,
            "/v1/chat/completions",
            doc(
                "openai_chat_completions",
                "Ask an agent in OpenAI's Chat Completions format (JSON, or chat.completion.chunk events with stream: true)",
                Some("ChatCompletionRequest"),
                "ChatCompletion",
            ),
            post(chat_completions),
        ),
    ]
}

/// A whole answer, as OpenAI's `chat.completion`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatCompletion {
    /// `chatcmpl-` and the interaction's id.
    pub id: String,
    /// `chat.completion`.
    pub object: &'static str,
    /// Unix seconds.
    pub created: i64,
    /// The agent's slug.
    pub model: String,
    pub choices: Vec<ChatCompletionChoice>,
    pub usage: CompletionUsage,
    /// Every retrieved source, numbered as the content cites them.
    pub sources: Vec<CitedSource>,
    pub grove: CompletionMetadata,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatCompletionChoice {
    pub index: u32,
    pub message: AssistantMessage,
    /// `stop`.
    pub finish_reason: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssistantMessage {
    /// `assistant`.
    pub role: &'static str,
    pub content: String,
    /// Always null: an agent that cannot answer says so in the content.
    pub refusal: Option<String>,
    /// A `url_citation` on each `[n]` marker (an uploaded file's URL is its
    /// document in Grove's API).
    pub annotations: Vec<Annotation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Annotation {
    /// `url_citation`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url_citation: UrlCitation,
}

/// Where in the content a source is cited (character indexes, end
/// exclusive).
#[derive(Debug, Serialize, ToSchema)]
pub struct UrlCitation {
    pub start_index: usize,
    pub end_index: usize,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionUsage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

/// What Grove adds beside OpenAI's fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionMetadata {
    pub interaction_id: String,
    pub agent_id: String,
    pub outcome: Outcome,
    pub rag_strategy: RagStrategy,
    /// The queries retrieval ran.
    pub queries: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_of_the_face_is_under_its_prefix() {
        for route in routes() {
            assert!(route.path.starts_with(PREFIX), "{}", route.path);
        }
    }
}
