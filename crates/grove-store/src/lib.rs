//! Grove's persistence. Handlers and workers see only the traits here; the
//! embedded default is [`sqlite::SqliteStore`] (one WAL database file), and a
//! PostgreSQL implementation ([`postgres::PgStore`]) is being built behind the
//! same traits, one store at a time.

pub mod connectors;
pub mod console;
pub mod documents;
pub mod evals;
pub mod notifications;
pub mod postgres;
pub mod queue;
mod rows;
pub mod secrets;
pub mod sqlite;
pub mod webhooks;

use async_trait::async_trait;
use grove_core::agents::{
    Agent, CitedSource, Components, Feedback, Interaction, ModelSource, Outcome, RagStrategy,
    RetrievalTrace, ReviewStatus, Session,
};
use grove_core::apikey::KeyEnvironment;
use grove_core::ids::{
    AgentId, ChannelId, ChatId, DataConnectorId, DataSourceId, DocumentId, DocumentOutputId,
    EventId, InteractionId, JobId, KbArticleId, KeyId, OrgId, RunId, SessionId, SyncId, UserId,
};
use grove_core::jobs::{
    Channel, ChannelKind, Chat, ChatDocument, ChatMessage, DocumentKind, Initiator, Job,
    MessageRole, ModelUsage, NotifyLevel, NotifyTopic, ParamSpec, ParamValues, RetryPolicy, Run,
    RunStatus, SavedQuery,
};
use grove_core::model::{ApiKey, Org, OrgSettings, Role, User};
use grove_core::page::Page;
use grove_core::scope::Scope;
use grove_core::sources::{
    ArticleStatus, DataSource, Document, DocumentError, KbArticle, KbArticleVersion, SourceKind,
    SourceStatus, SourceSync, SyncFrequency, SyncInitiator,
};
use jiff::Timestamp;

pub use connectors::{ConnectorStore, NewDataConnector, StoredResult};
pub use documents::{DocumentFilter, DocumentStore};
pub use evals::EvalStore;
pub use notifications::NotificationStore;
pub use queue::QueueStore;
pub use secrets::SecretStore;
pub use webhooks::WebhookStore;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the message names what collided.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backend failed (I/O, corruption, pool exhaustion).
    #[error("storage backend error: {0}")]
    Backend(String),
    /// The database stayed locked by another writer for longer than the
    /// store waits; nothing was written and the same call may succeed later.
    #[error("storage busy: {0}")]
    Busy(String),
    /// A stored credential could not be sealed or opened, or the master key
    /// does not fit the database.
    #[error(transparent)]
    Secret(#[from] secrets::SecretError),
    /// A [`Change`] refused the record it was given (an invalid request).
    #[error("refused: {}", .0.message)]
    Refused(grove_core::ApiError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An update of a record as a function of the stored record: the store
/// reads the record, applies the change and writes the result in one
/// transaction holding the write lock, so concurrent updates of different
/// fields all land (no read-merge-write race). A change that finds the
/// merged record invalid returns the API error, which the store passes on
/// as [`StoreError::Refused`] having written nothing.
pub type Change<T> = Box<dyn FnOnce(T) -> Result<T, grove_core::ApiError> + Send>;

/// A page of results with the total count before paging.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Every item of a paged listing, for the few answers that have no pages
/// of their own (OpenAI's model list, MCP's lists): `list` is called with
/// one page after another of the largest size until one comes back short.
pub async fn every<T, F, Fut>(mut list: F) -> StoreResult<Vec<T>>
where
    F: FnMut(Page) -> Fut,
    Fut: std::future::Future<Output = StoreResult<Listed<T>>>,
{
    let mut all = Vec::new();
    let mut page = Page {
        limit: grove_core::page::MAX_LIMIT,
        offset: 0,
    };
    loop {
        let listed = list(page).await?;
        let got = listed.items.len();
        all.extend(listed.items);
        if got < page.limit as usize || all.len() as u64 >= listed.total {
            return Ok(all);
        }
        page.offset += got as u64;
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// Fields of a user that an update may change; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
}

/// A key to store: the hash and prefix of a secret generated elsewhere.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub org_id: OrgId,
    pub user_id: Option<UserId>,
    pub name: String,
    pub prefix: String,
    pub hash: String,
    pub environment: KeyEnvironment,
    pub scopes: Vec<Scope>,
    pub permissions: Vec<String>,
    pub expires_at: Option<Timestamp>,
}

/// A new organisation with its first admin user and admin key.
#[derive(Debug, Clone)]
pub struct ProvisionOrg {
    pub name: String,
    pub admin: NewUser,
    /// The admin key; its `org_id` and `user_id` are filled in by the store.
    pub admin_key: NewApiKey,
}

#[derive(Debug, Clone)]
pub struct Provisioned {
    pub org: Org,
    pub admin: User,
    pub admin_key: ApiKey,
}

/// Organisations and their users. Every call that reads or changes a user
/// is scoped by organisation: a user of another organisation is "absent".
#[async_trait]
pub trait TenancyStore: Send + Sync {
    /// Creates an organisation, its admin user and its admin key atomically.
    async fn provision_org(&self, req: ProvisionOrg) -> StoreResult<Provisioned>;
    async fn count_orgs(&self) -> StoreResult<u64>;
    /// Every organisation, oldest first (for the CLI; deployments have few).
    async fn list_orgs(&self) -> StoreResult<Vec<Org>>;
    async fn get_org(&self, id: &OrgId) -> StoreResult<Option<Org>>;

    async fn create_user(&self, org: &OrgId, user: NewUser) -> StoreResult<User>;
    async fn get_user(&self, org: &OrgId, id: &UserId) -> StoreResult<Option<User>>;
    async fn list_users(&self, org: &OrgId, page: Page) -> StoreResult<Listed<User>>;
    async fn update_user(
        &self,
        org: &OrgId,
        id: &UserId,
        patch: UserPatch,
    ) -> StoreResult<Option<User>>;
    /// Deletes a user and revokes the keys made for them. False if absent.
    async fn delete_user(&self, org: &OrgId, id: &UserId) -> StoreResult<bool>;

    /// The organisation's settings (the defaults until an admin sets them).
    async fn org_settings(&self, org: &OrgId) -> StoreResult<OrgSettings>;
    /// Replaces the organisation's settings.
    async fn put_org_settings(&self, org: &OrgId, default_model: &str) -> StoreResult<OrgSettings>;
}

/// API keys: only hashes are stored.
#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn create_key(&self, key: NewApiKey) -> StoreResult<ApiKey>;
    /// The key whose secret hashes to `hash`, revoked or not.
    async fn key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>>;
    async fn get_key(&self, org: &OrgId, id: &KeyId) -> StoreResult<Option<ApiKey>>;
    async fn list_keys(&self, org: &OrgId, page: Page) -> StoreResult<Listed<ApiKey>>;
    /// Marks a key revoked (idempotent). `None` if absent.
    async fn revoke_key(&self, org: &OrgId, id: &KeyId) -> StoreResult<Option<ApiKey>>;
}

/// A data source to create.
#[derive(Debug, Clone)]
pub struct NewDataSource {
    pub name: String,
    pub kind: SourceKind,
    pub config: serde_json::Value,
    pub sync_frequency: SyncFrequency,
    pub chunk_size: u32,
    pub chunk_overlap: u32,
}

impl NewDataSource {
    /// A data source with an empty config, manual syncs and the default
    /// chunking (512 tokens, 50 of overlap).
    pub fn new(name: &str, kind: SourceKind) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            config: serde_json::json!({}),
            sync_frequency: SyncFrequency::Manual,
            chunk_size: 512,
            chunk_overlap: 50,
        }
    }
}

