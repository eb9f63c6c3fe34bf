//! The OpenAI-compatible and Anthropic providers against local servers that
//! speak each wire format: streaming, usage, error answers and events,
//! retries, timeouts, cancellation, non-streamed completions, and the
//! request bodies they send.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use grove_llm::anthropic::Anthropic;
use grove_llm::openai::OpenAiChat;
use grove_llm::prompt;
use grove_llm::{
    Completion, Generator, HttpPolicy, LlmError, Prompt, Settings, SourceText, Turn, Usage,
};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

// ---------------------------------------------------------------- servers

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Recorded {
    headers: HeaderMap,
    body: Value,
    at: Instant,
}

type Requests = Arc<Mutex<Vec<Recorded>>>;

/// A local server answering `POST path` with `script(request index)`.
struct Server {
    base: String,
    requests: Requests,
}

impl Server {
    async fn start(path: &str, script: impl Fn(usize) -> Response + Send + Sync + 'static) -> Self {
        let requests = Requests::default();
        let seen = requests.clone();
        let script = Arc::new(script);
        let handler = move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            let script = script.clone();
            async move {
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let index = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(Recorded {
                        headers,
                        body,
                        at: Instant::now(),
                    });
                    seen.len() - 1
                };
                script(index)
            }
        };
        let app = Router::new().route(path, post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, requests }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected exactly one request");
        requests[0].clone()
    }
}

/// Parts of a streamed body.
enum Piece {
    Send(String),
    Pause(Duration),
    /// Never sends anything again (the connection stays open).
    Stall,
    /// Sends the text every interval, forever.
    Repeat(String, Duration),
}

/// A `text/event-stream` answer made of `pieces`; `gone` is dropped when
/// the server drops the body (the client went away, or the body ended).
fn sse(pieces: Vec<Piece>, gone: Option<oneshot::Sender<()>>) -> Response {
    let state = (VecDeque::from(pieces), gone);
    let stream = futures_util::stream::unfold(state, |(mut pieces, gone)| async move {
        loop {
            match pieces.pop_front()? {
                Piece::Send(text) => {
                    return Some((Ok::<_, Infallible>(Bytes::from(text)), (pieces, gone)))
                }
                Piece::Pause(d) => tokio::time::sleep(d).await,
                Piece::Stall => std::future::pending::<()>().await,
                Piece::Repeat(text, every) => {
                    tokio::time::sleep(every).await;
                    pieces.push_front(Piece::Repeat(text.clone(), every));
                    return Some((Ok(Bytes::from(text)), (pieces, gone)));
                }
            }
        }
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap()
}

fn json_answer(status: u16, body: Value, headers: &[(&str, &str)]) -> Response {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

fn sends(texts: &[String]) -> Vec<Piece> {
    texts.iter().cloned().map(Piece::Send).collect()
}

// ---------------------------------------------------------------- wire formats

fn oa_delta(text: &str) -> String {
    let chunk = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "gpt-test",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}],
        "usage": null
    });
    format!("data: {chunk}\n\n")
}

fn oa_finish() -> String {
    let chunk = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    format!("data: {chunk}\n\n")
}

fn oa_usage(prompt_tokens: u64, completion_tokens: u64) -> String {
    let chunk = json!({"choices": [], "usage": {
        "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens
    }});
    format!("data: {chunk}\n\n")
}

const OA_DONE: &str = "data: [DONE]\n\n";

fn oa_answer(texts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = texts.iter().map(|t| oa_delta(t)).collect();
    out.extend([oa_finish(), oa_usage(120, 7), OA_DONE.to_owned()]);
    out
}

fn an_event(data: Value) -> String {
    let name = data["type"].as_str().unwrap_or("message").to_owned();
    format!("event: {name}\ndata: {data}\n\n")
}

fn an_start(input_tokens: u64) -> String {
    an_event(json!({"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "content": [],
        "model": "claude-test", "stop_reason": null,
        "usage": {"input_tokens": input_tokens, "output_tokens": 1}
    }}))
}

