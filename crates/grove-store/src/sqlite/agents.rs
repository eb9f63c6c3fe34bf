//! Knowledge agents in SQLite: the agent row and its ordered data sources.

use async_trait::async_trait;
use grove_core::agents::Agent;
use grove_core::ids::{AgentId, DataSourceId, OrgId};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::jobs::cancel_unfinished_runs;
use super::syncs::record_event;
use super::{backend, list_in_org, now_ms, parsed, write_error, SqliteStore};
use crate::rows::agents::{
    agent_event, agent_from_row, components, connector_ids, AGENT_COLUMNS as SELECTED,
    AGENT_WRITTEN as COLUMNS, SLUG_TAKEN,
};
use crate::{AgentStore, Change, Listed, NewAgent, StoreError, StoreResult};

fn with_sources(conn: &Connection, mut agent: Agent) -> StoreResult<Agent> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT data_source_id FROM agent_data_sources WHERE agent_id = ?1 ORDER BY position",
        )
        .map_err(backend)?;
    agent.data_source_ids = stmt
        .query_map([agent.id.as_str()], |r| {
            parsed(r.get(0)?, |s| DataSourceId::parse(s).ok())
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(backend)?;
    Ok(agent)
}

fn select(
    conn: &Connection,
    org: &OrgId,
    condition: &str,
    value: &str,
) -> StoreResult<Option<Agent>> {
    let agent = conn
        .query_row(
            &format!("SELECT {SELECTED} FROM agents WHERE org_id = ?1 AND {condition} = ?2"),
            params![org.as_str(), value],
            |r| Ok(agent_from_row(r)?),
        )
        .optional()
        .map_err(backend)?;
    agent.map(|a| with_sources(conn, a)).transpose()
}

fn set_sources(tx: &Transaction, id: &AgentId, sources: &[DataSourceId]) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM agent_data_sources WHERE agent_id = ?1",
        [id.as_str()],
    )
    .map_err(backend)?;
    for (position, source) in sources.iter().enumerate() {
        tx.execute(
            "INSERT OR IGNORE INTO agent_data_sources (agent_id, data_source_id, position)
             VALUES (?1, ?2, ?3)",
            params![id.as_str(), source.as_str(), position as i64],
        )
        .map_err(backend)?;
    }
    Ok(())
}

#[async_trait]
impl AgentStore for SqliteStore {
    async fn create_agent(&self, org: &OrgId, new: NewAgent) -> StoreResult<Agent> {
        let org = org.clone();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let id = AgentId::generate();
            tx.execute(
                &format!(
                    "INSERT INTO agents ({COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15,
                             ?16, ?17, ?18)"
                ),
                params![
                    id.as_str(),
                    org.as_str(),
                    new.name,
                    new.slug,
                    new.description,
                    new.system_prompt,
                    new.rag_strategy.as_str(),
                    new.model.as_deref().unwrap_or_default(),
                    new.temperature as f64,
                    new.max_tokens,
                    new.similarity_threshold as f64,
                    new.active,
                    now_ms(),
                    connector_ids(&new),
                    new.max_steps,
                    components(&new),
                    new.max_run_tokens.map(|t| t as i64),
                    new.max_run_cost_usd
                ],
            )
            .map_err(|e| write_error(e, SLUG_TAKEN))?;
            set_sources(&tx, &id, &new.data_source_ids)?;
            let agent = select(&tx, &org, "id", id.as_str())?
                .ok_or_else(|| backend("agent vanished after insert"))?;
            record_event(&tx, org.as_str(), "agent.created", agent_event(&agent))?;
            tx.commit().map_err(backend)?;
            Ok(agent)
        })
        .await
    }

    async fn get_agent(&self, org: &OrgId, id: &AgentId) -> StoreResult<Option<Agent>> {
        self.read(|conn| select(conn, org, "id", id.as_str()))
    }

    async fn agent_by_slug(&self, org: &OrgId, slug: &str) -> StoreResult<Option<Agent>> {
        self.read(|conn| select(conn, org, "slug", slug))
    }

    async fn list_agents(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Agent>> {
        self.read(|conn| {
            let listed = list_in_org(conn, "agents", SELECTED, org, None, page, |r| {
                agent_from_row(r)
            })?;
            let items = listed
                .items
                .into_iter()
                .map(|a| with_sources(conn, a))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Listed {
                items,
                total: listed.total,
            })
        })
    }

    async fn replace_agent(
        &self,
        org: &OrgId,
        id: &AgentId,
        new: NewAgent,
    ) -> StoreResult<Option<Agent>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let agent = replace_in(&tx, &org, &id, &new)?;
            tx.commit().map_err(backend)?;
            Ok(agent)
        })
        .await
    }

    async fn change_agent(
        &self,
        org: &OrgId,
        id: &AgentId,
        change: Change<NewAgent>,
    ) -> StoreResult<Option<Agent>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some(agent) = select(&tx, &org, "id", id.as_str())? else {
                return Ok(None);
            };
            let new = change(agent.into()).map_err(StoreError::Refused)?;
            let agent = replace_in(&tx, &org, &id, &new)?;
            tx.commit().map_err(backend)?;
            Ok(agent)
        })
        .await
    }

    async fn delete_agent(&self, org: &OrgId, id: &AgentId) -> StoreResult<bool> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            // Its jobs go with it (cascade); their unfinished runs end here.
            cancel_unfinished_runs(&tx, &org, "agent_id", id.as_str(), "the agent was deleted")?;
            let deleted = tx
                .execute(
                    "DELETE FROM agents WHERE org_id = ?1 AND id = ?2",
                    params![org.as_str(), id.as_str()],
                )
                .map_err(backend)?;
            if deleted > 0 {
                let data = serde_json::json!({ "agent_id": id });
                record_event(&tx, org.as_str(), "agent.deleted", data)?;
            }
            tx.commit().map_err(backend)?;
            Ok(deleted > 0)
        })
        .await
    }
}

/// Writes every field of agent `id`; `None` if absent.
fn replace_in(
    tx: &Transaction,
    org: &OrgId,
    id: &AgentId,
    new: &NewAgent,
) -> StoreResult<Option<Agent>> {
    let changed = tx
        .execute(
            "UPDATE agents SET name = ?3, slug = ?4, description = ?5, system_prompt = ?6,
                     rag_strategy = ?7, model = ?8, temperature = ?9, max_tokens = ?10,
                     similarity_threshold = ?11, active = ?12, updated_at = ?13,
                     data_connector_ids = ?14, max_steps = ?15, components = ?16,
                     max_run_tokens = ?17, max_run_cost_usd = ?18
                 WHERE org_id = ?1 AND id = ?2",
            params![
                org.as_str(),
                id.as_str(),
                new.name,
                new.slug,
                new.description,
                new.system_prompt,
                new.rag_strategy.as_str(),
                new.model.as_deref().unwrap_or_default(),
                new.temperature as f64,
                new.max_tokens,
                new.similarity_threshold as f64,
                new.active,
                now_ms(),
                connector_ids(new),
                new.max_steps,
                components(new),
                new.max_run_tokens.map(|t| t as i64),
                new.max_run_cost_usd
            ],
        )
        .map_err(|e| write_error(e, SLUG_TAKEN))?;
    if changed == 0 {
        return Ok(None);
    }
    set_sources(tx, id, &new.data_source_ids)?;
    let agent = select(tx, org, "id", id.as_str())?;
    if let Some(agent) = &agent {
        record_event(tx, org.as_str(), "agent.updated", agent_event(agent))?;
    }
    Ok(agent)
}
