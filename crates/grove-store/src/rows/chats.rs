//! Chats as stored: the chat row with its usage, its messages in order,
//! the documents it produced, and a chat in a list with its run's state
//! and its job's and agent's names.

use grove_core::ids::{AgentId, ChatId, DocumentOutputId, JobId, OrgId, RunId};
use grove_core::jobs::{
    Chat, ChatDocument, ChatMessage, DocumentKind, Initiator, MessageRole, ModelUsage, RunStatus,
};

use super::{BadRow, StoredRow};
use crate::ChatSummary;

/// The columns [`chat_from_row`] reads, in its order, of `c` (a `chats` row).
pub(crate) const CHAT_COLUMNS: &str = "c.id, c.org_id, c.agent_id, c.job_id, c.run_id, c.title, \
     c.created_at, c.input_tokens, c.output_tokens, c.cost_usd";
/// How many columns [`CHAT_COLUMNS`] names; a join's own columns follow them.
const CHAT_COLUMN_COUNT: usize = 10;

/// What a chat list reads: the chat, its run's status and initiator, its
/// job's and agent's names ([`summary_from_row`]).
pub(crate) fn summary_columns() -> String {
    format!("{CHAT_COLUMNS}, r.status, r.initiator, j.name, a.name")
}
/// The tables a chat list reads from, `c` joined to `r`, `j` and `a`.
pub(crate) const SUMMARY_FROM: &str = "chats c LEFT JOIN job_runs r ON r.id = c.run_id \
     LEFT JOIN jobs j ON j.id = c.job_id LEFT JOIN agents a ON a.id = c.agent_id";

/// The columns [`message_from_row`] reads, in its order.
pub(crate) const MESSAGE_COLUMNS: &str = "role, content, sources, created_at, model";
/// The columns [`document_from_row`] reads, in its order.
pub(crate) const DOCUMENT_COLUMNS: &str = "id, kind, title, content, created_at";

pub(crate) fn chat_from_row(row: &impl StoredRow) -> Result<Chat, BadRow> {
    Ok(Chat {
        id: row.parsed(0, |s| ChatId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        agent_id: row.parsed(2, |s| AgentId::parse(s).ok())?,
        job_id: row
            .col::<Option<String>>(3)?
            .and_then(|j| JobId::parse(&j).ok()),
        run_id: row
            .col::<Option<String>>(4)?
            .and_then(|r| RunId::parse(&r).ok()),
        title: row.col(5)?,
        usage: ModelUsage {
            input_tokens: row.count(7)?,
            output_tokens: row.count(8)?,
            cost_usd: row.col(9)?,
        },
        created_at: row.time(6)?,
    })
}

pub(crate) fn summary_from_row(row: &impl StoredRow) -> Result<ChatSummary, BadRow> {
    let status: Option<String> = row.col(CHAT_COLUMN_COUNT)?;
    let initiator: Option<String> = row.col(CHAT_COLUMN_COUNT + 1)?;
    Ok(ChatSummary {
        chat: chat_from_row(row)?,
        status: status.as_deref().and_then(RunStatus::parse),
        initiator: initiator.as_deref().and_then(Initiator::parse),
        job_name: row.col(CHAT_COLUMN_COUNT + 2)?,
        agent_name: row.col(CHAT_COLUMN_COUNT + 3)?,
    })
}

pub(crate) fn message_from_row(row: &impl StoredRow) -> Result<ChatMessage, BadRow> {
    let sources: String = row.col(2)?;
    Ok(ChatMessage {
        role: row.parsed(0, MessageRole::parse)?,
        content: row.col(1)?,
        sources: serde_json::from_str(&sources).unwrap_or_default(),
        model: row.col(4)?,
        created_at: row.time(3)?,
    })
}

pub(crate) fn document_from_row(row: &impl StoredRow) -> Result<ChatDocument, BadRow> {
    let content: String = row.col(3)?;
    Ok(ChatDocument {
        id: row.parsed(0, |s| DocumentOutputId::parse(s).ok())?,
        kind: row.parsed(1, DocumentKind::parse)?,
        title: row.col(2)?,
        content: serde_json::from_str(&content).unwrap_or_default(),
        created_at: row.time(4)?,
    })
}
