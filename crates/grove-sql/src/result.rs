//! What a query answers: typed columns and rows of JSON values, with the
//! row cap's verdict and the costs that were measured.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A result column: its name and the database's type name.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
}

/// Rows of a query, at most the connector's `max_rows`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QueryResult {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    /// Rows returned (`rows.len()`).
    pub row_count: u64,
    /// Whether the query had more rows than `max_rows`.
    pub truncated: bool,
    pub elapsed_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_cost_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_processed: Option<u64>,
}

impl QueryResult {
    /// The index of the column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The column names, for error messages that list them.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

/// A table's columns, as `schema` and `describe_table` show them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TableSchema {
    pub dataset: String,
    pub name: String,
    pub kind: crate::catalog::TableKind,
    pub columns: Vec<Column>,
    /// The database's estimate (statistics), or an exact count where the
    /// database keeps none; null when unknown.
    pub row_estimate: Option<u64>,
}
