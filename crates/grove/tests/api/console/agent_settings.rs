//! `/agents/new` and `/agents/{id}`: agents created and changed through
//! the API's checks, a preview that answers with unsaved settings and logs
//! nothing, and read-only users who see the settings but change nothing.

use reqwest::StatusCode;
use serde_json::Value;

use super::{admin_of_a, member, with_password, Browser, PASSWORD};
use crate::common::{greenhouse_source, upload, wait_for_sync, TestServer};

/// The settings form's fields, with `changes` replacing or adding some.
fn settings<'a>(
    csrf: &'a str,
    source: &'a str,
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("name", "Gardener"),
        ("description", "Knows the greenhouse"),
        ("system_prompt", ""),
        ("rag_strategy", "redwood"),
        ("model", ""),
        ("temperature", "0.2"),
        ("max_tokens", "400"),
        ("similarity_threshold", "0"),
        ("data_source_ids", source),
        ("active", "true"),
    ];
    for (name, value) in changes {
        fields.retain(|(k, _)| k != name);
        fields.push((name, value));
    }
    fields
}

/// A second data source of org A, about the orchard; its id.
async fn orchard_source(t: &TestServer) -> String {
    let key = &t.org_a.api_key;
    let ds = t
        .post(
            "/api/v1/data-sources",
            key,
            serde_json::json!({"type": "file", "name": "Orchard"}),
        )
        .await;
    let id = ds.body["id"].as_str().unwrap().to_owned();
    let files = [(
        "orchard.md",
        b"# Orchard\n\nThe apple trees are pruned in February, before the buds open.\n".to_vec(),
    )];
    assert_eq!(
        upload(t, key, &id, &files).await.status,
        StatusCode::CREATED
    );
    assert_eq!(wait_for_sync(t, key, &id).await["sync_status"], "succeeded");
    id
}

