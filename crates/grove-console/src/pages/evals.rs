//! `/evals`, `/evals/{id}` and `/evals/compare`: the eval sets, one set
//! with its questions and runs (start a run with an agent), and two runs
//! of a set compared item by item — what improved, what regressed, and
//! which agent settings differ. Runs start and comparisons are computed by
//! the API's own functions (`routes::evals`). Sets are written in
//! `eval_sets.rs`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use grove_core::evals::{EvalAggregate, EvalRun, EvalSet};
use grove_core::ids::EvalSetId;
use grove_core::page::Page;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::evals::{comparison, start, Change, ItemSide};
use grove_server::state::AppState;
use serde::Deserialize;

use super::{
    agent_names, choices, page_at, render, render_form, see_other, Choice, Layout, OffsetParam,
    PageError, Pager, Time,
};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Starting a run: the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);
/// Runs and agents listed on a set's page.
const LISTED: u32 = 50;

pub struct SetRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub items: u32,
    pub updated_at: Time,
}

#[derive(Template)]
#[template(path = "evals.html")]
struct SetsPage {
    layout: Layout,
    can_write: bool,
    rows: Vec<SetRow>,
    pager: Pager,
}

fn set_row(set: &EvalSet) -> SetRow {
    SetRow {
        id: set.id.to_string(),
        name: set.name.clone(),
        description: set.description.clone(),
        items: set.item_count,
        updated_at: Time::from(set.updated_at),
    }
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let listed = state
        .store
        .list_eval_sets(&viewer.user.org_id, page_at(params.offset))
        .await?;
    let rows: Vec<SetRow> = listed.items.iter().map(set_row).collect();
    let pager = Pager::new(params.offset, rows.len(), listed.total, |offset| {
        format!("/evals?offset={offset}")
    });
    let page = SetsPage {
        layout: Layout::signed_in("Evals", &viewer, "/evals"),
        can_write: viewer.can(WRITE),
        rows,
        pager,
    };
    Ok(render(&page))
}

/// A rate as a percentage, or a dash when nothing counts toward it.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0} %", r * 100.0))
}

pub struct Scores {
    pub hit_rate: String,
    pub similarity: String,
    pub citation_rate: String,
    pub errors: u32,
}

fn scores(a: &EvalAggregate) -> Scores {
    Scores {
        hit_rate: percent(a.retrieval_hit_rate),
        similarity: a
            .mean_answer_similarity
            .map_or_else(|| "—".to_owned(), |s| format!("{s:.3}")),
        citation_rate: percent(a.citation_rate),
        errors: a.errors,
    }
}

pub struct RunRow {
    pub id: String,
    pub agent: String,
    pub status: &'static str,
    pub progress: String,
    pub scores: Option<Scores>,
    pub created_at: Time,
    pub error: String,
}

pub struct ItemRow {
    pub question: String,
    pub expected: String,
}

#[derive(Template)]
#[template(path = "eval_set.html")]
struct SetPage {
    layout: Layout,
    set: SetRow,
    items: Vec<ItemRow>,
    runs: Vec<RunRow>,
    agents: Vec<Choice>,
    can_run: bool,
    error: Option<String>,
}

fn run_row(run: &EvalRun, agents: &[(String, String)]) -> RunRow {
    let agent = run.agent_id.to_string();
    RunRow {
        id: run.id.to_string(),
        agent: agents
            .iter()
            .find(|(id, _)| *id == agent)
            .map_or(agent.clone(), |(_, name)| name.clone()),
        status: run.status.as_str(),
        progress: format!("{} of {}", run.items_scored, run.items_total),
        scores: run.aggregate.as_ref().map(scores),
        created_at: Time::from(run.created_at),
        error: run.error.clone().unwrap_or_default(),
    }
}

async fn find_set(state: &AppState, viewer: &Viewer, id: &str) -> Result<EvalSet, PageError> {
    let missing = || PageError::NotFound(format!("There is no eval set {id}."));
    let set_id = EvalSetId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_eval_set(&viewer.user.org_id, &set_id)
        .await?
        .ok_or_else(missing)
}

