//! Generation end to end: `POST /api/v1/query` over real HTTP, with the real
//! local embedder retrieving from a synced `file` data source and local fake
//! model servers speaking the OpenAI Chat Completions and Anthropic Messages
//! wire formats. Covers whole and streamed answers (frames arrive while the
//! model is still generating), citations, usage and cost, client disconnects
//! cancelling generation, mid-stream provider errors, 429 retries, and
//! cedar's non-streamed question rewrite.
//!
//! The SSE client is `eventsource-stream` over reqwest's `bytes_stream`
//! (already dependencies of this crate, for `grove ask`; nothing added): a
//! real spec-following parser, so these tests do not trust a hand-rolled
//! one to agree with the server's framing.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode as FakeStatus, Uri};
use axum::response::Response;
use eventsource_stream::Eventsource;
use futures_util::{Stream, StreamExt};
use grove_core::config::{ModelPrice, ProviderApi, ProviderConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::{oneshot, Notify};

use crate::common::{upload, wait_for_sync, TestServer};

// ------------------------------------------------------------- fake models

/// One request as a fake model server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: Value,
    at: Instant,
}

type Script = dyn Fn(usize, &Value) -> Response + Send + Sync;

/// A local model server answering every `POST` with `script(index, body)`
/// and recording what it was sent.
struct Fake {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    async fn start(script: impl Fn(usize, &Value) -> Response + Send + Sync + 'static) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let (log, script) = (log.clone(), script.clone());
            async move {
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let index = {
                    let mut log = log.lock().unwrap();
                    log.push(Seen {
                        path: uri.path().to_owned(),
                        headers,
                        body: body.clone(),
                        at: Instant::now(),
                    });
                    log.len() - 1
                };
                script(index, &body)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, seen }
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Parts of a streamed answer.
enum Piece {
    Send(String),
    /// Waits until the test notifies.
    Wait(Arc<Notify>),
    /// Never sends anything again; the connection stays open.
    Stall,
    /// Sends this text as a delta every interval, forever.
    Repeat(&'static str, Duration),
}

/// A `text/event-stream` answer made of `pieces`. `gone` is dropped with
/// the body, i.e. when the client goes away (or the body ends).
fn sse(pieces: Vec<Piece>, gone: Option<oneshot::Sender<()>>) -> Response {
    let state = (VecDeque::from(pieces), gone);
    let body = futures_util::stream::unfold(state, |(mut pieces, gone)| async move {
        loop {
            match pieces.pop_front()? {
                Piece::Send(text) => {
                    return Some((Ok::<_, Infallible>(Bytes::from(text)), (pieces, gone)))
                }
                Piece::Wait(notify) => notify.notified().await,
                Piece::Stall => std::future::pending::<()>().await,
                Piece::Repeat(text, every) => {
                    tokio::time::sleep(every).await;
                    pieces.push_front(Piece::Repeat(text, every));
                    let Piece::Send(chunk) = oa_delta(text) else {
                        unreachable!()
                    };
                    return Some((Ok(Bytes::from(chunk)), (pieces, gone)));
                }
            }
        }
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(body))
        .unwrap()
}

fn json_answer(status: u16, body: Value, headers: &[(&str, &str)]) -> Response {
    let mut builder = Response::builder()
        .status(FakeStatus::from_u16(status).unwrap())
        .header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

fn oa_delta(text: &str) -> Piece {
    let chunk = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
    Piece::Send(format!("data: {chunk}\n\n"))
}

/// The end of an OpenAI answer: finish reason, usage, `[DONE]`.
fn oa_end(prompt_tokens: u64, completion_tokens: u64) -> Vec<Piece> {
    let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let usage = json!({"choices": [], "usage": {"prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens}});
    [
        format!("data: {finish}\n\n"),
        format!("data: {usage}\n\n"),
        "data: [DONE]\n\n".to_owned(),
    ]
    .into_iter()
    .map(Piece::Send)
    .collect()
}

/// A whole OpenAI streamed answer with usage 120 in, 7 out.
fn oa_answer(texts: &[&str]) -> Response {
    let mut pieces: Vec<Piece> = texts.iter().map(|t| oa_delta(t)).collect();
    pieces.extend(oa_end(120, 7));
    sse(pieces, None)
}

fn an_event(data: Value) -> String {
    format!(
        "event: {}\ndata: {data}\n\n",
        data["type"].as_str().unwrap()
    )
}

/// A whole Anthropic streamed answer with usage 95 in, 11 out.
fn an_answer(texts: &[&str]) -> Response {
    let mut events = vec![
        an_event(
            json!({"type": "message_start", "message": {"id": "msg_1", "type": "message",
            "role": "assistant", "content": [], "model": "claude-test",
            "usage": {"input_tokens": 95, "output_tokens": 1}}}),
        ),
        an_event(json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""}})),
        an_event(json!({"type": "ping"})),
    ];
    events.extend(texts.iter().map(|t| {
        an_event(json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": t}}))
    }));
    events.extend([
        an_event(json!({"type": "content_block_stop", "index": 0})),
        an_event(
            json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 11}}),
        ),
        an_event(json!({"type": "message_stop"})),
    ]);
    sse(events.into_iter().map(Piece::Send).collect(), None)
}

// ------------------------------------------------------------- grove side

const SYSTEM_PROMPT: &str = "You are the garden club's assistant.";
const QUESTION: &str = "When do the greenhouse vents open?";
/// Per million tokens, for `local:test-model`.
const PRICE: ModelPrice = ModelPrice {
    input_per_million: 3.0,
    output_per_million: 15.0,
};

/// A server whose `local` (OpenAI-compatible) and `claude` (Anthropic)
/// providers are `fake`, with a file data source of two documents synced
/// and an agent over it using `model` and `strategy`; returns the agent id.
async fn grove(fake: &Fake, model: &str, strategy: &str) -> (TestServer, String) {
    let base = fake.base.clone();
    let t = TestServer::start_with(|c| {
        let provider = |api, base_url: String, key: &str| ProviderConfig {
            api,
            base_url,
            api_key: Some(key.to_owned()),
        };
        c.llm.providers.insert(
            "local".into(),
            provider(ProviderApi::OpenaiChat, format!("{base}/v1"), "sk-local"),
        );
        c.llm.providers.insert(
            "claude".into(),
            provider(ProviderApi::AnthropicMessages, base, "sk-ant-test"),
        );
        c.llm.prices.insert("local:test-model".into(), PRICE);
    })
    .await;
    let key = t.org_a.api_key.clone();
    let ds = t
        .post(
            "/api/v1/data-sources",
            &key,
            json!({"type": "file", "name": "Garden"}),
        )
        .await;
    assert_eq!(ds.status, StatusCode::CREATED, "{}", ds.body);
    let source = ds.body["id"].as_str().unwrap().to_owned();
    let files = [
        ("greenhouse.md", b"# Greenhouse\n\nThe greenhouse vents open automatically when the temperature rises above 28 degrees. They close again at night.\n".to_vec()),
        ("compost.md", b"# Compost\n\nTurn the compost heap every fortnight so that it stays aerated. Add dry leaves when it smells.\n".to_vec()),
    ];
    let uploaded = upload(&t, &key, &source, &files).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let status = wait_for_sync(&t, &key, &source).await;
    assert_eq!(status["sync_status"], "succeeded", "{status}");
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Gardener", "data_source_ids": [source], "model": model,
                "rag_strategy": strategy, "similarity_threshold": 0.1,
                "system_prompt": SYSTEM_PROMPT}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    let id = agent.body["id"].as_str().unwrap().to_owned();
    (t, id)
}

type Frames = Pin<Box<dyn Stream<Item = Value> + Send>>;

/// Asks with `stream: true`; the frames as JSON, read by an SSE client.
async fn stream_query(t: &TestServer, body: Value) -> Frames {
    let response = t
        .client
        .post(t.url("/api/v1/query"))
        .bearer_auth(&t.org_a.api_key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    Box::pin(
        response
            .bytes_stream()
            .eventsource()
            .map(|event| serde_json::from_str(&event.unwrap().data).unwrap()),
    )
}

async fn next_frame(frames: &mut Frames) -> Value {
    tokio::time::timeout(Duration::from_secs(30), frames.next())
        .await
        .expect("no frame within 30 s")
        .expect("the event stream ended before `done`")
}

/// Reads frames up to `done: true`; the concatenated deltas and that frame.
async fn read_to_done(frames: &mut Frames, mut text: String) -> (String, Value) {
    loop {
        let frame = next_frame(frames).await;
        if frame["done"] == true {
            return (text, frame);
        }
        text.push_str(frame["delta"].as_str().unwrap());
    }
}

async fn interaction(t: &TestServer, id: &str) -> Value {
    let got = t
        .get(&format!("/api/v1/interactions/{id}"), &t.org_a.api_key)
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    got.body
}

/// Every message's content of an OpenAI request, by role.
fn contents<'a>(body: &'a Value, role: &str) -> Vec<&'a str> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == role)
        .map(|m| m["content"].as_str().unwrap())
        .collect()
}

// ------------------------------------------------------------- tests

#[tokio::test]
async fn an_openai_compatible_answer_carries_citations_usage_and_cost() {
    let fake = Fake::start(|_, _| oa_answer(&["The vents open ", "above 28 degrees [1]."])).await;
    let (t, agent) = grove(&fake, "local:test-model", "redwood").await;
    let reply = t
        .post(
            "/api/v1/query",
            &t.org_a.api_key,
            json!({"agent_id": agent, "query": QUESTION, "temperature": 0.2, "max_tokens": 64}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let answer = reply.body;
    assert_eq!(answer["response"], "The vents open above 28 degrees [1].");
    let first = &answer["sources"][0];
    assert_eq!(first["number"], 1, "{answer}");
    assert_eq!(first["document_title"], "Greenhouse", "{answer}");
    assert_eq!(first["cited"], true, "{answer}");
    let text = first["chunk_text"].as_str().unwrap();
    let (start, end) = (
        first["span"]["start"].as_u64().unwrap() as usize,
        first["span"]["end"].as_u64().unwrap() as usize,
    );
    assert!(start < end && end <= text.len(), "{first}");
    assert!(text[start..end].contains("28 degrees"), "{first}");
    for other in answer["sources"].as_array().unwrap().iter().skip(1) {
        assert_eq!(other["cited"], false, "{other}");
        assert!(other["span"].is_null(), "{other}");
    }
    let metadata = &answer["metadata"];
    assert_eq!(metadata["model"], "local:test-model");
    assert_eq!(metadata["outcome"], "answered");
    assert_eq!(metadata["tokens_input"], 120);
    assert_eq!(metadata["tokens_output"], 7);
    let cost = (120.0 * PRICE.input_per_million + 7.0 * PRICE.output_per_million) / 1e6;
    let got = metadata["cost_usd"].as_f64().unwrap();
    assert!((got - cost).abs() < 1e-12, "cost {got}, expected {cost}");
    assert_eq!(metadata["queries"], json!([QUESTION]));

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.headers["authorization"], "Bearer sk-local");
    let body = &request.body;
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["temperature"], json!(0.2));
    assert_eq!(body["max_tokens"], 64);
    assert_eq!(body["messages"][0]["role"], "system");
    assert!(
        contents(body, "system")[0].starts_with(SYSTEM_PROMPT),
        "{body}"
    );
    let last = body["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(last["role"], "user");
    let last = last["content"].as_str().unwrap();
    assert!(last.starts_with("Sources:"), "{last}");
    assert!(last.contains("[1] Greenhouse"), "{last}");
    assert!(last.ends_with(&format!("Question: {QUESTION}")), "{last}");

    let stored = interaction(&t, metadata["interaction_id"].as_str().unwrap()).await;
    assert_eq!(stored["response"], answer["response"]);
    assert_eq!(stored["tokens_input"], 120);
    t.stop().await;
}

#[tokio::test]
async fn streamed_frames_arrive_while_the_model_is_still_generating() {
    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let fake = Fake::start(move |_, _| {
        let mut pieces = vec![oa_delta("The vents open "), Piece::Wait(gate.clone())];
        pieces.extend([oa_delta("above "), oa_delta("28 degrees [1].")]);
        pieces.extend(oa_end(120, 7));
        sse(pieces, None)
    })
    .await;
    let (t, agent) = grove(&fake, "local:test-model", "redwood").await;
    let mut frames = stream_query(
        &t,
        json!({"agent_id": agent, "query": QUESTION, "stream": true}),
    )
    .await;
    // The model is held after its first piece: this frame can only come
    // if Grove forwards text as it arrives.
    let first = next_frame(&mut frames).await;
    assert_eq!(first, json!({"delta": "The vents open ", "done": false}));
    release.notify_one();
    let (text, done) = read_to_done(&mut frames, "The vents open ".to_owned()).await;
    assert_eq!(text, "The vents open above 28 degrees [1].");
    assert_eq!(done["delta"], "");
    assert!(done.get("response").is_none(), "{done}");
    assert!(done.get("error").is_none(), "{done}");
    assert_eq!(done["sources"][0]["cited"], true, "{done}");
    assert_eq!(done["metadata"]["outcome"], "answered");
    assert_eq!(done["metadata"]["tokens_output"], 7);
    assert!(frames.next().await.is_none(), "nothing follows `done`");
    let id = done["metadata"]["interaction_id"].as_str().unwrap();
    let stored = interaction(&t, id).await;
    assert_eq!(stored["response"], json!(text));
    assert_eq!(stored["outcome"], "answered");
    t.stop().await;
}

/// Asks with `stream: true`, reads the first frame and goes away while the
/// model, after its first piece, goes on with `then`: the model's answer
/// must be dropped within a few seconds (well before the 30 s idle
/// timeout, which would end it as failed) and the interaction recorded as
/// cancelled with the text forwarded so far.
async fn disconnecting_stops_generation(then: fn() -> Piece) {
    let (gone_tx, gone_rx) = oneshot::channel();
    let gone_tx = Mutex::new(Some(gone_tx));
    let fake = Fake::start(move |_, _| {
        sse(
            vec![oa_delta("The vents "), then()],
            gone_tx.lock().unwrap().take(),
        )
    })
    .await;
    let (t, agent) = grove(&fake, "local:test-model", "redwood").await;
    let mut frames = stream_query(
        &t,
        json!({"agent_id": agent, "query": QUESTION, "stream": true}),
    )
    .await;
    assert_eq!(next_frame(&mut frames).await["delta"], "The vents ");
    drop(frames);
    let closed = tokio::time::timeout(Duration::from_secs(5), gone_rx).await;
    assert!(
        closed.is_ok(),
        "the model's answer was still being read 5 s after the client left"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let recorded = loop {
        let listed = t
            .get(
                &format!("/api/v1/interactions?agent_id={agent}"),
                &t.org_a.api_key,
            )
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        if let Some(first) = listed.body["interactions"].get(0) {
            break first.clone();
        }
        assert!(Instant::now() < deadline, "no interaction was recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(recorded["outcome"], "cancelled", "{recorded}");
    let response = recorded["response"].as_str().unwrap();
    assert!(response.starts_with("The vents "), "{recorded}");
    assert!(recorded["error"].is_null(), "{recorded}");
    assert_eq!(fake.requests().len(), 1);
    t.stop().await;
}

#[tokio::test]
async fn a_client_that_disconnects_stops_a_model_that_keeps_talking() {
    disconnecting_stops_generation(|| Piece::Repeat("and more ", Duration::from_millis(50))).await;
}

#[tokio::test]
async fn a_client_that_disconnects_stops_a_silent_model() {
    disconnecting_stops_generation(|| Piece::Stall).await;
}

#[tokio::test]
async fn an_error_event_mid_stream_fails_the_answer() {
    let fake = Fake::start(|_, _| {
        let error =
            json!({"error": {"message": "the model is overloaded", "type": "server_error"}});
        sse(
            vec![
                oa_delta("The vents "),
                Piece::Send(format!("data: {error}\n\n")),
            ],
            None,
        )
    })
    .await;
    let (t, agent) = grove(&fake, "local:test-model", "redwood").await;
    let reply = t
        .post(
            "/api/v1/query",
            &t.org_a.api_key,
            json!({"agent_id": agent, "query": QUESTION}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{}", reply.body);
    assert_eq!(reply.error_code(), "generation_failed");
    let message = reply.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("the model is overloaded"), "{message}");
    let details = &reply.body["error"]["details"];
    assert_eq!(details["model"], "local:test-model");
    let stored = interaction(&t, details["interaction_id"].as_str().unwrap()).await;
    assert_eq!(stored["outcome"], "failed");
    let error = stored["error"].as_str().unwrap();
    assert!(
        error.contains("the model is overloaded") && error.contains("local"),
        "{error}"
    );
    assert_eq!(stored["response"], "The vents ");
    assert_eq!(stored["tokens_input"], 0);

    let mut frames = stream_query(
        &t,
        json!({"agent_id": agent, "query": QUESTION, "stream": true}),
    )
    .await;
    let (text, done) = read_to_done(&mut frames, String::new()).await;
    assert_eq!(text, "The vents ");
    assert_eq!(done["delta"], "");
    assert_eq!(done["error"]["code"], "generation_failed", "{done}");
    let message = done["error"]["message"].as_str().unwrap();
    assert!(message.contains("the model is overloaded"), "{message}");
    assert!(done.get("sources").is_none(), "{done}");
    let id = done["error"]["details"]["interaction_id"].as_str().unwrap();
    assert_eq!(interaction(&t, id).await["outcome"], "failed");
    assert_eq!(fake.requests().len(), 2);
    t.stop().await;
}

#[tokio::test]
async fn a_429_is_waited_out_and_retried() {
    let fake = Fake::start(|index, _| match index {
        0 => json_answer(
            429,
            json!({"error": {"message": "slow down", "type": "rate_limit"}}),
            &[("retry-after", "1")],
        ),
        _ => oa_answer(&["They open above 28 degrees [1]."]),
    })
    .await;
    let (t, agent) = grove(&fake, "local:test-model", "redwood").await;
    let reply = t
        .post(
            "/api/v1/query",
            &t.org_a.api_key,
            json!({"agent_id": agent, "query": QUESTION}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["response"], "They open above 28 degrees [1].");
    assert_eq!(reply.body["metadata"]["outcome"], "answered");
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at - requests[0].at;
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}"
    );
    assert_eq!(requests[0].body, requests[1].body);
    t.stop().await;
}

#[tokio::test]
async fn an_anthropic_answer_works_end_to_end() {
    let fake = Fake::start(|_, _| an_answer(&["Turn the heap ", "every fortnight [1]."])).await;
    let (t, agent) = grove(&fake, "claude:claude-test", "redwood").await;
    let reply = t
        .post(
            "/api/v1/query",
            &t.org_a.api_key,
            json!({"agent_id": agent, "query": "How often should the compost heap be turned?"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let answer = reply.body;
    assert_eq!(answer["response"], "Turn the heap every fortnight [1].");
    assert_eq!(
        answer["sources"][0]["document_title"], "Compost",
        "{answer}"
    );
    assert_eq!(answer["sources"][0]["cited"], true);
    let metadata = &answer["metadata"];
    assert_eq!(metadata["model"], "claude:claude-test");
    assert_eq!(metadata["tokens_input"], 95);
    assert_eq!(metadata["tokens_output"], 11);
    assert_eq!(metadata["cost_usd"], 0.0, "no price is configured");

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/v1/messages");
    assert_eq!(request.headers["x-api-key"], "sk-ant-test");
    assert_eq!(request.headers["anthropic-version"], "2023-06-01");
    assert!(request.headers.get("authorization").is_none());
    let body = &request.body;
    assert_eq!(body["model"], "claude-test");
    assert_eq!(body["stream"], true);
    assert!(
        body["system"].as_str().unwrap().starts_with(SYSTEM_PROMPT),
        "{body}"
    );
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{body}");
    let last = messages[0]["content"].as_str().unwrap();
    assert!(last.contains("[1] Compost"), "{last}");
    assert!(
        last.ends_with("Question: How often should the compost heap be turned?"),
        "{last}"
    );
    t.stop().await;
}

#[tokio::test]
async fn cedar_rewrites_a_follow_up_with_a_non_streamed_call() {
    const REWRITTEN: &str = "How often should the compost heap be turned?";
    let fake = Fake::start(|_, body| {
        if body["stream"] == true {
            oa_answer(&["It is covered in the sources [1]."])
        } else {
            let answer = json!({"id": "chatcmpl-2", "object": "chat.completion",
                "choices": [{"index": 0, "finish_reason": "stop",
                    "message": {"role": "assistant", "content": format!("  {REWRITTEN}\n")}}],
                "usage": {"prompt_tokens": 40, "completion_tokens": 9}});
            json_answer(200, answer, &[])
        }
    })
    .await;
    let (t, agent) = grove(&fake, "local:test-model", "cedar").await;
    let key = t.org_a.api_key.clone();
    let first = t
        .post(
            "/api/v1/query",
            &key,
            json!({"agent_id": agent, "query": QUESTION}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["metadata"]["queries"], json!([QUESTION]));
    assert_eq!(
        fake.requests().len(),
        1,
        "a first question needs no rewrite"
    );
    let session = first.body["metadata"]["session_id"].as_str().unwrap();

    let follow_up = "And what about the compost?";
    let second = t
        .post(
            "/api/v1/query",
            &key,
            json!({"agent_id": agent, "query": follow_up, "session_id": session}),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let metadata = &second.body["metadata"];
    assert_eq!(metadata["queries"][0], REWRITTEN, "{metadata}");
    assert_eq!(metadata["session_id"], session);
    // The rewrite's tokens (40 in, 9 out) count with the answer's (120, 7).
    assert_eq!(metadata["tokens_input"], 160, "{metadata}");
    assert_eq!(metadata["tokens_output"], 16, "{metadata}");
    assert_eq!(second.body["sources"][0]["document_title"], "Compost");

    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    let rewrite = &requests[1].body;
    assert_ne!(rewrite["stream"], true, "{rewrite}");
    assert!(rewrite.get("stream_options").is_none(), "{rewrite}");
    assert_eq!(rewrite["model"], "test-model");
    assert!(
        contents(rewrite, "system")[0].contains("standalone question"),
        "{rewrite}"
    );
    let user = contents(rewrite, "user");
    assert_eq!(user.len(), 1, "{rewrite}");
    assert!(
        user[0].contains(&format!("User: {QUESTION}")),
        "{}",
        user[0]
    );
    assert!(
        user[0].contains("Assistant: It is covered in the sources [1]."),
        "{}",
        user[0]
    );
    assert!(
        user[0].ends_with(&format!("Last question: {follow_up}")),
        "{}",
        user[0]
    );
    // The answer itself is asked with the earlier turn and the question as
    // the user wrote it.
    let answer = &requests[2].body;
    assert_eq!(answer["stream"], true);
    let user = contents(answer, "user");
    assert_eq!(user[0], QUESTION, "{answer}");
    assert_eq!(
        contents(answer, "assistant"),
        ["It is covered in the sources [1]."]
    );
    assert!(
        user[1].ends_with(&format!("Question: {follow_up}")),
        "{}",
        user[1]
    );
    t.stop().await;
}
