//! What every connector hands the sync: documents (with a hash of their raw
//! content, so unchanged ones are skipped), per-document failures, what it
//! read but will not index (redirect stubs, unsupported types) and why, and
//! how many documents it has found so far (for progress). Connectors stream
//! these into a channel while the sync indexes what already arrived.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::ParsedDoc;

/// A document's content: parsed already (a crawler parses pages to find
/// links) or raw bytes with a name and media type to parse by.
#[derive(Debug, Clone)]
pub enum Content {
    Parsed(ParsedDoc),
    Raw {
        name: String,
        content_type: String,
        bytes: Vec<u8>,
    },
}

#[derive(Debug, Clone)]
pub struct SourceDocument {
    /// Unique in the data source: canonical URL, file name, item id.
    pub key: String,
    pub url: Option<String>,
    /// SHA-256 of the raw content, hex.
    pub content_hash: String,
    /// Size of the raw content the hash covers.
    pub bytes: u64,
    pub content: Content,
    /// Time the connector spent parsing, when it parsed (for stage timings).
    pub parse_time: std::time::Duration,
}

impl SourceDocument {
    /// Raw bytes, parsed later by `name`'s extension; hashed here.
    pub fn raw(key: String, url: Option<String>, name: String, bytes: Vec<u8>) -> Self {
        Self {
            key,
            url,
            content_hash: content_hash(&bytes),
            bytes: bytes.len() as u64,
            content: Content::Raw {
                name,
                content_type: String::new(),
                bytes,
            },
            parse_time: std::time::Duration::ZERO,
        }
    }
}

#[derive(Debug, Clone)]
pub enum SourceItem {
    Document(SourceDocument),
    /// A document that could not be fetched or read, and why.
    Failed {
        key: String,
        message: String,
    },
    /// A document found but deliberately not indexed (a page that only
    /// redirects, a type Grove does not read), and why.
    Skipped {
        key: String,
        url: Option<String>,
        reason: String,
    },
    /// This many more documents are known to exist.
    Discovered(u64),
}

/// A data source's reader. `Err` means the source as a whole could not be
/// read (start URL down, credentials refused): the sync fails and keeps
/// what was indexed before.
#[async_trait]
pub trait Connector: Send + Sync {
    async fn run(&self, out: mpsc::Sender<SourceItem>) -> Result<(), String>;
}

/// A config field that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
