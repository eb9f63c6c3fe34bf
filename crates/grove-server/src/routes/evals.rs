//! Evals: `/api/v1/eval-sets` (create, list, get, update, delete), runs of a
//! set against an agent (`POST /api/v1/eval-sets/{id}/runs`, queued as one
//! durable `eval.run` item), a set's runs, one run with its items, cancel,
//! and the comparison of two runs of one set.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::evals::{EvalAggregate, EvalItem, EvalItemResult, EvalRun, EvalRunStatus, EvalSet};
use grove_core::ids::{AgentId, EvalRunId, EvalSetId, OrgId};
use grove_core::scope::Scope;
use grove_core::ApiError;
use grove_store::evals::{EvalSetPatch, NewEvalSet};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::agents::find as find_agent;
use super::{v1_route, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{path_id, trimmed_text, Json, ListParams, Query};
use crate::state::AppState;

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 2_000;
const MAX_ITEMS: usize = 500;
const MAX_QUESTION: usize = 4_096;
const MAX_EXPECTED_ANSWER: usize = 10_000;
const MAX_EXPECTED_SOURCES: usize = 20;
const MAX_SOURCE: usize = 2_048;
/// A change of answer similarity smaller than this is noise.
pub const SIMILARITY_STEP: f32 = 0.05;

/// One item as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvalItemBody {
    /// 1 to 4096 characters.
    #[schema(min_length = 1, max_length = 4096, pattern = "\\S")]
    pub question: String,
    /// Up to 10000 characters.
    #[schema(max_length = 10000)]
    pub expected_answer: Option<String>,
    /// Up to 20, each matched against a cited source's document URL,
    /// title (case-insensitively) or document id.
    #[schema(max_items = 20)]
    pub expected_sources: Option<Vec<String>>,
}

/// An eval set as created (`name` and `items` required) or updated (every
/// field optional; those given replace the stored ones).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvalSetBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// 1 to 500 items.
    #[schema(min_items = 1, max_items = 500)]
    pub items: Option<Vec<EvalItemBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvalSetList {
    pub eval_sets: Vec<EvalSet>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvalRunRequest {
    pub agent_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvalRunList {
    pub runs: Vec<EvalRun>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// A run with its items, scored or not, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvalRunDetail {
    #[serde(flatten)]
    pub run: EvalRun,
    pub results: Vec<EvalItemResult>,
}

/// The two runs `GET /api/v1/eval-runs/compare` compares.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    /// The run compared against.
    #[param(pattern = "^eval_[A-Za-z0-9]{1,64}$")]
    base: String,
    /// The run compared.
    #[param(pattern = "^eval_[A-Za-z0-9]{1,64}$")]
    head: String,
}

/// One run's side of a comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunSide {
    pub id: EvalRunId,
    pub agent_id: AgentId,
    pub status: EvalRunStatus,
    /// The stored aggregate of an ended run, or the totals so far.
    pub aggregate: EvalAggregate,
}

/// A top-level key of the agent snapshots whose values differ.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingChange {
    pub key: String,
    #[schema(value_type = Object)]
    pub base: Value,
    #[schema(value_type = Object)]
    pub head: Value,
}

/// One item's score in one run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemSide {
    pub retrieval_hit: Option<bool>,
    pub answer_similarity: Option<f32>,
    pub citation_present: Option<bool>,
    pub answer: Option<String>,
    pub error: Option<String>,
}

/// How an item fared in head against base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Improved,
    Regressed,
    Unchanged,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemComparison {
    pub position: u32,
    pub question: String,
    /// Null when the run has no item at this position (the set was edited
    /// between the runs).
    pub base: Option<ItemSide>,
    pub head: Option<ItemSide>,
    pub change: Change,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ChangeCounts {
    pub improved: u32,
    pub regressed: u32,
    pub unchanged: u32,
}

/// Two runs of one set side by side.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvalComparison {
    pub eval_set_id: EvalSetId,
    pub base: RunSide,
    pub head: RunSide,
    pub settings_changed: Vec<SettingChange>,
    pub items: Vec<ItemComparison>,
    pub summary: ChangeCounts,
}

fn set_id(raw: &str) -> Result<EvalSetId, Failure> {
    path_id(raw, "id", EvalSetId::parse)
}