/// Fields of a data source that an update may change; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct DataSourcePatch {
    pub name: Option<String>,
    pub config: Option<serde_json::Value>,
    pub sync_frequency: Option<SyncFrequency>,
    pub chunk_size: Option<u32>,
    pub chunk_overlap: Option<u32>,
}

/// Data sources. Deleting one removes its documents and syncs with it; the
/// caller removes its chunks from the search indexes.
#[async_trait]
pub trait DataSourceStore: Send + Sync {
    async fn create_data_source(&self, org: &OrgId, new: NewDataSource) -> StoreResult<DataSource>;
    async fn get_data_source(
        &self,
        org: &OrgId,
        id: &DataSourceId,
    ) -> StoreResult<Option<DataSource>>;
    async fn list_data_sources(
        &self,
        org: &OrgId,
        status: Option<SourceStatus>,
        page: Page,
    ) -> StoreResult<Listed<DataSource>>;
    async fn update_data_source(
        &self,
        org: &OrgId,
        id: &DataSourceId,
        patch: DataSourcePatch,
    ) -> StoreResult<Option<DataSource>>;
    /// False if absent.
    async fn delete_data_source(&self, org: &OrgId, id: &DataSourceId) -> StoreResult<bool>;
    /// Sets one setting of a data source's config in place (sealed when it
    /// is a credential), such as a refresh token the provider rotated;
    /// false if the data source is absent.
    async fn set_data_source_setting(
        &self,
        org: &OrgId,
        id: &DataSourceId,
        key: &str,
        value: &str,
    ) -> StoreResult<bool>;
    /// Those of `ids` that are not data sources of `org`.
    async fn missing_data_sources(
        &self,
        org: &OrgId,
        ids: &[DataSourceId],
    ) -> StoreResult<Vec<DataSourceId>>;
    /// Data sources with a frequency that were never synced, or whose last
    /// sync started at least one interval before `now`, and that have no
    /// sync under way.
    async fn due_data_sources(&self, now: Timestamp) -> StoreResult<Vec<DataSource>>;
}

/// The queue item kind of a sync; its payload is `{"sync_id": …}`.
pub const SYNC_KIND: &str = "sync";

