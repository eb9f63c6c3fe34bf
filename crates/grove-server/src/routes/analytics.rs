//! `GET /api/v1/analytics` (admin): what agents were asked over a range of
//! days, and how they did: totals and rates, and a time series of queries
//! and latency percentiles per hour, day, week or month (UTC). Legacy
//! `GET /api/analytics/charts/dashboard` is the same in camelCase.
//!
//! Percentiles are exact (nearest rank over the bucket's latencies): the
//! facts of the range are read whole, which a range of days of one
//! organisation's questions allows.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use axum::{Extension, Json as JsonResponse};
use grove_core::agents::{Feedback, Outcome};
use grove_core::ids::{AgentId, OrgId};
use grove_core::scope::Scope;
use grove_core::ApiError;
use grove_store::{InteractionFact, InteractionFilter};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{route_in, Family, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{path_id, DateRange, Query};
use crate::state::AppState;

/// Most buckets one answer holds (a year of hours is 8,784).
const MAX_BUCKETS: usize = 10_000;

/// The width of a time-series bucket, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Hour,
    Day,
    Week,
    Month,
}

/// The query of the analytics routes: a range of whole UTC days, both
/// ends included.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsParams {
    /// The first day, `YYYY-MM-DD`.
    #[param(required = true, value_type = String, format = Date)]
    pub start_date: Option<String>,
    /// The last day, `YYYY-MM-DD`, not before `start_date`.
    #[param(required = true, value_type = String, format = Date)]
    pub end_date: Option<String>,
    /// Only this agent's interactions.
    #[param(pattern = "^agent_[A-Za-z0-9]{1,64}$")]
    pub agent_id: Option<String>,
    /// The time series' bucket (default `day`); at most 10,000 buckets.
    #[param(inline)]
    pub granularity: Option<Granularity>,
}

/// Totals over the range; a rate is null when nothing counts toward it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Metrics {
    pub total_queries: u64,
    /// Distinct askers: the console user who asked, else the key's user,
    /// else the key.
    pub unique_users: u64,
    pub avg_latency_ms: Option<f64>,
    /// Positive feedback ÷ rated answers.
    pub accuracy_rate: Option<f64>,
    /// Answers citing at least one source ÷ answers.
    pub citation_rate: Option<f64>,
    /// No-answer replies ÷ queries.
    pub no_answer_rate: Option<f64>,
    pub total_cost_usd: f64,
}

/// One bucket of the time series; percentiles are null when it is empty.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Point {
    #[schema(value_type = String, format = DateTime)]
    pub timestamp: Timestamp,
    pub queries: u64,
    pub latency_p50: Option<u64>,
    pub latency_p95: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Analytics {
    pub start_date: String,
    pub end_date: String,
    pub agent_id: Option<AgentId>,
    pub granularity: Granularity,
    pub metrics: Metrics,
    pub time_series: Vec<Point>,
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Totals of the facts.
pub fn metrics(facts: &[InteractionFact]) -> Metrics {
    let askers: BTreeSet<&str> = facts.iter().filter_map(|f| f.asker.as_deref()).collect();
    let rated: Vec<_> = facts.iter().filter_map(|f| f.feedback).collect();
    let positive = rated.iter().filter(|f| **f == Feedback::Positive).count();
    let answers: Vec<_> = facts
        .iter()
        .filter(|f| f.outcome == Outcome::Answered)
        .collect();
    let cited = answers.iter().filter(|f| f.cited).count();
    let no_answer = facts
        .iter()
        .filter(|f| f.outcome == Outcome::NoAnswer)
        .count();
    let latency: u64 = facts.iter().map(|f| f.latency_ms).sum();
    Metrics {
        total_queries: facts.len() as u64,
        unique_users: askers.len() as u64,
        avg_latency_ms: (!facts.is_empty()).then(|| latency as f64 / facts.len() as f64),
        accuracy_rate: ratio(positive, rated.len()),
        citation_rate: ratio(cited, answers.len()),
        no_answer_rate: ratio(no_answer, facts.len()),
        total_cost_usd: facts.iter().map(|f| f.cost_usd).sum(),
    }
}

/// The nearest-rank `p` percentile (0–1) of sorted values.
fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.max(1) - 1).copied()
}

