//! Agent jobs and their runs on PostgreSQL, shared by every replica.
//!
//! Every write that triggers, skips, ends or dispatches runs of a job first
//! holds the job's row (`FOR UPDATE`) until it commits, so such writes on
//! one job take turns across replicas, and always in one order (the job,
//! then its runs), so they cannot deadlock. Under that lock:
//! - a scheduled fire is a compare-and-set on `jobs.next_run_at`: it
//!   happens only if the job's next run time is still the fire's due time,
//!   and moves it on in the same transaction, so a due time fires (or is
//!   skipped) once across all replicas;
//! - a trigger claims the job by inserting its `job_locks` row with the
//!   runs, their chats and queue items;
//! - every way a run ends (finish, cancel, job deletion) settles its group:
//!   the next runs of a fan-out are dispatched up to the job's concurrency
//!   (each counted and marked `dispatched` under the lock, so two replicas
//!   finishing runs of one group at once never dispatch a run twice), and
//!   the lock goes once none is left.

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use grove_core::ids::{AgentId, ChannelId, ChatId, JobId, OrgId, RunGroupId, RunId};
use grove_core::jobs::{Initiator, Job, ModelUsage, ParamValues, Run, RunStatus};
use grove_core::page::Page;
use jiff::Timestamp;
use serde_json::json;

use super::chats::{self, append, insert_chat, insert_message};
use super::notifications::queue_notification;
use super::outbox::record_event;
use super::queue::insert_item;
use super::{filtered_page, list_in_org, mapped, mapped_opt, now_ms, pg_error, Arg, PgStore};
use crate::rows::channels::channel_wants;
use crate::rows::jobs::{
    chat_title, end_event, job_from_row, notice, run_from_row, run_item, still_running,
    JOB_COLUMNS, RUN_COLUMNS,
};
use crate::rows::StoredRow;
use crate::{
    json_text, Change, ChatRecord, ChatSummary, JobStore, Listed, NewDocument, NewJob, NewMessage,
    PlannedRun, RunFinish, ScheduledFire, StoreError, StoreResult, TriggerOutcome, TriggerRequest,
};

fn backend(what: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(what.to_string())
}

