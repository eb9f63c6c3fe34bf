//! Grove's ingestion side: parsers that turn source formats into clean text
//! with its structure (title, headings, lists, code, tables), and the chunker
//! that cuts that text into token-bounded, structure-aligned chunks with byte
//! offsets for citations; connectors (website crawler, uploaded files,
//! Confluence, Slack, Google Drive, SharePoint) behind one trait,
//! an SSRF-guarded HTTP client, and the sync runner that indexes what
//! connectors stream.

pub mod chunk;
pub mod confluence;
pub mod documents;
pub mod files;
pub mod gdrive;
pub mod html;
pub mod kb;
pub mod local;
pub mod net;
pub mod oauth;
pub mod parse;
pub mod service;
pub mod sharepoint;
pub mod slack;
pub mod source;
pub mod sync;
pub mod text;
pub mod web;

use source::{Connector, FieldError};

/// Checks a data source's config for its type; the error names the field
/// inside `config`. The one place that knows which types can be synced.
pub fn check_config(
    kind: grove_core::sources::SourceKind,
    config: &serde_json::Value,
) -> Result<(), FieldError> {
    use grove_core::sources::SourceKind;
    refuse_unknown_keys(config, config_keys(kind))?;
    match kind {
        SourceKind::Website => web::WebsiteConfig::from_json(config).map(drop),
        SourceKind::Confluence => confluence::ConfluenceConfig::from_json(config).map(drop),
        SourceKind::Slack => slack::SlackConfig::from_json(config).map(drop),
        SourceKind::GoogleDrive => gdrive::DriveConfig::from_json(config).map(drop),
        SourceKind::Sharepoint => sharepoint::SharePointConfig::from_json(config).map(drop),
        SourceKind::File | SourceKind::Kb => Ok(()),
    }
}

/// The settings a type's `config` takes (`file` and `kb` take none).
pub fn config_keys(kind: grove_core::sources::SourceKind) -> &'static [&'static str] {
    use grove_core::sources::SourceKind;
    match kind {
        SourceKind::Website => web::CONFIG_KEYS,
        SourceKind::Confluence => confluence::CONFIG_KEYS,
        SourceKind::Slack => slack::CONFIG_KEYS,
        SourceKind::GoogleDrive => gdrive::CONFIG_KEYS,
        SourceKind::Sharepoint => sharepoint::CONFIG_KEYS,
        SourceKind::File | SourceKind::Kb => &[],
    }
}

/// Refuses a key of `config` that is not in `known`, naming it and the
/// closest known key (a typo such as `space_keys` must not be ignored).
fn refuse_unknown_keys(config: &serde_json::Value, known: &[&str]) -> Result<(), FieldError> {
    let Some(map) = config.as_object() else {
        return Err(FieldError::new("config", "must be an object"));
    };
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => Err(FieldError::new(
            &format!("config.{key}"),
            grove_core::suggest::unknown_field_reason(key, known),
        )),
    }
}

/// What connectors are built from.
pub struct ConnectorContext<'a> {
    pub http: &'a net::HttpClient,
    pub config: &'a grove_core::config::Config,
    pub store: &'a std::sync::Arc<dyn grove_store::Store>,
}

