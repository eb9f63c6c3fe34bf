//! Knowledge agents end to end: CRUD and validation in both families, each
//! retrieval strategy answering from fixture documents with the real local
//! embedder and the extractive answerer, cedar's follow-ups, streaming read
//! by an SSE client, the no-answer path, sessions, feedback and the
//! interaction filters.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{upload, wait_for_sync, TestServer};

const CHUNKING: &str = "# Chunking\n\nGrove splits every document into chunks before indexing them. \
The chunk size of a data source is configured with the chunk_size field when the data source is created. \
Its default is 512 tokens, with an overlap of 50 tokens between neighbouring chunks.\n";

const RETENTION: &str =
    "# Session retention\n\nConversation sessions are deleted after thirty days without activity. \
The retention period is a server setting, and its default can be changed in grove.toml.\n";

const COOKING: &str =
    "# Pancakes\n\nWhisk two eggs with milk and flour until the batter is smooth. \
Fry each pancake in butter for a minute on each side.\n";

/// A file data source holding the fixture documents, synced.
pub(crate) async fn fixture_source(t: &TestServer) -> String {
    let ds = t
        .post(
            "/api/v1/data-sources",
            &t.org_a.api_key,
            json!({"type": "file", "name": "Handbook"}),
        )
        .await;
    let id = ds.body["id"].as_str().unwrap().to_owned();
    let files = [
        ("chunking.md", CHUNKING.as_bytes().to_vec()),
        ("retention.md", RETENTION.as_bytes().to_vec()),
        ("pancakes.md", COOKING.as_bytes().to_vec()),
    ];
    let uploaded = upload(t, &t.org_a.api_key, &id, &files).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let status = wait_for_sync(t, &t.org_a.api_key, &id).await;
    assert_eq!(status["sync_status"], "succeeded", "{status}");
    id
}

async fn create_agent(t: &TestServer, body: Value) -> Value {
    let agent = t.post("/api/v1/agents", &t.org_a.api_key, body).await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    agent.body
}

