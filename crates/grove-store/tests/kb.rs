//! Knowledge-base articles and their versions, on SQLite and on
//! PostgreSQL: every write recorded as the next version, restoring an old
//! version as a new one, organisation scoping, the `kb` sources' syncs
//! queued when what is published changes, articles made from reviewed
//! interactions, and (on PostgreSQL) replicas writing one article at once.

use std::collections::BTreeSet;
use std::time::Duration;

use grove_core::agents::{Outcome, RagStrategy, RetrievalTrace, ReviewStatus};
use grove_core::ids::{InteractionId, KbArticleId, OrgId};
use grove_core::page::Page;
use grove_core::sources::{ArticleStatus, SourceKind, SyncInitiator, SyncStatus};
use grove_store::postgres::PgStore;
use grove_store::{
    AgentStore, ArticleFromReview, DataSourceStore, InteractionStore, KbArticlePatch, KbAuthor,
    KbStore, NewAgent, NewDataSource, NewInteraction, NewKbArticle, Provisioned, ReviewUpdate,
    SyncStart, SyncStore, TenancyStore,
};

mod backends;
use backends::provision;

use backends::TestPg;

on_each_backend!(
    articles_keep_their_versions_and_restore_them,
    articles_are_invisible_to_other_organisations,
    publishing_queues_a_sync_of_the_kb_sources,
    an_article_is_made_once_from_a_reviewed_interaction,
);

/// What these tests need of a store.
trait Kb: TenancyStore + DataSourceStore + SyncStore + AgentStore + InteractionStore + KbStore {}
impl<S> Kb for S where
    S: TenancyStore + DataSourceStore + SyncStore + AgentStore + InteractionStore + KbStore
{
}

fn draft(title: &str, content: &str) -> NewKbArticle {
    NewKbArticle {
        title: title.into(),
        content: content.into(),
        tags: vec!["billing".into()],
        status: ArticleStatus::Draft,
    }
}

fn author(p: &Provisioned) -> KbAuthor {
    KbAuthor {
        key_id: Some(p.admin_key.id.clone()),
        user_id: Some(p.admin.id.clone()),
    }
}

/// Lets the millisecond clock the store stamps rows with move on.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(3)).await;
}