/// The start of the bucket holding `day` (UTC).
fn bucket_day(day: Date, granularity: Granularity) -> Date {
    match granularity {
        Granularity::Week => {
            let back = i64::from(day.weekday().to_monday_zero_offset());
            day.checked_sub(back.days()).unwrap_or(day)
        }
        Granularity::Month => day.first_of_month(),
        _ => day,
    }
}

fn bucket_start(at: Timestamp, granularity: Granularity) -> Timestamp {
    let local = at.to_zoned(TimeZone::UTC);
    let start = match granularity {
        Granularity::Hour => local.date().at(local.hour(), 0, 0, 0),
        other => bucket_day(local.date(), other).at(0, 0, 0, 0),
    };
    start
        .to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(at)
}

fn next_bucket(start: Timestamp, granularity: Granularity) -> Timestamp {
    let zoned = start.to_zoned(TimeZone::UTC);
    let next = match granularity {
        Granularity::Hour => zoned.checked_add(1.hour()),
        Granularity::Day => zoned.checked_add(1.day()),
        Granularity::Week => zoned.checked_add(1.week()),
        Granularity::Month => zoned.checked_add(1.month()),
    };
    next.map(|z| z.timestamp()).unwrap_or(Timestamp::MAX)
}

/// Every bucket from `since` up to `until`, with the facts (sorted by
/// time) that fall in each; `None` when there would be too many.
pub fn time_series(
    facts: &[InteractionFact],
    since: Timestamp,
    until: Timestamp,
    granularity: Granularity,
) -> Option<Vec<Point>> {
    let mut points = Vec::new();
    let mut start = bucket_start(since, granularity);
    let mut rest = facts;
    while start < until {
        if points.len() >= MAX_BUCKETS {
            return None;
        }
        let end = next_bucket(start, granularity);
        let split = rest.partition_point(|f| f.created_at < end);
        let mut latencies: Vec<u64> = rest[..split].iter().map(|f| f.latency_ms).collect();
        latencies.sort_unstable();
        points.push(Point {
            timestamp: start,
            queries: latencies.len() as u64,
            latency_p50: percentile(&latencies, 0.5),
            latency_p95: percentile(&latencies, 0.95),
        });
        rest = &rest[split..];
        start = end;
    }
    Some(points)
}

async fn analytics(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<AnalyticsParams>,
) -> ApiResult<JsonResponse<Analytics>> {
    Ok(JsonResponse(compute(&state, caller.org(), params).await?))
}

/// The metrics and time series of `org` for `params` (dates required),
/// or a 400 naming the field at fault; the console's `/analytics` too.
pub async fn compute(
    state: &AppState,
    org: &OrgId,
    params: AnalyticsParams,
) -> Result<Analytics, Failure> {
    let required = |field: &str, value: &Option<String>| {
        value
            .clone()
            .ok_or_else(|| Failure(ApiError::invalid_field(field, "is required (YYYY-MM-DD)")))
    };
    let start_date = required("start_date", &params.start_date)?;
    let end_date = required("end_date", &params.end_date)?;
    let range = DateRange::parse(Some(&start_date), Some(&end_date))?;
    let (Some(since), Some(until)) = (range.since, range.until) else {
        return Err(Failure(ApiError::invalid_field(
            "start_date",
            "is required",
        )));
    };
    let agent_id = params
        .agent_id
        .as_deref()
        .map(|a| path_id(a, "agent_id", AgentId::parse))
        .transpose()?;
    let granularity = params.granularity.unwrap_or(Granularity::Day);
    let filter = InteractionFilter {
        agent_id: agent_id.clone(),
        since: Some(since),
        until: Some(until),
        feedback: None,
        review_status: None,
    };
    let facts = state.store.interaction_facts(org, filter).await?;
    let time_series = time_series(&facts, since, until, granularity).ok_or_else(|| {
        Failure(ApiError::invalid_field(
            "granularity",
            format!("the range holds more than {MAX_BUCKETS} buckets; choose a wider one"),
        ))
    })?;
    Ok(Analytics {
        start_date,
        end_date,
        agent_id,
        granularity,
        metrics: metrics(&facts),
        time_series,
    })
}

