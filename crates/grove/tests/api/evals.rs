//! Evals end to end over HTTP: eval sets with their validation; a run over
//! three indexed documents with the extractive answerer and the real local
//! embedder, each item's scores and the aggregate checked by hand, the
//! `eval.completed` event, nothing added to the interaction log; two runs
//! with different agent settings compared; and a run interrupted by a stop
//! that resumes from its first unscored item on the next server, answering
//! no item twice.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::response::Response;
use grove_core::config::{Config, ProviderApi, ProviderConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::common::{greenhouse_source, upload, wait_for_sync, Reply, TestServer};

/// A valid eval set body of one question.
pub fn eval_set_body(name: &str) -> Value {
    json!({"name": name, "items": [{"question": "What is A?", "expected_sources": ["a.md"]}]})
}

/// An eval set in org A and one run of it against `agent`, for the
/// catalogue-driven tests.
pub async fn target_eval(t: &TestServer, agent: &str, n: usize) -> (String, String) {
    let key = &t.org_a.api_key;
    let set = t
        .post(
            "/api/v1/eval-sets",
            key,
            eval_set_body(&format!("Target set {n}")),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.body);
    let set = set.body["id"].as_str().unwrap().to_owned();
    let run = t
        .post(
            &format!("/api/v1/eval-sets/{set}/runs"),
            key,
            json!({"agent_id": agent}),
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    (set, run.body["id"].as_str().unwrap().to_owned())
}

const CHUNKING: &str = "# Chunking\n\nGrove splits every document into chunks before indexing them. \
The chunk size of a data source is configured with the chunk_size field when the data source is created. \
Its default is 512 tokens, with an overlap of 50 tokens between neighbouring chunks.\n";

const RETENTION: &str =
    "# Session retention\n\nConversation sessions are deleted after thirty days without activity. \
The retention period is a server setting, and its default can be changed in grove.toml.\n";

const COOKING: &str =
    "# Pancakes\n\nWhisk two eggs with milk and flour until the batter is smooth. \
Fry each pancake in butter for a minute on each side.\n";

const Q_CHUNKS: &str = "How is the chunk size of a data source configured?";
const Q_SESSIONS: &str = "When are conversation sessions deleted?";
const Q_PANCAKES: &str = "How do I fry a pancake?";

async fn fixture_source(t: &TestServer) -> String {
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

/// Polls a run until it ends.
pub async fn wait_for_run(base: &str, key: &str, id: &str) -> Value {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let run: Value = client
            .get(format!("{base}/api/v1/eval-runs/{id}"))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if matches!(
            run["status"].as_str(),
            Some("succeeded" | "failed" | "cancelled")
        ) {
            return run;
        }
        assert!(Instant::now() < deadline, "eval run did not end: {run}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn assert_field(reply: &Reply, field: &str) {
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "{field}: {}",
        reply.body
    );
    assert_eq!(
        reply.body["error"]["details"]["field"], field,
        "{}",
        reply.body
    );
}

fn strip_markers(text: &str) -> String {
    grove_jobs::evals::strip_markers(text)
}

#[tokio::test]
async fn eval_sets_are_created_validated_listed_updated_and_deleted() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;
    let created = t
        .post(
            "/api/v1/eval-sets",
            key,
            json!({"name": " Handbook ", "description": "Basics", "items": [
                {"question": "What is A?", "expected_answer": "A is a letter.",
                 "expected_sources": ["a.md", "doc_1"]},
                {"question": "What is B?"}
            ]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let set = &created.body;
    let id = set["id"].as_str().unwrap();
    assert!(id.starts_with("evs_"), "{id}");
    assert_eq!(set["name"], "Handbook");
    assert_eq!(set["item_count"], 2);
    assert_eq!(
        set["items"][0]["expected_sources"],
        json!(["a.md", "doc_1"])
    );
    assert_eq!(set["items"][1]["expected_answer"], Value::Null);
    assert_eq!(set["items"][1]["expected_sources"], json!([]));

    // Each bad body is a 400 naming its field.
    let long = "x".repeat(4097);
    let many: Vec<Value> = (0..501)
        .map(|i| json!({"question": format!("Q{i}")}))
        .collect();
    let item = |extra: Value| {
        let mut item = json!({"question": "Fine?"});
        for (k, v) in extra.as_object().unwrap() {
            item[k] = v.clone();
        }
        item
    };
    for (body, field) in [
        (json!({"items": [{"question": "Q"}]}), "name"),
        (json!({"name": "S"}), "items"),
        (json!({"name": "", "items": [{"question": "Q"}]}), "name"),
        (json!({"name": "S", "items": []}), "items"),
        (json!({"name": "S", "items": many}), "items"),
        (
            json!({"name": "S", "items": [item(json!({})), item(json!({})), item(json!({})), {"question": "  "}]}),
            "items[3].question",
        ),
        (
            json!({"name": "S", "items": [item(json!({})), {"expected_answer": "x"}]}),
            "items[1].question",
        ),
        (
            json!({"name": "S", "items": [{"question": long}]}),
            "items[0].question",
        ),
        (
            json!({"name": "S", "items": [item(json!({"expected_sources": ["ok", " "]}))]}),
            "items[0].expected_sources[1]",
        ),
        (
            json!({"name": "S", "items": [item(json!({"expected_answer": "y".repeat(10_001)}))]}),
            "items[0].expected_answer",
        ),
        (
            json!({"name": "S", "items": [item(json!({"expected_sources": vec!["s"; 21]}))]}),
            "items[0].expected_sources",
        ),
    ] {
        let reply = t.post("/api/v1/eval-sets", key, body).await;
        assert_field(&reply, field);
    }

    // Listed without items.
    let listed = t.get("/api/v1/eval-sets", key).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["eval_sets"][0]["id"], id);
    assert_eq!(listed.body["eval_sets"][0]["item_count"], 2);
    assert!(listed.body["eval_sets"][0].get("items").is_none());
    assert_field(&t.get("/api/v1/eval-sets?limit=0", key).await, "limit");

    // Updated: given fields replace, others stay.
    let path = format!("/api/v1/eval-sets/{id}");
    let updated = t
        .call(
            Method::PUT,
            &path,
            Some(key),
            Some(json!({"items": [{"question": "What is C?", "expected_sources": ["c.md"]}]})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["name"], "Handbook");
    assert_eq!(updated.body["item_count"], 1);
    let bad = t
        .call(
            Method::PUT,
            &path,
            Some(key),
            Some(json!({"items": [{"question": ""}]})),
        )
        .await;
    assert_field(&bad, "items[0].question");
    let got = t.get(&path, key).await;
    assert_eq!(got.body["items"][0]["question"], "What is C?");
    assert_field(&t.get("/api/v1/eval-sets/ds_abc", key).await, "id");

    // Runs need an agent of the organisation.
    let run = t
        .post(&format!("{path}/runs"), key, json!({"agent_id": "nope"}))
        .await;
    assert_field(&run, "agent_id");
    let run = t
        .post(
            &format!("{path}/runs"),
            key,
            json!({"agent_id": "agent_missing1"}),
        )
        .await;
    assert_eq!(run.status, StatusCode::NOT_FOUND, "{}", run.body);

    let deleted = t.call(Method::DELETE, &path, Some(key), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&path, key).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_run_scores_each_item_and_two_runs_compare() {
    let t = TestServer::start_with(|c| c.queue.poll_interval_ms = 20).await;
    let key = t.org_a.api_key.clone();
    let source = fixture_source(&t).await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Handbook agent", "data_source_ids": [source],
                   "similarity_threshold": 0.2}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    let agent = agent.body["id"].as_str().unwrap().to_owned();

    // What the agent answers to the first question, asked directly (the
    // extractive answerer is deterministic): the expected answer of item 0.
    let asked = t
        .post(
            "/api/v1/query",
            &key,
            json!({"agent_id": agent, "query": Q_CHUNKS}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let chunking_doc = asked.body["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["document_title"] == "Chunking" && s["cited"] == true)
        .expect("the chunking document is cited")["document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let expected_answer = strip_markers(asked.body["response"].as_str().unwrap());

    let set = t
        .post(
            "/api/v1/eval-sets",
            &key,
            json!({"name": "Handbook", "items": [
                // Expects the chunking document (by id): cited, a hit.
                {"question": Q_CHUNKS, "expected_answer": expected_answer,
                 "expected_sources": ["no-such-source", chunking_doc]},
                // Expects the pancakes document (by title), which is not cited,
                // and an answer the agent's is near but not the same as (cosine
                // about 0.56 against a decline's 0.20), so neither check below
                // hangs on the embedder's last digits (an unrelated expectation
                // did: 0.05 apart from a decline on one CPU, not on another).
                {"question": Q_SESSIONS, "expected_answer": "The server cleans up old chats now and then.",
                 "expected_sources": ["Pancakes"]},
                // Expects nothing.
                {"question": Q_PANCAKES},
            ]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.body);
    let set = set.body["id"].as_str().unwrap().to_owned();
    let interactions_before = t.get("/api/v1/interactions", &key).await.body["total"].clone();

    let started = t
        .post(
            &format!("/api/v1/eval-sets/{set}/runs"),
            &key,
            json!({"agent_id": agent}),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    assert_eq!(started.body["status"], "queued");
    assert_eq!(started.body["items_total"], 3);
    assert_eq!(started.body["agent_snapshot"]["similarity_threshold"], 0.2);
    let base_id = started.body["id"].as_str().unwrap().to_owned();
    assert!(base_id.starts_with("eval_"));

    let run = wait_for_run(&t.base, &key, &base_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert!(run["similarity_note"].is_null(), "{run}");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let cited_titles = |r: &Value| -> Vec<String> {
        r["cited_sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["title"].as_str().unwrap().to_owned())
            .collect()
    };
    // Item 0: the expected document is cited; the answer is the expected one.
    let r0 = &results[0];
    assert_eq!(r0["question"], Q_CHUNKS);
    assert_eq!(r0["retrieval_hit"], true, "{r0}");
    assert!(cited_titles(r0).contains(&"Chunking".to_owned()), "{r0}");
    assert_eq!(r0["answer"], asked.body["response"]);
    let sim0 = r0["answer_similarity"].as_f64().unwrap();
    assert!(sim0 > 0.99, "{r0}");
    assert_eq!(r0["citation_present"], true);
    assert!(r0["error"].is_null());
    assert!(r0["latency_ms"].as_u64().is_some());
    // Item 1: answered from the retention page; pancakes is not cited.
    let r1 = &results[1];
    assert!(!cited_titles(r1).contains(&"Pancakes".to_owned()), "{r1}");
    assert!(
        cited_titles(r1).contains(&"Session retention".to_owned()),
        "{r1}"
    );
    assert_eq!(r1["retrieval_hit"], false, "{r1}");
    let sim1 = r1["answer_similarity"].as_f64().unwrap();
    assert!(
        sim1 < sim0 - 0.2,
        "a different answer scored {sim1} against {sim0}"
    );
    assert_eq!(r1["citation_present"], true);
    // Item 2: no expectations, so no hit and no similarity.
    let r2 = &results[2];
    assert!(r2["retrieval_hit"].is_null(), "{r2}");
    assert!(r2["answer_similarity"].is_null(), "{r2}");
    assert_eq!(r2["citation_present"], true, "{r2}");
    assert!(cited_titles(r2).contains(&"Pancakes".to_owned()), "{r2}");

    // The aggregate, by hand: 1 hit of 2 items with expected sources,
    // the mean of the two similarities, 3 of 3 answers citing.
    let aggregate = &run["aggregate"];
    assert_eq!(aggregate["items"], 3);
    assert_eq!(aggregate["scored"], 3);
    assert_eq!(aggregate["errors"], 0);
    assert_eq!(aggregate["retrieval_hit_rate"], 0.5);
    assert_eq!(aggregate["citation_rate"], 1.0);
    let mean = aggregate["mean_answer_similarity"].as_f64().unwrap();
    assert!((mean - (sim0 + sim1) / 2.0).abs() < 1e-6, "{aggregate}");

    // Evals are not user interactions.
    let interactions_after = t.get("/api/v1/interactions", &key).await.body["total"].clone();
    assert_eq!(interactions_before, interactions_after);

    // The end is announced, once, with the aggregate.
    let run_id = grove_core::ids::EvalRunId::parse(&base_id).unwrap();
    let completed = run_events(&t.store, &run_id).await;
    assert_eq!(completed.len(), 1, "{completed:?}");
    assert_eq!(completed[0].event, "eval.completed");
    let data = &completed[0].data;
    assert_eq!(data["eval_set_id"], set.as_str());
    assert_eq!(data["agent_id"], agent.as_str());
    assert_eq!(data["status"], "succeeded");
    assert_eq!(&data["aggregate"], aggregate);

    // The same agent with a threshold nothing passes (relevance is an
    // estimate, below 1): a second run.
    let changed = t
        .call(
            Method::PUT,
            &format!("/api/v1/agents/{agent}"),
            Some(&key),
            Some(json!({"similarity_threshold": 1.0})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let head = t
        .post(
            &format!("/api/v1/eval-sets/{set}/runs"),
            &key,
            json!({"agent_id": agent}),
        )
        .await;
    let head_id = head.body["id"].as_str().unwrap().to_owned();
    let head_run = wait_for_run(&t.base, &key, &head_id).await;
    assert_eq!(head_run["status"], "succeeded", "{head_run}");
    assert_eq!(head_run["aggregate"]["citation_rate"], 0.0, "{head_run}");
    assert_eq!(head_run["aggregate"]["retrieval_hit_rate"], 0.0);

    let runs = t.get(&format!("/api/v1/eval-sets/{set}/runs"), &key).await;
    assert_eq!(runs.body["total"], 2);
    assert_eq!(runs.body["runs"][0]["id"], head_id.as_str(), "newest first");

    let compare = t
        .get(
            &format!("/api/v1/eval-runs/compare?base={base_id}&head={head_id}"),
            &key,
        )
        .await;
    assert_eq!(compare.status, StatusCode::OK, "{}", compare.body);
    let c = &compare.body;
    assert_eq!(c["base"]["aggregate"], *aggregate);
    assert_eq!(c["head"]["aggregate"]["citation_rate"], 0.0);
    let settings = c["settings_changed"].as_array().unwrap();
    assert_eq!(settings.len(), 1, "{settings:?}");
    assert_eq!(settings[0]["key"], "similarity_threshold");
    assert!((settings[0]["base"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    assert!((settings[0]["head"].as_f64().unwrap() - 1.0).abs() < 1e-6);
    let items = c["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        // Every answer lost its citation.
        assert_eq!(item["change"], "regressed", "{item}");
        assert_eq!(item["base"]["citation_present"], true);
        assert_eq!(item["head"]["citation_present"], false);
    }
    assert_eq!(items[0]["base"]["retrieval_hit"], true);
    assert_eq!(items[0]["head"]["retrieval_hit"], false);
    assert_eq!(items[0]["question"], Q_CHUNKS);
    assert_eq!(
        c["summary"],
        json!({"improved": 0, "regressed": 3, "unchanged": 0})
    );
    // The other way round, every item improved.
    let reverse = t
        .get(
            &format!("/api/v1/eval-runs/compare?base={head_id}&head={base_id}"),
            &key,
        )
        .await;
    assert_eq!(
        reverse.body["summary"],
        json!({"improved": 3, "regressed": 0, "unchanged": 0})
    );
    // A run compared with itself is unchanged.
    let same = t
        .get(
            &format!("/api/v1/eval-runs/compare?base={base_id}&head={base_id}"),
            &key,
        )
        .await;
    assert_eq!(same.body["summary"]["unchanged"], 3);
    assert_eq!(same.body["settings_changed"], json!([]));

    // Runs of different sets, and bad parameters, are 400s naming the field.
    let (_, other_run) = target_eval(&t, &agent, 1).await;
    let mixed = t
        .get(
            &format!("/api/v1/eval-runs/compare?base={base_id}&head={other_run}"),
            &key,
        )
        .await;
    assert_field(&mixed, "head");
    assert_field(
        &t.get(&format!("/api/v1/eval-runs/compare?base={base_id}"), &key)
            .await,
        "head",
    );
    assert_field(
        &t.get(
            &format!("/api/v1/eval-runs/compare?base=evs_x&head={base_id}"),
            &key,
        )
        .await,
        "base",
    );
    let missing = t
        .get(
            &format!("/api/v1/eval-runs/compare?base=eval_missing&head={base_id}"),
            &key,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Cancelling an ended run changes nothing.
    let cancelled = t
        .post(
            &format!("/api/v1/eval-runs/{base_id}/cancel"),
            &key,
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(cancelled.body["status"], "succeeded");
}

// ------------------------------------------------------- resuming a run

/// An OpenAI-wire model that counts the requests per question and holds
/// the answers to `held` until released.
struct Model {
    base: String,
    open: watch::Sender<bool>,
    asked: Arc<Mutex<HashMap<String, usize>>>,
}

const QUESTIONS: [&str; 3] = [
    "When do the greenhouse vents open?",
    "When do the greenhouse vents close?",
    "What opens the greenhouse vents?",
];

impl Model {
    async fn start(held: &'static str) -> Self {
        let (open, rx) = watch::channel(false);
        let asked: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let seen = asked.clone();
        let app = axum::Router::new().fallback(move |body: Bytes| {
            let (mut rx, seen) = (rx.clone(), seen.clone());
            async move {
                let text = String::from_utf8_lossy(&body).into_owned();
                let question = QUESTIONS
                    .iter()
                    .find(|q| text.contains(&format!("Question: {q}")))
                    .copied()
                    .unwrap_or("other");
                *seen.lock().unwrap().entry(question.to_owned()).or_default() += 1;
                if question == held {
                    let _ = rx.wait_for(|open| *open).await;
                }
                answer("The vents open above 28 degrees [1].")
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, open, asked }
    }

    fn asked(&self, question: &str) -> usize {
        self.asked
            .lock()
            .unwrap()
            .get(question)
            .copied()
            .unwrap_or(0)
    }
}

fn answer(text: &str) -> Response {
    let delta =
        json!({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
    let end = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 9, "total_tokens": 59}});
    let body = format!("data: {delta}\n\ndata: {end}\n\ndata: [DONE]\n\n");
    let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(Bytes::from(body)) });
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap()
}

fn with_model(c: &mut Config, base: &str) {
    c.queue.poll_interval_ms = 20;
    c.llm.max_retries = 0;
    c.llm.providers.insert(
        "fake".into(),
        ProviderConfig {
            api: ProviderApi::OpenaiChat,
            base_url: format!("{base}/v1"),
            api_key: Some("sk-fake".into()),
        },
    );
}

/// A server whose agent answers with `model`, and a run of the three
/// garden questions against it: the server, the key and the run's id.
async fn garden_run(model: &Model) -> (TestServer, String, String) {
    let t = TestServer::start_with(|c| with_model(c, &model.base)).await;
    let key = t.org_a.api_key.clone();
    let source = greenhouse_source(&t, &key).await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Gardener", "data_source_ids": [source], "model": "fake:m",
                   "similarity_threshold": 0.0}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    let agent = agent.body["id"].as_str().unwrap().to_owned();
    let items: Vec<Value> = QUESTIONS
        .iter()
        .map(|q| json!({"question": q, "expected_sources": ["Greenhouse"]}))
        .collect();
    let set = t
        .post(
            "/api/v1/eval-sets",
            &key,
            json!({"name": "Garden", "items": items}),
        )
        .await;
    let set = set.body["id"].as_str().unwrap().to_owned();
    let started = t
        .post(
            &format!("/api/v1/eval-sets/{set}/runs"),
            &key,
            json!({"agent_id": agent}),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let id = started.body["id"].as_str().unwrap().to_owned();
    (t, key, id)
}

#[tokio::test]
async fn an_interrupted_run_resumes_from_its_first_unscored_item() {
    let model = Model::start(QUESTIONS[1]).await;
    let (t, key, id) = garden_run(&model).await;

    // The first item is scored; the second is being answered (held).
    let deadline = Instant::now() + Duration::from_secs(60);
    while model.asked(QUESTIONS[1]) == 0 {
        assert!(Instant::now() < deadline, "the second question never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let halfway = t.get(&format!("/api/v1/eval-runs/{id}"), &key).await;
    assert_eq!(halfway.body["status"], "running", "{}", halfway.body);
    assert_eq!(halfway.body["items_scored"], 1);
    assert!(halfway.body["results"][0]["scored_at"].is_string());
    assert!(halfway.body["results"][1]["scored_at"].is_null());

    // The server stops mid-item; the next one, on the same data, resumes.
    let (store, search) = (t.store.clone(), t.search.clone());
    let dir = t.stop_keeping_data().await;
    model.open.send_replace(true);
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    with_model(&mut config, &model.base);
    let server = grove_server::Server::start(
        config,
        store.clone(),
        search,
        "restarted",
        axum::Router::new(),
    )
    .await
    .unwrap();
    let base = format!("http://{}", server.addr);
    let run = wait_for_run(&base, &key, &id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["aggregate"]["scored"], 3);
    assert_eq!(run["aggregate"]["retrieval_hit_rate"], 1.0, "{run}");
    for result in run["results"].as_array().unwrap() {
        assert_eq!(result["answer"], "The vents open above 28 degrees [1].");
        assert!(result["error"].is_null(), "{result}");
    }
    // No scored item was answered again; the interrupted one was answered
    // once more, and the last once.
    assert_eq!(
        model.asked(QUESTIONS[0]),
        1,
        "{:?}",
        model.asked.lock().unwrap()
    );
    assert_eq!(model.asked(QUESTIONS[1]), 2);
    assert_eq!(model.asked(QUESTIONS[2]), 1);
    let run_id = grove_core::ids::EvalRunId::parse(&id).unwrap();
    let completed = run_events(&store, &run_id).await;
    assert_eq!(completed.len(), 1, "{completed:?}");
    assert_eq!(completed[0].data["status"], "succeeded");
    server.shutdown();
    server.wait().await.unwrap();
}

/// The `eval.completed` events of one run, fanned out to webhooks or not.
async fn run_events(
    store: &std::sync::Arc<dyn grove_store::Store>,
    run: &grove_core::ids::EvalRunId,
) -> Vec<grove_store::OutboxEvent> {
    store
        .recent_events("eval.completed", 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.data["eval_run_id"] == run.as_str())
        .collect()
}

#[tokio::test]
async fn without_an_embedding_model_similarity_is_null_and_the_run_says_why() {
    let t = TestServer::start_with(|c| {
        c.queue.poll_interval_ms = 20;
        c.embedding.provider = grove_core::config::EmbeddingProvider::None;
    })
    .await;
    let key = t.org_a.api_key.clone();
    let source = fixture_source(&t).await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Lexical agent", "data_source_ids": [source],
                   "similarity_threshold": 0.0}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    let set = t
        .post(
            "/api/v1/eval-sets",
            &key,
            json!({"name": "No model", "items": [
                {"question": Q_CHUNKS, "expected_answer": "512 tokens", "expected_sources": ["Chunking"]}
            ]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.body);
    let run = t
        .post(
            &format!(
                "/api/v1/eval-sets/{}/runs",
                set.body["id"].as_str().unwrap()
            ),
            &key,
            json!({"agent_id": agent.body["id"]}),
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let done = wait_for_run(&t.base, &key, run.body["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let result = &done["results"][0];
    assert!(result["answer_similarity"].is_null(), "{result}");
    // The other scores do not need the model.
    assert_eq!(result["retrieval_hit"], true, "{result}");
    assert_eq!(result["citation_present"], true, "{result}");
    let note = done["similarity_note"].as_str().unwrap_or("");
    assert!(
        !note.is_empty(),
        "the run says why similarity is missing: {done}"
    );
    assert!(
        done["aggregate"]["mean_answer_similarity"].is_null(),
        "{done}"
    );
    t.stop().await;
}

#[tokio::test]
async fn a_run_cancelled_mid_item_answers_nothing_more() {
    let model = Model::start(QUESTIONS[1]).await;
    let (t, key, id) = garden_run(&model).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while model.asked(QUESTIONS[1]) == 0 {
        assert!(Instant::now() < deadline, "the second question never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cancelled = t
        .post(&format!("/api/v1/eval-runs/{id}/cancel"), &key, json!({}))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    // The held answer comes back after the cancel: it is not recorded, and
    // the third question is never asked.
    model.open.send_replace(true);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let run = t.get(&format!("/api/v1/eval-runs/{id}"), &key).await.body;
    assert_eq!(run["status"], "cancelled", "{run}");
    assert_eq!(run["items_scored"], 1, "{run}");
    assert!(run["results"][1]["scored_at"].is_null(), "{run}");
    assert_eq!(model.asked(QUESTIONS[2]), 0);
    let run_id = grove_core::ids::EvalRunId::parse(&id).unwrap();
    let completed = run_events(&t.store, &run_id).await;
    assert_eq!(completed.len(), 1, "{completed:?}");
    assert_eq!(completed[0].data["status"], "cancelled");
    t.stop().await;
}
