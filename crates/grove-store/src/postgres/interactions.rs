//! Sessions and the interaction log on PostgreSQL. Recording an interaction
//! also touches its session and writes `interaction.completed` to the
//! outbox, in one transaction. Every write is one statement on the row it
//! changes (a verdict, a review, a session's last activity), so writers on
//! several replicas never undo one another: a review keeps the edited
//! answer as stored when it gives none, and a session's last activity only
//! moves forward.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::agents::{Interaction, Session};
use grove_core::ids::{AgentId, InteractionId, KeyId, OrgId, SessionId, UserId};
use grove_core::page::Page;
use jiff::Timestamp;
use tokio_postgres::types::ToSql;

use super::outbox::record_event;
use super::{filtered_page, mapped, mapped_opt, now_ms, pg_error, Arg, PgStore};
use crate::rows::interactions::{
    completed_event, fact_from_row, feedback_event, interaction_from_row, session_from_row,
    FACT_COLUMNS, INTERACTION_COLUMNS as COLUMNS, SESSION_COLUMNS,
};
use crate::{
    json_text, signed, FeedbackUpdate, InteractionFact, InteractionFilter, InteractionStore,
    Listed, NewInteraction, ReviewUpdate, StoreResult,
};

/// Newest first; within a millisecond, the later recorded first.
const NEWEST_FIRST: &str = "created_at DESC, seq DESC";

/// Inserts the interaction, made at `now`; the row as stored.
async fn insert(
    client: &impl GenericClient,
    org: &OrgId,
    new: &NewInteraction,
    now: i64,
) -> StoreResult<Interaction> {
    let id = InteractionId::generate();
    let cited = new.sources.iter().any(|s| s.cited);
    let row = client
        .query_one(
            &format!(
                "INSERT INTO interactions ({COLUMNS}, cited, user_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                         $17, NULL, NULL, NULL, $18, 'not_reviewed', NULL, NULL, NULL, $19, $20)
                 RETURNING {COLUMNS}"
            ),
            &[
                &id.as_str(),
                &org.as_str(),
                &new.agent_id.as_str(),
                &new.session_id.as_ref().map(SessionId::as_str),
                &new.key_id.as_ref().map(KeyId::as_str),
                &new.query,
                &new.response,
                &json_text(&new.sources)?,
                &new.rag_strategy.as_str(),
                &new.model,
                &json_text(&new.retrieval)?,
                &new.outcome.as_str(),
                &new.error,
                &signed(new.latency_ms),
                &signed(new.tokens_input),
                &signed(new.tokens_output),
                &new.cost_usd,
                &now,
                &cited,
                &new.user_id.as_ref().map(UserId::as_str),
            ],
        )
        .await
        .map_err(pg_error)?;
    Ok(interaction_from_row(&row)?)
}

/// Marks the session active at `now`, unless another replica already
/// marked it later.
async fn touch_session(
    client: &impl GenericClient,
    org: &OrgId,
    session: &SessionId,
    now: i64,
) -> StoreResult<()> {
    client
        .execute(
            "UPDATE sessions SET last_active_at = GREATEST(last_active_at, $3)
             WHERE id = $1 AND org_id = $2",
            &[&session.as_str(), &org.as_str(), &now],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}

/// `WHERE` conditions and arguments for a filter; `$1` is the organisation.
/// Columns are named bare, for the interactions table alone.
fn conditions(org: &OrgId, filter: &InteractionFilter) -> (String, Vec<Arg>) {
    let mut sql = String::from("org_id = $1");
    let mut args: Vec<Arg> = vec![Box::new(org.to_string())];
    let mut push = |clause: &str, value: Arg| {
        args.push(value);
        sql.push_str(&format!(" AND {clause} ${}", args.len()));
    };
    if let Some(agent) = &filter.agent_id {
        push("agent_id =", Box::new(agent.to_string()));
    }
    if let Some(since) = filter.since {
        push("created_at >=", Box::new(since.as_millisecond()));
    }
    if let Some(until) = filter.until {
        push("created_at <", Box::new(until.as_millisecond()));
    }
    if let Some(status) = filter.review_status {
        push("review_status =", Box::new(status.as_str().to_owned()));
    }
    match filter.feedback {
        Some(Some(f)) => push("feedback =", Box::new(f.as_str().to_owned())),
        Some(None) => sql.push_str(" AND feedback IS NULL"),
        None => {}
    }
    (sql, args)
}

fn params(args: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a.as_ref() as _).collect()
}

