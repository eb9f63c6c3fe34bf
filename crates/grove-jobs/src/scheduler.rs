//! The scheduler: fires jobs whose schedule is due.
//!
//! Each job stores its next run time. The scheduler sleeps until the
//! earliest one (or until a schedule changes), then fires every due job:
//! the fire claims the job and moves its next run time in one transaction,
//! so it is taken once even with several schedulers. A fire later than the
//! grace window (the server was down) is recorded as a skipped run instead;
//! either way the next run time is computed from now, so a long outage
//! never turns into a burst of catch-up runs. A fire that finds the job
//! still running is recorded as skipped by the store.

use std::sync::Arc;
use std::time::Duration;

use grove_core::jobs::{Initiator, Job};
use grove_store::ScheduledFire;
use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

use crate::schedule::Schedule;
use crate::{Jobs, TriggerError, TriggerParams};

/// Due jobs read per pass.
const BATCH: u32 = 500;
/// Longest sleep between passes, in case a wake-up is missed.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// Runs until `shutdown` turns true.
pub async fn run(jobs: Arc<Jobs>, grace: Duration, mut shutdown: watch::Receiver<bool>) {
    let grace = SignedDuration::try_from(grace).unwrap_or(SignedDuration::MAX);
    loop {
        if *shutdown.borrow() {
            return;
        }
        let fired = pass(&jobs, grace).await;
        if fired == BATCH as usize {
            continue; // more may be due
        }
        let sleep = match jobs.store().next_due_at().await {
            Ok(Some(next)) => until(next).min(MAX_SLEEP),
            Ok(None) => MAX_SLEEP,
            Err(e) => {
                tracing::error!(error = %e, "scheduler could not read the next due time");
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = jobs.schedule_changed.notified() => {}
            _ = shutdown.changed() => {}
        }
    }
}

fn until(at: Timestamp) -> Duration {
    let left = at.duration_since(Timestamp::now());
    Duration::try_from(left).unwrap_or(Duration::ZERO)
}

/// Fires every job due now; returns how many were read.
async fn pass(jobs: &Jobs, grace: SignedDuration) -> usize {
    let now = Timestamp::now();
    let due = match jobs.store().due_jobs(now, BATCH).await {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = %e, "scheduler could not read due jobs");
            return 0;
        }
    };
    let count = due.len();
    for job in due {
        fire(jobs, &job, now, grace).await;
    }
    count
}

async fn fire(jobs: &Jobs, job: &Job, now: Timestamp, grace: SignedDuration) {
    let Some(due_at) = job.next_run_at else {
        return;
    };
    let schedule = job
        .schedule
        .as_deref()
        .and_then(|s| Schedule::parse(s, &job.timezone).ok());
    let fire = ScheduledFire {
        due_at,
        next_run_at: schedule.as_ref().and_then(|s| s.next_after(now)),
    };
    // Judged on the latest time missed: after an outage, the fire that
    // should have happened last decides whether one run still makes sense.
    let latest = schedule
        .as_ref()
        .map_or(due_at, |s| latest_due(s, due_at, now));
    let late = now.duration_since(latest);
    if late > grace {
        let reason = format!(
            "missed: due at {latest}, {}s late, beyond the {}s grace window",
            late.as_secs(),
            grace.as_secs()
        );
        skip(jobs, job, fire, &reason).await;
        return;
    }
    let started = jobs
        .trigger(
            &job.org_id,
            job,
            Initiator::Schedule,
            TriggerParams::Saved,
            Some(fire),
        )
        .await;
    match started {
        Ok(_) => {}
        // Saved parameters that no longer fit the template cannot run;
        // record that and move on to the next time.
        Err(e @ (TriggerError::Parameters { .. } | TriggerError::FanOutSize)) => {
            skip(jobs, job, fire, &format!("could not start: {e}")).await;
        }
        // A store error leaves the fire due: the next pass tries again.
        Err(TriggerError::Store(e)) => {
            tracing::error!(job = %job.id, error = %e, "scheduled fire failed; will retry");
        }
    }
}

/// The last time the schedule was due at or before `now`, from `due_at`.
fn latest_due(schedule: &Schedule, due_at: Timestamp, now: Timestamp) -> Timestamp {
    let mut latest = due_at;
    // Bounded: a minutely schedule missed for a week is about 10,000 steps.
    for _ in 0..20_000 {
        match schedule.next_after(latest) {
            Some(next) if next <= now => latest = next,
            _ => break,
        }
    }
    latest
}

async fn skip(jobs: &Jobs, job: &Job, fire: ScheduledFire, reason: &str) {
    tracing::info!(job = %job.id, %reason, "scheduled fire skipped");
    if let Err(e) = jobs
        .store()
        .skip_fire(&job.org_id, &job.id, fire, reason)
        .await
    {
        tracing::error!(job = %job.id, error = %e, "could not record the skipped fire");
    }
}
