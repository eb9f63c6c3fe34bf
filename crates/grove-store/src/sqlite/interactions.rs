//! Sessions and the interaction log in SQLite. Recording an interaction
//! also touches its session and writes `interaction.completed` to the
//! outbox, in one transaction.

use async_trait::async_trait;
use grove_core::agents::{Interaction, Session};
use grove_core::ids::{AgentId, InteractionId, KeyId, OrgId, SessionId, UserId};
use grove_core::page::Page;
use jiff::Timestamp;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use super::syncs::record_event;
use super::{backend, filtered_page, now_ms, SqliteStore};
use crate::rows::interactions::{
    completed_event, fact_from_row, feedback_event, interaction_from_row, session_from_row,
    FACT_COLUMNS, INTERACTION_COLUMNS as COLUMNS, SESSION_COLUMNS,
};
use crate::{
    FeedbackUpdate, InteractionFact, InteractionFilter, InteractionStore, Listed, NewInteraction,
    ReviewUpdate, StoreResult,
};

fn select(conn: &Connection, org: &OrgId, id: &str) -> StoreResult<Option<Interaction>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM interactions WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id],
        |r| Ok(interaction_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

fn insert(
    conn: &Connection,
    org: &OrgId,
    id: &InteractionId,
    new: &NewInteraction,
) -> StoreResult<()> {
    let sources = serde_json::to_string(&new.sources).map_err(backend)?;
    let retrieval = serde_json::to_string(&new.retrieval).map_err(backend)?;
    let cited = new.sources.iter().any(|s| s.cited);
    conn.execute(
        &format!(
            "INSERT INTO interactions ({COLUMNS}, cited, user_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     NULL, NULL, NULL, ?18, 'not_reviewed', NULL, NULL, NULL, ?19, ?20)"
        ),
        params![
            id.as_str(),
            org.as_str(),
            new.agent_id.as_str(),
            new.session_id.as_ref().map(SessionId::as_str),
            new.key_id.as_ref().map(KeyId::as_str),
            new.query,
            new.response,
            sources,
            new.rag_strategy.as_str(),
            new.model,
            retrieval,
            new.outcome.as_str(),
            new.error,
            new.latency_ms as i64,
            new.tokens_input as i64,
            new.tokens_output as i64,
            new.cost_usd,
            now_ms(),
            cited,
            new.user_id.as_ref().map(UserId::as_str)
        ],
    )
    .map(|_| ())
    .map_err(backend)
}

/// `WHERE` conditions and arguments for a filter; `?1` is the organisation.
fn conditions(org: &OrgId, filter: &InteractionFilter) -> (String, Vec<SqlValue>) {
    let mut sql = String::from("org_id = ?1");
    let mut args = vec![SqlValue::Text(org.to_string())];
    let mut push = |clause: &str, value: SqlValue| {
        args.push(value);
        sql.push_str(&format!(" AND {clause} ?{}", args.len()));
    };
    if let Some(agent) = &filter.agent_id {
        push("agent_id =", SqlValue::Text(agent.to_string()));
    }
    if let Some(since) = filter.since {
        push("created_at >=", SqlValue::Integer(since.as_millisecond()));
    }
    if let Some(until) = filter.until {
        push("created_at <", SqlValue::Integer(until.as_millisecond()));
    }
    if let Some(status) = filter.review_status {
        push(
            "review_status =",
            SqlValue::Text(status.as_str().to_owned()),
        );
    }
    match filter.feedback {
        Some(Some(f)) => push("feedback =", SqlValue::Text(f.as_str().to_owned())),
        Some(None) => sql.push_str(" AND feedback IS NULL"),
        None => {}
    }
    (sql, args)
}

#[async_trait]
impl InteractionStore for SqliteStore {
    async fn create_session(&self, org: &OrgId, agent: &AgentId) -> StoreResult<Session> {
        let (org, agent) = (org.clone(), agent.clone());
        self.write(move |conn| {
            let id = SessionId::generate();
            conn.execute(
                "INSERT INTO sessions (id, org_id, agent_id, created_at, last_active_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
                params![id.as_str(), org.as_str(), agent.as_str(), now_ms()],
            )
            .map_err(backend)?;
            conn.query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"),
                [id.as_str()],
                |r| Ok(session_from_row(r)?),
            )
            .map_err(backend)
        })
        .await
    }

    async fn get_session(&self, org: &OrgId, id: &SessionId) -> StoreResult<Option<Session>> {
        self.read(|conn| {
            conn.query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE org_id = ?1 AND id = ?2"),
                params![org.as_str(), id.as_str()],
                |r| Ok(session_from_row(r)?),
            )
            .optional()
            .map_err(backend)
        })
    }

    async fn delete_session(&self, org: &OrgId, id: &SessionId) -> StoreResult<bool> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM sessions WHERE org_id = ?1 AND id = ?2",
                params![org.as_str(), id.as_str()],
            )
            .map(|n| n > 0)
            .map_err(backend)
        })
        .await
    }

    async fn session_turns(
        &self,
        org: &OrgId,
        id: &SessionId,
        limit: u32,
    ) -> StoreResult<Vec<Interaction>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM interactions WHERE org_id = ?1 AND session_id = ?2
                     ORDER BY created_at DESC, rowid DESC LIMIT ?3"
                ))
                .map_err(backend)?;
            let mut turns = stmt
                .query_map(params![org.as_str(), id.as_str(), limit], |r| {
                    Ok(interaction_from_row(r)?)
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(backend)?;
            turns.reverse();
            Ok(turns)
        })
    }

    async fn purge_sessions(&self, cutoff: Timestamp) -> StoreResult<u64> {
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM sessions WHERE last_active_at < ?1",
                [cutoff.as_millisecond()],
            )
            .map(|n| n as u64)
            .map_err(backend)
        })
        .await
    }

    async fn record_interaction(
        &self,
        org: &OrgId,
        new: NewInteraction,
    ) -> StoreResult<Interaction> {
        let org = org.clone();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let id = InteractionId::generate();
            insert(&tx, &org, &id, &new)?;
            if let Some(session) = &new.session_id {
                tx.execute(
                    "UPDATE sessions SET last_active_at = ?3 WHERE id = ?1 AND org_id = ?2",
                    params![session.as_str(), org.as_str(), now_ms()],
                )
                .map_err(backend)?;
            }
            let interaction = select(&tx, &org, id.as_str())?
                .ok_or_else(|| backend("interaction vanished after insert"))?;
            record_event(
                &tx,
                org.as_str(),
                "interaction.completed",
                completed_event(&interaction),
            )?;
            tx.commit().map_err(backend)?;
            Ok(interaction)
        })
        .await
    }

    async fn get_interaction(
        &self,
        org: &OrgId,
        id: &InteractionId,
    ) -> StoreResult<Option<Interaction>> {
        self.read(|conn| select(conn, org, id.as_str()))
    }

    async fn interaction_facts(
        &self,
        org: &OrgId,
        filter: InteractionFilter,
    ) -> StoreResult<Vec<InteractionFact>> {
        self.read(|conn| {
            let (condition, args) = conditions(org, &filter);
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {FACT_COLUMNS}
                     FROM (SELECT * FROM interactions WHERE {condition}) i
                     LEFT JOIN api_keys k ON k.id = i.key_id
                     ORDER BY i.created_at"
                ))
                .map_err(backend)?;
            stmt.query_map(params_from_iter(args.iter()), |r| Ok(fact_from_row(r)?))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(backend)
        })
    }

    async fn list_interactions(
        &self,
        org: &OrgId,
        filter: InteractionFilter,
        page: Page,
    ) -> StoreResult<Listed<Interaction>> {
        self.read(|conn| {
            let (condition, args) = conditions(org, &filter);
            filtered_page(
                conn,
                "interactions",
                COLUMNS,
                &condition,
                args,
                "created_at DESC, rowid DESC",
                page,
                |r| Ok(interaction_from_row(r)?),
            )
        })
    }

    async fn set_feedback(
        &self,
        org: &OrgId,
        id: &InteractionId,
        update: FeedbackUpdate,
    ) -> StoreResult<Option<Interaction>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            tx.execute(
                "UPDATE interactions SET feedback = ?3, feedback_comment = ?4, rating = ?5
                 WHERE org_id = ?1 AND id = ?2",
                params![
                    org.as_str(),
                    id.as_str(),
                    update.feedback.as_str(),
                    update.comment,
                    update.rating
                ],
            )
            .map_err(backend)?;
            let interaction = select(&tx, &org, id.as_str())?;
            if let Some(i) = &interaction {
                let data = feedback_event(i);
                record_event(&tx, org.as_str(), "interaction.feedback", data)?;
            }
            tx.commit().map_err(backend)?;
            Ok(interaction)
        })
        .await
    }

    async fn set_review(
        &self,
        org: &OrgId,
        id: &InteractionId,
        update: ReviewUpdate,
    ) -> StoreResult<Option<Interaction>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            conn.execute(
                "UPDATE interactions
                 SET review_status = ?3, edited_answer = COALESCE(?4, edited_answer),
                     reviewed_at = CASE ?3 WHEN 'not_reviewed' THEN NULL ELSE ?5 END
                 WHERE org_id = ?1 AND id = ?2",
                params![
                    org.as_str(),
                    id.as_str(),
                    update.status.as_str(),
                    update.edited_answer,
                    now_ms()
                ],
            )
            .map_err(backend)?;
            select(conn, &org, id.as_str())
        })
        .await
    }
}
