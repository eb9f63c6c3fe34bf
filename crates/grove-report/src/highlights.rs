//! Highlights computed from a query result, never generated: the row
//! count, the total and average of each measure, its largest and smallest
//! value with the row's label, and the change from first to last row of a
//! time series.

use grove_sql::QueryResult;
use serde_json::Value;

use crate::shape::{columns_of, measures, ColumnShape};

/// Measures summed up, at most.
const MEASURES: usize = 3;

/// The highlights of `result`, in reading order.
pub fn highlights(result: &QueryResult) -> Vec<String> {
    let mut lines = vec![row_count(result)];
    let times = columns_of(result, ColumnShape::Time);
    let categories = columns_of(result, ColumnShape::Category);
    let label = categories.first().or(times.first()).copied();
    for &measure in measures(result).iter().take(MEASURES) {
        lines.extend(measure_lines(result, measure, label));
        if let (Some(&time), true) = (times.first(), categories.is_empty()) {
            lines.extend(change(result, measure, time));
        }
    }
    lines
}

fn row_count(result: &QueryResult) -> String {
    let rows = result.row_count;
    let noun = if rows == 1 { "row" } else { "rows" };
    if result.truncated {
        format!(
            "{} {noun} (more were cut off at the connector's max_rows)",
            format_number(rows as f64)
        )
    } else {
        format!("{} {noun}", format_number(rows as f64))
    }
}

/// `(row index, value)` of each row with a number in `column`.
fn numbers(result: &QueryResult, column: usize) -> Vec<(usize, f64)> {
    result
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| row[column].as_f64().map(|v| (i, v)))
        .collect()
}

fn measure_lines(result: &QueryResult, measure: usize, label: Option<usize>) -> Vec<String> {
    let values = numbers(result, measure);
    let name = &result.columns[measure].name;
    if values.is_empty() {
        return Vec::new();
    }
    let total: f64 = values.iter().map(|(_, v)| v).sum();
    let average = total / values.len() as f64;
    let mut lines = vec![format!(
        "{name}: total {}, average {}",
        format_number(total),
        format_number(average)
    )];
    if values.len() > 1 {
        let by_value = |a: &&(usize, f64), b: &&(usize, f64)| a.1.total_cmp(&b.1);
        let (Some(high), Some(low)) = (
            values.iter().max_by(by_value),
            values.iter().min_by(by_value),
        ) else {
            return lines;
        };
        lines.push(format!(
            "Largest {name}: {}{}",
            format_number(high.1),
            row_label(result, high.0, label)
        ));
        lines.push(format!(
            "Smallest {name}: {}{}",
            format_number(low.1),
            row_label(result, low.0, label)
        ));
    }
    lines
}

/// ` (region EU)`, or ` (row 3)` without a label column.
fn row_label(result: &QueryResult, row: usize, label: Option<usize>) -> String {
    match label {
        Some(column) => format!(
            " ({} {})",
            result.columns[column].name,
            cell_text(&result.rows[row][column])
        ),
        None => format!(" (row {})", row + 1),
    }
}

fn cell_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "null".into(),
        Value::Number(n) => n
            .as_f64()
            .map(format_number)
            .unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    }
}

/// From the earliest to the latest row of the time column.
fn change(result: &QueryResult, measure: usize, time: usize) -> Option<String> {
    let mut points: Vec<(String, f64)> = result
        .rows
        .iter()
        .filter_map(|row| Some((row[time].as_str()?.to_owned(), row[measure].as_f64()?)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    points.sort_by(|a, b| a.0.cmp(&b.0));
    let (first, last) = (points.first()?, points.last()?);
    let difference = last.1 - first.1;
    let percent = if first.1 != 0.0 {
        format!(
            ", {}{} %",
            sign(difference),
            format_number((difference / first.1 * 100.0).abs())
        )
    } else {
        String::new()
    };
    Some(format!(
        "{} went from {} on {} to {} on {} ({}{}{percent})",
        result.columns[measure].name,
        format_number(first.1),
        first.0,
        format_number(last.1),
        last.0,
        sign(difference),
        format_number(difference.abs()),
    ))
}

fn sign(value: f64) -> &'static str {
    if value < 0.0 {
        "-"
    } else {
        "+"
    }
}

/// `1,234.5`: at most two decimals, trailing zeros dropped, thousands
/// grouped.
pub fn format_number(value: f64) -> String {
    let text = format!("{:.2}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let negative = value < 0.0 && (whole != "0" || !fraction.is_empty());
    format!(
        "{}{grouped}{}{fraction}",
        if negative { "-" } else { "" },
        if fraction.is_empty() { "" } else { "." }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::test_result as result;
    use serde_json::json;

    #[test]
    fn numbers_are_grouped_and_trimmed() {
        assert_eq!(format_number(1234567.891), "1,234,567.89");
        assert_eq!(format_number(-1500.0), "-1,500");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(-0.001), "0");
        assert_eq!(format_number(999.999), "1,000");
    }

    #[test]
    fn a_category_result_gets_totals_averages_and_extremes_by_label() {
        let r = result(
            &[("region", "text"), ("id", "int4"), ("revenue", "numeric")],
            json!([["EU", 1, 120.5], ["US", 2, 300], ["APAC", 3, 79.5]]),
        );
        assert_eq!(
            highlights(&r),
            [
                "3 rows",
                "revenue: total 500, average 166.67",
                "Largest revenue: 300 (region US)",
                "Smallest revenue: 79.5 (region APAC)",
            ]
        );
    }

    #[test]
    fn a_time_series_gets_its_change_from_first_to_last() {
        let r = result(
            &[("month", "date"), ("orders", "int8")],
            json!([["2026-03-01", 150], ["2026-01-01", 100], ["2026-02-01", 90]]),
        );
        let lines = highlights(&r);
        assert_eq!(lines[1], "orders: total 340, average 113.33");
        assert_eq!(lines[2], "Largest orders: 150 (month 2026-03-01)");
        assert_eq!(
            lines[4],
            "orders went from 100 on 2026-01-01 to 150 on 2026-03-01 (+50, +50 %)"
        );
    }

    #[test]
    fn a_truncated_result_says_so() {
        let mut r = result(&[("n", "int4")], json!([[1]]));
        r.truncated = true;
        assert_eq!(
            highlights(&r)[0],
            "1 row (more were cut off at the connector's max_rows)"
        );
    }
}