async fn answers_logged(t: &TestServer) -> u64 {
    t.get("/api/v1/interactions", &t.org_a.api_key).await.body["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn agents_are_created_previewed_unsaved_and_changed_through_the_api_checks() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let source = greenhouse_source(&t, &t.org_a.api_key).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let form = browser.get("/agents/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.html.contains(&format!("value=\"{source}\"")),
        "{}",
        form.html
    );
    let csrf = form.input("csrf");

    // The API's reasons, the form kept as typed.
    for (field, value, reason) in [
        ("temperature", "hot", "temperature"),
        ("temperature", "5", "temperature"),
        ("similarity_threshold", "1.5", "similarity_threshold"),
        ("name", " ", "name"),
    ] {
        let refused = browser
            .post("/agents", &settings(&csrf, &source, &[(field, value)]))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}={value}");
        assert!(refused.html.contains(reason), "{field}: {}", refused.html);
        assert!(refused.html.contains("Knows the greenhouse"));
    }
    let mut no_source = settings(&csrf, &source, &[]);
    no_source.retain(|(k, _)| *k != "data_source_ids");
    let refused = browser.post("/agents", &no_source).await;
    assert!(refused.html.contains("data_source_ids"), "{}", refused.html);

    // The preview of a new agent answers and logs nothing.
    let fields = settings(&csrf, &source, &[("question", "When do the vents open?")]);
    let preview = browser.post("/agents/preview", &fields).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.html.contains("28 degrees"), "{}", preview.html);
    assert!(preview.html.contains("not logged"));
    assert_eq!(answers_logged(&t).await, 0);

    let created = browser
        .post("/agents", &settings(&csrf, &source, &[]))
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let path = created
        .location()
        .trim_end_matches("?saved=true")
        .to_owned();
    let id = path.trim_start_matches("/agents/").to_owned();
    let api = t
        .get(&format!("/api/v1/agents/{id}"), &t.org_a.api_key)
        .await;
    assert_eq!(api.body["name"], "Gardener");
    assert_eq!(api.body["data_source_ids"], serde_json::json!([source]));
    assert_eq!(api.body["model_source"], "organization");
    assert!((api.body["temperature"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    let page = browser.get(created.location()).await;
    assert!(page.html.contains("Saved."));

    // A preview with other data sources, as htmx asks for it: the fragment
    // alone, answered from the unsaved choice; the stored agent untouched.
    let orchard = orchard_source(&t).await;
    let fields = settings(
        &csrf,
        &orchard,
        &[("question", "When are the trees pruned?")],
    );
    let response = t
        .client
        .post(t.url(&format!("{path}/preview")))
        .header("cookie", browser.cookie_header())
        .header("origin", t.base.clone())
        .header("hx-request", "true")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let fragment = response.text().await.unwrap();
    assert!(
        fragment.starts_with("<div id=\"preview-answer\">"),
        "{fragment}"
    );
    assert!(
        fragment.contains("pruned in February") && !fragment.contains("28 degrees"),
        "{fragment}"
    );
    let api: Value = t
        .get(&format!("/api/v1/agents/{id}"), &t.org_a.api_key)
        .await
        .body;
    assert_eq!(api["data_source_ids"], serde_json::json!([source]));
    assert_eq!(answers_logged(&t).await, 0);

    let renamed = browser
        .post(
            &path,
            &settings(&csrf, &source, &[("name", "Head gardener")]),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.html);
    let api = t
        .get(&format!("/api/v1/agents/{id}"), &t.org_a.api_key)
        .await;
    assert_eq!(api.body["name"], "Head gardener");

    // The analyst settings: a connector, budgets and components; the
    // API's reason for a budget it refuses; an empty budget is no limit.
    let shop = crate::scopes::shop_database(&t, 1);
    let connector = t
        .post(
            "/api/v1/data-connectors",
            &t.org_a.api_key,
            serde_json::json!({"name": "Shop", "type": "sqlite", "config": {"path": shop}}),
        )
        .await;
    let connector = connector.body["id"].as_str().unwrap().to_owned();
    let page = browser.get(&path).await;
    assert!(
        page.html.contains(&format!("value=\"{connector}\"")),
        "{}",
        page.html
    );
    let analyst = [
        ("data_connector_ids", connector.as_str()),
        ("max_steps", "5"),
        ("max_run_tokens", "5000"),
        ("max_run_cost_usd", "0.5"),
        ("split", "true"),
        ("query_model", ""),
        ("analysis_model", ""),
    ];
    for (field, value, reason) in [
        ("max_run_tokens", "0", "max_run_tokens"),
        ("query_model", "extractive", "components.query.model"),
    ] {
        let mut refused_fields = analyst.to_vec();
        refused_fields.push((field, value));
        let refused = browser
            .post(&path, &settings(&csrf, &source, &refused_fields))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(refused.html.contains(reason), "{field}: {}", refused.html);
    }
    let saved = browser
        .post(&path, &settings(&csrf, &source, &analyst))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let api = t
        .get(&format!("/api/v1/agents/{id}"), &t.org_a.api_key)
        .await
        .body;
    assert_eq!(api["data_connector_ids"], serde_json::json!([connector]));
    assert_eq!(api["max_steps"], 5);
    assert_eq!(api["max_run_tokens"], 5000);
    assert_eq!(api["max_run_cost_usd"], 0.5);
    assert!(api["components"]["query"].is_object(), "{api}");
    let page = browser.get(&path).await;
    assert!(page.html.contains("name=\"split\" value=\"true\" checked"));
    let unlimited = browser
        .post(
            &path,
            &settings(
                &csrf,
                &source,
                &[("data_connector_ids", connector.as_str())],
            ),
        )
        .await;
    assert_eq!(
        unlimited.status,
        StatusCode::SEE_OTHER,
        "{}",
        unlimited.html
    );
    let api = t
        .get(&format!("/api/v1/agents/{id}"), &t.org_a.api_key)
        .await
        .body;
    assert_eq!(api["max_run_tokens"], Value::Null);
    assert_eq!(api["components"], Value::Null);

    // Read-only: the settings shown, nothing to save, writes refused.
    let (_, mut reader) = member(&t, "ro@a.example", "readonly").await;
    let read = reader.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(
        read.html.contains("<fieldset class=\"stack\" disabled>")
            && !read.html.contains(">Save</button>")
    );
    let ro_csrf = read.input("csrf");
    let refused = reader
        .post(&path, &settings(&ro_csrf, &source, &[("name", "Mine")]))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reader.get("/agents/new").await.status,
        StatusCode::FORBIDDEN
    );

    let deleted = browser
        .post(&format!("{path}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.get(&format!("/api/v1/agents/{id}"), &t.org_a.api_key)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