fn run_id(raw: &str) -> Result<EvalRunId, Failure> {
    path_id(raw, "id", EvalRunId::parse)
}

fn bad(field: &str, reason: impl Into<String>) -> Failure {
    Failure(ApiError::invalid_field(field, reason))
}

async fn find_set(state: &AppState, org: &OrgId, id: &EvalSetId) -> Result<EvalSet, Failure> {
    state
        .store
        .get_eval_set(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("eval set", id.as_str())))
}

async fn find_run(state: &AppState, org: &OrgId, id: &EvalRunId) -> Result<EvalRun, Failure> {
    state
        .store
        .get_eval_run(org, id)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("eval run", id.as_str())))
}

/// Optional text up to `max` characters; blank is `None`.
fn optional_text(field: &str, raw: Option<String>, max: usize) -> Result<Option<String>, Failure> {
    match raw {
        None => Ok(None),
        Some(text) => {
            let text = trimmed_text(field, &text, max, false)?;
            Ok((!text.is_empty()).then_some(text))
        }
    }
}

fn check_items(raw: Vec<EvalItemBody>) -> Result<Vec<EvalItem>, Failure> {
    if raw.is_empty() || raw.len() > MAX_ITEMS {
        return Err(bad("items", format!("must hold 1 to {MAX_ITEMS} items")));
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, item)| {
            let question = trimmed_text(
                &format!("items[{i}].question"),
                &item.question,
                MAX_QUESTION,
                true,
            )?;
            let expected_answer = optional_text(
                &format!("items[{i}].expected_answer"),
                item.expected_answer,
                MAX_EXPECTED_ANSWER,
            )?;
            let sources = item.expected_sources.unwrap_or_default();
            if sources.len() > MAX_EXPECTED_SOURCES {
                return Err(bad(
                    &format!("items[{i}].expected_sources"),
                    format!("at most {MAX_EXPECTED_SOURCES} sources"),
                ));
            }
            let expected_sources = sources
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    trimmed_text(
                        &format!("items[{i}].expected_sources[{j}]"),
                        s,
                        MAX_SOURCE,
                        true,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(EvalItem {
                question,
                expected_answer,
                expected_sources,
            })
        })
        .collect()
}

/// Applies `body` over `set` and checks it.
fn checked_patch(body: EvalSetBody) -> Result<EvalSetPatch, Failure> {
    let name = body.name.map(|n| trimmed_text("name", &n, MAX_NAME, true));
    let description = body
        .description
        .map(|d| trimmed_text("description", &d, MAX_DESCRIPTION, false));
    Ok(EvalSetPatch {
        name: name.transpose()?,
        description: description.transpose()?,
        items: body.items.map(check_items).transpose()?,
    })
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<EvalSetBody>,
) -> ApiResult<(StatusCode, JsonResponse<EvalSet>)> {
    let set = create_set(&state, caller.org(), body).await?;
    Ok((StatusCode::CREATED, JsonResponse(set)))
}

