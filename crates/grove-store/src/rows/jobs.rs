//! Jobs and their runs as stored, and what both backends decide the same
//! way about them: a run chat's title, a run's queue item, and the
//! notification a run's end calls for.

use grove_core::ids::{AgentId, ChatId, JobId, OrgId, QueueItemId, RunGroupId, RunId};
use grove_core::jobs::{
    Initiator, Job, NotifyLevel, NotifyTopic, ParamValues, RetryPolicy, Run, RunStatus,
};
use jiff::Timestamp;
use serde_json::json;

use super::{BadRow, StoredRow};
use crate::queue::NewItem;
use crate::RUN_KIND;

/// The columns [`job_from_row`] reads, in its order (the job's channels
/// are read apart, from `job_channels`).
pub(crate) const JOB_COLUMNS: &str = "id, org_id, agent_id, name, prompt, parameters, schedule, \
     timezone, schedule_enabled, parameter_sets, fan_out_concurrency, timeout_seconds, \
     max_retries, retry_delay_seconds, next_run_at, created_at, updated_at, queries";

/// The columns [`run_from_row`] reads, in its order.
pub(crate) const RUN_COLUMNS: &str = "id, org_id, job_id, agent_id, group_id, chat_id, status, \
     initiator, parameters, attempts, max_attempts, error, scheduled_for, created_at, started_at, \
     finished_at, prompt, queue_item_id";

/// Queue attempts of a run item. A run's retries are its own (policy,
/// delay); the queue only re-delivers an item whose worker died, and the
/// run handler decides then, so the queue must not give up first.
pub(crate) const RUN_ITEM_ATTEMPTS: u32 = 1000;

/// Column `i`, a small count or number of seconds kept as a signed integer.
pub(crate) fn small(row: &impl StoredRow, i: usize) -> Result<u32, BadRow> {
    let n: i64 = row.col(i)?;
    u32::try_from(n).map_err(|_| BadRow(format!("column {i} holds {n}, out of range")))
}

pub(crate) fn job_from_row(row: &impl StoredRow) -> Result<Job, BadRow> {
    Ok(Job {
        id: row.parsed(0, |s| JobId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        agent_id: row.parsed(2, |s| AgentId::parse(s).ok())?,
        name: row.col(3)?,
        prompt: row.col(4)?,
        parameters: row.json(5)?,
        schedule: row.col(6)?,
        timezone: row.col(7)?,
        schedule_enabled: row.col(8)?,
        parameter_sets: row.json(9)?,
        fan_out_concurrency: small(row, 10)?,
        timeout_seconds: small(row, 11)?,
        retry: RetryPolicy {
            max_retries: small(row, 12)?,
            delay_seconds: small(row, 13)?,
        },
        channel_ids: Vec::new(),
        next_run_at: row.time_opt(14)?,
        created_at: row.time(15)?,
        updated_at: row.time(16)?,
        queries: row.json(17)?,
    })
}

pub(crate) fn run_from_row(row: &impl StoredRow) -> Result<Run, BadRow> {
    Ok(Run {
        id: row.parsed(0, |s| RunId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        job_id: row.parsed(2, |s| JobId::parse(s).ok())?,
        agent_id: row.parsed(3, |s| AgentId::parse(s).ok())?,
        group_id: row.parsed(4, |s| RunGroupId::parse(s).ok())?,
        chat_id: row
            .col::<Option<String>>(5)?
            .and_then(|c| ChatId::parse(&c).ok()),
        status: row.parsed(6, RunStatus::parse)?,
        initiator: row.parsed(7, Initiator::parse)?,
        parameters: row.json(8)?,
        attempts: small(row, 9)?,
        max_attempts: small(row, 10)?,
        error: row.col(11)?,
        scheduled_for: row.time_opt(12)?,
        created_at: row.time(13)?,
        started_at: row.time_opt(14)?,
        finished_at: row.time_opt(15)?,
        prompt: row.col(16)?,
        queue_item_id: row
            .col::<Option<String>>(17)?
            .and_then(|q| QueueItemId::parse(&q).ok()),
    })
}

/// A run chat's title: the job's name and the run's parameters.
pub(crate) fn chat_title(job: &Job, parameters: &ParamValues) -> String {
    if parameters.is_empty() {
        return job.name.clone();
    }
    let values: Vec<String> = parameters
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    format!("{} ({})", job.name, values.join(", "))
}

/// The queue item that carries run `run` of organisation `org`, due at
/// `at` (now if `None`).
pub(crate) fn run_item(org: &str, run: &str, at: Option<Timestamp>) -> NewItem {
    let mut item = NewItem::new(RUN_KIND, json!({ "run_id": run }));
    item.org_id = OrgId::parse(org).ok();
    item.run_at = at;
    item.max_attempts = Some(RUN_ITEM_ATTEMPTS);
    item
}

/// The level and topic of a notification about a run that ended so.
pub(crate) fn notice(status: RunStatus) -> (NotifyLevel, NotifyTopic) {
    match status {
        RunStatus::Succeeded => (NotifyLevel::Info, NotifyTopic::CompletedRun),
        RunStatus::Cancelled => (NotifyLevel::Warning, NotifyTopic::FailedRun),
        _ => (NotifyLevel::Error, NotifyTopic::FailedRun),
    }
}

/// The outbox event of a run's end.
pub(crate) fn end_event(status: RunStatus) -> &'static str {
    if status == RunStatus::Succeeded {
        "job.run.completed"
    } else {
        "job.run.failed"
    }
}

/// The reason recorded on the skipped run of a fire that found the job
/// still running.
pub(crate) fn still_running(run: &RunId) -> String {
    format!("the job was still running (run {run})")
}