/// Counters a running sync reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncProgress {
    pub documents_total: u64,
    pub documents_done: u64,
    pub documents_failed: u64,
    pub chunks_indexed: u64,
}

/// What happened when a sync was asked for.
#[derive(Debug, Clone)]
pub enum SyncStart {
    Started(SourceSync),
    /// Another sync of the data source is queued or running.
    AlreadyActive(SyncId),
}

/// Syncs, their queue items, progress and errors; the documents a data
/// source holds; and the event outbox they write to.
#[async_trait]
pub trait SyncStore: Send + Sync {
    /// Creates a queued sync and its durable queue item (kind `sync`,
    /// payload `{"sync_id": …}`) in one transaction, unless another sync of
    /// the data source is queued or running.
    async fn start_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        initiator: SyncInitiator,
    ) -> StoreResult<SyncStart>;
    /// Like [`Self::start_sync`], but when a sync is already queued or
    /// running, marks the data source so that finishing that sync queues
    /// another (for changes the running one may have missed).
    async fn start_or_follow_up_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
        initiator: SyncInitiator,
    ) -> StoreResult<SyncStart>;
    async fn get_sync(&self, id: &SyncId) -> StoreResult<Option<SourceSync>>;
    /// The newest sync of a data source.
    async fn latest_sync(
        &self,
        org: &OrgId,
        data_source: &DataSourceId,
    ) -> StoreResult<Option<SourceSync>>;
    /// Marks a sync running (keeping the first start time across retries)
    /// and its data source `processing`.
    async fn mark_sync_running(&self, id: &SyncId) -> StoreResult<()>;
    async fn report_progress(&self, id: &SyncId, progress: SyncProgress) -> StoreResult<()>;
    /// Records why a document failed (the latest reason per document).
    async fn record_document_error(
        &self,
        id: &SyncId,
        document: &str,
        message: &str,
    ) -> StoreResult<()>;
    async fn document_errors(&self, id: &SyncId, limit: u32) -> StoreResult<Vec<DocumentError>>;
    /// Ends a sync: `Ok` marks it succeeded and the data source active,
    /// `Err(reason)` failed; both record an outbox event
    /// (`data_source.synced` or `data_source.failed`) in the same transaction,
    /// and queue a follow-up sync if one was asked for while it ran.
    async fn finish_sync(&self, id: &SyncId, outcome: Result<(), String>) -> StoreResult<()>;

    async fn get_document(
        &self,
        data_source: &DataSourceId,
        source_key: &str,
    ) -> StoreResult<Option<Document>>;
    /// Inserts or replaces a document as given (indexed, or skipped with
    /// its reason), marking it seen by `sync` (`None` outside a sync, as
    /// `grove ingest dir` writes).
    async fn put_document(
        &self,
        org: &OrgId,
        doc: Document,
        sync: Option<&SyncId>,
    ) -> StoreResult<()>;
    /// Records that a document could not be read, marking it seen by
    /// `sync`: one already held keeps its chunks, hash, size and
    /// `indexed_at` (its earlier version stays searchable) and takes status
    /// `failed` with `doc.error`; a new one is stored as given.
    async fn put_failed_document(
        &self,
        org: &OrgId,
        doc: Document,
        sync: Option<&SyncId>,
    ) -> StoreResult<()>;
    /// Marks documents seen by `sync` without changing them.
    async fn touch_documents(
        &self,
        data_source: &DataSourceId,
        source_keys: &[String],
        sync: &SyncId,
    ) -> StoreResult<()>;
    /// Every document of a data source, by source key.
    async fn documents(&self, data_source: &DataSourceId) -> StoreResult<Vec<Document>>;
    /// Documents of the data source that `sync` did not see (those written
    /// outside a sync are never among them).
    async fn unseen_documents(
        &self,
        data_source: &DataSourceId,
        sync: &SyncId,
    ) -> StoreResult<Vec<Document>>;
    async fn delete_documents(&self, ids: &[DocumentId]) -> StoreResult<()>;
    /// Events not yet fanned out to webhooks, oldest first.
    async fn pending_events(&self, limit: u32) -> StoreResult<Vec<OutboxEvent>>;
    /// The latest `limit` events named `event`, fanned out or not, oldest
    /// first (what happened, for inspection and tests).
    async fn recent_events(&self, event: &str, limit: u32) -> StoreResult<Vec<OutboxEvent>>;
}

/// A knowledge-base article as written.
#[derive(Debug, Clone)]
pub struct NewKbArticle {
    pub title: String,
    pub content: String,
    pub tags: Vec<String>,
    pub status: ArticleStatus,
}

/// Changes to an article: the fields given replace the stored ones, merged
/// inside the write's transaction so concurrent updates of different
/// fields both land.
#[derive(Debug, Clone, Default)]
pub struct KbArticlePatch {
    pub title: Option<String>,
    pub content: Option<String>,
    pub tags: Option<Vec<String>>,
    pub status: Option<ArticleStatus>,
}

