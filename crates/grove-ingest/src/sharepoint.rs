//! SharePoint (and OneDrive) through Microsoft Graph: the drive items of a
//! document library, walked folder by folder from the root (`/children`,
//! following `@odata.nextLink`), files of a readable type downloaded through
//! `/content` (Graph answers with a redirect to a pre-authenticated URL),
//! files of other types reported as skipped.
//! Auth is an OAuth access token (Bearer), or a refresh token with the
//! app's id and secret, refreshed at the tenant's Microsoft identity
//! platform token endpoint (`oauth`).

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::net::HttpClient;
use crate::oauth::{Credentials, RefreshTokenSink};
use crate::service::{sync_item, ConfigReader, ServiceApi, ServiceError};
use crate::source::{Connector, FieldError, SourceDocument, SourceItem};

/// Folders walked at most, against cycles and runaway libraries.
const MAX_FOLDERS: usize = 10_000;

#[derive(Debug, Clone)]
pub struct SharePointConfig {
    pub base_url: url::Url,
    pub credentials: Credentials,
    /// The document library's drive id.
    pub drive_id: String,
}

/// The settings a `config` of this type takes; others are refused.
pub const CONFIG_KEYS: &[&str] = &[
    "base_url",
    "access_token",
    "drive_id",
    "client_id",
    "client_secret",
    "refresh_token",
    "tenant_id",
    "token_url",
];

/// What a refreshed token may do: the app's Graph permissions, and a new
/// refresh token.
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default offline_access";

impl SharePointConfig {
    pub fn from_json(config: &Value) -> Result<Self, FieldError> {
        let reader = ConfigReader::new(config);
        let drive_id = reader.required("drive_id")?;
        if drive_id.contains(['/', '?', '#']) {
            return Err(FieldError::new(
                "config.drive_id",
                "must be a Graph drive id",
            ));
        }
        Ok(Self {
            base_url: reader.base_url("https://graph.microsoft.com")?,
            credentials: Credentials::from_config(
                &reader,
                reader.optional("tenant_id")?.map(|tenant| {
                    format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")
                }),
                (
                    "config.tenant_id",
                    "is required with refresh_token (or token_url)",
                ),
                Some(GRAPH_SCOPE),
            )?,
            drive_id,
        })
    }
}

pub struct SharePointConnector {
    api: ServiceApi,
    drive_id: String,
}

impl SharePointConnector {
    pub fn new(
        config: SharePointConfig,
        http: HttpClient,
        sink: Option<Arc<dyn RefreshTokenSink>>,
    ) -> Self {
        let auth = config.credentials.auth(&http, sink, "Microsoft Graph");
        Self {
            api: ServiceApi::new(http, config.base_url, auth, "Microsoft Graph"),
            drive_id: config.drive_id,
        }
    }

    /// Every file item of the drive, breadth first.
    async fn files(&self) -> Result<Vec<Value>, ServiceError> {
        let mut folders = vec![format!("/v1.0/drives/{}/root/children", self.drive_id)];
        let mut files = Vec::new();
        let mut walked = 0;
        while let Some(first) = folders.pop() {
            walked += 1;
            if walked > MAX_FOLDERS {
                break;
            }
            let mut next = Some(self.api.url(&first)?);
            while let Some(url) = next.take() {
                let page = self.api.get_json(url).await?;
                for item in page["value"].as_array().into_iter().flatten() {
                    let id = item["id"].as_str().unwrap_or_default();
                    if item.get("folder").is_some() {
                        folders.push(format!(
                            "/v1.0/drives/{}/items/{id}/children",
                            self.drive_id
                        ));
                    } else if item.get("file").is_some() {
                        files.push(item.clone());
                    }
                }
                next = match page["@odata.nextLink"].as_str() {
                    Some(link) => Some(self.api.url(link)?),
                    None => None,
                };
            }
        }
        Ok(files)
    }
}

/// A file of a type Grove does not read, recorded as skipped.
fn unsupported(file: &Value) -> SourceItem {
    SourceItem::Skipped {
        key: format!("item/{}", file["id"].as_str().unwrap_or_default()),
        url: file["webUrl"].as_str().map(str::to_owned),
        reason: format!(
            "{}: unsupported file type",
            file["name"].as_str().unwrap_or_default()
        ),
    }
}

#[async_trait]
impl Connector for SharePointConnector {
    async fn run(&self, out: mpsc::Sender<SourceItem>) -> Result<(), String> {
        let (files, unread): (Vec<Value>, Vec<Value>) = self
            .files()
            .await?
            .into_iter()
            .partition(|f| crate::parse::supported("", f["name"].as_str().unwrap_or_default()));
        let found = files.len() + unread.len();
        let _ = out.send(SourceItem::Discovered(found as u64)).await;
        for file in &unread {
            if out.send(unsupported(file)).await.is_err() {
                return Ok(());
            }
        }
        for file in files {
            let id = file["id"].as_str().unwrap_or_default();
            let name = file["name"].as_str().unwrap_or_default().to_owned();
            let key = format!("item/{id}");
            let url = self.api.url(&format!(
                "/v1.0/drives/{}/items/{id}/content",
                self.drive_id
            ));
            let web_url = file["webUrl"].as_str().map(str::to_owned);
            let fetched = match url {
                Ok(url) => self.api.get(url).await,
                Err(e) => Err(e),
            };
            let doc = fetched.map(|f| SourceDocument::raw(key.clone(), web_url, name, f.body));
            let item = sync_item(key, doc)?;
            if out.send(item).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}
