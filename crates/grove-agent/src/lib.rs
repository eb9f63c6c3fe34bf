//! Knowledge agents: answering a question with an agent. [`Answerer::prepare`]
//! checks the agent and its session (creating one when none is given) and
//! reads the session's last turns; [`Answerer::answer`] retrieves by the
//! agent's strategy ([`strategy`]), generates with its model (streaming the
//! text), matches citations to sources ([`citations`]) and records the
//! interaction, whatever the outcome.

pub mod analyst;
pub mod answer_eval;
pub mod citations;
pub mod strategy;

use std::sync::Arc;
use std::time::Instant;

use grove_core::agents::{Agent, Interaction, Outcome, Session};
use grove_core::config::AgentsConfig;
use grove_core::ids::{KeyId, SessionId, UserId};
use grove_llm::{LlmError, Prompt, Providers, Resolved, Settings, SourceText, Turn};
use grove_search::{SearchEngine, SearchError};
use grove_store::{NewInteraction, Store, StoreError};
use tokio::sync::mpsc;

use crate::strategy::{RetrievalContext, Retrieved};

/// What an agent says when no source passes its similarity threshold.
pub const NO_ANSWER: &str =
    "I don't have information about that in my sources, so I can't answer it reliably.";

/// Why a question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("agent {0} is inactive")]
    Inactive(String),
    #[error("session {0} not found")]
    SessionNotFound(SessionId),
    #[error("session {session} belongs to another agent")]
    SessionOfAnotherAgent { session: SessionId },
    /// The agent's model no longer resolves (the config changed).
    #[error(transparent)]
    Model(LlmError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A question to answer.
pub struct Question {
    pub agent: Agent,
    pub query: String,
    pub session_id: Option<SessionId>,
    /// Overrides of the agent's settings for this question.
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    /// The API key that asks, recorded with the interaction.
    pub key_id: Option<KeyId>,
    /// The console user who asks (no key), recorded with the interaction.
    pub user_id: Option<UserId>,
    /// The conversation so far, when the caller keeps it (the
    /// OpenAI-compatible face sends it with every request); `None` reads the
    /// session's last turns.
    pub history: Option<Vec<Turn>>,
}

/// A checked question, ready to answer.
pub struct Prepared {
    question: Question,
    pub session: Session,
    history: Vec<Turn>,
    resolved: Resolved,
    settings: Settings,
    started: Instant,
}

/// Answers questions with agents.
#[derive(Clone)]
pub struct Answerer {
    store: Arc<dyn Store>,
    search: Arc<SearchEngine>,
    providers: Arc<Providers>,
    config: AgentsConfig,
}

impl Answerer {
    pub fn new(
        store: Arc<dyn Store>,
        search: Arc<SearchEngine>,
        providers: Arc<Providers>,
        config: AgentsConfig,
    ) -> Self {
        Self {
            store,
            search,
            providers,
            config,
        }
    }

    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    /// Checks the agent can answer, finds or creates the session and reads
    /// its last turns.
    pub async fn prepare(&self, question: Question) -> Result<Prepared, AgentError> {
        let started = Instant::now();
        let agent = &question.agent;
        if !agent.active {
            return Err(AgentError::Inactive(agent.id.to_string()));
        }
        let resolved = self
            .providers
            .resolve(&agent.model)
            .map_err(AgentError::Model)?;
        let session = self.session(agent, question.session_id.as_ref()).await?;
        let history = match &question.history {
            Some(turns) => {
                let keep = turns.len().saturating_sub(self.config.history_turns);
                turns[keep..].to_vec()
            }
            None => self
                .store
                .session_turns(&agent.org_id, &session.id, self.config.history_turns as u32)
                .await?
                .into_iter()
                .filter(|t| matches!(t.outcome, Outcome::Answered | Outcome::NoAnswer))
                .map(|t| Turn {
                    question: t.query,
                    answer: t.response,
                })
                .collect(),
        };
        let settings = Settings {
            model: resolved.model.clone(),
            temperature: question.temperature.unwrap_or(agent.temperature),
            max_tokens: question.max_tokens.unwrap_or(agent.max_tokens),
        };
        Ok(Prepared {
            question,
            session,
            history,
            resolved,
            settings,
            started,
        })
    }

    async fn session(&self, agent: &Agent, id: Option<&SessionId>) -> Result<Session, AgentError> {
        let Some(id) = id else {
            return Ok(self.store.create_session(&agent.org_id, &agent.id).await?);
        };
        let session = self
            .store
            .get_session(&agent.org_id, id)
            .await?
            .ok_or_else(|| AgentError::SessionNotFound(id.clone()))?;
        if session.agent_id != agent.id {
            return Err(AgentError::SessionOfAnotherAgent {
                session: id.clone(),
            });
        }
        Ok(session)
    }

    /// Retrieves, generates (sending the text to `deltas` as it comes) and
    /// records the interaction. A closed `deltas` stops generation and the
    /// interaction is recorded as cancelled; a provider failure is recorded
    /// as failed (the error is on the interaction).
    pub async fn answer(
        &self,
        prepared: Prepared,
        deltas: mpsc::Sender<String>,
    ) -> Result<Interaction, AgentError> {
        let ctx = RetrievalContext {
            search: &self.search,
            generator: &prepared.resolved,
            settings: &prepared.settings,
        };
        let agent = &prepared.question.agent;
        let retrieved =
            strategy::retrieve(&ctx, agent, &prepared.question.query, &prepared.history).await?;
        let generated = if retrieved.hits.is_empty() {
            let _ = deltas.send(NO_ANSWER.to_owned()).await;
            Generated::no_answer()
        } else {
            self.generate(&prepared, &retrieved, deltas).await
        };
        self.record(prepared, retrieved, generated).await
    }

    async fn generate(
        &self,
        prepared: &Prepared,
        retrieved: &Retrieved,
        deltas: mpsc::Sender<String>,
    ) -> Generated {
        let prompt = Prompt {
            system_prompt: prepared.question.agent.system_prompt.clone(),
            question: prepared.question.query.clone(),
            sources: retrieved
                .hits
                .iter()
                .map(|h| SourceText {
                    title: h.chunk.input.title.clone(),
                    url: h.chunk.input.url.clone(),
                    text: h.chunk.input.text.clone(),
                })
                .collect(),
            history: prepared.history.clone(),
        };
        // The text is kept here as well as streamed, for citations and the
        // record; the relay, run beside the generator, passes each piece on.
        let (tx, mut rx) = mpsc::channel::<String>(32);
        let no_answer_to = deltas.clone();
        let relay = async move {
            let mut text = String::new();
            loop {
                tokio::select! {
                    piece = rx.recv() => match piece {
                        Some(piece) => {
                            text.push_str(&piece);
                            if deltas.send(piece).await.is_err() {
                                return (text, true);
                            }
                        }
                        None => return (text, false),
                    },
                    // The caller went away while the model was silent:
                    // returning drops `rx`, which stops the provider.
                    () = deltas.closed() => return (text, true),
                }
            }
        };
        let generation = prepared
            .resolved
            .generator
            .generate(&prompt, &prepared.settings, tx);
        let (result, (text, receiver_gone)) = tokio::join!(generation, relay);
        let (outcome, error, usage) = match result {
            // Nothing in the sources could be said (the extractive answerer
            // found no quotable sentence): the no-answer reply.
            Ok(usage) if !receiver_gone && text.trim().is_empty() => {
                let _ = no_answer_to.send(NO_ANSWER.to_owned()).await;
                return Generated {
                    usage,
                    ..Generated::no_answer()
                };
            }
            Ok(usage) if !receiver_gone => (Outcome::Answered, None, usage),
            Ok(usage) => (Outcome::Cancelled, None, usage),
            Err(LlmError::Cancelled) => (Outcome::Cancelled, None, Default::default()),
            Err(e) => (Outcome::Failed, Some(e.to_string()), Default::default()),
        };
        Generated {
            text,
            outcome,
            error,
            usage,
        }
    }

    async fn record(
        &self,
        prepared: Prepared,
        retrieved: Retrieved,
        generated: Generated,
    ) -> Result<Interaction, AgentError> {
        let Prepared {
            question,
            session,
            resolved,
            started,
            ..
        } = prepared;
        let sources = citations::cite(&generated.text, &retrieved.hits);
        // The answer's tokens and those spent rewriting or expanding it.
        let mut usage = retrieved.usage;
        usage += generated.usage;
        let new = NewInteraction {
            agent_id: question.agent.id.clone(),
            session_id: Some(session.id),
            key_id: question.key_id,
            user_id: question.user_id,
            query: question.query,
            response: generated.text,
            sources,
            rag_strategy: question.agent.rag_strategy,
            model: question.agent.model.clone(),
            retrieval: retrieved.trace,
            outcome: generated.outcome,
            error: generated.error,
            latency_ms: started.elapsed().as_millis() as u64,
            tokens_input: usage.input_tokens,
            tokens_output: usage.output_tokens,
            cost_usd: resolved.cost_usd(usage),
        };
        Ok(self
            .store
            .record_interaction(&question.agent.org_id, new)
            .await?)
    }

    /// Answers `query` with `agent`'s settings as an eval does: no session,
    /// no history, nothing recorded in the interaction log (so evals do not
    /// count as user interactions in analytics), and the agent's `active`
    /// flag is not checked (an agent can be evaluated before it is
    /// switched on).
    pub async fn answer_unrecorded(
        &self,
        agent: &Agent,
        query: &str,
    ) -> Result<Unrecorded, AgentError> {
        let started = Instant::now();
        let resolved = self
            .providers
            .resolve(&agent.model)
            .map_err(AgentError::Model)?;
        let settings = Settings {
            model: resolved.model.clone(),
            temperature: agent.temperature,
            max_tokens: agent.max_tokens,
        };
        let now = jiff::Timestamp::now();
        // Never stored: `generate` takes a prepared question, and an eval
        // has no conversation.
        let session = Session {
            id: SessionId::generate(),
            org_id: agent.org_id.clone(),
            agent_id: agent.id.clone(),
            created_at: now,
            last_active_at: now,
        };
        let prepared = Prepared {
            question: Question {
                agent: agent.clone(),
                query: query.to_owned(),
                session_id: None,
                temperature: None,
                max_tokens: None,
                key_id: None,
                user_id: None,
                history: None,
            },
            session,
            history: Vec::new(),
            resolved,
            settings,
            started,
        };
        let ctx = RetrievalContext {
            search: &self.search,
            generator: &prepared.resolved,
            settings: &prepared.settings,
        };
        let retrieved = strategy::retrieve(&ctx, agent, query, &[]).await?;
        let generated = if retrieved.hits.is_empty() {
            Generated::no_answer()
        } else {
            // Nobody reads the stream; the text is kept by `generate`.
            let (tx, mut rx) = mpsc::channel::<String>(64);
            let drain = async move { while rx.recv().await.is_some() {} };
            let (generated, ()) = tokio::join!(self.generate(&prepared, &retrieved, tx), drain);
            generated
        };
        let sources = citations::cite(&generated.text, &retrieved.hits);
        Ok(Unrecorded {
            text: generated.text,
            sources,
            outcome: generated.outcome,
            error: generated.error,
            latency_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// An answer given by [`Answerer::answer_unrecorded`].
#[derive(Debug, Clone)]
pub struct Unrecorded {
    pub text: String,
    pub sources: Vec<grove_core::agents::CitedSource>,
    pub outcome: Outcome,
    /// Why generation failed, for `failed`.
    pub error: Option<String>,
    pub latency_ms: u64,
}

/// What generation produced.
struct Generated {
    text: String,
    outcome: Outcome,
    error: Option<String>,
    usage: grove_llm::Usage,
}

impl Generated {
    fn no_answer() -> Self {
        Self {
            text: NO_ANSWER.to_owned(),
            outcome: Outcome::NoAnswer,
            error: None,
            usage: Default::default(),
        }
    }
}
