//! Eval sets, runs and run items as stored.

use grove_core::evals::{EvalItemResult, EvalRun, EvalRunStatus, EvalSet, ItemScore};
use grove_core::ids::{AgentId, EvalRunId, EvalSetId, OrgId};

use super::{BadRow, StoredRow};

/// Queue attempts of a run item: the queue only re-delivers an item whose
/// worker died or whose store write failed, and the run resumes where it
/// stopped, so the queue must not give up early.
pub(crate) const RUN_ITEM_ATTEMPTS: u32 = 100;

/// The columns [`set_from_row`] reads, in its order; [`set_with_items_from_row`]
/// reads them followed by `items`.
pub(crate) const SET_COLUMNS: &str =
    "id, org_id, name, description, item_count, created_at, updated_at";

/// The columns [`run_from_row`] reads, in its order (the scored items
/// counted), then the run's queue item id (column 14). The table must not be
/// aliased: the count names `eval_runs.id`.
pub(crate) const RUN_COLUMNS: &str =
    "id, org_id, eval_set_id, agent_id, status, agent_snapshot, items_total, \
     aggregate, similarity_note, error, created_at, started_at, finished_at, \
     (SELECT COUNT(*) FROM eval_run_items i WHERE i.run_id = eval_runs.id AND i.scored_at IS NOT NULL), \
     queue_item_id";

/// The column of [`RUN_COLUMNS`] holding the run's queue item id.
pub(crate) const RUN_QUEUE_ITEM: usize = 14;

/// The columns [`item_from_row`] reads, in its order.
pub(crate) const ITEM_COLUMNS: &str =
    "position, question, expected_answer, expected_sources, result, scored_at";

/// The error of a run failed because the queue gave its item up.
pub(crate) fn abandoned_error(last_error: Option<&str>) -> String {
    format!(
        "the run's queue item was given up: {}",
        last_error.unwrap_or("no error recorded")
    )
}

/// A set without its items.
pub(crate) fn set_from_row(row: &impl StoredRow) -> Result<EvalSet, BadRow> {
    Ok(EvalSet {
        id: row.parsed(0, |s| EvalSetId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        name: row.col(2)?,
        description: row.col(3)?,
        item_count: small(row, 4)?,
        items: None,
        created_at: row.time(5)?,
        updated_at: row.time(6)?,
    })
}

/// A set with its items (column 7).
pub(crate) fn set_with_items_from_row(row: &impl StoredRow) -> Result<EvalSet, BadRow> {
    let mut set = set_from_row(row)?;
    set.items = Some(row.json(7)?);
    Ok(set)
}

pub(crate) fn run_from_row(row: &impl StoredRow) -> Result<EvalRun, BadRow> {
    Ok(EvalRun {
        id: row.parsed(0, |s| EvalRunId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        eval_set_id: row.parsed(2, |s| EvalSetId::parse(s).ok())?,
        agent_id: row.parsed(3, |s| AgentId::parse(s).ok())?,
        status: row.parsed(4, EvalRunStatus::parse)?,
        agent_snapshot: row.json(5)?,
        items_total: small(row, 6)?,
        items_scored: small(row, 13)?,
        aggregate: row.json_opt(7)?,
        similarity_note: row.col(8)?,
        error: row.col(9)?,
        created_at: row.time(10)?,
        started_at: row.time_opt(11)?,
        finished_at: row.time_opt(12)?,
    })
}

/// A run with its queue item id, for the worker.
pub(crate) fn run_for_worker_from_row(
    row: &impl StoredRow,
) -> Result<(EvalRun, Option<String>), BadRow> {
    Ok((run_from_row(row)?, row.col(RUN_QUEUE_ITEM)?))
}

pub(crate) fn item_from_row(row: &impl StoredRow) -> Result<EvalItemResult, BadRow> {
    let score: Option<ItemScore> = row.json_opt(4)?;
    let score = score.as_ref();
    Ok(EvalItemResult {
        position: small(row, 0)?,
        question: row.col(1)?,
        expected_answer: row.col(2)?,
        expected_sources: row.json(3)?,
        answer: score.map(|s| s.answer.clone()),
        cited_sources: score.map(|s| s.cited_sources.clone()).unwrap_or_default(),
        retrieval_hit: score.and_then(|s| s.retrieval_hit),
        answer_similarity: score.and_then(|s| s.answer_similarity),
        citation_present: score.map(|s| s.citation_present),
        latency_ms: score.map(|s| s.latency_ms),
        error: score.and_then(|s| s.error.clone()),
        scored_at: row.time_opt(5)?,
    })
}

fn small(row: &impl StoredRow, i: usize) -> Result<u32, BadRow> {
    let n: i64 = row.col(i)?;
    u32::try_from(n).map_err(|_| BadRow(format!("column {i} holds {n}, out of range")))
}
