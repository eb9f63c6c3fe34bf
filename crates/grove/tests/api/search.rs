//! `POST /api/v1/semantic-search` and its legacy alias over real HTTP, with the
//! real local embedding model.

use grove_core::ids::OrgId;
use grove_search::chunks::{ChunkInput, ChunkOwner};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestServer;

/// Creates a data source in `org` with three documents; returns its id.
async fn seed(t: &TestServer, org: &str) -> String {
    let org_id = OrgId::parse(org).unwrap();
    let ds = t
        .store
        .create_data_source(
            &org_id,
            grove_store::NewDataSource::new("Help centre", grove_core::sources::SourceKind::File),
        )
        .await
        .unwrap();
    let docs = [
        (
            "doc_refunds",
            "Refund policy",
            "Refunds are processed within 30 days of the return request.",
        ),
        (
            "doc_pricing",
            "Pricing",
            "Pricing starts at 99 dollars per month for the team plan.",
        ),
        (
            "doc_shipping",
            "Shipping",
            "Orders ship from our warehouse within two business days.",
        ),
    ];
    for (doc, title, text) in docs {
        let owner = ChunkOwner {
            org_id: org.into(),
            data_source_id: ds.id.to_string(),
            document_id: format!("{doc}{}", &org[4..8]),
        };
        let chunk = ChunkInput {
            chunk_id: format!("chk_{}{}", &doc[4..], &org[4..8]),
            text: text.into(),
            title: title.into(),
            url: Some(format!("https://help.example/{}", &doc[4..])),
            heading_path: vec![title.into()],
            start: 0,
            end: text.len(),
        };
        t.search.replace_document(owner, vec![chunk]).await.unwrap();
    }
    ds.id.to_string()
}

