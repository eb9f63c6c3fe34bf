//! Data connectors and the query results kept under their ids. A
//! connector's credential fields (`ConnectorKind::credential_keys`) are
//! sealed on every write; [`crate::SecretStore::reveal_config`] opens them
//! for the driver.

use async_trait::async_trait;
use grove_core::connectors::{ConnectorKind, DataConnector};
use grove_core::ids::{DataConnectorId, OrgId, ResultId};
use grove_core::page::Page;
use jiff::Timestamp;
use serde_json::Value;

use crate::{Change, Listed, StoreResult};

/// Every field of a connector a write sets.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDataConnector {
    pub name: String,
    pub kind: ConnectorKind,
    pub config: Value,
    pub allowed_datasets: Vec<String>,
    pub allowed_tables: Vec<String>,
    pub max_rows: u64,
    pub timeout_seconds: u64,
    pub max_cost_usd: Option<f64>,
    pub price_per_tib_usd: f64,
    pub max_estimated_rows: Option<u64>,
}

impl From<DataConnector> for NewDataConnector {
    fn from(c: DataConnector) -> Self {
        NewDataConnector {
            name: c.name,
            kind: c.kind,
            config: c.config,
            allowed_datasets: c.allowed_datasets,
            allowed_tables: c.allowed_tables,
            max_rows: c.max_rows,
            timeout_seconds: c.timeout_seconds,
            max_cost_usd: c.max_cost_usd,
            price_per_tib_usd: c.price_per_tib_usd,
            max_estimated_rows: c.max_estimated_rows,
        }
    }
}

/// A query result as kept: what ran and what came back (`result` is the
/// `grove_sql::QueryResult` as JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResult {
    pub id: ResultId,
    pub org_id: OrgId,
    pub connector_id: Option<DataConnectorId>,
    pub sql: String,
    pub result: Value,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait ConnectorStore: Send + Sync {
    async fn create_connector(
        &self,
        org: &OrgId,
        new: NewDataConnector,
    ) -> StoreResult<DataConnector>;
    /// The connector with its credentials sealed, as stored.
    async fn get_connector(
        &self,
        org: &OrgId,
        id: &DataConnectorId,
    ) -> StoreResult<Option<DataConnector>>;
    async fn list_connectors(&self, org: &OrgId, page: Page) -> StoreResult<Listed<DataConnector>>;
    /// Applies `change` to the stored connector (credentials opened) inside
    /// the write; `None` if absent.
    async fn change_connector(
        &self,
        org: &OrgId,
        id: &DataConnectorId,
        change: Change<NewDataConnector>,
    ) -> StoreResult<Option<DataConnector>>;
    /// False if absent; its results stay, without a connector.
    async fn delete_connector(&self, org: &OrgId, id: &DataConnectorId) -> StoreResult<bool>;
    /// Those of `ids` that are not connectors of `org`.
    async fn missing_connectors(
        &self,
        org: &OrgId,
        ids: &[DataConnectorId],
    ) -> StoreResult<Vec<DataConnectorId>>;
    /// Keeps a result under a new id.
    async fn save_result(
        &self,
        org: &OrgId,
        connector: Option<&DataConnectorId>,
        sql: &str,
        result: Value,
    ) -> StoreResult<StoredResult>;
    async fn get_result(&self, org: &OrgId, id: &ResultId) -> StoreResult<Option<StoredResult>>;
}
