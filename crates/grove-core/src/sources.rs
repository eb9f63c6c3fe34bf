//! Data source records: kinds, statuses and sync frequencies, syncs with
//! their progress, the documents a data source holds, and knowledge-base
//! articles (what a `kb` data source indexes).

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::ids::{DataSourceId, DocumentId, KbArticleId, KeyId, OrgId, SyncId, UserId};

wire_enum!(
    /// Where a data source's documents come from.
    SourceKind {
        Website = "website",
        File = "file",
        Kb = "kb",
        Confluence = "confluence",
        Slack = "slack",
        GoogleDrive = "google_drive",
        Sharepoint = "sharepoint",
    }
);

wire_enum!(
    /// A data source's state: `pending` until its first sync, `processing`
    /// while one runs, then `active` or `failed`.
    SourceStatus {
        Pending = "pending",
        Processing = "processing",
        Active = "active",
        Failed = "failed",
    }
);

wire_enum!(
    /// How often the scheduler syncs a data source.
    SyncFrequency {
        Hourly = "hourly",
        Daily = "daily",
        Weekly = "weekly",
        Manual = "manual",
    }
);

impl SyncFrequency {
    /// Time between scheduled syncs; `None` for manual.
    pub fn interval(self) -> Option<std::time::Duration> {
        let hours = match self {
            SyncFrequency::Hourly => 1,
            SyncFrequency::Daily => 24,
            SyncFrequency::Weekly => 24 * 7,
            SyncFrequency::Manual => return None,
        };
        Some(std::time::Duration::from_secs(hours * 3600))
    }
}

wire_enum!(
    /// Where a sync stands.
    SyncStatus {
        Queued = "queued",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
    }
);

wire_enum!(
    /// Who started a sync.
    SyncInitiator {
        Manual = "manual",
        Schedule = "schedule",
        Api = "api",
    }
);

/// A data source: where documents come from, and how they are chunked.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DataSource {
    pub id: DataSourceId,
    pub org_id: OrgId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: SourceKind,
    /// Type-specific settings (see docs/API.md); secrets are never echoed.
    #[schema(value_type = Object)]
    pub config: Value,
    pub status: SourceStatus,
    pub sync_frequency: SyncFrequency,
    /// Chunk size in tokens of the embedding model's tokenizer.
    pub chunk_size: u32,
    /// Tokens shared by consecutive chunks of a section.
    pub chunk_overlap: u32,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_synced_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// One sync of a data source, with its progress counters.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SourceSync {
    pub id: SyncId,
    pub org_id: OrgId,
    pub data_source_id: DataSourceId,
    pub status: SyncStatus,
    pub initiator: SyncInitiator,
    pub documents_total: u64,
    pub documents_done: u64,
    pub documents_failed: u64,
    pub chunks_indexed: u64,
    pub error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
}

/// A document that failed in a sync, and why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DocumentError {
    pub document: String,
    pub message: String,
}

wire_enum!(
    /// What became of a document the last time it was read: `indexed`
    /// (its chunks are searchable), `failed` (it could not be fetched or
    /// read; an earlier version stays indexed if there was one) or
    /// `skipped` (read, but deliberately not indexed: a redirect stub, an
    /// unsupported type, no text).
    DocumentStatus {
        Indexed = "indexed",
        Failed = "failed",
        Skipped = "skipped",
    }
);

/// A document as a data source holds it: where it came from, the hash of
/// the content it was indexed from, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Document {
    pub id: DocumentId,
    pub data_source_id: DataSourceId,
    /// URL, file name or connector item id, unique in the data source.
    pub source_key: String,
    pub title: String,
    pub url: Option<String>,
    /// `<SHA-256 of the raw content>:<chunk size>:<overlap>`, so a change of
    /// either re-indexes; `None` when the content was never read.
    pub content_hash: Option<String>,
    /// Chunks in the index now.
    pub chunks: u32,
    /// Size of the raw content, when it was read.
    pub bytes: Option<u64>,
    pub status: DocumentStatus,
    /// Why it failed or was skipped.
    pub error: Option<String>,
    /// When its chunks were last written; `None` if it never was.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub indexed_at: Option<Timestamp>,
}

impl Document {
    /// The SHA-256 of the raw content (hex), without the chunk settings.
    pub fn content_sha256(&self) -> Option<&str> {
        let hash = self.content_hash.as_deref()?;
        hash.split(':').next()
    }
}

wire_enum!(
    /// Whether a knowledge-base article is visible (and indexed).
    ArticleStatus {
        Draft = "draft",
        Published = "published",
    }
);

/// A knowledge-base article. Published ones are indexed by the
/// organisation's `kb` data sources.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbArticle {
    pub id: KbArticleId,
    #[serde(skip)]
    pub org_id: OrgId,
    pub title: String,
    /// Markdown.
    pub content: String,
    pub tags: Vec<String>,
    pub status: ArticleStatus,
    /// The number of the latest version (1 when created).
    pub version: u32,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// One version of a knowledge-base article: what it was after a create,
/// an update or a restore, and who wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbArticleVersion {
    pub article_id: KbArticleId,
    /// 1, 2, … per article.
    pub version: u32,
    pub title: String,
    pub content: String,
    pub tags: Vec<String>,
    pub status: ArticleStatus,
    /// The API key that wrote it (null for versions written by the system).
    pub key_id: Option<KeyId>,
    /// The key's user, when it has one.
    pub user_id: Option<UserId>,
    /// For a restore: the version restored.
    pub restored_from: Option<u32>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}
