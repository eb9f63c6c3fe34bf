//! `/api/v1/data-sources` and the legacy `/api/data-specs` over real HTTP:
//! CRUD and validation, the status filter, one sync at a time, and a crawl
//! of the Rust book from the toolchain, scored by `grove eval retrieval`.

use std::collections::HashSet;
use std::path::PathBuf;

use grove_core::ids::DataSourceId;
use grove_core::sources::DocumentStatus;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{serve_dir, wait_for_sync, TestServer};

fn website(url: &str) -> Value {
    json!({"type": "website", "name": "Docs", "config": {"url": url}})
}

#[tokio::test]
async fn data_sources_are_created_listed_updated_and_deleted() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;
    let created = t
        .post(
            "/api/v1/data-sources",
            key,
            json!({
                "type": "website",
                "name": "Product docs",
                "config": {"url": "https://docs.example.com", "max_pages": 50},
                "sync_frequency": "daily",
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("ds_"));
    assert_eq!(created.body["status"], "pending");
    assert_eq!(created.body["type"], "website");
    assert_eq!(created.body["sync_frequency"], "daily");
    assert_eq!(created.body["chunk_size"], 512);
    // Credentials are masked in answers: see secrets.rs (Confluence's token).

    let got = t.get(&format!("/api/v1/data-sources/{id}"), key).await;
    assert_eq!(got.body["name"], "Product docs");
    let updated = t
        .call(
            Method::PUT,
            &format!("/api/v1/data-sources/{id}"),
            Some(key),
            Some(json!({"name": "Docs", "chunk_size": 256})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(
        (
            updated.body["name"].as_str(),
            updated.body["chunk_size"].as_u64()
        ),
        (Some("Docs"), Some(256))
    );

    let pending = t
        .get("/api/v1/data-sources?status=pending&limit=10", key)
        .await;
    assert_eq!(pending.body["total"], 1);
    assert_eq!(pending.body["data_sources"][0]["id"], id.as_str());
    let active = t.get("/api/v1/data-sources?status=active", key).await;
    assert_eq!(active.body["total"], 0);
    let bad = t.get("/api/v1/data-sources?status=sleeping", key).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["error"]["details"]["field"], "status");

    let other = t
        .get(&format!("/api/v1/data-sources/{id}"), &t.org_b.api_key)
        .await;
    assert_eq!(
        other.status,
        StatusCode::NOT_FOUND,
        "another organisation's source is absent"
    );

    let deleted = t
        .call(
            Method::DELETE,
            &format!("/api/v1/data-sources/{id}"),
            Some(key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = t.get(&format!("/api/v1/data-sources/{id}"), key).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    t.stop().await;
}

#[tokio::test]
async fn bad_data_sources_are_refused_naming_the_field() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;
    let cases = [
        (json!({"type": "ftp", "name": "x", "config": {}}), "type"),
        (
            json!({"type": "website", "name": "", "config": {"url": "https://a.example"}}),
            "name",
        ),
        (
            json!({"type": "website", "name": "x", "config": {}}),
            "config.url",
        ),
        (
            json!({"type": "website", "name": "x", "config": {"url": "file:///etc/passwd"}}),
            "config.url",
        ),
        (
            json!({"type": "website", "name": "x", "config": {"url": "https://a.example", "max_pages": 0}}),
            "config.max_pages",
        ),
        (
            json!({"type": "website", "name": "x", "config": {"url": "https://a.example"}, "sync_frequency": "yearly"}),
            "sync_frequency",
        ),
        (
            json!({"type": "website", "name": "x", "config": {"url": "https://a.example"}, "chunk_size": 8}),
            "chunk_size",
        ),
        (
            json!({"type": "website", "name": "x", "config": {"url": "https://a.example"}, "chunk_overlap": 400}),
            "chunk_overlap",
        ),
        (
            // Doubled, this overlap wraps a u32 (schemathesis found it).
            json!({"type": "website", "name": "x", "config": {"url": "https://a.example"}, "chunk_overlap": 2_147_483_648_u32}),
            "chunk_overlap",
        ),
        (
            json!({"type": "website", "name": "x", "config": "https://a.example"}),
            "config",
        ),
        (
            json!({"type": "confluence", "name": "x", "config": {}}),
            "config.base_url",
        ),
        (
            json!({"type": "slack", "name": "x", "config": {"token": "xoxb-1", "channels": "C1"}}),
            "config.channels",
        ),
        (
            json!({"type": "google_drive", "name": "x", "config": {}}),
            "config.access_token",
        ),
        (
            json!({"type": "sharepoint", "name": "x", "config": {"access_token": "t"}}),
            "config.drive_id",
        ),
        (
            json!({"type": "slack", "name": "x", "config": {"token": "t", "base_url": "ftp://x"}}),
            "config.base_url",
        ),
        (
            json!({"type": "kb", "name": "x", "config": {"space": 1}}),
            "config.space",
        ),
    ];
    for (body, field) in cases {
        let reply = t.post("/api/v1/data-sources", key, body.clone()).await;
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
    }
    let listed = t.get("/api/v1/data-sources", key).await;
    assert_eq!(listed.body["total"], 0, "nothing was stored");
    let missing = t
        .post(
            &format!("/api/v1/data-sources/{}/sync", DataSourceId::generate()),
            key,
            json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    t.stop().await;
}

#[tokio::test]
async fn the_legacy_data_specs_family_creates_lists_and_processes() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;
    let created = t
        .post(
            "/api/data-specs",
            key,
            json!({
                "type": "WEBSITE",
                "name": "Product Documentation",
                "url": "https://docs.example.com",
                "refreshFrequency": "DAILY"
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["syncFrequency"], "daily");
    assert_eq!(created.body["config"]["url"], "https://docs.example.com");
    let id = created.body["id"].as_str().unwrap();
    let listed = t.get("/api/data-specs", key).await;
    assert_eq!(listed.body["dataSources"][0]["id"], id);
    // The scheduler may pick up the daily one at any time; process a manual one.
    let manual = t
        .post(
            "/api/data-specs",
            key,
            json!({"type": "WEBSITE", "name": "Manual", "url": "https://docs.example.com", "refreshFrequency": "MANUAL"}),
        )
        .await;
    assert_eq!(manual.body["syncFrequency"], "manual", "{}", manual.body);
    let id = manual.body["id"].as_str().unwrap();
    let processed = t
        .post(&format!("/api/data-specs/{id}/process"), key, json!({}))
        .await;
    assert_eq!(processed.status, StatusCode::ACCEPTED, "{}", processed.body);
    assert!(processed.body["syncId"]
        .as_str()
        .unwrap()
        .starts_with("syn_"));
    t.stop().await;
}

fn book_dir() -> PathBuf {
    let sysroot = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8(sysroot.stdout).unwrap().trim())
        .join("share/doc/rust/html/book")
}

/// `ch03-01-…` or `appendix-02-…`.
fn is_chapter(stem: &str) -> bool {
    let numbered = |rest: &str| rest.len() > 3 && rest[..2].bytes().all(|b| b.is_ascii_digit());
    stem.strip_prefix("ch").is_some_and(numbered)
        || stem.strip_prefix("appendix-").is_some_and(numbered)
}

/// The book's chapter pages (`ch*`, `appendix-*`), and its redirect stubs.
fn book_pages(dir: &std::path::Path) -> (HashSet<String>, HashSet<String>) {
    let (mut chapters, mut stubs) = (HashSet::new(), HashSet::new());
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".html") else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("http-equiv=\"refresh\"") {
            stubs.insert(stem.to_owned());
        } else if is_chapter(stem) {
            chapters.insert(stem.to_owned());
        }
    }
    (chapters, stubs)
}

#[tokio::test]
async fn the_rust_book_is_crawled_once_per_chapter_and_answers_the_dev_set() {
    let book = book_dir();
    let (chapters, stubs) = book_pages(&book);
    assert!(
        chapters.len() > 90 && !stubs.is_empty(),
        "toolchain book not found at {}",
        book.display()
    );
    let base = serve_dir(book).await;
    let t = TestServer::start_with(|c| {
        c.allow_private_networks = true;
        c.queue.poll_interval_ms = 50;
    })
    .await;
    let key = t.org_a.api_key.clone();
    let mut body = website(&format!("{base}/index.html"));
    body["config"]["exclude_patterns"] = json!(["*/print.html"]);
    let created = t.post("/api/v1/data-sources", &key, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let queued = t
        .post(&format!("/api/v1/data-sources/{id}/sync"), &key, json!({}))
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    let sync_id = queued.body["sync_id"].as_str().unwrap().to_owned();
    let again = t
        .post(&format!("/api/v1/data-sources/{id}/sync"), &key, json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error"]["details"]["sync_id"], sync_id.as_str());

    let status = wait_for_sync(&t, &key, &id).await;
    assert_eq!(status["sync_status"], "succeeded", "{status}");
    assert_eq!(status["status"], "active");
    assert_eq!(status["progress_pct"], 100);
    assert!(status["chunks_indexed"].as_u64().unwrap() > 500, "{status}");
    assert!(status["last_synced_at"].is_string());

    let ds_id = DataSourceId::parse(&id).unwrap();
    let docs = t.store.documents(&ds_id).await.unwrap();
    let (docs, not_indexed): (Vec<_>, Vec<_>) = docs
        .into_iter()
        .partition(|d| d.status == DocumentStatus::Indexed);
    let names: Vec<String> = docs.iter().map(|d| page_name(&d.source_key)).collect();
    let distinct: HashSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), names.len(), "a page was indexed twice");
    let missing: Vec<&String> = chapters.iter().filter(|c| !distinct.contains(c)).collect();
    assert!(missing.is_empty(), "chapters not indexed: {missing:?}");
    let indexed_stubs: Vec<&String> = names.iter().filter(|n| stubs.contains(*n)).collect();
    assert!(
        indexed_stubs.is_empty(),
        "redirect stubs indexed: {indexed_stubs:?}"
    );
    // Any stub the crawl reached is recorded as skipped, saying where it
    // leads; every page that failed (links to other books) says why.
    for d in &not_indexed {
        let why = d.error.as_deref().unwrap_or("");
        if stubs.contains(&page_name(&d.source_key)) {
            assert_eq!(d.status, DocumentStatus::Skipped, "{d:?}");
            assert!(why.contains("meta refresh"), "{d:?}");
        } else if d.status == DocumentStatus::Failed {
            assert!(why.starts_with(&d.source_key), "{d:?}");
        }
    }
    assert_eq!(
        (status["documents_done"].as_u64().unwrap() + status["documents_failed"].as_u64().unwrap())
            as usize,
        docs.len() + not_indexed.len()
    );

    let org = t.org_a.org_id.clone();
    let data = t.stop_keeping_data().await;
    let questions =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../eval/rust-book/questions.tsv");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grove"))
        .args([
            "eval",
            "retrieval",
            "--modes",
            "hybrid",
            "--data-source",
            &id,
            "--org",
            &org,
        ])
        .arg("--questions")
        .arg(&questions)
        .arg("--data-dir")
        .arg(data.path())
        .envs(data.store_env())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // `system mode hit@5 MRR@10 recall@10`
    let hybrid = stdout
        .lines()
        .find(|l| l.starts_with("grove") && l.split_whitespace().nth(1) == Some("hybrid"))
        .unwrap_or_default();
    let hit_at_5: f64 = hybrid
        .split_whitespace()
        .nth(2)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    assert!(
        hit_at_5 >= 0.9,
        "dev-set hit@5 over the crawled book: {stdout}"
    );
}

