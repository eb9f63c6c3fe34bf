//! Sessions and the interaction log as stored, the facts analytics count,
//! and the `interaction.completed` event.

use grove_core::agents::{Feedback, Interaction, Outcome, RagStrategy, ReviewStatus, Session};
use grove_core::ids::{AgentId, InteractionId, KbArticleId, KeyId, OrgId, SessionId};
use serde_json::json;

use super::agents::unsigned_opt;
use super::{BadRow, StoredRow};
use crate::InteractionFact;

/// The columns [`session_from_row`] reads, in its order.
pub(crate) const SESSION_COLUMNS: &str = "id, org_id, agent_id, created_at, last_active_at";

/// The columns [`interaction_from_row`] reads, in its order.
pub(crate) const INTERACTION_COLUMNS: &str =
    "id, org_id, agent_id, session_id, key_id, query, response, sources, \
     rag_strategy, model, retrieval, outcome, error, latency_ms, tokens_input, tokens_output, \
     cost_usd, feedback, feedback_comment, rating, created_at, review_status, edited_answer, \
     reviewed_at, kb_article_id";

/// The columns [`fact_from_row`] reads, in its order, over the
/// interactions as `i` and their keys as `k` (left-joined): who asked is the
/// console user, else the key's user, else the key.
pub(crate) const FACT_COLUMNS: &str = "i.created_at, i.latency_ms, i.outcome, i.feedback, \
     i.cited, i.cost_usd, COALESCE(i.user_id, k.user_id, i.key_id)";

pub(crate) fn session_from_row(row: &impl StoredRow) -> Result<Session, BadRow> {
    Ok(Session {
        id: row.parsed(0, |s| SessionId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        agent_id: row.parsed(2, |s| AgentId::parse(s).ok())?,
        created_at: row.time(3)?,
        last_active_at: row.time(4)?,
    })
}

pub(crate) fn interaction_from_row(row: &impl StoredRow) -> Result<Interaction, BadRow> {
    Ok(Interaction {
        id: row.parsed(0, |s| InteractionId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        agent_id: row.parsed(2, |s| AgentId::parse(s).ok())?,
        session_id: row.parsed_opt(3, |s| SessionId::parse(s).ok())?,
        key_id: row.parsed_opt(4, |s| KeyId::parse(s).ok())?,
        query: row.col(5)?,
        response: row.col(6)?,
        sources: row.json(7)?,
        rag_strategy: row.parsed(8, RagStrategy::parse)?,
        model: row.col(9)?,
        retrieval: row.json(10)?,
        outcome: row.parsed(11, Outcome::parse)?,
        error: row.col(12)?,
        latency_ms: row.count(13)?,
        tokens_input: row.count(14)?,
        tokens_output: row.count(15)?,
        cost_usd: row.col(16)?,
        feedback: row.parsed_opt(17, Feedback::parse)?,
        feedback_comment: row.col(18)?,
        rating: unsigned_opt(row, 19)?,
        created_at: row.time(20)?,
        review_status: row.parsed(21, ReviewStatus::parse)?,
        edited_answer: row.col(22)?,
        reviewed_at: row.time_opt(23)?,
        kb_article_id: row.parsed_opt(24, |s| KbArticleId::parse(s).ok())?,
    })
}

pub(crate) fn fact_from_row(row: &impl StoredRow) -> Result<InteractionFact, BadRow> {
    Ok(InteractionFact {
        created_at: row.time(0)?,
        latency_ms: row.col::<i64>(1)?.max(0) as u64,
        outcome: row.parsed(2, Outcome::parse)?,
        feedback: row.parsed_opt(3, Feedback::parse)?,
        cited: row.col(4)?,
        cost_usd: row.col(5)?,
        asker: row.col(6)?,
    })
}

/// The data of `interaction.completed`: what a webhook receiver needs
/// without a second call.
pub(crate) fn completed_event(i: &Interaction) -> serde_json::Value {
    json!({
        "interaction_id": i.id,
        "agent_id": i.agent_id,
        "session_id": i.session_id,
        "query": i.query,
        "response": i.response,
        "outcome": i.outcome,
        "rag_strategy": i.rag_strategy,
        "model": i.model,
        "latency_ms": i.latency_ms,
        "cited": i.has_citation(),
        "sources": i.sources.iter().map(|s| &s.chunk_id).collect::<Vec<_>>(),
    })
}

/// The data of `interaction.feedback`.
pub(crate) fn feedback_event(i: &Interaction) -> serde_json::Value {
    json!({
        "interaction_id": i.id,
        "agent_id": i.agent_id,
        "feedback": i.feedback,
        "rating": i.rating,
        "comment": i.feedback_comment,
    })
}
