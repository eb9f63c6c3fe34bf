//! `/kb`: writing, editing, diffing and restoring articles through the
//! API's checks; a draft article from a corrected answer; read-only users
//! only read; another organisation's article is not there.

use grove_core::ids::{OrgId, UserId};
use reqwest::StatusCode;
use serde_json::json;

use super::{admin_of_a, gardener, member, with_password, Browser, PASSWORD};
use crate::common::TestServer;

fn article_path(location: &str) -> String {
    assert!(location.starts_with("/kb/kb_"), "{location}");
    location.to_owned()
}

#[tokio::test]
async fn articles_are_written_diffed_and_restored_as_versions() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let empty = browser.get("/kb").await;
    assert!(empty.html.contains("No articles yet"), "{}", empty.html);
    let form = browser.get("/kb/new").await;
    let csrf = form.input("csrf");

    // The API's checks, with its reasons, and the form kept.
    let refused = browser
        .post(
            "/kb",
            &[
                ("csrf", &csrf),
                ("title", "  "),
                ("content", "Body"),
                ("tags", ""),
                ("status", "draft"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("title"), "{}", refused.html);
    assert!(refused.html.contains(">Body</textarea>"));
    let long_tag = "t".repeat(51);
    let refused = browser
        .post(
            "/kb",
            &[
                ("csrf", &csrf),
                ("title", "Vents"),
                ("content", "Body"),
                ("tags", &long_tag),
                ("status", "draft"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("tags"), "{}", refused.html);

    let created = browser
        .post(
            "/kb",
            &[
                ("csrf", &csrf),
                ("title", "Greenhouse vents"),
                (
                    "content",
                    "The vents open above 28 degrees.\nThey close at night.",
                ),
                ("tags", "greenhouse, vents"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let path = article_path(created.location());
    let id = path.trim_start_matches("/kb/").to_owned();
    let edited = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("title", "Greenhouse vents"),
                (
                    "content",
                    "The vents open above 30 degrees.\nThey close at night.",
                ),
                ("tags", "greenhouse, vents"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    let api = t.get(&format!("/api/v1/kb/{id}"), &t.org_a.api_key).await;
    assert_eq!(api.body["version"], 2);
    assert_eq!(api.body["tags"], json!(["greenhouse", "vents"]));

    let page = browser.get(&path).await;
    assert!(page.html.contains(&format!("href=\"{path}/versions/1\"")));
    assert!(page.html.contains("edited") && page.html.contains("created"));
    let diff = browser.get(&format!("{path}/versions/2")).await;
    assert!(
        diff.html
            .contains("<span class=\"removed\">- The vents open above 28 degrees.</span>")
            && diff
                .html
                .contains("<span class=\"added\">+ The vents open above 30 degrees.</span>")
            && diff
                .html
                .contains("<span class=\"same\">  They close at night.</span>"),
        "{}",
        diff.html
    );
    let reversed = browser.get(&format!("{path}/versions/1?against=2")).await;
    assert!(reversed
        .html
        .contains("<span class=\"added\">+ The vents open above 28 degrees.</span>"));
    let missing = browser.get(&format!("{path}/versions/9")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let restored = browser
        .post(&format!("{path}/versions/1/restore"), &[("csrf", &csrf)])
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    let api = t.get(&format!("/api/v1/kb/{id}"), &t.org_a.api_key).await;
    assert_eq!(api.body["version"], 3);
    assert!(api.body["content"].as_str().unwrap().contains("28 degrees"));
    let versions = t
        .get(&format!("/api/v1/kb/{id}/versions"), &t.org_a.api_key)
        .await;
    assert_eq!(versions.body["versions"][0]["restored_from"], 1);
    assert_eq!(versions.body["versions"][0]["user_id"], admin.id.as_str());

    // A read-only user reads, without a form, and may not write.
    let (_, mut reader) = member(&t, "ro@a.example", "readonly").await;
    let read = reader.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.html.contains("<pre class=\"article\">") && !read.html.contains("name=\"title\""));
    let csrf_ro = read.input("csrf");
    let refused = reader
        .post(&format!("{path}/delete"), &[("csrf", &csrf_ro)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(reader.get("/kb/new").await.status, StatusCode::FORBIDDEN);

    // Another organisation's admin does not find it.
    let org_b = OrgId::parse(&t.org_b.org_id).unwrap();
    let b_admin = t
        .store
        .get_user(&org_b, &UserId::parse(&t.org_b.user_id).unwrap())
        .await
        .unwrap()
        .unwrap();
    with_password(&t, &b_admin).await;
    let mut other = Browser::new(&t);
    other.sign_in("admin@b.example", PASSWORD).await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(!other.get("/kb").await.html.contains("Greenhouse vents"));

    let deleted = browser
        .post(&format!("{path}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_corrected_answer_becomes_a_draft_article_once() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let agent = gardener(&t).await;
    let asked = t
        .post(
            "/api/v1/query",
            &t.org_a.api_key,
            json!({"agent_id": agent, "query": "When do the vents open?"}),
        )
        .await;
    let id = asked.body["metadata"]["interaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let page = browser.get(&format!("/interactions/{id}")).await;
    assert!(
        !page.html.contains("/article\""),
        "no correction yet, no button"
    );
    let csrf = page.input("csrf");
    // Without a correction the API's 409 and its reason.
    let early = browser
        .post(&format!("/interactions/{id}/article"), &[("csrf", &csrf)])
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.html.contains("no edited answer"), "{}", early.html);
    browser
        .post(
            &format!("/interactions/{id}/review"),
            &[
                ("csrf", &csrf),
                ("verdict", "edited"),
                ("edited_answer", "Above 28 °C."),
            ],
        )
        .await;
    let page = browser.get(&format!("/interactions/{id}")).await;
    assert!(page
        .html
        .contains(&format!("action=\"/interactions/{id}/article\"")));
    let made = browser
        .post(&format!("/interactions/{id}/article"), &[("csrf", &csrf)])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let article = browser.get(made.location()).await;
    assert!(
        article.html.contains("When do the vents open?")
            && article.html.contains("Above 28 °C.")
            && article.html.contains("from-review")
            && article
                .html
                .contains("<span class=\"badge draft\">draft</span>"),
        "{}",
        article.html
    );
    let again = browser
        .post(&format!("/interactions/{id}/article"), &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.html.contains("already has"), "{}", again.html);
}