fn an_delta(text: &str) -> String {
    an_event(json!({"type": "content_block_delta", "index": 0,
        "delta": {"type": "text_delta", "text": text}}))
}

fn an_answer(texts: &[&str]) -> Vec<String> {
    let mut out = vec![
        an_start(95),
        an_event(json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""}})),
        an_event(json!({"type": "ping"})),
    ];
    out.extend(texts.iter().map(|t| an_delta(t)));
    out.extend([
        an_event(json!({"type": "content_block_stop", "index": 0})),
        an_event(json!({"type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": null},
            "usage": {"output_tokens": 11}})),
        an_event(json!({"type": "message_stop"})),
    ]);
    out
}

// ---------------------------------------------------------------- clients

const OA_PATH: &str = "/v1/chat/completions";
const AN_PATH: &str = "/v1/messages";

fn policy() -> HttpPolicy {
    HttpPolicy {
        request_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(1),
        max_retries: 2,
        max_retry_after: Duration::from_secs(5),
    }
}

fn openai(server: &Server) -> OpenAiChat {
    let base = format!("{}/v1", server.base);
    OpenAiChat::new("testai", &base, Some("sk-test".into()), policy())
}

fn anthropic(server: &Server) -> Anthropic {
    Anthropic::new(
        "testant",
        &server.base,
        Some("sk-ant-test".into()),
        policy(),
    )
}

fn question() -> Prompt {
    Prompt {
        system_prompt: "You are the handbook assistant.".into(),
        question: "How many vacation days do I get?".into(),
        sources: vec![
            SourceText {
                title: "Leave policy".into(),
                url: Some("https://wiki.example/leave".into()),
                text: "Staff get 25 days of paid leave.".into(),
            },
            SourceText {
                title: "FAQ".into(),
                url: None,
                text: "Unused days carry over until March.".into(),
            },
        ],
        history: vec![Turn {
            question: "Who approves leave?".into(),
            answer: "Your manager [1].".into(),
        }],
    }
}

fn settings(model: &str) -> Settings {
    Settings {
        model: model.into(),
        temperature: 0.2,
        max_tokens: 300,
    }
}

/// Runs `generate` while collecting every delta.
async fn generate(
    generator: &dyn Generator,
    model: &str,
) -> (Result<Usage, LlmError>, Vec<String>) {
    // A one-slot channel, so the provider also waits on a slow reader.
    let (tx, mut rx) = mpsc::channel(1);
    let collect = async move {
        let mut got = Vec::new();
        while let Some(delta) = rx.recv().await {
            got.push(delta);
        }
        got
    };
    let (prompt, settings) = (question(), settings(model));
    tokio::join!(generator.generate(&prompt, &settings, tx), collect)
}

/// Runs `generate`, reads one delta, then drops the receiver.
async fn generate_and_hang_up(
    generator: &dyn Generator,
) -> (Result<Usage, LlmError>, Option<String>) {
    let (tx, mut rx) = mpsc::channel(1);
    let hang_up = async move { rx.recv().await };
    let (prompt, settings) = (question(), settings("m"));
    tokio::join!(generator.generate(&prompt, &settings, tx), hang_up)
}

fn header<'a>(request: &'a Recorded, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Asserts the deltas arrived as exactly these pieces, in this order.
fn assert_pieces(got: &[String], expected: &[&str]) {
    assert_eq!(got, expected, "deltas out of order or lost");
}

// ---------------------------------------------------------------- OpenAI

