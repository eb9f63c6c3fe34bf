//! Knowledge agents as stored: the agent row, with the organisation's
//! default model for agents that set none; their data sources are read
//! apart, in order.

use grove_core::agents::{Agent, AgentStatus, ModelSource, RagStrategy, DEFAULT_MODEL};
use grove_core::ids::{AgentId, OrgId};

use super::{BadRow, StoredRow};
use crate::NewAgent;

/// The columns an insert writes.
pub(crate) const AGENT_WRITTEN: &str =
    "id, org_id, name, slug, description, system_prompt, rag_strategy, model, \
     temperature, max_tokens, similarity_threshold, active, created_at, updated_at, \
     data_connector_ids, max_steps, components, max_run_tokens, max_run_cost_usd";

/// The columns [`agent_from_row`] reads, in its order: the written ones and
/// the organisation's default model, for agents that set none (`model = ''`).
pub(crate) const AGENT_COLUMNS: &str =
    "id, org_id, name, slug, description, system_prompt, rag_strategy, model, \
     temperature, max_tokens, similarity_threshold, active, created_at, updated_at, \
     data_connector_ids, max_steps, components, max_run_tokens, max_run_cost_usd, \
     (SELECT default_model FROM org_settings s WHERE s.org_id = agents.org_id)";

/// What a write that takes a slug already used in the organisation means.
pub(crate) const SLUG_TAKEN: &str = "an agent with this slug already exists in the organisation";

/// An agent row; its data sources are left empty for the caller to fill.
pub(crate) fn agent_from_row(row: &impl StoredRow) -> Result<Agent, BadRow> {
    let active: bool = row.col(11)?;
    let own_model: String = row.col(7)?;
    let org_default: Option<String> = row.col(19)?;
    let model_source = if own_model.is_empty() {
        ModelSource::Organization
    } else {
        ModelSource::Agent
    };
    let components: Option<String> = row.col(16)?;
    Ok(Agent {
        id: row.parsed(0, |s| AgentId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        name: row.col(2)?,
        slug: row.col(3)?,
        description: row.col(4)?,
        system_prompt: row.col(5)?,
        rag_strategy: row.parsed(6, RagStrategy::parse)?,
        model: if own_model.is_empty() {
            org_default.unwrap_or_else(|| DEFAULT_MODEL.to_owned())
        } else {
            own_model
        },
        model_source,
        temperature: row.col::<f64>(8)? as f32,
        max_tokens: unsigned(row, 9)?,
        similarity_threshold: row.col::<f64>(10)? as f32,
        data_source_ids: Vec::new(),
        data_connector_ids: row.json(14)?,
        max_steps: unsigned(row, 15)?,
        components: components.and_then(|c| serde_json::from_str(&c).ok()),
        max_run_tokens: row.col::<Option<i64>>(17)?.map(|t| t.max(0) as u64),
        max_run_cost_usd: row.col(18)?,
        active,
        status: if active {
            AgentStatus::Active
        } else {
            AgentStatus::Inactive
        },
        created_at: row.time(12)?,
        updated_at: row.time(13)?,
    })
}

/// Column `i`, an unsigned number stored as a signed integer, in range of `T`.
pub(crate) fn unsigned<T: TryFrom<i64>>(row: &impl StoredRow, i: usize) -> Result<T, BadRow> {
    let n: i64 = row.col(i)?;
    T::try_from(n).map_err(|_| BadRow(format!("column {i} holds {n}, out of range")))
}

/// The data of `agent.created` and `agent.updated`: the agent as the API
/// shows it, with `agent_id` for receivers that look for it.
pub(crate) fn agent_event(agent: &Agent) -> serde_json::Value {
    let mut data = serde_json::to_value(agent).unwrap_or_default();
    if let Some(map) = data.as_object_mut() {
        map.insert("agent_id".into(), serde_json::json!(agent.id));
    }
    data
}

/// The agent's data connectors, as the JSON text stored.
pub(crate) fn connector_ids(new: &NewAgent) -> String {
    let ids: Vec<&str> = new
        .data_connector_ids
        .iter()
        .map(|id| id.as_str())
        .collect();
    serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned())
}

/// The agent's components, as the JSON text stored (NULL without).
pub(crate) fn components(new: &NewAgent) -> Option<String> {
    new.components
        .as_ref()
        .and_then(|c| serde_json::to_string(c).ok())
}
