//! The MCP server at `/mcp`: Grove's knowledge and jobs as tools for
//! assistants and IDEs, over Streamable HTTP with the official Rust SDK
//! (`rmcp`), stateless (no session survives a request, so replicas behind
//! a balancer need nothing shared), answering JSON.
//!
//! A Grove API key authenticates every request as a Bearer token; without
//! one the answer is a 401 whose `WWW-Authenticate` points at the RFC 9728
//! resource-metadata document served at
//! `/.well-known/oauth-protected-resource`. The tools a key sees are the
//! ones its scopes allow, and each tool works inside the key's
//! organisation through the same functions as the REST routes:
//! `search` and `fetch` (the pair assistants' deep-research modes use),
//! `list_agents`, `ask_agent`, `list_jobs`, `trigger_job` and `get_run`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json as JsonResponse, Router};
use grove_agent::Question;
use grove_core::agents::Agent;
use grove_core::ids::{JobId, RunId};
use grove_core::jobs::{Initiator, ParamValues};
use grove_core::scope::{Requirement, Scope};
use grove_core::ApiError;
use grove_jobs::TriggerParams;
use grove_search::{Mode, SearchRequest};
use grove_store::every;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{self, Caller};
use crate::context::base_url;
use crate::error::Failure;
use crate::routes::agents::by_slug_or_id;
use crate::routes::query::{answered_whole, checked_query, MAX_QUERY_CHARS};
use crate::state::AppState;

/// Where the MCP endpoint is mounted.
pub const PATH: &str = "/mcp";
/// The RFC 9728 protected-resource metadata document.
pub const RESOURCE_METADATA: &str = "/.well-known/oauth-protected-resource";
/// Search results per call, at most.
const MAX_RESULTS: u64 = 20;
/// Characters of a chunk shown as a search snippet.
const SNIPPET_CHARS: usize = 300;
/// Chunks read per page when `fetch` returns a whole document.
const FETCH_PAGE: u32 = 200;

/// The routes of the MCP face: the endpoint, behind key authentication, and
/// the metadata document that tells clients how to authenticate.
pub fn router(state: AppState) -> Router<AppState> {
    // The Host check guards keyless local servers against DNS rebinding;
    // every request here needs a key a rebinding page cannot have, and a
    // deployment answers to names only it knows. Browser origins are
    // refused (an MCP client is an assistant or an IDE, not a web page).
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .disable_allowed_hosts()
        .enforce_origin_validation()
        .with_max_request_body_bytes(state.config.max_body_bytes);
    let handler_state = state.clone();
    let service = StreamableHttpService::new(
        move || {
            Ok(GroveTools {
                state: handler_state.clone(),
            })
        },
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let endpoint = Router::new()
        .nest_service(PATH, service)
        .route_layer(axum::middleware::from_fn_with_state(state, authenticate));
    Router::new()
        .route(RESOURCE_METADATA, get(resource_metadata))
        .merge(endpoint)
}

/// RFC 9728: what this resource is and how to present a token to it.
async fn resource_metadata(headers: axum::http::HeaderMap) -> JsonResponse<Value> {
    let base = base_url(&headers);
    JsonResponse(json!({
        "resource": format!("{base}{PATH}"),
        "authorization_servers": [],
        "bearer_methods_supported": ["header"],
        "scopes_supported": ["read", "write", "execute", "admin"],
        "resource_name": "Grove",
        "resource_documentation": format!("{base}/openapi.json"),
    }))
}

/// Authenticates the key (a refusal is a 401 pointing at the metadata)
/// and counts the request against the key's `read` rate limit, as the
/// REST routes do; a tool that needs more counts against that scope too
/// ([`GroveTools::call_tool`]).
async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match auth::authenticate(&state, req.headers()).await {
        Ok(key) => auth::within_rate_limit(&state, key, Scope::Read, req, next).await,
        Err(Failure(error)) => {
            let challenge = format!(
                "Bearer resource_metadata=\"{}{RESOURCE_METADATA}\"",
                base_url(req.headers())
            );
            let mut response = (
                StatusCode::UNAUTHORIZED,
                JsonResponse(
                    json!({"error": {"code": error.code.as_str(), "message": error.message}}),
                ),
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }
    }
}

/// The tool handler; one per request, as the service is stateless.
#[derive(Clone)]
pub struct GroveTools {
    state: AppState,
}

/// The calling key, which the authentication layer put in the request.
fn caller(context: &RequestContext<RoleServer>) -> Result<Caller, ErrorData> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>())
        .cloned()
        .ok_or_else(|| ErrorData::internal_error("the request carries no authenticated key", None))
}

