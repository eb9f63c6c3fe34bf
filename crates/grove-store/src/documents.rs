//! What the documents API needs from persistence: a data source's documents
//! filtered and paged, one document by id, and deleting one. Syncs write
//! documents as they index them ([`crate::SyncStore::put_document`] and
//! [`crate::SyncStore::put_failed_document`]); these read and delete them for
//! people asking what was indexed and why something was not. The chunks
//! live in the search engine: a caller deleting a document removes them
//! there first.

use async_trait::async_trait;
use grove_core::ids::{DataSourceId, DocumentId, OrgId};
use grove_core::page::Page;
use grove_core::sources::{Document, DocumentStatus};

use crate::{Listed, StoreResult};

/// Which of a data source's documents to list; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub status: Option<DocumentStatus>,
    /// A substring of the title, URL or source key, ignoring ASCII case.
    pub text: Option<String>,
    /// Exactly this error (the documents of one failure group).
    pub error: Option<String>,
}

#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// A data source's documents matching `filter`, by source key.
    async fn list_documents(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        filter: &DocumentFilter,
        page: Page,
    ) -> StoreResult<Listed<Document>>;
    /// Why a data source's documents failed: each distinct error with how
    /// many failed documents carry it, most frequent first (at most 50).
    async fn failure_counts(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
    ) -> StoreResult<Vec<(String, u64)>>;
    /// The organisation's document with this id.
    async fn find_document(&self, org: &OrgId, id: &DocumentId) -> StoreResult<Option<Document>>;
    /// Deletes the document's row; false if absent. A later sync that
    /// finds it at its source again brings it back.
    async fn delete_document(&self, org: &OrgId, id: &DocumentId) -> StoreResult<bool>;
}