async fn set_page(
    state: &AppState,
    viewer: &Viewer,
    set: &EvalSet,
    error: Option<String>,
) -> Result<Response, PageError> {
    let agents = agent_names(state, viewer).await?;
    let runs = state
        .store
        .list_eval_runs(
            &viewer.user.org_id,
            &set.id,
            Page {
                limit: LISTED,
                offset: 0,
            },
        )
        .await?;
    let refused = error.is_some();
    let page = SetPage {
        layout: Layout::signed_in(set.name.clone(), viewer, "/evals"),
        set: set_row(set),
        items: set
            .items
            .iter()
            .flatten()
            .map(|i| ItemRow {
                question: i.question.clone(),
                expected: i.expected_answer.clone().unwrap_or_default(),
            })
            .collect(),
        runs: runs.items.iter().map(|r| run_row(r, &agents)).collect(),
        agents: choices(
            "",
            agents.iter().map(|(id, name)| (id.as_str(), name.as_str())),
        ),
        can_run: viewer.can(WRITE),
        error,
    };
    Ok(render_form(&page, refused))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let set = find_set(&state, &viewer, &id).await?;
    set_page(&state, &viewer, &set, None).await
}

#[derive(Debug, Deserialize)]
pub struct RunForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agent_id: String,
}

pub async fn run(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<RunForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let set = find_set(&state, &viewer, &id).await?;
    match start(&state, &viewer.user.org_id, &set.id, &form.agent_id).await {
        Ok(_) => Ok(see_other(&format!("/evals/{}", set.id))),
        Err(failure) => set_page(&state, &viewer, &set, Some(failure.0.message)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CompareParams {
    #[serde(default)]
    base: String,
    #[serde(default)]
    head: String,
}

pub struct SideView {
    pub hit: &'static str,
    pub similarity: String,
    pub answer: String,
}

fn side_view(side: Option<&ItemSide>) -> SideView {
    let Some(side) = side else {
        return SideView {
            hit: "—",
            similarity: "—".into(),
            answer: "(no such item in this run)".into(),
        };
    };
    SideView {
        hit: match side.retrieval_hit {
            Some(true) => "hit",
            Some(false) => "miss",
            None => "—",
        },
        similarity: side
            .answer_similarity
            .map_or_else(|| "—".to_owned(), |s| format!("{s:.3}")),
        answer: side
            .error
            .clone()
            .or_else(|| side.answer.clone())
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect(),
    }
}

pub struct CompareRow {
    pub question: String,
    pub change: &'static str,
    pub base: SideView,
    pub head: SideView,
}

pub struct SettingRow {
    pub key: String,
    pub base: String,
    pub head: String,
}

#[derive(Template)]
#[template(path = "eval_compare.html")]
struct ComparePage {
    layout: Layout,
    set_id: String,
    base: String,
    head: String,
    base_scores: Scores,
    head_scores: Scores,
    improved: u32,
    regressed: u32,
    unchanged: u32,
    settings: Vec<SettingRow>,
    rows: Vec<CompareRow>,
}

pub async fn compare(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<CompareParams>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let compared = comparison(&state, &viewer.user.org_id, &params.base, &params.head).await?;
    let page = ComparePage {
        layout: Layout::signed_in("Two runs compared", &viewer, "/evals"),
        set_id: compared.eval_set_id.to_string(),
        base: compared.base.id.to_string(),
        head: compared.head.id.to_string(),
        base_scores: scores(&compared.base.aggregate),
        head_scores: scores(&compared.head.aggregate),
        improved: compared.summary.improved,
        regressed: compared.summary.regressed,
        unchanged: compared.summary.unchanged,
        settings: compared
            .settings_changed
            .iter()
            .map(|c| SettingRow {
                key: c.key.clone(),
                base: c.base.to_string(),
                head: c.head.to_string(),
            })
            .collect(),
        rows: compared
            .items
            .iter()
            .map(|i| CompareRow {
                question: i.question.clone(),
                change: match i.change {
                    Change::Improved => "improved",
                    Change::Regressed => "regressed",
                    Change::Unchanged => "unchanged",
                },
                base: side_view(i.base.as_ref()),
                head: side_view(i.head.as_ref()),
            })
            .collect(),
    };
    Ok(render(&page))
}
