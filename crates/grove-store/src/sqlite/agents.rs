//! Knowledge agents in SQLite: the agent row and its ordered data sources.

use async_trait::async_trait;
use grove_core::agents::{Agent, AgentStatus, ModelSource, RagStrategy};
use grove_core::ids::{AgentId, DataSourceId, OrgId};
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::jobs::cancel_unfinished_runs;
use super::syncs::record_event;
use super::{backend, list_in_org, now_ms, parsed, ts, write_error, SqliteStore};
use crate::{AgentStore, Change, Listed, NewAgent, StoreError, StoreResult};

/// The columns an insert writes.
const COLUMNS: &str = "id, org_id, name, slug, description, system_prompt, rag_strategy, model, \
     temperature, max_tokens, similarity_threshold, active, created_at, updated_at, \
     data_connector_ids, max_steps, components, max_run_tokens, max_run_cost_usd";

/// The columns a read takes: the written ones and the organisation's
/// default model, for agents that set none (`model = ''`).
const SELECTED: &str = "id, org_id, name, slug, description, system_prompt, rag_strategy, model, \
     temperature, max_tokens, similarity_threshold, active, created_at, updated_at, \
     data_connector_ids, max_steps, components, max_run_tokens, max_run_cost_usd, \
     (SELECT default_model FROM org_settings s WHERE s.org_id = agents.org_id)";

/// An agent row; its data sources are filled in by [`with_sources`].
fn from_row(row: &Row) -> rusqlite::Result<Agent> {
    let active: bool = row.get(11)?;
    let own_model: String = row.get(7)?;
    let org_default: Option<String> = row.get(19)?;
    let model_source = if own_model.is_empty() {
        ModelSource::Organization
    } else {
        ModelSource::Agent
    };
    let components: Option<String> = row.get(16)?;
    Ok(Agent {
        id: parsed(row.get(0)?, |s| AgentId::parse(s).ok())?,
        org_id: parsed(row.get(1)?, |s| OrgId::parse(s).ok())?,
        name: row.get(2)?,
        slug: row.get(3)?,
        description: row.get(4)?,
        system_prompt: row.get(5)?,
        rag_strategy: parsed(row.get(6)?, RagStrategy::parse)?,
        model: if own_model.is_empty() {
            org_default.unwrap_or_else(|| grove_core::agents::DEFAULT_MODEL.to_owned())
        } else {
            own_model
        },
        model_source,
        temperature: row.get::<_, f64>(8)? as f32,
        max_tokens: row.get(9)?,
        similarity_threshold: row.get::<_, f64>(10)? as f32,
        data_source_ids: Vec::new(),
        data_connector_ids: parsed(row.get(14)?, |s| serde_json::from_str(s).ok())?,
        max_steps: row.get(15)?,
        components: components.and_then(|c| serde_json::from_str(&c).ok()),
        max_run_tokens: row.get::<_, Option<i64>>(17)?.map(|t| t.max(0) as u64),
        max_run_cost_usd: row.get(18)?,
        active,
        status: if active {
            AgentStatus::Active
        } else {
            AgentStatus::Inactive
        },
        created_at: ts(row.get(12)?),
        updated_at: ts(row.get(13)?),
    })
}

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
            from_row,
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

/// The data of `agent.created` and `agent.updated`: the agent as the API
/// shows it, with `agent_id` for receivers that look for it.
fn agent_event(agent: &Agent) -> serde_json::Value {
    let mut data = serde_json::to_value(agent).unwrap_or_default();
    if let Some(map) = data.as_object_mut() {
        map.insert("agent_id".into(), serde_json::json!(agent.id));
    }
    data
}

fn connector_ids(new: &NewAgent) -> String {
    let ids: Vec<&str> = new
        .data_connector_ids
        .iter()
        .map(|id| id.as_str())
        .collect();
    serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned())
}

fn components(new: &NewAgent) -> Option<String> {
    new.components
        .as_ref()
        .and_then(|c| serde_json::to_string(c).ok())
}

const SLUG_TAKEN: &str = "an agent with this slug already exists in the organisation";

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
            let listed = list_in_org(conn, "agents", SELECTED, org, None, page, from_row)?;
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