/// Checks and stores a new eval set (`name` and `items` required); the
/// console writes eval sets through this too.
pub async fn create_set(
    state: &AppState,
    org: &OrgId,
    body: EvalSetBody,
) -> Result<EvalSet, Failure> {
    for (field, given) in [
        ("name", body.name.is_some()),
        ("items", body.items.is_some()),
    ] {
        if !given {
            return Err(bad(field, "is required"));
        }
    }
    let patch = checked_patch(body)?;
    let new = NewEvalSet {
        name: patch.name.unwrap_or_default(),
        description: patch.description.unwrap_or_default(),
        items: patch.items.unwrap_or_default(),
    };
    Ok(state.store.create_eval_set(org, new).await?)
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<EvalSetList>> {
    let page = params.page()?;
    let listed = state.store.list_eval_sets(caller.org(), page).await?;
    Ok(JsonResponse(EvalSetList {
        eval_sets: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<EvalSet>> {
    Ok(JsonResponse(
        find_set(&state, caller.org(), &set_id(&id)?).await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<EvalSetBody>,
) -> ApiResult<JsonResponse<EvalSet>> {
    let id = set_id(&id)?;
    Ok(JsonResponse(
        update_set(&state, caller.org(), &id, body).await?,
    ))
}

/// Replaces the fields `body` gives, checked as on create.
pub async fn update_set(
    state: &AppState,
    org: &OrgId,
    id: &EvalSetId,
    body: EvalSetBody,
) -> Result<EvalSet, Failure> {
    let patch = checked_patch(body)?;
    state
        .store
        .update_eval_set(org, id, patch)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("eval set", id.as_str())))
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    delete_set(&state, caller.org(), &set_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an eval set (its runs go with it).
pub async fn delete_set(state: &AppState, org: &OrgId, id: &EvalSetId) -> Result<(), Failure> {
    if state.store.delete_eval_set(org, id).await? {
        Ok(())
    } else {
        Err(Failure(ApiError::not_found("eval set", id.as_str())))
    }
}

async fn start_run(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<EvalRunRequest>,
) -> ApiResult<(StatusCode, JsonResponse<EvalRun>)> {
    let id = set_id(&id)?;
    let run = start(&state, caller.org(), &id, &body.agent_id).await?;
    Ok((StatusCode::ACCEPTED, JsonResponse(run)))
}

/// Queues a run of eval set `id` with agent `agent_id` (its settings
/// snapshotted now); the job worker scores it.
pub async fn start(
    state: &AppState,
    org: &OrgId,
    id: &EvalSetId,
    agent_id: &str,
) -> Result<EvalRun, Failure> {
    find_set(state, org, id).await?;
    let agent = path_id(agent_id, "agent_id", AgentId::parse)?;
    let agent = find_agent(state, org, &agent).await?;
    // Through text, so `f32` settings keep their short form (0.2, not
    // 0.20000000298023224), as the agent's own responses show them.
    let snapshot = serde_json::to_string(&agent)
        .and_then(|text| serde_json::from_str::<Value>(&text))
        .map_err(|e| {
            Failure(ApiError::internal(format!(
                "cannot snapshot the agent: {e}"
            )))
        })?;
    let run = state
        .store
        .create_eval_run(org, id, &agent.id, snapshot)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("eval set", id.as_str())))?;
    // The job worker leases at once instead of at its next poll.
    state.evals_queued.notify_one();
    Ok(run)
}

async fn list_runs(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<EvalRunList>> {
    let id = set_id(&id)?;
    let page = params.page()?;
    let listed = state.store.list_eval_runs(caller.org(), &id, page).await?;
    if listed.total == 0 {
        find_set(&state, caller.org(), &id).await?;
    }
    Ok(JsonResponse(EvalRunList {
        runs: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn get_run(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<EvalRunDetail>> {
    let run = find_run(&state, caller.org(), &run_id(&id)?).await?;
    let results = state.store.eval_run_items(&run.id).await?;
    Ok(JsonResponse(EvalRunDetail { run, results }))
}

async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<EvalRun>> {
    let id = run_id(&id)?;
    state
        .store
        .cancel_eval_run(caller.org(), &id)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| Failure(ApiError::not_found("eval run", id.as_str())))
}

/// The top-level keys of two agent snapshots whose values differ, by key;
/// the record's timestamps are left out.
fn settings_changed(base: &Value, head: &Value) -> Vec<SettingChange> {
    let (Some(b), Some(h)) = (base.as_object(), head.as_object()) else {
        return Vec::new();
    };
    let keys: BTreeSet<&String> = b.keys().chain(h.keys()).collect();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "created_at" | "updated_at"))
        .filter_map(|k| {
            let (bv, hv) = (
                b.get(k).cloned().unwrap_or(Value::Null),
                h.get(k).cloned().unwrap_or(Value::Null),
            );
            (bv != hv).then(|| SettingChange {
                key: k.clone(),
                base: bv,
                head: hv,
            })
        })
        .collect()
}

fn side(item: &EvalItemResult) -> ItemSide {
    ItemSide {
        retrieval_hit: item.retrieval_hit,
        answer_similarity: item.answer_similarity,
        citation_present: item.citation_present,
        answer: item.answer.clone(),
        error: item.error.clone(),
    }
}

/// `improved` or `regressed` when any signal moved, regressions winning;
/// see docs/API.md ("Evals").
pub fn change(base: &EvalItemResult, head: &EvalItemResult) -> Change {
    if base.scored_at.is_none() || head.scored_at.is_none() {
        return Change::Unchanged;
    }
    let (mut better, mut worse) = (false, false);
    let mut flag = |b: Option<bool>, h: Option<bool>| match (b, h) {
        (Some(false), Some(true)) => better = true,
        (Some(true), Some(false)) => worse = true,
        _ => {}
    };
    flag(base.retrieval_hit, head.retrieval_hit);
    flag(base.citation_present, head.citation_present);
    flag(Some(base.error.is_none()), Some(head.error.is_none()));
    if let (Some(b), Some(h)) = (base.answer_similarity, head.answer_similarity) {
        if h - b >= SIMILARITY_STEP {
            better = true;
        } else if b - h >= SIMILARITY_STEP {
            worse = true;
        }
    }
    match (better, worse) {
        (_, true) => Change::Regressed,
        (true, false) => Change::Improved,
        (false, false) => Change::Unchanged,
    }
}

async fn run_side(
    state: &AppState,
    run: EvalRun,
) -> Result<(RunSide, Vec<EvalItemResult>), Failure> {
    let items = state.store.eval_run_items(&run.id).await?;
    let aggregate = run
        .aggregate
        .clone()
        .unwrap_or_else(|| EvalAggregate::of(&items));
    Ok((
        RunSide {
            id: run.id,
            agent_id: run.agent_id,
            status: run.status,
            aggregate,
        },
        items,
    ))
}

async fn compare(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<CompareParams>,
) -> ApiResult<JsonResponse<EvalComparison>> {
    Ok(JsonResponse(
        comparison(&state, caller.org(), &params.base, &params.head).await?,
    ))
}

/// Runs `base` and `head` (ids as given) of one eval set side by side,
/// item by item; a 400 naming the parameter at fault otherwise.
pub async fn comparison(
    state: &AppState,
    org: &OrgId,
    base: &str,
    head: &str,
) -> Result<EvalComparison, Failure> {
    let base_id = path_id(base, "base", EvalRunId::parse)?;
    let head_id = path_id(head, "head", EvalRunId::parse)?;
    let base = find_run(state, org, &base_id).await?;
    let head = find_run(state, org, &head_id).await?;
    if base.eval_set_id != head.eval_set_id {
        return Err(bad(
            "head",
            format!(
                "must be a run of the same eval set as base ({}), not of {}",
                base.eval_set_id, head.eval_set_id
            ),
        ));
    }
    let settings = settings_changed(&base.agent_snapshot, &head.agent_snapshot);
    let eval_set_id = base.eval_set_id.clone();
    let (base, base_items) = run_side(state, base).await?;
    let (head, head_items) = run_side(state, head).await?;
    let mut summary = ChangeCounts::default();
    let positions = base_items.len().max(head_items.len());
    let items = (0..positions)
        .map(|i| {
            let (b, h) = (base_items.get(i), head_items.get(i));
            let change = match (b, h) {
                (Some(b), Some(h)) => change(b, h),
                _ => Change::Unchanged,
            };
            match change {
                Change::Improved => summary.improved += 1,
                Change::Regressed => summary.regressed += 1,
                Change::Unchanged => summary.unchanged += 1,
            }
            ItemComparison {
                position: i as u32,
                question: h
                    .or(b)
                    .map(|item| item.question.clone())
                    .unwrap_or_default(),
                base: b.map(side),
                head: h.map(side),
                change,
            }
        })
        .collect();
    Ok(EvalComparison {
        eval_set_id,
        base,
        head,
        settings_changed: settings,
        items,
        summary,
    })
}

fn doc(
    operation_id: &'static str,
    summary: &'static str,
    response: (u16, Option<&'static str>),
) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "evals",
        request: None,
        response,
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    let set = (200, Some("EvalSet"));
    vec![
        v1_route(
            Method::POST,
            "/api/v1/eval-sets",
            Scope::Write,
            RouteDoc {
                request: Some("EvalSetBody"),
                required: &["name", "items"],
                ..doc(
                    "createEvalSet",
                    "Create an eval set",
                    (201, Some("EvalSet")),
                )
            },
            post(create),
        ),
        v1_route(
            Method::GET,
            "/api/v1/eval-sets",
            Scope::Read,
            RouteDoc {
                paginated: true,
                ..doc(
                    "listEvalSets",
                    "List eval sets (without items)",
                    (200, Some("EvalSetList")),
                )
            },
            get(list),
        ),
        v1_route(
            Method::GET,
            "/api/v1/eval-sets/{id}",
            Scope::Read,
            doc("getEvalSet", "Get an eval set with its items", set),
            get(get_one),
        ),
        v1_route(
            Method::PUT,
            "/api/v1/eval-sets/{id}",
            Scope::Write,
            RouteDoc {
                request: Some("EvalSetBody"),
                ..doc(
                    "updateEvalSet",
                    "Replace an eval set's name, description or items",
                    set,
                )
            },
            put(update),
        ),
        v1_route(
            Method::DELETE,
            "/api/v1/eval-sets/{id}",
            Scope::Write,
            doc(
                "deleteEvalSet",
                "Delete an eval set and its runs",
                (204, None),
            ),
            delete(remove),
        ),
        v1_route(
            Method::POST,
            "/api/v1/eval-sets/{id}/runs",
            Scope::Write,
            RouteDoc {
                request: Some("EvalRunRequest"),
                ..doc(
                    "runEvalSet",
                    "Run an eval set against an agent",
                    (202, Some("EvalRun")),
                )
            },
            post(start_run),
        ),
        v1_route(
            Method::GET,
            "/api/v1/eval-sets/{id}/runs",
            Scope::Read,
            RouteDoc {
                paginated: true,
                ..doc(
                    "listEvalRuns",
                    "An eval set's runs, newest first",
                    (200, Some("EvalRunList")),
                )
            },
            get(list_runs),
        ),
        v1_route(
            Method::GET,
            "/api/v1/eval-runs/compare",
            Scope::Read,
            RouteDoc {
                query: Some(|| CompareParams::into_params(|| None)),
                ..doc(
                    "compareEvalRuns",
                    "Compare two runs of one eval set (`base`, `head`)",
                    (200, Some("EvalComparison")),
                )
            },
            get(compare),
        ),
        v1_route(
            Method::GET,
            "/api/v1/eval-runs/{id}",
            Scope::Read,
            doc(
                "getEvalRun",
                "Get an eval run with its items' scores",
                (200, Some("EvalRunDetail")),
            ),
            get(get_run),
        ),
        v1_route(
            Method::POST,
            "/api/v1/eval-runs/{id}/cancel",
            Scope::Write,
            doc(
                "cancelEvalRun",
                "Cancel a queued or running eval run",
                (200, Some("EvalRun")),
            ),
            post(cancel),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scored(hit: Option<bool>, sim: Option<f32>, cited: bool, error: bool) -> EvalItemResult {
        EvalItemResult {
            position: 0,
            question: "q".into(),
            expected_answer: None,
            expected_sources: Vec::new(),
            answer: Some("a".into()),
            cited_sources: Vec::new(),
            retrieval_hit: hit,
            answer_similarity: sim,
            citation_present: Some(cited),
            latency_ms: Some(1),
            error: error.then(|| "x".into()),
            scored_at: Some(jiff::Timestamp::UNIX_EPOCH),
        }
    }

    #[test]
    fn changes_follow_the_rule() {
        let b = scored(Some(false), Some(0.5), false, false);
        assert_eq!(
            change(&b, &scored(Some(true), Some(0.5), false, false)),
            Change::Improved
        );
        assert_eq!(
            change(&b, &scored(Some(false), Some(0.52), false, false)),
            Change::Unchanged
        );
        assert_eq!(
            change(&b, &scored(Some(false), Some(0.4), false, false)),
            Change::Regressed
        );
        // A regression wins over an improvement.
        assert_eq!(
            change(&b, &scored(Some(true), Some(0.4), true, false)),
            Change::Regressed
        );
        assert_eq!(
            change(&b, &scored(Some(false), Some(0.5), false, true)),
            Change::Regressed
        );
    }

    #[test]
    fn settings_diff_lists_changed_keys_without_timestamps() {
        let base = json!({"rag_strategy": "redwood", "model": "extractive", "updated_at": "1"});
        let head = json!({"rag_strategy": "cypress", "model": "extractive", "updated_at": "2"});
        let diff = settings_changed(&base, &head);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].key, "rag_strategy");
        assert_eq!(
            (diff[0].base.clone(), diff[0].head.clone()),
            (json!("redwood"), json!("cypress"))
        );
    }
}
