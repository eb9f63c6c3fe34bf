//! Knowledge-base articles and their versions as stored.

use grove_core::ids::{KbArticleId, KeyId, OrgId, UserId};
use grove_core::sources::{ArticleStatus, KbArticle, KbArticleVersion};

use super::agents::{unsigned, unsigned_opt};
use super::{BadRow, StoredRow};

/// The columns [`article_from_row`] reads, in its order.
pub(crate) const ARTICLE_COLUMNS: &str =
    "id, org_id, title, content, tags, status, version, created_at, updated_at";

/// The columns [`version_from_row`] reads, in its order (and a version's
/// insert writes, with `org_id` after them).
pub(crate) const VERSION_COLUMNS: &str =
    "article_id, version, title, content, tags, status, key_id, user_id, restored_from, created_at";

/// Tags as the JSON text stored.
pub(crate) fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

fn tags(row: &impl StoredRow, i: usize) -> Result<Vec<String>, BadRow> {
    let raw: String = row.col(i)?;
    Ok(serde_json::from_str(&raw).unwrap_or_default())
}

pub(crate) fn article_from_row(row: &impl StoredRow) -> Result<KbArticle, BadRow> {
    Ok(KbArticle {
        id: row.parsed(0, |s| KbArticleId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        title: row.col(2)?,
        content: row.col(3)?,
        tags: tags(row, 4)?,
        status: row.parsed(5, ArticleStatus::parse)?,
        version: unsigned(row, 6)?,
        created_at: row.time(7)?,
        updated_at: row.time(8)?,
    })
}

pub(crate) fn version_from_row(row: &impl StoredRow) -> Result<KbArticleVersion, BadRow> {
    let key_id: Option<String> = row.col(6)?;
    let user_id: Option<String> = row.col(7)?;
    Ok(KbArticleVersion {
        article_id: row.parsed(0, |s| KbArticleId::parse(s).ok())?,
        version: unsigned(row, 1)?,
        title: row.col(2)?,
        content: row.col(3)?,
        tags: tags(row, 4)?,
        status: row.parsed(5, ArticleStatus::parse)?,
        key_id: key_id.and_then(|s| KeyId::parse(&s).ok()),
        user_id: user_id.and_then(|s| UserId::parse(&s).ok()),
        restored_from: unsigned_opt(row, 8)?,
        created_at: row.time(9)?,
    })
}
