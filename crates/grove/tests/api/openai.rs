//! The OpenAI-compatible face (`/v1`) over real HTTP: agents listed as
//! models, a completion whole and streamed with its sources three ways,
//! the conversation in `messages` feeding cedar, and errors in OpenAI's
//! envelope. (The official `openai` Python package is run against a live
//! server by `tests/clients/openai_compat.py`.)

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::agents::{agent, fixture_source};
use crate::common::TestServer;

fn content(completion: &Value) -> &str {
    completion["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
}

/// The JSON payloads of an event stream, and whether it ended in `[DONE]`.
fn events(body: &str) -> (Vec<Value>, bool) {
    let data: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .collect();
    let done = data.last() == Some(&"[DONE]");
    let payloads = data
        .iter()
        .filter(|d| **d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    (payloads, done)
}

#[tokio::test]
async fn agents_are_models_and_answer_chat_completions_with_their_sources() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let id = agent(&t, &source, "redwood").await;
    let slug = t
        .get(&format!("/api/v1/agents/{id}"), &t.org_a.api_key)
        .await
        .body["slug"]
        .as_str()
        .unwrap()
        .to_owned();

    let models = t.get("/v1/models", &t.org_a.api_key).await;
    assert_eq!(models.status, StatusCode::OK, "{}", models.body);
    assert_eq!(models.body["object"], "list");
    let listed: Vec<&str> = models.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, vec![slug.as_str()]);
    assert_eq!(models.body["data"][0]["object"], "model");
    for name in [&slug, &id] {
        let one = t.get(&format!("/v1/models/{name}"), &t.org_a.api_key).await;
        assert_eq!(one.body["id"], json!(slug), "{}", one.body);
    }

    let ask = json!({
        "model": slug,
        "messages": [
            {"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": [{"type": "text", "text": "How long are sessions kept?"}]},
        ],
    });
    let whole = t
        .post("/v1/chat/completions", &t.org_a.api_key, ask.clone())
        .await;
    assert_eq!(whole.status, StatusCode::OK, "{}", whole.body);
    let c = &whole.body;
    assert_eq!(c["object"], "chat.completion");
    assert_eq!(c["model"], json!(slug));
    assert_eq!(c["choices"][0]["finish_reason"], "stop");
    assert_eq!(c["choices"][0]["message"]["role"], "assistant");
    let text = content(c);
    assert!(text.contains("thirty days"), "{text}");
    // The footer names the cited page; the annotation sits on its marker.
    let cited = c["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["cited"] == true)
        .unwrap();
    assert_eq!(cited["document_title"], "Session retention");
    assert!(
        text.contains("\n\nSources:\n[") && text.contains("Session retention"),
        "{text}"
    );
    let annotation = &c["choices"][0]["message"]["annotations"][0];
    assert_eq!(annotation["type"], "url_citation");
    let (start, end) = (
        annotation["url_citation"]["start_index"].as_u64().unwrap() as usize,
        annotation["url_citation"]["end_index"].as_u64().unwrap() as usize,
    );
    let marked: String = text.chars().skip(start).take(end - start).collect();
    assert_eq!(marked, format!("[{}]", cited["number"]));
    assert_eq!(annotation["url_citation"]["title"], "Session retention");
    let usage = &c["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64(),
        Some(
            usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
        )
    );
    assert!(c["id"].as_str().unwrap().starts_with("chatcmpl-int_"));

    // The footer can be turned off; the answer is the agent's own.
    let mut bare = ask.clone();
    bare["grove"] = json!({"sources_footer": false});
    let bare = t.post("/v1/chat/completions", &t.org_a.api_key, bare).await;
    assert!(!content(&bare.body).contains("Sources:"), "{}", bare.body);
    assert!(text.starts_with(content(&bare.body)));

    // Streamed: a role chunk, content deltas, the footer, a stop chunk
    // carrying the sources, the usage chunk, then [DONE].
    let mut streamed = ask.clone();
    streamed["stream"] = json!(true);
    streamed["stream_options"] = json!({"include_usage": true});
    let response = t
        .client
        .post(t.url("/v1/chat/completions"))
        .bearer_auth(&t.org_a.api_key)
        .json(&streamed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let (chunks, done) = events(&response.text().await.unwrap());
    assert!(done, "the stream ends with [DONE]");
    assert!(chunks
        .iter()
        .all(|c| c["object"] == "chat.completion.chunk" && c["id"] == chunks[0]["id"]));
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let joined: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(joined, text, "the stream says what the whole answer says");
    let (stop, usage) = (&chunks[chunks.len() - 2], &chunks[chunks.len() - 1]);
    assert_eq!(stop["choices"][0]["finish_reason"], "stop");
    assert_eq!(stop["sources"], c["sources"]);
    assert_eq!(usage["choices"], json!([]));
    assert!(usage["usage"]["total_tokens"].as_u64().is_some());
    assert!(
        chunks[..chunks.len() - 1]
            .iter()
            .all(|c| c.get("usage") == Some(&Value::Null)),
        "every chunk but the last has usage: null"
    );
    assert!(!chunks[0]["id"].as_str().unwrap().contains("int_"));
}

#[tokio::test]
async fn earlier_messages_are_the_history_cedar_rewrites_from() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let cedar = agent(&t, &source, "cedar").await;
    let reply = t
        .post(
            "/v1/chat/completions",
            &t.org_a.api_key,
            json!({
                "model": cedar,
                "messages": [
                    {"role": "user", "content": "How is the chunk size configured?"},
                    {"role": "assistant", "content": "With the chunk_size field when the data source is created."},
                    {"role": "user", "content": "What about its default?"},
                ],
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let query = reply.body["grove"]["queries"][0].as_str().unwrap();
    assert!(
        query.starts_with("What about its default?") && query.contains("chunk"),
        "{query}"
    );
    assert!(
        content(&reply.body).contains("512 tokens"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn errors_take_openai_s_envelope() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let id = agent(&t, &source, "redwood").await;
    let ask = |model: &str, messages: Value| json!({"model": model, "messages": messages});
    let user = json!([{"role": "user", "content": "How long are sessions kept?"}]);
    let cases = [
        (
            ask("no-such-agent", user.clone()),
            StatusCode::NOT_FOUND,
            "not_found_error",
            Value::from("model"),
        ),
        (
            ask(&id, json!([])),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Value::from("messages"),
        ),
        (
            ask(&id, json!([{"role": "assistant", "content": "Hello"}])),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Value::from("messages"),
        ),
        (
            ask(
                &id,
                json!([{"role": "wizard", "content": "x"}, {"role": "user", "content": "y"}]),
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Value::from("messages[0].role"),
        ),
        (
            json!({"model": id, "messages": user, "temperature": 3}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Value::from("temperature"),
        ),
        (
            json!({"model": id, "messages": user, "max_completion_tokens": 0}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Value::from("max_completion_tokens"),
        ),
        (
            json!({"model": id, "messages": [
                {"role": "user", "content": "x".repeat(20_000)},
                {"role": "assistant", "content": "y"},
                {"role": "user", "content": "z"},
            ]}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Value::from("messages[0].content"),
        ),
    ];
    for (body, status, kind, param) in cases {
        let reply = t
            .post("/v1/chat/completions", &t.org_a.api_key, body.clone())
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.body["error"]["type"], kind, "{}", reply.body);
        assert_eq!(reply.body["error"]["param"], param, "{}", reply.body);
        assert!(reply.body["error"]["message"].as_str().unwrap().len() > 10);
    }
    // No key, and a key without the execute scope.
    let anonymous = t.call(reqwest::Method::GET, "/v1/models", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.body["error"]["type"], "authentication_error");
    let (read_only, _) = t.key_with(&["read"], &[]).await;
    let refused = t.get("/v1/models", &read_only).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["error"]["type"], "permission_error");
    assert_eq!(refused.body["error"]["code"], "forbidden");
    // Another organisation's agent is not a model here.
    let other = t.get(&format!("/v1/models/{id}"), &t.org_b.api_key).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
    let none = t.get("/v1/models", &t.org_b.api_key).await;
    assert_eq!(none.body["data"], json!([]));
    // A path or a method the face does not have: OpenAI's envelope too.
    let nowhere = t.get("/v1/embeddings/nothing", &t.org_a.api_key).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND, "{}", nowhere.body);
    assert_eq!(
        nowhere.body["error"]["type"], "not_found_error",
        "{}",
        nowhere.body
    );
    let wrong = t
        .call(
            reqwest::Method::DELETE,
            "/v1/models",
            Some(&t.org_a.api_key),
            None,
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        wrong.body
    );
    assert_eq!(
        wrong.body["error"]["type"], "invalid_request_error",
        "{}",
        wrong.body
    );
    assert_eq!(
        wrong.body["error"]["code"], "method_not_allowed",
        "{}",
        wrong.body
    );
}