impl KbArticlePatch {
    /// The article with the patch applied.
    pub fn apply(self, current: &KbArticle) -> NewKbArticle {
        NewKbArticle {
            title: self.title.unwrap_or_else(|| current.title.clone()),
            content: self.content.unwrap_or_else(|| current.content.clone()),
            tags: self.tags.unwrap_or_else(|| current.tags.clone()),
            status: self.status.unwrap_or(current.status),
        }
    }
}

impl From<NewKbArticle> for KbArticlePatch {
    fn from(new: NewKbArticle) -> Self {
        Self {
            title: Some(new.title),
            content: Some(new.content),
            tags: Some(new.tags),
            status: Some(new.status),
        }
    }
}

/// Who wrote a version of an article: the caller's key and its user.
/// Empty for writes by the system (tests, imports).
#[derive(Debug, Clone, Default)]
pub struct KbAuthor {
    pub key_id: Option<KeyId>,
    pub user_id: Option<UserId>,
}

/// What making an article from a reviewed interaction led to.
#[derive(Debug, Clone)]
pub enum ArticleFromReview {
    Created(KbArticle),
    /// No interaction with that id in the organisation.
    NoInteraction,
    /// The interaction has no edited answer to make an article of.
    NoEditedAnswer,
    /// The interaction already has an article.
    AlreadyHasArticle(KbArticleId),
}

/// Knowledge-base articles and their versions. The `kb` connector reads the
/// published ones. Every create, update and restore writes the article and
/// its next version in one transaction.
#[async_trait]
pub trait KbStore: Send + Sync {
    /// Creates an article and its version 1, written by the system.
    async fn create_kb_article(&self, org: &OrgId, new: NewKbArticle) -> StoreResult<KbArticle> {
        self.create_kb_article_by(org, new, KbAuthor::default())
            .await
    }
    /// Replaces an article's fields and records the version, written by the
    /// system; `None` if absent.
    async fn update_kb_article(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        new: NewKbArticle,
    ) -> StoreResult<Option<KbArticle>> {
        self.update_kb_article_by(org, id, new.into(), KbAuthor::default())
            .await
    }
    /// Creates an article and its version 1.
    async fn create_kb_article_by(
        &self,
        org: &OrgId,
        new: NewKbArticle,
        author: KbAuthor,
    ) -> StoreResult<KbArticle>;
    /// Applies `patch` to the article as stored and records the next
    /// version, in one transaction; `None` if absent.
    async fn update_kb_article_by(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        patch: KbArticlePatch,
        author: KbAuthor,
    ) -> StoreResult<Option<KbArticle>>;
    /// Makes the article equal to its version `version` again, as a new
    /// version; `None` if the article or the version is absent.
    async fn restore_kb_article(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        version: u32,
        author: KbAuthor,
    ) -> StoreResult<Option<KbArticle>>;
    /// False if absent. Its versions go with it.
    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> StoreResult<bool>;
    async fn get_kb_article(&self, org: &OrgId, id: &KbArticleId)
        -> StoreResult<Option<KbArticle>>;
    /// Most recently updated first, optionally only those of a status.
    async fn list_kb_articles(
        &self,
        org: &OrgId,
        status: Option<ArticleStatus>,
        page: Page,
    ) -> StoreResult<Listed<KbArticle>>;
    /// Every published article of the organisation, oldest first.
    async fn published_kb_articles(&self, org: &OrgId) -> StoreResult<Vec<KbArticle>>;
    /// An article's versions, newest first.
    async fn kb_article_versions(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        page: Page,
    ) -> StoreResult<Listed<KbArticleVersion>>;
    async fn kb_article_version(
        &self,
        org: &OrgId,
        id: &KbArticleId,
        version: u32,
    ) -> StoreResult<Option<KbArticleVersion>>;
    /// Creates an article from an interaction's edited answer (`new.content`
    /// is ignored: the edited answer is the content) and links the
    /// interaction to it, in one transaction.
    async fn create_kb_article_from_review(
        &self,
        org: &OrgId,
        interaction: &InteractionId,
        new: NewKbArticle,
        author: KbAuthor,
    ) -> StoreResult<ArticleFromReview>;
}

/// An agent to create (validated by the caller).
#[derive(Debug, Clone)]
pub struct NewAgent {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub system_prompt: String,
    pub rag_strategy: RagStrategy,
    /// `None`: the organisation's default model.
    pub model: Option<String>,
    pub temperature: f32,
    pub max_tokens: u32,
    pub similarity_threshold: f32,
    pub data_source_ids: Vec<DataSourceId>,
    pub data_connector_ids: Vec<DataConnectorId>,
    pub max_steps: u32,
    pub components: Option<Components>,
    pub max_run_tokens: Option<u64>,
    pub max_run_cost_usd: Option<f64>,
    pub active: bool,
}

