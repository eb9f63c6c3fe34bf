//! The MCP server at `/mcp` over real HTTP, spoken as the 2026-07-28
//! stateless Streamable HTTP wire format: the key's tools, `search` then
//! `fetch`, `ask_agent`, `trigger_job` and `get_run`, scopes and
//! organisations kept apart, the 401 that points at the RFC 9728
//! metadata, and `grove mcp --stdio` forwarding to it. (The official `mcp` Python package is run against a live
//! server by `tests/clients/mcp_client.py`.)

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::agents::{agent, fixture_source};
use crate::common::TestServer;

/// One JSON-RPC call; the JSON-RPC response.
async fn rpc(
    t: &TestServer,
    key: Option<&str>,
    method: &str,
    params: Value,
) -> (StatusCode, Value) {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "grove-tests", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let mut req = t
        .client
        .post(t.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}));
    if let Some(name) = params["name"].as_str() {
        req = req.header("mcp-name", name);
    }
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    let response = req.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn call(t: &TestServer, key: &str, tool: &str, arguments: Value) -> Value {
    let (status, reply) = rpc(
        t,
        Some(key),
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply["result"].clone()
}

async fn tool_names(t: &TestServer, key: &str) -> Vec<String> {
    let (status, reply) = rpc(t, Some(key), "tools/list", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["result"]["cacheScope"], "private", "{reply}");
    reply["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn tools_search_fetch_and_ask_within_the_key_s_organisation() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let agent_id = agent(&t, &source, "redwood").await;
    let key = &t.org_a.api_key;

    assert_eq!(
        tool_names(&t, key).await,
        [
            "search",
            "fetch",
            "list_agents",
            "ask_agent",
            "list_jobs",
            "trigger_job",
            "get_run"
        ]
    );
    let (read_only, _) = t.key_with(&["read"], &[]).await;
    assert_eq!(
        tool_names(&t, &read_only).await,
        ["fetch", "list_agents", "list_jobs", "get_run"]
    );

    let found = call(
        &t,
        key,
        "search",
        json!({"query": "how long are sessions kept", "top_k": 3}),
    )
    .await;
    assert_eq!(found["isError"], false, "{found}");
    let first = &found["structuredContent"]["results"][0];
    assert_eq!(first["title"], "Session retention", "{found}");
    // The text content carries the same JSON, for clients that read only text.
    let text: Value = serde_json::from_str(found["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text, found["structuredContent"]);

    let page = call(&t, key, "fetch", json!({"id": first["id"]})).await;
    assert!(
        page["structuredContent"]["text"]
            .as_str()
            .unwrap()
            .contains("deleted after thirty days"),
        "{page}"
    );
    let document = first["id"].as_str().unwrap().split('#').next().unwrap();
    let whole = call(&t, key, "fetch", json!({"id": document})).await;
    assert_eq!(
        whole["structuredContent"]["title"], "Session retention",
        "{whole}"
    );

    let agents = call(&t, key, "list_agents", json!({})).await;
    assert_eq!(
        agents["structuredContent"]["agents"][0]["id"],
        json!(agent_id)
    );
    let answer = call(
        &t,
        key,
        "ask_agent",
        json!({"agent": agent_id, "question": "How long are sessions kept?"}),
    )
    .await;
    let answered = &answer["structuredContent"];
    assert!(
        answered["answer"].as_str().unwrap().contains("thirty days"),
        "{answer}"
    );
    assert_eq!(answered["citations"][0]["title"], "Session retention");
    assert!(answered["session_id"]
        .as_str()
        .unwrap()
        .starts_with("sess_"));

    // A read-only key cannot ask, even by calling the tool it was not shown.
    let refused = call(
        &t,
        &read_only,
        "ask_agent",
        json!({"agent": agent_id, "question": "How long are sessions kept?"}),
    )
    .await;
    assert_eq!(refused["isError"], true);
    assert_eq!(refused["structuredContent"]["error"]["code"], "forbidden");

    // Another organisation sees none of this one's agents or documents.
    let b = &t.org_b.api_key;
    let none = call(&t, b, "list_agents", json!({})).await;
    assert_eq!(none["structuredContent"]["agents"], json!([]));
    let nothing = call(
        &t,
        b,
        "search",
        json!({"query": "how long are sessions kept"}),
    )
    .await;
    assert_eq!(nothing["structuredContent"]["results"], json!([]));
    let missing = call(&t, b, "fetch", json!({"id": first["id"]})).await;
    assert_eq!(missing["isError"], true);
    assert_eq!(missing["structuredContent"]["error"]["code"], "not_found");
    let foreign = call(
        &t,
        b,
        "ask_agent",
        json!({"agent": agent_id, "question": "Sessions?"}),
    )
    .await;
    assert_eq!(foreign["structuredContent"]["error"]["code"], "not_found");

    // Bad arguments name the field.
    let bad = call(&t, key, "search", json!({"query": "x", "top_k": 99})).await;
    assert_eq!(
        bad["structuredContent"]["error"]["details"]["field"],
        "top_k"
    );
}

#[tokio::test]
async fn trigger_job_returns_the_run_and_get_run_follows_it() {
    let t = TestServer::start().await;
    let source = fixture_source(&t).await;
    let agent_id = agent(&t, &source, "redwood").await;
    let job = t
        .post(
            &format!("/api/v1/agents/{agent_id}/jobs"),
            &t.org_a.api_key,
            json!({"name": "Retention", "prompt": "How long are sessions kept?"}),
        )
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{}", job.body);
    let job_id = job.body["id"].as_str().unwrap();
    let (trigger_only, _) = t.key_with(&[], &["agent_jobs_trigger"]).await;
    let started = call(&t, &trigger_only, "trigger_job", json!({"job": job_id})).await;
    assert_eq!(started["isError"], false, "{started}");
    let run = &started["structuredContent"]["runs"][0];
    let run_id = run["run_id"].as_str().unwrap().to_owned();
    assert!(
        run["chat_id"].as_str().unwrap().starts_with("chat_"),
        "{started}"
    );
    let mut status = Value::Null;
    for _ in 0..300 {
        let read = call(&t, &t.org_a.api_key, "get_run", json!({"run_id": run_id})).await;
        status = read["structuredContent"]["status"].clone();
        if status == "succeeded" || status == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "succeeded");
    let b = &t.org_b.api_key;
    let foreign_run = call(&t, b, "get_run", json!({"run_id": run_id})).await;
    assert_eq!(
        foreign_run["structuredContent"]["error"]["code"],
        "not_found"
    );
    let foreign_job = call(&t, b, "trigger_job", json!({"job": job_id})).await;
    assert_eq!(
        foreign_job["structuredContent"]["error"]["code"],
        "not_found"
    );
    let (read_only, _) = t.key_with(&["read"], &[]).await;
    let refused = call(&t, &read_only, "trigger_job", json!({"job": job_id})).await;
    assert_eq!(refused["structuredContent"]["error"]["code"], "forbidden");
}

#[tokio::test]
async fn without_a_key_the_answer_points_at_the_resource_metadata() {
    let t = TestServer::start().await;
    let (status, body) = rpc(&t, None, "tools/list", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let response = t
        .client
        .post(t.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .send()
        .await
        .unwrap();
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer resource_metadata=\"http://")
            && challenge.ends_with("/.well-known/oauth-protected-resource\""),
        "{challenge}"
    );
    let url = challenge
        .trim_start_matches("Bearer resource_metadata=\"")
        .trim_end_matches('"');
    let metadata: Value = t
        .client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        metadata["resource"].as_str().unwrap().ends_with("/mcp"),
        "{metadata}"
    );
    assert_eq!(metadata["bearer_methods_supported"], json!(["header"]));
    let (status, _) = rpc(
        &t,
        Some("grove_live_not-a-real-key-at-all-000000000000"),
        "tools/list",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// `grove mcp --stdio` with `key`: each line written is answered on stdout.
async fn stdio_replies(t: &TestServer, key: &str, lines: &[&str]) -> Vec<Value> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(["mcp", "--stdio", "--server", &t.base])
        .env("GROVE_API_KEY", key)
        .env_remove("GROVE_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut replies = Vec::new();
    for line in lines {
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        let reply = stdout.next_line().await.unwrap().expect("a reply line");
        replies.push(serde_json::from_str(&reply).unwrap());
    }
    drop(stdin);
    assert!(
        child.wait().await.unwrap().success(),
        "exits when stdin closes"
    );
    replies
}

#[tokio::test]
async fn grove_mcp_stdio_forwards_to_the_server_with_the_key() {
    let t = TestServer::start().await;
    let meta = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}"#;
    let list = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{{{meta}}}}}"#);
    let (read_only, _) = t.key_with(&["read"], &[]).await;
    let replies = stdio_replies(&t, &read_only, &[&list, "not json"]).await;
    let names: Vec<&str> = replies[0]["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fetch", "list_agents", "list_jobs", "get_run"]);
    assert_eq!(replies[1]["error"]["code"], -32700);
    // A refused key is a JSON-RPC error naming the reason, not silence.
    let refused = stdio_replies(
        &t,
        "grove_live_not-a-real-key-at-all-000000000000",
        &[&list],
    )
    .await;
    assert_eq!(refused[0]["id"], 1);
    let message = refused[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("401") && message.contains("API key"),
        "{message}"
    );
}

#[tokio::test]
async fn mcp_requests_count_against_the_key_s_rate_limits() {
    let t = TestServer::start_with(|c| {
        c.rate_limits.read = grove_core::config::RateQuota {
            per_minute: 1,
            burst: 2,
        };
    })
    .await;
    let key = &t.org_a.api_key;
    for _ in 0..2 {
        let (status, reply) = rpc(&t, Some(key), "tools/list", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
    }
    let (status, reply) = rpc(&t, Some(key), "tools/list", json!({})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{reply}");
    assert_eq!(reply["error"]["code"], "rate_limit_exceeded");
}