/// One tool: its name, what it needs, its description and input schema.
struct ToolSpec {
    name: &'static str,
    requirement: Requirement,
    read_only: bool,
    description: &'static str,
    input: fn() -> Value,
}

fn tools() -> [ToolSpec; 7] {
    let read = Requirement::scope(Scope::Read);
    [
        ToolSpec {
            name: "search",
            // As `POST /api/v1/semantic-search`: search embeds the query.
            requirement: Requirement::scope(Scope::Execute),
            read_only: true,
            description: "Search the organisation's indexed documents (hybrid: keywords and meaning). Returns ids to pass to `fetch`, with titles, URLs and snippets.",
            input: || json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
                    "top_k": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS, "default": 5},
                    "data_source_ids": {"type": "array", "items": {"type": "string", "pattern": "^ds_"}}
                },
                "required": ["query"],
                "additionalProperties": false
            }),
        },
        ToolSpec {
            name: "fetch",
            requirement: read,
            read_only: true,
            description: "The full text of a search result (its id) or of a whole document (a doc_… id).",
            input: || json!({
                "type": "object",
                "properties": {"id": {"type": "string", "minLength": 1}},
                "required": ["id"],
                "additionalProperties": false
            }),
        },
        ToolSpec {
            name: "list_agents",
            requirement: read,
            read_only: true,
            description: "The organisation's knowledge agents: id, slug, name and description.",
            input: || json!({"type": "object", "properties": {}, "additionalProperties": false}),
        },
        ToolSpec {
            name: "ask_agent",
            requirement: Requirement::scope(Scope::Execute),
            read_only: false,
            description: "Ask a knowledge agent (by id or slug); the answer comes with its cited sources. Pass the session_id it returns to ask a follow-up.",
            input: || json!({
                "type": "object",
                "properties": {
                    "agent": {"type": "string", "minLength": 1},
                    "question": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
                    "session_id": {"type": "string", "pattern": "^sess_"}
                },
                "required": ["agent", "question"],
                "additionalProperties": false
            }),
        },
        ToolSpec {
            name: "list_jobs",
            requirement: read,
            read_only: true,
            description: "The organisation's agent jobs: id, name, agent, schedule and parameters.",
            input: || json!({"type": "object", "properties": {}, "additionalProperties": false}),
        },
        ToolSpec {
            name: "trigger_job",
            requirement: Requirement::scope_or(Scope::Execute, "agent_jobs_trigger"),
            read_only: false,
            description: "Start a job now, with parameters for its prompt if it takes any. Returns the run and chat ids at once; the run continues in the background (see `get_run`).",
            input: || json!({
                "type": "object",
                "properties": {
                    "job": {"type": "string", "pattern": "^job_"},
                    "parameters": {"type": "object"}
                },
                "required": ["job"],
                "additionalProperties": false
            }),
        },
        ToolSpec {
            name: "get_run",
            requirement: read,
            read_only: true,
            description: "A job run's status, its chat id, and its error if it failed.",
            input: || json!({
                "type": "object",
                "properties": {"run_id": {"type": "string", "pattern": "^run_"}},
                "required": ["run_id"],
                "additionalProperties": false
            }),
        },
    ]
}

