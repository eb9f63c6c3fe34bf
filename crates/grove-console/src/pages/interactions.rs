//! `/interactions`: the log of every answer, newest first, filtered as
//! the API filters it (agent, date range, feedback, review status) by the
//! API's own parser, so a filter means the same on both. Each row opens
//! the answer (`/interactions/{id}`, in [`super::review`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use grove_core::agents::ReviewStatus;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::interactions::{filter, ListInteractions};
use grove_server::state::AppState;
use serde::Deserialize;

use super::{
    agent_names, choices, encode_query, page_at, render_form, Choice, Layout, PageError, Pager,
    Time,
};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);

/// The log's filters as the form sends them: an empty field filters
/// nothing.
#[derive(Debug, Default, Deserialize)]
pub struct LogParams {
    #[serde(default)]
    offset: u64,
    #[serde(default)]
    agent_id: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    feedback: String,
    #[serde(default)]
    review_status: String,
}

impl LogParams {
    fn as_api(&self) -> ListInteractions {
        let given = |value: &str| (!value.trim().is_empty()).then(|| value.trim().to_owned());
        ListInteractions {
            limit: None,
            offset: None,
            agent_id: given(&self.agent_id),
            start_date: given(&self.start_date),
            end_date: given(&self.end_date),
            feedback: given(&self.feedback),
            review_status: given(&self.review_status),
        }
    }

    /// The query string of these filters (without the offset).
    fn query(&self) -> String {
        [
            ("agent_id", &self.agent_id),
            ("start_date", &self.start_date),
            ("end_date", &self.end_date),
            ("feedback", &self.feedback),
            ("review_status", &self.review_status),
        ]
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}&", encode_query(value)))
        .collect()
    }

    fn filtered(&self) -> bool {
        !self.query().is_empty()
    }
}

pub struct LogRow {
    pub id: String,
    pub question: String,
    pub agent: String,
    pub outcome: &'static str,
    pub feedback: &'static str,
    pub review_status: &'static str,
    pub latency_ms: u64,
    pub at: Time,
}

#[derive(Template)]
#[template(path = "interactions.html")]
struct LogPage {
    layout: Layout,
    agents: Vec<Choice>,
    feedback: Vec<Choice>,
    statuses: Vec<Choice>,
    start_date: String,
    end_date: String,
    error: Option<String>,
    filtered: bool,
    rows: Vec<LogRow>,
    pager: Pager,
}

pub async fn log(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<LogParams>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let org = &viewer.user.org_id;
    let agents = agent_names(&state, &viewer).await?;
    let names: HashMap<&str, &str> = agents
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let mut agent_choices = vec![("", "Any agent")];
    agent_choices.extend(agents.iter().map(|(id, name)| (id.as_str(), name.as_str())));
    let mut statuses = vec![("", "Any status")];
    statuses.extend(ReviewStatus::ALL.iter().map(|s| (s.as_str(), s.as_str())));
    let (rows, total, error) = match filter(&params.as_api()) {
        Ok(found) => {
            let listed = state
                .store
                .list_interactions(org, found, page_at(params.offset))
                .await?;
            let rows = listed
                .items
                .iter()
                .map(|i| LogRow {
                    id: i.id.to_string(),
                    question: i.query.chars().take(160).collect(),
                    agent: names
                        .get(i.agent_id.as_str())
                        .map_or_else(|| i.agent_id.to_string(), |name| (*name).to_owned()),
                    outcome: i.outcome.as_str(),
                    feedback: i.feedback.map(|f| f.as_str()).unwrap_or(""),
                    review_status: i.review_status.as_str(),
                    latency_ms: i.latency_ms,
                    at: Time::from(i.created_at),
                })
                .collect::<Vec<_>>();
            (rows, listed.total, None)
        }
        Err(failure) => (Vec::new(), 0, Some(failure.0.message)),
    };
    let query = params.query();
    let pager = Pager::new(params.offset, rows.len(), total, |offset| {
        format!("/interactions?{query}offset={offset}")
    });
    let refused = error.is_some();
    let page = LogPage {
        layout: Layout::signed_in("Answers", &viewer, "/interactions"),
        agents: choices(&params.agent_id, agent_choices),
        feedback: choices(
            &params.feedback,
            [
                ("", "Any feedback"),
                ("positive", "positive"),
                ("negative", "negative"),
                ("null", "none given"),
            ],
        ),
        statuses: choices(&params.review_status, statuses),
        start_date: params.start_date.clone(),
        end_date: params.end_date.clone(),
        error,
        filtered: params.filtered(),
        rows,
        pager,
    };
    Ok(render_form(&page, refused))
}
