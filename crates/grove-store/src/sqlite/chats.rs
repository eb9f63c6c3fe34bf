//! Chats in SQLite: the chat row, its messages in order and the documents
//! it produced. Writers here run inside the callers' transactions (a run's
//! trigger and finish), so a chat never shows half a run.

use grove_core::ids::{AgentId, ChatId, JobId, OrgId};
use grove_core::jobs::{Chat, ChatDocument, ChatMessage, ModelUsage};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension};

use super::{backend, now_ms};
use crate::rows::chats::{
    chat_from_row, document_from_row, message_from_row, summary_columns, summary_from_row,
    CHAT_COLUMNS, DOCUMENT_COLUMNS, MESSAGE_COLUMNS, SUMMARY_FROM,
};
use crate::{ChatRecord, ChatSummary, Listed, NewDocument, NewMessage, StoreResult};

pub(super) fn insert_chat(
    conn: &Connection,
    org: &OrgId,
    agent: &AgentId,
    job: Option<&JobId>,
    title: &str,
) -> StoreResult<ChatId> {
    let id = ChatId::generate();
    conn.execute(
        "INSERT INTO chats (id, org_id, agent_id, job_id, title, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id.as_str(),
            org.as_str(),
            agent.as_str(),
            job.map(JobId::as_str),
            title,
            now_ms()
        ],
    )
    .map_err(backend)?;
    Ok(id)
}

pub(super) fn insert_message(
    conn: &Connection,
    chat: &ChatId,
    message: &NewMessage,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO chat_messages (chat_id, role, content, sources, created_at, model)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            chat.as_str(),
            message.role.as_str(),
            message.content,
            serde_json::to_string(&message.sources).map_err(backend)?,
            now_ms(),
            message.model
        ],
    )
    .map(|_| ())
    .map_err(backend)
}

/// Adds what an answer's models used to the chat's usage.
pub(super) fn add_usage(conn: &Connection, chat: &ChatId, usage: &ModelUsage) -> StoreResult<()> {
    conn.execute(
        "UPDATE chats SET input_tokens = input_tokens + ?2, output_tokens = output_tokens + ?3,
                          cost_usd = cost_usd + ?4
         WHERE id = ?1",
        params![
            chat.as_str(),
            usage.input_tokens as i64,
            usage.output_tokens as i64,
            usage.cost_usd
        ],
    )
    .map(|_| ())
    .map_err(backend)
}

pub(super) fn insert_document(
    conn: &Connection,
    chat: &ChatId,
    seq: i64,
    document: &NewDocument,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO chat_documents (id, seq, chat_id, kind, title, content, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            document.id.as_str(),
            seq,
            chat.as_str(),
            document.kind.as_str(),
            document.title,
            document.content.to_string(),
            now_ms()
        ],
    )
    .map(|_| ())
    .map_err(backend)
}

pub(super) fn select_chat(
    conn: &Connection,
    org: &OrgId,
    id: &ChatId,
) -> StoreResult<Option<Chat>> {
    conn.query_row(
        &format!("SELECT {CHAT_COLUMNS} FROM chats c WHERE c.org_id = ?1 AND c.id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(chat_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

fn messages(conn: &Connection, chat: &ChatId) -> StoreResult<Vec<ChatMessage>> {
    conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE chat_id = ?1 ORDER BY seq"
    ))
    .and_then(|mut stmt| {
        stmt.query_map([chat.as_str()], |r| Ok(message_from_row(r)?))?
            .collect()
    })
    .map_err(backend)
}

fn documents(conn: &Connection, chat: &ChatId) -> StoreResult<Vec<ChatDocument>> {
    conn.prepare_cached(&format!(
        "SELECT {DOCUMENT_COLUMNS} FROM chat_documents WHERE chat_id = ?1 ORDER BY created_at, seq"
    ))
    .and_then(|mut stmt| {
        stmt.query_map([chat.as_str()], |r| Ok(document_from_row(r)?))?
            .collect()
    })
    .map_err(backend)
}

/// A chat with its messages and documents (the run is filled in by the
/// caller).
pub(super) fn chat_record(
    conn: &Connection,
    org: &OrgId,
    id: &ChatId,
) -> StoreResult<Option<ChatRecord>> {
    let Some(chat) = select_chat(conn, org, id)? else {
        return Ok(None);
    };
    Ok(Some(ChatRecord {
        messages: messages(conn, &chat.id)?,
        documents: documents(conn, &chat.id)?,
        run: None,
        chat,
    }))
}

/// Newest first, with the run's state and the job's and agent's names.
pub(super) fn list(
    conn: &Connection,
    org: &OrgId,
    agent: Option<&AgentId>,
    job: Option<&JobId>,
    page: Page,
) -> StoreResult<Listed<ChatSummary>> {
    let condition =
        "c.org_id = ?1 AND (?2 IS NULL OR c.agent_id = ?2) AND (?3 IS NULL OR c.job_id = ?3)";
    let (agent, job) = (agent.map(AgentId::as_str), job.map(JobId::as_str));
    let items = conn
        .prepare_cached(&format!(
            "SELECT {} FROM {SUMMARY_FROM} WHERE {condition}
             ORDER BY c.created_at DESC, c.id DESC LIMIT ?4 OFFSET ?5",
            summary_columns()
        ))
        .and_then(|mut stmt| {
            stmt.query_map(
                params![org.as_str(), agent, job, page.limit, page.offset as i64],
                |r| Ok(summary_from_row(r)?),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(backend)?;
    let total: i64 = conn
        .query_row(
            &format!("SELECT COUNT(*) FROM chats c WHERE {condition}"),
            params![org.as_str(), agent, job],
            |r| r.get(0),
        )
        .map_err(backend)?;
    Ok(Listed {
        items,
        total: total as u64,
    })
}
