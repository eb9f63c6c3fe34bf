//! Agent jobs: when a job is due ([`schedule`]), its prompt template
//! ([`template`]), triggering it ([`Jobs::trigger`], shared by the API, the
//! API trigger and the [`scheduler`]), running it through the durable queue
//! ([`runner`]) and telling people how it went ([`notify`]).

pub mod analysis;
pub mod evals;
pub mod notify;
pub mod runner;
pub mod schedule;
pub mod scheduler;
pub mod template;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use grove_core::ids::{JobId, OrgId, RunId};
use grove_core::jobs::{Initiator, Job, ParamValues, Run};
use grove_store::{PlannedRun, ScheduledFire, Store, StoreError, TriggerOutcome, TriggerRequest};
use jiff::Timestamp;
use tokio::sync::{watch, Notify};

use crate::schedule::Schedule;
use crate::template::TemplateError;

/// Most runs one trigger may fan out to.
pub const MAX_FAN_OUT: usize = 100;

/// Which parameters a trigger runs with.
#[derive(Debug, Clone, Default)]
pub enum TriggerParams {
    /// The job's saved parameter sets (a fan-out), or one run on the
    /// defaults when it has none.
    #[default]
    Saved,
    /// One run with these values.
    One(ParamValues),
    /// A fan-out, one run per set.
    Sets(Vec<ParamValues>),
}

/// Why a trigger did not start.
#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    /// Values that do not fit the job; `field` names where they came from
    /// (`parameters` or `parameter_sets[i]`).
    #[error("{field}: {error}")]
    Parameters { field: String, error: TemplateError },
    #[error("parameter_sets: a fan-out takes 1 to {MAX_FAN_OUT} sets")]
    FanOutSize,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A run executing in this process.
struct Executing {
    job: JobId,
    cancel: watch::Sender<bool>,
}

/// The jobs service: triggers, cancellation and the scheduler's wake-up.
pub struct Jobs {
    store: Arc<dyn Store>,
    /// Cancellation signals of the runs executing in this process, with
    /// their jobs.
    running: Mutex<HashMap<RunId, Executing>>,
    /// Woken when a schedule changes, so the scheduler looks again.
    schedule_changed: Notify,
    /// Notified when runs are queued, so the job worker leases at once.
    runs_queued: Arc<Notify>,
}

impl Jobs {
    pub fn new(store: Arc<dyn Store>) -> Arc<Self> {
        Arc::new(Self {
            store,
            running: Mutex::new(HashMap::new()),
            schedule_changed: Notify::new(),
            runs_queued: Arc::new(Notify::new()),
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Checks the values, renders the question per run and asks the store
    /// to claim the job and queue the runs. `None` if the job is absent.
    pub async fn trigger(
        &self,
        org: &OrgId,
        job: &Job,
        initiator: Initiator,
        params: TriggerParams,
        schedule: Option<ScheduledFire>,
    ) -> Result<Option<TriggerOutcome>, TriggerError> {
        let runs = plan_runs(job, params)?;
        let request = TriggerRequest {
            initiator,
            runs,
            schedule,
        };
        let outcome = self.store.trigger_job(org, &job.id, request).await?;
        if matches!(outcome, Some(TriggerOutcome::Started(_))) {
            self.runs_queued.notify_one();
        }
        Ok(outcome)
    }

    /// What the job worker waits on besides its poll.
    pub fn runs_queued(&self) -> Arc<Notify> {
        self.runs_queued.clone()
    }

    /// Cancels a run: the store ends it (releasing the job), and a run
    /// executing here is stopped. `None` if absent.
    pub async fn cancel(&self, org: &OrgId, run: &RunId) -> Result<Option<Run>, StoreError> {
        let cancelled = self.store.cancel_run(org, run).await?;
        if let Some(executing) = self.lock_running().get(run) {
            let _ = executing.cancel.send(true);
        }
        Ok(cancelled)
    }

    /// After a graceful stop aborted the runs executing here: puts them
    /// back to queued without counting the attempt, as the queue does with
    /// their items, so a restart or deploy costs no retry.
    pub async fn requeue_interrupted(&self) -> Result<u64, StoreError> {
        let ids: Vec<RunId> = self.lock_running().drain().map(|(id, _)| id).collect();
        if ids.is_empty() {
            return Ok(0);
        }
        self.store.requeue_runs(&ids).await
    }

    /// Tells the scheduler a job's schedule changed.
    pub fn schedule_changed(&self) {
        self.schedule_changed.notify_one();
    }

    /// Deletes a job: the store cancels its unfinished runs, and those
    /// executing here are stopped. False if absent.
    pub async fn delete(&self, org: &OrgId, job: &JobId) -> Result<bool, StoreError> {
        let deleted = self.store.delete_job(org, job).await?;
        for executing in self.lock_running().values().filter(|e| &e.job == job) {
            let _ = executing.cancel.send(true);
        }
        Ok(deleted)
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, HashMap<RunId, Executing>> {
        // A panic while holding the map leaves it usable: entries are plain.
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a run executing here; the receiver turns true on cancel.
    fn register(&self, run: &Run) -> watch::Receiver<bool> {
        let (cancel, rx) = watch::channel(false);
        let executing = Executing {
            job: run.job_id.clone(),
            cancel,
        };
        self.lock_running().insert(run.id.clone(), executing);
        rx
    }

    fn unregister(&self, run: &RunId) {
        self.lock_running().remove(run);
    }
}

/// The runs a trigger asks for, each with resolved values and its question.
fn plan_runs(job: &Job, params: TriggerParams) -> Result<Vec<PlannedRun>, TriggerError> {
    let (field, sets) = match params {
        TriggerParams::Saved if job.parameter_sets.is_empty() => {
            ("parameters", vec![ParamValues::new()])
        }
        TriggerParams::Saved => ("parameter_sets", job.parameter_sets.clone()),
        TriggerParams::One(values) => ("parameters", vec![values]),
        TriggerParams::Sets(sets) => ("parameter_sets", sets),
    };
    if sets.is_empty() || sets.len() > MAX_FAN_OUT {
        return Err(TriggerError::FanOutSize);
    }
    let many = sets.len() > 1 || field == "parameter_sets";
    sets.iter()
        .enumerate()
        .map(|(i, given)| {
            let parameters = template::resolve(&job.parameters, given).map_err(|error| {
                TriggerError::Parameters {
                    field: if many {
                        format!("{field}[{i}]")
                    } else {
                        field.to_owned()
                    },
                    error,
                }
            })?;
            let prompt = template::render(&job.prompt, &parameters);
            Ok(PlannedRun { parameters, prompt })
        })
        .collect()
}

/// When a schedule fires next after `after`; `None` without an enabled
/// schedule. The schedule must parse (checked when the job is written).
pub fn next_run_at(
    schedule: Option<&str>,
    timezone: &str,
    enabled: bool,
    after: Timestamp,
) -> Option<Timestamp> {
    let expression = schedule.filter(|_| enabled)?;
    Schedule::parse(expression, timezone)
        .ok()?
        .next_after(after)
}
