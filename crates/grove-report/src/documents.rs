//! The contents of the chat documents a query leaves: its table (with the
//! `result_id` the whole result is kept under), and reports — a title, a
//! summary, highlights and sections that name the documents they show.

use grove_sql::QueryResult;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Rows a table document shows; the whole result stays under its id.
pub const TABLE_ROWS: usize = 1_000;

/// A `table` document's content.
pub fn table_content(result: &QueryResult, result_id: &str, sql: &str) -> Value {
    json!({
        "columns": result.column_names(),
        "column_types": result.columns.iter().map(|c| c.data_type.as_str()).collect::<Vec<_>>(),
        "rows": result.rows.iter().take(TABLE_ROWS).collect::<Vec<_>>(),
        "row_count": result.row_count,
        "truncated": result.truncated,
        "result_id": result_id,
        "sql": sql,
    })
}

/// One section of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    pub text: String,
    /// Chat documents (tables, charts) the section shows, in order.
    #[serde(default)]
    pub document_ids: Vec<String>,
}

/// A `report` document's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub highlights: Vec<String>,
    #[serde(default)]
    pub sections: Vec<Section>,
}

impl Report {
    pub fn content(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
