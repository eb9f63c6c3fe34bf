//! The tool-using analyst loop end to end: a job of an agent whose model is
//! served by a local server speaking OpenAI's streamed Chat Completions (or
//! Anthropic's streamed Messages) with tool calls. A scripted analyst lists
//! the tables, misspells a column, reads the error (which lists the real
//! columns), corrects its query, charts the result and writes a report; the
//! chat holds every step, the table, the chart's SVG and the report. A model
//! that never stops is ended by the step budget.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::Response;
use axum::routing::post;
use axum::Json;
use grove_core::config::{ModelPrice, ProviderApi, ProviderConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestServer;
use crate::scopes::shop_database;

const BAD_SQL: &str = "SELECT regin, sum(total) AS total FROM orders GROUP BY regin";
const GOOD_SQL: &str =
    "SELECT region, sum(total) AS total FROM orders GROUP BY region ORDER BY region";

/// What the scripted analyst does next, from what the conversation holds:
/// `(tool name, arguments)` or `None` to answer.
fn next_step(results: &[(String, bool)]) -> Option<(&'static str, Value)> {
    let last = results
        .last()
        .map(|(content, _)| content.as_str())
        .unwrap_or("");
    let id_in = |key: &str| -> String {
        serde_json::from_str::<Value>(last)
            .ok()
            .and_then(|v| v[key].as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    match results.len() {
        0 => Some(("list_tables", json!({}))),
        1 => Some(("run_query", json!({"sql": BAD_SQL}))),
        2 => {
            // The error names the real columns; the analyst corrects itself.
            assert!(
                results[1].1 && last.contains("main.orders(id, region, total)"),
                "{last}"
            );
            Some(("run_query", json!({"sql": GOOD_SQL})))
        }
        3 => Some((
            "create_chart",
            json!({"result_id": id_in("result_id"), "type": "bar", "x": "region", "y": "total", "title": "Revenue by region"}),
        )),
        4 => {
            let chart = id_in("chart_id");
            let result = serde_json::from_str::<Value>(&results[2].0).unwrap()["result_id"]
                .as_str()
                .unwrap()
                .to_owned();
            Some((
                "write_report",
                json!({"title": "Regional revenue", "summary": "US sells most.",
                "highlights": ["US: 20.0", "EU: 15.0"],
                "sections": [{"heading": "By region", "text": "Totals per region.", "result_ids": [result], "chart_ids": [chart]}]}),
            ))
        }
        _ => None,
    }
}

/// The split analyst: `lead` orchestrates, `querier` is the query
/// component and `charter` the analysis component. `None` for other
/// models; `Some(None)` to answer.
#[allow(clippy::type_complexity)]
fn component_step(
    model: Option<&str>,
    user: &str,
    results: &[(String, bool)],
    offered: &[&str],
) -> Option<Option<(&'static str, Value)>> {
    let result_id = |text: &str| -> String {
        let at = text.find("res_").expect("a result id");
        text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let step = match model? {
        "lead" => {
            assert_eq!(offered, ["query", "analysis"]);
            match results.len() {
                0 => Some(("query", json!({"task": "Revenue per region"}))),
                1 => {
                    assert!(results[0].0.contains("\"results\":[{"), "{}", results[0].0);
                    Some((
                        "analysis",
                        json!({"task": "Chart revenue per region and report it"}),
                    ))
                }
                _ => None,
            }
        }
        "querier" => {
            assert_eq!(offered, ["list_tables", "describe_table", "run_query"]);
            match results.len() {
                0 => Some(("list_tables", json!({}))),
                1 => Some(("run_query", json!({"sql": GOOD_SQL}))),
                _ => None,
            }
        }
        "charter" => {
            assert_eq!(offered, ["create_chart", "write_report"]);
            assert!(user.contains("columns region, total; 2 rows"), "{user}");
            let result = result_id(user);
            match results.len() {
                0 => Some((
                    "create_chart",
                    json!({"result_id": result, "type": "bar", "x": "region", "y": "total"}),
                )),
                1 => {
                    let chart = serde_json::from_str::<Value>(&results[0].0).unwrap()["chart_id"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    Some((
                        "write_report",
                        json!({"title": "Regional revenue", "highlights": ["US: 20.0"],
                        "sections": [{"heading": "By region", "text": "Totals.", "result_ids": [result], "chart_ids": [chart]}]}),
                    ))
                }
                _ => None,
            }
        }
        _ => return None,
    };
    Some(step)
}

fn sse(events: Vec<String>) -> Response {
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from(events.concat()))
        .unwrap()
}

/// OpenAI's format: tool results are `role: tool` messages.
async fn openai(Json(body): Json<Value>) -> Response {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let results: Vec<(String, bool)> = messages
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            let content = m["content"].as_str().unwrap_or_default().to_owned();
            let failed = !content.starts_with('{') && !content.starts_with('[');
            (content, failed)
        })
        .collect();
    let chunk = |delta: Value, finish: Option<&str>| {
        format!(
            "data: {}\n\n",
            json!({"choices": [{"delta": delta, "finish_reason": finish}]})
        )
    };
    let offered: Vec<&str> = body["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    let user = messages
        .iter()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    let step = if body["tool_choice"] == "none" {
        None
    } else if body["model"] == "looper" {
        Some(("list_tables", json!({})))
    } else if let Some(step) = component_step(body["model"].as_str(), &user, &results, &offered) {
        step
    } else if body["model"] == "searcher" {
        assert_eq!(
            offered[0], "search_documents",
            "offered with data sources: {offered:?}"
        );
        match results.first() {
            None => Some((
                "search_documents",
                json!({"query": "when do the greenhouse vents open"}),
            )),
            Some((passages, _)) => {
                assert!(passages.contains("28 degrees"), "{passages}");
                None
            }
        }
    } else {
        assert!(
            !offered.contains(&"search_documents"),
            "not offered without data sources: {offered:?}"
        );
        next_step(&results)
    };
    let mut events = Vec::new();
    match step {
        Some((name, arguments)) => {
            let text = arguments.to_string();
            let (first, second) = text.split_at(text.len() / 2);
            events.push(chunk(json!({"tool_calls": [{"index": 0, "id": format!("call_{}", results.len()), "type": "function", "function": {"name": name, "arguments": ""}}]}), None));
            events.push(chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": first}}]}),
                None,
            ));
            events.push(chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": second}}]}),
                Some("tool_calls"),
            ));
        }
        None if body["model"] == "searcher" => {
            events.push(chunk(
                json!({"content": "The vents open at 28 degrees [1]."}),
                Some("stop"),
            ));
        }
        None => {
            events.push(chunk(json!({"content": "US sells most "}), None));
            events.push(chunk(
                json!({"content": "(20.0 against 15.0)."}),
                Some("stop"),
            ));
        }
    }
    events.push(format!(
        "data: {}\n\n",
        json!({"choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 20}})
    ));
    events.push("data: [DONE]\n\n".into());
    sse(events)
}

/// Anthropic's format: results are `tool_result` blocks of a user message.
async fn anthropic(Json(body): Json<Value>) -> Response {
    let results: Vec<(String, bool)> = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .filter(|block| block["type"] == "tool_result")
        .map(|block| {
            (
                block["content"].as_str().unwrap_or_default().to_owned(),
                block["is_error"] == true,
            )
        })
        .collect();
    let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
    let mut events = vec![event(
        "message_start",
        json!({"type": "message_start", "message": {"usage": {"input_tokens": 90, "output_tokens": 1}}}),
    )];
    match next_step(&results) {
        Some((name, arguments)) => {
            events.push(event("content_block_start", json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})));
            events.push(event("content_block_delta", json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Looking."}})));
            events.push(event(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ));
            events.push(event("content_block_start", json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": format!("toolu_{}", results.len()), "name": name, "input": {}}})));
            let text = arguments.to_string();
            let (first, second) = text.split_at(text.len() / 2);
            for piece in ["", first, second] {
                events.push(event("content_block_delta", json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": piece}})));
            }
            events.push(event(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 1}),
            ));
            events.push(event("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 30}})));
        }
        None => {
            events.push(event("content_block_start", json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})));
            events.push(event("content_block_delta", json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "US sells most (20.0 against 15.0)."}})));
            events.push(event("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 12}})));
        }
    }
    events.push(event("message_stop", json!({"type": "message_stop"})));
    sse(events)
}

async fn model_server() -> String {
    let app = axum::Router::new()
        .route("/v1/chat/completions", post(openai))
        .route("/v1/messages", post(anthropic));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn grove_with_models() -> TestServer {
    let base = model_server().await;
    TestServer::start_with(move |c| {
        c.queue.poll_interval_ms = 20;
        c.llm.max_retries = 0;
        c.llm.prices.insert(
            "fake:lead".into(),
            ModelPrice {
                input_per_million: 1_000.0,
                output_per_million: 2_000.0,
            },
        );
        c.llm.prices.insert(
            "fake:querier".into(),
            ModelPrice {
                input_per_million: 10.0,
                output_per_million: 10.0,
            },
        );
        c.llm.providers.insert(
            "fake".into(),
            ProviderConfig {
                api: ProviderApi::OpenaiChat,
                base_url: format!("{base}/v1"),
                api_key: Some("sk-fake".into()),
            },
        );
        c.llm.providers.insert(
            "claude".into(),
            ProviderConfig {
                api: ProviderApi::AnthropicMessages,
                base_url: base.clone(),
                api_key: Some("sk-ant-fake".into()),
            },
        );
    })
    .await
}

/// Creates an analyst agent with `model` over a SQLite shop, runs a job of
/// it and returns the finished run's chat.
async fn run_analyst(t: &TestServer, model: &str, n: usize) -> Value {
    let key = t.org_a.api_key.clone();
    let path = shop_database(t, n);
    let connector = t
        .post(
            "/api/v1/data-connectors",
            &key,
            json!({"name": "Shop", "type": "sqlite", "config": {"path": path}}),
        )
        .await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": format!("Analyst {n}"), "model": model,
            "data_connector_ids": [connector.body["id"]]}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    assert_eq!(agent.body["data_source_ids"], json!([]));
    let agent = agent.body["id"].as_str().unwrap().to_owned();
    run_job(t, &agent, "Which region sells most?").await
}

/// Runs a job of `agent` asking `prompt`; the finished run's chat.
async fn run_job(t: &TestServer, agent: &str, prompt: &str) -> Value {
    let key = &t.org_a.api_key;
    let job = t
        .post(
            &format!("/api/v1/agents/{agent}/jobs"),
            key,
            json!({"name": "Analysis", "prompt": prompt}),
        )
        .await;
    let job = job.body["id"].as_str().unwrap().to_owned();
    let started = t
        .post(&format!("/api/v1/jobs/{job}/runs"), key, json!({}))
        .await;
    let run = started.body["runs"][0]["id"].as_str().unwrap().to_owned();
    finished_chat(t, &run).await
}

/// The chat of run `run` once it succeeded.
async fn finished_chat(t: &TestServer, run: &str) -> Value {
    let key = &t.org_a.api_key;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let reply = t.get(&format!("/api/v1/runs/{run}"), key).await;
        if !matches!(reply.body["status"].as_str(), Some("queued" | "running")) {
            assert_eq!(reply.body["status"], "succeeded", "{}", reply.body);
            let chat = reply.body["chat_id"].as_str().unwrap().to_owned();
            return t.get(&format!("/api/v1/chats/{chat}"), key).await.body;
        }
        assert!(Instant::now() < deadline, "{}", reply.body);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn check_scripted_chat(chat: &Value, model: &str) {
    let messages = chat["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["user", "tool", "tool", "tool", "tool", "tool", "assistant"],
        "{chat}"
    );
    let steps: Vec<&str> = messages[1..6]
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert!(
        steps[0].starts_with(&format!("{model} called list_tables("))
            && steps[0].ends_with("→ 1 tables"),
        "{}",
        steps[0]
    );
    assert!(
        steps[1].contains("regin") && steps[1].contains("→ error: the database failed the query"),
        "{}",
        steps[1]
    );
    assert!(
        steps[2].contains("run_query(") && steps[2].contains("→ 2 rows (res_"),
        "{}",
        steps[2]
    );
    assert!(
        steps[3].contains("create_chart(") && steps[3].contains("→ out_"),
        "{}",
        steps[3]
    );
    assert!(
        steps[4].contains("write_report(") && steps[4].contains("→ out_"),
        "{}",
        steps[4]
    );
    assert_eq!(messages[6]["content"], "US sells most (20.0 against 15.0).");

    let documents = chat["documents"].as_array().unwrap();
    let kinds: Vec<&str> = documents
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["table", "chart", "report"], "{chat}");
    assert_eq!(
        documents[0]["content"]["rows"],
        json!([["EU", 15.0], ["US", 20.0]])
    );
    assert!(
        documents[1]["content"]["svg"]
            .as_str()
            .unwrap()
            .contains("<rect"),
        "{}",
        documents[1]
    );
    let report = &documents[2]["content"];
    assert_eq!(report["title"], "Regional revenue");
    assert_eq!(
        report["sections"][0]["document_ids"],
        json!([documents[0]["id"], documents[1]["id"]])
    );
}

#[tokio::test]
async fn an_openai_analyst_lists_queries_corrects_itself_charts_and_reports() {
    let t = grove_with_models().await;
    let chat = run_analyst(&t, "fake:analyst", 1).await;
    check_scripted_chat(&chat, "fake:analyst");
}

#[tokio::test]
async fn an_anthropic_analyst_does_the_same_over_tool_use_blocks() {
    let t = grove_with_models().await;
    let chat = run_analyst(&t, "claude:analyst", 2).await;
    check_scripted_chat(&chat, "claude:analyst");
}

#[tokio::test]
async fn an_ad_hoc_chat_with_an_analyst_agent_is_answered_by_the_loop() {
    let t = grove_with_models().await;
    let key = t.org_a.api_key.clone();
    let path = shop_database(&t, 5);
    let connector = t
        .post(
            "/api/v1/data-connectors",
            &key,
            json!({"name": "Shop", "type": "sqlite", "config": {"path": path}}),
        )
        .await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Desk analyst", "model": "fake:analyst",
            "data_connector_ids": [connector.body["id"]]}),
        )
        .await;
    let chat = t
        .post(
            "/api/v1/chats",
            &key,
            json!({"agent_id": agent.body["id"], "message": "Which region sells most?"}),
        )
        .await;
    assert_eq!(chat.status, StatusCode::CREATED, "{}", chat.body);
    check_scripted_chat(&chat.body, "fake:analyst");
    let again = t
        .get(
            &format!("/api/v1/chats/{}", chat.body["id"].as_str().unwrap()),
            &key,
        )
        .await;
    assert_eq!(again.body["documents"], chat.body["documents"]);
}

#[tokio::test]
async fn an_agent_with_data_sources_also_searches_its_documents() {
    let t = grove_with_models().await;
    let key = t.org_a.api_key.clone();
    let source = crate::common::greenhouse_source(&t, &key).await;
    let path = shop_database(&t, 4);
    let connector = t
        .post(
            "/api/v1/data-connectors",
            &key,
            json!({"name": "Shop", "type": "sqlite", "config": {"path": path}}),
        )
        .await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Gardener", "model": "fake:searcher", "similarity_threshold": 0.0,
            "data_source_ids": [source], "data_connector_ids": [connector.body["id"]]}),
        )
        .await;
    let agent = agent.body["id"].as_str().unwrap().to_owned();
    let chat = run_job(&t, &agent, "When do the vents open?").await;
    let step = chat["messages"][1]["content"].as_str().unwrap();
    assert!(
        step.starts_with("fake:searcher called search_documents(") && step.ends_with("passages"),
        "{step}"
    );
    assert!(!step.ends_with("→ 0 passages"), "{step}");
    // The answer cites passage [1]; the reply carries it as a source.
    let reply = chat["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(reply["model"], "fake:searcher");
    let sources = reply["sources"].as_array().unwrap();
    assert!(sources[0]["cited"] == true, "{reply}");
    assert!(
        sources[0]["chunk_text"]
            .as_str()
            .unwrap()
            .contains("28 degrees"),
        "{reply}"
    );
}

