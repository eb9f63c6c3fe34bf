//! Chats on PostgreSQL: the chat row, its messages in order and the
//! documents it produced. Writers here run inside the callers'
//! transactions (a run's trigger and finish), so a chat never shows half a
//! run.

use deadpool_postgres::GenericClient;
use grove_core::ids::{AgentId, ChatId, JobId, OrgId};
use grove_core::jobs::{Chat, ChatDocument, ChatMessage, ModelUsage};
use grove_core::page::Page;

use super::{filtered_page, mapped, mapped_opt, now_ms, pg_error, Arg};
use crate::rows::chats::{
    chat_from_row, document_from_row, message_from_row, summary_columns, summary_from_row,
    CHAT_COLUMNS, DOCUMENT_COLUMNS, MESSAGE_COLUMNS, SUMMARY_FROM,
};
use crate::{
    signed, ChatRecord, ChatSummary, Listed, NewDocument, NewMessage, StoreError, StoreResult,
};

pub(super) async fn insert_chat(
    client: &impl GenericClient,
    org: &OrgId,
    agent: &AgentId,
    job: Option<&JobId>,
    title: &str,
) -> StoreResult<ChatId> {
    let id = ChatId::generate();
    client
        .execute(
            "INSERT INTO chats (id, org_id, agent_id, job_id, title, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id.as_str(),
                &org.as_str(),
                &agent.as_str(),
                &job.map(JobId::as_str),
                &title,
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
    Ok(id)
}

pub(super) async fn insert_message(
    client: &impl GenericClient,
    chat: &ChatId,
    message: &NewMessage,
) -> StoreResult<()> {
    let sources = serde_json::to_string(&message.sources)
        .map_err(|e| StoreError::Backend(format!("message sources: {e}")))?;
    client
        .execute(
            "INSERT INTO chat_messages (chat_id, role, content, sources, created_at, model)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &chat.as_str(),
                &message.role.as_str(),
                &message.content,
                &sources,
                &now_ms(),
                &message.model,
            ],
        )
        .await
        .map(drop)
        .map_err(pg_error)
}

/// Adds what an answer's models used to the chat's usage.
pub(super) async fn add_usage(
    client: &impl GenericClient,
    chat: &ChatId,
    usage: &ModelUsage,
) -> StoreResult<()> {
    client
        .execute(
            "UPDATE chats SET input_tokens = input_tokens + $2,
                              output_tokens = output_tokens + $3, cost_usd = cost_usd + $4
             WHERE id = $1",
            &[
                &chat.as_str(),
                &signed(usage.input_tokens),
                &signed(usage.output_tokens),
                &usage.cost_usd,
            ],
        )
        .await
        .map(drop)
        .map_err(pg_error)
}

pub(super) async fn insert_document(
    client: &impl GenericClient,
    chat: &ChatId,
    seq: i64,
    document: &NewDocument,
) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO chat_documents (id, seq, chat_id, kind, title, content, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &document.id.as_str(),
                &seq,
                &chat.as_str(),
                &document.kind.as_str(),
                &document.title,
                &document.content.to_string(),
                &now_ms(),
            ],
        )
        .await
        .map(drop)
        .map_err(pg_error)
}

/// Appends a run's or an answer's messages, documents and usage to `chat`.
pub(super) async fn append(
    client: &impl GenericClient,
    chat: &ChatId,
    messages: Vec<&NewMessage>,
    documents: &[NewDocument],
    usage: &ModelUsage,
) -> StoreResult<()> {
    for message in messages {
        insert_message(client, chat, message).await?;
    }
    for (n, document) in (0_i64..).zip(documents) {
        insert_document(client, chat, n, document).await?;
    }
    add_usage(client, chat, usage).await
}

pub(super) async fn select_chat(
    client: &impl GenericClient,
    org: &OrgId,
    id: &ChatId,
) -> StoreResult<Option<Chat>> {
    let row = client
        .query_opt(
            &format!("SELECT {CHAT_COLUMNS} FROM chats c WHERE c.org_id = $1 AND c.id = $2"),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, chat_from_row)
}

async fn messages(client: &impl GenericClient, chat: &ChatId) -> StoreResult<Vec<ChatMessage>> {
    let rows = client
        .query(
            &format!("SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE chat_id = $1 ORDER BY seq"),
            &[&chat.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped(rows, message_from_row)
}

async fn documents(client: &impl GenericClient, chat: &ChatId) -> StoreResult<Vec<ChatDocument>> {
    let rows = client
        .query(
            &format!(
                "SELECT {DOCUMENT_COLUMNS} FROM chat_documents WHERE chat_id = $1
                 ORDER BY created_at, seq"
            ),
            &[&chat.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped(rows, document_from_row)
}

/// A chat with its messages and documents (the run is filled in by the
/// caller).
pub(super) async fn chat_record(
    client: &impl GenericClient,
    org: &OrgId,
    id: &ChatId,
) -> StoreResult<Option<ChatRecord>> {
    let Some(chat) = select_chat(client, org, id).await? else {
        return Ok(None);
    };
    Ok(Some(ChatRecord {
        messages: messages(client, &chat.id).await?,
        documents: documents(client, &chat.id).await?,
        run: None,
        chat,
    }))
}

/// Newest first, with the run's state and the job's and agent's names.
pub(super) async fn list(
    client: &impl GenericClient,
    org: &OrgId,
    agent: Option<&AgentId>,
    job: Option<&JobId>,
    page: Page,
) -> StoreResult<Listed<ChatSummary>> {
    let mut condition = "c.org_id = $1".to_owned();
    let mut args: Vec<Arg> = vec![Box::new(org.as_str().to_owned())];
    for (column, value) in [
        ("c.agent_id", agent.map(AgentId::as_str)),
        ("c.job_id", job.map(JobId::as_str)),
    ] {
        if let Some(value) = value {
            args.push(Box::new(value.to_owned()));
            condition.push_str(&format!(" AND {column} = ${}", args.len()));
        }
    }
    filtered_page(
        client,
        SUMMARY_FROM,
        &summary_columns(),
        &condition,
        args,
        "c.created_at DESC, c.id DESC",
        page,
        summary_from_row,
    )
    .await
}
