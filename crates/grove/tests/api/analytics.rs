//! `GET /api/v1/analytics` over a seeded log of interactions whose totals,
//! rates and percentiles are counted by hand; its validation; the legacy
//! dashboard route.

use grove_core::agents::{CitedSource, Feedback, Outcome, RagStrategy, RetrievalTrace};
use grove_core::ids::{AgentId, KeyId, OrgId};
use grove_store::{FeedbackUpdate, NewInteraction};
use reqwest::StatusCode;

use crate::common::TestServer;

fn source(cited: bool) -> CitedSource {
    CitedSource {
        number: 1,
        chunk_id: "chk_a".into(),
        document_id: "doc_a".into(),
        document_title: "A".into(),
        document_url: None,
        data_source_id: "ds_a".into(),
        similarity_score: 0.8,
        chunk_text: "a".into(),
        span: None,
        cited,
    }
}

/// Records one interaction asked with `key`.
async fn seed(
    t: &TestServer,
    agent: &AgentId,
    key: &str,
    outcome: Outcome,
    latency_ms: u64,
    cited: bool,
    feedback: Option<Feedback>,
) {
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let new = NewInteraction {
        agent_id: agent.clone(),
        session_id: None,
        key_id: Some(KeyId::parse(key).unwrap()),
        user_id: None,
        query: "q".into(),
        response: "r".into(),
        sources: vec![source(cited)],
        rag_strategy: RagStrategy::Redwood,
        model: "extractive".into(),
        retrieval: RetrievalTrace::default(),
        outcome,
        error: None,
        latency_ms,
        tokens_input: 10,
        tokens_output: 5,
        cost_usd: 0.5,
    };
    let recorded = t.store.record_interaction(&org, new).await.unwrap();
    if let Some(feedback) = feedback {
        let update = FeedbackUpdate {
            feedback,
            comment: None,
            rating: None,
        };
        t.store
            .set_feedback(&org, &recorded.id, update)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn analytics_match_a_hand_count_of_a_seeded_log() {
    let t = TestServer::start().await;
    let (_, key_1) = t.key_with(&["execute"], &[]).await;
    let (_, key_2) = t.key_with(&["execute"], &[]).await;
    let (agent, other) = (AgentId::generate(), AgentId::generate());
    // Ten answers of `agent`: latencies 100..=1000; every other one cited;
    // three rated (two positive); two no-answers; one failure; and one
    // answer of another agent.
    for n in 1..=10u64 {
        let feedback = match n {
            1 | 2 => Some(Feedback::Positive),
            3 => Some(Feedback::Negative),
            _ => None,
        };
        let key = if n <= 4 { &key_1 } else { &key_2 };
        seed(
            &t,
            &agent,
            key,
            Outcome::Answered,
            n * 100,
            n % 2 == 0,
            feedback,
        )
        .await;
    }
    for latency in [50, 60] {
        seed(&t, &agent, &key_1, Outcome::NoAnswer, latency, false, None).await;
    }
    seed(&t, &agent, &key_1, Outcome::Failed, 5000, false, None).await;
    seed(&t, &other, &key_1, Outcome::Answered, 1, true, None).await;

    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let path = format!(
        "/api/v1/analytics?start_date={today}&end_date={today}&agent_id={agent}&granularity=hour"
    );
    let reply = t.get(&path, &t.org_a.api_key).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let m = &reply.body["metrics"];
    assert_eq!(m["total_queries"], 13);
    assert_eq!(m["unique_users"], 2);
    // (100 + … + 1000 + 50 + 60 + 5000) / 13 = 10610 / 13
    let avg = m["avg_latency_ms"].as_f64().unwrap();
    assert!((avg - 10610.0 / 13.0).abs() < 1e-9, "{avg}");
    let rate = |name: &str| m[name].as_f64().unwrap();
    assert!((rate("accuracy_rate") - 2.0 / 3.0).abs() < 1e-9);
    assert!((rate("citation_rate") - 0.5).abs() < 1e-9);
    assert!((rate("no_answer_rate") - 2.0 / 13.0).abs() < 1e-9);
    assert!((rate("total_cost_usd") - 6.5).abs() < 1e-9);

    let series = reply.body["time_series"].as_array().unwrap();
    assert_eq!(series.len(), 24, "hours of the day");
    let busy: Vec<_> = series.iter().filter(|p| p["queries"] != 0).collect();
    let total: u64 = busy.iter().map(|p| p["queries"].as_u64().unwrap()).sum();
    assert_eq!(total, 13);
    if busy.len() == 1 {
        // Sorted: 50 60 100 200 … 1000 5000; nearest rank: p50 the 7th,
        // p95 the 13th.
        assert_eq!(busy[0]["latency_p50"], 500);
        assert_eq!(busy[0]["latency_p95"], 5000);
    }
    assert!(series
        .iter()
        .all(|p| p["queries"] != 0 || p["latency_p50"].is_null()));

    // Without the agent filter the other agent's answer counts too.
    let all = t
        .get(
            &format!("/api/v1/analytics?start_date={today}&end_date={today}"),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(all.body["metrics"]["total_queries"], 14);
    assert_eq!(all.body["granularity"], "day");
    assert_eq!(all.body["time_series"].as_array().unwrap().len(), 1);
    // The legacy dashboard, in camelCase.
    let legacy = t
        .get(
            &format!("/api/analytics/charts/dashboard?startDate={today}&endDate={today}"),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(legacy.status, StatusCode::OK, "{}", legacy.body);
    assert_eq!(legacy.body["metrics"]["totalQueries"], 14);
    // Another organisation sees none of it.
    let other_org = t
        .get(
            &format!("/api/v1/analytics?start_date={today}&end_date={today}"),
            &t.org_b.api_key,
        )
        .await;
    assert_eq!(other_org.body["metrics"]["total_queries"], 0);
    assert!(other_org.body["metrics"]["accuracy_rate"].is_null());
}

#[tokio::test]
async fn analytics_parameters_are_checked() {
    let t = TestServer::start().await;
    let cases = [
        ("end_date=2026-01-31", "start_date"),
        ("start_date=2026-01-01", "end_date"),
        ("start_date=2026-13-01&end_date=2026-01-31", "start_date"),
        ("start_date=2026-02-01&end_date=2026-01-31", "end_date"),
        (
            "start_date=2026-01-01&end_date=2026-01-31&granularity=minute",
            "granularity",
        ),
        (
            "start_date=2026-01-01&end_date=2026-01-31&agent_id=ds_x",
            "agent_id",
        ),
        (
            "start_date=2000-01-01&end_date=2026-01-31&granularity=hour",
            "granularity",
        ),
    ];
    for (query, field) in cases {
        let reply = t
            .get(&format!("/api/v1/analytics?{query}"), &t.org_a.api_key)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.body
        );
        assert_eq!(
            reply.body["error"]["details"]["field"], field,
            "{query}: {}",
            reply.body
        );
    }
    let (read_key, _) = t.key_with(&["read"], &[]).await;
    let refused = t
        .get(
            "/api/v1/analytics?start_date=2026-01-01&end_date=2026-01-31",
            &read_key,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
