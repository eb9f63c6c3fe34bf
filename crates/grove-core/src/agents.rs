//! Knowledge-agent records: agents with their retrieval strategy and model,
//! sessions, and interactions (every question and answer, with its sources,
//! timings, usage and feedback).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{
    AgentId, DataConnectorId, DataSourceId, InteractionId, KbArticleId, KeyId, OrgId, SessionId,
};

wire_enum!(
    /// How an agent retrieves: `redwood` searches with the question as
    /// asked; `cedar` first rewrites it into a standalone question using
    /// the session; `cypress` expands it into several queries, retrieves
    /// wider, fuses and reranks.
    RagStrategy {
        Redwood = "redwood",
        Cedar = "cedar",
        Cypress = "cypress",
    }
);

wire_enum!(
    /// Whether an agent answers queries.
    AgentStatus {
        Active = "active",
        Inactive = "inactive",
    }
);

wire_enum!(
    /// How an interaction ended: `answered` from retrieved sources;
    /// `no_answer` when nothing passed the similarity threshold and the
    /// agent said so; `cancelled` when the client went away first;
    /// `failed` when the generation provider failed.
    Outcome {
        Answered = "answered",
        NoAnswer = "no_answer",
        Cancelled = "cancelled",
        Failed = "failed",
    }
);

wire_enum!(
    /// A user's verdict on an answer.
    Feedback {
        Positive = "positive",
        Negative = "negative",
    }
);

wire_enum!(
    /// Where an answer is in the review inbox: `not_reviewed` until a
    /// reviewer marks it `accurate`, `inaccurate` or `no_answer` (nothing
    /// could have answered it), or `edited` with a corrected answer.
    ReviewStatus {
        NotReviewed = "not_reviewed",
        Accurate = "accurate",
        Edited = "edited",
        Inaccurate = "inaccurate",
        NoAnswer = "no_answer",
    }
);

/// The default model of an organisation that chose none: `extractive`,
/// which answers with sentences of the retrieved sources, offline
/// (`grove_llm::EXTRACTIVE`).
pub const DEFAULT_MODEL: &str = "extractive";

wire_enum!(
    /// Where an agent's `model` comes from: its own setting (`agent`), or
    /// the organisation's `default_model` when it has none
    /// (`organization`).
    ModelSource {
        Agent = "agent",
        Organization = "organization",
    }
);

/// One part of an analyst agent that runs its own tool loop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Overrides the agent's model for this component's steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// An analyst agent split into components: the orchestrating loop calls a
/// `query` component (schema, SQL, results) and an `analysis` component
/// (trends, charts, report) as tools, each running its own loop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Components {
    #[serde(default)]
    pub query: Component,
    #[serde(default)]
    pub analysis: Component,
}

/// A knowledge agent.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Agent {
    pub id: AgentId,
    pub org_id: OrgId,
    pub name: String,
    /// Unique in the organisation; usable in place of the id by the CLI.
    pub slug: String,
    pub description: String,
    pub system_prompt: String,
    pub rag_strategy: RagStrategy,
    /// `extractive` or `<provider>:<model>`: the agent's own, or the
    /// organisation's default (see `model_source`).
    pub model: String,
    pub model_source: ModelSource,
    pub temperature: f32,
    pub max_tokens: u32,
    /// Retrieved chunks below this cosine similarity are not used; when none
    /// pass, the agent says it has no information.
    pub similarity_threshold: f32,
    pub data_source_ids: Vec<DataSourceId>,
    /// Databases the agent's tool loop may query (with a language model).
    pub data_connector_ids: Vec<DataConnectorId>,
    /// Tool rounds the analyst loop may take before it must answer.
    pub max_steps: u32,
    /// When set, the analyst loop is split into a `query` and an
    /// `analysis` component, each with its own loop and model.
    pub components: Option<Components>,
    /// Tokens (input and output, every step) one analyst run may use.
    pub max_run_tokens: Option<u64>,
    /// Estimated cost in USD one analyst run may reach.
    pub max_run_cost_usd: Option<f64>,
    pub active: bool,
    /// `active` or `inactive`, from `active`.
    pub status: AgentStatus,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// A conversation with one agent.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Session {
    pub id: SessionId,
    pub org_id: OrgId,
    pub agent_id: AgentId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_active_at: Timestamp,
}

/// A source an answer was given from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CitedSource {
    /// The number the answer cites it by (`[1]` is the first source).
    pub number: usize,
    pub chunk_id: String,
    pub document_id: String,
    pub document_title: String,
    pub document_url: Option<String>,
    pub data_source_id: String,
    pub similarity_score: f32,
    pub chunk_text: String,
    /// Byte range in `chunk_text` of the text that supports the answer;
    /// null when the answer does not cite this source.
    pub span: Option<Span>,
    /// Whether the answer carries a marker pointing here.
    pub cited: bool,
}

/// A byte range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// How retrieval went: the queries run and how long each step took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RetrievalTrace {
    /// The question as searched: rewritten (cedar) or expanded (cypress).
    pub queries: Vec<String>,
    pub rewrite_ms: f64,
    pub search_ms: f64,
    pub rerank_ms: f64,
    /// Chunks retrieved before the threshold and the final cut.
    pub candidates: usize,
}

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Interaction {
    pub id: InteractionId,
    pub org_id: OrgId,
    pub agent_id: AgentId,
    pub session_id: Option<SessionId>,
    /// The API key that asked.
    pub key_id: Option<KeyId>,
    pub query: String,
    pub response: String,
    pub sources: Vec<CitedSource>,
    pub rag_strategy: RagStrategy,
    pub model: String,
    pub retrieval: RetrievalTrace,
    pub outcome: Outcome,
    /// Why generation failed, for `failed`.
    pub error: Option<String>,
    pub latency_ms: u64,
    pub tokens_input: u64,
    pub tokens_output: u64,
    pub cost_usd: f64,
    pub feedback: Option<Feedback>,
    pub feedback_comment: Option<String>,
    /// A legacy 1–5 rating, when feedback came that way.
    pub rating: Option<u8>,
    /// The review inbox's verdict.
    pub review_status: ReviewStatus,
    /// The reviewer's corrected answer (status `edited`).
    pub edited_answer: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reviewed_at: Option<Timestamp>,
    /// The knowledge-base article made from the edited answer.
    pub kb_article_id: Option<KbArticleId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl Interaction {
    /// Whether the answer cites at least one source.
    pub fn has_citation(&self) -> bool {
        self.sources.iter().any(|s| s.cited)
    }
}
