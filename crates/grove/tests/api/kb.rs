//! Knowledge-base articles end to end: CRUD and validation, versions and
//! restores, and indexing through a `kb` data source (published articles
//! are found by search; drafts, unpublished and deleted ones are not).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{wait_for_sync, Reply, TestServer};

async fn put(t: &TestServer, path: &str, key: &str, body: Value) -> Reply {
    t.call(Method::PUT, path, Some(key), Some(body)).await
}

async fn delete(t: &TestServer, path: &str, key: &str) -> Reply {
    t.call(Method::DELETE, path, Some(key), None).await
}

fn assert_bad(reply: &Reply, field: &str, context: &str) {
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "{context}: {}",
        reply.body
    );
    assert_eq!(reply.error_code(), "invalid_request", "{context}");
    assert_eq!(
        reply.body["error"]["details"]["field"], field,
        "{context}: {}",
        reply.body
    );
}

#[tokio::test]
async fn articles_are_created_validated_listed_updated_and_deleted() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;

    let draft = t
        .post(
            "/api/v1/kb",
            key,
            json!({"title": "  Reset a password ", "content": "Click *Forgot password*."}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    assert_eq!(
        draft.body["title"], "Reset a password",
        "titles are trimmed"
    );
    assert_eq!(draft.body["content"], "Click *Forgot password*.");
    assert_eq!(draft.body["status"], "draft", "draft by default");
    assert_eq!(draft.body["tags"], json!([]));
    assert_eq!(draft.body["version"], 1);
    let draft_id = draft.body["id"].as_str().unwrap().to_owned();
    assert!(draft_id.starts_with("kb_"), "{draft_id}");

    let published = t
        .post(
            "/api/v1/kb",
            key,
            json!({"title": "Opening hours", "content": "We open at nine.",
                   "tags": ["hours", " hours ", "support"], "status": "published"}),
        )
        .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);
    assert_eq!(published.body["status"], "published");
    assert_eq!(
        published.body["tags"],
        json!(["hours", "support"]),
        "tags are trimmed and repeats dropped"
    );
    let published_id = published.body["id"].as_str().unwrap().to_owned();

    let long_title = "t".repeat(301);
    let many_tags: Vec<String> = (0..21).map(|i| format!("tag{i}")).collect();
    for (body, field) in [
        (json!({"content": "c"}), "title"),
        (json!({"title": "   ", "content": "c"}), "title"),
        (json!({"title": long_title, "content": "c"}), "title"),
        (json!({"title": 5, "content": "c"}), "title"),
        (json!({"title": "t"}), "content"),
        (json!({"title": "t", "content": "  \n "}), "content"),
        (
            json!({"title": "t", "content": "c", "tags": "hours"}),
            "tags",
        ),
        (
            json!({"title": "t", "content": "c", "tags": many_tags}),
            "tags",
        ),
        (
            json!({"title": "t", "content": "c", "tags": [1]}),
            "tags[0]",
        ),
        (
            json!({"title": "t", "content": "c", "tags": ["ok", " "]}),
            "tags[1]",
        ),
        (
            json!({"title": "t", "content": "c", "tags": ["x".repeat(51)]}),
            "tags[0]",
        ),
        (
            json!({"title": "t", "content": "c", "status": "archived"}),
            "status",
        ),
        (
            json!({"title": "t", "content": "c", "colour": "red"}),
            "colour",
        ),
    ] {
        let reply = t.post("/api/v1/kb", key, body.clone()).await;
        assert_bad(&reply, field, &body.to_string());
    }

    let all = t.get("/api/v1/kb", key).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.body["total"], 2, "refused bodies wrote nothing");
    assert_eq!(all.body["limit"], 50);
    assert_eq!(all.body["offset"], 0);
    let drafts = t.get("/api/v1/kb?status=draft", key).await;
    assert_eq!(drafts.body["total"], 1);
    assert_eq!(drafts.body["articles"][0]["id"], draft_id.as_str());
    let live = t.get("/api/v1/kb?status=published", key).await;
    assert_eq!(live.body["total"], 1);
    assert_eq!(live.body["articles"][0]["id"], published_id.as_str());
    let paged = t.get("/api/v1/kb?limit=1&offset=1", key).await;
    assert_eq!(paged.body["total"], 2);
    assert_eq!(paged.body["articles"].as_array().unwrap().len(), 1);
    assert_bad(
        &t.get("/api/v1/kb?status=archived", key).await,
        "status",
        "list status",
    );
    assert_bad(&t.get("/api/v1/kb?limit=0", key).await, "limit", "limit");

    let legacy = t.get("/api/kb?status=published", key).await;
    assert_eq!(legacy.status, StatusCode::OK, "{}", legacy.body);
    assert_eq!(legacy.body["total"], 1);
    let first = &legacy.body["articles"][0];
    assert_eq!(first["id"], published_id.as_str());
    assert!(first["createdAt"].is_string(), "camelCase: {first}");
    assert!(first.get("created_at").is_none(), "camelCase: {first}");

    let one = t.get(&format!("/api/v1/kb/{draft_id}"), key).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body, draft.body);

    let retagged = put(
        &t,
        &format!("/api/v1/kb/{draft_id}"),
        key,
        json!({"tags": ["auth"]}),
    )
    .await;
    assert_eq!(retagged.status, StatusCode::OK, "{}", retagged.body);
    assert_eq!(retagged.body["tags"], json!(["auth"]));
    assert_eq!(
        retagged.body["title"], "Reset a password",
        "fields left out are kept"
    );
    assert_eq!(retagged.body["content"], "Click *Forgot password*.");
    assert_eq!(retagged.body["version"], 2);
    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"content": ""}), "content"),
        (json!({"status": "gone"}), "status"),
        (json!({"tags": [""]}), "tags[0]"),
    ] {
        let reply = put(&t, &format!("/api/v1/kb/{draft_id}"), key, body.clone()).await;
        assert_bad(&reply, field, &body.to_string());
    }
    let unchanged = t.get(&format!("/api/v1/kb/{draft_id}"), key).await;
    assert_eq!(
        unchanged.body, retagged.body,
        "refused updates change nothing"
    );

    let missing = "kb_00000000000000000000000000";
    let absent = t.get(&format!("/api/v1/kb/{missing}"), key).await;
    assert_eq!(absent.status, StatusCode::NOT_FOUND, "{}", absent.body);
    assert_eq!(
        put(
            &t,
            &format!("/api/v1/kb/{missing}"),
            key,
            json!({"title": "x"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_bad(
        &t.get("/api/v1/kb/usr_notanarticle", key).await,
        "id",
        "wrong prefix",
    );
    let foreign = t
        .get(&format!("/api/v1/kb/{draft_id}"), &t.org_b.api_key)
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let deleted = delete(&t, &format!("/api/v1/kb/{draft_id}"), key).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(
        t.get(&format!("/api/v1/kb/{draft_id}"), key).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("/api/v1/kb/{draft_id}/versions"), key)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "versions go with the article"
    );
    assert_eq!(
        delete(&t, &format!("/api/v1/kb/{draft_id}"), key)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.get("/api/v1/kb", key).await.body["total"], 1);
    t.stop().await;
}

#[tokio::test]
async fn every_write_records_a_version_and_restore_makes_a_new_one() {
    let t = TestServer::start().await;
    let admin = &t.org_a.api_key;
    let (writer, writer_id) = t.key_with(&["read", "write"], &[]).await;

    let created = t
        .post(
            "/api/v1/kb",
            admin,
            json!({"title": "Refunds", "content": "Refunds take 5 days.", "tags": ["billing"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let one = format!("/api/v1/kb/{id}");
    for (n, body) in [
        json!({"title": "Refunds and returns"}),
        json!({"content": "Refunds take 3 days.", "status": "published"}),
        json!({"tags": ["billing", "returns"]}),
    ]
    .into_iter()
    .enumerate()
    {
        let updated = put(&t, &one, &writer, body).await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
        assert_eq!(updated.body["version"], n + 2);
    }

    let versions = t.get(&format!("{one}/versions"), admin).await;
    assert_eq!(versions.status, StatusCode::OK, "{}", versions.body);
    assert_eq!(versions.body["total"], 4);
    let numbers: Vec<u64> = versions.body["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [4, 3, 2, 1], "newest first");
    let v1 = &versions.body["versions"][3];
    assert_eq!(v1["title"], "Refunds");
    assert_eq!(
        v1["user_id"],
        t.org_a.user_id.as_str(),
        "the admin key's user"
    );
    assert!(v1["key_id"].as_str().unwrap().starts_with("key_"));
    assert_ne!(v1["key_id"], writer_id.as_str());
    let v4 = &versions.body["versions"][0];
    assert_eq!(v4["key_id"], writer_id.as_str(), "who wrote it");
    assert!(v4["user_id"].is_null(), "the writer key has no user");
    assert_eq!(v4["tags"], json!(["billing", "returns"]));
    assert_eq!(v4["status"], "published");
    assert!(v4["created_at"].is_string());

    let paged = t
        .get(&format!("{one}/versions?limit=2&offset=1"), admin)
        .await;
    assert_eq!(paged.body["total"], 4);
    assert_eq!(paged.body["versions"][0]["version"], 3);
    assert_eq!(paged.body["versions"][1]["version"], 2);
    assert_eq!(paged.body["versions"].as_array().unwrap().len(), 2);

    let v2 = t.get(&format!("{one}/versions/2"), admin).await;
    assert_eq!(v2.status, StatusCode::OK, "{}", v2.body);
    assert_eq!(v2.body["title"], "Refunds and returns");
    assert_eq!(v2.body["content"], "Refunds take 5 days.");
    assert_eq!(v2.body["tags"], json!(["billing"]));
    assert_eq!(v2.body["status"], "draft");
    assert!(v2.body["restored_from"].is_null());
    assert_eq!(
        t.get(&format!("{one}/versions/9"), admin).await.status,
        StatusCode::NOT_FOUND
    );
    for bad in ["0", "two", "-1"] {
        assert_bad(
            &t.get(&format!("{one}/versions/{bad}"), admin).await,
            "version",
            bad,
        );
    }

    let restored = t
        .post(&format!("{one}/versions/2/restore"), &writer, json!({}))
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    assert_eq!(restored.body["id"], id.as_str());
    assert_eq!(restored.body["version"], 5);
    for field in ["title", "content", "tags", "status"] {
        assert_eq!(restored.body[field], v2.body[field], "{field}");
    }
    let current = t.get(&one, admin).await;
    assert_eq!(current.body, restored.body);
    let v5 = t.get(&format!("{one}/versions/5"), admin).await;
    assert_eq!(v5.status, StatusCode::OK, "{}", v5.body);
    for field in ["title", "content", "tags", "status"] {
        assert_eq!(v5.body[field], v2.body[field], "{field}");
    }
    assert_eq!(v5.body["restored_from"], 2);
    assert_eq!(v5.body["key_id"], writer_id.as_str());

    let nowhere = t
        .post(&format!("{one}/versions/99/restore"), &writer, json!({}))
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND, "{}", nowhere.body);
    assert_eq!(
        t.get(&format!("{one}/versions"), admin).await.body["total"],
        5,
        "a refused restore writes no version"
    );
    let foreign = t
        .post(
            &format!("{one}/versions/1/restore"),
            &t.org_b.api_key,
            json!({}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    t.stop().await;
}

#[tokio::test]
async fn published_articles_are_searchable_until_unpublished_or_deleted() {
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    let search = async |query: &str| -> Vec<String> {
        let found = t
            .post(
                "/api/v1/semantic-search",
                &key,
                json!({"query": query, "org_id": t.org_a.org_id, "mode": "lexical"}),
            )
            .await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.body);
        found.body["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["document_title"].as_str().unwrap_or("").to_owned())
            .collect()
    };

    // Before a kb data source exists, publishing indexes nothing.
    let early = t
        .post(
            "/api/v1/kb",
            &key,
            json!({"title": "Quokka care", "content": "Feed the quokkas kelp biscuits.",
                   "status": "draft"}),
        )
        .await;
    assert_eq!(early.status, StatusCode::CREATED, "{}", early.body);

    let source = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "kb", "name": "Knowledge base"}),
        )
        .await;
    assert_eq!(source.status, StatusCode::CREATED, "{}", source.body);
    let source = source.body["id"].as_str().unwrap().to_owned();
    let status = t
        .get(&format!("/api/v1/data-sources/{source}/status"), &key)
        .await;
    assert!(status.body["sync_id"].is_null(), "{}", status.body);

    // A draft starts no sync.
    let draft = t
        .post(
            "/api/v1/kb",
            &key,
            json!({"title": "Draft plans", "content": "The zeppelin hangar opens in spring."}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED);
    let status = t
        .get(&format!("/api/v1/data-sources/{source}/status"), &key)
        .await;
    assert!(
        status.body["sync_id"].is_null(),
        "drafts change nothing published: {}",
        status.body
    );

    let article = t
        .post(
            "/api/v1/kb",
            &key,
            json!({"title": "Turbine schedule",
                   "content": "The marmalade turbine spins counterclockwise on Tuesdays.",
                   "status": "published"}),
        )
        .await;
    assert_eq!(article.status, StatusCode::CREATED, "{}", article.body);
    let id = article.body["id"].as_str().unwrap().to_owned();
    let one = format!("/api/v1/kb/{id}");
    let synced = wait_for_sync(&t, &key, &source).await;
    assert_eq!(synced["sync_status"], "succeeded", "{synced}");
    assert_eq!(synced["documents_done"], 1, "only the published article");
    assert_eq!(
        search("marmalade turbine")
            .await
            .first()
            .map(String::as_str),
        Some("Turbine schedule")
    );
    assert!(
        search("zeppelin hangar").await.is_empty(),
        "drafts stay out"
    );
    assert!(search("quokkas kelp").await.is_empty(), "drafts stay out");

    let unpublished = put(&t, &one, &key, json!({"status": "draft"})).await;
    assert_eq!(unpublished.status, StatusCode::OK, "{}", unpublished.body);
    let first_sync = synced["sync_id"].clone();
    let synced = wait_for_sync(&t, &key, &source).await;
    assert_ne!(synced["sync_id"], first_sync, "a new sync ran");
    assert_eq!(synced["sync_status"], "succeeded", "{synced}");
    assert!(
        search("marmalade turbine").await.is_empty(),
        "an unpublished article leaves the index"
    );

    // Restoring the published version 1 publishes it again.
    let restored = t
        .post(&format!("{one}/versions/1/restore"), &key, json!({}))
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    assert_eq!(restored.body["status"], "published");
    assert_eq!(
        wait_for_sync(&t, &key, &source).await["sync_status"],
        "succeeded"
    );
    assert_eq!(
        search("marmalade turbine")
            .await
            .first()
            .map(String::as_str),
        Some("Turbine schedule")
    );

    let deleted = delete(&t, &one, &key).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        wait_for_sync(&t, &key, &source).await["sync_status"],
        "succeeded"
    );
    assert!(
        search("marmalade turbine").await.is_empty(),
        "a deleted article leaves the index"
    );
    t.stop().await;
}

#[tokio::test]
async fn concurrent_updates_of_different_fields_all_land() {
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    for round in 0..5 {
        let created = t
            .post(
                "/api/v1/kb",
                &key,
                json!({"title": format!("Start {round}"), "content": "Old text."}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let path = format!("/api/v1/kb/{}", created.body["id"].as_str().unwrap());
        let (a, b, c) = tokio::join!(
            put(&t, &path, &key, json!({"title": "New title"})),
            put(&t, &path, &key, json!({"content": "New text."})),
            put(&t, &path, &key, json!({"tags": ["merged"]})),
        );
        for reply in [&a, &b, &c] {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        let now = t.get(&path, &key).await.body;
        assert_eq!(now["title"], "New title", "{now}");
        assert_eq!(now["content"], "New text.", "{now}");
        assert_eq!(now["tags"], json!(["merged"]), "{now}");
        assert_eq!(now["version"], 4, "{now}");
    }
    t.stop().await;
}
