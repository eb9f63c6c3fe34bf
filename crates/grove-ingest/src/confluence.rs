//! Confluence Cloud: the content REST API (`/wiki/rest/api/content`), pages
//! of a space (or every space the account sees), with the storage-format
//! body expanded, following `_links.next` until the last page. Auth is HTTP
//! Basic with the account's email and an API token. Page bodies are XHTML,
//! parsed like web pages.

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::net::HttpClient;
use crate::service::{Auth, ConfigReader, ServiceApi, ServiceError};
use crate::source::{content_hash, Connector, Content, FieldError, SourceDocument, SourceItem};

const PAGE_SIZE: &str = "50";

#[derive(Debug, Clone)]
pub struct ConfluenceConfig {
    /// The site, e.g. `https://acme.atlassian.net`.
    pub base_url: url::Url,
    pub email: String,
    pub api_token: String,
    pub space_key: Option<String>,
}

/// The settings a `config` of this type takes; others are refused.
pub const CONFIG_KEYS: &[&str] = &["base_url", "email", "api_token", "space_key"];

impl ConfluenceConfig {
    pub fn from_json(config: &Value) -> Result<Self, FieldError> {
        let reader = ConfigReader::new(config);
        if reader.optional("base_url")?.is_none() {
            return Err(FieldError::new(
                "config.base_url",
                "is required (your site, e.g. https://acme.atlassian.net)",
            ));
        }
        Ok(Self {
            base_url: reader.base_url("")?,
            email: reader.required("email")?,
            api_token: reader.required("api_token")?,
            space_key: reader.optional("space_key")?,
        })
    }
}

pub struct ConfluenceConnector {
    api: ServiceApi,
    space_key: Option<String>,
}

impl ConfluenceConnector {
    pub fn new(config: ConfluenceConfig, http: HttpClient) -> Self {
        let auth = Auth::Basic {
            user: config.email,
            password: config.api_token,
        };
        Self {
            api: ServiceApi::new(http, config.base_url, auth, "Confluence"),
            space_key: config.space_key,
        }
    }

    fn first_page(&self) -> Result<url::Url, ServiceError> {
        let mut url = self.api.url("/wiki/rest/api/content")?;
        url.query_pairs_mut()
            .append_pair("type", "page")
            .append_pair("expand", "body.storage,version")
            .append_pair("limit", PAGE_SIZE);
        if let Some(space) = &self.space_key {
            url.query_pairs_mut().append_pair("spaceKey", space);
        }
        Ok(url)
    }

    fn document(&self, page: &Value, links_base: &str) -> Option<SourceDocument> {
        let id = page["id"].as_str()?;
        let title = page["title"].as_str().unwrap_or("Untitled");
        let body = page["body"]["storage"]["value"]
            .as_str()
            .unwrap_or_default();
        let mut parsed = crate::html::parse(&format!(
            "<html><head><title>{}</title></head><body><main>{body}</main></body></html>",
            escape(title)
        ));
        parsed.title = title.to_owned();
        let url = page["_links"]["webui"]
            .as_str()
            .map(|path| format!("{links_base}{path}"));
        let raw = format!("{title}\n{body}");
        Some(SourceDocument {
            key: format!("page/{id}"),
            url,
            content_hash: content_hash(raw.as_bytes()),
            bytes: raw.len() as u64,
            content: Content::Parsed(parsed),
            parse_time: std::time::Duration::ZERO,
        })
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[async_trait]
impl Connector for ConfluenceConnector {
    async fn run(&self, out: mpsc::Sender<SourceItem>) -> Result<(), String> {
        let mut next = Some(self.first_page()?);
        let mut seen = 0u64;
        while let Some(url) = next.take() {
            let page = self.api.get_json(url).await?;
            // `_links.base` is the site's wiki root (…/wiki); `next` is
            // relative to the site, as Confluence Cloud answers.
            let links_base = page["_links"]["base"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let results = page["results"].as_array().cloned().unwrap_or_default();
            seen += results.len() as u64;
            let more = page["_links"]["next"].as_str();
            let _ = out
                .send(SourceItem::Discovered(seen + u64::from(more.is_some())))
                .await;
            for result in &results {
                let item = match self.document(result, &links_base) {
                    Some(doc) => SourceItem::Document(doc),
                    None => continue,
                };
                if out.send(item).await.is_err() {
                    return Ok(());
                }
            }
            next = match more {
                Some(path) if path.starts_with("/wiki/") => Some(self.api.url(path)?),
                Some(path) => Some(self.api.url(&format!("/wiki{path}"))?),
                None => None,
            };
        }
        Ok(())
    }
}