#[tokio::test]
async fn a_kb_source_indexes_published_articles_and_drops_the_rest() {
    use grove_core::sources::ArticleStatus;
    use grove_store::NewKbArticle;
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    let org = grove_core::ids::OrgId::parse(&t.org_a.org_id).unwrap();
    let article = |title: &str, content: &str, status| NewKbArticle {
        title: title.into(),
        content: content.into(),
        tags: vec!["hr".into()],
        status,
    };
    let leave = t
        .store
        .create_kb_article(
            &org,
            article(
                "Parental leave",
                "Parents get sixteen weeks of paid leave.",
                ArticleStatus::Published,
            ),
        )
        .await
        .unwrap();
    t.store
        .create_kb_article(
            &org,
            article(
                "Draft: bonus plan",
                "Bonuses are paid in March.",
                ArticleStatus::Draft,
            ),
        )
        .await
        .unwrap();
    let other_org = grove_core::ids::OrgId::parse(&t.org_b.org_id).unwrap();
    t.store
        .create_kb_article(
            &other_org,
            article(
                "Org B secret",
                "Org B pays bonuses in June.",
                ArticleStatus::Published,
            ),
        )
        .await
        .unwrap();

    let created = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "kb", "name": "Knowledge base"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let sync = async || {
        let queued = t
            .post(&format!("/api/v1/data-sources/{id}/sync"), &key, json!({}))
            .await;
        assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
        wait_for_sync(&t, &key, &id).await
    };
    let status = sync().await;
    assert_eq!(status["sync_status"], "succeeded", "{status}");
    assert_eq!(
        status["documents_done"], 1,
        "only the published article of this organisation"
    );
    let search = async |query: &str| {
        let found = t
            .post(
                "/api/v1/semantic-search",
                &t.org_a.api_key,
                json!({"query": query, "org_id": t.org_a.org_id, "mode": "lexical"}),
            )
            .await;
        found.body["chunks"].as_array().unwrap().clone()
    };
    let hits = search("paid parental leave weeks").await;
    assert_eq!(hits[0]["document_title"], "Parental leave");
    assert_eq!(hits[0]["document_url"], format!("/api/v1/kb/{}", leave.id));
    assert!(
        search("bonuses").await.is_empty(),
        "drafts and other organisations stay out"
    );

    t.store
        .update_kb_article(
            &org,
            &leave.id,
            article(
                "Parental leave",
                "Parents get sixteen weeks.",
                ArticleStatus::Draft,
            ),
        )
        .await
        .unwrap()
        .unwrap();
    // Unpublishing queued the source's sync in the same transaction.
    let status = wait_for_sync(&t, &key, &id).await;
    assert_eq!(status["documents_done"], 0, "{status}");
    assert!(
        search("paid parental leave weeks").await.is_empty(),
        "unpublished articles leave the index"
    );
    t.stop().await;
}

/// A page's file name without `.html`, as the book's chapter lists name them.
fn page_name(url: &str) -> String {
    let key = grove_search::eval::page_key(url);
    key.rsplit('/').next().unwrap_or(&key).to_owned()
}