impl From<Agent> for NewAgent {
    /// An agent's fields as written, to change some and write them back.
    fn from(agent: Agent) -> Self {
        Self {
            name: agent.name,
            slug: agent.slug,
            description: agent.description,
            system_prompt: agent.system_prompt,
            rag_strategy: agent.rag_strategy,
            model: match agent.model_source {
                ModelSource::Agent => Some(agent.model),
                ModelSource::Organization => None,
            },
            temperature: agent.temperature,
            max_tokens: agent.max_tokens,
            similarity_threshold: agent.similarity_threshold,
            data_source_ids: agent.data_source_ids,
            data_connector_ids: agent.data_connector_ids,
            max_steps: agent.max_steps,
            components: agent.components,
            max_run_tokens: agent.max_run_tokens,
            max_run_cost_usd: agent.max_run_cost_usd,
            active: agent.active,
        }
    }
}

/// Knowledge agents. Data source ids must be the organisation's (checked by
/// the caller with [`DataSourceStore::missing_data_sources`]).
#[async_trait]
pub trait AgentStore: Send + Sync {
    /// `Conflict` when the slug is taken in the organisation.
    async fn create_agent(&self, org: &OrgId, new: NewAgent) -> StoreResult<Agent>;
    async fn get_agent(&self, org: &OrgId, id: &AgentId) -> StoreResult<Option<Agent>>;
    async fn agent_by_slug(&self, org: &OrgId, slug: &str) -> StoreResult<Option<Agent>>;
    async fn list_agents(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Agent>>;
    /// Replaces every field; `None` if absent, `Conflict` on a taken slug.
    async fn replace_agent(
        &self,
        org: &OrgId,
        id: &AgentId,
        new: NewAgent,
    ) -> StoreResult<Option<Agent>>;
    /// Applies `change` to the stored agent in one write; `None` if absent.
    async fn change_agent(
        &self,
        org: &OrgId,
        id: &AgentId,
        change: Change<NewAgent>,
    ) -> StoreResult<Option<Agent>>;
    /// False if absent. Its sessions go with it; its interactions stay.
    async fn delete_agent(&self, org: &OrgId, id: &AgentId) -> StoreResult<bool>;
}

/// An interaction to record.
#[derive(Debug, Clone)]
pub struct NewInteraction {
    pub agent_id: AgentId,
    pub session_id: Option<SessionId>,
    pub key_id: Option<KeyId>,
    /// The console user who asked (through the API, the key says who).
    pub user_id: Option<UserId>,
    pub query: String,
    pub response: String,
    pub sources: Vec<CitedSource>,
    pub rag_strategy: RagStrategy,
    pub model: String,
    pub retrieval: RetrievalTrace,
    pub outcome: Outcome,
    pub error: Option<String>,
    pub latency_ms: u64,
    pub tokens_input: u64,
    pub tokens_output: u64,
    pub cost_usd: f64,
}

/// Filters of the interaction log; every one is optional.
#[derive(Debug, Clone, Default)]
pub struct InteractionFilter {
    pub agent_id: Option<AgentId>,
    /// Created at or after.
    pub since: Option<Timestamp>,
    /// Created before.
    pub until: Option<Timestamp>,
    /// `Some(None)` keeps interactions without feedback.
    pub feedback: Option<Option<Feedback>>,
    /// Only interactions with this review status.
    pub review_status: Option<ReviewStatus>,
}

/// One interaction reduced to what analytics count.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionFact {
    pub created_at: Timestamp,
    pub latency_ms: u64,
    pub outcome: Outcome,
    pub feedback: Option<Feedback>,
    /// Whether the answer cites at least one source.
    pub cited: bool,
    pub cost_usd: f64,
    /// Who asked: the console user, else the key's user, else the key.
    pub asker: Option<String>,
}

/// A verdict on an interaction.
#[derive(Debug, Clone)]
pub struct FeedbackUpdate {
    pub feedback: Feedback,
    pub comment: Option<String>,
    pub rating: Option<u8>,
}

/// A reviewer's verdict on an interaction (validated by the caller).
#[derive(Debug, Clone)]
pub struct ReviewUpdate {
    pub status: ReviewStatus,
    /// `Some` replaces the edited answer; `None` keeps it.
    pub edited_answer: Option<String>,
}

/// Sessions and the interaction log.
#[async_trait]
pub trait InteractionStore: Send + Sync {
    async fn create_session(&self, org: &OrgId, agent: &AgentId) -> StoreResult<Session>;
    async fn get_session(&self, org: &OrgId, id: &SessionId) -> StoreResult<Option<Session>>;
    /// False if absent.
    async fn delete_session(&self, org: &OrgId, id: &SessionId) -> StoreResult<bool>;
    /// The last `limit` turns of a session, oldest first.
    async fn session_turns(
        &self,
        org: &OrgId,
        id: &SessionId,
        limit: u32,
    ) -> StoreResult<Vec<Interaction>>;
    /// Deletes sessions idle since before `cutoff`; returns how many.
    async fn purge_sessions(&self, cutoff: Timestamp) -> StoreResult<u64>;