#[tokio::test]
async fn the_step_budget_ends_a_model_that_never_stops() {
    let t = grove_with_models().await;
    let chat = run_analyst(&t, "fake:looper", 3).await;
    let messages = chat["messages"].as_array().unwrap();
    let steps = messages.iter().filter(|m| m["role"] == "tool").count();
    assert_eq!(
        steps,
        grove_agent::analyst::DEFAULT_MAX_STEPS as usize,
        "{chat}"
    );
    let answer = messages.last().unwrap()["content"].as_str().unwrap();
    assert!(answer.contains("Stopped after 8 tool rounds"), "{answer}");

    // An agent's own max_steps.
    let key = t.org_a.api_key.clone();
    let agent = chat["agent_id"].as_str().unwrap();
    let path = format!("/api/v1/agents/{agent}");
    let changed = t
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&key),
            Some(json!({"max_steps": 3})),
        )
        .await;
    assert_eq!(changed.body["max_steps"], 3, "{}", changed.body);
    let too_many = t
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&key),
            Some(json!({"max_steps": 51})),
        )
        .await;
    assert_eq!(
        too_many.body["error"]["details"]["field"], "max_steps",
        "{}",
        too_many.body
    );
    let chat = t
        .post(
            "/api/v1/chats",
            &key,
            json!({"agent_id": agent, "message": "Go on"}),
        )
        .await;
    let messages = chat.body["messages"].as_array().unwrap();
    assert_eq!(
        messages.iter().filter(|m| m["role"] == "tool").count(),
        3,
        "{}",
        chat.body
    );
    let answer = messages.last().unwrap()["content"].as_str().unwrap();
    assert!(answer.contains("Stopped after 3 tool rounds"), "{answer}");
}

