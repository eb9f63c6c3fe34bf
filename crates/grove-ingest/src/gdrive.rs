//! Google Drive: the v3 API's `files.list` (every non-trashed file, or a
//! folder's, following `nextPageToken`); Google Docs and Slides are exported
//! as plain text and Sheets as CSV through `files.export`, other files of a
//! readable type are downloaded (`alt=media`) and parsed by their name;
//! files of other types are reported as skipped (folders are not files).
//! Auth is an OAuth access token (Bearer), or a refresh token with the
//! client's id and secret, refreshed at Google's token endpoint (`oauth`).

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::net::HttpClient;
use crate::oauth::{Credentials, RefreshTokenSink};
use crate::service::{sync_item, ConfigReader, ServiceApi, ServiceError};
use crate::source::{Connector, FieldError, SourceDocument, SourceItem};

const FIELDS: &str = "nextPageToken,files(id,name,mimeType,modifiedTime,webViewLink)";

#[derive(Debug, Clone)]
pub struct DriveConfig {
    pub base_url: url::Url,
    pub credentials: Credentials,
    pub folder_id: Option<String>,
}

/// Google's OAuth token endpoint.
const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// The settings a `config` of this type takes; others are refused.
pub const CONFIG_KEYS: &[&str] = &[
    "base_url",
    "access_token",
    "folder_id",
    "client_id",
    "client_secret",
    "refresh_token",
    "token_url",
];

impl DriveConfig {
    pub fn from_json(config: &Value) -> Result<Self, FieldError> {
        let reader = ConfigReader::new(config);
        let folder_id = reader.optional("folder_id")?;
        if folder_id.as_ref().is_some_and(|f| f.contains('\'')) {
            return Err(FieldError::new(
                "config.folder_id",
                "must be a Drive folder id",
            ));
        }
        Ok(Self {
            base_url: reader.base_url("https://www.googleapis.com")?,
            credentials: Credentials::from_config(
                &reader,
                Some(GOOGLE_TOKEN_URL.to_owned()),
                ("config.token_url", "is required"),
                None,
            )?,
            folder_id,
        })
    }
}

pub struct DriveConnector {
    api: ServiceApi,
    folder_id: Option<String>,
}

/// How a Google-native file is exported: (media type, name suffix to parse by).
fn export_as(mime: &str) -> Option<(&'static str, &'static str)> {
    match mime {
        "application/vnd.google-apps.document" | "application/vnd.google-apps.presentation" => {
            Some(("text/plain", ".txt"))
        }
        "application/vnd.google-apps.spreadsheet" => Some(("text/csv", ".csv")),
        _ => None,
    }
}

impl DriveConnector {
    pub fn new(
        config: DriveConfig,
        http: HttpClient,
        sink: Option<Arc<dyn RefreshTokenSink>>,
    ) -> Self {
        let auth = config.credentials.auth(&http, sink, "Google Drive");
        Self {
            api: ServiceApi::new(http, config.base_url, auth, "Google Drive"),
            folder_id: config.folder_id,
        }
    }

    async fn list(&self) -> Result<Vec<Value>, ServiceError> {
        let mut q = "trashed = false".to_owned();
        if let Some(folder) = &self.folder_id {
            q.push_str(&format!(" and '{folder}' in parents"));
        }
        let mut files = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut url = self.api.url("/drive/v3/files")?;
            url.query_pairs_mut()
                .append_pair("q", &q)
                .append_pair("fields", FIELDS)
                .append_pair("pageSize", "100");
            if let Some(t) = &token {
                url.query_pairs_mut().append_pair("pageToken", t);
            }
            let page = self.api.get_json(url).await?;
            files.extend(page["files"].as_array().cloned().unwrap_or_default());
            token = page["nextPageToken"].as_str().map(str::to_owned);
            if token.is_none() {
                return Ok(files);
            }
        }
    }

    /// How a file is read: the URL to GET (an export for Google-native
    /// files, `alt=media` for others) and the name to parse the bytes by;
    /// `None` for types Grove does not read.
    fn download(&self, file: &Value) -> Option<Result<(url::Url, String), ServiceError>> {
        let id = file["id"].as_str().unwrap_or_default();
        let name = file["name"].as_str().unwrap_or("untitled").to_owned();
        let mime = file["mimeType"].as_str().unwrap_or_default();
        let (path, (key, value), name) = if let Some((export, suffix)) = export_as(mime) {
            let path = format!("/drive/v3/files/{id}/export");
            (path, ("mimeType", export), format!("{name}{suffix}"))
        } else if crate::parse::supported(mime, &name) {
            (format!("/drive/v3/files/{id}"), ("alt", "media"), name)
        } else {
            return None;
        };
        Some(self.api.url(&path).map(|mut url| {
            url.query_pairs_mut().append_pair(key, value);
            (url, name)
        }))
    }
}

/// The media type of a Drive folder (listed with the files, never read).
const FOLDER: &str = "application/vnd.google-apps.folder";

/// A file of a type Grove does not read, recorded as skipped.
fn unsupported(file: &Value) -> SourceItem {
    SourceItem::Skipped {
        key: format!("file/{}", file["id"].as_str().unwrap_or_default()),
        url: file["webViewLink"].as_str().map(str::to_owned),
        reason: format!(
            "{}: unsupported type `{}`",
            file["name"].as_str().unwrap_or("untitled"),
            file["mimeType"].as_str().unwrap_or_default()
        ),
    }
}

#[async_trait]
impl Connector for DriveConnector {
    async fn run(&self, out: mpsc::Sender<SourceItem>) -> Result<(), String> {
        let files = self.list().await?;
        let (mut readable, mut unread) = (Vec::new(), Vec::new());
        for file in files.iter().filter(|f| f["mimeType"] != FOLDER) {
            match self.download(file) {
                Some(download) => readable.push((file, download)),
                None => unread.push(file),
            }
        }
        let _ = out
            .send(SourceItem::Discovered(
                (readable.len() + unread.len()) as u64,
            ))
            .await;
        for file in unread {
            if out.send(unsupported(file)).await.is_err() {
                return Ok(());
            }
        }
        for (file, download) in readable {
            let key = format!("file/{}", file["id"].as_str().unwrap_or_default());
            let web_url = file["webViewLink"].as_str().map(str::to_owned);
            let fetched = match download {
                Ok((url, name)) => self
                    .api
                    .get(url)
                    .await
                    .map(|f| SourceDocument::raw(key.clone(), web_url, name, f.body)),
                Err(e) => Err(e),
            };
            let item = sync_item(key, fetched)?;
            if out.send(item).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}