pub fn routes() -> Vec<Route> {
    let doc = |operation_id, summary| RouteDoc {
        operation_id,
        summary,
        tag: "analytics",
        request: None,
        response: (200, Some("Analytics")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: Some(|| AnalyticsParams::into_params(|| None)),
    };
    let admin = grove_core::scope::Requirement::scope(Scope::Admin);
    vec![
        route_in(
            Family::V1,
            Method::GET,
            "/api/v1/analytics",
            admin,
            doc(
                "getAnalytics",
                "Query metrics and a latency time series over a range of days",
            ),
            get(analytics),
        ),
        route_in(
            Family::Legacy,
            Method::GET,
            "/api/analytics/charts/dashboard",
            admin,
            doc("getDashboard", "The analytics, in camelCase (legacy)"),
            get(analytics),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(
        at: &str,
        latency: u64,
        outcome: Outcome,
        feedback: Option<Feedback>,
    ) -> InteractionFact {
        InteractionFact {
            created_at: at.parse().unwrap(),
            latency_ms: latency,
            outcome,
            feedback,
            cited: outcome == Outcome::Answered && latency.is_multiple_of(2),
            cost_usd: 0.25,
            asker: Some(format!("usr_{}", latency % 3)),
        }
    }

    #[test]
    fn totals_and_rates_match_a_hand_count() {
        let facts = [
            fact(
                "2026-03-02T09:00:00Z",
                100,
                Outcome::Answered,
                Some(Feedback::Positive),
            ),
            fact(
                "2026-03-02T09:30:00Z",
                201,
                Outcome::Answered,
                Some(Feedback::Negative),
            ),
            fact("2026-03-02T10:00:00Z", 300, Outcome::NoAnswer, None),
            fact(
                "2026-03-03T08:00:00Z",
                400,
                Outcome::Answered,
                Some(Feedback::Positive),
            ),
        ];
        let m = metrics(&facts);
        assert_eq!(m.total_queries, 4);
        // askers: 100 % 3 = 1, 201 % 3 = 0, 300 % 3 = 0, 400 % 3 = 1
        assert_eq!(m.unique_users, 2);
        assert_eq!(m.avg_latency_ms, Some(250.25));
        assert_eq!(m.accuracy_rate, Some(2.0 / 3.0));
        // answers 100 (cited), 201 (not), 400 (cited)
        assert_eq!(m.citation_rate, Some(2.0 / 3.0));
        assert_eq!(m.no_answer_rate, Some(0.25));
        assert_eq!(m.total_cost_usd, 1.0);
        let empty = metrics(&[]);
        assert_eq!(empty.accuracy_rate, None);
        assert_eq!(empty.avg_latency_ms, None);
    }

    #[test]
    fn buckets_cover_the_range_with_exact_percentiles() {
        let facts: Vec<_> = (1..=20)
            .map(|n| fact("2026-03-02T09:15:00Z", n * 10, Outcome::Answered, None))
            .chain([fact("2026-03-04T23:59:59Z", 7, Outcome::Answered, None)])
            .collect();
        let since: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
        let until: Timestamp = "2026-03-05T00:00:00Z".parse().unwrap();
        let days = time_series(&facts, since, until, Granularity::Day).unwrap();
        assert_eq!(days.len(), 3);
        assert_eq!(days[0].queries, 20);
        // nearest rank: p50 of 10..200 is the 10th value, p95 the 19th
        assert_eq!(days[0].latency_p50, Some(100));
        assert_eq!(days[0].latency_p95, Some(190));
        assert_eq!(days[1].queries, 0);
        assert_eq!(days[1].latency_p50, None);
        assert_eq!(days[2].latency_p95, Some(7));
        let hours = time_series(&facts, since, until, Granularity::Hour).unwrap();
        assert_eq!(hours.len(), 72);
        assert_eq!(hours[9].queries, 20);
        // 2026-03-02 is a Monday: one week bucket; March is one month bucket.
        let weeks = time_series(&facts, since, until, Granularity::Week).unwrap();
        assert_eq!(weeks.len(), 1);
        assert_eq!(weeks[0].timestamp, since);
        let months = time_series(&facts, since, until, Granularity::Month).unwrap();
        assert_eq!(months[0].timestamp.to_string(), "2026-03-01T00:00:00Z");
        assert_eq!(months[0].queries, 21);
    }
}