/// Creates a connector over a fresh shop database and an agent over it
/// with `fields` (a JSON object); returns the agent's id.
async fn analyst_agent(t: &TestServer, n: usize, fields: Value) -> String {
    let key = &t.org_a.api_key;
    let path = shop_database(t, n);
    let connector = t
        .post(
            "/api/v1/data-connectors",
            key,
            json!({"name": format!("Shop {n}"), "type": "sqlite", "config": {"path": path}}),
        )
        .await;
    let mut body =
        json!({"name": format!("Analyst {n}"), "data_connector_ids": [connector.body["id"]]});
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    let agent = t.post("/api/v1/agents", key, body).await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    agent.body["id"].as_str().unwrap().to_owned()
}

async fn ask(t: &TestServer, agent: &str, message: &str) -> Value {
    let chat = t
        .post(
            "/api/v1/chats",
            &t.org_a.api_key,
            json!({"agent_id": agent, "message": message}),
        )
        .await;
    assert_eq!(chat.status, StatusCode::CREATED, "{}", chat.body);
    chat.body
}

#[tokio::test]
async fn models_resolve_organisation_default_then_agent_then_component() {
    let t = grove_with_models().await;
    let key = t.org_a.api_key.clone();
    const SETTINGS: &str = "/api/v1/organization/settings";
    let settings = t.get(SETTINGS, &key).await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    assert_eq!(settings.body["default_model"], "extractive");
    assert_eq!(settings.body["updated_at"], Value::Null);

    // An agent that names no model follows the organisation.
    let agent = analyst_agent(&t, 6, json!({})).await;
    let path = format!("/api/v1/agents/{agent}");
    let shown = t.get(&path, &key).await.body;
    assert_eq!(shown["model"], "extractive");
    assert_eq!(shown["model_source"], "organization");

    let unknown = t
        .call(
            reqwest::Method::PUT,
            SETTINGS,
            Some(&key),
            Some(json!({"default_model": "nowhere:model"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.body["error"]["details"]["field"], "default_model",
        "{}",
        unknown.body
    );
    let changed = t
        .call(
            reqwest::Method::PUT,
            SETTINGS,
            Some(&key),
            Some(json!({"default_model": "fake:analyst"})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["default_model"], "fake:analyst");
    assert!(changed.body["updated_at"].is_string());
    let shown = t.get(&path, &key).await.body;
    assert_eq!(shown["model"], "fake:analyst");
    assert_eq!(shown["model_source"], "organization");
    let other_org = t.get(SETTINGS, &t.org_b.api_key).await.body;
    assert_eq!(other_org["default_model"], "extractive");

    // The organisation's model runs the loop, and each step says so.
    let chat = ask(&t, &agent, "Which region sells most?").await;
    check_scripted_chat(&chat, "fake:analyst");
    let messages = chat["messages"].as_array().unwrap();
    assert_eq!(messages[0]["model"], Value::Null, "the question has none");
    for message in &messages[1..] {
        assert_eq!(message["model"], "fake:analyst", "{message}");
    }
    // Every turn of the fake uses 100 + 20 tokens; it has no price.
    assert_eq!(chat["usage"]["input_tokens"], 600, "{}", chat["usage"]);
    assert_eq!(chat["usage"]["output_tokens"], 120);
    assert_eq!(chat["usage"]["cost_usd"], 0.0);

    // The agent's own model comes next; `null` gives it back.
    let own = t
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&key),
            Some(json!({"model": "claude:analyst"})),
        )
        .await;
    assert_eq!(own.body["model"], "claude:analyst", "{}", own.body);
    assert_eq!(own.body["model_source"], "agent");
    let chat = ask(&t, &agent, "Which region sells most?").await;
    check_scripted_chat(&chat, "claude:analyst");
    let back = t
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&key),
            Some(json!({"model": null})),
        )
        .await;
    assert_eq!(back.body["model"], "fake:analyst", "{}", back.body);
    assert_eq!(back.body["model_source"], "organization");

    // A component's model must be a language model the server knows.
    for (components, field) in [
        (
            json!({"query": {"model": "extractive"}}),
            "components.query.model",
        ),
        (
            json!({"analysis": {"model": "nowhere:x"}}),
            "components.analysis.model",
        ),
    ] {
        let refused = t
            .call(
                reqwest::Method::PUT,
                &path,
                Some(&key),
                Some(json!({"components": components})),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            refused.body["error"]["details"]["field"], field,
            "{}",
            refused.body
        );
    }
}

