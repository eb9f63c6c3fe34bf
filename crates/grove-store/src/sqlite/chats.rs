//! Chats in SQLite: the chat row, its messages in order and the documents
//! it produced. Writers here run inside the callers' transactions (a run's
//! trigger and finish), so a chat never shows half a run.

use grove_core::agents::CitedSource;
use grove_core::ids::{AgentId, ChatId, DocumentOutputId, JobId, OrgId, RunId};
use grove_core::jobs::{
    Chat, ChatDocument, ChatMessage, DocumentKind, Initiator, MessageRole, ModelUsage, RunStatus,
};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{backend, now_ms, parsed, ts};
use crate::{ChatRecord, ChatSummary, Listed, NewDocument, NewMessage, StoreResult};

const COLUMNS: &str = "c.id, c.org_id, c.agent_id, c.job_id, c.run_id, c.title, c.created_at, \
     c.input_tokens, c.output_tokens, c.cost_usd";
/// How many columns [`COLUMNS`] names; a join's own columns follow them.
const COLUMN_COUNT: usize = 10;

fn chat_from_row(row: &Row) -> rusqlite::Result<Chat> {
    let job: Option<String> = row.get(3)?;
    let run: Option<String> = row.get(4)?;
    Ok(Chat {
        id: parsed(row.get(0)?, |s| ChatId::parse(s).ok())?,
        org_id: parsed(row.get(1)?, |s| OrgId::parse(s).ok())?,
        agent_id: parsed(row.get(2)?, |s| AgentId::parse(s).ok())?,
        job_id: job.and_then(|j| JobId::parse(&j).ok()),
        run_id: run.and_then(|r| RunId::parse(&r).ok()),
        title: row.get(5)?,
        usage: ModelUsage {
            input_tokens: row.get::<_, i64>(7)?.max(0) as u64,
            output_tokens: row.get::<_, i64>(8)?.max(0) as u64,
            cost_usd: row.get(9)?,
        },
        created_at: ts(row.get(6)?),
    })
}

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
        &format!("SELECT {COLUMNS} FROM chats c WHERE c.org_id = ?1 AND c.id = ?2"),
        params![org.as_str(), id.as_str()],
        chat_from_row,
    )
    .optional()
    .map_err(backend)
}

fn messages(conn: &Connection, chat: &ChatId) -> StoreResult<Vec<ChatMessage>> {
    conn.prepare_cached(
        "SELECT role, content, sources, created_at, model FROM chat_messages
         WHERE chat_id = ?1 ORDER BY seq",
    )
    .and_then(|mut stmt| {
        stmt.query_map([chat.as_str()], |r| {
            let sources: String = r.get(2)?;
            Ok(ChatMessage {
                role: parsed(r.get(0)?, MessageRole::parse)?,
                content: r.get(1)?,
                sources: serde_json::from_str::<Vec<CitedSource>>(&sources).unwrap_or_default(),
                model: r.get(4)?,
                created_at: ts(r.get(3)?),
            })
        })?
        .collect()
    })
    .map_err(backend)
}

fn documents(conn: &Connection, chat: &ChatId) -> StoreResult<Vec<ChatDocument>> {
    conn.prepare_cached(
        "SELECT id, kind, title, content, created_at FROM chat_documents
         WHERE chat_id = ?1 ORDER BY created_at, seq",
    )
    .and_then(|mut stmt| {
        stmt.query_map([chat.as_str()], |r| {
            let content: String = r.get(3)?;
            Ok(ChatDocument {
                id: parsed(r.get(0)?, |s| DocumentOutputId::parse(s).ok())?,
                kind: parsed(r.get(1)?, DocumentKind::parse)?,
                title: r.get(2)?,
                content: serde_json::from_str(&content).unwrap_or_default(),
                created_at: ts(r.get(4)?),
            })
        })?
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
            "SELECT {COLUMNS}, r.status, r.initiator, j.name, a.name FROM chats c
             LEFT JOIN job_runs r ON r.id = c.run_id
             LEFT JOIN jobs j ON j.id = c.job_id
             LEFT JOIN agents a ON a.id = c.agent_id
             WHERE {condition}
             ORDER BY c.created_at DESC, c.id DESC LIMIT ?4 OFFSET ?5"
        ))
        .and_then(|mut stmt| {
            stmt.query_map(
                params![org.as_str(), agent, job, page.limit, page.offset as i64],
                |r| {
                    let status: Option<String> = r.get(COLUMN_COUNT)?;
                    let initiator: Option<String> = r.get(COLUMN_COUNT + 1)?;
                    Ok(ChatSummary {
                        chat: chat_from_row(r)?,
                        status: status.as_deref().and_then(RunStatus::parse),
                        initiator: initiator.as_deref().and_then(Initiator::parse),
                        job_name: r.get(COLUMN_COUNT + 2)?,
                        agent_name: r.get(COLUMN_COUNT + 3)?,
                    })
                },
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
