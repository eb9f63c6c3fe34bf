//! `grove connectors add|test|schema|query`: a client of a running
//! server's data connectors API. `query` prints the result as a table.

use anyhow::Context;
use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::jobs::{call, pretty, table};
use crate::sources::Remote;

/// Characters of a cell shown in the terminal.
const CELL_WIDTH: usize = 40;

/// What `grove connectors add` creates.
pub struct NewConnector<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub url: Option<&'a str>,
    pub path: Option<&'a str>,
    pub datasets: &'a [String],
    pub tables: &'a [String],
    pub max_rows: Option<u64>,
    pub timeout_seconds: Option<u64>,
}

pub async fn add(remote: &Remote, new: NewConnector<'_>, json: bool) -> anyhow::Result<()> {
    let mut config = Map::new();
    if let Some(url) = new.url {
        config.insert("url".into(), json!(url));
    }
    if let Some(path) = new.path {
        config.insert("path".into(), json!(path));
    }
    let mut body = json!({"name": new.name, "type": new.kind, "config": config});
    if !new.datasets.is_empty() {
        body["allowed_datasets"] = json!(new.datasets);
    }
    if !new.tables.is_empty() {
        body["allowed_tables"] = json!(new.tables);
    }
    if let Some(n) = new.max_rows {
        body["max_rows"] = json!(n);
    }
    if let Some(n) = new.timeout_seconds {
        body["timeout_seconds"] = json!(n);
    }
    let created = call(remote, Method::POST, "/api/v1/data-connectors", Some(body)).await?;
    if json {
        return pretty(&created);
    }
    println!(
        "{}  {} ({}) reading {}",
        created["id"].as_str().unwrap_or("?"),
        created["name"].as_str().unwrap_or("?"),
        created["type"].as_str().unwrap_or("?"),
        list(&created["allowed_datasets"])
    );
    Ok(())
}

pub async fn test(remote: &Remote, id: &str, json: bool) -> anyhow::Result<()> {
    let report = call(
        remote,
        Method::POST,
        &format!("/api/v1/data-connectors/{id}/test"),
        None,
    )
    .await?;
    if json {
        return pretty(&report);
    }
    println!(
        "connected in {:.1} ms; tables: {}",
        report["latency_ms"].as_f64().unwrap_or_default(),
        list(&report["tables"])
    );
    Ok(())
}

pub async fn schema(remote: &Remote, id: &str, json: bool) -> anyhow::Result<()> {
    let schema = call(
        remote,
        Method::GET,
        &format!("/api/v1/data-connectors/{id}/schema"),
        None,
    )
    .await?;
    if json {
        return pretty(&schema);
    }
    for t in schema["tables"].as_array().into_iter().flatten() {
        let rows = t["row_estimate"]
            .as_u64()
            .map_or("unknown".into(), |n| n.to_string());
        println!(
            "{}.{} ({}, about {rows} rows)",
            text(&t["dataset"]),
            text(&t["name"]),
            text(&t["kind"])
        );
        let columns: Vec<Vec<String>> = t["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| vec![format!("  {}", text(&c["name"])), text(&c["type"])])
            .collect();
        println!("{}\n", table(&["  column", "type"], &columns));
    }
    Ok(())
}

pub async fn query(
    remote: &Remote,
    id: &str,
    sql: &str,
    params: &[(String, Value)],
    json: bool,
) -> anyhow::Result<()> {
    let parameters: Map<String, Value> = params.iter().cloned().collect();
    let body = json!({"sql": sql, "parameters": parameters});
    let answer = call(
        remote,
        Method::POST,
        &format!("/api/v1/data-connectors/{id}/query"),
        Some(body),
    )
    .await
    .context("the query did not run")?;
    if json {
        return pretty(&answer);
    }
    let header: Vec<String> = answer["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| text(&c["name"]))
        .collect();
    let rows: Vec<Vec<String>> = answer["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| row.as_array().into_iter().flatten().map(cell).collect())
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    println!("{}", table(&header, &rows));
    let count = answer["row_count"].as_u64().unwrap_or_default();
    let more = if answer["truncated"] == true {
        ", more cut off at max_rows"
    } else {
        ""
    };
    println!(
        "({count} rows{more}; {:.1} ms; kept as {})",
        answer["elapsed_ms"].as_f64().unwrap_or_default(),
        text(&answer["result_id"])
    );
    Ok(())
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or("-").to_owned()
}

/// A cell as the terminal shows it: null as empty, long text cut.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let text = text.replace(['\n', '\t'], " ");
    match text.char_indices().nth(CELL_WIDTH) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

fn list(value: &Value) -> String {
    let items: Vec<String> = value.as_array().into_iter().flatten().map(text).collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
