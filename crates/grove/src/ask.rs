//! `grove ask AGENT "question"`: a client of a running server's query API.
//! The answer streams to the terminal as it is generated (Server-Sent
//! Events), then the sources it cites are listed below it.

use std::io::Write;

use anyhow::{bail, Context};
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::sources::Remote;

/// Agents read per page when looking an agent up by slug.
const PAGE: usize = 200;

/// The id of the agent named by `agent`: an id as is, or a slug looked up.
pub(crate) async fn agent_id(remote: &Remote, agent: &str) -> anyhow::Result<String> {
    if agent.starts_with("agent_") {
        return Ok(agent.to_owned());
    }
    let mut offset = 0;
    loop {
        let page = remote
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/agents?limit={PAGE}&offset={offset}"),
                None,
            )
            .await?;
        let agents = page["agents"].as_array().cloned().unwrap_or_default();
        if let Some(found) = agents.iter().find(|a| a["slug"] == agent) {
            return Ok(found["id"].as_str().unwrap_or_default().to_owned());
        }
        if agents.len() < PAGE {
            bail!("no agent with the id or slug `{agent}`");
        }
        offset += PAGE;
    }
}

/// The sources an answer cites, one line each.
pub(crate) fn source_lines(done: &Value) -> Vec<String> {
    let sources = done["sources"].as_array().cloned().unwrap_or_default();
    sources
        .iter()
        .filter(|s| s["cited"] == true)
        .map(|s| {
            let url = s["document_url"]
                .as_str()
                .map(|u| format!(" — {u}"))
                .unwrap_or_default();
            format!(
                "[{}] {}{url} (similarity {:.2})",
                s["number"],
                s["document_title"].as_str().unwrap_or("untitled"),
                s["similarity_score"].as_f64().unwrap_or(0.0)
            )
        })
        .collect()
}

pub async fn ask(
    remote: &Remote,
    agent: &str,
    question: &str,
    session: Option<&str>,
) -> anyhow::Result<()> {
    let agent_id = agent_id(remote, agent).await?;
    let mut body = json!({"agent_id": agent_id, "query": question, "stream": true});
    if let Some(session) = session {
        body["session_id"] = json!(session);
    }
    let resp = remote
        .request(reqwest::Method::POST, "/api/v1/query")
        .json(&body)
        .send()
        .await
        .with_context(|| format!("cannot reach the server at {}", remote.server))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        bail!(
            "{status}: {}",
            body["error"]["message"]
                .as_str()
                .unwrap_or("no error message")
        );
    }
    let mut events = resp.bytes_stream().eventsource();
    let mut out = std::io::stdout();
    while let Some(event) = events.next().await {
        let event = event.context("the answer stream broke off")?;
        let frame: Value = serde_json::from_str(&event.data).context("a malformed frame")?;
        if frame["done"] != true {
            write!(out, "{}", frame["delta"].as_str().unwrap_or(""))?;
            out.flush()?;
            continue;
        }
        writeln!(out)?;
        if let Some(message) = frame["error"]["message"].as_str() {
            bail!("{message}");
        }
        let lines = source_lines(&frame);
        if !lines.is_empty() {
            writeln!(out, "\nSources:")?;
            for line in lines {
                writeln!(out, "  {line}")?;
            }
        }
        let metadata = &frame["metadata"];
        eprintln!(
            "session {} · {} · {} ms",
            metadata["session_id"].as_str().unwrap_or("-"),
            metadata["outcome"].as_str().unwrap_or("-"),
            metadata["latency_ms"]
        );
        return Ok(());
    }
    bail!("the answer stream ended before the answer was complete")
}
