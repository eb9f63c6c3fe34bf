//! The OpenAI-compatible embedder against a local server that speaks the
//! `/v1/embeddings` wire format: batching, answers out of order, 429 with
//! `Retry-After`, 5xx, client errors, timeouts and wrong dimensions.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use grove_search::embed::openai::{OpenAiConfig, OpenAiEmbedder};
use grove_search::embed::Embedder;
use serde_json::{json, Value};

/// What the fake provider answers to its n-th request (0-based); requests
/// past the script get a normal answer.
#[derive(Clone)]
enum Answer {
    Ok,
    Status(u16, Option<&'static str>),
    Slow(Duration),
    Dimension(usize),
}

#[derive(Default)]
struct Seen {
    requests: Vec<(Instant, Value, Option<String>)>,
}

#[derive(Clone)]
struct Provider {
    script: Arc<Vec<Answer>>,
    seen: Arc<Mutex<Seen>>,
}

/// A deterministic 4-dimensional vector for a text, unnormalised, so the
/// test can check order and normalisation.
fn vector_for(text: &str, dim: usize) -> Vec<f32> {
    let mut v = vec![0.0; dim];
    v[0] = text.len() as f32;
    v[1] = 1.0;
    v
}

async fn embeddings(
    State(p): State<Provider>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let n = {
        let mut seen = p.seen.lock().unwrap();
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        seen.requests.push((Instant::now(), body.clone(), auth));
        seen.requests.len() - 1
    };
    let mut dim = 4;
    match p.script.get(n).cloned().unwrap_or(Answer::Ok) {
        Answer::Ok => {}
        Answer::Dimension(d) => dim = d,
        Answer::Slow(wait) => tokio::time::sleep(wait).await,
        Answer::Status(code, retry_after) => {
            let status = StatusCode::from_u16(code).unwrap();
            let error = json!({"error": {"message": format!("scripted {code}"), "type": "test"}});
            let mut resp = (status, Json(error)).into_response();
            if let Some(after) = retry_after {
                resp.headers_mut()
                    .insert("retry-after", after.parse().unwrap());
            }
            return resp;
        }
    }
    let inputs: Vec<String> = serde_json::from_value(body["input"].clone()).unwrap();
    // Answer in reverse order: clients must sort by `index`.
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": vector_for(t, dim)}))
        .collect();
    Json(json!({
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": 1, "total_tokens": 1}
    }))
    .into_response()
}

async fn start(script: Vec<Answer>) -> (String, Arc<Mutex<Seen>>) {
    let provider = Provider {
        script: Arc::new(script),
        seen: Arc::default(),
    };
    let seen = provider.seen.clone();
    let app = Router::new()
        .route("/v1/embeddings", post(embeddings))
        .with_state(provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), seen)
}

fn config(base: &str) -> OpenAiConfig {
    let mut c = OpenAiConfig::new(base, "text-embedding-test", 4);
    c.backoff_base = Duration::from_millis(5);
    c.max_retries = 3;
    c.timeout = Duration::from_secs(5);
    c
}

fn texts(n: usize) -> Vec<String> {
    (0..n).map(|i| "x".repeat(i + 1)).collect()
}

#[tokio::test]
async fn batches_keep_order_and_vectors_are_normalised() {
    let (base, seen) = start(vec![]).await;
    let mut c = config(&base);
    c.batch_size = 2;
    c.api_key = Some("sk-test".into());
    let embedder = OpenAiEmbedder::new(c).unwrap();
    let vectors = embedder.embed(texts(5)).await.unwrap();

    assert_eq!(vectors.len(), 5);
    for (i, v) in vectors.iter().enumerate() {
        let len = (i + 1) as f32;
        let norm = (len * len + 1.0).sqrt();
        assert!((v[0] - len / norm).abs() < 1e-6, "vector {i} is {v:?}");
        assert!((v.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
    }
    let seen = seen.lock().unwrap();
    let sizes: Vec<usize> = seen
        .requests
        .iter()
        .map(|r| r.1["input"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [2, 2, 1]);
    assert!(
        seen.requests
            .iter()
            .all(|r| r.1["model"] == "text-embedding-test"
                && r.2.as_deref() == Some("Bearer sk-test"))
    );
    assert_eq!(
        embedder.info().name,
        "openai-compatible:text-embedding-test"
    );
}

#[tokio::test]
async fn a_429_is_retried_after_the_time_it_asks_for() {
    let (base, seen) = start(vec![Answer::Status(429, Some("1"))]).await;
    let embedder = OpenAiEmbedder::new(config(&base)).unwrap();
    let vectors = embedder.embed(texts(1)).await.unwrap();
    assert_eq!(vectors.len(), 1);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.requests.len(), 2);
    let waited = seen.requests[1].0 - seen.requests[0].0;
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured, retried after {waited:?}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_given_up_on() {
    let (base, seen) = start(vec![Answer::Status(503, None), Answer::Status(502, None)]).await;
    let embedder = OpenAiEmbedder::new(config(&base)).unwrap();
    assert_eq!(embedder.embed(texts(2)).await.unwrap().len(), 2);
    assert_eq!(seen.lock().unwrap().requests.len(), 3);

    let (base, seen) = start(vec![Answer::Status(500, None); 10]).await;
    let embedder = OpenAiEmbedder::new(config(&base)).unwrap();
    let err = embedder.embed(texts(1)).await.unwrap_err().to_string();
    assert!(err.contains("gave up after 4 attempts"), "{err}");
    assert!(
        err.contains("scripted 500"),
        "the provider's message is kept: {err}"
    );
    assert_eq!(seen.lock().unwrap().requests.len(), 4, "1 try + 3 retries");
}

#[tokio::test]
async fn client_errors_fail_at_once_with_the_providers_message() {
    let (base, seen) = start(vec![Answer::Status(401, None)]).await;
    let embedder = OpenAiEmbedder::new(config(&base)).unwrap();
    let err = embedder.embed(texts(1)).await.unwrap_err().to_string();
    assert!(err.contains("401") && err.contains("scripted 401"), "{err}");
    assert_eq!(seen.lock().unwrap().requests.len(), 1, "no retry on 4xx");
}

#[tokio::test]
async fn a_hanging_provider_times_out_and_is_retried() {
    let (base, seen) = start(vec![
        Answer::Slow(Duration::from_secs(5)),
        Answer::Slow(Duration::from_secs(5)),
    ])
    .await;
    let mut c = config(&base);
    c.timeout = Duration::from_millis(200);
    c.max_retries = 1;
    let embedder = OpenAiEmbedder::new(c).unwrap();
    let err = embedder.embed(texts(1)).await.unwrap_err().to_string();
    assert!(err.contains("gave up after 2 attempts"), "{err}");
    assert_eq!(seen.lock().unwrap().requests.len(), 2);

    let (base, _) = start(vec![Answer::Slow(Duration::from_secs(5))]).await;
    let mut c = config(&base);
    c.timeout = Duration::from_millis(200);
    let embedder = OpenAiEmbedder::new(c).unwrap();
    assert_eq!(
        embedder.embed(texts(1)).await.unwrap().len(),
        1,
        "the retry succeeds"
    );
}

#[tokio::test]
async fn vectors_of_the_wrong_dimension_are_refused() {
    let (base, _) = start(vec![Answer::Dimension(3)]).await;
    let embedder = OpenAiEmbedder::new(config(&base)).unwrap();
    let err = embedder.embed(texts(1)).await.unwrap_err().to_string();
    assert!(err.contains("expected 4 dimensions, got 3"), "{err}");
}
