//! `/settings` and `/analytics`: the organisation's default model set
//! through the API's check (admins only), and the analytics page showing
//! the API's own numbers with charts, for a range and an agent.

use reqwest::StatusCode;
use serde_json::json;

use super::{admin_of_a, gardener, member, with_password, Browser, PASSWORD};
use crate::common::TestServer;

#[tokio::test]
async fn admins_set_the_default_model_through_the_api_check() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let page = browser.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html
            .contains("name=\"default_model\" value=\"extractive\""),
        "{}",
        page.html
    );
    let csrf = page.input("csrf");
    let refused = browser
        .post(
            "/settings",
            &[("csrf", &csrf), ("default_model", "nowhere:model-9")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("default_model"), "{}", refused.html);
    assert!(refused.html.contains("value=\"nowhere:model-9\""));
    let before = t
        .get("/api/v1/organization/settings", &t.org_a.api_key)
        .await;
    assert!(before.body["updated_at"].is_null());

    let saved = browser
        .post(
            "/settings",
            &[("csrf", &csrf), ("default_model", " extractive ")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.html.contains("Saved."));
    let after = t
        .get("/api/v1/organization/settings", &t.org_a.api_key)
        .await;
    assert_eq!(after.body["default_model"], "extractive");
    assert!(after.body["updated_at"].is_string(), "{}", after.body);

    let (_, mut configurer) = member(&t, "conf@a.example", "configure").await;
    assert_eq!(
        configurer.get("/settings").await.status,
        StatusCode::FORBIDDEN
    );
    let home = configurer.get("/").await;
    let their_csrf = home.input("csrf");
    let refused = configurer
        .post(
            "/settings",
            &[("csrf", &their_csrf), ("default_model", "extractive")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn analytics_show_the_api_numbers_with_charts_for_a_range_and_agent() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let key = t.org_a.api_key.clone();
    let agent = gardener(&t).await;
    for question in [
        "When do the vents open?",
        "Do the vents close at night?",
        "Who won the cup in 1954?",
    ] {
        let asked = t
            .post(
                "/api/v1/query",
                &key,
                json!({"agent_id": agent, "query": question}),
            )
            .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    }
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let api = t
        .get(
            &format!("/api/v1/analytics?start_date={today}&end_date={today}"),
            &key,
        )
        .await;
    assert_eq!(api.body["metrics"]["total_queries"], 3);

    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let page = browser.get("/analytics").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("<dt>Questions</dt><dd>3</dd>"),
        "{}",
        page.html
    );
    let no_answer = format!(
        "<dt>No answer</dt><dd>{:.1} %</dd>",
        api.body["metrics"]["no_answer_rate"].as_f64().unwrap() * 100.0
    );
    assert!(page.html.contains(&no_answer), "{no_answer}: {}", page.html);
    assert_eq!(
        page.html
            .matches("src=\"data:image/svg+xml;base64,")
            .count(),
        2
    );
    assert!(
        page.html
            .contains(&format!("<td>{today} 00:00</td><td>3</td>")),
        "{}",
        page.html
    );

    // Another agent's range is empty; the API's refusals come back as 400s.
    let other = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Quiet", "data_source_ids": api_source(&t).await}),
        )
        .await;
    let quiet = other.body["id"].as_str().unwrap().to_owned();
    let empty = browser.get(&format!("/analytics?agent_id={quiet}")).await;
    assert!(
        empty.html.contains("<dt>Questions</dt><dd>0</dd>")
            && empty.html.contains("No questions in this range")
    );
    let bad = browser.get("/analytics?granularity=minute").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("granularity"));
    let bad = browser.get("/analytics?start_date=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("start_date"), "{}", bad.html);
    let too_many = browser
        .get("/analytics?start_date=2020-01-01&end_date=2026-01-01&granularity=hour")
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(too_many.html.contains("buckets"), "{}", too_many.html);

    // As in the API, analytics are for admins only.
    let (_, mut configurer) = member(&t, "conf@a.example", "configure").await;
    assert_eq!(
        configurer.get("/analytics").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!configurer
        .get("/")
        .await
        .html
        .contains("href=\"/analytics\""));
}

/// The data source ids of org A's agents (for another agent over them).
async fn api_source(t: &TestServer) -> serde_json::Value {
    let agents = t.get("/api/v1/agents", &t.org_a.api_key).await;
    agents.body["agents"][0]["data_source_ids"].clone()
}
