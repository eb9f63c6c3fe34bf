//! Credentials at rest through the API: a Confluence source, a Slack
//! channel and a webhook are created with known secrets; answers mask
//! them (and a config sent back masked keeps them); a sync reaches a local
//! Confluence with the token opened; and no
//! file of the data directory (grove.db, its WAL, the indexes, master.key
//! aside) holds any of them, nor the SMTP password from the config.

use std::path::Path;

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{wait_for_sync, TestServer};

const TOKEN: &str = "conf-token-5d41402abc4b2a76";
const HOOK: &str = "https://hooks.slack.com/services/T9/B9/slackSecretPath77";
const SMTP_PASSWORD: &str = "smtp-password-e99a18c428cb";

/// Confluence's content API, answering only `ann@acme.test:TOKEN` in Basic.
async fn confluence(headers: HeaderMap) -> Response {
    use base64::Engine as _;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("ann@acme.test:{TOKEN}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            AxumStatus::UNAUTHORIZED,
            Json(json!({"statusCode": 401, "message": "Unauthorized"})),
        )
            .into_response();
    }
    Json(json!({
        "results": [{"id": "7", "type": "page", "title": "Runbook", "version": {"number": 1},
                     "body": {"storage": {"value": "<p>Restart the pump.</p>", "representation": "storage"}},
                     "_links": {"webui": "/pages/7"}}],
        "start": 0, "limit": 25, "size": 1, "_links": {}
    }))
    .into_response()
}

fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[tokio::test]
async fn no_credential_is_stored_in_the_clear() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let wiki = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route("/wiki/rest/api/content", get(confluence));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let t = TestServer::start_with(|c| {
        c.allow_private_networks = true;
        c.jobs.smtp.password = Some(SMTP_PASSWORD.into());
    })
    .await;
    let key = t.org_a.api_key.clone();

    let source = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "confluence", "name": "wiki",
                   "config": {"base_url": wiki, "email": "ann@acme.test", "api_token": TOKEN}}),
        )
        .await;
    assert_eq!(source.status, StatusCode::CREATED, "{}", source.body);
    assert_eq!(source.body["config"]["api_token"], "********");
    let id = source.body["id"].as_str().unwrap().to_owned();
    let channel = t
        .post(
            "/api/v1/notification-channels",
            &key,
            json!({"name": "ops", "kind": "slack", "config": {"webhook_url": HOOK}}),
        )
        .await;
    assert_eq!(channel.status, StatusCode::CREATED, "{}", channel.body);
    assert_eq!(
        channel.body["config"]["webhook_url"],
        "https://hooks.slack.com/********"
    );
    let webhook = t
        .post(
            "/api/v1/webhooks",
            &key,
            json!({"url": "https://receiver.example/hook", "events": ["data_source.synced"]}),
        )
        .await;
    assert_eq!(webhook.status, StatusCode::CREATED, "{}", webhook.body);
    let signing = webhook.body["secret"].as_str().unwrap().to_owned();
    assert!(signing.len() >= 24, "{}", webhook.body);

    // The config sent back as shown (token masked) keeps the stored token.
    let shown = t.get(&format!("/api/v1/data-sources/{id}"), &key).await;
    let config = shown.body["config"].clone();
    assert_eq!(config["api_token"], "********");
    let updated = t
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/data-sources/{id}"),
            Some(&key),
            Some(json!({"config": config})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["config"]["api_token"], "********");

    // The connector gets the token opened: the sync passes Confluence's auth.
    let sync = t
        .post(&format!("/api/v1/data-sources/{id}/sync"), &key, json!({}))
        .await;
    assert_eq!(sync.status, StatusCode::ACCEPTED, "{}", sync.body);
    let status = wait_for_sync(&t, &key, &id).await;
    assert_eq!(status["sync_status"], "succeeded", "{status}");

    let dir = t.stop_keeping_data().await;
    assert!(dir.path().join("master.key").exists());
    // On PostgreSQL, every row as `pg_dump` writes it out.
    let dump = dir.database_url().map(|url| {
        let out = std::process::Command::new("pg_dump")
            .args(["--data-only", &url])
            .output()
            .expect("pg_dump");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    });
    match &dump {
        Some(rows) => assert!(rows.contains("COPY public.data_sources"), "{rows}"),
        None => assert!(dir.path().join("grove.db").exists()),
    }
    for secret in [TOKEN, HOOK, signing.as_str(), SMTP_PASSWORD] {
        assert_eq!(
            files_holding(dir.path(), secret),
            Vec::<String>::new(),
            "{secret} in the clear"
        );
        assert!(
            !dump.as_ref().is_some_and(|rows| rows.contains(secret)),
            "{secret} in the clear in the database"
        );
    }
}