async fn articles_keep_their_versions_and_restore_them<S: Kb>(store: &S) {
    let p = provision(store, "acme").await;
    let org = p.org.id.clone();
    let created = store
        .create_kb_article_by(&org, draft("Refunds", "Within 14 days."), author(&p))
        .await
        .unwrap();
    assert!(created.id.as_str().starts_with(KbArticleId::PREFIX));
    assert_eq!(created.version, 1);
    assert_eq!(created.status, ArticleStatus::Draft);
    assert_eq!(created.tags, ["billing"]);
    assert_eq!(created.created_at, created.updated_at);
    assert_eq!(
        store.get_kb_article(&org, &created.id).await.unwrap(),
        Some(created.clone())
    );

    // A patch changes what it gives and keeps the rest.
    tick().await;
    let retitled = store
        .update_kb_article_by(
            &org,
            &created.id,
            KbArticlePatch {
                title: Some("Refund policy".into()),
                ..Default::default()
            },
            KbAuthor::default(),
        )
        .await
        .unwrap()
        .expect("the article exists");
    assert_eq!(retitled.version, 2);
    assert_eq!(retitled.title, "Refund policy");
    assert_eq!(retitled.content, "Within 14 days.");
    assert_eq!(retitled.created_at, created.created_at);
    assert!(retitled.updated_at > created.updated_at);
    let published = store
        .update_kb_article(
            &org,
            &created.id,
            NewKbArticle {
                title: "Refund policy".into(),
                content: "Within 30 days.".into(),
                tags: vec!["billing".into(), "refunds".into()],
                status: ArticleStatus::Published,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(published.version, 3);
    assert_eq!(published.status, ArticleStatus::Published);

    // Newest first, with the total before paging.
    let versions = store
        .kb_article_versions(&org, &created.id, Page::default())
        .await
        .unwrap();
    assert_eq!(versions.total, 3);
    let numbers: Vec<u32> = versions.items.iter().map(|v| v.version).collect();
    assert_eq!(numbers, [3, 2, 1]);
    let second = store
        .kb_article_versions(
            &org,
            &created.id,
            Page {
                limit: 1,
                offset: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(second.total, 3);
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].title, "Refund policy");
    assert_eq!(second.items[0].content, "Within 14 days.");
    let first = store
        .kb_article_version(&org, &created.id, 1)
        .await
        .unwrap()
        .expect("version 1");
    assert_eq!(first.article_id, created.id);
    assert_eq!(first.title, "Refunds");
    assert_eq!(first.status, ArticleStatus::Draft);
    assert_eq!(first.key_id.as_ref(), Some(&p.admin_key.id));
    assert_eq!(first.user_id.as_ref(), Some(&p.admin.id));
    assert_eq!(first.restored_from, None);
    assert_eq!(versions.items[1].key_id, None, "written by the system");

    // Restoring version 1 writes it again as version 4.
    let restored = store
        .restore_kb_article(&org, &created.id, 1, author(&p))
        .await
        .unwrap()
        .expect("the version exists");
    assert_eq!(restored.version, 4);
    assert_eq!(restored.title, "Refunds");
    assert_eq!(restored.content, "Within 14 days.");
    assert_eq!(restored.tags, ["billing"]);
    assert_eq!(restored.status, ArticleStatus::Draft);
    let fourth = store
        .kb_article_version(&org, &created.id, 4)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fourth.restored_from, Some(1));
    assert_eq!(fourth.content, "Within 14 days.");
    assert!(store
        .restore_kb_article(&org, &created.id, 9, KbAuthor::default())
        .await
        .unwrap()
        .is_none());
    assert!(store
        .kb_article_version(&org, &created.id, 9)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.get_kb_article(&org, &created.id).await.unwrap(),
        Some(restored.clone()),
        "a missing version changes nothing"
    );

    // Listed most recently updated first; filtered by status.
    tick().await;
    let other = store
        .create_kb_article(
            &org,
            NewKbArticle {
                status: ArticleStatus::Published,
                ..draft("Shipping", "Worldwide.")
            },
        )
        .await
        .unwrap();
    let all = store
        .list_kb_articles(&org, None, Page::default())
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.items, [other.clone(), restored.clone()]);
    let drafts = store
        .list_kb_articles(&org, Some(ArticleStatus::Draft), Page::default())
        .await
        .unwrap();
    assert_eq!(drafts.total, 1);
    assert_eq!(drafts.items, std::slice::from_ref(&restored));
    assert_eq!(
        store.published_kb_articles(&org).await.unwrap(),
        std::slice::from_ref(&other)
    );

    // Deleting takes the versions with it.
    assert!(store.delete_kb_article(&org, &created.id).await.unwrap());
    assert!(!store.delete_kb_article(&org, &created.id).await.unwrap());
    assert!(store
        .get_kb_article(&org, &created.id)
        .await
        .unwrap()
        .is_none());
    let gone = store
        .kb_article_versions(&org, &created.id, Page::default())
        .await
        .unwrap();
    assert_eq!(gone.total, 0);
    assert!(gone.items.is_empty());
    assert!(store
        .restore_kb_article(&org, &created.id, 1, KbAuthor::default())
        .await
        .unwrap()
        .is_none());
}

