//! Knowledge-base articles and their versions on PostgreSQL. Every write of
//! an article records its next version in the same transaction, and a
//! write that changes what is published queues the `kb` data sources'
//! syncs there too.
//!
//! Replicas update one article at once: a write takes the article's row
//! (`FOR UPDATE`) before reading its version, so a second writer waits for
//! the first to commit, then reads the version it wrote and writes the
//! next. Versions stay consecutive, and the key (article, version) is
//! never contended. Making an article from a review takes the
//! interaction's row the same way, so one interaction gets one article.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{DataSourceId, InteractionId, KbArticleId, KeyId, OrgId, UserId};
use grove_core::page::Page;
use grove_core::sources::{ArticleStatus, KbArticle, KbArticleVersion, SyncInitiator};

use super::syncs::sync_in;
use super::{filtered_page, mapped, mapped_opt, now_ms, pg_error, Arg, PgStore};
use crate::rows::kb::{
    article_from_row, tags_json, version_from_row, ARTICLE_COLUMNS as COLUMNS, VERSION_COLUMNS,
};
use crate::rows::StoredRow;
use crate::{
    ArticleFromReview, KbArticlePatch, KbAuthor, KbStore, Listed, NewKbArticle, StoreResult,
};

/// The organisation's article `id`; with `lock`, its row is held until the
/// transaction ends.
async fn select(
    client: &impl GenericClient,
    org: &OrgId,
    id: &KbArticleId,
    lock: bool,
) -> StoreResult<Option<KbArticle>> {
    let lock = if lock { "FOR UPDATE" } else { "" };
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM kb_articles WHERE org_id = $1 AND id = $2 {lock}"),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, article_from_row)
}

async fn select_version(
    client: &impl GenericClient,
    org: &OrgId,
    id: &KbArticleId,
    version: u32,
) -> StoreResult<Option<KbArticleVersion>> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {VERSION_COLUMNS} FROM kb_article_versions
                 WHERE org_id = $1 AND article_id = $2 AND version = $3"
            ),
            &[&org.as_str(), &id.as_str(), &i64::from(version)],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, version_from_row)
}