/// The connector of a data source, by its type and config.
pub fn connector(
    ds: &grove_core::sources::DataSource,
    cx: ConnectorContext<'_>,
) -> Result<Box<dyn Connector>, String> {
    let (http, config) = (cx.http, cx.config);
    use grove_core::sources::SourceKind;
    let field = |e: FieldError| format!("{}: {}", e.field, e.reason);
    let http = http.clone();
    Ok(match ds.kind {
        SourceKind::Website => Box::new(web::WebsiteConnector::new(
            web::WebsiteConfig::from_json(&ds.config).map_err(field)?,
            http,
            &config.ingest,
        )),
        SourceKind::File => Box::new(files::FileConnector::new(
            &files::FileStore::new(&config.data_dir),
            &ds.id,
        )),
        SourceKind::Confluence => Box::new(confluence::ConfluenceConnector::new(
            confluence::ConfluenceConfig::from_json(&ds.config).map_err(field)?,
            http,
        )),
        SourceKind::Slack => Box::new(slack::SlackConnector::new(
            slack::SlackConfig::from_json(&ds.config).map_err(field)?,
            http,
        )),
        SourceKind::GoogleDrive => Box::new(gdrive::DriveConnector::new(
            gdrive::DriveConfig::from_json(&ds.config).map_err(field)?,
            http,
            Some(token_sink(cx.store, ds)),
        )),
        SourceKind::Sharepoint => Box::new(sharepoint::SharePointConnector::new(
            sharepoint::SharePointConfig::from_json(&ds.config).map_err(field)?,
            http,
            Some(token_sink(cx.store, ds)),
        )),
        SourceKind::Kb => Box::new(kb::KbConnector::new(cx.store.clone(), ds.org_id.clone())),
    })
}

/// Keeps a refresh token the provider rotated in the data source's config
/// (sealed by the store), so the next sync starts from it.
struct DataSourceTokens {
    store: std::sync::Arc<dyn grove_store::Store>,
    org: grove_core::ids::OrgId,
    id: grove_core::ids::DataSourceId,
}

#[async_trait::async_trait]
impl oauth::RefreshTokenSink for DataSourceTokens {
    async fn store_refresh_token(&self, token: &str) -> Result<(), String> {
        self.store
            .set_data_source_setting(&self.org, &self.id, "refresh_token", token)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

fn token_sink(
    store: &std::sync::Arc<dyn grove_store::Store>,
    ds: &grove_core::sources::DataSource,
) -> std::sync::Arc<dyn oauth::RefreshTokenSink> {
    std::sync::Arc::new(DataSourceTokens {
        store: store.clone(),
        org: ds.org_id.clone(),
        id: ds.id.clone(),
    })
}

/// A parsed document: clean text and the blocks it is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDoc {
    pub title: String,
    /// Blocks joined by blank lines; offsets below index into it.
    pub text: String,
    pub blocks: Vec<Block>,
    /// Set when the page only redirects elsewhere (meta refresh).
    pub redirect: Option<String>,
}

/// A paragraph, list item, code block, table or heading of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Headings above the block, outermost first.
    pub heading_path: Vec<String>,
    pub start: usize,
    pub end: usize,
    pub kind: BlockKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading,
    Paragraph,
    Code,
    Table,
}

/// Builds a [`ParsedDoc`] block by block.
#[derive(Default)]
pub struct DocBuilder {
    text: String,
    blocks: Vec<Block>,
    headings: Vec<(usize, String)>,
}

impl DocBuilder {
    /// Opens a section under a heading of `level` (1 = top).
    pub fn heading(&mut self, level: usize, title: &str) {
        let title = collapse_whitespace(title);
        if title.is_empty() {
            return;
        }
        self.headings.retain(|(l, _)| *l < level);
        self.headings.push((level, title.clone()));
        self.push(&title, BlockKind::Heading);
    }

    /// Adds a block of text (whitespace collapsed unless it is code).
    pub fn block(&mut self, text: &str, kind: BlockKind) {
        let text = match kind {
            BlockKind::Code => text.trim_matches('\n').to_owned(),
            BlockKind::Table => text
                .lines()
                .map(collapse_whitespace)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
            _ => collapse_whitespace(text),
        };
        if !text.trim().is_empty() {
            self.push(&text, kind);
        }
    }

    fn push(&mut self, text: &str, kind: BlockKind) {
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        let start = self.text.len();
        self.text.push_str(text);
        self.blocks.push(Block {
            heading_path: self.headings.iter().map(|(_, h)| h.clone()).collect(),
            start,
            end: self.text.len(),
            kind,
        });
    }

    pub fn finish(self, title: String, redirect: Option<String>) -> ParsedDoc {
        ParsedDoc {
            title,
            text: self.text,
            blocks: self.blocks,
            redirect,
        }
    }
}

pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
