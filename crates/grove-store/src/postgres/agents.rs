//! Knowledge agents on PostgreSQL: the agent row and its ordered data
//! sources. A change reads the agent under `FOR UPDATE`, so changes from
//! several replicas apply one after the other, each to the other's result.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::agents::Agent;
use grove_core::ids::{AgentId, DataSourceId, OrgId};
use grove_core::page::Page;

use super::jobs::cancel_unfinished_runs;
use super::outbox::record_event;
use super::{list_in_org, mapped_opt, now_ms, pg_error, write_error, PgStore};
use crate::rows::agents::{
    agent_event, agent_from_row, components, connector_ids, AGENT_COLUMNS, AGENT_WRITTEN,
    SLUG_TAKEN,
};
use crate::rows::StoredRow;
use crate::{signed, AgentStore, Change, Listed, NewAgent, StoreError, StoreResult};

/// Fills in each agent's data sources, in their order, in one statement.
async fn with_sources(
    client: &impl GenericClient,
    mut agents: Vec<Agent>,
) -> StoreResult<Vec<Agent>> {
    if agents.is_empty() {
        return Ok(agents);
    }
    let ids: Vec<&str> = agents.iter().map(|a| a.id.as_str()).collect();
    let rows = client
        .query(
            "SELECT agent_id, data_source_id FROM agent_data_sources
             WHERE agent_id = ANY($1) ORDER BY agent_id, position",
            &[&ids],
        )
        .await
        .map_err(pg_error)?;
    for row in rows {
        let agent_id: String = row.col(0)?;
        let source = row.parsed(1, |s| DataSourceId::parse(s).ok())?;
        if let Some(agent) = agents.iter_mut().find(|a| a.id.as_str() == agent_id) {
            agent.data_source_ids.push(source);
        }
    }
    Ok(agents)
}

/// The organisation's agent whose `column` (`id` or `slug`) is `value`.
async fn select(
    client: &impl GenericClient,
    org: &OrgId,
    column: &str,
    value: &str,
) -> StoreResult<Option<Agent>> {
    let row = client
        .query_opt(
            &format!("SELECT {AGENT_COLUMNS} FROM agents WHERE org_id = $1 AND {column} = $2"),
            &[&org.as_str(), &value],
        )
        .await
        .map_err(pg_error)?;
    let Some(agent) = mapped_opt(row, agent_from_row)? else {
        return Ok(None);
    };
    Ok(with_sources(client, vec![agent]).await?.pop())
}

