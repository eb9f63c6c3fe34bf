//! `/`: what needs attention — data sources whose sync failed (with how
//! many documents failed), job runs that failed in the last week, webhook
//! endpoints that were disabled after failing — and the counts of what the
//! organisation has.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use grove_core::ids::OrgId;
use grove_core::jobs::RunStatus;
use grove_core::page::Page;
use grove_core::scope::{Requirement, Scope};
use grove_core::sources::{DocumentStatus, SourceStatus};
use grove_server::state::AppState;
use grove_store::documents::DocumentFilter;

use super::{render, Layout, PageError};
use crate::session::Viewer;

pub struct FailedSource {
    pub id: String,
    pub name: String,
    pub failed_documents: u64,
}

pub struct FailedRun {
    pub job_id: String,
    pub job_name: String,
    pub chat_id: Option<String>,
    pub error: String,
}

pub struct DisabledHook {
    pub url: String,
    pub status: &'static str,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    sources: u64,
    agents: u64,
    jobs: u64,
    failed: Vec<FailedSource>,
    failed_runs: Vec<FailedRun>,
    disabled_hooks: Vec<DisabledHook>,
}

/// Jobs whose recent runs are looked at, and runs per job.
const JOBS_LOOKED_AT: u32 = 50;
const RUNS_PER_JOB: u32 = 5;

/// Runs of the organisation's jobs that failed or timed out this week.
async fn failed_runs(state: &AppState, org: &OrgId) -> Result<Vec<FailedRun>, PageError> {
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 7);
    let jobs = state
        .store
        .list_jobs(
            org,
            None,
            Page {
                limit: JOBS_LOOKED_AT,
                offset: 0,
            },
        )
        .await?
        .items;
    let mut failed = Vec::new();
    for job in jobs {
        let runs = state
            .store
            .list_runs(
                org,
                &job.id,
                Page {
                    limit: RUNS_PER_JOB,
                    offset: 0,
                },
            )
            .await?
            .items;
        failed.extend(
            runs.into_iter()
                .filter(|r| matches!(r.status, RunStatus::Failed | RunStatus::TimedOut))
                .filter(|r| r.created_at >= since)
                .map(|r| FailedRun {
                    job_id: job.id.to_string(),
                    job_name: job.name.clone(),
                    chat_id: r.chat_id.map(|c| c.to_string()),
                    error: r.error.unwrap_or_else(|| r.status.to_string()),
                }),
        );
    }
    Ok(failed)
}

/// Webhook endpoints that are failing, or were switched off after failing
/// (an endpoint a user switched off has no failures).
async fn disabled_hooks(state: &AppState, org: &OrgId) -> Result<Vec<DisabledHook>, PageError> {
    let hooks = state
        .store
        .list_webhooks(
            org,
            Page {
                limit: 100,
                offset: 0,
            },
        )
        .await?
        .items;
    Ok(hooks
        .into_iter()
        .filter(|h| h.consecutive_failures > 0)
        .map(|h| DisabledHook {
            url: h.url,
            status: h.status.as_str(),
            reason: h.status_message.unwrap_or_default(),
        })
        .collect())
}

/// Sources whose sync failed listed at most.
const FAILED_SHOWN: u32 = 20;

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    viewer.require(Requirement::scope(Scope::Read))?;
    let org = &viewer.user.org_id;
    let one = Page {
        limit: 1,
        offset: 0,
    };
    let store = &state.store;
    let sources = store.list_data_sources(org, None, one).await?.total;
    let agents = store.list_agents(org, one).await?.total;
    let jobs = store.list_jobs(org, None, one).await?.total;
    let failing = store
        .list_data_sources(
            org,
            Some(SourceStatus::Failed),
            Page {
                limit: FAILED_SHOWN,
                offset: 0,
            },
        )
        .await?
        .items;
    let failed_filter = DocumentFilter {
        status: Some(DocumentStatus::Failed),
        ..DocumentFilter::default()
    };
    let mut failed = Vec::with_capacity(failing.len());
    for source in failing {
        let failed_documents = store
            .list_documents(org, &source.id, &failed_filter, one)
            .await?
            .total;
        failed.push(FailedSource {
            id: source.id.to_string(),
            name: source.name,
            failed_documents,
        });
    }
    let failed_runs = failed_runs(&state, org).await?;
    let disabled_hooks = disabled_hooks(&state, org).await?;
    let page = HomePage {
        failed_runs,
        disabled_hooks,
        layout: Layout::signed_in("Home", &viewer, "/"),
        sources,
        agents,
        jobs,
        failed,
    };
    Ok(render(&page))
}