fn tool(spec: &ToolSpec) -> Tool {
    let schema: JsonObject = match (spec.input)() {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    };
    Tool::new(spec.name, spec.description, schema).with_annotations(
        ToolAnnotations::new()
            .read_only(spec.read_only)
            .destructive(false),
    )
}

/// A tool's failure as the caller should read it: a tool error naming the
/// reason (the protocol call itself succeeded).
fn refused(error: ApiError) -> CallToolResult {
    CallToolResult::structured_error(json!({
        "error": {"code": error.code.as_str(), "message": error.message, "details": error.details}
    }))
}

/// A tool's arguments, refused as the REST bodies are: a 400-style error
/// naming the missing, mistyped or unknown field.
fn arguments<T: DeserializeOwned + Default>(params: &CallToolRequestParams) -> Result<T, ApiError> {
    let value = Value::Object(params.arguments.clone().unwrap_or_default());
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    crate::extract::optional_json(&bytes).map_err(|Failure(e)| e)
}

impl ServerHandler for GroveTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("grove", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Grove answers from the organisation's own documents and databases. Use `search` then `fetch` to read sources, or `ask_agent` for a cited answer.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let caller = caller(&context)?;
        let grants = caller.key.grants();
        let visible = tools()
            .iter()
            .filter(|t| grants.satisfies(t.requirement))
            .map(tool)
            .collect();
        let mut listed = ListToolsResult::with_all_items(visible);
        // The list depends on the key: no intermediary may share it.
        listed.cache_scope = Some(CacheScope::Private);
        Ok(listed)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let caller = caller(&context)?;
        let all = tools();
        let Some(spec) = all.iter().find(|t| t.name == request.name) else {
            return Err(ErrorData::invalid_params(
                format!("no tool is named `{}`", request.name),
                None,
            ));
        };
        if !caller.key.grants().satisfies(spec.requirement) {
            let scope = spec.requirement.scope.as_str();
            return Ok(refused(
                ApiError::forbidden(format!("this API key lacks the `{scope}` scope"))
                    .with_details(json!({"required_scope": scope})),
            )
            .into());
        }
        if let Err(Failure(e)) =
            auth::require_role(&self.state, &caller, spec.requirement.least_role()).await
        {
            return Ok(refused(e).into());
        }
        // The request was counted as a read; a tool that does more counts
        // against its own scope's limit too.
        let scope = spec.requirement.scope;
        if scope != Scope::Read {
            let key = crate::ratelimit::RateKey::Key(caller.key.id.clone());
            if let Some(secs) = self.state.limiters.check(scope, &key).retry_after {
                return Ok(refused(ApiError::rate_limited(secs)).into());
            }
        }
        let done = match spec.name {
            "search" => self.search(&caller, &request).await,
            "fetch" => self.fetch(&caller, &request).await,
            "list_agents" => self.list_agents(&caller).await,
            "ask_agent" => self.ask_agent(&caller, &request).await,
            "list_jobs" => self.list_jobs(&caller).await,
            "trigger_job" => self.trigger_job(&caller, &request).await,
            _ => self.get_run(&caller, &request).await,
        };
        Ok(match done {
            Ok(value) => CallToolResult::structured(value),
            Err(error) => refused(error),
        }
        .into())
    }
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
    top_k: Option<u64>,
    data_source_ids: Option<Vec<String>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FetchArgs {
    id: String,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AskArgs {
    agent: String,
    question: String,
    session_id: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerArgs {
    job: String,
    parameters: Option<ParamValues>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunArgs {
    run_id: String,
}

fn failure(Failure(e): Failure) -> ApiError {
    e
}

/// A search result's id: the document and the chunk, which `fetch` reads.
fn result_id(document_id: &str, chunk_id: &str) -> String {
    format!("{document_id}#{chunk_id}")
}

impl GroveTools {
    async fn search(
        &self,
        caller: &Caller,
        call: &CallToolRequestParams,
    ) -> Result<Value, ApiError> {
        let args: SearchArgs = arguments(call)?;
        let query = checked_query("query", &args.query)?;
        let top_k = args.top_k.unwrap_or(5);
        if !(1..=MAX_RESULTS).contains(&top_k) {
            return Err(ApiError::invalid_field(
                "top_k",
                format!("must be between 1 and {MAX_RESULTS}"),
            ));
        }
        let results = self
            .state
            .search
            .search(SearchRequest {
                org_id: caller.org().to_string(),
                query: query.to_owned(),
                mode: Mode::Hybrid,
                top_k: top_k as usize,
                threshold: 0.0,
                data_source_ids: args.data_source_ids,
            })
            .await
            .map_err(|e| failure(e.into()))?;
        let hits: Vec<Value> = results
            .hits
            .into_iter()
            .map(|hit| {
                let snippet: String = hit.chunk.input.text.chars().take(SNIPPET_CHARS).collect();
                json!({
                    "id": result_id(&hit.chunk.owner.document_id, &hit.chunk.input.chunk_id),
                    "title": hit.chunk.input.title,
                    "url": hit.chunk.input.url,
                    "snippet": snippet,
                    "score": hit.similarity,
                    "data_source_id": hit.chunk.owner.data_source_id,
                })
            })
            .collect();
        Ok(json!({ "results": hits }))
    }

    async fn fetch(
        &self,
        caller: &Caller,
        call: &CallToolRequestParams,
    ) -> Result<Value, ApiError> {
        let args: FetchArgs = arguments(call)?;
        let org = caller.org().as_str();
        let search = &self.state.search;
        if let Some((document, chunk)) = args.id.split_once('#') {
            let found = search
                .document_chunk(org, document, chunk)
                .map_err(|e| failure(e.into()))?
                .ok_or_else(|| ApiError::not_found("search result", &args.id))?;
            return Ok(json!({
                "id": args.id,
                "title": found.input.title,
                "text": found.input.text,
                "url": found.input.url,
                "metadata": {
                    "document_id": found.owner.document_id,
                    "data_source_id": found.owner.data_source_id,
                    "heading_path": found.input.heading_path,
                },
            }));
        }
        let mut chunks = Vec::new();
        loop {
            let (page, total) = search
                .document_chunks(org, &args.id, chunks.len() as u64, FETCH_PAGE)
                .map_err(|e| failure(e.into()))?;
            let read = page.len();
            chunks.extend(page);
            if read == 0 || chunks.len() as u64 >= total {
                break;
            }
        }
        let Some(first) = chunks.first() else {
            return Err(ApiError::not_found("document", &args.id));
        };
        let text = chunks
            .iter()
            .map(|c| c.input.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        Ok(json!({
            "id": args.id,
            "title": first.input.title,
            "text": text,
            "url": first.input.url,
            "metadata": {"data_source_id": first.owner.data_source_id, "chunks": chunks.len()},
        }))
    }

    async fn list_agents(&self, caller: &Caller) -> Result<Value, ApiError> {
        let store = &self.state.store;
        let agents = every(|page| store.list_agents(caller.org(), page))
            .await
            .map_err(|e| failure(e.into()))?;
        let agents: Vec<Value> = agents
            .into_iter()
            .map(|a| {
                json!({
                    "id": a.id, "slug": a.slug, "name": a.name,
                    "description": a.description, "active": a.active,
                })
            })
            .collect();
        Ok(json!({ "agents": agents }))
    }

    /// The agent a tool names: its slug or its id, in the caller's organisation.
    async fn agent(&self, caller: &Caller, name: &str) -> Result<Agent, ApiError> {
        by_slug_or_id(&self.state, caller.org(), name)
            .await
            .map_err(failure)?
            .ok_or_else(|| ApiError::not_found("agent", name))
    }

    async fn ask_agent(
        &self,
        caller: &Caller,
        call: &CallToolRequestParams,
    ) -> Result<Value, ApiError> {
        let args: AskArgs = arguments(call)?;
        let question = checked_query("question", &args.question)?;
        let session_id = args
            .session_id
            .as_deref()
            .map(grove_core::ids::SessionId::parse)
            .transpose()
            .map_err(|e| ApiError::invalid_field("session_id", e.to_string()))?;
        let question = Question {
            agent: self.agent(caller, &args.agent).await?,
            query: question.to_owned(),
            session_id,
            temperature: None,
            max_tokens: None,
            key_id: Some(caller.key.id.clone()),
            user_id: None,
            history: None,
        };
        let prepared = self
            .state
            .answerer
            .prepare(question)
            .await
            .map_err(|e| failure(e.into()))?;
        let answered = answered_whole(&self.state, prepared)
            .await
            .map_err(failure)?;
        let cited: Vec<Value> = answered
            .sources
            .iter()
            .filter(|s| s.cited)
            .map(|s| {
                json!({
                    "number": s.number,
                    "id": result_id(&s.document_id, &s.chunk_id),
                    "title": s.document_title,
                    "url": s.document_url,
                    "quote": s.span.map(|span| s.chunk_text.get(span.start..span.end).unwrap_or_default().to_owned()),
                })
            })
            .collect();
        Ok(json!({
            "answer": answered.response,
            "citations": cited,
            "session_id": answered.session_id,
            "interaction_id": answered.id,
            "outcome": answered.outcome,
        }))
    }

    async fn list_jobs(&self, caller: &Caller) -> Result<Value, ApiError> {
        let store = &self.state.store;
        let jobs = every(|page| store.list_jobs(caller.org(), None, page))
            .await
            .map_err(|e| failure(e.into()))?;
        let jobs: Vec<Value> = jobs
            .into_iter()
            .map(|j| {
                json!({
                    "id": j.id, "name": j.name, "agent_id": j.agent_id,
                    "schedule": j.schedule, "timezone": j.timezone,
                    "parameters": j.parameters,
                })
            })
            .collect();
        Ok(json!({ "jobs": jobs }))
    }

    async fn trigger_job(
        &self,
        caller: &Caller,
        call: &CallToolRequestParams,
    ) -> Result<Value, ApiError> {
        let args: TriggerArgs = arguments(call)?;
        let id =
            JobId::parse(&args.job).map_err(|e| ApiError::invalid_field("job", e.to_string()))?;
        let job = crate::routes::jobs::find(&self.state, caller.org(), &id)
            .await
            .map_err(failure)?;
        let params = match args.parameters {
            Some(values) => TriggerParams::One(values),
            None => TriggerParams::Saved,
        };
        let runs =
            crate::routes::jobs::start(&self.state, caller.org(), &job, Initiator::Manual, params)
                .await
                .map_err(failure)?;
        let runs: Vec<Value> = runs
            .iter()
            .map(|r| json!({"run_id": r.id, "chat_id": r.chat_id, "status": r.status}))
            .collect();
        Ok(json!({ "job_id": job.id, "runs": runs }))
    }

    async fn get_run(
        &self,
        caller: &Caller,
        call: &CallToolRequestParams,
    ) -> Result<Value, ApiError> {
        let args: RunArgs = arguments(call)?;
        let id = RunId::parse(&args.run_id)
            .map_err(|e| ApiError::invalid_field("run_id", e.to_string()))?;
        let run = self
            .state
            .store
            .get_run(caller.org(), &id)
            .await
            .map_err(|e| failure(e.into()))?
            .ok_or_else(|| ApiError::not_found("run", id.as_str()))?;
        Ok(json!({
            "run_id": run.id, "job_id": run.job_id, "chat_id": run.chat_id,
            "status": run.status, "error": run.error,
        }))
    }
}