    /// Records an interaction, marks its session active and writes the
    /// `interaction.completed` event, in one transaction.
    async fn record_interaction(
        &self,
        org: &OrgId,
        new: NewInteraction,
    ) -> StoreResult<Interaction>;
    async fn get_interaction(
        &self,
        org: &OrgId,
        id: &InteractionId,
    ) -> StoreResult<Option<Interaction>>;
    /// Newest first.
    async fn list_interactions(
        &self,
        org: &OrgId,
        filter: InteractionFilter,
        page: Page,
    ) -> StoreResult<Listed<Interaction>>;
    /// Every interaction matching `filter`, oldest first, as analytics
    /// facts (the caller bounds the range).
    async fn interaction_facts(
        &self,
        org: &OrgId,
        filter: InteractionFilter,
    ) -> StoreResult<Vec<InteractionFact>>;
    /// Sets the verdict; `None` if absent.
    async fn set_feedback(
        &self,
        org: &OrgId,
        id: &InteractionId,
        update: FeedbackUpdate,
    ) -> StoreResult<Option<Interaction>>;
    /// Sets the review status (and the edited answer, when given; `None`
    /// keeps the stored one) and the review time (cleared for
    /// `not_reviewed`); `None` if absent.
    async fn set_review(
        &self,
        org: &OrgId,
        id: &InteractionId,
        update: ReviewUpdate,
    ) -> StoreResult<Option<Interaction>>;
}

/// A job to create or replace (validated by the caller: the agent and
/// channels are the organisation's, the schedule and template parse).
#[derive(Debug, Clone)]
pub struct NewJob {
    pub agent_id: AgentId,
    pub name: String,
    pub prompt: String,
    pub parameters: Vec<ParamSpec>,
    pub schedule: Option<String>,
    pub timezone: String,
    pub schedule_enabled: bool,
    pub parameter_sets: Vec<ParamValues>,
    pub fan_out_concurrency: u32,
    pub timeout_seconds: u32,
    pub retry: RetryPolicy,
    pub channel_ids: Vec<ChannelId>,
    /// When the schedule fires next; `None` without an enabled schedule.
    pub next_run_at: Option<Timestamp>,
    pub queries: Vec<SavedQuery>,
}

impl From<Job> for NewJob {
    /// A job's fields as written, to change some and write them back.
    fn from(job: Job) -> Self {
        Self {
            agent_id: job.agent_id,
            name: job.name,
            prompt: job.prompt,
            parameters: job.parameters,
            schedule: job.schedule,
            timezone: job.timezone,
            schedule_enabled: job.schedule_enabled,
            parameter_sets: job.parameter_sets,
            fan_out_concurrency: job.fan_out_concurrency,
            timeout_seconds: job.timeout_seconds,
            retry: job.retry,
            channel_ids: job.channel_ids,
            next_run_at: job.next_run_at,
            queries: job.queries,
        }
    }
}

/// One run a trigger asks for: its parameters and the rendered question.
#[derive(Debug, Clone)]
pub struct PlannedRun {
    pub parameters: ParamValues,
    pub prompt: String,
}

/// A trigger of a job.
#[derive(Debug, Clone)]
pub struct TriggerRequest {
    pub initiator: Initiator,
    /// At least one; more is a fan-out.
    pub runs: Vec<PlannedRun>,
    /// For scheduled fires: the due time, and the next one to store. The
    /// fire happens only if the job's next run time is still the due time,
    /// so a fire is never taken twice; a fire that finds the job running
    /// is recorded as a skipped run.
    pub schedule: Option<ScheduledFire>,
}

#[derive(Debug, Clone, Copy)]
pub struct ScheduledFire {
    pub due_at: Timestamp,
    pub next_run_at: Option<Timestamp>,
}

/// What a trigger led to.
#[derive(Debug, Clone)]
pub enum TriggerOutcome {
    /// Runs were queued (one per planned run, in order).
    Started(Vec<Run>),
    /// A run of the job is queued or running: the trigger did nothing
    /// (a scheduled fire recorded a skip).
    AlreadyRunning {
        run_id: RunId,
        chat_id: Option<ChatId>,
    },
    /// A scheduled fire that another scheduler already took.
    Stale,
}

