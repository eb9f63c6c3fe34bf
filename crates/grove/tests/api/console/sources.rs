//! Data sources managed in the console: added, changed and deleted through
//! the API's checks (its reasons shown, what was typed kept, credentials
//! masked and kept), files uploaded only with the form's CSRF token, the
//! sync's progress pushed as server-sent events until it is over, and
//! readers refused every change.

use std::time::Duration;

use grove_core::ids::{DataSourceId, OrgId};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

use super::{admin_of_a, member, with_password, Browser, PASSWORD};
use crate::common::{wait_for_sync, TestServer};

/// The id in a `/sources/{id}` redirect.
fn source_of(location: &str) -> String {
    let id = location.trim_start_matches("/sources/");
    assert!(id.starts_with("ds_"), "{location}");
    id.to_owned()
}

#[tokio::test]
async fn editors_add_change_and_delete_data_sources_with_the_api_checks() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let empty = browser.get("/sources").await;
    assert!(
        empty.html.contains("href=\"/sources/new\""),
        "{}",
        empty.html
    );
    let form = browser.get("/sources/new?type=confluence").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("<option value=\"confluence\" selected>"));
    let csrf = form.input("csrf");

    // Refused with the API's reasons; what was typed stays in the form.
    let refused = browser
        .post(
            "/sources",
            &[
                ("csrf", &csrf),
                ("name", "Handbook"),
                ("type", "website"),
                (
                    "config",
                    r#"{"url": "https://handbook.example", "max_page": 5}"#,
                ),
                ("sync_frequency", "manual"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.html.contains("config.max_page") && refused.html.contains("max_pages"),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("value=\"Handbook\""));
    let not_json = browser
        .post(
            "/sources",
            &[
                ("csrf", &csrf),
                ("name", "Handbook"),
                ("type", "website"),
                ("config", "{url: handbook}"),
                ("sync_frequency", "manual"),
            ],
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert!(not_json.html.contains("config: is not valid JSON"));
    let bad_chunk = browser
        .post(
            "/sources",
            &[
                ("csrf", &csrf),
                ("name", "Handbook"),
                ("type", "kb"),
                ("sync_frequency", "daily"),
                ("chunk_size", "16"),
            ],
        )
        .await;
    assert_eq!(bad_chunk.status, StatusCode::BAD_REQUEST);
    assert!(bad_chunk
        .html
        .contains("chunk_size: must be 32 to 8192 tokens"));
    let listed = t.get("/api/v1/data-sources", &t.org_a.api_key).await;
    assert_eq!(listed.body["total"], 0, "nothing refused was stored");

    // A knowledge-base source, synced at once.
    let created = browser
        .post(
            "/sources",
            &[
                ("csrf", &csrf),
                ("name", "Answers"),
                ("type", "kb"),
                ("config", ""),
                ("sync_frequency", "daily"),
                ("sync_now", "true"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let kb = source_of(created.location());
    let synced = wait_for_sync(&t, &t.org_a.api_key, &kb).await;
    assert_eq!(synced["sync_status"], "succeeded", "{synced}");
    let api = t
        .get(&format!("/api/v1/data-sources/{kb}"), &t.org_a.api_key)
        .await;
    assert_eq!(api.body["type"], "kb");
    assert_eq!(api.body["sync_frequency"], "daily");

    // A Confluence source: its token is masked on the settings page and
    // kept when the form is sent back unchanged.
    let created = browser
        .post(
            "/sources",
            &[
                ("csrf", &csrf),
                ("name", "Wiki"),
                ("type", "confluence"),
                (
                    "config",
                    r#"{"base_url": "https://acme.atlassian.net", "email": "bot@acme.example", "api_token": "tok-very-secret", "space_key": "ENG"}"#,
                ),
                ("sync_frequency", "manual"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let wiki = source_of(created.location());
    let wiki_id = DataSourceId::parse(&wiki).unwrap();
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let settings = browser.get(&format!("/sources/{wiki}/settings")).await;
    assert_eq!(settings.status, StatusCode::OK);
    assert!(
        !settings.html.contains("tok-very-secret"),
        "{}",
        settings.html
    );
    assert!(settings.html.contains("********"));
    let stored_before = t
        .store
        .get_data_source(&org, &wiki_id)
        .await
        .unwrap()
        .unwrap()
        .config["api_token"]
        .clone();
    let shown_config = r#"{"base_url": "https://acme.atlassian.net", "email": "bot@acme.example", "api_token": "********", "space_key": "OPS"}"#;
    let too_much_overlap = browser
        .post(
            &format!("/sources/{wiki}/settings"),
            &[
                ("csrf", &csrf),
                ("name", "Wiki"),
                ("config", shown_config),
                ("sync_frequency", "manual"),
                ("chunk_size", "256"),
                ("chunk_overlap", "200"),
            ],
        )
        .await;
    assert_eq!(too_much_overlap.status, StatusCode::BAD_REQUEST);
    assert!(too_much_overlap
        .html
        .contains("chunk_overlap: must be at most half of chunk_size"));
    let saved = browser
        .post(
            &format!("/sources/{wiki}/settings"),
            &[
                ("csrf", &csrf),
                ("name", "Team wiki"),
                ("config", shown_config),
                ("sync_frequency", "weekly"),
                ("chunk_size", "256"),
                ("chunk_overlap", "32"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let stored = t
        .store
        .get_data_source(&org, &wiki_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, "Team wiki");
    assert_eq!((stored.chunk_size, stored.chunk_overlap), (256, 32));
    assert_eq!(stored.config["space_key"], "OPS");
    assert_eq!(
        stored.config["api_token"], stored_before,
        "the masked token sent back keeps the stored one"
    );

    // Readers see the settings but change nothing.
    let (_, mut reader) = member(&t, "reader@a.example", "readonly").await;
    let shown = reader.get(&format!("/sources/{wiki}/settings")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.html.contains("<fieldset class=\"stack\" disabled>"));
    assert!(!shown.html.contains("Delete this data source"));
    assert_eq!(
        reader.get("/sources/new").await.status,
        StatusCode::FORBIDDEN
    );
    let reader_csrf = shown.input("csrf");
    for path in [
        "/sources".to_owned(),
        format!("/sources/{wiki}/settings"),
        format!("/sources/{wiki}/delete"),
    ] {
        let refused = reader
            .post(
                &path,
                &[("csrf", &reader_csrf), ("name", "Mine"), ("type", "kb")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }

    // Deleted: gone from the API too.
    let deleted = browser
        .post(&format!("/sources/{wiki}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.location(), "/sources");
    let gone = t
        .get(&format!("/api/v1/data-sources/{wiki}"), &t.org_a.api_key)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        browser
            .get(&format!("/sources/{wiki}/settings"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

fn upload_form(csrf: Option<&str>) -> Form {
    let file = Part::bytes(
        b"# Orchard\n\nThe apple trees are pruned in February, before the buds open.\n".to_vec(),
    )
    .file_name("orchard.md")
    .mime_str("text/markdown")
    .unwrap();
    let form = match csrf {
        Some(token) => Form::new().text("csrf", token.to_owned()),
        None => Form::new(),
    };
    form.part("files", file)
}

#[tokio::test]
async fn files_upload_with_the_form_token_and_the_sync_progress_streams_until_done() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let csrf = browser.get("/sources/new").await.input("csrf");
    let created = browser
        .post(
            "/sources",
            &[
                ("csrf", &csrf),
                ("name", "Orchard"),
                ("type", "file"),
                ("sync_frequency", "manual"),
                ("sync_now", "true"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let id = source_of(created.location());
    let page = browser.get(&format!("/sources/{id}")).await;
    assert!(
        page.html.contains("enctype=\"multipart/form-data\""),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("Not synced yet"),
        "a file source waits for its files"
    );
    let files_path = format!("/api/v1/data-sources/{id}/files");

    // Without the form's token nothing is stored.
    for form in [upload_form(None), upload_form(Some("forged"))] {
        let refused = browser
            .post_multipart(&format!("/sources/{id}/files"), form)
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    let files = t.get(&files_path, &t.org_a.api_key).await;
    assert_eq!(files.body["files"].as_array().unwrap().len(), 0);

    let uploaded = browser
        .post_multipart(&format!("/sources/{id}/files"), upload_form(Some(&csrf)))
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.html);
    assert_eq!(uploaded.location(), format!("/sources/{id}?uploaded=1"));

    // The progress streams as events until the sync is over, then ends.
    let stream = browser
        .client
        .get(t.url(&format!("/sources/{id}/progress/stream")))
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let body = tokio::time::timeout(Duration::from_secs(300), stream.text())
        .await
        .expect("the stream ends once the sync is over")
        .unwrap();
    let last = body.rfind("event: progress").expect(&body);
    assert!(
        body[last..].contains("badge succeeded") && body[last..].contains("1 of 1 documents"),
        "{body}"
    );
    assert!(
        body.trim_end().ends_with("event: done\ndata: over"),
        "{body}"
    );
    let after = browser.get(&format!("/sources/{id}")).await;
    assert!(after.html.contains(">Orchard</a>"), "{}", after.html);
    // The filter is read by the API's own checks (its length limit too).
    let long = browser
        .get(&format!("/sources/{id}?q={}", "x".repeat(201)))
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert!(long.html.contains("q: "), "{}", long.html);

    // Files belong to `file` sources only.
    let kb = browser
        .post(
            "/sources",
            &[
                ("csrf", &csrf),
                ("name", "Answers"),
                ("type", "kb"),
                ("sync_frequency", "manual"),
            ],
        )
        .await;
    let kb = source_of(kb.location());
    let refused = browser
        .post_multipart(&format!("/sources/{kb}/files"), upload_form(Some(&csrf)))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("files belong to"), "{}", refused.html);
}
