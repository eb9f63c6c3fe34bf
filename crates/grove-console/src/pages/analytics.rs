//! `/analytics`: the metrics of the answer log and the time series of
//! questions and answer time (p50, p95) as charts, for a chosen date range,
//! agent and bucket width. The numbers come from the API's own function
//! (`routes::analytics::compute`), so the page and `GET /api/v1/analytics`
//! never disagree; the charts are the server's SVG (grove-report), so the
//! page needs no script, and each has its numbers in a table beside it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use base64::Engine as _;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::analytics::{compute, Analytics, AnalyticsParams, Granularity, Point};
use grove_server::state::AppState;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{agent_names, choices, render, render_form, Choice, Layout, PageError};
use crate::session::Viewer;

/// Analytics are the API's admin scope (they show cost and who asks).
const ADMIN: Requirement = Requirement::scope(Scope::Admin);
/// Days shown when no range is chosen (today and the 29 before).
const DEFAULT_DAYS: i64 = 30;
const GRANULARITIES: [(&str, Granularity); 4] = [
    ("hour", Granularity::Hour),
    ("day", Granularity::Day),
    ("week", Granularity::Week),
    ("month", Granularity::Month),
];

#[derive(Debug, Default, Deserialize)]
pub struct RangeParams {
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    agent_id: String,
    #[serde(default)]
    granularity: String,
}

pub struct Card {
    pub label: &'static str,
    pub value: String,
}

pub struct Chart {
    pub title: String,
    pub image: String,
}

pub struct SeriesRow {
    pub bucket: String,
    pub queries: u64,
    pub p50: String,
    pub p95: String,
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    layout: Layout,
    start_date: String,
    end_date: String,
    agents: Vec<Choice>,
    granularities: Vec<Choice>,
    error: Option<String>,
    cards: Vec<Card>,
    charts: Vec<Chart>,
    rows: Vec<SeriesRow>,
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

fn cards(analytics: &Analytics) -> Vec<Card> {
    let m = &analytics.metrics;
    vec![
        Card {
            label: "Questions",
            value: m.total_queries.to_string(),
        },
        Card {
            label: "People asking",
            value: m.unique_users.to_string(),
        },
        Card {
            label: "Average answer time",
            value: m
                .avg_latency_ms
                .map_or_else(|| "—".to_owned(), |ms| format!("{ms:.0} ms")),
        },
        Card {
            label: "Rated helpful",
            value: percent(m.accuracy_rate),
        },
        Card {
            label: "Answers citing a source",
            value: percent(m.citation_rate),
        },
        Card {
            label: "No answer",
            value: percent(m.no_answer_rate),
        },
        Card {
            label: "Model cost",
            value: format!("${:.2}", m.total_cost_usd),
        },
    ]
}

/// A chart as an image address (the server's SVG), or `None` when the
/// spec cannot be drawn (logged: it is built here, so that is a bug).
fn chart(title: &str, spec: Value) -> Option<Chart> {
    match grove_report::chart::render_svg(&spec) {
        Ok(svg) => Some(Chart {
            title: title.to_owned(),
            image: format!(
                "data:image/svg+xml;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(svg)
            ),
        }),
        Err(e) => {
            tracing::error!(error = %e.message, path = %e.path, "an analytics chart failed");
            None
        }
    }
}

fn charts(points: &[Point]) -> Vec<Chart> {
    if points.iter().all(|p| p.queries == 0) {
        return Vec::new();
    }
    let questions: Vec<Value> = points
        .iter()
        .map(|p| json!({"bucket": p.timestamp.to_string(), "questions": p.queries}))
        .collect();
    let latency: Vec<Value> = points
        .iter()
        .flat_map(|p| {
            [("p50", p.latency_p50), ("p95", p.latency_p95)]
                .into_iter()
                .filter_map(move |(series, ms)| {
                    ms.map(
                        |ms| json!({"bucket": p.timestamp.to_string(), "ms": ms, "series": series}),
                    )
                })
        })
        .collect();
    let questions_spec = json!({
        "width": 640, "height": 260,
        "mark": "bar",
        "data": {"values": questions},
        "encoding": {
            "x": {"field": "bucket", "type": "temporal", "title": "Time (UTC)"},
            "y": {"field": "questions", "type": "quantitative", "title": "Questions"}
        }
    });
    // A line of one point draws nothing: points until there are two.
    let answered_buckets = points.iter().filter(|p| p.queries > 0).count();
    let latency_mark = if answered_buckets < 2 {
        "point"
    } else {
        "line"
    };
    let latency_spec = json!({
        "width": 640, "height": 260,
        "mark": latency_mark,
        "data": {"values": latency},
        "encoding": {
            "x": {"field": "bucket", "type": "temporal", "title": "Time (UTC)"},
            "y": {"field": "ms", "type": "quantitative", "title": "Answer time (ms)"},
            "color": {"field": "series", "type": "nominal", "title": "Percentile"}
        }
    });
    [
        chart("Questions per bucket", questions_spec),
        chart("Answer time, p50 and p95", latency_spec),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn series_rows(points: &[Point]) -> Vec<SeriesRow> {
    let ms = |v: Option<u64>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
    points
        .iter()
        .filter(|p| p.queries > 0)
        .map(|p| SeriesRow {
            bucket: p.timestamp.strftime("%Y-%m-%d %H:%M").to_string(),
            queries: p.queries,
            p50: ms(p.latency_p50),
            p95: ms(p.latency_p95),
        })
        .collect()
}

pub async fn analytics(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<RangeParams>,
) -> Result<Response, PageError> {
    viewer.require(ADMIN)?;
    let org = &viewer.user.org_id;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let or = |given: &str, default: String| {
        if given.trim().is_empty() {
            default
        } else {
            given.trim().to_owned()
        }
    };
    let end_date = or(&params.end_date, today.to_string());
    let start_date = or(
        &params.start_date,
        today
            .checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1))
            .unwrap_or(today)
            .to_string(),
    );
    let granularity_name = or(&params.granularity, "day".to_owned());
    let granularity = GRANULARITIES
        .iter()
        .find(|(name, _)| *name == granularity_name)
        .map(|(_, g)| *g);
    let agents = agent_names(&state, &viewer).await?;
    let mut agent_choices = vec![("", "Every agent")];
    agent_choices.extend(agents.iter().map(|(id, name)| (id.as_str(), name.as_str())));
    let mut page = AnalyticsPage {
        layout: Layout::signed_in("Analytics", &viewer, "/analytics"),
        agents: choices(params.agent_id.trim(), agent_choices),
        granularities: choices(
            &granularity_name,
            GRANULARITIES.iter().map(|(name, _)| (*name, *name)),
        ),
        start_date: start_date.clone(),
        end_date: end_date.clone(),
        error: None,
        cards: Vec::new(),
        charts: Vec::new(),
        rows: Vec::new(),
    };
    let Some(granularity) = granularity else {
        page.error = Some("granularity: must be hour, day, week or month".into());
        return Ok(render_form(&page, true));
    };
    let request = AnalyticsParams {
        start_date: Some(start_date),
        end_date: Some(end_date),
        agent_id: Some(params.agent_id.trim().to_owned()).filter(|a| !a.is_empty()),
        granularity: Some(granularity),
    };
    match compute(&state, org, request).await {
        Ok(analytics) => {
            page.cards = cards(&analytics);
            page.charts = charts(&analytics.time_series);
            page.rows = series_rows(&analytics.time_series);
            Ok(render(&page))
        }
        Err(failure) => {
            page.error = Some(failure.0.message);
            Ok(render_form(&page, true))
        }
    }
}
