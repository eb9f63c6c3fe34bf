//! Data connector records: the databases an analyst agent may query, with
//! their allow-lists and limits. What a connector does lives in `grove-sql`.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::ids::{DataConnectorId, OrgId};

wire_enum!(
    /// The database a connector speaks to.
    ConnectorKind {
        Postgres = "postgres",
        Mysql = "mysql",
        Sqlite = "sqlite",
        Bigquery = "bigquery",
    }
);

impl ConnectorKind {
    /// The config keys this kind takes; `credential_keys` are sealed at rest
    /// and masked in answers.
    pub fn config_keys(self) -> &'static [&'static str] {
        match self {
            ConnectorKind::Postgres | ConnectorKind::Mysql => &["url"],
            ConnectorKind::Sqlite => &["path"],
            ConnectorKind::Bigquery => &[
                "project_id",
                "service_account",
                "location",
                "base_url",
                "token_url",
            ],
        }
    }

    /// The config keys that hold credentials (a URL carries its password).
    pub fn credential_keys(self) -> &'static [&'static str] {
        match self {
            ConnectorKind::Postgres | ConnectorKind::Mysql => &["url"],
            ConnectorKind::Sqlite => &[],
            ConnectorKind::Bigquery => &["service_account"],
        }
    }

    /// What an allowed dataset is called for this kind, for messages.
    pub fn dataset_word(self) -> &'static str {
        match self {
            ConnectorKind::Postgres => "schema",
            ConnectorKind::Mysql => "database",
            ConnectorKind::Sqlite => "database (`main`)",
            ConnectorKind::Bigquery => "dataset",
        }
    }
}

/// Default and ceiling of `max_rows`.
pub const DEFAULT_MAX_ROWS: u64 = 1_000;
pub const MAX_MAX_ROWS: u64 = 100_000;
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;
/// BigQuery's on-demand price per TiB scanned, in US dollars.
pub const DEFAULT_PRICE_PER_TIB_USD: f64 = 6.25;

/// A data connector as stored (credentials sealed) or shown (masked).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DataConnector {
    pub id: DataConnectorId,
    pub org_id: OrgId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ConnectorKind,
    /// Type-specific settings; credentials are masked in answers.
    #[schema(value_type = Object)]
    pub config: Value,
    /// Schemas (PostgreSQL), databases (MySQL), `main` (SQLite) or datasets
    /// (BigQuery) whose tables may be read.
    pub allowed_datasets: Vec<String>,
    /// `dataset.table`; when set, only these tables (and views) are read.
    pub allowed_tables: Vec<String>,
    pub max_rows: u64,
    pub timeout_seconds: u64,
    /// BigQuery: a query whose dry run estimates more is refused.
    pub max_cost_usd: Option<f64>,
    pub price_per_tib_usd: f64,
    /// PostgreSQL and MySQL: a query whose plan estimates more rows is refused.
    pub max_estimated_rows: Option<u64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}