#[tokio::test]
async fn openai_streams_pieces_in_order_with_usage_and_sends_the_template() {
    let server = Server::start(OA_PATH, |_| {
        // The first event arrives split over two writes with a pause between.
        let mut pieces = vec![
            Piece::Send("data: {\"choices\":[{\"index\":0,\"delta\":{\"con".into()),
            Piece::Pause(Duration::from_millis(50)),
            Piece::Send("tent\":\"You get\"}}]}\n\n".into()),
        ];
        pieces.extend(sends(&oa_answer(&[" 25 days", " of leave [1]."])));
        sse(pieces, None)
    })
    .await;

    let (result, deltas) = generate(&openai(&server), "gpt-test").await;

    assert_pieces(&deltas, &["You get", " 25 days", " of leave [1]."]);
    assert_eq!(
        result,
        Ok(Usage {
            input_tokens: 120,
            output_tokens: 7
        })
    );
    let request = server.only_request();
    assert_eq!(header(&request, "authorization"), "Bearer sk-test");
    let body = &request.body;
    assert_eq!(body["model"], "gpt-test");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(body["max_tokens"], 300);
    assert_eq!(body["temperature"], json!(0.2));
    let rendered = prompt::render(&question());
    let roles: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(body["messages"][0]["content"], rendered.system.as_str());
    assert!(rendered
        .system
        .starts_with("You are the handbook assistant.\n\n"));
    assert_eq!(body["messages"][1]["content"], "Who approves leave?");
    assert_eq!(body["messages"][2]["content"], "Your manager [1].");
    assert_eq!(
        body["messages"][3]["content"],
        "Sources:\n\n\
         [1] Leave policy (https://wiki.example/leave)\nStaff get 25 days of paid leave.\n\n\
         [2] FAQ\nUnused days carry over until March.\n\n\
         Question: How many vacation days do I get?"
    );
}

#[tokio::test]
async fn openai_without_reported_usage_estimates_it_from_characters() {
    let server = Server::start(OA_PATH, |_| {
        let pieces = [
            oa_delta("12345678"),
            oa_delta("9"),
            oa_finish(),
            OA_DONE.into(),
        ];
        sse(sends(&pieces), None)
    })
    .await;

    let (result, deltas) = generate(&openai(&server), "m").await;

    assert_pieces(&deltas, &["12345678", "9"]);
    let chars = prompt::render(&question()).chars();
    assert_eq!(
        result,
        Ok(Usage {
            input_tokens: chars.div_ceil(4) as u64,
            output_tokens: 3
        })
    );
}

#[tokio::test]
async fn openai_error_status_gives_upstream_with_the_body_message() {
    let server = Server::start(OA_PATH, |_| {
        let body = json!({"error": {"message": "Incorrect API key", "type": "invalid_request_error",
            "code": "invalid_api_key"}});
        json_answer(401, body, &[])
    })
    .await;

    let (result, deltas) = generate(&openai(&server), "m").await;

    assert_eq!(
        result,
        Err(LlmError::Upstream {
            provider: "testai".into(),
            status: 401,
            message: "Incorrect API key".into()
        })
    );
    assert!(deltas.is_empty());
    assert_eq!(server.requests().len(), 1, "a 401 is not retried");
}