async fn with_channels(client: &impl GenericClient, mut job: Job) -> StoreResult<Job> {
    let rows = client
        .query(
            "SELECT channel_id FROM job_channels WHERE job_id = $1 ORDER BY position",
            &[&job.id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    job.channel_ids = mapped(rows, |r| r.parsed(0, |s| ChannelId::parse(s).ok()))?;
    Ok(job)
}

/// Job `id` of `org` with its channels; `lock` holds its row until the
/// transaction ends.
async fn select_job(
    client: &impl GenericClient,
    org: &OrgId,
    id: &JobId,
    lock: bool,
) -> StoreResult<Option<Job>> {
    let lock = if lock { "FOR UPDATE" } else { "" };
    let row = client
        .query_opt(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE org_id = $1 AND id = $2 {lock}"),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    match mapped_opt(row, job_from_row)? {
        Some(job) => Ok(Some(with_channels(client, job).await?)),
        None => Ok(None),
    }
}

/// Holds the row of the job of run `id` until the transaction ends (see
/// the module's comment); nothing if the run or its job is gone.
async fn lock_job_of_run(client: &impl GenericClient, id: &RunId) -> StoreResult<()> {
    client
        .query(
            "SELECT 1 FROM jobs WHERE id = (SELECT job_id FROM job_runs WHERE id = $1)
             FOR UPDATE",
            &[&id.as_str()],
        )
        .await
        .map(drop)
        .map_err(pg_error)
}

async fn set_channels(
    client: &impl GenericClient,
    id: &JobId,
    channels: &[ChannelId],
) -> StoreResult<()> {
    client
        .execute(
            "DELETE FROM job_channels WHERE job_id = $1",
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    for (position, channel) in (0_i64..).zip(channels) {
        client
            .execute(
                "INSERT INTO job_channels (job_id, channel_id, position) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&id.as_str(), &channel.as_str(), &position],
            )
            .await
            .map_err(pg_error)?;
    }
    Ok(())
}

async fn select_run(client: &impl GenericClient, id: &RunId) -> StoreResult<Option<Run>> {
    let row = client
        .query_opt(
            &format!("SELECT {RUN_COLUMNS} FROM job_runs WHERE id = $1"),
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, run_from_row)
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

async fn insert_run(client: &impl GenericClient, run: RunInsert<'_>) -> StoreResult<RunId> {
    let id = RunId::generate();
    let now = now_ms();
    let finished = run.status.is_terminal().then_some(now);
    client
        .execute(
            "INSERT INTO job_runs (id, org_id, job_id, agent_id, group_id, chat_id, status,
                                   initiator, parameters, max_attempts, error, scheduled_for,
                                   created_at, finished_at, prompt)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            &[
                &id.as_str(),
                &run.job.org_id.as_str(),
                &run.job.id.as_str(),
                &run.job.agent_id.as_str(),
                &run.group.as_str(),
                &run.chat.map(ChatId::as_str),
                &run.status.as_str(),
                &run.initiator.as_str(),
                &json_text(run.parameters)?,
                &i64::from(run.job.retry.max_retries.saturating_add(1)),
                &run.error,
                &run.scheduled_for.map(|t| t.as_millisecond()),
                &now,
                &finished,
                &run.prompt,
            ],
        )
        .await
        .map_err(pg_error)?;
    Ok(id)
}

/// Queues the item that carries run `run` (due at `at`, now if `None`)
/// and makes it the run's current item.
async fn enqueue_run(
    client: &impl GenericClient,
    org: &str,
    run: &str,
    at: Option<Timestamp>,
) -> StoreResult<()> {
    let item = insert_item(client, &run_item(org, run, at)).await?;
    client
        .execute(
            "UPDATE job_runs SET queue_item_id = $2 WHERE id = $1",
            &[&run, &item.as_str()],
        )
        .await
        .map(drop)
        .map_err(pg_error)
}

/// Gives queue items to the group's next undispatched runs, so that at
/// most `concurrency` of its runs are dispatched and unfinished at once.
/// The caller holds the job's row, so no other replica counts or marks
/// this group's runs meanwhile.
async fn dispatch(client: &impl GenericClient, group: &str, concurrency: i64) -> StoreResult<()> {
    let active: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM job_runs WHERE group_id = $1
               AND (status = 'running' OR (status = 'queued' AND dispatched))",
            &[&group],
        )
        .await
        .map_err(pg_error)?
        .get(0);
    let free = concurrency.max(1) - active;
    if free <= 0 {
        return Ok(());
    }
    let next = client
        .query(
            "SELECT id, org_id FROM job_runs
             WHERE group_id = $1 AND status = 'queued' AND NOT dispatched
             ORDER BY seq LIMIT $2",
            &[&group, &free],
        )
        .await
        .map_err(pg_error)?;
    for row in next {
        let (run, org): (String, String) = (row.get(0), row.get(1));
        let marked = client
            .execute(
                "UPDATE job_runs SET dispatched = TRUE WHERE id = $1 AND NOT dispatched",
                &[&run],
            )
            .await
            .map_err(pg_error)?;
        if marked == 1 {
            enqueue_run(client, &org, &run, None).await?;
        }
    }
    Ok(())
}

/// After a run of `group` ended: dispatches the next runs of the group and
/// releases the job's lock once nothing of the group is queued or running.
async fn settle_group(client: &impl GenericClient, group: &str, job: &str) -> StoreResult<()> {
    let concurrency: Option<i64> = client
        .query_opt(
            "SELECT fan_out_concurrency FROM jobs WHERE id = $1",
            &[&job],
        )
        .await
        .map_err(pg_error)?
        .map(|r| r.get(0));
    dispatch(client, group, concurrency.unwrap_or(1)).await?;
    let left: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM job_runs WHERE group_id = $1 AND status IN ('queued', 'running')",
            &[&group],
        )
        .await
        .map_err(pg_error)?
        .get(0);
    if left == 0 {
        client
            .execute("DELETE FROM job_locks WHERE group_id = $1", &[&group])
            .await
            .map_err(pg_error)?;
    }
    Ok(())
}

/// Records that a run ended: the outbox event, and a notification queue
/// item per channel of the job that wants it; then settles its group.
async fn announce_end(client: &impl GenericClient, run: &Run) -> StoreResult<()> {
    record_event(
        client,
        run.org_id.as_str(),
        end_event(run.status),
        serde_json::to_value(run).map_err(backend)?,
    )
    .await?;
    let (level, topic) = notice(run.status);
    let channels = client
        .query(
            "SELECT c.id, c.min_level, c.topics, c.enabled FROM job_channels jc
             JOIN notification_channels c ON c.id = jc.channel_id
             WHERE jc.job_id = $1 ORDER BY jc.position",
            &[&run.job_id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    for row in channels {
        let (channel, min_level, topics): (String, String, String) =
            (row.get(0), row.get(1), row.get(2));
        if !channel_wants(&min_level, &topics, row.get(3), level, topic) {
            continue;
        }
        let payload = json!({"run_id": run.id, "level": level, "topic": topic});
        let event = format!("job.run.{}", run.status.as_str());
        queue_notification(
            client,
            &run.org_id,
            &channel,
            Some(&run.id),
            &event,
            payload,
        )
        .await?;
    }
    settle_group(client, run.group_id.as_str(), run.job_id.as_str()).await
}

/// Cancels the queued and running runs of job `id`, for its deletion
/// (whose cascade takes the job's lock with it); holds the job's row first,
/// as every write that ends runs does.
async fn cancel_job_runs(client: &impl GenericClient, org: &OrgId, id: &JobId) -> StoreResult<()> {
    select_job(client, org, id, true).await?;
    cancel_unfinished_runs(client, org, "job_id", id.as_str(), "the job was deleted").await
}

/// Cancels the queued and running runs whose `column` (`job_id` or
/// `agent_id`) is `id`, saying `why`.
pub(super) async fn cancel_unfinished_runs(
    client: &impl GenericClient,
    org: &OrgId,
    column: &str,
    id: &str,
    why: &str,
) -> StoreResult<()> {
    client
        .execute(
            &format!(
                "UPDATE job_runs SET status = 'cancelled', finished_at = $3, error = $4
                 WHERE org_id = $1 AND {column} = $2 AND status IN ('queued', 'running')"
            ),
            &[&org.as_str(), &id, &now_ms(), &why],
        )
        .await
        .map(drop)
        .map_err(pg_error)
}

/// Moves a run to a terminal status if it is queued or running (running
/// only, if `from_running_only`); the run as it is afterwards, and whether
/// this call ended it.
async fn end_run(
    client: &impl GenericClient,
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
    let changed = client
        .execute(
            &format!(
                "UPDATE job_runs SET status = $2, error = $3, finished_at = $4
                 WHERE id = $1 AND status IN {states}"
            ),
            &[&id.as_str(), &status.as_str(), &error, &now_ms()],
        )
        .await
        .map_err(pg_error)?;
    Ok(select_run(client, id).await?.map(|run| (run, changed == 1)))
}

/// Whether `fire` is the job's pending fire: its next run time (read under
/// the job's row lock) is still the fire's due time.
fn fire_is_current(job: &Job, fire: &ScheduledFire) -> bool {
    job.next_run_at.map(|t| t.as_millisecond()) == Some(fire.due_at.as_millisecond())
}

/// The set of the compare-and-set: moves the job on from `fire`'s due
/// time to the next; false if the job is no longer at that due time.
async fn advance_schedule(
    client: &impl GenericClient,
    id: &JobId,
    fire: &ScheduledFire,
) -> StoreResult<bool> {
    let changed = client
        .execute(
            "UPDATE jobs SET next_run_at = $2 WHERE id = $1 AND next_run_at = $3",
            &[
                &id.as_str(),
                &fire.next_run_at.map(|t| t.as_millisecond()),
                &fire.due_at.as_millisecond(),
            ],
        )
        .await
        .map_err(pg_error)?;
    Ok(changed == 1)
}

async fn record_skip(
    client: &impl GenericClient,
    job: &Job,
    fire: &ScheduledFire,
    reason: &str,
) -> StoreResult<()> {
    let group = RunGroupId::generate();
    insert_run(
        client,
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
    )
    .await?;
    if !advance_schedule(client, &job.id, fire).await? {
        return Err(backend(
            "the job's next run time changed while its row was held",
        ));
    }
    Ok(())
}

/// A run's chat, opened with the rendered question.
async fn start_chat(
    client: &impl GenericClient,
    job: &Job,
    planned: &PlannedRun,
) -> StoreResult<ChatId> {
    let title = chat_title(job, &planned.parameters);
    let chat = insert_chat(client, &job.org_id, &job.agent_id, Some(&job.id), &title).await?;
    let question = NewMessage {
        role: grove_core::jobs::MessageRole::User,
        content: planned.prompt.clone(),
        sources: Vec::new(),
        model: None,
    };
    insert_message(client, &chat, &question).await?;
    Ok(chat)
}

/// Creates the chats and runs of a trigger, claims the job for them and
/// dispatches the first ones.
async fn start_group(
    client: &impl GenericClient,
    job: &Job,
    request: &TriggerRequest,
) -> StoreResult<Vec<RunId>> {
    let group = RunGroupId::generate();
    let mut ids = Vec::with_capacity(request.runs.len());
    let mut first_chat = None;
    for planned in &request.runs {
        let chat = start_chat(client, job, planned).await?;
        let id = insert_run(
            client,
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
        )
        .await?;
        client
            .execute(
                "UPDATE chats SET run_id = $2 WHERE id = $1",
                &[&chat.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        first_chat.get_or_insert(chat);
        ids.push(id);
    }
    let first = ids
        .first()
        .ok_or_else(|| backend("a trigger needs at least one run"))?;
    client
        .execute(
            "INSERT INTO job_locks (job_id, group_id, run_id, chat_id) VALUES ($1, $2, $3, $4)",
            &[
                &job.id.as_str(),
                &group.as_str(),
                &first.as_str(),
                &first_chat.as_ref().map(ChatId::as_str),
            ],
        )
        .await
        .map_err(pg_error)?;
    dispatch(client, group.as_str(), i64::from(job.fan_out_concurrency)).await?;
    Ok(ids)
}

async fn lock_holder(
    client: &impl GenericClient,
    id: &JobId,
) -> StoreResult<Option<(RunId, Option<ChatId>)>> {
    let row = client
        .query_opt(
            "SELECT run_id, chat_id FROM job_locks WHERE job_id = $1",
            &[&id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, |r| {
        Ok((
            r.parsed(0, |s| RunId::parse(s).ok())?,
            r.parsed_opt(1, |s| ChatId::parse(s).ok())?,
        ))
    })
}

async fn trigger_in(
    tx: &Transaction<'_>,
    org: &OrgId,
    id: &JobId,
    request: &TriggerRequest,
) -> StoreResult<Option<TriggerOutcome>> {
    let Some(job) = select_job(tx, org, id, true).await? else {
        return Ok(None);
    };
    if let Some(fire) = &request.schedule {
        if !fire_is_current(&job, fire) {
            return Ok(Some(TriggerOutcome::Stale));
        }
    }
    if let Some((run_id, chat_id)) = lock_holder(tx, id).await? {
        if let Some(fire) = &request.schedule {
            record_skip(tx, &job, fire, &still_running(&run_id)).await?;
        }
        return Ok(Some(TriggerOutcome::AlreadyRunning { run_id, chat_id }));
    }
    let ids = start_group(tx, &job, request).await?;
    if let Some(fire) = &request.schedule {
        if !advance_schedule(tx, id, fire).await? {
            return Err(backend(
                "the job's next run time changed while its row was held",
            ));
        }
    }
    let mut runs = Vec::with_capacity(ids.len());
    for run in &ids {
        runs.push(
            select_run(tx, run)
                .await?
                .ok_or_else(|| backend("run vanished after insert"))?,
        );
    }
    Ok(Some(TriggerOutcome::Started(runs)))
}

/// Writes every field of job `id` (inserting it if `insert`) and its
/// channels; false if there was no job to update.
async fn write_job(
    client: &impl GenericClient,
    id: &JobId,
    org: &OrgId,
    new: &NewJob,
    insert: bool,
) -> StoreResult<bool> {
    let sql = if insert {
        format!(
            "INSERT INTO jobs ({JOB_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17)"
        )
    } else {
        "UPDATE jobs SET agent_id = $3, name = $4, prompt = $5, parameters = $6, schedule = $7,
             timezone = $8, schedule_enabled = $9, parameter_sets = $10,
             fan_out_concurrency = $11, timeout_seconds = $12, max_retries = $13,
             retry_delay_seconds = $14, next_run_at = $15, updated_at = $16, queries = $17
         WHERE id = $1 AND org_id = $2"
            .to_owned()
    };
    let changed = client
        .execute(
            &sql,
            &[
                &id.as_str(),
                &org.as_str(),
                &new.agent_id.as_str(),
                &new.name,
                &new.prompt,
                &json_text(&new.parameters)?,
                &new.schedule,
                &new.timezone,
                &new.schedule_enabled,
                &json_text(&new.parameter_sets)?,
                &i64::from(new.fan_out_concurrency),
                &i64::from(new.timeout_seconds),
                &i64::from(new.retry.max_retries),
                &i64::from(new.retry.delay_seconds),
                &new.next_run_at.map(|t| t.as_millisecond()),
                &now_ms(),
                &json_text(&new.queries)?,
            ],
        )
        .await
        .map_err(pg_error)?;
    if changed == 0 {
        return Ok(false);
    }
    set_channels(client, id, &new.channel_ids).await?;
    Ok(true)
}

/// Each of `jobs` with its channels.
async fn jobs_with_channels(client: &impl GenericClient, jobs: Vec<Job>) -> StoreResult<Vec<Job>> {
    let mut with = Vec::with_capacity(jobs.len());
    for job in jobs {
        with.push(with_channels(client, job).await?);
    }
    Ok(with)
}

#[async_trait]
impl JobStore for PgStore {
    async fn create_job(&self, org: &OrgId, new: NewJob) -> StoreResult<Job> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let id = JobId::generate();
        write_job(&tx, &id, org, &new, true).await?;
        let job = select_job(&tx, org, &id, false)
            .await?
            .ok_or_else(|| backend("job vanished after insert"))?;
        tx.commit().await.map_err(pg_error)?;
        Ok(job)
    }

    async fn get_job(&self, org: &OrgId, id: &JobId) -> StoreResult<Option<Job>> {
        select_job(&self.client().await?, org, id, false).await
    }

    async fn list_jobs(
        &self,
        org: &OrgId,
        agent: Option<&AgentId>,
        page: Page,
    ) -> StoreResult<Listed<Job>> {
        let client = self.client().await?;
        let filter = agent.map(|a| ("agent_id", a.as_str()));
        let listed = list_in_org(
            &client,
            "jobs",
            JOB_COLUMNS,
            org,
            filter,
            page,
            job_from_row,
        )
        .await?;
        Ok(Listed {
            items: jobs_with_channels(&client, listed.items).await?,
            total: listed.total,
        })
    }

    async fn replace_job(&self, org: &OrgId, id: &JobId, new: NewJob) -> StoreResult<Option<Job>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        if !write_job(&tx, id, org, &new, false).await? {
            return Ok(None);
        }
        let job = select_job(&tx, org, id, false).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(job)
    }

    async fn change_job(
        &self,
        org: &OrgId,
        id: &JobId,
        change: Change<NewJob>,
    ) -> StoreResult<Option<Job>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let Some(job) = select_job(&tx, org, id, true).await? else {
            return Ok(None);
        };
        let new = change(job.into()).map_err(StoreError::Refused)?;
        if !write_job(&tx, id, org, &new, false).await? {
            return Ok(None);
        }
        let job = select_job(&tx, org, id, false).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(job)
    }

    async fn delete_job(&self, org: &OrgId, id: &JobId) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        cancel_job_runs(&tx, org, id).await?;
        let deleted = tx
            .execute(
                "DELETE FROM jobs WHERE org_id = $1 AND id = $2",
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)?;
        Ok(deleted > 0)
    }

    async fn trigger_job(
        &self,
        org: &OrgId,
        id: &JobId,
        request: TriggerRequest,
    ) -> StoreResult<Option<TriggerOutcome>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let outcome = trigger_in(&tx, org, id, &request).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(outcome)
    }

    async fn due_jobs(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Job>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {JOB_COLUMNS} FROM jobs
                     WHERE next_run_at IS NOT NULL AND next_run_at <= $1
                     ORDER BY next_run_at LIMIT $2"
                ),
                &[&now.as_millisecond(), &i64::from(limit)],
            )
            .await
            .map_err(pg_error)?;
        jobs_with_channels(&client, mapped(rows, job_from_row)?).await
    }

    async fn next_due_at(&self) -> StoreResult<Option<Timestamp>> {
        let next: Option<i64> = self
            .client()
            .await?
            .query_one(
                "SELECT MIN(next_run_at) FROM jobs WHERE next_run_at IS NOT NULL",
                &[],
            )
            .await
            .map_err(pg_error)?
            .get(0);
        Ok(next.map(crate::ts))
    }

    async fn skip_fire(
        &self,
        org: &OrgId,
        id: &JobId,
        fire: ScheduledFire,
        reason: &str,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let Some(job) = select_job(&tx, org, id, true).await? else {
            return Ok(false);
        };
        if !fire_is_current(&job, &fire) {
            return Ok(false);
        }
        record_skip(&tx, &job, &fire, reason).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(true)
    }

    async fn get_run(&self, org: &OrgId, id: &RunId) -> StoreResult<Option<Run>> {
        Ok(select_run(&self.client().await?, id)
            .await?
            .filter(|r| &r.org_id == org))
    }

    async fn run_by_id(&self, id: &RunId) -> StoreResult<Option<Run>> {
        select_run(&self.client().await?, id).await
    }

    async fn list_runs(&self, org: &OrgId, job: &JobId, page: Page) -> StoreResult<Listed<Run>> {
        let args: Vec<Arg> = vec![
            Box::new(org.as_str().to_owned()),
            Box::new(job.as_str().to_owned()),
        ];
        filtered_page(
            &self.client().await?,
            "job_runs",
            RUN_COLUMNS,
            "org_id = $1 AND job_id = $2",
            args,
            "seq DESC",
            page,
            run_from_row,
        )
        .await
    }

    async fn start_run(&self, id: &RunId) -> StoreResult<Option<Run>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "UPDATE job_runs SET status = 'running', attempts = attempts + 1,
                            started_at = COALESCE(started_at, $2)
                     WHERE id = $1 AND status IN ('queued', 'running')
                     RETURNING {RUN_COLUMNS}"
                ),
                &[&id.as_str(), &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        mapped_opt(row, run_from_row)
    }

    async fn finish_run(&self, id: &RunId, finish: RunFinish) -> StoreResult<Option<Run>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        lock_job_of_run(&tx, id).await?;
        let Some((run, true)) =
            end_run(&tx, id, finish.status, finish.error.as_deref(), true).await?
        else {
            return Ok(None);
        };
        if let Some(chat) = &run.chat_id {
            let messages = finish.steps.iter().chain(&finish.reply).collect();
            append(&tx, chat, messages, &finish.documents, &finish.usage).await?;
        }
        announce_end(&tx, &run).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(Some(run))
    }

    async fn requeue_runs(&self, ids: &[RunId]) -> StoreResult<u64> {
        let ids: Vec<&str> = ids.iter().map(RunId::as_str).collect();
        self.client()
            .await?
            .execute(
                "UPDATE job_runs SET status = 'queued', attempts = GREATEST(attempts - 1, 0)
                 WHERE status = 'running' AND id = ANY($1)",
                &[&ids],
            )
            .await
            .map_err(pg_error)
    }

    async fn retry_run(&self, id: &RunId, error: &str, at: Timestamp) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let row = tx
            .query_opt(
                "UPDATE job_runs SET status = 'queued', error = $2
                 WHERE id = $1 AND status = 'running' RETURNING org_id",
                &[&id.as_str(), &error],
            )
            .await
            .map_err(pg_error)?;
        let Some(row) = row else {
            return Ok(false);
        };
        let org: String = row.get(0);
        enqueue_run(&tx, &org, id.as_str(), Some(at)).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(true)
    }

    async fn cancel_run(&self, org: &OrgId, id: &RunId) -> StoreResult<Option<Run>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        lock_job_of_run(&tx, id).await?;
        match select_run(&tx, id).await? {
            Some(run) if &run.org_id == org => {}
            _ => return Ok(None),
        }
        let reason = Some("cancelled on request");
        let Some((run, changed)) = end_run(&tx, id, RunStatus::Cancelled, reason, false).await?
        else {
            return Ok(None);
        };
        if changed {
            announce_end(&tx, &run).await?;
        }
        tx.commit().await.map_err(pg_error)?;
        Ok(Some(run))
    }

    async fn create_chat(
        &self,
        org: &OrgId,
        agent: &AgentId,
        title: &str,
        messages: Vec<NewMessage>,
        documents: Vec<NewDocument>,
        usage: ModelUsage,
    ) -> StoreResult<grove_core::jobs::Chat> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let id = insert_chat(&tx, org, agent, None, title).await?;
        append(&tx, &id, messages.iter().collect(), &documents, &usage).await?;
        let chat = chats::select_chat(&tx, org, &id)
            .await?
            .ok_or_else(|| backend("chat vanished after insert"))?;
        tx.commit().await.map_err(pg_error)?;
        Ok(chat)
    }

    async fn get_chat(&self, org: &OrgId, id: &ChatId) -> StoreResult<Option<ChatRecord>> {
        let client = self.client().await?;
        let Some(record) = chats::chat_record(&client, org, id).await? else {
            return Ok(None);
        };
        let run = match &record.chat.run_id {
            Some(run) => select_run(&client, run).await?,
            None => None,
        };
        Ok(Some(ChatRecord { run, ..record }))
    }

    async fn list_chats(
        &self,
        org: &OrgId,
        agent: Option<&AgentId>,
        job: Option<&JobId>,
        page: Page,
    ) -> StoreResult<Listed<ChatSummary>> {
        chats::list(&self.client().await?, org, agent, job, page).await
    }
}
