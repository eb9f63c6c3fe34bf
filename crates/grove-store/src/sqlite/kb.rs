//! Knowledge-base articles and their versions in SQLite. Every write of an
//! article records its next version in the same transaction, and a write
//! that changes what is published queues the `kb` data sources' syncs there
//! too.

use async_trait::async_trait;
use grove_core::ids::{DataSourceId, InteractionId, KbArticleId, KeyId, OrgId, UserId};
use grove_core::page::Page;
use grove_core::sources::{ArticleStatus, KbArticle, KbArticleVersion, SyncInitiator};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::syncs::sync_in;
use super::{backend, filtered_page, now_ms, parsed, SqliteStore};
use crate::rows::kb::{
    article_from_row, tags_json, version_from_row, ARTICLE_COLUMNS as COLUMNS, VERSION_COLUMNS,
};
use crate::{
    ArticleFromReview, KbArticlePatch, KbAuthor, KbStore, Listed, NewKbArticle, StoreResult,
};

fn select(conn: &Connection, org: &OrgId, id: &KbArticleId) -> StoreResult<Option<KbArticle>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM kb_articles WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(article_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

fn select_version(
    conn: &Connection,
    org: &OrgId,
    id: &KbArticleId,
    version: u32,
) -> StoreResult<Option<KbArticleVersion>> {
    conn.query_row(
        &format!(
            "SELECT {VERSION_COLUMNS} FROM kb_article_versions
             WHERE org_id = ?1 AND article_id = ?2 AND version = ?3"
        ),
        params![org.as_str(), id.as_str(), version],
        |r| Ok(version_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

/// Records version `version` of an article as `new`.
fn insert_version(
    conn: &Connection,
    org: &OrgId,
    id: &KbArticleId,
    version: u32,
    new: &NewKbArticle,
    author: &KbAuthor,
    restored_from: Option<u32>,
) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO kb_article_versions ({VERSION_COLUMNS}, org_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            id.as_str(),
            version,
            new.title,
            new.content,
            tags_json(&new.tags),
            new.status.as_str(),
            author.key_id.as_ref().map(KeyId::as_str),
            author.user_id.as_ref().map(UserId::as_str),
            restored_from,
            now_ms(),
            org.as_str()
        ],
    )
    .map(|_| ())
    .map_err(backend)
}

/// Inserts an article and its version 1.
fn insert_article(
    conn: &Connection,
    org: &OrgId,
    new: &NewKbArticle,
    author: &KbAuthor,
) -> StoreResult<KbArticle> {
    let id = KbArticleId::generate();
    let now = now_ms();
    conn.execute(
        "INSERT INTO kb_articles (id, org_id, title, content, tags, status, version, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7)",
        params![
            id.as_str(),
            org.as_str(),
            new.title,
            new.content,
            tags_json(&new.tags),
            new.status.as_str(),
            now
        ],
    )
    .map_err(backend)?;
    insert_version(conn, org, &id, 1, new, author, None)?;
    reindex_if(conn, org, new.status == ArticleStatus::Published)?;
    select(conn, org, &id)?.ok_or_else(|| backend("article vanished after insert"))
}

/// When `changed` (what is published changed), queues a sync — or a
/// follow-up of a running one — of every `kb` data source of the
/// organisation, in the caller's transaction, so the indexes follow the
/// articles even across a crash.
fn reindex_if(conn: &Connection, org: &OrgId, changed: bool) -> StoreResult<()> {
    if !changed {
        return Ok(());
    }
    let sources: Vec<DataSourceId> = conn
        .prepare_cached(
            "SELECT id FROM data_sources WHERE org_id = ?1 AND kind = 'kb' ORDER BY created_at, id",
        )
        .and_then(|mut stmt| {
            stmt.query_map(params![org.as_str()], |row| {
                parsed(row.get(0)?, |s| DataSourceId::parse(s).ok())
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(backend)?;
    for source in sources {
        sync_in(conn, org, &source, SyncInitiator::Api, true)?;
    }
    Ok(())
}

/// Replaces an article's fields with `next(current)` as its next version;
/// `None` if absent.
fn write_version(
    conn: &mut Connection,
    org: &OrgId,
    id: &KbArticleId,
    next_fields: impl FnOnce(&KbArticle) -> NewKbArticle,
    author: &KbAuthor,
    restored_from: Option<u32>,
) -> StoreResult<Option<KbArticle>> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    let Some(current) = select(&tx, org, id)? else {
        return Ok(None);
    };
    let new = &next_fields(&current);
    let next = current.version + 1;
    let now = now_ms();
    tx.execute(
        "UPDATE kb_articles SET title = ?3, content = ?4, tags = ?5, status = ?6, version = ?7,
                updated_at = ?8
         WHERE org_id = ?1 AND id = ?2",
        params![
            org.as_str(),
            id.as_str(),
            new.title,
            new.content,
            tags_json(&new.tags),
            new.status.as_str(),
            next,
            now
        ],
    )
    .map_err(backend)?;
    insert_version(&tx, org, id, next, new, author, restored_from)?;
    let published = |s: ArticleStatus| s == ArticleStatus::Published;
    reindex_if(&tx, org, published(current.status) || published(new.status))?;
    let article = select(&tx, org, id)?;
    tx.commit().map_err(backend)?;
    Ok(article)
}

#[async_trait]
impl KbStore for SqliteStore {
    async fn create_kb_article_by(
        &self,
        org: &OrgId,
        new: NewKbArticle,
        author: KbAuthor,
    ) -> StoreResult<KbArticle> {
        let org = org.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let article = insert_article(&tx, &org, &new, &author)?;
            tx.commit().map_err(backend)?;
            Ok(article)
        })
        .await
    }

    async fn update_kb_article_by(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        patch: KbArticlePatch,
        author: KbAuthor,
    ) -> StoreResult<Option<KbArticle>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            write_version(
                conn,
                &org,
                &id,
                |current| patch.apply(current),
                &author,
                None,
            )
        })
        .await
    }

    async fn restore_kb_article(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        version: u32,
        author: KbAuthor,
    ) -> StoreResult<Option<KbArticle>> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let Some(old) = select_version(conn, &org, &id, version)? else {
                return Ok(None);
            };
            let new = NewKbArticle {
                title: old.title,
                content: old.content,
                tags: old.tags,
                status: old.status,
            };
            write_version(conn, &org, &id, |_| new, &author, Some(version))
        })
        .await
    }

    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> StoreResult<bool> {
        let (org, id) = (org.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some(current) = select(&tx, &org, &id)? else {
                return Ok(false);
            };
            tx.execute(
                "DELETE FROM kb_articles WHERE org_id = ?1 AND id = ?2",
                params![org.as_str(), id.as_str()],
            )
            .map_err(backend)?;
            reindex_if(&tx, &org, current.status == ArticleStatus::Published)?;
            tx.commit().map_err(backend)?;
            Ok(true)
        })
        .await
    }

    async fn get_kb_article(
        &self,
        org: &OrgId,
        id: &KbArticleId,
    ) -> StoreResult<Option<KbArticle>> {
        self.read(|conn| select(conn, org, id))
    }

    async fn list_kb_articles(
        &self,
        org: &OrgId,
        status: Option<ArticleStatus>,
        page: Page,
    ) -> StoreResult<Listed<KbArticle>> {
        self.read(|conn| {
            let mut condition = String::from("org_id = ?1");
            let mut args = vec![SqlValue::Text(org.to_string())];
            if let Some(status) = status {
                args.push(SqlValue::Text(status.as_str().to_owned()));
                condition.push_str(" AND status = ?2");
            }
            filtered_page(
                conn,
                "kb_articles",
                COLUMNS,
                &condition,
                args,
                "updated_at DESC, id DESC",
                page,
                |r| Ok(article_from_row(r)?),
            )
        })
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
                .query_map(params![org.as_str()], |r| Ok(article_from_row(r)?))
                .map_err(backend)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
        })
    }

    async fn kb_article_versions(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        page: Page,
    ) -> StoreResult<Listed<KbArticleVersion>> {
        self.read(|conn| {
            let total: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM kb_article_versions WHERE org_id = ?1 AND article_id = ?2",
                    params![org.as_str(), id.as_str()],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {VERSION_COLUMNS} FROM kb_article_versions
                     WHERE org_id = ?1 AND article_id = ?2
                     ORDER BY version DESC LIMIT ?3 OFFSET ?4"
                ))
                .map_err(backend)?;
            let items = stmt
                .query_map(
                    params![
                        org.as_str(),
                        id.as_str(),
                        i64::from(page.limit),
                        page.offset as i64
                    ],
                    |r| Ok(version_from_row(r)?),
                )
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(backend)?;
            Ok(Listed {
                items,
                total: total as u64,
            })
        })
    }

    async fn kb_article_version(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        version: u32,
    ) -> StoreResult<Option<KbArticleVersion>> {
        self.read(|conn| select_version(conn, org, id, version))
    }

    async fn create_kb_article_from_review(
        &self,
        org: &OrgId,
        interaction: &InteractionId,
        new: NewKbArticle,
        author: KbAuthor,
    ) -> StoreResult<ArticleFromReview> {
        let (org, interaction) = (org.clone(), interaction.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let found: Option<(Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT edited_answer, kb_article_id FROM interactions
                     WHERE org_id = ?1 AND id = ?2",
                    params![org.as_str(), interaction.as_str()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(backend)?;
            let Some((edited_answer, existing)) = found else {
                return Ok(ArticleFromReview::NoInteraction);
            };
            if let Some(existing) = existing.and_then(|s| KbArticleId::parse(&s).ok()) {
                return Ok(ArticleFromReview::AlreadyHasArticle(existing));
            }
            let Some(content) = edited_answer.filter(|a| !a.trim().is_empty()) else {
                return Ok(ArticleFromReview::NoEditedAnswer);
            };
            let new = NewKbArticle { content, ..new };
            let article = insert_article(&tx, &org, &new, &author)?;
            tx.execute(
                "UPDATE interactions SET kb_article_id = ?3 WHERE org_id = ?1 AND id = ?2",
                params![org.as_str(), interaction.as_str(), article.id.as_str()],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(ArticleFromReview::Created(article))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use rusqlite_migration::{Migrations, M};

    use super::super::{migrations, MIGRATIONS};

    #[test]
    fn articles_written_before_versions_get_their_version_1() {
        let mut conn = Connection::open_in_memory().unwrap();
        let versions = MIGRATIONS
            .iter()
            .position(|sql| sql.contains("CREATE TABLE kb_article_versions"))
            .expect("the versions migration is listed");
        Migrations::new(
            MIGRATIONS[..versions]
                .iter()
                .map(|sql| M::up(sql))
                .collect(),
        )
        .to_latest(&mut conn)
        .unwrap();
        conn.execute(
            "INSERT INTO orgs (id, name, created_at) VALUES ('org_a', 'A', 0)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO kb_articles (id, org_id, title, content, tags, status, created_at, updated_at)
             VALUES ('kb_old', 'org_a', 'Old', 'Text', '[\"x\"]', 'published', 1, 2)",
            [],
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let (version, title, tags, status, created_at): (u32, String, String, String, i64) = conn
            .query_row(
                "SELECT version, title, tags, status, created_at FROM kb_article_versions
                 WHERE article_id = 'kb_old'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(
            (
                version,
                title.as_str(),
                tags.as_str(),
                status.as_str(),
                created_at
            ),
            (1, "Old", "[\"x\"]", "published", 2)
        );
        let current: u32 = conn
            .query_row(
                "SELECT version FROM kb_articles WHERE id = 'kb_old'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(current, 1);
        let review: String = conn
            .query_row(
                "SELECT COUNT(*) || '' FROM pragma_table_info('interactions')
                 WHERE name IN ('review_status', 'edited_answer', 'reviewed_at', 'kb_article_id')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(review, "4");
    }
}
