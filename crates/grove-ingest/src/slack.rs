//! Slack: the Web API's `conversations.list` and `conversations.history`,
//! both with cursor pagination, over the last 90 days. Each channel is one
//! document whose paragraphs are its messages, oldest first. Slack answers
//! most errors with HTTP 200 and `{"ok": false, "error": …}`; rate limits
//! are 429 with `Retry-After`, handled by [`ServiceApi`].

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::net::HttpClient;
use crate::service::{sync_item, Auth, ConfigReader, ServiceApi, ServiceError};
use crate::source::{content_hash, Connector, Content, FieldError, SourceDocument, SourceItem};
use crate::{BlockKind, DocBuilder};

/// How far back history is read.
const HISTORY_DAYS: i64 = 90;
const PAGE_SIZE: u32 = 200;

#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub base_url: url::Url,
    pub token: String,
    /// Channel ids to read; all public channels the token sees when empty.
    pub channels: Vec<String>,
    /// `https://<workspace>.slack.com`, for links to channels.
    pub workspace_url: Option<String>,
}

/// The settings a `config` of this type takes; others are refused.
pub const CONFIG_KEYS: &[&str] = &["base_url", "token", "channels", "workspace_url"];

impl SlackConfig {
    pub fn from_json(config: &Value) -> Result<Self, FieldError> {
        let reader = ConfigReader::new(config);
        let channels = match config.get("channels") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|c| c.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    FieldError::new("config.channels", "must be a list of channel ids")
                })?,
            Some(_) => {
                return Err(FieldError::new(
                    "config.channels",
                    "must be a list of channel ids",
                ))
            }
        };
        Ok(Self {
            base_url: reader.base_url("https://slack.com/api")?,
            token: reader.required("token")?,
            channels,
            workspace_url: reader.optional("workspace_url")?,
        })
    }
}

pub struct SlackConnector {
    api: ServiceApi,
    channels: Vec<String>,
    workspace_url: Option<String>,
}

impl SlackConnector {
    pub fn new(config: SlackConfig, http: HttpClient) -> Self {
        Self {
            api: ServiceApi::new(http, config.base_url, Auth::Bearer(config.token), "Slack"),
            channels: config.channels,
            workspace_url: config.workspace_url,
        }
    }

    /// Calls a Web API method, turning `ok: false` into an error.
    async fn call(&self, method: &str, query: &[(&str, &str)]) -> Result<Value, ServiceError> {
        let mut url = self.api.url(method)?;
        url.query_pairs_mut().extend_pairs(query);
        let body = self.api.get_json(url).await?;
        if body["ok"].as_bool() == Some(true) {
            return Ok(body);
        }
        let error = body["error"].as_str().unwrap_or("unknown_error");
        Err(match error {
            "invalid_auth" | "not_authed" | "account_inactive" | "token_revoked" => {
                ServiceError::Credentials(format!("Slack refused the token ({error})"))
            }
            other => ServiceError::Other(format!("Slack {method} failed: {other}")),
        })
    }

    /// Every page of a cursor-paginated method, as the pages' `field` items.
    async fn all_pages(
        &self,
        method: &str,
        query: &[(&str, &str)],
        field: &str,
    ) -> Result<Vec<Value>, ServiceError> {
        let mut items = Vec::new();
        let mut cursor = String::new();
        let limit = PAGE_SIZE.to_string();
        loop {
            let mut q = query.to_vec();
            q.push(("limit", &limit));
            if !cursor.is_empty() {
                q.push(("cursor", &cursor));
            }
            let page = self.call(method, &q).await?;
            items.extend(page[field].as_array().cloned().unwrap_or_default());
            cursor = page["response_metadata"]["next_cursor"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if cursor.is_empty() {
                return Ok(items);
            }
        }
    }

    async fn channel_names(&self) -> Result<Vec<(String, String)>, ServiceError> {
        let listed = self
            .all_pages(
                "conversations.list",
                &[("types", "public_channel"), ("exclude_archived", "true")],
                "channels",
            )
            .await?;
        let named = listed
            .iter()
            .filter_map(|c| Some((c["id"].as_str()?.to_owned(), c["name"].as_str()?.to_owned())));
        Ok(if self.channels.is_empty() {
            named.collect()
        } else {
            named.filter(|(id, _)| self.channels.contains(id)).collect()
        })
    }

    async fn channel_document(
        &self,
        id: &str,
        name: &str,
        oldest: &str,
    ) -> Result<SourceDocument, ServiceError> {
        let mut messages = self
            .all_pages(
                "conversations.history",
                &[("channel", id), ("oldest", oldest)],
                "messages",
            )
            .await?;
        messages.sort_by(|a, b| ts(a).total_cmp(&ts(b)));
        let title = format!("#{name}");
        let mut b = DocBuilder::default();
        b.heading(1, &title);
        let mut raw = String::new();
        for m in &messages {
            let text = m["text"].as_str().unwrap_or_default();
            let who = m["user"]
                .as_str()
                .or(m["username"].as_str())
                .unwrap_or("someone");
            b.block(&format!("{who}: {text}"), BlockKind::Paragraph);
            raw.push_str(&format!(
                "{}\t{who}\t{text}\n",
                m["ts"].as_str().unwrap_or_default()
            ));
        }
        Ok(SourceDocument {
            key: format!("channel/{id}"),
            url: self
                .workspace_url
                .as_ref()
                .map(|w| format!("{}/archives/{id}", w.trim_end_matches('/'))),
            content_hash: content_hash(raw.as_bytes()),
            bytes: raw.len() as u64,
            content: Content::Parsed(b.finish(title, None)),
            parse_time: std::time::Duration::ZERO,
        })
    }
}

fn ts(message: &Value) -> f64 {
    message["ts"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.0)
}

#[async_trait]
impl Connector for SlackConnector {
    async fn run(&self, out: mpsc::Sender<SourceItem>) -> Result<(), String> {
        let channels = self.channel_names().await?;
        let _ = out
            .send(SourceItem::Discovered(channels.len() as u64))
            .await;
        let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * HISTORY_DAYS);
        let oldest = since.as_second().to_string();
        for (id, name) in channels {
            let doc = self.channel_document(&id, &name, &oldest).await;
            let item = sync_item(format!("channel/{id}"), doc)?;
            if out.send(item).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}
