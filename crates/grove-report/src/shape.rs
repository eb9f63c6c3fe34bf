//! What a result's columns hold, read from their types and values: time,
//! numbers, or categories. Charts and highlights both decide by it.

use grove_sql::QueryResult;
use serde_json::Value;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnShape {
    Time,
    Number,
    Category,
}

/// The shape of column `index`: its declared type first, then its values
/// (all non-null values numbers → number; all dates or timestamps → time).
pub fn column_shape(result: &QueryResult, index: usize) -> ColumnShape {
    let declared = result.columns[index].data_type.to_lowercase();
    if ["date", "time", "timestamp", "datetime"]
        .iter()
        .any(|t| declared.contains(t))
    {
        return ColumnShape::Time;
    }
    let values: Vec<&Value> = result
        .rows
        .iter()
        .map(|r| &r[index])
        .filter(|v| !v.is_null())
        .collect();
    if values.is_empty() {
        return ColumnShape::Category;
    }
    if values.iter().all(|v| v.is_number()) {
        return ColumnShape::Number;
    }
    if values
        .iter()
        .all(|v| v.as_str().is_some_and(looks_like_time))
    {
        return ColumnShape::Time;
    }
    ColumnShape::Category
}

/// `2026-01-31`, `2026-01-31T12:00:00`, `2026-01-31 12:00:00Z`, …
pub fn looks_like_time(text: &str) -> bool {
    let date = text.get(..10).unwrap_or("");
    date.parse::<jiff::civil::Date>().is_ok()
        && (text.len() == 10 || matches!(text.as_bytes()[10], b'T' | b' '))
}

/// Whether a column name reads as an identifier (`id`, `customer_id`),
/// which sums and extremes would make no sense of.
pub fn is_identifier(name: &str) -> bool {
    let name = name.to_lowercase();
    name == "id" || name.ends_with("_id") || name.ends_with(" id")
}

/// Every column of `shape`, by index.
pub fn columns_of(result: &QueryResult, shape: ColumnShape) -> Vec<usize> {
    (0..result.columns.len())
        .filter(|&i| column_shape(result, i) == shape)
        .collect()
}

/// Numeric columns worth summing (identifiers left out).
pub fn measures(result: &QueryResult) -> Vec<usize> {
    columns_of(result, ColumnShape::Number)
        .into_iter()
        .filter(|&i| !is_identifier(&result.columns[i].name))
        .collect()
}

/// A result of `columns` (name, type) and `rows` given as JSON, for tests.
#[cfg(test)]
pub(crate) fn test_result(columns: &[(&str, &str)], rows: Value) -> QueryResult {
    let rows: Vec<Vec<Value>> = serde_json::from_value(rows).unwrap_or_default();
    QueryResult {
        columns: columns
            .iter()
            .map(|(name, data_type)| grove_sql::Column {
                name: (*name).into(),
                data_type: (*data_type).into(),
            })
            .collect(),
        row_count: rows.len() as u64,
        rows,
        ..QueryResult::default()
    }
}
