//! One organisation's key can never read, list, change or learn about another
//! organisation's resources: 404, never 403. Driven by the route catalogue.

use reqwest::{Method, StatusCode};

use crate::common::TestServer;
use crate::scopes::{ordered_routes, sample_body, Targets};

#[tokio::test]
async fn another_organisations_resources_are_not_found() {
    let t = TestServer::start().await;
    let targets = Targets::create(&t, 0).await;
    let mut checked = 0;
    for (n, route) in ordered_routes().into_iter().enumerate() {
        let path = targets.path(&route);
        let reply = t
            .call(
                route.method.clone(),
                &path,
                Some(&t.org_b.api_key),
                sample_body(&route, n, &t.org_b.org_id, &targets),
            )
            .await;
        // Bodies naming org A's agent or interaction.
        let names_a_resource = matches!(
            route.path,
            "/api/v1/query" | "/api/chat" | "/api/interactions/feedback" | "/api/v1/chats"
        ) && route.method == Method::POST
            // The runs to compare are in the query.
            || route.path == "/api/v1/eval-runs/compare";
        let names_in_path = route.path.contains("{id}")
            || route.path.contains("_id}")
            || route.path.contains("{model}");
        if names_in_path || names_a_resource {
            checked += 1;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{} {path}: {}",
                route.method,
                reply.body
            );
            assert_eq!(reply.error_code(), "not_found");
        } else if route.method == Method::GET {
            let text = reply.body.to_string();
            assert_eq!(reply.status, StatusCode::OK);
            for foreign in [
                &targets.user_id,
                &targets.key_id,
                &targets.data_source_id,
                &targets.document_id,
                &targets.chunk_id,
                &targets.agent_id,
                &targets.interaction_id,
                &targets.session_id,
                &targets.channel_id,
                &targets.job_id,
                &targets.run_id,
                &targets.chat_id,
                &targets.eval_set_id,
                &targets.eval_run_id,
                &targets.kb_article_id,
                &targets.webhook_id,
                &targets.delivery_id,
                &t.org_a.user_id,
                &t.org_a.org_id,
            ] {
                assert!(
                    !text.contains(foreign.as_str()),
                    "{path} listed {foreign} to org B"
                );
            }
        }
    }
    assert!(
        checked >= 6,
        "expected id routes in the catalogue, checked {checked}"
    );
    // Org A's resources are untouched by everything org B sent.
    let user = t
        .get(
            &format!("/api/v1/users/{}", targets.user_id),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(user.status, StatusCode::OK);
    assert_eq!(user.body["name"], "Target");
    let key = t
        .get(
            &format!("/api/v1/api-keys/{}", targets.key_id),
            &t.org_a.api_key,
        )
        .await;
    assert!(key.body["revoked_at"].is_null());
    let document = t
        .get(
            &format!("/api/v1/documents/{}", targets.document_id),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(document.status, StatusCode::OK, "{}", document.body);
    assert_eq!(
        document.body["chunks"][0]["chunk_id"],
        targets.chunk_id.as_str()
    );
}
