//! Documents as stored, what a write replaces in a row already held, and
//! the pattern a text filter matches with.

use grove_core::ids::{DataSourceId, DocumentId};
use grove_core::sources::{Document, DocumentStatus};

use super::{BadRow, StoredRow};

/// The columns [`document_from_row`] reads, in its order.
pub(crate) const DOCUMENT_COLUMNS: &str =
    "id, data_source_id, source_key, title, url, content_hash, \
     chunks, bytes, status, error, indexed_at";

/// What an existing row takes from a write (an upsert's `DO UPDATE SET`,
/// the same on both backends): everything, or (for a failed read) only
/// the status and the error; the writer adds the sync that saw it.
pub(crate) const REPLACE_ALL: &str = "id = excluded.id, title = excluded.title, url = excluded.url,
     content_hash = excluded.content_hash, chunks = excluded.chunks, bytes = excluded.bytes,
     status = excluded.status, error = excluded.error, indexed_at = excluded.indexed_at";
pub(crate) const MARK_FAILED: &str = "status = excluded.status, error = excluded.error";

pub(crate) fn document_from_row(row: &impl StoredRow) -> Result<Document, BadRow> {
    let chunks: i64 = row.col(6)?;
    Ok(Document {
        id: row.parsed(0, |s| DocumentId::parse(s).ok())?,
        data_source_id: row.parsed(1, |s| DataSourceId::parse(s).ok())?,
        source_key: row.col(2)?,
        title: row.col(3)?,
        url: row.col(4)?,
        content_hash: row.col(5)?,
        chunks: u32::try_from(chunks)
            .map_err(|_| BadRow(format!("column 6 holds {chunks} chunks, out of range")))?,
        bytes: row
            .col::<Option<i64>>(7)?
            .map(|b| u64::try_from(b).unwrap_or(0)),
        status: row.parsed(8, DocumentStatus::parse)?,
        error: row.col(9)?,
        indexed_at: row.time_opt(10)?,
    })
}

/// A `LIKE` pattern (with `ESCAPE '\'`) matching `text` anywhere: the
/// text's own `%`, `_` and `\` are characters, not wildcards.
pub(crate) fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