#[tokio::test]
async fn a_split_analyst_runs_query_and_analysis_components_with_their_own_models() {
    let t = grove_with_models().await;
    let agent = analyst_agent(
        &t,
        7,
        json!({"model": "fake:lead",
               "components": {"query": {"model": "fake:querier"}, "analysis": {"model": "fake:charter"}}}),
    )
    .await;
    let chat = run_job(&t, &agent, "Which region sells most?").await;
    let messages = chat["messages"].as_array().unwrap();
    let made: Vec<(&str, &str)> = messages[1..]
        .iter()
        .map(|m| {
            let content = m["content"].as_str().unwrap();
            let call = content
                .split_once(" called ")
                .map(|(_, rest)| rest.split('(').next().unwrap())
                .unwrap_or("answer");
            (m["model"].as_str().unwrap(), call)
        })
        .collect();
    assert_eq!(
        made,
        [
            ("fake:lead", "query"),
            ("fake:querier", "list_tables"),
            ("fake:querier", "run_query"),
            ("fake:lead", "analysis"),
            ("fake:charter", "create_chart"),
            ("fake:charter", "write_report"),
            ("fake:lead", "answer"),
        ],
        "{chat}"
    );
    let query_step = messages[1]["content"].as_str().unwrap();
    assert!(
        query_step.contains("→ 1 results, 0 charts, 0 reports"),
        "{query_step}"
    );
    let kinds: Vec<&str> = chat["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["table", "chart", "report"], "{chat}");
    assert_eq!(
        chat["documents"][0]["content"]["rows"],
        json!([["EU", 15.0], ["US", 20.0]])
    );

    // Nine turns of 100 + 20 tokens: three each of the lead (priced at
    // 1,000 / 2,000 USD per million tokens), the querier (10 / 10) and the
    // charter (no price).
    let usage = &chat["usage"];
    assert_eq!(usage["input_tokens"], 900, "{usage}");
    assert_eq!(usage["output_tokens"], 180);
    let expected = 3.0 * (100.0 * 1_000.0 + 20.0 * 2_000.0) / 1e6 + 3.0 * 120.0 * 10.0 / 1e6;
    let cost = usage["cost_usd"].as_f64().unwrap();
    assert!((cost - expected).abs() < 1e-9, "{cost} against {expected}");
}

#[tokio::test]
async fn the_token_budget_ends_a_run_and_says_so() {
    let t = grove_with_models().await;
    let key = t.org_a.api_key.clone();
    let agent = analyst_agent(
        &t,
        8,
        json!({"model": "fake:looper", "max_run_tokens": 250}),
    )
    .await;
    let chat = ask(&t, &agent, "Go on").await;
    // 120 tokens a turn: the third turn passes 250 and its call is not run.
    let messages = chat["messages"].as_array().unwrap();
    assert_eq!(
        messages.iter().filter(|m| m["role"] == "tool").count(),
        2,
        "{chat}"
    );
    let answer = messages.last().unwrap()["content"].as_str().unwrap();
    assert!(
        answer.contains("Stopped after 360 tokens, the agent's max_run_tokens of 250."),
        "{answer}"
    );
    assert_eq!(chat["usage"]["input_tokens"], 300);

    let path = format!("/api/v1/agents/{agent}");
    for (body, field) in [
        (json!({"max_run_tokens": 0}), "max_run_tokens"),
        (json!({"max_run_cost_usd": -1.0}), "max_run_cost_usd"),
    ] {
        let refused = t
            .call(reqwest::Method::PUT, &path, Some(&key), Some(body))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.body["error"]["details"]["field"], field);
    }
    let cleared = t
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&key),
            Some(json!({"max_run_tokens": null, "max_run_cost_usd": 0.25})),
        )
        .await;
    assert_eq!(
        cleared.body["max_run_tokens"],
        Value::Null,
        "{}",
        cleared.body
    );
    assert_eq!(cleared.body["max_run_cost_usd"], 0.25);
}
