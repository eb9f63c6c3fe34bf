//! Agent jobs and their runs in SQLite.
//!
//! A trigger claims its job by inserting the job's `job_locks` row in the
//! same immediate transaction that creates the runs, their chats and queue
//! items, so concurrent triggers serialise on SQLite's write lock and exactly
//! one wins. Every way a run ends (finish, cancel, job deletion) settles its
//! group in the same transaction: the next runs of a fan-out are dispatched
//! up to the job's concurrency, and the lock goes once none is left.

use async_trait::async_trait;
use grove_core::ids::{AgentId, ChannelId, ChatId, JobId, OrgId, RunGroupId, RunId};
use grove_core::jobs::{Initiator, Job, ModelUsage, ParamValues, Run, RunStatus};
use grove_core::page::Page;
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::json;

use super::chats::{add_usage, insert_chat, insert_document, insert_message};
use super::notifications::queue_notification;
use super::queue::insert_item;
use super::syncs::record_event;
use super::{backend, list_in_org, now_ms, parsed, ts, SqliteStore};
use crate::rows::channels::channel_wants;
use crate::rows::jobs::{
    chat_title, end_event, job_from_row, notice, run_from_row, run_item, still_running,
    JOB_COLUMNS, RUN_COLUMNS,
};
use crate::{
    Change, JobStore, Listed, NewJob, NewMessage, PlannedRun, RunFinish, ScheduledFire, StoreError,
    StoreResult, TriggerOutcome, TriggerRequest,
};