async fn articles_are_invisible_to_other_organisations<S: Kb>(store: &S) {
    let a = provision(store, "acme").await.org.id;
    let b = provision(store, "globex").await.org.id;
    let article = store
        .create_kb_article(&a, draft("Refunds", "Within 14 days."))
        .await
        .unwrap();

    assert!(store
        .get_kb_article(&b, &article.id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .update_kb_article(&b, &article.id, draft("Hijacked", "!"))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .restore_kb_article(&b, &article.id, 1, KbAuthor::default())
        .await
        .unwrap()
        .is_none());
    assert!(!store.delete_kb_article(&b, &article.id).await.unwrap());
    assert_eq!(
        store
            .kb_article_versions(&b, &article.id, Page::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert!(store
        .kb_article_version(&b, &article.id, 1)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .list_kb_articles(&b, None, Page::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        store.get_kb_article(&a, &article.id).await.unwrap(),
        Some(article),
        "untouched by the other organisation"
    );
}

/// A `kb` source is synced when what is published changes: not for a
/// draft, but for publishing, for an edit of a published article, and for
/// deleting one.
async fn publishing_queues_a_sync_of_the_kb_sources<S: Kb>(store: &S) {
    let org = provision(store, "acme").await.org.id;
    let kb = store
        .create_data_source(&org, NewDataSource::new("kb", SourceKind::Kb))
        .await
        .unwrap()
        .id;
    let website = store
        .create_data_source(&org, NewDataSource::new("site", SourceKind::Website))
        .await
        .unwrap()
        .id;

    let article = store
        .create_kb_article(&org, draft("Refunds", "Within 14 days."))
        .await
        .unwrap();
    assert!(store.latest_sync(&org, &kb).await.unwrap().is_none());

    store
        .update_kb_article_by(
            &org,
            &article.id,
            KbArticlePatch {
                status: Some(ArticleStatus::Published),
                ..Default::default()
            },
            KbAuthor::default(),
        )
        .await
        .unwrap()
        .unwrap();
    let queued = store
        .latest_sync(&org, &kb)
        .await
        .unwrap()
        .expect("publishing queues a sync");
    assert_eq!(queued.status, SyncStatus::Queued);
    assert_eq!(queued.initiator, SyncInitiator::Api);
    assert!(store.latest_sync(&org, &website).await.unwrap().is_none());

    // While it is queued, further changes wait for it (no second sync).
    assert!(store.delete_kb_article(&org, &article.id).await.unwrap());
    assert_eq!(
        store.latest_sync(&org, &kb).await.unwrap().map(|s| s.id),
        Some(queued.id.clone())
    );
    match store
        .start_sync(&org, &kb, SyncInitiator::Manual)
        .await
        .unwrap()
    {
        SyncStart::AlreadyActive(id) => assert_eq!(id, queued.id),
        SyncStart::Started(sync) => panic!("a second sync started: {sync:?}"),
    }
}

fn new_agent(slug: &str) -> NewAgent {
    NewAgent {
        name: slug.into(),
        slug: slug.into(),
        description: String::new(),
        system_prompt: String::new(),
        rag_strategy: RagStrategy::Redwood,
        model: None,
        temperature: 0.2,
        max_tokens: 500,
        similarity_threshold: 0.3,
        data_source_ids: vec![],
        data_connector_ids: vec![],
        max_steps: 8,
        components: None,
        max_run_tokens: None,
        max_run_cost_usd: None,
        active: true,
    }
}

/// An interaction of a new agent, reviewed with `edited` as its answer.
async fn reviewed<S: Kb>(store: &S, org: &OrgId, edited: Option<&str>) -> InteractionId {
    let agent = store
        .create_agent(org, new_agent(&format!("a{}", rand::random::<u32>())))
        .await
        .unwrap()
        .id;
    let asked = store
        .record_interaction(
            org,
            NewInteraction {
                agent_id: agent,
                session_id: None,
                key_id: None,
                user_id: None,
                query: "How long do refunds take?".into(),
                response: "A while.".into(),
                sources: vec![],
                rag_strategy: RagStrategy::Redwood,
                model: "extractive".into(),
                retrieval: RetrievalTrace::default(),
                outcome: Outcome::Answered,
                error: None,
                latency_ms: 5,
                tokens_input: 0,
                tokens_output: 0,
                cost_usd: 0.0,
            },
        )
        .await
        .unwrap();
    if let Some(edited) = edited {
        store
            .set_review(
                org,
                &asked.id,
                ReviewUpdate {
                    status: ReviewStatus::Edited,
                    edited_answer: Some(edited.into()),
                },
            )
            .await
            .unwrap()
            .unwrap();
    }
    asked.id
}

async fn an_article_is_made_once_from_a_reviewed_interaction<S: Kb>(store: &S) {
    let p = provision(store, "acme").await;
    let org = p.org.id.clone();
    let request = draft("Refunds", "ignored: the edited answer is the content");

    let unreviewed = reviewed(store, &org, None).await;
    assert!(matches!(
        store
            .create_kb_article_from_review(&org, &unreviewed, request.clone(), author(&p))
            .await
            .unwrap(),
        ArticleFromReview::NoEditedAnswer
    ));
    assert!(matches!(
        store
            .create_kb_article_from_review(
                &org,
                &InteractionId::generate(),
                request.clone(),
                author(&p)
            )
            .await
            .unwrap(),
        ArticleFromReview::NoInteraction
    ));

    let id = reviewed(store, &org, Some("Refunds take 14 days.")).await;
    let other = provision(store, "globex").await.org.id;
    assert!(matches!(
        store
            .create_kb_article_from_review(&other, &id, request.clone(), KbAuthor::default())
            .await
            .unwrap(),
        ArticleFromReview::NoInteraction
    ));
    let ArticleFromReview::Created(article) = store
        .create_kb_article_from_review(&org, &id, request.clone(), author(&p))
        .await
        .unwrap()
    else {
        panic!("an article is made");
    };
    assert_eq!(article.title, "Refunds");
    assert_eq!(article.content, "Refunds take 14 days.");
    assert_eq!(article.version, 1);
    let v1 = store
        .kb_article_version(&org, &article.id, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v1.user_id.as_ref(), Some(&p.admin.id));
    let linked = store.get_interaction(&org, &id).await.unwrap().unwrap();
    assert_eq!(linked.kb_article_id.as_ref(), Some(&article.id));

    match store
        .create_kb_article_from_review(&org, &id, request, author(&p))
        .await
        .unwrap()
    {
        ArticleFromReview::AlreadyHasArticle(existing) => assert_eq!(existing, article.id),
        other => panic!("a second article: {other:?}"),
    }
    assert_eq!(
        store
            .list_kb_articles(&org, None, Page::default())
            .await
            .unwrap()
            .total,
        1
    );
}

/// Two replicas update (and restore) one article at once: every write
/// lands as its own version, numbered without gap or repeat, and the
/// article is its last version.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_writing_one_article_number_versions_in_turn() {
    let test = TestPg::new().await;
    let other = test.db.replica().await;
    let org = provision(&test.store, "acme").await.org.id;
    let article = test
        .store
        .create_kb_article(&org, draft("Refunds", "v1"))
        .await
        .unwrap();
    let writes = 24;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..writes {
        let store: PgStore = if i % 2 == 0 {
            test.store.clone()
        } else {
            other.clone()
        };
        let (org, id) = (org.clone(), article.id.clone());
        tasks.spawn(async move {
            if i % 6 == 5 {
                store
                    .restore_kb_article(&org, &id, 1, KbAuthor::default())
                    .await
            } else {
                let patch = KbArticlePatch {
                    content: Some(format!("write {i}")),
                    ..Default::default()
                };
                store
                    .update_kb_article_by(&org, &id, patch, KbAuthor::default())
                    .await
            }
        });
    }
    let mut written = BTreeSet::new();
    while let Some(joined) = tasks.join_next().await {
        let article = joined.unwrap().unwrap().expect("the article exists");
        assert!(
            written.insert(article.version),
            "version {} twice",
            article.version
        );
    }
    let expected: BTreeSet<u32> = (2..=writes + 1).collect();
    assert_eq!(written, expected, "each write returned its own version");

    let versions = other
        .kb_article_versions(
            &org,
            &article.id,
            Page {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(versions.total, u64::from(writes) + 1);
    let numbers: Vec<u32> = versions.items.iter().map(|v| v.version).collect();
    assert_eq!(numbers, (1..=writes + 1).rev().collect::<Vec<_>>());
    let contents: BTreeSet<&str> = versions
        .items
        .iter()
        .filter(|v| v.restored_from.is_none())
        .map(|v| v.content.as_str())
        .collect();
    assert_eq!(contents.len(), 1 + 20, "v1 and every update, once each");
    let restores = versions
        .items
        .iter()
        .filter(|v| v.restored_from == Some(1))
        .inspect(|v| assert_eq!(v.content, "v1"))
        .count();
    assert_eq!(restores, 4);
    let now = test
        .store
        .get_kb_article(&org, &article.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.version, writes + 1);
    assert_eq!(now.content, versions.items[0].content);
}

/// Two replicas making an article from one reviewed interaction at once:
/// one makes it, the other is told it exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_article_from_a_review_made_on_two_replicas_at_once() {
    let test = TestPg::new().await;
    let other = test.db.replica().await;
    let org = provision(&test.store, "acme").await.org.id;
    let id = reviewed(&test.store, &org, Some("Refunds take 14 days.")).await;
    let make = |store: &PgStore| {
        let (store, org, id) = (store.clone(), org.clone(), id.clone());
        tokio::spawn(async move {
            store
                .create_kb_article_from_review(&org, &id, draft("Refunds", ""), KbAuthor::default())
                .await
                .unwrap()
        })
    };
    let (one, two) = (make(&test.store), make(&other));
    let outcomes = [one.await.unwrap(), two.await.unwrap()];
    let made: Vec<KbArticleId> = outcomes
        .iter()
        .filter_map(|o| match o {
            ArticleFromReview::Created(a) => Some(a.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(made.len(), 1, "{outcomes:?}");
    assert!(outcomes.iter().any(
        |o| matches!(o, ArticleFromReview::AlreadyHasArticle(existing) if *existing == made[0])
    ));
    assert_eq!(
        test.store
            .list_kb_articles(&org, None, Page::default())
            .await
            .unwrap()
            .total,
        1
    );
}
