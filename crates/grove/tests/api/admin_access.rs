//! No lock-out: an organisation keeps an admin user and a usable
//! admin-scoped key. Demoting or deleting the last admin, revoking the last
//! admin key, and demoting the owner of the last admin key each answer 409
//! and change nothing; with a second admin and key, the same calls succeed.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Reply, TestServer};

async fn call(t: &TestServer, method: Method, path: &str, key: &str, body: Option<Value>) -> Reply {
    t.call(method, path, Some(key), body).await
}

/// The id of org A's bootstrap key (the only key at start).
async fn bootstrap_key_id(t: &TestServer) -> String {
    let keys = t.get("/api/v1/api-keys", &t.org_a.api_key).await;
    assert_eq!(keys.status, StatusCode::OK, "{}", keys.body);
    let items = keys.body["api_keys"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{}", keys.body);
    items[0]["id"].as_str().unwrap().to_owned()
}

fn assert_refused(reply: &Reply, says: &str) {
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.error_code(), "conflict");
    let message = reply.body["error"]["message"].as_str().unwrap();
    assert!(message.contains(says), "{message}");
}

#[tokio::test]
async fn the_last_admin_and_the_last_admin_key_cannot_be_taken_away() {
    let t = TestServer::start().await;
    let admin = format!("/api/v1/users/{}", t.org_a.user_id);
    let key = t.org_a.api_key.clone();
    let bootstrap = bootstrap_key_id(&t).await;

    // 1. Demoting the only admin.
    let reply = call(
        &t,
        Method::PUT,
        &admin,
        &key,
        Some(json!({"role": "configure"})),
    )
    .await;
    assert_refused(&reply, "without an admin");
    assert!(reply.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("grove users promote"));
    // 2. Deleting the only admin.
    assert_refused(
        &call(&t, Method::DELETE, &admin, &key, None).await,
        "without an admin",
    );
    // 3. Revoking the only admin-scoped key.
    let revoke = format!("/api/v1/api-keys/{bootstrap}");
    assert_refused(
        &call(&t, Method::DELETE, &revoke, &key, None).await,
        "admin-scoped API key",
    );
    // Nothing changed: still an admin, the key still works.
    let user = t.get(&admin, &key).await;
    assert_eq!(user.status, StatusCode::OK, "{}", user.body);
    assert_eq!(user.body["role"], "admin");
    // Other fields of the last admin still change.
    let renamed = call(&t, Method::PUT, &admin, &key, Some(json!({"name": "Root"}))).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);

    // A second admin whose key is the only admin key left once the
    // bootstrap key goes.
    let second = t
        .post(
            "/api/v1/users",
            &key,
            json!({"email": "second@admin.example", "name": "Second", "role": "admin"}),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let second_id = second.body["id"].as_str().unwrap().to_owned();
    let second_key = t
        .post(
            "/api/v1/api-keys",
            &key,
            json!({"name": "second", "scopes": ["admin"], "user_id": second_id}),
        )
        .await;
    assert_eq!(
        second_key.status,
        StatusCode::CREATED,
        "{}",
        second_key.body
    );
    let second_key = second_key.body["key"].as_str().unwrap().to_owned();

    // Now the bootstrap key may go, and the first admin may be demoted.
    let revoked = call(&t, Method::DELETE, &revoke, &second_key, None).await;
    assert!(revoked.status.is_success(), "{}", revoked.body);
    let demoted = call(
        &t,
        Method::PUT,
        &admin,
        &second_key,
        Some(json!({"role": "readonly"})),
    )
    .await;
    assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.body);

    // 4. The second admin owns the last usable admin key: demoting them
    // would leave none that can act (a key acts with its user's role).
    let second_path = format!("/api/v1/users/{second_id}");
    let reply = call(
        &t,
        Method::PUT,
        &second_path,
        &second_key,
        Some(json!({"role": "configure"})),
    )
    .await;
    assert_refused(&reply, "without an admin");
    // Promote the first back; the second's demotion would still strand the
    // org without a usable admin key, since the first admin has none.
    let promoted = call(
        &t,
        Method::PUT,
        &admin,
        &second_key,
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    let reply = call(
        &t,
        Method::PUT,
        &second_path,
        &second_key,
        Some(json!({"role": "configure"})),
    )
    .await;
    assert_refused(&reply, "admin-scoped API key");
    assert_refused(
        &call(&t, Method::DELETE, &second_path, &second_key, None).await,
        "admin-scoped API key",
    );
    let still = t.get(&second_path, &second_key).await;
    assert_eq!(still.body["role"], "admin", "{}", still.body);
    t.stop().await;
}