/// How a run attempt ended, to record.
#[derive(Debug, Clone)]
pub struct RunFinish {
    /// `Succeeded`, `Failed`, `TimedOut` or `Cancelled`.
    pub status: RunStatus,
    pub error: Option<String>,
    /// The steps of a tool-using run (`tool` messages), then the agent's
    /// answer, appended to the run's chat in that order.
    pub steps: Vec<NewMessage>,
    pub reply: Option<NewMessage>,
    pub documents: Vec<NewDocument>,
    /// What the attempt's models used, added to the chat's usage.
    pub usage: ModelUsage,
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub role: MessageRole,
    pub content: String,
    pub sources: Vec<CitedSource>,
    /// The model that wrote it (answers and steps).
    pub model: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewDocument {
    /// Chosen before the write, so a report can name the documents it
    /// shows.
    pub id: DocumentOutputId,
    pub kind: DocumentKind,
    pub title: String,
    pub content: serde_json::Value,
}

impl NewDocument {
    /// A document with a fresh id.
    pub fn new(kind: DocumentKind, title: impl Into<String>, content: serde_json::Value) -> Self {
        NewDocument {
            id: DocumentOutputId::generate(),
            kind,
            title: title.into(),
            content,
        }
    }
}

/// A chat with everything it holds.
#[derive(Debug, Clone)]
pub struct ChatRecord {
    pub chat: Chat,
    pub messages: Vec<ChatMessage>,
    pub documents: Vec<ChatDocument>,
    pub run: Option<Run>,
}

/// A chat in a list, with its run's state and the names of its job and agent.
#[derive(Debug, Clone)]
pub struct ChatSummary {
    pub chat: Chat,
    pub status: Option<RunStatus>,
    pub initiator: Option<Initiator>,
    pub job_name: Option<String>,
    pub agent_name: Option<String>,
}

/// The queue item kind of a run; its payload is `{"run_id": …}`.
pub const RUN_KIND: &str = "job.run";
/// The queue item kind of a notification; its payload is
/// `{"channel_id", "run_id", "level", "topic"}`.
pub const NOTIFY_KIND: &str = "job.notify";

/// Agent jobs, their runs and chats.
#[async_trait]
pub trait JobStore: Send + Sync {
    async fn create_job(&self, org: &OrgId, new: NewJob) -> StoreResult<Job>;
    async fn get_job(&self, org: &OrgId, id: &JobId) -> StoreResult<Option<Job>>;
    /// Oldest first, optionally only one agent's.
    async fn list_jobs(
        &self,
        org: &OrgId,
        agent: Option<&AgentId>,
        page: Page,
    ) -> StoreResult<Listed<Job>>;
    /// `None` if absent.
    async fn replace_job(&self, org: &OrgId, id: &JobId, new: NewJob) -> StoreResult<Option<Job>>;
    /// Applies `change` to the stored job in one write; `None` if absent.
    async fn change_job(
        &self,
        org: &OrgId,
        id: &JobId,
        change: Change<NewJob>,
    ) -> StoreResult<Option<Job>>;
    /// False if absent. Runs and chats stay; queued runs are cancelled.
    async fn delete_job(&self, org: &OrgId, id: &JobId) -> StoreResult<bool>;