#[tokio::test]
async fn openai_waits_out_retry_after_then_succeeds() {
    let server = Server::start(OA_PATH, |i| match i {
        0 => json_answer(
            429,
            json!({"error": {"message": "Rate limit reached"}}),
            &[("retry-after", "1")],
        ),
        _ => sse(sends(&oa_answer(&["ok"])), None),
    })
    .await;

    let started = Instant::now();
    let (result, deltas) = generate(&openai(&server), "m").await;

    assert!(result.is_ok(), "{result:?}");
    assert_pieces(&deltas, &["ok"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].at - requests[0].at >= Duration::from_millis(950));
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn openai_error_event_mid_stream_ends_with_upstream_after_the_text() {
    let server = Server::start(OA_PATH, |_| {
        let error = json!({"error": {"message": "The server had an error while processing your request",
            "type": "server_error"}});
        let pieces = [oa_delta("Partial"), format!("data: {error}\n\n"), oa_delta("never")];
        sse(sends(&pieces), None)
    })
    .await;

    let (result, deltas) = generate(&openai(&server), "m").await;

    assert_pieces(&deltas, &["Partial"]);
    assert_eq!(
        result,
        Err(LlmError::Upstream {
            provider: "testai".into(),
            status: 0,
            message: "The server had an error while processing your request".into()
        })
    );
    assert_eq!(
        server.requests().len(),
        1,
        "no retry once text was forwarded"
    );
}

#[tokio::test]
async fn openai_silence_mid_stream_is_a_timeout() {
    let server = Server::start(OA_PATH, |_| {
        sse(vec![Piece::Send(oa_delta("Hello")), Piece::Stall], None)
    })
    .await;

    let (result, deltas) = generate(&openai(&server), "m").await;

    assert_pieces(&deltas, &["Hello"]);
    assert_eq!(
        result,
        Err(LlmError::Timeout {
            provider: "testai".into(),
            seconds: 1
        })
    );
}

#[tokio::test]
async fn openai_receiver_dropped_cancels_and_closes_the_connection() {
    let (gone_tx, gone_rx) = oneshot::channel();
    let gone_tx = Mutex::new(Some(gone_tx));
    let server = Server::start(OA_PATH, move |_| {
        let repeat = Piece::Repeat(oa_delta("more "), Duration::from_millis(20));
        sse(vec![repeat], gone_tx.lock().unwrap().take())
    })
    .await;

    let generator = openai(&server);
    let (result, first) = generate_and_hang_up(&generator).await;

    assert_eq!(first.as_deref(), Some("more "));
    assert_eq!(result, Err(LlmError::Cancelled));
    let closed = tokio::time::timeout(Duration::from_secs(10), gone_rx).await;
    assert!(
        closed.is_ok(),
        "the server still streams to a client that left"
    );
}

#[tokio::test]
async fn openai_complete_returns_the_message() {
    let server = Server::start(OA_PATH, |_| {
        let body = json!({"id": "c", "object": "chat.completion", "choices": [{"index": 0,
            "message": {"role": "assistant", "content": "vacation days policy"},
            "finish_reason": "stop"}], "usage": {"prompt_tokens": 5, "completion_tokens": 3}});
        json_answer(200, body, &[])
    })
    .await;

    let text = openai(&server)
        .complete(
            "Rewrite the question.",
            "how many days off",
            &settings("gpt-test"),
        )
        .await;

    let expected = Completion {
        text: "vacation days policy".into(),
        usage: Usage {
            input_tokens: 5,
            output_tokens: 3,
        },
    };
    assert_eq!(text, Ok(Some(expected)));
    let request = server.only_request();
    assert_eq!(header(&request, "authorization"), "Bearer sk-test");
    assert_eq!(
        request.body["messages"],
        json!([
            {"role": "system", "content": "Rewrite the question."},
            {"role": "user", "content": "how many days off"}
        ])
    );
    assert_eq!(request.body["stream"], false);
    assert_eq!(request.body["model"], "gpt-test");
    assert_eq!(request.body["max_tokens"], 300);
}

#[tokio::test]
async fn openai_without_a_key_sends_no_authorization() {
    let server = Server::start(OA_PATH, |_| sse(sends(&oa_answer(&["x"])), None)).await;
    let generator = OpenAiChat::new("local", &format!("{}/v1/", server.base), None, policy());

    let (result, _) = generate(&generator, "m").await;

    assert!(result.is_ok(), "{result:?}");
    assert!(server.only_request().headers.get("authorization").is_none());
}

// ------------------------------------------------- shared HTTP behaviour

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_at_once() {
    let server = Server::start(OA_PATH, |_| {
        json_answer(
            429,
            json!({"error": {"message": "slow down"}}),
            &[("retry-after", "60")],
        )
    })
    .await;

    let (result, _) = generate(&openai(&server), "m").await;

    assert_eq!(
        result,
        Err(LlmError::RateLimited {
            provider: "testai".into(),
            retry_after_secs: Some(60)
        })
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn rate_limits_that_last_exhaust_the_retries() {
    let server = Server::start(OA_PATH, |_| {
        json_answer(
            429,
            json!({"error": {"message": "slow down"}}),
            &[("retry-after", "0")],
        )
    })
    .await;

    let (result, _) = generate(&openai(&server), "m").await;

    assert_eq!(
        result,
        Err(LlmError::RateLimited {
            provider: "testai".into(),
            retry_after_secs: Some(0)
        })
    );
    assert_eq!(
        server.requests().len(),
        3,
        "one try and max_retries = 2 retries"
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let server = Server::start(OA_PATH, |_| {
        Response::builder()
            .status(503)
            .body(Body::from("upstream connect error\n"))
            .unwrap()
    })
    .await;

    let (result, _) = generate(&openai(&server), "m").await;

    assert_eq!(
        result,
        Err(LlmError::Upstream {
            provider: "testai".into(),
            status: 503,
            message: "upstream connect error".into()
        })
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_stream_cut_short_is_a_transport_error() {
    let server = Server::start(OA_PATH, |_| sse(sends(&[oa_delta("Half")]), None)).await;

    let (result, deltas) = generate(&openai(&server), "m").await;

    assert_pieces(&deltas, &["Half"]);
    assert!(
        matches!(result, Err(LlmError::Transport { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let generator = OpenAiChat::new("gone", &base, Some("sk-secret-key".into()), policy());

    let (result, _) = generate(&generator, "m").await;

    match result {
        Err(LlmError::Transport { provider, message }) => {
            assert_eq!(provider, "gone");
            assert!(!message.contains("sk-secret-key"));
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

// ---------------------------------------------------------------- Anthropic

#[tokio::test]
async fn anthropic_streams_pieces_in_order_with_usage_and_sends_the_template() {
    let server = Server::start(AN_PATH, |_| {
        sse(
            sends(&an_answer(&["You get", " 25 days", " of leave [1]."])),
            None,
        )
    })
    .await;

    let (result, deltas) = generate(&anthropic(&server), "claude-test").await;

    assert_pieces(&deltas, &["You get", " 25 days", " of leave [1]."]);
    assert_eq!(
        result,
        Ok(Usage {
            input_tokens: 95,
            output_tokens: 11
        })
    );
    let request = server.only_request();
    assert_eq!(header(&request, "x-api-key"), "sk-ant-test");
    assert_eq!(header(&request, "anthropic-version"), "2023-06-01");
    assert_eq!(header(&request, "content-type"), "application/json");
    assert!(request.headers.get("authorization").is_none());
    let body = &request.body;
    let rendered = prompt::render(&question());
    assert_eq!(body["model"], "claude-test");
    assert_eq!(body["stream"], true);
    assert_eq!(body["max_tokens"], 300);
    assert_eq!(body["temperature"], json!(0.2));
    assert_eq!(body["system"], rendered.system.as_str());
    assert_eq!(body["messages"], json!(rendered.messages));
    assert_eq!(
        body["messages"][0],
        json!({"role": "user", "content": "Who approves leave?"})
    );
    assert_eq!(body["messages"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn anthropic_error_status_gives_upstream_with_the_body_message() {
    let server = Server::start(AN_PATH, |_| {
        let body = json!({"type": "error", "error": {"type": "authentication_error",
            "message": "invalid x-api-key"}});
        json_answer(401, body, &[])
    })
    .await;

    let (result, deltas) = generate(&anthropic(&server), "m").await;

    assert_eq!(
        result,
        Err(LlmError::Upstream {
            provider: "testant".into(),
            status: 401,
            message: "invalid x-api-key".into()
        })
    );
    assert!(deltas.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn anthropic_waits_out_retry_after_then_succeeds() {
    let server = Server::start(AN_PATH, |i| match i {
        0 => json_answer(
            429,
            json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}),
            &[("retry-after", "1")],
        ),
        _ => sse(sends(&an_answer(&["ok"])), None),
    })
    .await;

    let started = Instant::now();
    let (result, deltas) = generate(&anthropic(&server), "m").await;

    assert!(result.is_ok(), "{result:?}");
    assert_pieces(&deltas, &["ok"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].at - requests[0].at >= Duration::from_millis(950));
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn anthropic_overloaded_is_retried() {
    let server = Server::start(AN_PATH, |i| match i {
        0 => json_answer(
            529,
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            &[],
        ),
        _ => sse(sends(&an_answer(&["fine"])), None),
    })
    .await;

    let (result, deltas) = generate(&anthropic(&server), "m").await;

    assert!(result.is_ok(), "{result:?}");
    assert_pieces(&deltas, &["fine"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn anthropic_error_event_mid_stream_ends_with_upstream_after_the_text() {
    let server = Server::start(AN_PATH, |_| {
        let error = json!({"type": "error", "error": {"type": "overloaded_error",
            "message": "Overloaded"}});
        let pieces = [
            an_start(10),
            an_delta("Partial"),
            an_event(error),
            an_delta("never"),
        ];
        sse(sends(&pieces), None)
    })
    .await;

    let (result, deltas) = generate(&anthropic(&server), "m").await;

    assert_pieces(&deltas, &["Partial"]);
    assert_eq!(
        result,
        Err(LlmError::Upstream {
            provider: "testant".into(),
            status: 0,
            message: "Overloaded".into()
        })
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn anthropic_silence_mid_stream_is_a_timeout() {
    let server = Server::start(AN_PATH, |_| {
        let pieces = vec![
            Piece::Send(an_start(3)),
            Piece::Send(an_delta("Hello")),
            Piece::Stall,
        ];
        sse(pieces, None)
    })
    .await;

    let (result, deltas) = generate(&anthropic(&server), "m").await;

    assert_pieces(&deltas, &["Hello"]);
    assert_eq!(
        result,
        Err(LlmError::Timeout {
            provider: "testant".into(),
            seconds: 1
        })
    );
}

#[tokio::test]
async fn anthropic_receiver_dropped_cancels_and_closes_the_connection() {
    let (gone_tx, gone_rx) = oneshot::channel();
    let gone_tx = Mutex::new(Some(gone_tx));
    let server = Server::start(AN_PATH, move |_| {
        let pieces = vec![
            Piece::Send(an_start(3)),
            Piece::Repeat(an_delta("more "), Duration::from_millis(20)),
        ];
        sse(pieces, gone_tx.lock().unwrap().take())
    })
    .await;

    let generator = anthropic(&server);
    let (result, first) = generate_and_hang_up(&generator).await;

    assert_eq!(first.as_deref(), Some("more "));
    assert_eq!(result, Err(LlmError::Cancelled));
    let closed = tokio::time::timeout(Duration::from_secs(10), gone_rx).await;
    assert!(
        closed.is_ok(),
        "the server still streams to a client that left"
    );
}

#[tokio::test]
async fn anthropic_complete_joins_the_text_blocks() {
    let server = Server::start(AN_PATH, |_| {
        let body = json!({"id": "msg_1", "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": "vacation "}, {"type": "text", "text": "days"}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 5, "output_tokens": 2}});
        json_answer(200, body, &[])
    })
    .await;

    let text = anthropic(&server)
        .complete(
            "Rewrite the question.",
            "how many days off",
            &settings("claude-test"),
        )
        .await;

    let expected = Completion {
        text: "vacation days".into(),
        usage: Usage {
            input_tokens: 5,
            output_tokens: 2,
        },
    };
    assert_eq!(text, Ok(Some(expected)));
    let request = server.only_request();
    assert_eq!(header(&request, "x-api-key"), "sk-ant-test");
    assert_eq!(header(&request, "anthropic-version"), "2023-06-01");
    assert_eq!(request.body["system"], "Rewrite the question.");
    assert_eq!(
        request.body["messages"],
        json!([{"role": "user", "content": "how many days off"}])
    );
    assert_eq!(request.body["stream"], false);
    assert_eq!(request.body["model"], "claude-test");
    assert_eq!(request.body["max_tokens"], 300);
}
