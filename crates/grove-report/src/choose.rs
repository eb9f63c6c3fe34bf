//! A query result's chart: the one a job or agent asked for (its columns
//! checked against the result's), or one chosen from the result's shape —
//! a time column and a number → line, a category and a number → bar, two
//! numbers → point. The spec is the Vega-Lite subset [`crate::chart`]
//! renders.

use grove_core::jobs::{ChartChoice, ChartType};
use grove_sql::QueryResult;
use serde_json::{json, Map, Value};

use crate::chart::{ChartError, MAX_VALUES};
use crate::shape::{column_shape, columns_of, measures, ColumnShape};

/// The Vega-Lite spec of `result`'s chart, or `None` when its shape suits
/// none. A choice naming a column the result lacks is an error listing
/// the real ones (`path` is `chart.x`, `chart.y` or `chart.color`).
pub fn chart_spec(
    result: &QueryResult,
    choice: Option<&ChartChoice>,
    title: &str,
) -> Result<Option<Value>, ChartError> {
    let choice = match choice {
        Some(choice) => checked(result, choice)?,
        None => match chosen(result) {
            Some(choice) => choice,
            None => return Ok(None),
        },
    };
    Ok(Some(spec(result, &choice, title)))
}

fn checked(result: &QueryResult, choice: &ChartChoice) -> Result<ChartChoice, ChartError> {
    let fields = [
        ("x", Some(&choice.x)),
        ("y", Some(&choice.y)),
        ("color", choice.color.as_ref()),
    ];
    for (channel, column) in fields {
        if let Some(column) = column {
            if result.column(column).is_none() {
                return Err(ChartError {
                    path: format!("chart.{channel}"),
                    message: format!(
                        "the result has no column `{column}`; its columns are {}",
                        result.column_names().join(", ")
                    ),
                });
            }
        }
    }
    Ok(choice.clone())
}

/// The chart the result's shape suggests.
pub fn chosen(result: &QueryResult) -> Option<ChartChoice> {
    let name = |i: usize| result.columns[i].name.clone();
    let numbers = measures(result);
    let categories = columns_of(result, ColumnShape::Category);
    let times = columns_of(result, ColumnShape::Time);
    let &y = numbers.first()?;
    let color = categories.first().map(|&i| name(i));
    if let Some(&x) = times.first() {
        return Some(ChartChoice {
            kind: ChartType::Line,
            x: name(x),
            y: name(y),
            color,
        });
    }
    if let Some(&x) = categories.first() {
        let color = categories.get(1).map(|&i| name(i));
        return Some(ChartChoice {
            kind: ChartType::Bar,
            x: name(x),
            y: name(y),
            color,
        });
    }
    let &y2 = numbers.get(1)?;
    Some(ChartChoice {
        kind: ChartType::Point,
        x: name(y),
        y: name(y2),
        color: None,
    })
}

fn field_type(result: &QueryResult, column: &str) -> &'static str {
    match result.column(column).map(|i| column_shape(result, i)) {
        Some(ColumnShape::Time) => "temporal",
        Some(ColumnShape::Number) => "quantitative",
        _ => "nominal",
    }
}

fn spec(result: &QueryResult, choice: &ChartChoice, title: &str) -> Value {
    let wanted: Vec<&str> = [
        Some(choice.x.as_str()),
        Some(choice.y.as_str()),
        choice.color.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let values: Vec<Value> = result
        .rows
        .iter()
        .take(MAX_VALUES)
        .map(|row| {
            let mut object = Map::new();
            for column in &wanted {
                if let Some(i) = result.column(column) {
                    object.insert((*column).to_owned(), row[i].clone());
                }
            }
            Value::Object(object)
        })
        .collect();
    let mut encoding = json!({
        "x": {"field": choice.x, "type": field_type(result, &choice.x)},
        "y": {"field": choice.y, "type": "quantitative"},
    });
    if let Some(color) = &choice.color {
        encoding["color"] = json!({"field": color, "type": "nominal"});
    }
    json!({
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "data": {"values": values},
        "mark": choice.kind.as_str(),
        "encoding": encoding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::test_result as result;

    #[test]
    fn the_shape_chooses_the_chart() {
        let by_time = result(
            &[("day", "text"), ("orders", "int8")],
            json!([["2026-01-01", 3], ["2026-01-02", 5]]),
        );
        assert_eq!(
            chosen(&by_time).map(|c| (c.kind, c.x, c.y)),
            Some((ChartType::Line, "day".into(), "orders".into()))
        );
        let by_region = result(
            &[("region", "text"), ("id", "int4"), ("total", "numeric")],
            json!([["EU", 1, 2.5]]),
        );
        assert_eq!(
            chosen(&by_region).map(|c| (c.kind, c.x, c.y)),
            Some((ChartType::Bar, "region".into(), "total".into()))
        );
        let two_numbers = result(
            &[("price", "float8"), ("sold", "int4")],
            json!([[1.5, 3], [2.0, 1]]),
        );
        assert_eq!(chosen(&two_numbers).map(|c| c.kind), Some(ChartType::Point));
        let words = result(&[("name", "text")], json!([["a"]]));
        assert_eq!(chosen(&words), None);
    }

    #[test]
    fn a_chosen_column_the_result_lacks_is_an_error_listing_the_real_ones() {
        let r = result(
            &[("region", "text"), ("total", "numeric")],
            json!([["EU", 2.5]]),
        );
        let choice = ChartChoice {
            kind: ChartType::Bar,
            x: "region".into(),
            y: "totl".into(),
            color: None,
        };
        let e = chart_spec(&r, Some(&choice), "t").unwrap_err();
        assert_eq!(e.path, "chart.y");
        assert!(e.message.contains("region, total"), "{}", e.message);
        let spec = chart_spec(&r, None, "Totals").unwrap().unwrap();
        let svg = crate::chart::render_svg(&spec).unwrap();
        assert!(svg.contains("<rect") && svg.contains("Totals"), "{svg}");
    }
}
