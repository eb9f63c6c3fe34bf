//! API conventions: the error envelope, request ids, body limits, field-named
//! validation errors, pagination, legacy camelCase, operational routes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{read, TestServer};

async fn raw_post(t: &TestServer, path: &str, body: &'static str) -> crate::common::Reply {
    let req = t
        .client
        .post(t.url(path))
        .bearer_auth(&t.org_a.api_key)
        .header("content-type", "application/json")
        .body(body);
    read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn bad_bodies_get_400_naming_the_field_and_write_nothing() {
    let t = TestServer::start().await;
    let cases: [(&'static str, &str); 7] = [
        ("{\"email\": \"a@b.c\", ", "body"),
        ("", "body"),
        (
            "{\"email\": 5, \"name\": \"n\", \"role\": \"admin\"}",
            "email",
        ),
        ("{\"name\": \"n\", \"role\": \"admin\"}", "email"),
        (
            "{\"email\": \"not-an-email\", \"name\": \"n\", \"role\": \"admin\"}",
            "email",
        ),
        (
            "{\"email\": \"a@b.c\", \"name\": \"n\", \"role\": \"owner\"}",
            "role",
        ),
        (
            "{\"email\": \"a@b.c\", \"name\": \"n\", \"role\": \"admin\", \"age\": 3}",
            "age",
        ),
    ];
    for (body, field) in cases {
        let reply = raw_post(&t, "/api/v1/users", body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "invalid_request");
        assert_eq!(
            reply.body["error"]["details"]["field"], field,
            "{body}: {}",
            reply.body
        );
    }
    assert_eq!(
        t.get("/api/v1/users", &t.org_a.api_key).await.body["total"],
        1
    );
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_and_writes_nothing() {
    let t = TestServer::start_with(|c| c.max_body_bytes = 512).await;
    let big = json!({ "email": "big@a.example", "name": "x".repeat(2000), "role": "admin" });
    for path in ["/api/v1/users", "/api/users"] {
        let reply = t.post(path, &t.org_a.api_key, big.clone()).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(reply.error_code(), "payload_too_large");
    }
    assert_eq!(
        t.get("/api/v1/users", &t.org_a.api_key).await.body["total"],
        1
    );
}

#[tokio::test]
async fn pagination_is_validated_and_reports_total() {
    let t = TestServer::start().await;
    for n in 0..4 {
        let body = json!({ "email": format!("p{n}@a.example"), "name": "P", "role": "readonly" });
        assert_eq!(
            t.post("/api/v1/users", &t.org_a.api_key, body).await.status,
            StatusCode::CREATED
        );
    }
    let page = t
        .get("/api/v1/users?limit=2&offset=1", &t.org_a.api_key)
        .await;
    assert_eq!(page.body["total"], 5);
    assert_eq!(page.body["limit"], 2);
    assert_eq!(page.body["offset"], 1);
    assert_eq!(page.body["users"].as_array().unwrap().len(), 2);
    let default = t.get("/api/v1/users", &t.org_a.api_key).await;
    assert_eq!(default.body["limit"], 50);

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
    ] {
        let reply = t
            .get(&format!("/api/v1/users?{query}"), &t.org_a.api_key)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            reply.body["error"]["details"]["field"], field,
            "{query}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn ids_with_the_wrong_prefix_are_refused_at_the_edge() {
    let t = TestServer::start().await;
    for path in [
        format!("/api/v1/users/{}", t.org_a.org_id),
        "/api/v1/api-keys/usr_abc".to_owned(),
    ] {
        let reply = t.get(&path, &t.org_a.api_key).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(reply.body["error"]["details"]["field"], "id");
    }
    let missing = t
        .get("/api/v1/users/usr_doesnotexist", &t.org_a.api_key)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_response_carries_a_request_id_that_matches_the_error_body() {
    let t = TestServer::start().await;
    let ok = t.get("/api/v1/users", &t.org_a.api_key).await;
    assert!(ok.header("x-request-id").unwrap().starts_with("req_"));
    let err = t.call(Method::GET, "/api/v1/users", None, None).await;
    assert_eq!(err.header("x-request-id"), err.body["request_id"].as_str());
    let unknown = t.get("/api/v1/nothing-here", &t.org_a.api_key).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error_code(), "not_found");
    assert_eq!(
        unknown.header("x-request-id"),
        unknown.body["request_id"].as_str()
    );
}

#[tokio::test]
async fn a_method_a_path_does_not_take_gets_405_in_the_envelope_with_allow() {
    let t = TestServer::start().await;
    let reply = t
        .call(Method::PATCH, "/api/v1/users", Some(&t.org_a.api_key), None)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), "method_not_allowed");
    assert_eq!(reply.body["error"]["details"]["method"], "PATCH");
    let allow = reply.header("allow").unwrap();
    assert!(
        allow.contains("GET") && allow.contains("POST") && !allow.contains("PATCH"),
        "{allow}"
    );
    assert!(reply.body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("PATCH "));
    assert_eq!(
        reply.header("x-request-id"),
        reply.body["request_id"].as_str()
    );
}

#[tokio::test]
async fn user_crud_and_conflicts() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;
    let created = t
        .post(
            "/api/v1/users",
            key,
            json!({ "email": "ann@a.example", "name": "Ann", "role": "train" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("usr_"));
    let dup = t
        .post(
            "/api/v1/users",
            key,
            json!({ "email": "ANN@a.example", "name": "Ann 2", "role": "train" }),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.error_code(), "conflict");

    let updated = t
        .call(
            Method::PUT,
            &format!("/api/v1/users/{id}"),
            Some(key),
            Some(json!({ "role": "configure" })),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["role"], "configure");
    assert_eq!(updated.body["name"], "Ann");
    let deleted = t
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{id}"),
            Some(key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get(&format!("/api/v1/users/{id}"), key).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_legacy_family_speaks_camel_case_through_the_same_handlers() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;
    let created = t
        .post(
            "/api/api-keys",
            key,
            json!({ "name": "legacy", "scopes": ["read"], "expiresAt": "2999-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["expiresAt"], "2999-01-01T00:00:00Z");
    assert!(created.body["orgId"].is_string());
    assert!(created.body.get("org_id").is_none());
    let v1 = t
        .get(
            &format!("/api/v1/api-keys/{}", created.body["id"].as_str().unwrap()),
            key,
        )
        .await;
    assert_eq!(v1.body["expires_at"], "2999-01-01T00:00:00Z");
    let listed = t.get("/api/users?limit=1", key).await;
    assert_eq!(listed.body["limit"], 1);
    assert!(listed.body["users"][0]["createdAt"].is_string());
}

#[tokio::test]
async fn operational_routes_answer_without_a_key() {
    let t = TestServer::start().await;
    let health = t.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.body["status"], "ok");
    let ready = t.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["subsystems"]["store"]["status"], "up");
    assert_eq!(ready.body["subsystems"]["queue"]["status"], "up");
    assert_eq!(ready.body["subsystems"]["embedder"]["status"], "up");
    assert_eq!(ready.body["subsystems"]["embedder"]["dimension"], 384);

    t.get("/api/v1/users", &t.org_a.api_key).await;
    let metrics = t
        .client
        .get(t.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/api/v1/users\""), "{metrics}");
    assert!(
        metrics.contains("http_request_duration_seconds_bucket"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let t = TestServer::start().await;
    let served = t.call(Method::GET, "/openapi.json", None, None).await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json"))
            .unwrap();
    assert!(
        served.body == committed,
        "the served OpenAPI document differs from openapi/openapi.json; if the change is meant, \
         regenerate it: cargo run -p grove -- openapi > openapi/openapi.json"
    );
    // Bearer, or X-API-Key with X-Organization-Id: one requirement with both.
    let any = &served.body["paths"]["/api/v1/agents"]["get"];
    assert_eq!(
        any["security"],
        json!([{"bearer": []}, {"api_key": [], "organization_id": []}])
    );
    for status in ["400", "401", "403", "429"] {
        assert!(
            any["responses"][status].is_object(),
            "{status} undocumented"
        );
    }
    // Each family's errors carry its own envelope.
    let openai = &served.body["paths"]["/v1/chat/completions"]["post"]["responses"]["400"];
    assert_eq!(openai["$ref"], "#/components/responses/OpenAiBadRequest");
    let envelope = |name: &str| {
        served.body["components"]["responses"][name]["content"]["application/json"]["schema"]
            ["$ref"]
            .clone()
    };
    assert_eq!(
        envelope("OpenAiBadRequest"),
        "#/components/schemas/OpenAiErrorEnvelope"
    );
    assert_eq!(envelope("BadRequest"), "#/components/schemas/ErrorEnvelope");
    // The legacy family documents its own camelCase shapes, and its answers
    // have exactly the documented fields.
    let legacy = &served.body["paths"]["/api/users"]["get"]["responses"]["200"];
    assert_eq!(
        legacy["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/legacy.UserList"
    );
    let schemas = &served.body["components"]["schemas"];
    let user = schemas["legacy.User"]["properties"].as_object().unwrap();
    let users = t.get("/api/users", &t.org_a.api_key).await;
    let answered = users.body["users"][0].as_object().unwrap();
    let mut fields: Vec<&String> = answered.keys().collect();
    let mut documented: Vec<&String> = user.keys().collect();
    fields.sort();
    documented.sort();
    assert_eq!(fields, documented);
    assert!(user.contains_key("orgId") && !user.contains_key("org_id"));
    // Streaming answers name the schema of their frames, which exists.
    for (path, frame) in [
        ("/api/v1/query", "QueryStreamFrame"),
        ("/v1/chat/completions", "ChatCompletionChunk"),
    ] {
        let stream =
            &served.body["paths"][path]["post"]["responses"]["200"]["content"]["text/event-stream"];
        assert_eq!(
            stream["x-grove-stream"]["frame"],
            format!("#/components/schemas/{frame}"),
            "{path}"
        );
        assert!(schemas[frame]["properties"].is_object(), "{frame}");
    }
}

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let t = TestServer::start().await;
    let doc = t.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    // Every path is an OpenAPI template: `{name}`, never the router's `{*name}`.
    for path in doc.body["paths"].as_object().unwrap().keys() {
        assert!(
            !path.contains('*'),
            "{path} is not an OpenAPI path template"
        );
    }
    for route in grove_server::routes::route_infos() {
        let method = route.method.as_str().to_ascii_lowercase();
        let path = grove_server::openapi::openapi_path(route.path);
        let operation = &doc.body["paths"][path.as_str()][&method];
        assert!(
            operation.is_object(),
            "{} {} missing from OpenAPI",
            route.method,
            route.path
        );
        // Every placeholder of the path is a documented path parameter.
        let documented: Vec<&str> = operation["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        for part in route.path.split('/') {
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let name = name.trim_start_matches('*');
                assert!(
                    documented.contains(&name),
                    "{} {}: path parameter {name} undocumented",
                    route.method,
                    route.path
                );
            }
        }
        // Every id in a path has the pattern its type parses (free-form
        // names: a model's slug, a file name, a version number).
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            if parameter["in"] == "path" && !["model", "name", "version"].contains(&name) {
                let pattern = parameter["schema"]["pattern"].as_str().unwrap_or_default();
                assert!(
                    pattern.starts_with('^') && pattern.contains("_[A-Za-z0-9]"),
                    "{} {}: {name} has no id pattern",
                    route.method,
                    route.path
                );
            }
        }
    }
    for schema in [
        "User",
        "ApiKey",
        "CreateApiKey",
        "ErrorEnvelope",
        "Role",
        "SemanticSearch",
        "SemanticSearchResults",
        "Webhook",
        "Delivery",
        "WebhookWithSecret",
    ] {
        assert!(
            doc.body["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }
}
