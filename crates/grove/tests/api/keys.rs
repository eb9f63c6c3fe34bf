//! API-key lifecycle and authentication failures.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::TestServer;

#[tokio::test]
async fn key_lifecycle_create_use_list_revoke() {
    let t = TestServer::start().await;
    let (secret, id) = t.key_with(&["admin"], &[]).await;
    assert!(secret.starts_with("grove_live_"));

    // The new key works.
    assert_eq!(t.get("/api/v1/users", &secret).await.status, StatusCode::OK);

    // Lists show the prefix and metadata, never the secret or its hash.
    let list = t.get("/api/v1/api-keys", &t.org_a.api_key).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 2);
    let text = list.body.to_string();
    assert!(!text.contains(&secret), "list leaked a secret");
    assert!(
        !text.contains(&t.org_a.api_key),
        "list leaked the admin secret"
    );
    assert!(!text.contains("hash"));
    let listed = list.body["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .unwrap();
    assert!(secret.starts_with(listed["prefix"].as_str().unwrap()));
    assert_eq!(listed["scopes"], json!(["admin"]));
    assert!(listed.get("key").is_none());

    // Revocation takes effect on the next request.
    let revoked = t
        .call(
            Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            Some(&t.org_a.api_key),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = t.get("/api/v1/users", &secret).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.error_code(), "unauthorized");
    assert!(after.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("revoked"));
    let record = t
        .get(&format!("/api/v1/api-keys/{id}"), &t.org_a.api_key)
        .await;
    assert!(record.body["revoked_at"].is_string());
}

#[tokio::test]
async fn a_key_stops_working_when_it_expires() {
    let t = TestServer::start().await;
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_millis(1500);
    let created = t
        .post(
            "/api/v1/api-keys",
            &t.org_a.api_key,
            json!({ "name": "short-lived", "scopes": ["admin"], "expires_at": expires.to_string(), "environment": "test" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["key"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("grove_test_"));
    assert_eq!(t.get("/api/v1/users", &secret).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    let expired = t.get("/api/v1/users", &secret).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(expired.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn x_api_key_with_the_organisation_header_is_accepted() {
    let t = TestServer::start().await;
    let reply = |org: String| {
        let req = t
            .client
            .get(t.url("/api/v1/users"))
            .header("X-API-Key", &t.org_a.api_key)
            .header("X-Organization-Id", org);
        async move { crate::common::read(req.send().await.unwrap()).await }
    };
    assert_eq!(reply(t.org_a.org_id.clone()).await.status, StatusCode::OK);
    let wrong = reply(t.org_b.org_id.clone()).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("X-Organization-Id"));
}

#[tokio::test]
async fn bad_credentials_get_401_and_write_nothing() {
    let t = TestServer::start().await;
    let (revoked, revoked_id) = t.key_with(&["admin"], &[]).await;
    t.call(
        Method::DELETE,
        &format!("/api/v1/api-keys/{revoked_id}"),
        Some(&t.org_a.api_key),
        None,
    )
    .await;
    let unknown = format!("grove_live_{}", "A".repeat(40));
    let new_user = json!({ "email": "intruder@a.example", "name": "Intruder", "role": "admin" });

    for key in [
        None,
        Some("not-a-key"),
        Some("grove_live_short"),
        Some(unknown.as_str()),
        Some(revoked.as_str()),
    ] {
        let reply = t
            .call(Method::POST, "/api/v1/users", key, Some(new_user.clone()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "key {key:?}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "unauthorized");
        assert!(reply.body["request_id"]
            .as_str()
            .unwrap()
            .starts_with("req_"));
    }
    // Wrong organisation header on an otherwise valid key.
    let req = t
        .client
        .post(t.url("/api/v1/users"))
        .header("X-API-Key", &t.org_a.api_key)
        .header("X-Organization-Id", &t.org_b.org_id)
        .json(&new_user);
    assert_eq!(
        crate::common::read(req.send().await.unwrap()).await.status,
        StatusCode::UNAUTHORIZED
    );

    let users = t.get("/api/v1/users", &t.org_a.api_key).await;
    assert_eq!(users.body["total"], 1, "a refused request wrote a user");
}

#[tokio::test]
async fn key_creation_is_validated() {
    let t = TestServer::start().await;
    let cases = [
        (json!({ "name": "x", "scopes": ["root"] }), "scopes[0]"),
        (json!({ "name": "x" }), "scopes"),
        (json!({ "name": "", "scopes": ["read"] }), "name"),
        (
            json!({ "name": "x", "scopes": ["read"], "permissions": ["fly"] }),
            "permissions[0]",
        ),
        (
            json!({ "name": "x", "scopes": ["read"], "expires_at": "tomorrow" }),
            "expires_at",
        ),
        (
            json!({ "name": "x", "scopes": ["read"], "expires_at": "2001-01-01T00:00:00Z" }),
            "expires_at",
        ),
        (
            json!({ "name": "x", "scopes": ["read"], "environment": "staging" }),
            "environment",
        ),
        (
            json!({ "name": "x", "scopes": ["read"], "user_id": "org_abc" }),
            "user_id",
        ),
    ];
    for (body, field) in cases {
        let reply = t
            .post("/api/v1/api-keys", &t.org_a.api_key, body.clone())
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(
            reply.body["error"]["details"]["field"], field,
            "{body}: {}",
            reply.body
        );
    }
    let list = t.get("/api/v1/api-keys", &t.org_a.api_key).await;
    assert_eq!(list.body["total"], 1, "a refused request wrote a key");
}
