//! What was indexed, over real HTTP: a crawled site's documents listed with
//! their status (indexed, failed with the error, skipped with the reason),
//! filtered by status and text and paged; a document with its chunks, one
//! chunk; deleting a document takes it out of every search mode until a
//! sync brings it back. Scopes and isolation are also checked for every
//! route by the catalogue tests (`scopes.rs`, `isolation.rs`).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{serve_dir, upload, wait_for_sync, TestServer};

fn page(title: &str, body: &str) -> String {
    format!("<html><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>")
}

/// A small site: three pages with text, a link to a page that is missing,
/// a meta-refresh stub, an image and a page without text.
fn garden_site(root: &std::path::Path) {
    let files = [
        (
            "index.html",
            page(
                "Garden guide",
                r#"<p>Start here for everything about the garden.</p>
                <a href="guide.html">watering</a> <a href="faq.html">faq</a>
                <a href="missing.html">missing</a> <a href="old.html">old</a>
                <a href="logo.png">logo</a> <a href="empty.html">empty</a>"#,
            ),
        ),
        (
            "guide.html",
            page("Watering", "<p>Water the tomatoes every morning in summer.</p>"),
        ),
        (
            "faq.html",
            page(
                "Questions and answers",
                "<p>Compost is ready after about six months.</p>",
            ),
        ),
        (
            "old.html",
            r#"<html><head><meta http-equiv="refresh" content="0; URL=guide.html"></head><body></body></html>"#.into(),
        ),
        ("logo.png", "\u{89}PNG".into()),
        (
            "empty.html",
            "<html><head><title>Empty</title></head><body></body></html>".into(),
        ),
    ];
    for (name, body) in files {
        std::fs::write(root.join(name), body).unwrap();
    }
}

/// The documents of a listing, by URL file name (`guide.html`).
fn names(listing: &Value) -> Vec<String> {
    listing["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let key = d["source_key"].as_str().unwrap();
            key.rsplit('/').next().unwrap().to_owned()
        })
        .collect()
}

async fn documents(t: &TestServer, ds: &str, query: &str) -> Value {
    let reply = t
        .get(
            &format!("/api/v1/data-sources/{ds}/documents{query}"),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
    reply.body
}

#[tokio::test]
async fn a_crawl_lists_what_was_indexed_failed_or_skipped_and_why() {
    let site = tempfile::tempdir().unwrap();
    garden_site(site.path());
    let base = serve_dir(site.path().to_path_buf()).await;
    let t = TestServer::start_with(|c| {
        c.allow_private_networks = true;
        c.queue.poll_interval_ms = 50;
    })
    .await;
    let key = t.org_a.api_key.clone();
    let created = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "website", "name": "Garden", "config": {"url": format!("{base}/index.html")}}),
        )
        .await;
    let ds = created.body["id"].as_str().unwrap().to_owned();
    let queued = t
        .post(&format!("/api/v1/data-sources/{ds}/sync"), &key, json!({}))
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    let status = wait_for_sync(&t, &key, &ds).await;
    assert_eq!(status["sync_status"], "succeeded", "{status}");
    assert_eq!(
        (
            status["documents_done"].as_u64(),
            status["documents_failed"].as_u64()
        ),
        (Some(6), Some(1)),
        "{status}"
    );

    let all = documents(&t, &ds, "").await;
    assert_eq!(all["total"], 7, "{all}");
    assert_eq!(
        names(&all),
        [
            "empty.html",
            "faq.html",
            "guide.html",
            "index.html",
            "logo.png",
            "missing.html",
            "old.html"
        ],
        "by source key"
    );

    let indexed = documents(&t, &ds, "?status=indexed").await;
    assert_eq!(names(&indexed), ["faq.html", "guide.html", "index.html"]);
    let guide_html = page(
        "Watering",
        "<p>Water the tomatoes every morning in summer.</p>",
    );
    for doc in indexed["documents"].as_array().unwrap() {
        assert!(doc["chunk_count"].as_u64().unwrap() > 0, "{doc}");
        assert!(
            doc["error"].is_null() && doc["indexed_at"].is_string(),
            "{doc}"
        );
        assert_eq!(doc["content_hash"].as_str().unwrap().len(), 64, "{doc}");
        assert_eq!(doc["data_source_id"], ds.as_str());
        assert!(doc["id"].as_str().unwrap().starts_with("doc_"));
    }
    let guide = &indexed["documents"][1];
    assert_eq!(guide["title"], "Watering");
    assert_eq!(guide["url"], format!("{base}/guide.html"));
    assert_eq!(guide["bytes"], guide_html.len());
    assert_eq!(
        guide["content_hash"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            guide_html.as_bytes()
        ))
    );

    let failed = documents(&t, &ds, "?status=failed").await;
    assert_eq!(failed["total"], 1, "{failed}");
    let missing = &failed["documents"][0];
    assert_eq!(missing["source_key"], format!("{base}/missing.html"));
    assert_eq!(missing["status"], "failed");
    assert!(
        missing["error"].as_str().unwrap().contains("HTTP 404"),
        "{missing}"
    );
    assert_eq!(missing["chunk_count"], 0);
    assert!(missing["indexed_at"].is_null() && missing["content_hash"].is_null());

    let skipped = documents(&t, &ds, "?status=skipped").await;
    assert_eq!(names(&skipped), ["empty.html", "logo.png", "old.html"]);
    let reasons: Vec<&str> = skipped["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["error"].as_str().unwrap())
        .collect();
    assert_eq!(reasons[0], "no text could be extracted");
    assert!(
        reasons[1].contains("unsupported content type"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].contains("meta refresh") && reasons[2].ends_with("/guide.html"),
        "{reasons:?}"
    );
    assert!(skipped["documents"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["status"] == "skipped" && d["chunk_count"] == 0));

    // `q` matches the title, or the URL, ignoring case.
    let by_title = documents(&t, &ds, "?q=ANSWERS").await;
    assert_eq!(names(&by_title), ["faq.html"]);
    let by_url = documents(&t, &ds, "?q=guide.html").await;
    assert_eq!(names(&by_url), ["guide.html"]);
    let both = documents(&t, &ds, "?q=html&status=skipped").await;
    assert_eq!(names(&both), ["empty.html", "old.html"]);
    assert_eq!(both["total"], 2);

    // Pages cover the listing once, in order, and report the total.
    let mut paged = Vec::new();
    for offset in [0, 3, 6] {
        let page = documents(&t, &ds, &format!("?limit=3&offset={offset}")).await;
        assert_eq!(
            (page["total"].as_u64(), page["limit"].as_u64()),
            (Some(7), Some(3))
        );
        assert_eq!(page["offset"], offset);
        paged.extend(names(&page));
    }
    assert_eq!(paged, names(&all));
    let past = documents(&t, &ds, "?offset=50").await;
    assert_eq!((past["total"].as_u64(), names(&past).len()), (Some(7), 0));

    let long_q = format!("?q={}", "x".repeat(201));
    for (query, field) in [
        ("?status=broken", "status"),
        ("?limit=201", "limit"),
        ("?offset=-1", "offset"),
        (long_q.as_str(), "q"),
    ] {
        let reply = t
            .get(&format!("/api/v1/data-sources/{ds}/documents{query}"), &key)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.body["error"]["details"]["field"], field, "{query}");
    }
    let unknown = t
        .get("/api/v1/data-sources/ds_unknown/documents", &key)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let foreign = t
        .get(
            &format!("/api/v1/data-sources/{ds}/documents"),
            &t.org_b.api_key,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
}

