//! `file` data sources over HTTP: multipart uploads of real documents and zip
//! archives are indexed by the sync they queue; refused uploads (too large,
//! unsafe archives, wrong types) answer 413/400 and store nothing; deleting a
//! file or the data source takes its chunks out of search.

use std::io::Write;
use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{upload, wait_for_sync, TestServer};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../grove-ingest/tests/fixtures")
        .join(name);
    std::fs::read(path).unwrap()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        out.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

async fn search(t: &TestServer, query: &str) -> Vec<Value> {
    let found = t
        .post(
            "/api/v1/semantic-search",
            &t.org_a.api_key,
            json!({"query": query, "org_id": t.org_a.org_id, "mode": "lexical", "top_k": 3}),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    found.body["chunks"].as_array().unwrap().clone()
}

async fn files_of(t: &TestServer, key: &str, id: &str) -> Vec<String> {
    let listed = t
        .get(&format!("/api/v1/data-sources/{id}/files"), key)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    listed.body["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn uploaded_documents_and_archives_are_indexed_and_removable() {
    let t = TestServer::start_with(|c| {
        c.ingest.max_file_bytes = 100_000;
        c.ingest.max_zip_bytes = 200_000;
    })
    .await;
    let key = t.org_a.api_key.clone();
    let created = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "file", "name": "Garden docs"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let archive = zip_of(&[
        (
            "notes/compost.md",
            b"# Compost\n\nTurn the compost heap every fortnight.",
        ),
        ("notes/seeds.csv", b"seed,depth\ncarrot,1 cm\nbean,4 cm\n"),
        ("notes/photo.jpg", b"\xff\xd8"),
    ]);
    let uploaded = upload(
        &t,
        &key,
        &id,
        &[
            ("handbook.docx", fixture("handbook.docx")),
            ("manual.pdf", fixture("manual.pdf")),
            ("notes.zip", archive),
            (
                "faq.html",
                b"<html><head><title>FAQ</title></head><body><nav>Home | About</nav><main><h1>FAQ</h1><p>Greenhouse vents open automatically above 28 degrees.</p></main></body></html>".to_vec(),
            ),
            ("todo.txt", b"Order more terracotta pots before April.".to_vec()),
            ("broken.pdf", b"%PDF-1.7 truncated".to_vec()),
        ],
    )
    .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    assert_eq!(uploaded.body["skipped"][0]["name"], "notes/photo.jpg");
    assert!(uploaded.body["sync_id"]
        .as_str()
        .unwrap()
        .starts_with("syn_"));
    let status = wait_for_sync(&t, &key, &id).await;
    assert_eq!(status["sync_status"], "succeeded", "{status}");
    assert_eq!(status["documents_done"], 6, "{status}");
    assert_eq!(status["documents_failed"], 1, "{status}");
    assert_eq!(status["errors"][0]["document"], "broken.pdf");
    let message = status["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("could not be read"), "{status}");
    assert_eq!(
        files_of(&t, &key, &id).await,
        [
            "broken.pdf",
            "faq.html",
            "handbook.docx",
            "manual.pdf",
            "notes/compost.md",
            "notes/seeds.csv",
            "todo.txt"
        ]
    );

    for (query, title) in [
        ("drain the pump before frost", "manual"),
        ("whiteflies sticky traps", "Greenhouse Handbook"),
        ("turn the compost heap", "Compost"),
        ("bean depth", "seeds"),
        ("vents open automatically", "FAQ"),
        ("terracotta pots", "todo"),
    ] {
        let hits = search(&t, query).await;
        assert_eq!(hits[0]["document_title"], title, "{query}: {hits:?}");
    }

    let removed = t
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/data-sources/{id}/files/notes/compost.md"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    wait_for_sync(&t, &key, &id).await;
    let hits = search(&t, "turn the compost heap").await;
    assert!(
        hits.iter().all(|h| h["document_title"] != "Compost"),
        "{hits:?}"
    );

    let deleted = t
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/data-sources/{id}"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(search(&t, "whiteflies sticky traps").await.is_empty());
    let data = t.stop_keeping_data().await;
    assert!(
        !data.path().join("files").join(&id).exists(),
        "files left behind"
    );
}

#[tokio::test]
async fn refused_uploads_answer_4xx_and_store_nothing() {
    let t = TestServer::start_with(|c| {
        c.ingest.max_file_bytes = 1_000;
        c.ingest.max_zip_bytes = 3_000;
    })
    .await;
    let key = t.org_a.api_key.clone();
    let created = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "file", "name": "Uploads"}),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let ok = ("ok.md", b"# fine".to_vec());

    let too_big = upload(&t, &key, &id, &[ok.clone(), ("big.txt", vec![b'x'; 1_001])]).await;
    assert_eq!(
        too_big.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        too_big.body
    );
    assert_eq!(too_big.error_code(), "payload_too_large");
    assert_eq!(too_big.body["error"]["details"]["file"], "big.txt");

    let bomb = zip_of(&[
        ("a.txt", &[b'a'; 900]),
        ("b.txt", &[b'b'; 900]),
        ("c.txt", &[b'c'; 900]),
        ("d.txt", &[b'd'; 900]),
    ]);
    let refused = upload(&t, &key, &id, &[ok.clone(), ("bomb.zip", bomb)]).await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        refused.body
    );

    let traversal = zip_of(&[("../outside.txt", b"evil")]);
    let refused = upload(&t, &key, &id, &[ok.clone(), ("evil.zip", traversal)]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.body["error"]["details"]["field"], "files");
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("outside the archive"));

    let wrong = upload(&t, &key, &id, &[ok.clone(), ("tool.exe", b"MZ".to_vec())]).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    assert!(wrong.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unsupported file type"));

    let empty = upload(&t, &key, &id, &[]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);

    let not_multipart = t
        .post(&format!("/api/v1/data-sources/{id}/files"), &key, json!({}))
        .await;
    assert_eq!(
        not_multipart.status,
        StatusCode::BAD_REQUEST,
        "{}",
        not_multipart.body
    );

    assert!(
        files_of(&t, &key, &id).await.is_empty(),
        "a refused upload stored files"
    );
    let latest = t
        .get(&format!("/api/v1/data-sources/{id}/status"), &key)
        .await;
    assert!(
        latest.body["sync_status"].is_null(),
        "a refused upload queued a sync: {}",
        latest.body
    );

    let website = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "website", "name": "Site", "config": {"url": "https://example.com"}}),
        )
        .await;
    let site_id = website.body["id"].as_str().unwrap();
    let wrong_kind = upload(&t, &key, site_id, &[ok]).await;
    assert_eq!(
        wrong_kind.status,
        StatusCode::BAD_REQUEST,
        "{}",
        wrong_kind.body
    );
    assert_eq!(wrong_kind.body["error"]["details"]["field"], "id");
    let config = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "file", "name": "X", "config": {"path": "/etc"}}),
        )
        .await;
    assert_eq!(
        config.body["error"]["details"]["field"], "config.path",
        "{}",
        config.body
    );
    t.stop().await;
}

