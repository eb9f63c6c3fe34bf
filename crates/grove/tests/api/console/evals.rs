//! `/evals`: sets with their questions, runs started from the page with an
//! agent, and two runs compared item by item with the settings that
//! differ; read-only users look but start nothing.

use reqwest::StatusCode;
use serde_json::json;

use super::{admin_of_a, gardener, member, with_password, Browser, PASSWORD};
use crate::common::TestServer;
use crate::evals::wait_for_run;

/// Waits until the newest run of `set` has ended.
async fn newest_run_ended(t: &TestServer, set: &str) {
    let runs = t
        .get(&format!("/api/v1/eval-sets/{set}/runs"), &t.org_a.api_key)
        .await;
    let newest = runs.body["runs"][0]["id"].as_str().unwrap().to_owned();
    wait_for_run(&t.base, &t.org_a.api_key, &newest).await;
}

#[tokio::test]
async fn eval_runs_start_from_the_console_and_compare_item_by_item() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let key = t.org_a.api_key.clone();
    let agent = gardener(&t).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    assert!(browser
        .get("/evals")
        .await
        .html
        .contains("No eval sets yet"));
    let set = t
        .post(
            "/api/v1/eval-sets",
            &key,
            json!({"name": "Greenhouse", "items": [
                {"question": "When do the vents open?", "expected_answer": "Above 28 degrees.", "expected_sources": ["Greenhouse"]},
                {"question": "Do the vents close at night?", "expected_sources": ["Greenhouse"]}
            ]}),
        )
        .await;
    let set = set.body["id"].as_str().unwrap().to_owned();
    let list = browser.get("/evals").await;
    assert!(
        list.html
            .contains(&format!("href=\"/evals/{set}\">Greenhouse</a>")),
        "{}",
        list.html
    );
    let page = browser.get(&format!("/evals/{set}")).await;
    assert!(page.html.contains("When do the vents open?") && page.html.contains("No runs yet"));
    let csrf = page.input("csrf");

    let refused = browser
        .post(
            &format!("/evals/{set}/runs"),
            &[("csrf", &csrf), ("agent_id", "agent_nope")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("agent"), "{}", refused.html);
    let started = browser
        .post(
            &format!("/evals/{set}/runs"),
            &[("csrf", &csrf), ("agent_id", &agent)],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.html);
    newest_run_ended(&t, &set).await;
    // A second run after a change of the agent's threshold.
    let changed = t
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/agents/{agent}"),
            Some(&key),
            Some(json!({"similarity_threshold": 0.5})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    browser
        .post(
            &format!("/evals/{set}/runs"),
            &[("csrf", &csrf), ("agent_id", &agent)],
        )
        .await;
    newest_run_ended(&t, &set).await;

    let runs = t.get(&format!("/api/v1/eval-sets/{set}/runs"), &key).await;
    let head = runs.body["runs"][0]["id"].as_str().unwrap().to_owned();
    let base = runs.body["runs"][1]["id"].as_str().unwrap().to_owned();
    let page = browser.get(&format!("/evals/{set}")).await;
    assert!(
        page.html.contains("2 of 2") && page.html.contains("Compare base with head"),
        "{}",
        page.html
    );
    let compared = browser
        .get(&format!("/evals/compare?base={base}&head={head}"))
        .await;
    assert_eq!(compared.status, StatusCode::OK, "{}", compared.html);
    let api = t
        .get(
            &format!("/api/v1/eval-runs/compare?base={base}&head={head}"),
            &key,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let unchanged = api.body["summary"]["unchanged"].as_u64().unwrap();
    assert!(
        compared
            .html
            .contains(&format!("<dt>Unchanged</dt><dd>{unchanged}</dd>")),
        "{}",
        compared.html
    );
    assert!(
        compared.html.contains("<code>similarity_threshold</code>"),
        "{}",
        compared.html
    );
    assert!(compared.html.contains("Do the vents close at night?"));

    let bad = browser
        .get(&format!("/evals/compare?base={base}&head=run_x"))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.html);

    // Read-only: the runs shown, no run form, a run refused.
    let (_, mut reader) = member(&t, "ro@a.example", "readonly").await;
    let read = reader.get(&format!("/evals/{set}")).await;
    assert!(read.html.contains("2 of 2") && !read.html.contains("Run the set"));
    let ro_csrf = read.input("csrf");
    let refused = reader
        .post(
            &format!("/evals/{set}/runs"),
            &[("csrf", &ro_csrf), ("agent_id", &agent)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn editors_write_change_and_delete_eval_sets_readers_may_not() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let form = browser.get("/evals/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.input("csrf");

    // The API's reasons, with what was typed kept.
    let refused = browser
        .post(
            "/evals",
            &[
                ("csrf", &csrf),
                ("name", "Greenhouse"),
                ("items", "  \n\n "),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.html.contains("items: must hold 1 to 500 items"),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("value=\"Greenhouse\""));
    let questions = "When do the vents open?\nAnswer: Above 28 degrees.\nSources: Greenhouse\n\nWhen are the trees pruned?";
    let created = browser
        .post(
            "/evals",
            &[
                ("csrf", &csrf),
                ("name", "Greenhouse"),
                ("items", questions),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let path = created.location().to_owned();
    let id = path.trim_start_matches("/evals/").to_owned();
    let stored = t
        .get(&format!("/api/v1/eval-sets/{id}"), &t.org_a.api_key)
        .await;
    assert_eq!(stored.body["item_count"], 2, "{}", stored.body);
    assert_eq!(
        stored.body["items"][0]["expected_answer"],
        "Above 28 degrees."
    );
    assert_eq!(
        stored.body["items"][0]["expected_sources"],
        json!(["Greenhouse"])
    );
    assert_eq!(stored.body["items"][1]["expected_answer"], json!(null));

    // Edited: the form shows the questions as written; a third is added.
    let edit = browser.get(&format!("{path}/edit")).await;
    assert!(edit.html.contains("Sources: Greenhouse"), "{}", edit.html);
    let more = format!("{questions}\n\nWhat closes the vents?\nAnswer: The night.");
    let saved = browser
        .post(
            &format!("{path}/edit"),
            &[("csrf", &csrf), ("name", "Greenhouse v2"), ("items", &more)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let stored = t
        .get(&format!("/api/v1/eval-sets/{id}"), &t.org_a.api_key)
        .await;
    assert_eq!(stored.body["name"], "Greenhouse v2");
    assert_eq!(stored.body["item_count"], 3);

    // Readers may not write, change or delete.
    let (_, mut reader) = member(&t, "reader@a.example", "readonly").await;
    assert_eq!(reader.get("/evals/new").await.status, StatusCode::FORBIDDEN);
    let reader_csrf = reader.get(&path).await.input("csrf");
    for action in [
        "/evals".to_owned(),
        format!("{path}/edit"),
        format!("{path}/delete"),
    ] {
        let refused = reader
            .post(
                &action,
                &[("csrf", &reader_csrf), ("name", "Mine"), ("items", "Q?")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
    }

    let deleted = browser
        .post(&format!("{path}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let gone = t
        .get(&format!("/api/v1/eval-sets/{id}"), &t.org_a.api_key)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