const GREENHOUSE: &str = "# Greenhouse

## Vents

The greenhouse vents open automatically when the temperature rises above 28 degrees. They close again at night when the air cools down below 15 degrees.

## Watering

Water the seedlings every morning with rain water from the butt. In winter, water only when the soil is dry to the touch.

## Pests

Whiteflies are caught with yellow sticky traps hung above the plants. Aphids are washed off with soapy water.
";

/// Chunk ids of `document` among search hits in `mode`.
async fn hits_of(t: &TestServer, ds: &str, document: &str, query: &str, mode: &str) -> usize {
    let found = t
        .post(
            "/api/v1/semantic-search",
            &t.org_a.api_key,
            json!({"query": query, "org_id": t.org_a.org_id, "mode": mode,
                   "data_source_ids": [ds], "top_k": 10}),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    found.body["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["document_id"] == document)
        .count()
}

/// The id of the document whose source key is `name`.
async fn document_named(t: &TestServer, ds: &str, name: &str) -> String {
    let listed = documents(t, ds, &format!("?q={name}")).await;
    assert_eq!(listed["total"], 1, "{listed}");
    listed["documents"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_document_shows_its_chunks_and_leaves_every_index_when_deleted() {
    let t = TestServer::start_with(|c| c.queue.poll_interval_ms = 50).await;
    let key = t.org_a.api_key.clone();
    let created = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "file", "name": "Garden", "chunk_size": 32, "chunk_overlap": 0}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let ds = created.body["id"].as_str().unwrap().to_owned();
    let files = [
        ("greenhouse.md", GREENHOUSE.as_bytes().to_vec()),
        (
            "compost.md",
            b"# Compost\n\nTurn the compost heap every fortnight.".to_vec(),
        ),
    ];
    assert_eq!(
        upload(&t, &key, &ds, &files).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        wait_for_sync(&t, &key, &ds).await["sync_status"],
        "succeeded"
    );
    let greenhouse = document_named(&t, &ds, "greenhouse.md").await;
    let compost = document_named(&t, &ds, "compost.md").await;

    // The document with all its chunks, in text order.
    let shown = t
        .get(&format!("/api/v1/documents/{greenhouse}"), &key)
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let doc = &shown.body["document"];
    assert_eq!(
        (doc["title"].as_str(), doc["status"].as_str()),
        (Some("Greenhouse"), Some("indexed"))
    );
    assert_eq!(doc["bytes"], GREENHOUSE.len());
    let chunks = shown.body["chunks"].as_array().unwrap().clone();
    assert!(chunks.len() >= 3, "{chunks:?}");
    assert_eq!(shown.body["total"], chunks.len());
    assert_eq!(doc["chunk_count"], chunks.len());
    let mut previous_start = 0;
    for c in &chunks {
        let (start, end) = (
            c["start_offset"].as_u64().unwrap(),
            c["end_offset"].as_u64().unwrap(),
        );
        assert_eq!(end - start, c["text"].as_str().unwrap().len() as u64, "{c}");
        assert!(start >= previous_start, "text order: {chunks:?}");
        previous_start = start;
        let tokens = c["token_count"].as_u64().unwrap();
        assert!((1..=40).contains(&tokens), "{c}");
        assert_eq!(c["heading_path"][0], "Greenhouse");
        assert_eq!(c["document_id"], greenhouse.as_str());
    }
    let vents = chunks
        .iter()
        .find(|c| c["text"].as_str().unwrap().contains("28 degrees"))
        .unwrap();
    assert_eq!(vents["heading_path"], json!(["Greenhouse", "Vents"]));

    // Chunks are paged like every list.
    let second = t
        .get(
            &format!("/api/v1/documents/{greenhouse}?limit=1&offset=1"),
            &key,
        )
        .await;
    assert_eq!(second.body["chunks"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["chunks"][0], chunks[1]);
    assert_eq!(second.body["total"], chunks.len());

    // One chunk, only under its own document.
    let chunk_id = vents["chunk_id"].as_str().unwrap();
    let one = t
        .get(
            &format!("/api/v1/documents/{greenhouse}/chunks/{chunk_id}"),
            &key,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(&one.body, vents);
    for (path, status, field) in [
        (
            format!("/api/v1/documents/{compost}/chunks/{chunk_id}"),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            format!("/api/v1/documents/{greenhouse}/chunks/chk_nothing"),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            format!("/api/v1/documents/{greenhouse}/chunks/{greenhouse}"),
            StatusCode::BAD_REQUEST,
            Some("chunk_id"),
        ),
        (
            format!("/api/v1/documents/{ds}"),
            StatusCode::BAD_REQUEST,
            Some("id"),
        ),
        (
            "/api/v1/documents/doc_nothing".to_owned(),
            StatusCode::NOT_FOUND,
            None,
        ),
    ] {
        let reply = t.get(&path, &key).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        if let Some(field) = field {
            assert_eq!(reply.body["error"]["details"]["field"], field, "{path}");
        }
    }

    // Another organisation sees none of it, and cannot delete it.
    let other = &t.org_b.api_key;
    for path in [
        format!("/api/v1/documents/{greenhouse}"),
        format!("/api/v1/documents/{greenhouse}/chunks/{chunk_id}"),
    ] {
        assert_eq!(
            t.get(&path, other).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let one_path = format!("/api/v1/documents/{greenhouse}");
    let foreign = t.call(Method::DELETE, &one_path, Some(other), None).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    // A read key may look but not delete.
    let (reader, _) = t.key_with(&["read"], &[]).await;
    assert_eq!(t.get(&one_path, &reader).await.status, StatusCode::OK);
    let refused = t.call(Method::DELETE, &one_path, Some(&reader), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["error"]["details"]["required_scope"], "write");

    let query = "greenhouse vents open above 28 degrees";
    for mode in ["lexical", "vector", "hybrid"] {
        assert!(
            hits_of(&t, &ds, &greenhouse, query, mode).await > 0,
            "{mode} before"
        );
    }
    let before = wait_for_sync(&t, &key, &ds).await["chunks_indexed"]
        .as_u64()
        .unwrap();

    let deleted = t.call(Method::DELETE, &one_path, Some(&key), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    for mode in ["lexical", "vector", "hybrid"] {
        assert_eq!(
            hits_of(&t, &ds, &greenhouse, query, mode).await,
            0,
            "{mode} after"
        );
    }
    assert!(hits_of(&t, &ds, &compost, "turn the compost heap", "lexical").await > 0);
    assert_eq!(t.get(&one_path, &key).await.status, StatusCode::NOT_FOUND);
    let again = t.call(Method::DELETE, &one_path, Some(&key), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let listed = documents(&t, &ds, "").await;
    assert_eq!(names(&listed), ["compost.md"]);
    let status = wait_for_sync(&t, &key, &ds).await;
    assert_eq!(
        status["chunks_indexed"].as_u64().unwrap(),
        before - chunks.len() as u64,
        "{status}"
    );

    // The file is still at its source: the next sync brings it back.
    let queued = t
        .post(&format!("/api/v1/data-sources/{ds}/sync"), &key, json!({}))
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    assert_eq!(
        wait_for_sync(&t, &key, &ds).await["sync_status"],
        "succeeded"
    );
    assert_eq!(document_named(&t, &ds, "greenhouse.md").await, greenhouse);
    assert!(hits_of(&t, &ds, &greenhouse, query, "hybrid").await > 0);
}