#[tokio::test]
async fn files_uploaded_during_a_sync_are_indexed_by_a_follow_up() {
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    let created = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "file", "name": "Notes"}),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let first = upload(
        &t,
        &key,
        &id,
        &[("a.md", b"# Alpha\n\nKiwis ripen in May.".to_vec())],
    )
    .await;
    let first_sync = first.body["sync_id"].as_str().unwrap().to_owned();
    let second = upload(
        &t,
        &key,
        &id,
        &[("b.md", b"# Beta\n\nLemons ripen in June.".to_vec())],
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    // Either the first sync was still queued or running (a follow-up is
    // promised), or it had ended and a new one started.
    match second.body["follows_sync_id"].as_str() {
        Some(follows) => {
            assert_eq!(follows, first_sync);
            assert!(second.body["sync_id"].is_null());
        }
        None => assert!(second.body["sync_id"].is_string(), "{}", second.body),
    }
    let status = wait_for_sync(&t, &key, &id).await;
    assert_ne!(status["sync_id"], first_sync.as_str(), "{status}");
    assert_eq!(status["documents_done"], 2, "{status}");
    assert_eq!(
        search(&t, "lemons ripen").await[0]["document_title"],
        "Beta"
    );
    assert_eq!(
        search(&t, "kiwis ripen").await[0]["document_title"],
        "Alpha"
    );
    t.stop().await;
}
