//! `/api/v1/data-connectors` over real HTTP: credentials sealed at rest and
//! masked in answers, settings checked field by field, and queries against
//! a SQLite file and the machine's PostgreSQL with refusals as 400s naming
//! the rule, database failures as 422s and an unreachable database as 502.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::TestServer;
use crate::scopes::shop_database;

const CONNECTORS: &str = "/api/v1/data-connectors";

async fn create(t: &TestServer, body: Value) -> String {
    let reply = t.post(CONNECTORS, &t.org_a.api_key, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn query(t: &TestServer, id: &str, body: Value) -> crate::common::Reply {
    t.post(&format!("{CONNECTORS}/{id}/query"), &t.org_a.api_key, body)
        .await
}

#[tokio::test]
async fn a_sqlite_connector_answers_queries_and_keeps_each_result() {
    let t = TestServer::start().await;
    let path = shop_database(&t, 1);
    let id = create(
        &t,
        json!({"name": "Shop", "type": "sqlite", "config": {"path": path}}),
    )
    .await;
    let shown = t.get(&format!("{CONNECTORS}/{id}"), &t.org_a.api_key).await;
    assert_eq!(shown.body["allowed_datasets"], json!(["main"]));
    assert_eq!(
        (
            shown.body["max_rows"].as_u64(),
            shown.body["timeout_seconds"].as_u64()
        ),
        (Some(1000), Some(30))
    );

    let tested = t
        .post(
            &format!("{CONNECTORS}/{id}/test"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.body);
    assert_eq!(tested.body["tables"], json!(["main.orders"]));
    let schema = t
        .get(&format!("{CONNECTORS}/{id}/schema"), &t.org_a.api_key)
        .await;
    assert_eq!(
        schema.body["tables"][0]["columns"][1],
        json!({"name": "region", "type": "text"})
    );
    assert_eq!(schema.body["tables"][0]["row_estimate"], 3);

    let answer = query(&t, &id, json!({
        "sql": "SELECT region, sum(total) AS total FROM orders WHERE total > {{min}} GROUP BY region ORDER BY region",
        "parameters": {"min": 5}
    }))
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["rows"], json!([["EU", 10.5], ["US", 20.0]]));
    assert_eq!(
        (
            answer.body["row_count"].as_u64(),
            answer.body["truncated"].as_bool()
        ),
        (Some(2), Some(false))
    );
    let result_id = answer.body["result_id"].as_str().unwrap();
    assert!(result_id.starts_with("res_"), "{}", answer.body);
    let org = grove_core::ids::OrgId::parse(&t.org_a.org_id).unwrap();
    let kept = t
        .store
        .get_result(&org, &grove_core::ids::ResultId::parse(result_id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.result["rows"], answer.body["rows"]);
    assert!(kept.sql.contains("{{min}}"), "{}", kept.sql);

    let refused = query(
        &t,
        &id,
        json!({"sql": "SELECT * FROM orders; DELETE FROM orders"}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_code(), "query_refused");
    assert_eq!(refused.body["error"]["details"]["rule"], "one_statement");
    let refused = query(&t, &id, json!({"sql": "SELECT * FROM sqlite_master"})).await;
    assert_eq!(
        refused.body["error"]["details"]["rule"], "table_not_allowed",
        "{}",
        refused.body
    );
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("main.orders"),
        "{}",
        refused.body
    );
    let failed = query(&t, &id, json!({"sql": "SELECT nope FROM orders"})).await;
    assert_eq!(
        (failed.status, failed.error_code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "query_failed"),
        "{}",
        failed.body
    );
    let unbound = query(
        &t,
        &id,
        json!({"sql": "SELECT * FROM orders WHERE region = {{region}}"}),
    )
    .await;
    assert_eq!(unbound.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unbound.body["error"]["details"]["field"],
        "parameters.region"
    );
    let count = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM orders", [], |r| r.get::<_, i64>(0))
        .unwrap();
    assert_eq!(count, 3);

    let capped = t
        .call(
            Method::PUT,
            &format!("{CONNECTORS}/{id}"),
            Some(&t.org_a.api_key),
            Some(json!({"max_rows": 2})),
        )
        .await;
    assert_eq!(capped.status, StatusCode::OK, "{}", capped.body);
    let answer = query(&t, &id, json!({"sql": "SELECT * FROM orders"})).await;
    assert_eq!(
        (
            answer.body["row_count"].as_u64(),
            answer.body["truncated"].as_bool()
        ),
        (Some(2), Some(true))
    );

    let gone = t
        .call(
            Method::DELETE,
            &format!("{CONNECTORS}/{id}"),
            Some(&t.org_a.api_key),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        query(&t, &id, json!({"sql": "SELECT 1"})).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn settings_are_checked_field_by_field_and_nothing_bad_is_stored() {
    let t = TestServer::start().await;
    let path = shop_database(&t, 2);
    let cases = [
        (
            json!({"name": "x", "type": "sqlite", "config": {"pth": path}}),
            "config.pth",
            "did you mean `path`",
        ),
        (
            json!({"name": "x", "type": "sqlite", "config": {"path": "/nope/x.db"}}),
            "config.path",
            "cannot be opened",
        ),
        (
            json!({"name": "x", "type": "sqlite", "config": {"path": t.scratch().to_string_lossy()}}),
            "config.path",
            "not a file",
        ),
        (
            json!({"name": "x", "type": "postgres", "config": {"url": "http://db/x"}}),
            "config.url",
            "postgres://",
        ),
        (
            json!({"name": "x", "type": "postgres", "config": {}}),
            "config.url",
            "is required",
        ),
        (
            json!({"name": "x", "type": "postgres", "config": {"url": "postgres://u@127.0.0.1/db"}}),
            "allowed_datasets",
            "at least one schema",
        ),
        (
            json!({"name": "x", "type": "sqlite", "config": {"path": path}, "allowed_datasets": ["temp"]}),
            "allowed_datasets",
            "only `main`",
        ),
        (
            json!({"name": "x", "type": "sqlite", "config": {"path": path}, "allowed_tables": ["orders"]}),
            "allowed_tables[0]",
            "dataset.table",
        ),
        (
            json!({"name": "x", "type": "postgres", "config": {"url": "postgres://u@h/db"}, "allowed_datasets": ["public"], "allowed_tables": ["private.keys"]}),
            "allowed_tables[0]",
            "not one of allowed_datasets",
        ),
        (
            json!({"name": "x", "type": "sqlite", "config": {"path": path}, "max_rows": 100001}),
            "max_rows",
            "1 to 100000",
        ),
        (
            json!({"name": "x", "type": "sqlite", "config": {"path": path}, "timeout_seconds": 0}),
            "timeout_seconds",
            "1 to 3600",
        ),
        (
            json!({"name": " ", "type": "sqlite", "config": {"path": path}}),
            "name",
            "",
        ),
    ];
    for (body, field, reason) in cases {
        let reply = t.post(CONNECTORS, &t.org_a.api_key, body.clone()).await;
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
        let said = reply.body["error"]["details"]["reason"]
            .as_str()
            .unwrap_or_default();
        assert!(said.contains(reason), "{body}: {}", reply.body);
    }
    // Grove's own data directory is refused.
    let own = t
        .post(
            CONNECTORS,
            &t.org_a.api_key,
            json!({"name": "x", "type": "sqlite",
        "config": {"path": t.store_path().to_string_lossy()}}),
        )
        .await;
    assert_eq!(
        own.body["error"]["details"]["field"], "config.path",
        "{}",
        own.body
    );
    let listed = t.get(CONNECTORS, &t.org_a.api_key).await;
    assert_eq!(listed.body["total"], 0, "{}", listed.body);
}

#[tokio::test]
async fn a_postgres_url_is_sealed_at_rest_masked_in_answers_and_kept_when_sent_back() {
    let t = TestServer::start().await;
    let url = "postgres://postgres:not-a-real-password@127.0.0.1:5432/test";
    let id = create(&t, json!({"name": "Warehouse", "type": "postgres", "config": {"url": url},
        "allowed_datasets": ["information_schema"], "allowed_tables": ["information_schema.sql_features"]})).await;
    let shown = t.get(&format!("{CONNECTORS}/{id}"), &t.org_a.api_key).await;
    let masked = "postgres://postgres:********@127.0.0.1:5432/test";
    assert_eq!(shown.body["config"]["url"], masked);
    for file in ["grove.db", "grove.db-wal"] {
        let raw = std::fs::read(t.store_path().with_file_name(file)).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&raw).contains("not-a-real-password"),
            "the password is in {file}"
        );
    }

    // Sent back as shown: the stored URL stays, and queries still log in
    // (trust auth ignores the password, so the user and database show it).
    let back = t
        .call(
            Method::PUT,
            &format!("{CONNECTORS}/{id}"),
            Some(&t.org_a.api_key),
            Some(json!({"config": shown.body["config"], "name": "Warehouse 2"})),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let org = grove_core::ids::OrgId::parse(&t.org_a.org_id).unwrap();
    let stored = t
        .store
        .get_connector(&org, &grove_core::ids::DataConnectorId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        t.store.reveal_config(&stored.config).await.unwrap()["url"],
        url
    );
    let answer = query(
        &t,
        &id,
        json!({
            "sql": "SELECT feature_id, feature_name FROM sql_features WHERE feature_id = {{id}}",
            "parameters": {"id": "E011"}
        }),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["rows"][0][1], "Numeric data types");
    let refused = query(
        &t,
        &id,
        json!({"sql": "SELECT * FROM information_schema.tables"}),
    )
    .await;
    assert_eq!(
        refused.body["error"]["details"]["rule"], "table_not_allowed",
        "{}",
        refused.body
    );

    let closed = create(
        &t,
        json!({"name": "Down", "type": "postgres",
        "config": {"url": "postgres://postgres@127.0.0.1:9/test"}, "allowed_datasets": ["public"]}),
    )
    .await;
    let down = t
        .post(
            &format!("{CONNECTORS}/{closed}/test"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    assert_eq!(
        (down.status, down.error_code()),
        (StatusCode::BAD_GATEWAY, "database_unavailable"),
        "{}",
        down.body
    );
}
