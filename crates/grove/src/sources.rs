//! `grove sources add|upload|sync|status`: a client of a running server's
//! data-source API. `sync` queues a sync (and `upload` stores files, which
//! queues one) and, unless `--no-wait`, follows it with a progress bar of
//! documents, chunks and the ETA until it ends.

use std::time::Duration;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

/// Where the server is and which key to use.
pub struct Remote {
    pub server: String,
    pub key: String,
    client: reqwest::Client,
}

/// What `grove sources add` creates.
pub struct NewSource<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub url: Option<&'a str>,
    pub max_pages: Option<u32>,
    pub frequency: &'a str,
}

impl Remote {
    pub fn new(server: &str, key: &str) -> Self {
        Self {
            server: server.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
            client: reqwest::Client::new(),
        }
    }

    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut req = self.request(method, path);
        if let Some(body) = body {
            req = req.json(&body);
        }
        self.send(req).await
    }

    pub(crate) fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.server))
            .bearer_auth(&self.key)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach the server at {}", self.server))?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let message = body["error"]["message"]
                .as_str()
                .unwrap_or("no error message");
            bail!("{status}: {message}");
        }
        Ok(body)
    }
}

pub async fn add(remote: &Remote, new: NewSource<'_>) -> anyhow::Result<()> {
    let mut config = json!({});
    if let Some(url) = new.url {
        config["url"] = json!(url);
    }
    if let Some(max) = new.max_pages {
        config["max_pages"] = json!(max);
    }
    let body = json!({
        "type": new.kind, "name": new.name, "config": config, "sync_frequency": new.frequency,
    });
    let created = remote
        .call(reqwest::Method::POST, "/api/v1/data-sources", Some(body))
        .await?;
    println!("{}", created["id"].as_str().unwrap_or_default());
    Ok(())
}

pub async fn status(remote: &Remote, id: &str) -> anyhow::Result<()> {
    let status = remote
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/data-sources/{id}/status"),
            None,
        )
        .await?;
    println!("{}", serde_json::to_string_pretty(&status)?);
    Ok(())
}

pub async fn sync(remote: &Remote, id: &str, wait: bool) -> anyhow::Result<()> {
    let queued = remote
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/data-sources/{id}/sync"),
            Some(json!({})),
        )
        .await?;
    eprintln!("sync {} queued", queued["sync_id"].as_str().unwrap_or("?"));
    if !wait {
        return Ok(());
    }
    follow(remote, id).await
}

pub async fn upload(
    remote: &Remote,
    id: &str,
    files: &[std::path::PathBuf],
    wait: bool,
) -> anyhow::Result<()> {
    let mut form = reqwest::multipart::Form::new();
    for path in files {
        let bytes = tokio::fs::read(path)
            .await
            .with_context(|| format!("cannot read {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
    }
    let req = remote
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/data-sources/{id}/files"),
        )
        .multipart(form);
    let stored = remote.send(req).await?;
    for f in stored["files"].as_array().into_iter().flatten() {
        eprintln!(
            "stored: {} ({} bytes)",
            f["name"].as_str().unwrap_or("?"),
            f["bytes"]
        );
    }
    for f in stored["skipped"].as_array().into_iter().flatten() {
        eprintln!(
            "skipped: {}: {}",
            f["name"].as_str().unwrap_or("?"),
            f["reason"].as_str().unwrap_or("?")
        );
    }
    match stored["sync_id"].as_str() {
        Some(sync) if wait => {
            eprintln!("sync {sync} queued");
            follow(remote, id).await
        }
        Some(sync) => {
            eprintln!("sync {sync} queued");
            Ok(())
        }
        None => {
            let running = stored["follows_sync_id"].as_str().unwrap_or("?");
            eprintln!("sync {running} is under way; another is queued when it ends");
            Ok(())
        }
    }
}

/// Polls the status until the sync ends, drawing the progress bar.
async fn follow(remote: &Remote, id: &str) -> anyhow::Result<()> {
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} documents  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    loop {
        let s = remote
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/data-sources/{id}/status"),
                None,
            )
            .await?;
        bar.set_length(s["documents_total"].as_u64().unwrap_or(0));
        bar.set_position(
            s["documents_done"].as_u64().unwrap_or(0) + s["documents_failed"].as_u64().unwrap_or(0),
        );
        let eta = s["estimated_completion"].as_str().unwrap_or("unknown");
        bar.set_message(format!(
            "{} chunks, {} failed, ETA {eta}",
            s["chunks_indexed"], s["documents_failed"]
        ));
        match s["sync_status"].as_str() {
            Some("succeeded") => {
                // The bar draws only on a terminal; the summary line always shows.
                bar.finish_and_clear();
                eprintln!(
                    "done: {} documents, {} chunks indexed",
                    s["documents_done"], s["chunks_indexed"]
                );
                return report_errors(&s);
            }
            Some("failed") => {
                bar.abandon();
                bail!(
                    "sync failed: {}",
                    s["error"].as_str().unwrap_or("no reason given")
                );
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

fn report_errors(status: &Value) -> anyhow::Result<()> {
    for e in status["errors"].as_array().into_iter().flatten() {
        eprintln!(
            "failed: {}: {}",
            e["document"].as_str().unwrap_or("?"),
            e["message"].as_str().unwrap_or("?")
        );
    }
    Ok(())
}