#[async_trait]
impl InteractionStore for PgStore {
    async fn create_session(&self, org: &OrgId, agent: &AgentId) -> StoreResult<Session> {
        let row = self
            .client()
            .await?
            .query_one(
                &format!(
                    "INSERT INTO sessions (id, org_id, agent_id, created_at, last_active_at)
                     VALUES ($1, $2, $3, $4, $4) RETURNING {SESSION_COLUMNS}"
                ),
                &[
                    &SessionId::generate().as_str(),
                    &org.as_str(),
                    &agent.as_str(),
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        Ok(session_from_row(&row)?)
    }

    async fn get_session(&self, org: &OrgId, id: &SessionId) -> StoreResult<Option<Session>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE org_id = $1 AND id = $2"),
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, session_from_row)
    }

    async fn delete_session(&self, org: &OrgId, id: &SessionId) -> StoreResult<bool> {
        super::delete_in_org(self, "sessions", org, id.as_str()).await
    }

    async fn session_turns(
        &self,
        org: &OrgId,
        id: &SessionId,
        limit: u32,
    ) -> StoreResult<Vec<Interaction>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM interactions WHERE org_id = $1 AND session_id = $2
                     ORDER BY {NEWEST_FIRST} LIMIT $3"
                ),
                &[&org.as_str(), &id.as_str(), &i64::from(limit)],
            )
            .await
            .map_err(pg_error)?;
        let mut turns = mapped(rows, interaction_from_row)?;
        turns.reverse();
        Ok(turns)
    }

    async fn purge_sessions(&self, cutoff: Timestamp) -> StoreResult<u64> {
        self.client()
            .await?
            .execute(
                "DELETE FROM sessions WHERE last_active_at < $1",
                &[&cutoff.as_millisecond()],
            )
            .await
            .map_err(pg_error)
    }

    async fn record_interaction(
        &self,
        org: &OrgId,
        new: NewInteraction,
    ) -> StoreResult<Interaction> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // The session first: its row lock makes a purge on another replica
        // wait, then see it active and keep it.
        let now = now_ms();
        if let Some(session) = &new.session_id {
            touch_session(&tx, org, session, now).await?;
        }
        let interaction = insert(&tx, org, &new, now).await?;
        let event = completed_event(&interaction);
        record_event(&tx, org.as_str(), "interaction.completed", event).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(interaction)
    }

    async fn get_interaction(
        &self,
        org: &OrgId,
        id: &InteractionId,
    ) -> StoreResult<Option<Interaction>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {COLUMNS} FROM interactions WHERE org_id = $1 AND id = $2"),
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, interaction_from_row)
    }

    async fn list_interactions(
        &self,
        org: &OrgId,
        filter: InteractionFilter,
        page: Page,
    ) -> StoreResult<Listed<Interaction>> {
        let (condition, args) = conditions(org, &filter);
        let client = self.client().await?;
        filtered_page(
            &client,
            "interactions",
            COLUMNS,
            &condition,
            args,
            NEWEST_FIRST,
            page,
            interaction_from_row,
        )
        .await
    }

    async fn interaction_facts(
        &self,
        org: &OrgId,
        filter: InteractionFilter,
    ) -> StoreResult<Vec<InteractionFact>> {
        let (condition, args) = conditions(org, &filter);
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {FACT_COLUMNS}
                     FROM (SELECT * FROM interactions WHERE {condition}) i
                     LEFT JOIN api_keys k ON k.id = i.key_id
                     ORDER BY i.created_at, i.seq"
                ),
                &params(&args),
            )
            .await
            .map_err(pg_error)?;
        mapped(rows, fact_from_row)
    }

    async fn set_feedback(
        &self,
        org: &OrgId,
        id: &InteractionId,
        update: FeedbackUpdate,
    ) -> StoreResult<Option<Interaction>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let row = tx
            .query_opt(
                &format!(
                    "UPDATE interactions SET feedback = $3, feedback_comment = $4, rating = $5
                     WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
                ),
                &[
                    &org.as_str(),
                    &id.as_str(),
                    &update.feedback.as_str(),
                    &update.comment,
                    &update.rating.map(i64::from),
                ],
            )
            .await
            .map_err(pg_error)?;
        let interaction = mapped_opt(row, interaction_from_row)?;
        if let Some(i) = &interaction {
            record_event(&tx, org.as_str(), "interaction.feedback", feedback_event(i)).await?;
        }
        tx.commit().await.map_err(pg_error)?;
        Ok(interaction)
    }

    async fn set_review(
        &self,
        org: &OrgId,
        id: &InteractionId,
        update: ReviewUpdate,
    ) -> StoreResult<Option<Interaction>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "UPDATE interactions
                     SET review_status = $3::TEXT,
                         edited_answer = COALESCE($4, edited_answer),
                         reviewed_at = CASE WHEN $3::TEXT = 'not_reviewed' THEN NULL ELSE $5::BIGINT END
                     WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
                ),
                &[
                    &org.as_str(),
                    &id.as_str(),
                    &update.status.as_str(),
                    &update.edited_answer,
                    &now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, interaction_from_row)
    }
}
