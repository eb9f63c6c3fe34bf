//! No lost updates: PUTs of different fields of one agent, job or
//! notification channel, sent at the same time, all land — the store merges
//! each over the record as it is at the moment of its write.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Reply, TestServer};

async fn put(t: &TestServer, path: &str, key: &str, body: Value) -> Reply {
    t.call(Method::PUT, path, Some(key), Some(body)).await
}

async fn created(t: &TestServer, path: &str, key: &str, body: Value) -> String {
    let reply = t.post(path, key, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

/// Three PUTs at once; every one answers 200.
async fn three_at_once(t: &TestServer, path: &str, key: &str, bodies: [Value; 3]) -> Value {
    let [a, b, c] = bodies;
    let (a, b, c) = tokio::join!(
        put(t, path, key, a),
        put(t, path, key, b),
        put(t, path, key, c)
    );
    for reply in [&a, &b, &c] {
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
    t.get(path, key).await.body
}

#[tokio::test]
async fn concurrent_updates_of_agents_jobs_and_channels_all_land() {
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    let source = created(
        &t,
        "/api/v1/data-sources",
        &key,
        json!({"type": "file", "name": "files"}),
    )
    .await;
    for round in 0..5 {
        let agent = created(
            &t,
            "/api/v1/agents",
            &key,
            json!({"name": format!("Agent {round}"), "data_source_ids": [source]}),
        )
        .await;
        let path = format!("/api/v1/agents/{agent}");
        let now = three_at_once(
            &t,
            &path,
            &key,
            [
                json!({"description": "New description"}),
                json!({"similarity_threshold": 0.42}),
                json!({"system_prompt": "Be brief."}),
            ],
        )
        .await;
        assert_eq!(now["description"], "New description", "{now}");
        assert!(
            (now["similarity_threshold"].as_f64().unwrap() - 0.42).abs() < 1e-6,
            "{now}"
        );
        assert_eq!(now["system_prompt"], "Be brief.", "{now}");

        let job = created(
            &t,
            &format!("/api/v1/agents/{agent}/jobs"),
            &key,
            json!({"name": "Digest", "prompt": "What changed?"}),
        )
        .await;
        let path = format!("/api/v1/jobs/{job}");
        let now = three_at_once(
            &t,
            &path,
            &key,
            [
                json!({"name": "Weekly digest"}),
                json!({"timeout_seconds": 120}),
                json!({"schedule": "0 9 * * 1", "timezone": "Europe/Paris"}),
            ],
        )
        .await;
        assert_eq!(now["name"], "Weekly digest", "{now}");
        assert_eq!(now["timeout_seconds"], 120, "{now}");
        assert_eq!(now["schedule"], "0 9 * * 1", "{now}");
        assert_eq!(now["timezone"], "Europe/Paris", "{now}");

        let channel = created(
            &t,
            "/api/v1/notification-channels",
            &key,
            json!({"name": format!("Ops {round}"), "kind": "slack",
                   "config": {"webhook_url": "https://hooks.slack.com/services/T/B/x"}}),
        )
        .await;
        let path = format!("/api/v1/notification-channels/{channel}");
        let now = three_at_once(
            &t,
            &path,
            &key,
            [
                json!({"name": "Renamed"}),
                json!({"min_level": "error"}),
                json!({"enabled": false}),
            ],
        )
        .await;
        assert_eq!(now["name"], "Renamed", "{now}");
        assert_eq!(now["min_level"], "error", "{now}");
        assert_eq!(now["enabled"], false, "{now}");
        assert_eq!(
            now["config"]["webhook_url"], "https://hooks.slack.com/********",
            "{now}"
        );
    }
    t.stop().await;
}

#[tokio::test]
async fn a_change_refused_by_the_merged_checks_writes_nothing() {
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    let source = created(
        &t,
        "/api/v1/data-sources",
        &key,
        json!({"type": "file", "name": "files"}),
    )
    .await;
    let agent = created(
        &t,
        "/api/v1/agents",
        &key,
        json!({"name": "A", "data_source_ids": [source]}),
    )
    .await;
    let job = created(
        &t,
        &format!("/api/v1/agents/{agent}/jobs"),
        &key,
        json!({"name": "Digest", "prompt": "What changed?"}),
    )
    .await;
    let path = format!("/api/v1/jobs/{job}");
    // An invalid schedule beside a valid name: the whole change is refused.
    let reply = put(
        &t,
        &path,
        &key,
        json!({"name": "Renamed", "schedule": "not cron"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(
        reply.body["error"]["details"]["field"], "schedule",
        "{}",
        reply.body
    );
    let now = t.get(&path, &key).await.body;
    assert_eq!(now["name"], "Digest", "nothing written: {now}");
    t.stop().await;
}