/// Replaces the agent's data sources with `sources`, in that order.
async fn set_sources(
    client: &impl GenericClient,
    id: &AgentId,
    sources: &[DataSourceId],
) -> StoreResult<()> {
    client
        .execute(
            "DELETE FROM agent_data_sources WHERE agent_id = $1",
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    let ids: Vec<&str> = sources.iter().map(DataSourceId::as_str).collect();
    client
        .execute(
            "INSERT INTO agent_data_sources (agent_id, data_source_id, position)
             SELECT $1, source, position - 1 FROM unnest($2::TEXT[]) WITH ORDINALITY
                 AS s(source, position)
             ON CONFLICT DO NOTHING",
            &[&id.as_str(), &ids],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}

/// Ends the unfinished runs of the agent's jobs (the jobs themselves go
/// with the agent, by cascade).
fn max_run_tokens(new: &NewAgent) -> Option<i64> {
    new.max_run_tokens.map(signed)
}

#[async_trait]
impl AgentStore for PgStore {
    async fn create_agent(&self, org: &OrgId, new: NewAgent) -> StoreResult<Agent> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let id = AgentId::generate();
        tx.execute(
            &format!(
                "INSERT INTO agents ({AGENT_WRITTEN})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15,
                         $16, $17, $18)"
            ),
            &[
                &id.as_str(),
                &org.as_str(),
                &new.name,
                &new.slug,
                &new.description,
                &new.system_prompt,
                &new.rag_strategy.as_str(),
                &new.model.as_deref().unwrap_or_default(),
                &f64::from(new.temperature),
                &i64::from(new.max_tokens),
                &f64::from(new.similarity_threshold),
                &new.active,
                &now_ms(),
                &connector_ids(&new),
                &i64::from(new.max_steps),
                &components(&new),
                &max_run_tokens(&new),
                &new.max_run_cost_usd,
            ],
        )
        .await
        .map_err(|e| write_error(e, SLUG_TAKEN))?;
        set_sources(&tx, &id, &new.data_source_ids).await?;
        let agent = select(&tx, org, "id", id.as_str())
            .await?
            .ok_or_else(|| StoreError::Backend("agent vanished after insert".into()))?;
        record_event(&tx, org.as_str(), "agent.created", agent_event(&agent)).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(agent)
    }

    async fn get_agent(&self, org: &OrgId, id: &AgentId) -> StoreResult<Option<Agent>> {
        select(&self.client().await?, org, "id", id.as_str()).await
    }

    async fn agent_by_slug(&self, org: &OrgId, slug: &str) -> StoreResult<Option<Agent>> {
        select(&self.client().await?, org, "slug", slug).await
    }

    async fn list_agents(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Agent>> {
        let client = self.client().await?;
        let listed = list_in_org(&client, "agents", AGENT_COLUMNS, org, None, page, |r| {
            agent_from_row(r)
        })
        .await?;
        Ok(Listed {
            items: with_sources(&client, listed.items).await?,
            total: listed.total,
        })
    }

    async fn replace_agent(
        &self,
        org: &OrgId,
        id: &AgentId,
        new: NewAgent,
    ) -> StoreResult<Option<Agent>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let agent = replace_in(&tx, org, id, &new).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(agent)
    }

    async fn change_agent(
        &self,
        org: &OrgId,
        id: &AgentId,
        change: Change<NewAgent>,
    ) -> StoreResult<Option<Agent>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let locked = tx
            .query_opt(
                "SELECT 1 FROM agents WHERE org_id = $1 AND id = $2 FOR UPDATE",
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        if locked.is_none() {
            return Ok(None);
        }
        let Some(agent) = select(&tx, org, "id", id.as_str()).await? else {
            return Ok(None);
        };
        let new = change(agent.into()).map_err(StoreError::Refused)?;
        let agent = replace_in(&tx, org, id, &new).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(agent)
    }

    async fn delete_agent(&self, org: &OrgId, id: &AgentId) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        // The agent first: its jobs go with it (cascade), so a trigger on
        // another replica either finished before (its runs are cancelled
        // below, in a later snapshot) or finds no job.
        let deleted = tx
            .execute(
                "DELETE FROM agents WHERE org_id = $1 AND id = $2",
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        if deleted > 0 {
            cancel_unfinished_runs(&tx, org, "agent_id", id.as_str(), "the agent was deleted")
                .await?;
            let data = serde_json::json!({ "agent_id": id });
            record_event(&tx, org.as_str(), "agent.deleted", data).await?;
        }
        tx.commit().await.map_err(pg_error)?;
        Ok(deleted > 0)
    }
}

/// Writes every field of agent `id`; `None` if absent.
async fn replace_in(
    client: &impl GenericClient,
    org: &OrgId,
    id: &AgentId,
    new: &NewAgent,
) -> StoreResult<Option<Agent>> {
    let changed = client
        .execute(
            "UPDATE agents SET name = $3, slug = $4, description = $5, system_prompt = $6,
                     rag_strategy = $7, model = $8, temperature = $9, max_tokens = $10,
                     similarity_threshold = $11, active = $12, updated_at = $13,
                     data_connector_ids = $14, max_steps = $15, components = $16,
                     max_run_tokens = $17, max_run_cost_usd = $18
                 WHERE org_id = $1 AND id = $2",
            &[
                &org.as_str(),
                &id.as_str(),
                &new.name,
                &new.slug,
                &new.description,
                &new.system_prompt,
                &new.rag_strategy.as_str(),
                &new.model.as_deref().unwrap_or_default(),
                &f64::from(new.temperature),
                &i64::from(new.max_tokens),
                &f64::from(new.similarity_threshold),
                &new.active,
                &now_ms(),
                &connector_ids(new),
                &i64::from(new.max_steps),
                &components(new),
                &max_run_tokens(new),
                &new.max_run_cost_usd,
            ],
        )
        .await
        .map_err(|e| write_error(e, SLUG_TAKEN))?;
    if changed == 0 {
        return Ok(None);
    }
    set_sources(client, id, &new.data_source_ids).await?;
    let agent = select(client, org, "id", id.as_str()).await?;
    if let Some(agent) = &agent {
        record_event(client, org.as_str(), "agent.updated", agent_event(agent)).await?;
    }
    Ok(agent)
}