/// Records version `version` of an article as `new`.
async fn insert_version(
    client: &impl GenericClient,
    org: &OrgId,
    id: &KbArticleId,
    version: u32,
    new: &NewKbArticle,
    author: &KbAuthor,
    restored_from: Option<u32>,
) -> StoreResult<()> {
    client
        .execute(
            &format!(
                "INSERT INTO kb_article_versions ({VERSION_COLUMNS}, org_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ),
            &[
                &id.as_str(),
                &i64::from(version),
                &new.title,
                &new.content,
                &tags_json(&new.tags),
                &new.status.as_str(),
                &author.key_id.as_ref().map(KeyId::as_str),
                &author.user_id.as_ref().map(UserId::as_str),
                &restored_from.map(i64::from),
                &now_ms(),
                &org.as_str(),
            ],
        )
        .await
        .map(|_| ())
        .map_err(pg_error)
}

/// Inserts an article and its version 1.
async fn insert_article(
    client: &impl GenericClient,
    org: &OrgId,
    new: &NewKbArticle,
    author: &KbAuthor,
) -> StoreResult<KbArticle> {
    let id = KbArticleId::generate();
    let row = client
        .query_one(
            &format!(
                "INSERT INTO kb_articles ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)
                 RETURNING {COLUMNS}"
            ),
            &[
                &id.as_str(),
                &org.as_str(),
                &new.title,
                &new.content,
                &tags_json(&new.tags),
                &new.status.as_str(),
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
    let article = article_from_row(&row)?;
    insert_version(client, org, &id, 1, new, author, None).await?;
    reindex_if(client, org, new.status == ArticleStatus::Published).await?;
    Ok(article)
}

/// When `changed` (what is published changed), queues a sync — or a
/// follow-up of a running one — of every `kb` data source of the
/// organisation, in the caller's transaction, so the indexes follow the
/// articles even across a crash. Sources are taken in id order, the order
/// every writer locks them in.
async fn reindex_if(client: &impl GenericClient, org: &OrgId, changed: bool) -> StoreResult<()> {
    if !changed {
        return Ok(());
    }
    let rows = client
        .query(
            "SELECT id FROM data_sources WHERE org_id = $1 AND kind = 'kb' ORDER BY id",
            &[&org.as_str()],
        )
        .await
        .map_err(pg_error)?;
    for row in rows {
        let source = row.parsed(0, |s| DataSourceId::parse(s).ok())?;
        sync_in(client, org, &source, SyncInitiator::Api, true).await?;
    }
    Ok(())
}

/// Replaces the article's fields with `next_fields(current)` as its next
/// version, the article's row held from the read to the commit; `None` if
/// absent.
async fn write_version(
    store: &PgStore,
    org: &OrgId,
    id: &KbArticleId,
    next_fields: impl FnOnce(&KbArticle) -> NewKbArticle,
    author: &KbAuthor,
    restored_from: Option<u32>,
) -> StoreResult<Option<KbArticle>> {
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(pg_error)?;
    let Some(current) = select(&tx, org, id, true).await? else {
        return Ok(None);
    };
    let new = &next_fields(&current);
    let next = current.version + 1;
    let row = tx
        .query_one(
            &format!(
                "UPDATE kb_articles SET title = $3, content = $4, tags = $5, status = $6,
                        version = $7, updated_at = $8
                 WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
            ),
            &[
                &org.as_str(),
                &id.as_str(),
                &new.title,
                &new.content,
                &tags_json(&new.tags),
                &new.status.as_str(),
                &i64::from(next),
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
    let article = article_from_row(&row)?;
    insert_version(&tx, org, id, next, new, author, restored_from).await?;
    let published = |s: ArticleStatus| s == ArticleStatus::Published;
    reindex_if(&tx, org, published(current.status) || published(new.status)).await?;
    tx.commit().await.map_err(pg_error)?;
    Ok(Some(article))
}

#[async_trait]
impl KbStore for PgStore {
    async fn create_kb_article_by(
        &self,
        org: &OrgId,
        new: NewKbArticle,
        author: KbAuthor,
    ) -> StoreResult<KbArticle> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let article = insert_article(&tx, org, &new, &author).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(article)
    }

    async fn update_kb_article_by(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        patch: KbArticlePatch,
        author: KbAuthor,
    ) -> StoreResult<Option<KbArticle>> {
        write_version(self, org, id, |current| patch.apply(current), &author, None).await
    }

    async fn restore_kb_article(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        version: u32,
        author: KbAuthor,
    ) -> StoreResult<Option<KbArticle>> {
        // A version never changes once written: reading it before taking
        // the article's row is safe (a deleted article is seen as absent
        // by the write).
        let client = self.client().await?;
        let Some(old) = select_version(&client, org, id, version).await? else {
            return Ok(None);
        };
        drop(client);
        let new = NewKbArticle {
            title: old.title,
            content: old.content,
            tags: old.tags,
            status: old.status,
        };
        write_version(self, org, id, |_| new, &author, Some(version)).await
    }

    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let row = tx
            .query_opt(
                "DELETE FROM kb_articles WHERE org_id = $1 AND id = $2 RETURNING status",
                &[&org.as_str(), &id.as_str()],
            )
            .await
            .map_err(pg_error)?;
        let Some(row) = row else {
            return Ok(false);
        };
        let status: String = row.col(0)?;
        reindex_if(&tx, org, status == ArticleStatus::Published.as_str()).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(true)
    }

    async fn get_kb_article(
        &self,
        org: &OrgId,
        id: &KbArticleId,
    ) -> StoreResult<Option<KbArticle>> {
        select(&self.client().await?, org, id, false).await
    }

    async fn list_kb_articles(
        &self,
        org: &OrgId,
        status: Option<ArticleStatus>,
        page: Page,
    ) -> StoreResult<Listed<KbArticle>> {
        let mut condition = String::from("org_id = $1");
        let mut args: Vec<Arg> = vec![Box::new(org.to_string())];
        if let Some(status) = status {
            args.push(Box::new(status.as_str().to_owned()));
            condition.push_str(" AND status = $2");
        }
        let client = self.client().await?;
        filtered_page(
            &client,
            "kb_articles",
            COLUMNS,
            &condition,
            args,
            "updated_at DESC, id DESC",
            page,
            article_from_row,
        )
        .await
    }

    async fn published_kb_articles(&self, org: &OrgId) -> StoreResult<Vec<KbArticle>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM kb_articles WHERE org_id = $1 AND status = 'published'
                     ORDER BY created_at, id"
                ),
                &[&org.as_str()],
            )
            .await
            .map_err(pg_error)?;
        mapped(rows, article_from_row)
    }

    async fn kb_article_versions(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        page: Page,
    ) -> StoreResult<Listed<KbArticleVersion>> {
        let args: Vec<Arg> = vec![Box::new(org.to_string()), Box::new(id.to_string())];
        let client = self.client().await?;
        filtered_page(
            &client,
            "kb_article_versions",
            VERSION_COLUMNS,
            "org_id = $1 AND article_id = $2",
            args,
            "version DESC",
            page,
            version_from_row,
        )
        .await
    }

    async fn kb_article_version(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        version: u32,
    ) -> StoreResult<Option<KbArticleVersion>> {
        select_version(&self.client().await?, org, id, version).await
    }

    async fn create_kb_article_from_review(
        &self,
        org: &OrgId,
        interaction: &InteractionId,
        new: NewKbArticle,
        author: KbAuthor,
    ) -> StoreResult<ArticleFromReview> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let found = tx
            .query_opt(
                "SELECT edited_answer, kb_article_id FROM interactions
                 WHERE org_id = $1 AND id = $2 FOR UPDATE",
                &[&org.as_str(), &interaction.as_str()],
            )
            .await
            .map_err(pg_error)?;
        let Some(found) = found else {
            return Ok(ArticleFromReview::NoInteraction);
        };
        let edited_answer: Option<String> = found.col(0)?;
        let existing: Option<String> = found.col(1)?;
        if let Some(existing) = existing.and_then(|s| KbArticleId::parse(&s).ok()) {
            return Ok(ArticleFromReview::AlreadyHasArticle(existing));
        }
        let Some(content) = edited_answer.filter(|a| !a.trim().is_empty()) else {
            return Ok(ArticleFromReview::NoEditedAnswer);
        };
        let new = NewKbArticle { content, ..new };
        let article = insert_article(&tx, org, &new, &author).await?;
        tx.execute(
            "UPDATE interactions SET kb_article_id = $3 WHERE org_id = $1 AND id = $2",
            &[&org.as_str(), &interaction.as_str(), &article.id.as_str()],
        )
        .await
        .map_err(pg_error)?;
        tx.commit().await.map_err(pg_error)?;
        Ok(ArticleFromReview::Created(article))
    }
}
