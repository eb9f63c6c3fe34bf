//! `/`: what needs attention (data sources whose sync failed, with how
//! many documents failed) and the counts of what the organisation has.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
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

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    sources: u64,
    agents: u64,
    jobs: u64,
    failed: Vec<FailedSource>,
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
    let page = HomePage {
        layout: Layout::signed_in("Home", &viewer, "/"),
        sources,
        agents,
        jobs,
        failed,
    };
    Ok(render(&page))
}
