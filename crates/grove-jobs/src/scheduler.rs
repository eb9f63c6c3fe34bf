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
use crate::{Jobs, TriggerParams};

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
    let next = job
        .schedule
        .as_deref()
        .and_then(|s| Schedule::parse(s, &job.timezone).ok())
        .and_then(|s| s.next_after(now));
    let fire = ScheduledFire {
        due_at,
        next_run_at: next,
    };
    let late = now.duration_since(due_at);
    let result = if late > grace {
        let reason = format!(
            "missed: due at {due_at}, {}s late, beyond the {}s grace window",
            late.as_secs(),
            grace.as_secs()
        );
        jobs.store()
            .skip_fire(&job.org_id, &job.id, fire, &reason)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        jobs.trigger(
            &job.org_id,
            job,
            Initiator::Schedule,
            TriggerParams::Saved,
            Some(fire),
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    if let Err(error) = result {
        // A job whose saved parameters no longer fit its template cannot
        // run; record that and move on to its next time.
        tracing::warn!(job = %job.id, %error, "scheduled fire failed");
        let reason = format!("could not start: {error}");
        if let Err(e) = jobs
            .store()
            .skip_fire(&job.org_id, &job.id, fire, &reason)
            .await
        {
            tracing::error!(job = %job.id, error = %e, "could not record the skipped fire");
        }
    }
}
