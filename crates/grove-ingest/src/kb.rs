//! The organisation's knowledge-base articles: every published article is a
//! Markdown document (title as the top heading); drafts, unpublished and
//! deleted articles are absent, so the sync removes them from the indexes.

use std::sync::Arc;

use async_trait::async_trait;
use grove_core::ids::OrgId;
use grove_store::Store;
use tokio::sync::mpsc;

use crate::source::{Connector, SourceDocument, SourceItem};

pub struct KbConnector {
    store: Arc<dyn Store>,
    org: OrgId,
}

impl KbConnector {
    pub fn new(store: Arc<dyn Store>, org: OrgId) -> Self {
        Self { store, org }
    }
}

#[async_trait]
impl Connector for KbConnector {
    async fn run(&self, out: mpsc::Sender<SourceItem>) -> Result<(), String> {
        let articles = self
            .store
            .published_kb_articles(&self.org)
            .await
            .map_err(|e| format!("knowledge-base articles could not be read: {e}"))?;
        let _ = out
            .send(SourceItem::Discovered(articles.len() as u64))
            .await;
        for article in articles {
            let markdown = format!("# {}\n\n{}", article.title.trim(), article.content);
            let item = SourceItem::Document(SourceDocument::raw(
                format!("article/{}", article.id),
                Some(format!("/api/v1/kb/{}", article.id)),
                format!("{}.md", article.id),
                markdown.into_bytes(),
            ));
            if out.send(item).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}
