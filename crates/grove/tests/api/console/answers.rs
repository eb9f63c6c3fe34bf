//! `/interactions`: the answer log with the API's filters, the API's
//! reasons for a bad filter, and only the organisation's own answers.

use grove_core::agents::{Outcome, RagStrategy, RetrievalTrace};
use grove_core::ids::AgentId;
use grove_store::NewInteraction;
use reqwest::StatusCode;
use serde_json::json;

use super::{admin_of_a, gardener, with_password, Browser, PASSWORD};
use crate::common::{greenhouse_source, TestServer};

async fn ask(t: &TestServer, key: &str, agent: &str, question: &str) -> String {
    let asked = t
        .post(
            "/api/v1/query",
            key,
            json!({"agent_id": agent, "query": question}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    asked.body["metadata"]["interaction_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_answer_log_filters_as_the_api_does_and_shows_only_the_organisation() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let key = t.org_a.api_key.clone();
    let gardener_id = gardener(&t).await;
    let source = greenhouse_source(&t, &key).await;
    let other = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Night watch", "data_source_ids": [source], "similarity_threshold": 0.0}),
        )
        .await;
    let other_id = other.body["id"].as_str().unwrap().to_owned();
    let liked = ask(&t, &key, &gardener_id, "When do the vents open?").await;
    ask(&t, &key, &gardener_id, "Who waters the seedlings?").await;
    ask(&t, &key, &other_id, "Do the vents close at night?").await;
    let rated = t
        .post(
            &format!("/api/v1/interactions/{liked}/feedback"),
            &key,
            json!({"feedback": "positive"}),
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    // Org B's answer never shows in org A's log.
    let b_agent = t
        .post(
            "/api/v1/agents",
            &t.org_b.api_key,
            json!({"name": "B agent", "data_source_ids": [greenhouse_source(&t, &t.org_b.api_key).await]}),
        )
        .await;
    let b_agent = b_agent.body["id"].as_str().unwrap().to_owned();
    ask(&t, &t.org_b.api_key, &b_agent, "What does org B grow?").await;

    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let all = browser.get("/interactions").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        all.html.matches("href=\"/interactions/").count(),
        3,
        "{}",
        all.html
    );
    assert!(all.html.contains("Night watch") && !all.html.contains("org B grow"));
    assert!(all.html.contains("aria-current=\"page\">Answers<"));

    let by_agent = browser
        .get(&format!(
            "/interactions?agent_id={other_id}&feedback=&review_status="
        ))
        .await;
    assert_eq!(by_agent.html.matches("href=\"/interactions/").count(), 1);
    assert!(by_agent.html.contains("Do the vents close at night?"));
    assert!(by_agent
        .html
        .contains(&format!("value=\"{other_id}\" selected")));

    let positive = browser.get("/interactions?feedback=positive").await;
    assert_eq!(positive.html.matches("href=\"/interactions/").count(), 1);
    assert!(positive
        .html
        .contains(&format!("href=\"/interactions/{liked}\"")));
    let unrated = browser.get("/interactions?feedback=null").await;
    assert_eq!(unrated.html.matches("href=\"/interactions/").count(), 2);
    let tomorrow = jiff::Zoned::now().date().tomorrow().unwrap().to_string();
    let future = browser
        .get(&format!("/interactions?start_date={tomorrow}"))
        .await;
    assert!(
        future.html.contains("No answers match these filters"),
        "{}",
        future.html
    );

    // A filter the API refuses is refused here with the API's reason.
    let bad = browser.get("/interactions?start_date=last+week").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("start_date"), "{}", bad.html);
    let bad = browser.get("/interactions?review_status=done").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("review_status"), "{}", bad.html);
}

#[tokio::test]
async fn the_answer_log_pages_keep_their_filters() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let agent = gardener(&t).await;
    // 55 answers straight into the store: more than one page of 50.
    for n in 0..55 {
        let new = NewInteraction {
            agent_id: AgentId::parse(&agent).unwrap(),
            session_id: None,
            key_id: None,
            user_id: None,
            query: format!("Question number {n}"),
            response: "An answer.".into(),
            sources: Vec::new(),
            rag_strategy: RagStrategy::Redwood,
            model: "extractive".into(),
            retrieval: RetrievalTrace::default(),
            outcome: Outcome::Answered,
            error: None,
            latency_ms: 12,
            tokens_input: 0,
            tokens_output: 0,
            cost_usd: 0.0,
        };
        t.store
            .record_interaction(&admin.org_id, new)
            .await
            .unwrap();
    }
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let first = browser
        .get(&format!("/interactions?agent_id={agent}"))
        .await;
    assert_eq!(first.html.matches("href=\"/interactions/").count(), 50);
    assert!(first.html.contains("1–50 of 55"), "{}", first.html);
    let next = format!("/interactions?agent_id={agent}&#38;offset=50");
    assert!(first.html.contains(&next), "{}", first.html);
    let second = browser.get(&next.replace("&#38;", "&")).await;
    assert_eq!(second.html.matches("href=\"/interactions/").count(), 5);
}