#[tokio::test]
async fn hybrid_search_returns_the_seed_shape() {
    let t = TestServer::start().await;
    let ds = seed(&t, &t.org_a.org_id).await;
    let reply = t
        .post(
            "/api/v1/semantic-search",
            &t.org_a.api_key,
            json!({ "query": "how long until I get my refund", "org_id": t.org_a.org_id, "top_k": 2, "data_source_ids": [ds] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let chunks = reply.body["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 2);
    let top = &chunks[0];
    assert!(top["chunk_id"].as_str().unwrap().starts_with("chk_refunds"));
    assert_eq!(top["document_title"], "Refund policy");
    assert_eq!(top["document_url"], "https://help.example/refunds");
    assert!(top["text"].as_str().unwrap().contains("30 days"));
    let score = top["similarity_score"].as_f64().unwrap();
    assert!(score > 0.3 && score <= 1.0, "{score}");
    assert!(chunks[1]["similarity_score"].as_f64().unwrap() <= score);
    assert_eq!(reply.body["query_embedding"].as_array().unwrap().len(), 384);
    assert_eq!(reply.body["metadata"]["total_chunks_searched"], 3);
    assert_eq!(reply.body["metadata"]["mode"], "hybrid");
    assert!(reply.body["metadata"]["latency_ms"].as_f64().unwrap() >= 0.0);
}

#[tokio::test]
async fn every_mode_and_the_threshold() {
    let t = TestServer::start().await;
    seed(&t, &t.org_a.org_id).await;
    for mode in ["lexical", "vector", "hybrid"] {
        let reply = t
            .post("/api/v1/semantic-search", &t.org_a.api_key, json!({ "query": "monthly price of the team plan", "org_id": t.org_a.org_id, "mode": mode }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{mode}: {}", reply.body);
        assert_eq!(reply.body["metadata"]["mode"], mode);
        assert!(
            reply.body["chunks"][0]["chunk_id"]
                .as_str()
                .unwrap()
                .starts_with("chk_pricing"),
            "{mode}: {}",
            reply.body
        );
        let strict = t
            .post(
                "/api/v1/semantic-search",
                &t.org_a.api_key,
                json!({ "query": "monthly price of the team plan", "org_id": t.org_a.org_id, "mode": mode, "similarity_threshold": 0.45 }),
            )
            .await;
        let scores: Vec<f64> = strict.body["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["similarity_score"].as_f64().unwrap())
            .collect();
        assert!(
            !scores.is_empty() && scores.iter().all(|s| *s >= 0.45),
            "{mode}: {scores:?}"
        );
        assert!(scores.len() < 3, "{mode}: weak hits kept: {scores:?}");
    }
}

#[tokio::test]
async fn the_legacy_route_speaks_camel_case() {
    let t = TestServer::start().await;
    seed(&t, &t.org_a.org_id).await;
    let reply = t
        .post(
            "/api/semantic-search",
            &t.org_a.api_key,
            json!({ "query": "shipping time", "orgId": t.org_a.org_id, "topK": 1 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let top = &reply.body["chunks"][0];
    assert!(top["chunkId"].as_str().unwrap().starts_with("chk_shipping"));
    assert!(top["similarityScore"].is_number());
    assert_eq!(reply.body["metadata"]["totalChunksSearched"], 3);
    assert_eq!(reply.body["queryEmbedding"].as_array().unwrap().len(), 384);
}

#[tokio::test]
async fn bad_values_get_400_naming_the_field() {
    let t = TestServer::start().await;
    let ds_b = seed(&t, &t.org_b.org_id).await;
    let org = t.org_a.org_id.clone();
    let cases = [
        (json!({ "org_id": org }), "query"),
        (json!({ "query": "   ", "org_id": org }), "query"),
        (json!({ "query": "x" }), "org_id"),
        (json!({ "query": "x", "org_id": t.org_b.org_id }), "org_id"),
        (json!({ "query": "x", "org_id": org, "top_k": 0 }), "top_k"),
        (
            json!({ "query": "x", "org_id": org, "top_k": 101 }),
            "top_k",
        ),
        (
            json!({ "query": "x", "org_id": org, "top_k": "ten" }),
            "top_k",
        ),
        (
            json!({ "query": "x", "org_id": org, "similarity_threshold": 1.5 }),
            "similarity_threshold",
        ),
        (
            json!({ "query": "x", "org_id": org, "similarity_threshold": -0.1 }),
            "similarity_threshold",
        ),
        (
            json!({ "query": "x", "org_id": org, "data_source_ids": ["usr_abc"] }),
            "data_source_ids[0]",
        ),
        (
            json!({ "query": "x", "org_id": org, "data_source_ids": ["ds_doesnotexist"] }),
            "data_source_ids[0]",
        ),
        // Another organisation's data source is as unknown as a missing one.
        (
            json!({ "query": "x", "org_id": org, "data_source_ids": [ds_b] }),
            "data_source_ids[0]",
        ),
        (
            json!({ "query": "x", "org_id": org, "mode": "semantic" }),
            "mode",
        ),
    ];
    for (body, field) in cases {
        let reply = t
            .post("/api/v1/semantic-search", &t.org_a.api_key, body.clone())
            .await;
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
}

#[tokio::test]
async fn search_never_crosses_organisations() {
    let t = TestServer::start().await;
    seed(&t, &t.org_a.org_id).await;
    let reply = t
        .post(
            "/api/v1/semantic-search",
            &t.org_b.api_key,
            json!({ "query": "refund", "org_id": t.org_b.org_id }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body["chunks"].as_array().unwrap().is_empty());
    assert_eq!(reply.body["metadata"]["total_chunks_searched"], 0);
}

#[tokio::test]
async fn without_a_model_search_is_lexical_and_says_so() {
    let t = TestServer::start_with(|c| {
        c.embedding.provider = grove_core::config::EmbeddingProvider::None
    })
    .await;
    seed(&t, &t.org_a.org_id).await;
    let reply = t
        .post(
            "/api/v1/semantic-search",
            &t.org_a.api_key,
            json!({ "query": "refunds processed", "org_id": t.org_a.org_id }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["metadata"]["mode"], "lexical");
    assert!(reply.body["metadata"]["note"]
        .as_str()
        .unwrap()
        .contains("no embedding model"));
    assert!(reply.body["query_embedding"].is_null());
    assert!(reply.body["chunks"][0]["chunk_id"]
        .as_str()
        .unwrap()
        .starts_with("chk_refunds"));
    let vector = t
        .post(
            "/api/v1/semantic-search",
            &t.org_a.api_key,
            json!({ "query": "refunds", "org_id": t.org_a.org_id, "mode": "vector" }),
        )
        .await;
    assert_eq!(vector.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(vector.error_code(), "service_unavailable");
    let ready = t.call(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(
        ready.body["subsystems"]["embedder"]["status"],
        "unavailable"
    );
    assert_eq!(
        ready.body["subsystems"]["search"]["modes"],
        json!(["lexical"])
    );
}
