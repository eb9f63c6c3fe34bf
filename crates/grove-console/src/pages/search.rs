//! `/search`: the retrieval tester — a query against chosen data sources
//! in one mode, with each hit's calibrated relevance (what an agent's
//! threshold applies to) and its raw score, linked to the chunk. It spends
//! the same quota as `POST /api/v1/semantic-search` (execute scope).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use grove_core::scope::{Requirement, Scope};
use grove_search::{Mode, SearchRequest};
use grove_server::state::AppState;

use super::{page_at, render, Fields, Layout, PageError};
use crate::session::Viewer;

const SEARCH: Requirement = Requirement::scope(Scope::Execute);
/// Hits shown.
const TOP_K: usize = 10;
/// Longest query accepted.
const MAX_QUERY: usize = 1_000;

pub struct SourceChoice {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

pub struct HitRow {
    pub rank: usize,
    pub title: String,
    pub href: String,
    pub heading: String,
    pub similarity: String,
    pub raw_score: String,
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    modes: Vec<(&'static str, bool)>,
    sources: Vec<SourceChoice>,
    hits: Option<Vec<HitRow>>,
    used_mode: &'static str,
    error: Option<String>,
}

fn parse_mode(raw: &str) -> Mode {
    match raw {
        "lexical" => Mode::Lexical,
        "vector" => Mode::Vector,
        _ => Mode::Hybrid,
    }
}

pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<Fields>,
) -> Result<Response, PageError> {
    viewer.require(SEARCH)?;
    let query: String = params.one("q").chars().take(MAX_QUERY).collect();
    let mode = parse_mode(&params.one("mode"));
    let chosen = params.all("source");
    let org = &viewer.user.org_id;
    let sources = state
        .store
        .list_data_sources(org, None, page_at(0))
        .await?
        .items;
    let choices: Vec<SourceChoice> = sources
        .iter()
        .map(|s| SourceChoice {
            id: s.id.to_string(),
            name: s.name.clone(),
            checked: chosen.iter().any(|c| c == s.id.as_str()),
        })
        .collect();
    let mut page = SearchPage {
        layout: Layout::signed_in("Search", &viewer, "/search"),
        modes: [Mode::Hybrid, Mode::Lexical, Mode::Vector]
            .iter()
            .map(|m| (m.as_str(), *m == mode))
            .collect(),
        sources: choices,
        hits: None,
        used_mode: mode.as_str(),
        error: None,
        query: query.clone(),
    };
    if query.is_empty() {
        return Ok(render(&page));
    }
    // Only the organisation's own sources can be chosen; none chosen is all.
    let known: Vec<String> = sources
        .iter()
        .filter(|s| chosen.iter().any(|c| c == s.id.as_str()))
        .map(|s| s.id.to_string())
        .collect();
    let request = SearchRequest {
        org_id: org.to_string(),
        query,
        mode,
        top_k: TOP_K,
        threshold: 0.0,
        data_source_ids: (!known.is_empty()).then_some(known),
    };
    match state.search.search(request).await {
        Ok(found) => {
            page.used_mode = found.mode.as_str();
            page.hits = Some(
                found
                    .hits
                    .iter()
                    .enumerate()
                    .map(|(i, hit)| HitRow {
                        rank: i + 1,
                        title: hit.chunk.input.title.clone(),
                        href: format!(
                            "/documents/{}#{}",
                            hit.chunk.owner.document_id, hit.chunk.input.chunk_id
                        ),
                        heading: hit.chunk.input.heading_path.join(" › "),
                        similarity: format!("{:.3}", hit.similarity),
                        raw_score: format!("{:.3}", hit.raw_score),
                        snippet: hit.chunk.input.text.chars().take(300).collect(),
                    })
                    .collect(),
            );
        }
        Err(e) => page.error = Some(e.to_string()),
    }
    Ok(render(&page))
}
