//! Grove's persistence. Handlers and workers see only the traits here; the
//! embedded default is [`sqlite::SqliteStore`] (one WAL database file), and a
//! PostgreSQL implementation can follow behind the same traits.

pub mod queue;
pub mod sqlite;

use async_trait::async_trait;
use grove_core::apikey::KeyEnvironment;
use grove_core::ids::{DataSourceId, KeyId, OrgId, UserId};
use grove_core::model::{ApiKey, DataSource, Org, Role, User};
use grove_core::page::Page;
use grove_core::scope::Scope;
use jiff::Timestamp;

pub use queue::QueueStore;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the message names what collided.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backend failed (I/O, corruption, pool exhaustion).
    #[error("storage backend error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A page of results with the total count before paging.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub total: u64,
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

/// Data sources (their full API comes with the ingestion issue).
#[async_trait]
pub trait DataSourceStore: Send + Sync {
    async fn create_data_source(
        &self,
        org: &OrgId,
        name: &str,
        kind: &str,
    ) -> StoreResult<DataSource>;
    async fn get_data_source(
        &self,
        org: &OrgId,
        id: &DataSourceId,
    ) -> StoreResult<Option<DataSource>>;
    /// Those of `ids` that are not data sources of `org`.
    async fn missing_data_sources(
        &self,
        org: &OrgId,
        ids: &[DataSourceId],
    ) -> StoreResult<Vec<DataSourceId>>;
}

/// Everything the server needs from persistence.
#[async_trait]
pub trait Store: TenancyStore + KeyStore + QueueStore + DataSourceStore {
    /// Checks the backend answers; used by `/readyz`.
    async fn ping(&self) -> StoreResult<()>;
    /// A short name of the backend, for `/readyz`.
    fn backend_name(&self) -> &'static str;
}
