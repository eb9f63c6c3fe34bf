//! `grove mcp --stdio`: the MCP server for desktop clients that launch
//! their servers as processes (Claude Desktop, many IDEs). It serves the
//! same tools as a running server's `/mcp`, by forwarding each JSON-RPC
//! message read from stdin to that endpoint with the key from
//! `GROVE_API_KEY`, and writing the replies to stdout, one per line. The
//! tools, scopes and organisation are the server's: this process holds no
//! state but the protocol version the client negotiated, which the
//! Streamable HTTP transport repeats in a header.

use anyhow::Context;
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::sources::Remote;

/// The `_meta` key in which 2026-07-28 clients name their protocol version.
const VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";

/// Forwards stdin to `{server}/mcp` until stdin closes.
pub async fn serve_stdio(remote: &Remote) -> anyhow::Result<()> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    let mut negotiated: Option<String> = None;
    while let Some(line) = lines.next_line().await.context("reading stdin")? {
        if line.trim().is_empty() {
            continue;
        }
        let message: Value = match serde_json::from_str(&line) {
            Ok(message) => message,
            Err(e) => {
                let error = json!({"jsonrpc": "2.0", "id": null,
                    "error": {"code": -32700, "message": format!("not JSON: {e}")}});
                write_line(&mut stdout, &error).await?;
                continue;
            }
        };
        for reply in forward(remote, &message, negotiated.as_deref()).await {
            if let Some(version) = reply["result"]["protocolVersion"].as_str() {
                negotiated = Some(version.to_owned());
            }
            write_line(&mut stdout, &reply).await?;
        }
    }
    Ok(())
}

async fn write_line(stdout: &mut tokio::io::Stdout, value: &Value) -> anyhow::Result<()> {
    let mut line = value.to_string();
    line.push('\n');
    stdout.write_all(line.as_bytes()).await?;
    stdout.flush().await?;
    Ok(())
}

/// The replies to one message: none for a notification, the response (and
/// any messages streamed before it) for a request. A failure to reach the
/// server is answered as a JSON-RPC error, so the client is never left
/// waiting.
async fn forward(remote: &Remote, message: &Value, negotiated: Option<&str>) -> Vec<Value> {
    let id = message.get("id").cloned();
    match post(remote, message, negotiated).await {
        Ok(replies) => replies,
        Err(e) => match id {
            Some(id) => vec![json!({"jsonrpc": "2.0", "id": id,
                "error": {"code": -32603, "message": format!("{e:#}")}})],
            None => Vec::new(),
        },
    }
}

async fn post(
    remote: &Remote,
    message: &Value,
    negotiated: Option<&str>,
) -> anyhow::Result<Vec<Value>> {
    let method = message["method"].as_str().unwrap_or_default();
    let mut req = remote
        .request(reqwest::Method::POST, "/mcp")
        .header("accept", "application/json, text/event-stream")
        .json(message);
    let version = message["params"]["_meta"][VERSION_META]
        .as_str()
        .or(negotiated);
    if let Some(version) = version {
        req = req.header("mcp-protocol-version", version);
    }
    if !method.is_empty() {
        req = req.header("mcp-method", method);
    }
    if let Some(name) = message["params"]["name"].as_str().filter(|n| n.is_ascii()) {
        req = req.header("mcp-name", name);
    }
    let response = req
        .send()
        .await
        .with_context(|| format!("cannot reach the server at {}", remote.server))?;
    let status = response.status();
    let event_stream = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"));
    if event_stream {
        let mut replies = Vec::new();
        let mut events = response.bytes_stream().eventsource();
        while let Some(event) = events.next().await {
            let event = event.context("reading the server's event stream")?;
            if let Ok(value) = serde_json::from_str::<Value>(&event.data) {
                replies.push(value);
            }
        }
        return Ok(replies);
    }
    let body = response
        .text()
        .await
        .context("reading the server's answer")?;
    if body.trim().is_empty() {
        anyhow::ensure!(status.is_success(), "the server answered {status}");
        return Ok(Vec::new());
    }
    match serde_json::from_str::<Value>(&body) {
        Ok(value) if value.get("jsonrpc").is_some() => Ok(vec![value]),
        // Grove's own refusal (a 401 for a missing or revoked key).
        Ok(value) => anyhow::bail!(
            "the server answered {status}: {}",
            value["error"]["message"].as_str().unwrap_or(&body)
        ),
        Err(_) => anyhow::bail!("the server answered {status}: {body}"),
    }
}