fn with_channels(conn: &Connection, mut job: Job) -> StoreResult<Job> {
    let mut stmt = conn
        .prepare_cached("SELECT channel_id FROM job_channels WHERE job_id = ?1 ORDER BY position")
        .map_err(backend)?;
    job.channel_ids = stmt
        .query_map([job.id.as_str()], |r| {
            parsed(r.get(0)?, |s| ChannelId::parse(s).ok())
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(backend)?;
    Ok(job)
}

fn select_job(conn: &Connection, org: &OrgId, id: &JobId) -> StoreResult<Option<Job>> {
    let job = conn
        .query_row(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE org_id = ?1 AND id = ?2"),
            params![org.as_str(), id.as_str()],
            |r| Ok(job_from_row(r)?),
        )
        .optional()
        .map_err(backend)?;
    job.map(|j| with_channels(conn, j)).transpose()
}

fn set_channels(tx: &Transaction, id: &JobId, channels: &[ChannelId]) -> StoreResult<()> {
    tx.execute("DELETE FROM job_channels WHERE job_id = ?1", [id.as_str()])
        .map_err(backend)?;
    for (position, channel) in channels.iter().enumerate() {
        tx.execute(
            "INSERT OR IGNORE INTO job_channels (job_id, channel_id, position) VALUES (?1, ?2, ?3)",
            params![id.as_str(), channel.as_str(), position as i64],
        )
        .map_err(backend)?;
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(backend)
}

fn select_run(conn: &Connection, id: &RunId) -> StoreResult<Option<Run>> {
    conn.query_row(
        &format!("SELECT {RUN_COLUMNS} FROM job_runs WHERE id = ?1"),
        [id.as_str()],
        |r| Ok(run_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

struct RunInsert<'a> {
    job: &'a Job,
    group: &'a RunGroupId,
    status: RunStatus,
    initiator: Initiator,
    parameters: &'a ParamValues,
    prompt: &'a str,
    chat: Option<&'a ChatId>,
    error: Option<&'a str>,
    scheduled_for: Option<Timestamp>,
}

fn insert_run(tx: &Transaction, run: RunInsert) -> StoreResult<RunId> {
    let id = RunId::generate();
    let now = now_ms();
    let finished = run.status.is_terminal().then_some(now);
    tx.execute(
        "INSERT INTO job_runs (id, org_id, job_id, agent_id, group_id, chat_id, status, initiator,
                               parameters, max_attempts, error, scheduled_for, created_at,
                               finished_at, prompt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            id.as_str(),
            run.job.org_id.as_str(),
            run.job.id.as_str(),
            run.job.agent_id.as_str(),
            run.group.as_str(),
            run.chat.map(ChatId::as_str),
            run.status.as_str(),
            run.initiator.as_str(),
            to_json(run.parameters)?,
            run.job.retry.max_retries.saturating_add(1),
            run.error,
            run.scheduled_for.map(|t| t.as_millisecond()),
            now,
            finished,
            run.prompt,
        ],
    )
    .map_err(backend)?;
    Ok(id)
}

fn enqueue_run(tx: &Transaction, org: &str, run: &str, at: Option<Timestamp>) -> StoreResult<()> {
    let item = insert_item(tx, &run_item(org, run, at)).map_err(backend)?;
    tx.execute(
        "UPDATE job_runs SET queue_item_id = ?2 WHERE id = ?1",
        params![run, item.as_str()],
    )
    .map_err(backend)?;
    Ok(())
}

/// Gives queue items to the group's next undispatched runs, so that at
/// most `concurrency` of its runs are dispatched and unfinished at once.
fn dispatch(tx: &Transaction, group: &str, concurrency: u32) -> StoreResult<()> {
    let active: i64 = tx
        .query_row(
            "SELECT COUNT(*) FROM job_runs WHERE group_id = ?1
               AND (status = 'running' OR (status = 'queued' AND dispatched = 1))",
            [group],
            |r| r.get(0),
        )
        .map_err(backend)?;
    let free = i64::from(concurrency.max(1)) - active;
    if free <= 0 {
        return Ok(());
    }
    let next: Vec<(String, String)> = tx
        .prepare_cached(
            "SELECT id, org_id FROM job_runs
             WHERE group_id = ?1 AND status = 'queued' AND dispatched = 0
             ORDER BY seq LIMIT ?2",
        )
        .and_then(|mut stmt| {
            stmt.query_map(params![group, free], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(backend)?;
    for (run, org) in next {
        tx.execute(
            "UPDATE job_runs SET dispatched = 1 WHERE id = ?1",
            [run.as_str()],
        )
        .map_err(backend)?;
        enqueue_run(tx, &org, &run, None)?;
    }
    Ok(())
}

/// After a run of `group` ended: dispatches the next runs of the group and
/// releases the job's lock once nothing of the group is queued or running.
fn settle_group(tx: &Transaction, group: &str, job: &str) -> StoreResult<()> {
    let concurrency: Option<u32> = tx
        .query_row(
            "SELECT fan_out_concurrency FROM jobs WHERE id = ?1",
            [job],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    dispatch(tx, group, concurrency.unwrap_or(1))?;
    let left: i64 = tx
        .query_row(
            "SELECT COUNT(*) FROM job_runs WHERE group_id = ?1 AND status IN ('queued', 'running')",
            [group],
            |r| r.get(0),
        )
        .map_err(backend)?;
    if left == 0 {
        tx.execute("DELETE FROM job_locks WHERE group_id = ?1", [group])
            .map_err(backend)?;
    }
    Ok(())
}

/// Records that a run ended: the outbox event, and a notification queue
/// item per channel of the job that wants it; then settles its group.
fn announce_end(tx: &Transaction, run: &Run) -> StoreResult<()> {
    record_event(
        tx,
        run.org_id.as_str(),
        end_event(run.status),
        serde_json::to_value(run).map_err(backend)?,
    )?;
    let (level, topic) = notice(run.status);
    let channels: Vec<(String, String, String, bool)> = tx
        .prepare_cached(
            "SELECT c.id, c.min_level, c.topics, c.enabled FROM job_channels jc
             JOIN notification_channels c ON c.id = jc.channel_id
             WHERE jc.job_id = ?1 ORDER BY jc.position",
        )
        .and_then(|mut stmt| {
            stmt.query_map([run.job_id.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect()
        })
        .map_err(backend)?;
    for (channel, min_level, topics, enabled) in channels {
        if !channel_wants(&min_level, &topics, enabled, level, topic) {
            continue;
        }
        let payload = json!({"run_id": run.id, "level": level, "topic": topic});
        let event = format!("job.run.{}", run.status.as_str());
        queue_notification(tx, &run.org_id, &channel, Some(&run.id), &event, payload)?;
    }
    settle_group(tx, run.group_id.as_str(), run.job_id.as_str())
}

/// Cancels the queued and running runs whose `column` (`job_id` or
/// `agent_id`) is `value`, giving `reason`; for deletions, whose cascade
/// takes the job locks with them.
pub(super) fn cancel_unfinished_runs(
    tx: &Transaction,
    org: &OrgId,
    column: &str,
    value: &str,
    reason: &str,
) -> StoreResult<()> {
    tx.execute(
        &format!(
            "UPDATE job_runs SET status = 'cancelled', finished_at = ?3, error = ?4
             WHERE org_id = ?1 AND {column} = ?2 AND status IN ('queued', 'running')"
        ),
        params![org.as_str(), value, now_ms(), reason],
    )
    .map(|_| ())
    .map_err(backend)
}

/// Moves a run to a terminal status if it is queued or running; the run
/// as it is afterwards, and whether this call ended it.
fn end_run(
    tx: &Transaction,
    id: &RunId,
    status: RunStatus,
    error: Option<&str>,
    from_running_only: bool,
) -> StoreResult<Option<(Run, bool)>> {
    let states = if from_running_only {
        "('running')"
    } else {
        "('queued', 'running')"
    };
    let changed = tx
        .execute(
            &format!(
                "UPDATE job_runs SET status = ?2, error = ?3, finished_at = ?4
                 WHERE id = ?1 AND status IN {states}"
            ),
            params![id.as_str(), status.as_str(), error, now_ms()],
        )
        .map_err(backend)?;
    Ok(select_run(tx, id)?.map(|run| (run, changed == 1)))
}

fn fire_is_current(tx: &Transaction, id: &JobId, fire: &ScheduledFire) -> StoreResult<bool> {
    let next: Option<Option<i64>> = tx
        .query_row(
            "SELECT next_run_at FROM jobs WHERE id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    Ok(next.flatten() == Some(fire.due_at.as_millisecond()))
}

fn advance_schedule(tx: &Transaction, id: &JobId, fire: &ScheduledFire) -> StoreResult<()> {
    tx.execute(
        "UPDATE jobs SET next_run_at = ?2 WHERE id = ?1",
        params![id.as_str(), fire.next_run_at.map(|t| t.as_millisecond())],
    )
    .map(|_| ())
    .map_err(backend)
}

fn record_skip(tx: &Transaction, job: &Job, fire: &ScheduledFire, reason: &str) -> StoreResult<()> {
    let group = RunGroupId::generate();
    insert_run(
        tx,
        RunInsert {
            job,
            group: &group,
            status: RunStatus::Skipped,
            initiator: Initiator::Schedule,
            parameters: &ParamValues::new(),
            prompt: "",
            chat: None,
            error: Some(reason),
            scheduled_for: Some(fire.due_at),
        },
    )?;
    advance_schedule(tx, &job.id, fire)
}

/// Creates the chats and runs of a trigger and dispatches the first ones.
fn start_group(tx: &Transaction, job: &Job, request: &TriggerRequest) -> StoreResult<Vec<RunId>> {
    let group = RunGroupId::generate();
    let mut ids = Vec::with_capacity(request.runs.len());
    let mut first_chat = None;
    for planned in &request.runs {
        let chat = start_chat(tx, job, planned)?;
        let id = insert_run(
            tx,
            RunInsert {
                job,
                group: &group,
                status: RunStatus::Queued,
                initiator: request.initiator,
                parameters: &planned.parameters,
                prompt: &planned.prompt,
                chat: Some(&chat),
                error: None,
                scheduled_for: request.schedule.map(|f| f.due_at),
            },
        )?;
        tx.execute(
            "UPDATE chats SET run_id = ?2 WHERE id = ?1",
            params![chat.as_str(), id.as_str()],
        )
        .map_err(backend)?;
        first_chat.get_or_insert(chat);
        ids.push(id);
    }
    let first = ids
        .first()
        .ok_or_else(|| backend("a trigger needs at least one run"))?;
    tx.execute(
        "INSERT INTO job_locks (job_id, group_id, run_id, chat_id) VALUES (?1, ?2, ?3, ?4)",
        params![
            job.id.as_str(),
            group.as_str(),
            first.as_str(),
            first_chat.as_ref().map(ChatId::as_str)
        ],
    )
    .map_err(backend)?;
    dispatch(tx, group.as_str(), job.fan_out_concurrency)?;
    Ok(ids)
}

/// A run's chat, opened with the rendered question.
fn start_chat(tx: &Transaction, job: &Job, planned: &PlannedRun) -> StoreResult<ChatId> {
    let chat = insert_chat(
        tx,
        &job.org_id,
        &job.agent_id,
        Some(&job.id),
        &chat_title(job, &planned.parameters),
    )?;
    insert_message(
        tx,
        &chat,
        &NewMessage {
            role: grove_core::jobs::MessageRole::User,
            content: planned.prompt.clone(),
            sources: Vec::new(),
            model: None,
        },
    )?;
    Ok(chat)
}

fn lock_holder(tx: &Transaction, id: &JobId) -> StoreResult<Option<(RunId, Option<ChatId>)>> {
    tx.query_row(
        "SELECT run_id, chat_id FROM job_locks WHERE job_id = ?1",
        [id.as_str()],
        |r| {
            let chat: Option<String> = r.get(1)?;
            Ok((
                parsed(r.get(0)?, |s| RunId::parse(s).ok())?,
                chat.and_then(|c| ChatId::parse(&c).ok()),
            ))
        },
    )
    .optional()
    .map_err(backend)
}

fn trigger_in(
    tx: &Transaction,
    org: &OrgId,
    id: &JobId,
    request: &TriggerRequest,
) -> StoreResult<Option<TriggerOutcome>> {
    let Some(job) = select_job(tx, org, id)? else {
        return Ok(None);
    };
    if let Some(fire) = &request.schedule {
        if !fire_is_current(tx, id, fire)? {
            return Ok(Some(TriggerOutcome::Stale));
        }
    }
    if let Some((run_id, chat_id)) = lock_holder(tx, id)? {
        if let Some(fire) = &request.schedule {
            let reason = still_running(&run_id);
            record_skip(tx, &job, fire, &reason)?;
        }
        return Ok(Some(TriggerOutcome::AlreadyRunning { run_id, chat_id }));
    }
    let ids = start_group(tx, &job, request)?;
    if let Some(fire) = &request.schedule {
        advance_schedule(tx, id, fire)?;
    }
    let runs = ids
        .iter()
        .map(|run| select_run(tx, run)?.ok_or_else(|| backend("run vanished after insert")))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(TriggerOutcome::Started(runs)))
}

fn write_job(
    tx: &Transaction,
    id: &JobId,
    org: &OrgId,
    new: &NewJob,
    insert: bool,
) -> StoreResult<bool> {
    let now = now_ms();
    let values = params![
        id.as_str(),
        org.as_str(),
        new.agent_id.as_str(),
        new.name,
        new.prompt,
        to_json(&new.parameters)?,
        new.schedule,
        new.timezone,
        new.schedule_enabled,
        to_json(&new.parameter_sets)?,
        new.fan_out_concurrency,
        new.timeout_seconds,
        new.retry.max_retries,
        new.retry.delay_seconds,
        new.next_run_at.map(|t| t.as_millisecond()),
        now,
        to_json(&new.queries)?,
    ];
    let sql = if insert {
        format!(
            "INSERT INTO jobs ({JOB_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17)"
        )
    } else {
        "UPDATE jobs SET agent_id = ?3, name = ?4, prompt = ?5, parameters = ?6, schedule = ?7,
             timezone = ?8, schedule_enabled = ?9, parameter_sets = ?10,
             fan_out_concurrency = ?11, timeout_seconds = ?12, max_retries = ?13,
             retry_delay_seconds = ?14, next_run_at = ?15, updated_at = ?16, queries = ?17
         WHERE id = ?1 AND org_id = ?2"
            .to_owned()
    };
    let changed = tx.execute(&sql, values).map_err(backend)?;
    if changed == 0 {
        return Ok(false);
    }
    set_channels(tx, id, &new.channel_ids)?;
    Ok(true)
}

fn list_runs_in(
    conn: &Connection,
    org: &OrgId,
    job: &JobId,
    page: Page,
) -> StoreResult<Listed<Run>> {
    // One read transaction: the page and the total from the same snapshot
    // (a run inserted between the two reads made them disagree).
    let tx = conn.unchecked_transaction().map_err(backend)?;
    let items = tx
        .prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM job_runs WHERE org_id = ?1 AND job_id = ?2
             ORDER BY seq DESC LIMIT ?3 OFFSET ?4"
        ))
        .and_then(|mut stmt| {
            stmt.query_map(
                params![org.as_str(), job.as_str(), page.limit, page.offset as i64],
                |r| Ok(run_from_row(r)?),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(backend)?;
    let total: i64 = tx
        .query_row(
            "SELECT COUNT(*) FROM job_runs WHERE org_id = ?1 AND job_id = ?2",
            params![org.as_str(), job.as_str()],
            |r| r.get(0),
        )
        .map_err(backend)?;
    Ok(Listed {
        items,
        total: total as u64,
    })
}

#[async_trait]
impl JobStore for SqliteStore {
    async fn create_job(&self, org: &OrgId, new: NewJob) -> StoreResult<Job> {
        let org = org.clone();
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let id = JobId::generate();
            write_job(&tx, &id, &org, &new, true)?;
            let job = select_job(&tx, &org, &id)?.ok_or_else(|| backend("job vanished"))?;
            tx.commit().map_err(backend)?;
            Ok(job)
        })
        .await
    }

    async fn get_job(&self, org: &OrgId, id: &JobId) -> StoreResult<Option<Job>> {
        self.read(|conn| select_job(conn, org, id))
    }

    async fn list_jobs(
        &self,
        org: &OrgId,
        agent: Option<&AgentId>,
        page: Page,
    ) -> StoreResult<Listed<Job>> {
        self.read(|conn| {
            let filter = agent.map(|a| ("agent_id", a.as_str()));
            let listed = list_in_org(conn, "jobs", JOB_COLUMNS, org, filter, page, |r| {
                job_from_row(r)
            })?;
            let items = listed
                .items
                .into_iter()
                .map(|j| with_channels(conn, j))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Listed {
                items,
                total: listed.total,
            })
        })
    }

    async fn replace_job(&self, org: &OrgId, id: &JobId, new: NewJob) -> StoreResult<Option<Job>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            if !write_job(&tx, &id, &org, &new, false)? {
                return Ok(None);
            }
            let job = select_job(&tx, &org, &id)?;
            tx.commit().map_err(backend)?;
            Ok(job)
        })
        .await
    }

    async fn change_job(
        &self,
        org: &OrgId,
        id: &JobId,
        change: Change<NewJob>,
    ) -> StoreResult<Option<Job>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some(job) = select_job(&tx, &org, &id)? else {
                return Ok(None);
            };
            let new = change(job.into()).map_err(StoreError::Refused)?;
            if !write_job(&tx, &id, &org, &new, false)? {
                return Ok(None);
            }
            let job = select_job(&tx, &org, &id)?;
            tx.commit().map_err(backend)?;
            Ok(job)
        })
        .await
    }

    async fn delete_job(&self, org: &OrgId, id: &JobId) -> StoreResult<bool> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            cancel_unfinished_runs(&tx, &org, "job_id", id.as_str(), "the job was deleted")?;
            let deleted = tx
                .execute(
                    "DELETE FROM jobs WHERE org_id = ?1 AND id = ?2",
                    params![org.as_str(), id.as_str()],
                )
                .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn trigger_job(
        &self,
        org: &OrgId,
        id: &JobId,
        request: TriggerRequest,
    ) -> StoreResult<Option<TriggerOutcome>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let outcome = trigger_in(&tx, &org, &id, &request)?;
            tx.commit().map_err(backend)?;
            Ok(outcome)
        })
        .await
    }

    async fn due_jobs(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Job>> {
        self.read(|conn| {
            let jobs = conn
                .prepare_cached(&format!(
                    "SELECT {JOB_COLUMNS} FROM jobs
                     WHERE next_run_at IS NOT NULL AND next_run_at <= ?1
                     ORDER BY next_run_at LIMIT ?2"
                ))
                .and_then(|mut stmt| {
                    stmt.query_map(params![now.as_millisecond(), limit], |r| {
                        Ok(job_from_row(r)?)
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(backend)?;
            jobs.into_iter().map(|j| with_channels(conn, j)).collect()
        })
    }

    async fn next_due_at(&self) -> StoreResult<Option<Timestamp>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT MIN(next_run_at) FROM jobs WHERE next_run_at IS NOT NULL",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map(|t| t.map(ts))
            .map_err(backend)
        })
    }

    async fn skip_fire(
        &self,
        org: &OrgId,
        id: &JobId,
        fire: ScheduledFire,
        reason: &str,
    ) -> StoreResult<bool> {
        let (org, id, reason) = (org.clone(), id.clone(), reason.to_owned());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some(job) = select_job(&tx, &org, &id)? else {
                return Ok(false);
            };
            if !fire_is_current(&tx, &id, &fire)? {
                return Ok(false);
            }
            record_skip(&tx, &job, &fire, &reason)?;
            tx.commit().map_err(backend)?;
            Ok(true)
        })
        .await
    }

    async fn get_run(&self, org: &OrgId, id: &RunId) -> StoreResult<Option<Run>> {
        self.read(|conn| Ok(select_run(conn, id)?.filter(|r| &r.org_id == org)))
    }

    async fn run_by_id(&self, id: &RunId) -> StoreResult<Option<Run>> {
        self.read(|conn| select_run(conn, id))
    }

    async fn list_runs(&self, org: &OrgId, job: &JobId, page: Page) -> StoreResult<Listed<Run>> {
        self.read(|conn| list_runs_in(conn, org, job, page))
    }

    async fn start_run(&self, id: &RunId) -> StoreResult<Option<Run>> {
        let id = id.clone();
        self.write(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE job_runs SET status = 'running', attempts = attempts + 1,
                            started_at = COALESCE(started_at, ?2)
                     WHERE id = ?1 AND status IN ('queued', 'running')",
                    params![id.as_str(), now_ms()],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Ok(None);
            }
            select_run(conn, &id)
        })
        .await
    }

    async fn finish_run(&self, id: &RunId, finish: RunFinish) -> StoreResult<Option<Run>> {
        let id = id.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some((run, true)) =
                end_run(&tx, &id, finish.status, finish.error.as_deref(), true)?
            else {
                return Ok(None);
            };
            if let Some(chat) = &run.chat_id {
                for step in &finish.steps {
                    insert_message(&tx, chat, step)?;
                }
                if let Some(reply) = &finish.reply {
                    insert_message(&tx, chat, reply)?;
                }
                for (n, document) in finish.documents.iter().enumerate() {
                    insert_document(&tx, chat, n as i64, document)?;
                }
                add_usage(&tx, chat, &finish.usage)?;
            }
            announce_end(&tx, &run)?;
            tx.commit().map_err(backend)?;
            Ok(Some(run))
        })
        .await
    }

    async fn requeue_runs(&self, ids: &[RunId]) -> StoreResult<u64> {
        let ids: Vec<String> = ids.iter().map(|r| r.as_str().to_owned()).collect();
        let ids = serde_json::to_string(&ids).map_err(backend)?;
        self.write(move |conn| {
            conn.execute(
                "UPDATE job_runs SET status = 'queued', attempts = MAX(attempts - 1, 0)
                 WHERE status = 'running' AND id IN (SELECT value FROM json_each(?1))",
                [ids],
            )
            .map(|n| n as u64)
            .map_err(backend)
        })
        .await
    }

    async fn retry_run(&self, id: &RunId, error: &str, at: Timestamp) -> StoreResult<bool> {
        let (id, error) = (id.clone(), error.to_owned());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let changed = tx
                .execute(
                    "UPDATE job_runs SET status = 'queued', error = ?2
                     WHERE id = ?1 AND status = 'running'",
                    params![id.as_str(), error],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Ok(false);
            }
            let org: String = tx
                .query_row(
                    "SELECT org_id FROM job_runs WHERE id = ?1",
                    [id.as_str()],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            enqueue_run(&tx, &org, id.as_str(), Some(at))?;
            tx.commit().map_err(backend)?;
            Ok(true)
        })
        .await
    }

    async fn cancel_run(&self, org: &OrgId, id: &RunId) -> StoreResult<Option<Run>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            match select_run(&tx, &id)? {
                Some(run) if run.org_id == org => {}
                _ => return Ok(None),
            }
            let ended = end_run(
                &tx,
                &id,
                RunStatus::Cancelled,
                Some("cancelled on request"),
                false,
            )?;
            let Some((run, changed)) = ended else {
                return Ok(None);
            };
            if changed {
                announce_end(&tx, &run)?;
            }
            tx.commit().map_err(backend)?;
            Ok(Some(run))
        })
        .await
    }

    async fn create_chat(
        &self,
        org: &OrgId,
        agent: &AgentId,
        title: &str,
        messages: Vec<NewMessage>,
        documents: Vec<crate::NewDocument>,
        usage: ModelUsage,
    ) -> StoreResult<grove_core::jobs::Chat> {
        let (org, agent, title) = (org.clone(), agent.clone(), title.to_owned());
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let id = insert_chat(&tx, &org, &agent, None, &title)?;
            for message in &messages {
                insert_message(&tx, &id, message)?;
            }
            add_usage(&tx, &id, &usage)?;
            for (n, document) in documents.iter().enumerate() {
                insert_document(&tx, &id, n as i64, document)?;
            }
            let chat = super::chats::select_chat(&tx, &org, &id)?
                .ok_or_else(|| backend("chat vanished"))?;
            tx.commit().map_err(backend)?;
            Ok(chat)
        })
        .await
    }

    async fn get_chat(&self, org: &OrgId, id: &ChatId) -> StoreResult<Option<crate::ChatRecord>> {
        self.read(|conn| {
            let Some(record) = super::chats::chat_record(conn, org, id)? else {
                return Ok(None);
            };
            let run = match &record.chat.run_id {
                Some(run) => select_run(conn, run)?,
                None => None,
            };
            Ok(Some(crate::ChatRecord { run, ..record }))
        })
    }

    async fn list_chats(
        &self,
        org: &OrgId,
        agent: Option<&AgentId>,
        job: Option<&JobId>,
        page: Page,
    ) -> StoreResult<Listed<crate::ChatSummary>> {
        self.read(|conn| super::chats::list(conn, org, agent, job, page))
    }
}