    /// Claims the job and queues its runs, chats and queue items in one
    /// transaction, unless a run of it is queued or running. A fan-out
    /// dispatches at most the job's concurrency at once. `None` if absent.
    async fn trigger_job(
        &self,
        org: &OrgId,
        id: &JobId,
        request: TriggerRequest,
    ) -> StoreResult<Option<TriggerOutcome>>;
    /// Jobs with an enabled schedule due at or before `now`, earliest first.
    async fn due_jobs(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Job>>;
    /// The earliest next run time of any job.
    async fn next_due_at(&self) -> StoreResult<Option<Timestamp>>;
    /// Records a scheduled fire that did not run (with `reason`) and moves
    /// the job to its next run time, if the fire was not taken already.
    async fn skip_fire(
        &self,
        org: &OrgId,
        id: &JobId,
        fire: ScheduledFire,
        reason: &str,
    ) -> StoreResult<bool>;

    async fn get_run(&self, org: &OrgId, id: &RunId) -> StoreResult<Option<Run>>;
    /// A run by id alone, for the worker.
    async fn run_by_id(&self, id: &RunId) -> StoreResult<Option<Run>>;
    /// A job's runs, newest first.
    async fn list_runs(&self, org: &OrgId, job: &JobId, page: Page) -> StoreResult<Listed<Run>>;
    /// Marks a run running and counts the attempt; `None` if it is already
    /// over (cancelled while queued).
    async fn start_run(&self, id: &RunId) -> StoreResult<Option<Run>>;
    /// Ends a running run: records the outcome, appends the reply and
    /// documents to its chat, writes the `job.run.completed` or
    /// `job.run.failed` event, queues notifications for the job's channels,
    /// dispatches the next run of a fan-out and releases the job when its
    /// trigger is done, in one transaction. `None` if the run was not
    /// running (cancelled meanwhile).
    async fn finish_run(&self, id: &RunId, finish: RunFinish) -> StoreResult<Option<Run>>;
    /// Puts runs that were running when this process stopped gracefully
    /// back to `queued`, not counting the attempt (their queue items are
    /// released the same way); returns how many.
    async fn requeue_runs(&self, ids: &[RunId]) -> StoreResult<u64>;
    /// Puts a running run back in the queue to retry at `at`, recording
    /// the error. False if it was not running.
    async fn retry_run(&self, id: &RunId, error: &str, at: Timestamp) -> StoreResult<bool>;
    /// Cancels a queued or running run (releasing the job as a finish
    /// does); `None` if absent. A run already over is returned unchanged.
    async fn cancel_run(&self, org: &OrgId, id: &RunId) -> StoreResult<Option<Run>>;

    /// An ad-hoc chat (no job) with its first messages.
    async fn create_chat(
        &self,
        org: &OrgId,
        agent: &AgentId,
        title: &str,
        messages: Vec<NewMessage>,
        documents: Vec<NewDocument>,
        usage: ModelUsage,
    ) -> StoreResult<Chat>;
    async fn get_chat(&self, org: &OrgId, id: &ChatId) -> StoreResult<Option<ChatRecord>>;
    /// Newest first, optionally only an agent's or a job's.
    async fn list_chats(
        &self,
        org: &OrgId,
        agent: Option<&AgentId>,
        job: Option<&JobId>,
        page: Page,
    ) -> StoreResult<Listed<ChatSummary>>;
}

/// A notification channel to create or replace (validated by the caller).
#[derive(Debug, Clone)]
pub struct NewChannel {
    pub name: String,
    pub kind: ChannelKind,
    pub config: serde_json::Value,
    pub min_level: NotifyLevel,
    pub topics: Vec<NotifyTopic>,
    pub enabled: bool,
}

impl From<Channel> for NewChannel {
    /// A channel's fields as written, to change some and write them back.
    fn from(channel: Channel) -> Self {
        Self {
            name: channel.name,
            kind: channel.kind,
            config: channel.config,
            min_level: channel.min_level,
            topics: channel.topics,
            enabled: channel.enabled,
        }
    }
}

/// Notification channels that jobs deliver to.
#[async_trait]
pub trait ChannelStore: Send + Sync {
    async fn create_channel(&self, org: &OrgId, new: NewChannel) -> StoreResult<Channel>;
    async fn get_channel(&self, org: &OrgId, id: &ChannelId) -> StoreResult<Option<Channel>>;
    async fn list_channels(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Channel>>;
    /// `None` if absent.
    async fn replace_channel(
        &self,
        org: &OrgId,
        id: &ChannelId,
        new: NewChannel,
    ) -> StoreResult<Option<Channel>>;
    /// Applies `change` to the stored channel, its config opened, in one
    /// write (the config is sealed again); `None` if absent.
    async fn change_channel(
        &self,
        org: &OrgId,
        id: &ChannelId,
        change: Change<NewChannel>,
    ) -> StoreResult<Option<Channel>>;
    /// False if absent; jobs drop it.
    async fn delete_channel(&self, org: &OrgId, id: &ChannelId) -> StoreResult<bool>;
    /// Those of `ids` that are not channels of `org`.
    async fn missing_channels(&self, org: &OrgId, ids: &[ChannelId])
        -> StoreResult<Vec<ChannelId>>;
}

/// An event waiting in the outbox for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub id: EventId,
    pub org_id: OrgId,
    pub event: String,
    pub data: serde_json::Value,
    pub created_at: Timestamp,
}

/// Everything the server needs from persistence.
#[async_trait]
pub trait Store:
    TenancyStore
    + KeyStore
    + QueueStore
    + DataSourceStore
    + SyncStore
    + KbStore
    + AgentStore
    + InteractionStore
    + JobStore
    + ChannelStore
    + DocumentStore
    + EvalStore
    + WebhookStore
    + SecretStore
    + NotificationStore
    + ConnectorStore
    + console::ConsoleStore
{
    /// Checks the backend answers; used by `/readyz`.
    async fn ping(&self) -> StoreResult<()>;
    /// A short name of the backend, for `/readyz`.
    fn backend_name(&self) -> &'static str;
}

/// A duration in whole milliseconds, as the backends store times and
/// leases (saturating: a longer one than `i64` holds waits forever).
pub(crate) fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A value that could not be written as the JSON text the tables keep.
pub(crate) fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Backend(format!("cannot encode a stored value as JSON: {e}"))
}

/// `value` as the JSON text the tables keep.
pub(crate) fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(json_error)
}

/// A count or size as a BIGINT column holds it (saturating).
pub(crate) fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stored time in Unix milliseconds (the epoch when out of range).
pub(crate) fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing of `n` numbers served page by page, counting its calls.
    async fn listing(n: u64) -> (Vec<u64>, usize) {
        let mut calls = 0;
        let all = every(|page: Page| {
            calls += 1;
            let items = (page.offset..n.min(page.offset + u64::from(page.limit))).collect();
            async move { Ok(Listed { items, total: n }) }
        })
        .await
        .unwrap();
        (all, calls)
    }

    #[tokio::test]
    async fn every_reads_page_after_page_until_the_listing_ends() {
        let max = u64::from(grove_core::page::MAX_LIMIT);
        for (n, pages) in [(0, 1), (1, 1), (max, 1), (max + 1, 2), (2 * max + 50, 3)] {
            let (all, calls) = listing(n).await;
            assert_eq!(all, (0..n).collect::<Vec<_>>(), "{n} items");
            assert_eq!(calls, pages, "{n} items");
        }
    }
}