/// An agent over `source` with a threshold low enough for the fixtures.
pub(crate) async fn agent(t: &TestServer, source: &str, strategy: &str) -> String {
    let body = json!({
        "name": format!("{strategy} agent"),
        "rag_strategy": strategy,
        "data_source_ids": [source],
        "similarity_threshold": 0.2,
    });
    create_agent(t, body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn ask(t: &TestServer, agent: &str, query: &str, session: Option<&str>) -> Value {
    let mut body = json!({"agent_id": agent, "query": query});
    if let Some(session) = session {
        body["session_id"] = json!(session);
    }
    let answer = t.post("/api/v1/query", &t.org_a.api_key, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

/// The titles of the sources the answer cites.
fn cited_titles(answer: &Value) -> Vec<String> {
    answer["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["cited"] == true)
        .map(|s| s["document_title"].as_str().unwrap().to_owned())
        .collect()
}

/// Every cited source's span lies in its chunk and its text is quoted in
/// the answer (the extractive answerer quotes whole sentences).
fn assert_spans_are_quoted(answer: &Value) {
    let response = answer["response"].as_str().unwrap();
    let normalise = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for source in answer["sources"].as_array().unwrap() {
        if source["cited"] != true {
            assert!(source["span"].is_null());
            continue;
        }
        let text = source["chunk_text"].as_str().unwrap();
        let (start, end) = (
            source["span"]["start"].as_u64().unwrap() as usize,
            source["span"]["end"].as_u64().unwrap() as usize,
        );
        assert!(start < end && end <= text.len(), "{source}");
        let quoted = normalise(&text[start..end]);
        assert!(
            normalise(response).contains(&quoted),
            "span `{quoted}` is not in the answer `{response}`"
        );
        let marker = format!("[{}]", source["number"]);
        assert!(response.contains(&marker), "{marker} missing in {response}");
    }
}

#[tokio::test]
async fn agents_are_created_validated_listed_updated_and_deleted() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let key = &t.org_a.api_key;
    let created = create_agent(
        &t,
        json!({"name": "Support Agent", "data_source_ids": [source], "description": "Helps"}),
    )
    .await;
    assert_eq!(created["slug"], "support-agent");
    assert_eq!(created["model"], "extractive");
    assert_eq!(created["rag_strategy"], "redwood");
    assert_eq!(created["status"], "active");
    assert_eq!(created["active"], true);
    assert!((created["temperature"].as_f64().unwrap() - 0.7).abs() < 1e-6);
    assert_eq!(created["max_tokens"], 500);
    assert!((created["similarity_threshold"].as_f64().unwrap() - 0.7).abs() < 1e-6);
    // The same name again gets the next free slug.
    let again = create_agent(
        &t,
        json!({"name": "Support Agent", "data_source_ids": [source]}),
    )
    .await;
    assert_eq!(again["slug"], "support-agent-2");

    for (body, field) in [
        (
            json!({"name": "A", "data_source_ids": [source], "temperature": 2.5}),
            "temperature",
        ),
        (
            json!({"name": "A", "data_source_ids": [source], "max_tokens": 0}),
            "max_tokens",
        ),
        (
            json!({"name": "A", "data_source_ids": ["ds_nothere"]}),
            "data_source_ids[0]",
        ),
        (
            json!({"name": "A", "data_source_ids": []}),
            "data_source_ids",
        ),
        (json!({"name": "A"}), "data_source_ids"),
        (json!({"data_source_ids": [source]}), "name"),
        (
            json!({"name": "A", "data_source_ids": [source], "model": "gpt-4"}),
            "model",
        ),
        (
            json!({"name": "A", "data_source_ids": [source], "rag_strategy": "oak"}),
            "rag_strategy",
        ),
        (
            json!({"name": "A", "data_source_ids": [source], "slug": "Bad Slug"}),
            "slug",
        ),
    ] {
        let reply = t.post("/api/v1/agents", key, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(
            reply.body["error"]["details"]["field"], field,
            "{}",
            reply.body
        );
    }
    let taken = t
        .post(
            "/api/v1/agents",
            key,
            json!({"name": "B", "slug": "support-agent", "data_source_ids": [source]}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    let id = created["id"].as_str().unwrap();
    let updated = t
        .call(
            Method::PUT,
            &format!("/api/v1/agents/{id}"),
            Some(key),
            Some(json!({"rag_strategy": "cypress", "temperature": 0.2, "active": false})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["rag_strategy"], "cypress");
    assert_eq!(updated.body["status"], "inactive");
    assert_eq!(updated.body["name"], "Support Agent");
    assert_eq!(updated.body["description"], "Helps");

    let page = t.get("/api/v1/agents?limit=1&offset=1", key).await;
    assert_eq!(page.body["total"], 2);
    assert_eq!(page.body["agents"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["agents"][0]["id"], again["id"]);

    let deleted = t
        .call(
            Method::DELETE,
            &format!("/api/v1/agents/{id}"),
            Some(key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = t.get(&format!("/api/v1/agents/{id}"), key).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_legacy_family_speaks_strategy_codes_in_camel_case() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let key = &t.org_a.api_key;
    let created = t
        .post(
            "/api/ai-agent-managers",
            key,
            json!({"name": "Support Agent", "description": "Customer support assistant",
                   "strategyCode": "CEDAR", "dataSourceIds": [source], "similarityThreshold": 0.2}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["strategyCode"], "CEDAR");
    assert_eq!(created.body["ragStrategy"], "cedar");
    assert_eq!(created.body["dataSourceIds"], json!([source]));
    let bad = t
        .post(
            "/api/ai-agent-managers",
            key,
            json!({"name": "X", "strategyCode": "OAK", "dataSourceIds": [source]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["error"]["details"]["field"], "strategy_code");
    let listed = t.get("/api/ai-agent-managers", key).await;
    assert_eq!(listed.body["agents"][0]["strategyCode"], "CEDAR");
    // The v1 view of the same agent.
    let id = created.body["id"].as_str().unwrap();
    let v1 = t.get(&format!("/api/v1/agents/{id}"), key).await;
    assert_eq!(v1.body["rag_strategy"], "cedar");

    let chat = t
        .post(
            "/api/chat",
            key,
            json!({"prompt": "How is the chunk size configured?", "agentId": id, "stream": false}),
        )
        .await;
    assert_eq!(chat.status, StatusCode::OK, "{}", chat.body);
    assert!(chat.body["response"]
        .as_str()
        .unwrap()
        .contains("chunk_size"));
    let source = &chat.body["sources"][0];
    assert_eq!(source["title"], "Chunking");
    assert!(source["content"].as_str().unwrap().contains("512 tokens"));
    assert!(source["relevance"].as_f64().unwrap() > 0.0);
    let metadata = &chat.body["metadata"];
    assert_eq!(metadata["strategy"], "CEDAR");
    assert!(metadata["latency"].as_f64().unwrap() > 0.0);
    assert!(metadata["tokensUsed"].as_u64().unwrap() > 0);
    assert!(metadata["confidence"].as_f64().unwrap() > 0.0);
    assert!(metadata["interactionId"]
        .as_str()
        .unwrap()
        .starts_with("int_"));
    assert!(metadata["sessionId"].as_str().unwrap().starts_with("sess_"));

    let interactions = t.get("/api/interactions?limit=5", key).await;
    assert_eq!(
        interactions.body["interactions"][0]["id"],
        metadata["interactionId"]
    );
    assert_eq!(interactions.body["interactions"][0]["ragStrategy"], "cedar");
}

#[tokio::test]
async fn each_strategy_answers_from_the_documents_with_cited_spans() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    for strategy in ["redwood", "cedar", "cypress"] {
        let agent = agent(&t, &source, strategy).await;
        let answer = ask(
            &t,
            &agent,
            "How is the chunk size of a data source configured?",
            None,
        )
        .await;
        let response = answer["response"].as_str().unwrap();
        assert!(response.contains("chunk_size"), "{strategy}: {response}");
        assert_eq!(cited_titles(&answer)[0], "Chunking", "{strategy}: {answer}");
        assert_spans_are_quoted(&answer);
        let metadata = &answer["metadata"];
        assert_eq!(metadata["rag_strategy"], strategy);
        assert_eq!(metadata["model"], "extractive");
        assert_eq!(metadata["outcome"], "answered");
        assert_eq!(metadata["cost_usd"], 0.0);
        assert!(
            metadata["tokens_input"].as_u64().unwrap()
                > metadata["tokens_output"].as_u64().unwrap()
        );
        let queries = metadata["queries"].as_array().unwrap();
        match strategy {
            "cypress" => assert!(queries.len() >= 2, "{queries:?}"),
            _ => assert_eq!(queries.len(), 1),
        }
        // The interaction holds what the answer said, and the trace.
        let id = metadata["interaction_id"].as_str().unwrap();
        let stored = t
            .get(&format!("/api/v1/interactions/{id}"), &t.org_a.api_key)
            .await;
        assert_eq!(stored.body["response"], answer["response"]);
        assert_eq!(stored.body["retrieval"]["queries"], metadata["queries"]);
        assert!(stored.body["retrieval"]["search_ms"].as_f64().unwrap() > 0.0);
        assert_eq!(stored.body["key_id"].as_str().unwrap()[..4], *"key_");
    }
    // Each answer was announced in the outbox.
    let events = t
        .store
        .recent_events("interaction.completed", 100)
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
}

#[tokio::test]
async fn cedar_answers_a_follow_up_from_the_earlier_turn() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let cedar = agent(&t, &source, "cedar").await;
    let first = ask(&t, &cedar, "How is the chunk size configured?", None).await;
    let session = first["metadata"]["session_id"].as_str().unwrap().to_owned();
    let follow_up = ask(&t, &cedar, "What about its default?", Some(&session)).await;
    let query = follow_up["metadata"]["queries"][0].as_str().unwrap();
    assert!(
        query.starts_with("What about its default?") && query.contains("chunk"),
        "{query}"
    );
    assert_eq!(cited_titles(&follow_up)[0], "Chunking", "{follow_up}");
    assert!(
        follow_up["response"]
            .as_str()
            .unwrap()
            .contains("512 tokens"),
        "{follow_up}"
    );
    assert_eq!(follow_up["metadata"]["session_id"], json!(session));

    // Redwood takes the follow-up as asked: it has nothing to say about chunks.
    let redwood = agent(&t, &source, "redwood").await;
    let first = ask(&t, &redwood, "How is the chunk size configured?", None).await;
    let session = first["metadata"]["session_id"].as_str().unwrap().to_owned();
    let plain = ask(&t, &redwood, "What about its default?", Some(&session)).await;
    assert_eq!(plain["metadata"]["queries"][0], "What about its default?");
    assert_ne!(
        cited_titles(&plain).first().map(String::as_str),
        Some("Chunking"),
        "{plain}"
    );
}

#[tokio::test]
async fn nothing_above_the_threshold_gives_the_no_answer_reply() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    // The default threshold, 0.7.
    let agent = create_agent(&t, json!({"name": "Strict", "data_source_ids": [source]})).await;
    let id = agent["id"].as_str().unwrap();
    let answer = ask(&t, id, "Who won the football world cup in 1954?", None).await;
    assert_eq!(answer["metadata"]["outcome"], "no_answer");
    assert_eq!(answer["response"], grove_agent::NO_ANSWER);
    assert_eq!(answer["sources"], json!([]));
    let stored = t
        .get(
            &format!(
                "/api/v1/interactions/{}",
                answer["metadata"]["interaction_id"].as_str().unwrap()
            ),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(stored.body["outcome"], "no_answer");
}

#[tokio::test]
async fn sources_with_nothing_quotable_give_the_no_answer_reply_not_an_empty_one() {
    let t = TestServer::start().await;
    let ds = t
        .post(
            "/api/v1/data-sources",
            &t.org_a.api_key,
            json!({"type": "file", "name": "Snippets"}),
        )
        .await;
    let id = ds.body["id"].as_str().unwrap().to_owned();
    // Only headings and code: nothing the extractive answerer may quote.
    let snippets = "# Mutex snippets\n\n## Locking a mutex\n\n```rust\nlet m = Mutex::new(5);\n\
                    let mut num = m.lock().unwrap();\n*num = 6;\n```\n";
    let uploaded = upload(
        &t,
        &t.org_a.api_key,
        &id,
        &[("snippets.md", snippets.as_bytes().to_vec())],
    )
    .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    wait_for_sync(&t, &t.org_a.api_key, &id).await;
    let body = json!({"name": "Loose", "data_source_ids": [id], "similarity_threshold": 0.0});
    let agent = create_agent(&t, body).await;
    let answer = ask(
        &t,
        agent["id"].as_str().unwrap(),
        "How do I lock a mutex?",
        None,
    )
    .await;
    assert_eq!(answer["metadata"]["outcome"], "no_answer", "{answer}");
    assert_eq!(answer["response"], grove_agent::NO_ANSWER);
}

#[tokio::test]
async fn inactive_agents_and_bad_queries_are_refused() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let key = &t.org_a.api_key;
    let id = agent(&t, &source, "redwood").await;
    for (body, status, field) in [
        (
            json!({"agent_id": id, "query": "  "}),
            StatusCode::BAD_REQUEST,
            "query",
        ),
        (
            json!({"agent_id": "agent_nothere", "query": "x"}),
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            json!({"agent_id": "ds_x", "query": "x"}),
            StatusCode::BAD_REQUEST,
            "agent_id",
        ),
        (
            json!({"agent_id": id, "query": "x", "temperature": 3}),
            StatusCode::BAD_REQUEST,
            "temperature",
        ),
        (
            json!({"agent_id": id, "query": "x", "session_id": "sess_nothere"}),
            StatusCode::NOT_FOUND,
            "",
        ),
        (json!({"query": "x"}), StatusCode::BAD_REQUEST, "agent_id"),
    ] {
        let reply = t.post("/api/v1/query", key, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        if !field.is_empty() {
            assert_eq!(reply.body["error"]["details"]["field"], field);
        }
    }
    let off = t
        .call(
            Method::PUT,
            &format!("/api/v1/agents/{id}"),
            Some(key),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK);
    let refused = t
        .post(
            "/api/v1/query",
            key,
            json!({"agent_id": id, "query": "What is the chunk size?"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.error_code(), "agent_inactive");
    // A session belongs to its agent.
    let other = agent(&t, &source, "cedar").await;
    let first = ask(&t, &other, "What is the chunk size?", None).await;
    let session = first["metadata"]["session_id"].as_str().unwrap();
    let on = t
        .call(
            Method::PUT,
            &format!("/api/v1/agents/{id}"),
            Some(key),
            Some(json!({"active": true})),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK);
    let mixed = t
        .post(
            "/api/v1/query",
            key,
            json!({"agent_id": id, "query": "x", "session_id": session}),
        )
        .await;
    assert_eq!(mixed.status, StatusCode::BAD_REQUEST);
    assert_eq!(mixed.body["error"]["details"]["field"], "session_id");
}

#[tokio::test]
async fn streaming_sends_deltas_then_sources_and_metadata() {
    use eventsource_stream::Eventsource;
    use futures_util::StreamExt;

    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let agent = agent(&t, &source, "redwood").await;
    let response = t
        .client
        .post(t.url("/api/v1/query"))
        .bearer_auth(&t.org_a.api_key)
        .json(&json!({"agent_id": agent, "query": "How is the chunk size configured?", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut events = response.bytes_stream().eventsource();
    let mut deltas = String::new();
    let mut frames = 0;
    let done = loop {
        let event = events
            .next()
            .await
            .expect("stream ended before done")
            .unwrap();
        let frame: Value = serde_json::from_str(&event.data).unwrap();
        frames += 1;
        if frame["done"] == true {
            break frame;
        }
        deltas.push_str(frame["delta"].as_str().unwrap());
    };
    assert!(frames >= 2, "{frames} frames");
    assert_eq!(done["delta"], "");
    assert!(done.get("response").is_none());
    assert_eq!(done["metadata"]["outcome"], "answered");
    assert_eq!(done["sources"][0]["document_title"], "Chunking");
    let id = done["metadata"]["interaction_id"].as_str().unwrap();
    let stored = t
        .get(&format!("/api/v1/interactions/{id}"), &t.org_a.api_key)
        .await;
    assert_eq!(stored.body["response"], json!(deltas));
    assert!(deltas.contains("[1]"), "{deltas}");

    // The legacy family streams too, with its own closing shape.
    let response = t
        .client
        .post(t.url("/api/chat"))
        .bearer_auth(&t.org_a.api_key)
        .json(&json!({"agentId": agent, "prompt": "What is the default overlap?", "stream": true}))
        .send()
        .await
        .unwrap();
    let frames: Vec<Value> = response
        .bytes_stream()
        .eventsource()
        .map(|e| serde_json::from_str(&e.unwrap().data).unwrap())
        .collect()
        .await;
    let last = frames.last().unwrap();
    assert_eq!(last["done"], true);
    assert_eq!(last["metadata"]["strategy"], "REDWOOD");
    assert!(last["sources"][0]["title"].is_string(), "{last}");
}

#[tokio::test]
async fn sessions_keep_turns_until_deleted() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let key = &t.org_a.api_key;
    let agent = agent(&t, &source, "cedar").await;
    let first = ask(&t, &agent, "How is the chunk size configured?", None).await;
    let session = first["metadata"]["session_id"].as_str().unwrap().to_owned();
    ask(&t, &agent, "And the overlap?", Some(&session)).await;
    let view = t.get(&format!("/api/v1/sessions/{session}"), key).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.body["agent_id"], json!(agent));
    let turns = view.body["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[0]["query"], "How is the chunk size configured?");
    assert_eq!(turns[1]["query"], "And the overlap?");

    let deleted = t
        .call(
            Method::DELETE,
            &format!("/api/v1/sessions/{session}"),
            Some(key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = t.get(&format!("/api/v1/sessions/{session}"), key).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let continued = t
        .post(
            "/api/v1/query",
            key,
            json!({"agent_id": agent, "query": "x", "session_id": session}),
        )
        .await;
    assert_eq!(continued.status, StatusCode::NOT_FOUND);
    // The turns stay in the interaction log, detached.
    let log = t
        .get(&format!("/api/v1/interactions?agent_id={agent}"), key)
        .await;
    assert_eq!(log.body["total"], 2);
    assert!(log.body["interactions"][0]["session_id"].is_null());
}

#[tokio::test]
async fn feedback_is_recorded_and_the_log_filters_by_it() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let key = &t.org_a.api_key;
    let redwood = agent(&t, &source, "redwood").await;
    let cedar = agent(&t, &source, "cedar").await;
    let a = ask(&t, &redwood, "How is the chunk size configured?", None).await;
    let b = ask(&t, &redwood, "When are sessions deleted?", None).await;
    let c = ask(&t, &cedar, "How do I make pancakes?", None).await;
    let id = |v: &Value| v["metadata"]["interaction_id"].as_str().unwrap().to_owned();

    let liked = t
        .post(
            &format!("/api/v1/interactions/{}/feedback", id(&a)),
            key,
            json!({"feedback": "positive", "comment": "Very helpful!"}),
        )
        .await;
    assert_eq!(liked.status, StatusCode::OK, "{}", liked.body);
    assert_eq!(liked.body["feedback"], "positive");
    assert_eq!(liked.body["feedback_comment"], "Very helpful!");
    let rated = t
        .post(
            "/api/interactions/feedback",
            key,
            json!({"interactionId": id(&b), "rating": 2, "comment": "Too short"}),
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert_eq!(rated.body["feedback"], "negative");
    assert_eq!(rated.body["rating"], 2);
    for (body, field) in [
        (json!({"interactionId": id(&b), "rating": 6}), "rating"),
        (
            json!({"interactionId": "int_nothere", "rating": 0}),
            "rating",
        ),
    ] {
        let bad = t.post("/api/interactions/feedback", key, body).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(bad.body["error"]["details"]["field"], field);
    }
    let bad = t
        .post(
            &format!("/api/v1/interactions/{}/feedback", id(&a)),
            key,
            json!({"feedback": "meh"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["error"]["details"]["field"], "feedback");

    let ids = |path: &str| {
        let t = &t;
        let path = path.to_owned();
        async move {
            let reply = t.get(&path, key).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
            let listed: Vec<String> = reply.body["interactions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(reply.body["total"], listed.len(), "{path}");
            listed
        }
    };
    assert_eq!(
        ids("/api/v1/interactions").await,
        vec![id(&c), id(&b), id(&a)]
    );
    assert_eq!(
        ids("/api/v1/interactions?feedback=positive").await,
        vec![id(&a)]
    );
    assert_eq!(
        ids("/api/v1/interactions?feedback=negative").await,
        vec![id(&b)]
    );
    assert_eq!(
        ids("/api/v1/interactions?feedback=null").await,
        vec![id(&c)]
    );
    assert_eq!(
        ids(&format!("/api/v1/interactions?agent_id={cedar}")).await,
        vec![id(&c)]
    );
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let yesterday = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24))
        .strftime("%Y-%m-%d")
        .to_string();
    let range = format!("/api/v1/interactions?start_date={today}&end_date={today}");
    assert_eq!(ids(&range).await.len(), 3);
    let before = format!("/api/v1/interactions?start_date={yesterday}&end_date={yesterday}");
    assert!(ids(&before).await.is_empty());
    let page = t.get("/api/v1/interactions?limit=1&offset=1", key).await;
    assert_eq!(page.body["total"], 3);
    assert_eq!(page.body["interactions"][0]["id"], json!(id(&b)));
    for (query, field) in [
        ("start_date=2024-13-01", "start_date"),
        (
            &*format!("start_date={today}&end_date={yesterday}"),
            "end_date",
        ),
        ("feedback=great", "feedback"),
        ("agent_id=ds_x", "agent_id"),
    ] {
        let reply = t.get(&format!("/api/v1/interactions?{query}"), key).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.body["error"]["details"]["field"], field, "{query}");
    }
}
