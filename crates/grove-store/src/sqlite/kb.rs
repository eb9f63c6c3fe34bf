//! Knowledge-base articles in SQLite.

use async_trait::async_trait;
use grove_core::ids::{KbArticleId, OrgId};
use grove_core::sources::{ArticleStatus, KbArticle};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{backend, now_ms, parsed, ts, SqliteStore};
use crate::{KbStore, NewKbArticle, StoreResult};

const COLUMNS: &str = "id, org_id, title, content, tags, status, created_at, updated_at";

fn from_row(row: &Row) -> rusqlite::Result<KbArticle> {
    let tags: String = row.get(4)?;
    Ok(KbArticle {
        id: parsed(row.get(0)?, |s| KbArticleId::parse(s).ok())?,
        org_id: parsed(row.get(1)?, |s| OrgId::parse(s).ok())?,
        title: row.get(2)?,
        content: row.get(3)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        status: parsed(row.get(5)?, ArticleStatus::parse)?,
        created_at: ts(row.get(6)?),
        updated_at: ts(row.get(7)?),
    })
}

fn select(conn: &Connection, org: &OrgId, id: &KbArticleId) -> StoreResult<Option<KbArticle>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM kb_articles WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        from_row,
    )
    .optional()
    .map_err(backend)
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

#[async_trait]
impl KbStore for SqliteStore {
    async fn create_kb_article(&self, org: &OrgId, new: NewKbArticle) -> StoreResult<KbArticle> {
        let org = org.clone();
        self.write(move |conn| {
            let id = KbArticleId::generate();
            conn.execute(
                "INSERT INTO kb_articles (id, org_id, title, content, tags, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    id.as_str(),
                    org.as_str(),
                    new.title,
                    new.content,
                    tags_json(&new.tags),
                    new.status.as_str(),
                    now_ms()
                ],
            )
            .map_err(backend)?;
            select(conn, &org, &id)?.ok_or_else(|| backend("article vanished after insert"))
        })
        .await
    }

    async fn update_kb_article(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        new: NewKbArticle,
    ) -> StoreResult<Option<KbArticle>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            conn.execute(
                "UPDATE kb_articles SET title = ?3, content = ?4, tags = ?5, status = ?6, updated_at = ?7
                 WHERE org_id = ?1 AND id = ?2",
                params![
                    org.as_str(),
                    id.as_str(),
                    new.title,
                    new.content,
                    tags_json(&new.tags),
                    new.status.as_str(),
                    now_ms()
                ],
            )
            .map_err(backend)?;
            select(conn, &org, &id)
        })
        .await
    }

    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> StoreResult<bool> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM kb_articles WHERE org_id = ?1 AND id = ?2",
                params![org.as_str(), id.as_str()],
            )
            .map(|n| n > 0)
            .map_err(backend)
        })
        .await
    }

    async fn published_kb_articles(&self, org: &OrgId) -> StoreResult<Vec<KbArticle>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM kb_articles WHERE org_id = ?1 AND status = 'published'
                     ORDER BY created_at, id"
                ))
                .map_err(backend)?;
            let rows = stmt
                .query_map(params![org.as_str()], from_row)
                .map_err(backend)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
        })
    }
}
