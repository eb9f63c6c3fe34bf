//! `grove jobs list|run|history`: a client of a running server's jobs API.
//! `list` shows an agent's jobs, `run` starts a manual run (and with
//! `--wait` follows it to the end and prints the answer), `history` shows a
//! job's runs, newest first.

use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::{json, Map, Value};

use crate::ask::{agent_id, source_lines};
use crate::sources::Remote;

/// The largest page the API serves.
const PAGE: usize = 200;
/// Characters of a run's error shown in the history table.
const ERROR_WIDTH: usize = 60;

/// Sends a request and returns the body; an error names the status and the
/// API's message, and for `job_already_running` the run and chat holding
/// the job.
pub(crate) async fn call(
    remote: &Remote,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut req = remote.request(method, path);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req
        .send()
        .await
        .with_context(|| format!("cannot reach the server at {}", remote.server))?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    let error = &body["error"];
    let message = error["message"].as_str().unwrap_or("no error message");
    if error["code"] == "job_already_running" {
        bail!(
            "{status}: {message}\n  run {} holds the job; its chat is {}",
            error["details"]["run_id"].as_str().unwrap_or("?"),
            error["details"]["chat_id"].as_str().unwrap_or("-")
        );
    }
    bail!("{status}: {message}")
}

pub(crate) fn pretty(value: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// `name=value` as a parameter: the value as JSON when it parses as JSON
/// (`3`, `true`, `"quoted"`), else as a string.
pub fn parse_param(raw: &str) -> Result<(String, Value), String> {
    let (name, value) = raw
        .split_once('=')
        .ok_or_else(|| format!("`{raw}` is not NAME=VALUE"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("`{raw}` has no parameter name"));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

/// Rows as left-aligned columns under a header.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = vec![line(header.to_vec())];
    out.extend(
        rows.iter()
            .map(|row| line(row.iter().map(String::as_str).collect())),
    );
    out.join("\n")
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or("-").to_owned()
}

/// An RFC 3339 UTC time as `YYYY-MM-DD HH:MM:SS`.
fn time(value: &Value) -> String {
    match value.as_str() {
        Some(t) if t.len() >= 19 => t[..19].replacen('T', " ", 1),
        Some(t) => t.to_owned(),
        None => "-".into(),
    }
}

/// Seconds since the Unix epoch of an RFC 3339 time.
fn epoch_seconds(t: &str) -> Option<f64> {
    let at: jiff::Timestamp = t.parse().ok()?;
    Some(at.as_millisecond() as f64 / 1000.0)
}

/// How long a run took; `-` until it has started and finished.
fn duration(run: &Value) -> String {
    let (Some(start), Some(end)) = (
        run["started_at"].as_str().and_then(epoch_seconds),
        run["finished_at"].as_str().and_then(epoch_seconds),
    ) else {
        return "-".into();
    };
    let secs = (end - start).max(0.0);
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else if secs < 3600.0 {
        format!("{}m{:02}s", (secs / 60.0) as u64, secs as u64 % 60)
    } else {
        format!("{}h{:02}m", (secs / 3600.0) as u64, (secs as u64 / 60) % 60)
    }
}

/// The first line of `s`, cut to `max` characters with an ellipsis.
fn truncate(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() <= max && line.len() == s.trim_end().len() {
        return line.to_owned();
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

fn is_over(run: &Value) -> bool {
    !matches!(run["status"].as_str(), Some("queued" | "running"))
}

pub async fn list(remote: &Remote, agent: &str, as_json: bool) -> anyhow::Result<()> {
    let agent = agent_id(remote, agent).await?;
    let mut jobs = Vec::new();
    loop {
        let page = call(
            remote,
            reqwest::Method::GET,
            &format!(
                "/api/v1/agents/{agent}/jobs?limit={PAGE}&offset={}",
                jobs.len()
            ),
            None,
        )
        .await?;
        let items = page["jobs"].as_array().cloned().unwrap_or_default();
        let done = items.len() < PAGE
            || jobs.len() + items.len() >= page["total"].as_u64().unwrap_or(0) as usize;
        jobs.extend(items);
        if done {
            break;
        }
    }
    if as_json {
        let total = jobs.len();
        return pretty(&json!({"jobs": jobs, "total": total}));
    }
    if jobs.is_empty() {
        eprintln!("agent {agent} has no jobs");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|job| {
            let schedule = match job["schedule"].as_str() {
                Some(s) => format!("{s} ({})", job["timezone"].as_str().unwrap_or("UTC")),
                None => "-".into(),
            };
            let enabled = if job["schedule_enabled"] == true {
                "yes"
            } else {
                "no"
            };
            vec![
                text(&job["id"]),
                text(&job["name"]),
                schedule,
                enabled.into(),
                time(&job["next_run_at"]),
            ]
        })
        .collect();
    println!(
        "{}",
        table(
            &["ID", "NAME", "SCHEDULE", "ENABLED", "NEXT RUN (UTC)"],
            &rows
        )
    );
    Ok(())
}

pub async fn run(
    remote: &Remote,
    job: &str,
    params: &[(String, Value)],
    wait: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let body = if params.is_empty() {
        None
    } else {
        let values: Map<String, Value> = params.iter().cloned().collect();
        Some(json!({ "parameters": values }))
    };
    let mut started = call(
        remote,
        reqwest::Method::POST,
        &format!("/api/v1/jobs/{job}/runs"),
        body,
    )
    .await?;
    let runs = started["runs"].as_array().cloned().unwrap_or_default();
    if !wait {
        if as_json {
            return pretty(&started);
        }
        for r in &runs {
            println!("run {}  chat {}", text(&r["id"]), text(&r["chat_id"]));
        }
        return Ok(());
    }
    if !as_json {
        for r in &runs {
            println!("run {}  chat {}", text(&r["id"]), text(&r["chat_id"]));
        }
    }
    let finished = follow(remote, runs).await?;
    let chat = match finished.as_slice() {
        [one] => match one["chat_id"].as_str() {
            Some(chat) => Some(
                call(
                    remote,
                    reqwest::Method::GET,
                    &format!("/api/v1/chats/{chat}"),
                    None,
                )
                .await?,
            ),
            None => None,
        },
        _ => None,
    };
    let failed = finished
        .iter()
        .filter(|r| r["status"] != "succeeded")
        .count();
    if as_json {
        started["runs"] = Value::Array(finished.clone());
        if let Some(chat) = &chat {
            started["chat"] = chat.clone();
        }
        pretty(&started)?;
    } else {
        for r in &finished {
            let error = r["error"]
                .as_str()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            println!("run {} {}{error}", text(&r["id"]), text(&r["status"]));
        }
        if let Some(chat) = &chat {
            print_answer(chat);
        }
    }
    if failed > 0 {
        bail!("{failed} of {} run(s) did not succeed", finished.len());
    }
    Ok(())
}

/// Polls each run until it is over; returns the runs as they ended.
async fn follow(remote: &Remote, mut runs: Vec<Value>) -> anyhow::Result<Vec<Value>> {
    loop {
        for r in runs.iter_mut().filter(|r| !is_over(r)) {
            let id = text(&r["id"]);
            *r = call(
                remote,
                reqwest::Method::GET,
                &format!("/api/v1/runs/{id}"),
                None,
            )
            .await?;
        }
        if runs.iter().all(is_over) {
            return Ok(runs);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The chat's last answer, the sources it cites and its documents.
fn print_answer(chat: &Value) {
    let messages = chat["messages"].as_array().cloned().unwrap_or_default();
    let Some(answer) = messages.iter().rev().find(|m| m["role"] == "assistant") else {
        return;
    };
    println!("\n{}", answer["content"].as_str().unwrap_or("").trim_end());
    let lines = source_lines(answer);
    if !lines.is_empty() {
        println!("\nSources:");
        for line in lines {
            println!("  {line}");
        }
    }
    let documents = chat["documents"].as_array().cloned().unwrap_or_default();
    if !documents.is_empty() {
        println!("\nDocuments:");
        for d in &documents {
            println!("  [{}] {}", text(&d["kind"]), text(&d["title"]));
        }
    }
}

pub async fn history(remote: &Remote, job: &str, limit: u32, as_json: bool) -> anyhow::Result<()> {
    let page = call(
        remote,
        reqwest::Method::GET,
        &format!("/api/v1/jobs/{job}/runs?limit={limit}"),
        None,
    )
    .await?;
    if as_json {
        return pretty(&page);
    }
    let runs = page["runs"].as_array().cloned().unwrap_or_default();
    if runs.is_empty() {
        eprintln!("job {job} has not run yet");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                text(&r["id"]),
                text(&r["status"]),
                text(&r["initiator"]),
                format!("{}/{}", r["attempts"], r["max_attempts"]),
                time(&r["started_at"]),
                duration(r),
                r["error"]
                    .as_str()
                    .map(|e| truncate(e, ERROR_WIDTH))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    println!(
        "{}",
        table(
            &[
                "ID",
                "STATUS",
                "INITIATOR",
                "ATTEMPTS",
                "STARTED (UTC)",
                "DURATION",
                "ERROR"
            ],
            &rows
        )
    );
    let total = page["total"].as_u64().unwrap_or(0);
    if total > runs.len() as u64 {
        eprintln!("{} of {total} runs (--limit for more)", runs.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_json_when_they_parse_else_strings() {
        assert_eq!(parse_param("n=3").unwrap(), ("n".into(), json!(3)));
        assert_eq!(parse_param("b=true").unwrap(), ("b".into(), json!(true)));
        assert_eq!(
            parse_param("s=greenhouse vents").unwrap(),
            ("s".into(), json!("greenhouse vents"))
        );
        assert_eq!(parse_param("s=\"42\"").unwrap(), ("s".into(), json!("42")));
        assert_eq!(parse_param("d=2026-01-31").unwrap().1, json!("2026-01-31"));
        assert_eq!(parse_param("e=a=b").unwrap().1, json!("a=b"));
        assert_eq!(parse_param("e=").unwrap().1, json!(""));
        assert!(parse_param("novalue").is_err());
        assert!(parse_param("=x").is_err());
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(epoch_seconds("2000-03-01T00:00:01Z"), Some(951_868_801.0));
        let run = json!({"started_at": "2026-02-28T23:59:58.5Z",
                         "finished_at": "2026-03-01T00:00:01Z"});
        assert_eq!(duration(&run), "2.5s");
        let long = json!({"started_at": "2026-01-01T10:00:00Z",
                          "finished_at": "2026-01-01T10:02:05Z"});
        assert_eq!(duration(&long), "2m05s");
        assert_eq!(duration(&json!({"started_at": null})), "-");
        assert_eq!(
            time(&json!("2026-01-01T10:00:00.123Z")),
            "2026-01-01 10:00:00"
        );
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("a longer error", 6), "a lon…");
        assert_eq!(truncate("one\ntwo", 10), "one…");
    }

    #[test]
    fn tables_align_columns() {
        let out = table(
            &["ID", "NAME"],
            &[
                vec!["job_1".into(), "a".into()],
                vec!["j".into(), "b".into()],
            ],
        );
        assert_eq!(out, "ID     NAME\njob_1  a\nj      b");
    }
}
