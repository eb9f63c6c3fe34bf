//! Users' roles over their own keys: a key made for a user does no more
//! than the user's role allows, whatever its scopes — checked for every
//! route of the catalogue and every role, and a role change applies to the
//! next request.

use grove_core::model::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::TestServer;
use crate::scopes::{ordered_routes, sample_body, Targets};

/// A user of `role` in org A and an admin-scoped key made for them.
async fn user_key(t: &TestServer, role: &str) -> (String, String) {
    let user = t
        .post(
            "/api/v1/users",
            &t.org_a.api_key,
            json!({"email": format!("{role}@roles.example"), "name": role, "role": role}),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
    let user_id = user.body["id"].as_str().unwrap().to_owned();
    let key = t
        .post(
            "/api/v1/api-keys",
            &t.org_a.api_key,
            json!({"name": format!("{role} key"), "scopes": ["admin"], "user_id": user_id}),
        )
        .await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    (user_id, key.body["key"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn every_route_admits_only_the_roles_it_names() {
    let t = TestServer::start().await;
    let targets = Targets::create(&t, 0).await;
    let routes = ordered_routes();
    let mut denied = std::collections::BTreeMap::new();
    for role in Role::ALL {
        let (_, key) = user_key(&t, role.as_str()).await;
        for (n, route) in routes.iter().enumerate() {
            let needed = route.requirement.least_role();
            let path = targets.path(route);
            let body = sample_body(route, 5000 + n, &t.org_a.org_id, &targets);
            let reply = t.call(route.method.clone(), &path, Some(&key), body).await;
            let role_refused = reply.status == StatusCode::FORBIDDEN
                && reply.body["error"]["details"]["required_role"].is_string();
            if role.includes(needed) {
                assert!(
                    !role_refused,
                    "{} {path} should admit `{}`: {}",
                    route.method,
                    role.as_str(),
                    reply.body
                );
            } else {
                assert!(
                    role_refused,
                    "{} {path} should refuse `{}` (needs `{}`): {} {}",
                    route.method,
                    role.as_str(),
                    needed.as_str(),
                    reply.status,
                    reply.body
                );
                assert_eq!(
                    reply.body["error"]["details"]["required_role"],
                    needed.as_str()
                );
                assert_eq!(reply.body["error"]["details"]["role"], role.as_str());
                *denied.entry(role.as_str()).or_insert(0) += 1;
            }
        }
    }
    // Each step up the ladder is refused less, and admins nothing.
    let count = |r: &str| denied.get(r).copied().unwrap_or(0);
    assert!(count("readonly") > count("train"), "{denied:?}");
    assert!(count("train") > count("configure"), "{denied:?}");
    assert!(count("configure") > 0, "{denied:?}");
    assert_eq!(count("admin"), 0, "{denied:?}");
    t.stop().await;
}

#[tokio::test]
async fn a_trainer_reviews_answers_but_does_not_configure_until_promoted() {
    let t = TestServer::start().await;
    let targets = Targets::create(&t, 0).await;
    let (user_id, key) = user_key(&t, "train").await;
    let interaction = &targets.interaction_id;
    let feedback = t
        .post(
            &format!("/api/v1/interactions/{interaction}/feedback"),
            &key,
            json!({"feedback": "positive"}),
        )
        .await;
    assert_eq!(feedback.status, StatusCode::OK, "{}", feedback.body);
    let review = t
        .call(
            Method::PATCH,
            &format!("/api/v1/interactions/{interaction}"),
            Some(&key),
            Some(json!({"review_status": "accurate"})),
        )
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    // A trainer turns an edited answer into a draft article, but may not
    // publish one.
    let edited = t
        .call(
            Method::PATCH,
            &format!("/api/v1/interactions/{interaction}"),
            Some(&key),
            Some(json!({"edited_answer": "A is the first letter."})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let article_path = format!("/api/v1/interactions/{interaction}/kb-article");
    let publish = t
        .post(&article_path, &key, json!({"status": "published"}))
        .await;
    assert_eq!(publish.status, StatusCode::FORBIDDEN, "{}", publish.body);
    assert_eq!(
        publish.body["error"]["details"]["required_role"],
        "configure"
    );
    let draft = t.post(&article_path, &key, json!({})).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    assert_eq!(draft.body["status"], "draft");
    let agent_body =
        json!({"name": "Trainer's agent", "data_source_ids": [targets.file_source_id]});
    let refused = t.post("/api/v1/agents", &key, agent_body.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(
        refused.body["error"]["details"]["required_role"],
        "configure"
    );
    let analytics = t
        .get(
            "/api/v1/analytics?start_date=2026-01-01&end_date=2026-01-02",
            &key,
        )
        .await;
    assert_eq!(analytics.status, StatusCode::FORBIDDEN);
    assert_eq!(analytics.body["error"]["details"]["required_role"], "admin");

    // Promoted: the same key may now configure, at once.
    let promoted = t
        .call(
            Method::PUT,
            &format!("/api/v1/users/{user_id}"),
            Some(&t.org_a.api_key),
            Some(json!({"role": "configure"})),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    let created = t.post("/api/v1/agents", &key, agent_body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // A key without a user is governed by its scopes alone.
    let (plain, _) = t.key_with(&["write"], &[]).await;
    let other = t
        .post(
            "/api/v1/agents",
            &plain,
            json!({"name": "Keyed agent", "data_source_ids": [targets.file_source_id]}),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    t.stop().await;
}

#[test]
fn the_catalogue_names_the_roles_of_products_md() {
    // readonly: query only; train: + feedback and the review inbox;
    // configure: + agents, data sources, KB articles; admin: + analytics,
    // users, API keys (and webhooks).
    let expected = [
        ("POST", "/api/v1/query", Role::Readonly),
        ("GET", "/api/v1/agents", Role::Readonly),
        ("POST", "/api/v1/interactions/{id}/feedback", Role::Train),
        ("POST", "/api/interactions/feedback", Role::Train),
        ("PATCH", "/api/v1/interactions/{id}", Role::Train),
        ("POST", "/api/v1/interactions/{id}/kb-article", Role::Train),
        ("POST", "/api/v1/agents", Role::Configure),
        ("POST", "/api/v1/data-sources", Role::Configure),
        ("POST", "/api/v1/kb", Role::Configure),
        ("GET", "/api/v1/analytics", Role::Admin),
        ("POST", "/api/v1/users", Role::Admin),
        ("POST", "/api/v1/api-keys", Role::Admin),
        ("POST", "/api/v1/webhooks", Role::Admin),
    ];
    let routes = grove_server::routes::route_infos();
    for (method, path, role) in expected {
        let route = routes
            .iter()
            .find(|r| r.method.as_str() == method && r.path == path)
            .unwrap_or_else(|| panic!("{method} {path} is not in the catalogue"));
        assert_eq!(
            route.requirement.least_role(),
            role,
            "{method} {path} should need {}",
            role.as_str()
        );
    }
}
