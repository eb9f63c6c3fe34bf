//! Chart documents: a Vega-Lite v5 spec plus an SVG rendered on the server.
//!
//! This module owns the subset of Vega-Lite that analytical agents produce
//! (one `bar`, `line` or `point` mark over inline `data.values`, with `x`,
//! `y` and an optional `color` encoding), its validation (every error names
//! the spec path at fault, so an agent can fix its spec) and its rendering
//! to a self-contained, deterministic SVG: axes with "nice" ticks, bars, a
//! polyline per color series, points, a legend and titles.
//! [`chart_document`] builds the `content` of a chart document,
//! `{"spec": ..., "svg": ...}`.
//!
//! Written by hand: no maintained Rust crate renders Vega-Lite to SVG
//! without embedding a JavaScript engine (the reference renderer is Vega
//! itself, in JS), and the subset is small enough that a few hundred lines
//! of layout beat shipping a JS runtime in the server.
//!
//! Known differences from Vega-Lite: `width` and `height` size the whole
//! SVG rather than the plot area; bars sharing an x always stack (in color
//! order, negative values downwards); `aggregate`, `bin`, `timeUnit`,
//! `transform` and composite charts are refused rather than computed.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::{json, Map, Value};

/// Most rows one chart may plot.
pub const MAX_VALUES: usize = 10_000;

const DEFAULT_WIDTH: f64 = 640.0;
const DEFAULT_HEIGHT: f64 = 400.0;
const MIN_SIZE: f64 = 100.0;
const MAX_SIZE: f64 = 4000.0;
/// Vega's `tableau10` scheme, Vega-Lite's default for nominal colors.
const PALETTE: [&str; 10] = [
    "#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6",
    "#9d755d", "#bab0ac",
];
/// Rough advance of one character of 11px sans-serif, for layout only.
const CHAR_WIDTH: f64 = 6.5;
/// Longer axis and legend labels are cut with an ellipsis.
const MAX_LABEL_CHARS: usize = 24;
const LEGEND_ROW: f64 = 16.0;

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Why a spec cannot be charted; `path` names the part of the spec at
/// fault (`encoding.y.field`, `data.values[3].sales`, ...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ChartError {
    pub path: String,
    pub message: String,
}

fn error(path: impl Into<String>, message: impl Into<String>) -> ChartError {
    ChartError {
        path: path.into(),
        message: message.into(),
    }
}

/// The `content` of a chart document: the spec as given and its SVG.
pub fn chart_document(spec: Value) -> Result<Value, ChartError> {
    let svg = render_svg(&spec)?;
    Ok(json!({ "spec": spec, "svg": svg }))
}

/// Renders a Vega-Lite v5 spec (the subset described in the module docs)
/// to a standalone SVG document.
pub fn render_svg(spec: &Value) -> Result<String, ChartError> {
    let spec = Spec::parse(spec)?;
    let data = Data::extract(&spec)?;
    let extents = y_extents(&spec, &data);
    let layout = Layout::new(&spec, &data, &extents);
    Ok(draw(&spec, &data, &extents, &layout))
}

// ---------------------------------------------------------------- the spec

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Bar,
    Line,
    Area,
    Point,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldType {
    Nominal,
    Ordinal,
    Quantitative,
    Temporal,
}

impl FieldType {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "nominal" => Some(Self::Nominal),
            "ordinal" => Some(Self::Ordinal),
            "quantitative" => Some(Self::Quantitative),
            "temporal" => Some(Self::Temporal),
            _ => None,
        }
    }

    fn is_discrete(self) -> bool {
        matches!(self, Self::Nominal | Self::Ordinal)
    }
}

/// Order of the categories of a discrete x.
#[derive(Debug, Clone, PartialEq)]
enum Sort {
    Ascending,
    Descending,
    DataOrder,
    ByY { descending: bool },
    Explicit(Vec<String>),
}

#[derive(Debug)]
struct Channel {
    field: String,
    /// `None` when the spec leaves it out; inferred from the data for x.
    kind: Option<FieldType>,
    title: Option<String>,
    sort: Sort,
    zero: bool,
}

#[derive(Debug)]
struct Spec<'a> {
    title: Option<String>,
    mark: Mark,
    /// `mark.color` or `encoding.color.value`.
    fixed_color: Option<String>,
    width: f64,
    height: f64,
    values: Vec<&'a Map<String, Value>>,
    x: Channel,
    y: Channel,
    color: Option<Channel>,
}

const COMPOSITE_KEYS: [&str; 6] = ["layer", "concat", "hconcat", "vconcat", "facet", "repeat"];

impl<'a> Spec<'a> {
    fn parse(spec: &'a Value) -> Result<Self, ChartError> {
        let obj = spec
            .as_object()
            .ok_or_else(|| error("spec", "must be a JSON object"))?;
        if let Some(key) = COMPOSITE_KEYS.iter().find(|key| obj.contains_key(**key)) {
            return Err(error(
                *key,
                "composite charts are not supported; use one mark",
            ));
        }
        if obj.contains_key("transform") {
            return Err(error(
                "transform",
                "not supported; compute it in data.values",
            ));
        }
        let (mark, mark_color) = parse_mark(obj.get("mark"))?;
        let encoding = object_at(obj, "encoding")?;
        let (color, color_value) = parse_color(encoding)?;
        let spec = Spec {
            title: parse_title(obj.get("title"), "title")?,
            mark,
            fixed_color: color_value.or(mark_color),
            width: parse_size(obj, "width", DEFAULT_WIDTH)?,
            height: parse_size(obj, "height", DEFAULT_HEIGHT)?,
            values: parse_values(obj)?,
            x: required_channel(encoding, "x")?,
            y: required_channel(encoding, "y")?,
            color,
        };
        if matches!(spec.y.kind, Some(kind) if kind != FieldType::Quantitative) {
            return Err(error(
                "encoding.y.type",
                "must be \"quantitative\"; put categories or dates on x",
            ));
        }
        Ok(spec)
    }
}

fn object_at<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a Map<String, Value>, ChartError> {
    match obj.get(key) {
        None => Err(error(key, "missing")),
        Some(value) => value
            .as_object()
            .ok_or_else(|| error(key, "must be an object")),
    }
}

fn parse_mark(value: Option<&Value>) -> Result<(Mark, Option<String>), ChartError> {
    let (name, color) = match value {
        None => return Err(error("mark", "missing")),
        Some(Value::String(name)) => (name.as_str(), None),
        Some(Value::Object(obj)) => {
            let name = obj
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| error("mark.type", "missing"))?;
            let color = obj.get("color").and_then(Value::as_str).map(str::to_owned);
            (name, color)
        }
        Some(_) => return Err(error("mark", "must be a string or an object with a type")),
    };
    let mark = match name {
        "bar" => Mark::Bar,
        "line" => Mark::Line,
        "area" => Mark::Area,
        "point" | "circle" => Mark::Point,
        other => {
            let message = format!(
                "unsupported mark {}; use bar, line, area or point",
                quoted(other)
            );
            return Err(error("mark", message));
        }
    };
    Ok((mark, color))
}

/// A title: a string, lines of one, or an object with `text`; `null` or
/// an empty string means none.
fn parse_title(value: Option<&Value>, path: &str) -> Result<Option<String>, ChartError> {
    let text = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(lines)) if lines.iter().all(Value::is_string) => {
            let lines: Vec<&str> = lines.iter().filter_map(Value::as_str).collect();
            lines.join(" ")
        }
        Some(Value::Object(obj)) => return parse_title(obj.get("text"), &format!("{path}.text")),
        Some(_) => return Err(error(path, "must be a string")),
    };
    Ok(Some(text).filter(|text| !text.trim().is_empty()))
}

fn parse_size(obj: &Map<String, Value>, key: &str, default: f64) -> Result<f64, ChartError> {
    match obj.get(key) {
        None => Ok(default),
        Some(Value::String(text)) if text == "container" => Ok(default),
        Some(value) => value
            .as_f64()
            .filter(|size| (MIN_SIZE..=MAX_SIZE).contains(size))
            .ok_or_else(|| {
                error(
                    key,
                    format!("must be a number from {MIN_SIZE} to {MAX_SIZE}"),
                )
            }),
    }
}

fn parse_values(obj: &Map<String, Value>) -> Result<Vec<&Map<String, Value>>, ChartError> {
    let data = obj.get("data").and_then(Value::as_object);
    if data.is_some_and(|data| data.contains_key("url") && !data.contains_key("values")) {
        return Err(error(
            "data.url",
            "not supported; inline the rows as data.values",
        ));
    }
    let values = data
        .and_then(|data| data.get("values"))
        .and_then(Value::as_array)
        .filter(|values| !values.is_empty())
        .ok_or_else(|| error("data.values", "must be a non-empty array of objects"))?;
    if values.len() > MAX_VALUES {
        let message = format!("at most 10 000 values, got {}", values.len());
        return Err(error("data.values", message));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            value
                .as_object()
                .ok_or_else(|| error(format!("data.values[{i}]"), "must be an object"))
        })
        .collect()
}

/// `encoding.color`: a field (a legend and one color per value) or a fixed
/// `value`.
fn parse_color(
    encoding: &Map<String, Value>,
) -> Result<(Option<Channel>, Option<String>), ChartError> {
    if let Some(value) = encoding.get("color").and_then(|color| color.get("value")) {
        let color = value
            .as_str()
            .ok_or_else(|| error("encoding.color.value", "must be a CSS color string"))?;
        return Ok((None, Some(color.to_owned())));
    }
    Ok((parse_channel(encoding, "color")?, None))
}

fn required_channel(encoding: &Map<String, Value>, name: &str) -> Result<Channel, ChartError> {
    parse_channel(encoding, name)?.ok_or_else(|| error(format!("encoding.{name}"), "missing"))
}

fn parse_channel(encoding: &Map<String, Value>, name: &str) -> Result<Option<Channel>, ChartError> {
    let Some(value) = encoding.get(name) else {
        return Ok(None);
    };
    let path = format!("encoding.{name}");
    let obj = value
        .as_object()
        .ok_or_else(|| error(&path, "must be an object"))?;
    for key in ["aggregate", "bin", "timeUnit"] {
        if obj.contains_key(key) {
            return Err(error(
                format!("{path}.{key}"),
                "not supported; compute it in data.values",
            ));
        }
    }
    let field = match obj.get("field") {
        None => return Err(error(format!("{path}.field"), "missing")),
        Some(Value::String(field)) if !field.is_empty() => field.clone(),
        Some(_) => return Err(error(format!("{path}.field"), "must be a non-empty string")),
    };
    let title = match obj.get("title") {
        None => Some(field.clone()),
        title => parse_title(title, &format!("{path}.title"))?,
    };
    Ok(Some(Channel {
        kind: parse_type(obj.get("type"), &path)?,
        title,
        sort: parse_sort(obj.get("sort"), &path)?,
        zero: obj
            .get("scale")
            .and_then(|scale| scale.get("zero"))
            .and_then(Value::as_bool)
            .unwrap_or(true),
        field,
    }))
}

fn parse_type(value: Option<&Value>, path: &str) -> Result<Option<FieldType>, ChartError> {
    let Some(value) = value else {
        return Ok(None);
    };
    value
        .as_str()
        .and_then(FieldType::parse)
        .map(Some)
        .ok_or_else(|| {
            let message =
                format!("unsupported type {value}; use nominal, ordinal, quantitative or temporal");
            error(format!("{path}.type"), message)
        })
}

fn parse_sort(value: Option<&Value>, path: &str) -> Result<Sort, ChartError> {
    let invalid = || {
        let message = "must be \"ascending\", \"descending\", null, \"x\", \"-x\", \"y\", \"-y\" or an array of values";
        error(format!("{path}.sort"), message)
    };
    match value {
        None => Ok(Sort::Ascending),
        Some(Value::Null) => Ok(Sort::DataOrder),
        Some(Value::String(order)) => match order.as_str() {
            "ascending" | "x" => Ok(Sort::Ascending),
            "descending" | "-x" => Ok(Sort::Descending),
            "y" => Ok(Sort::ByY { descending: false }),
            "-y" => Ok(Sort::ByY { descending: true }),
            _ => Err(invalid()),
        },
        Some(Value::Array(items)) => items
            .iter()
            .map(category_label)
            .collect::<Option<Vec<_>>>()
            .map(Sort::Explicit)
            .ok_or_else(invalid),
        Some(Value::Object(obj)) => Ok(sort_object(obj)),
        Some(_) => Err(invalid()),
    }
}

/// `{"field"|"op"|"encoding": ..., "order": ...}`: sorting by another field
/// is, in the charts agents draw, sorting by the measure on y.
fn sort_object(obj: &Map<String, Value>) -> Sort {
    let descending = obj.get("order").and_then(Value::as_str) == Some("descending");
    let by_measure = ["field", "op", "encoding"]
        .iter()
        .any(|key| obj.contains_key(*key));
    match (by_measure, descending) {
        (true, _) => Sort::ByY { descending },
        (false, true) => Sort::Descending,
        (false, false) => Sort::Ascending,
    }
}

// ---------------------------------------------------------------- the data

/// One plotted row: `x` is a number, a time in milliseconds or, for a
/// discrete x, the index of its category; `series` indexes the colors.
#[derive(Debug, Clone, Copy)]
struct Row {
    x: f64,
    y: f64,
    series: usize,
}

#[derive(Debug)]
struct Data {
    rows: Vec<Row>,
    x_kind: FieldType,
    /// The domain of a discrete x, in axis order.
    categories: Vec<String>,
    /// The color domain, empty without a color field.
    series: Vec<String>,
}

enum RawX {
    Label(String),
    Value(f64),
}

struct RawRow {
    x: RawX,
    y: f64,
    series: Option<String>,
}

impl Data {
    fn extract(spec: &Spec) -> Result<Self, ChartError> {
        let channels = [
            ("x", Some(&spec.x)),
            ("y", Some(&spec.y)),
            ("color", spec.color.as_ref()),
        ];
        for (name, channel) in channels {
            if let Some(channel) = channel {
                require_field(&spec.values, channel, name)?;
            }
        }
        let x_kind = spec
            .x
            .kind
            .unwrap_or_else(|| infer_x_type(&spec.values, &spec.x.field));
        let raw = raw_rows(spec, x_kind)?;
        if raw.is_empty() {
            let message = format!(
                "no value has both {} and {}",
                quoted(&spec.x.field),
                quoted(&spec.y.field)
            );
            return Err(error("data.values", message));
        }
        let categories = match x_kind.is_discrete() {
            true => order_categories(&raw, &spec.x.sort),
            false => Vec::new(),
        };
        let mut series = distinct(raw.iter().filter_map(|row| row.series.as_deref()));
        series.sort_by(|a, b| compare_labels(a, b));
        let rows = resolve_rows(raw, &categories, &series);
        Ok(Data {
            rows,
            x_kind,
            categories,
            series,
        })
    }
}

fn require_field(
    values: &[&Map<String, Value>],
    channel: &Channel,
    name: &str,
) -> Result<(), ChartError> {
    if values
        .iter()
        .any(|value| value.contains_key(&channel.field))
    {
        return Ok(());
    }
    let message = format!(
        "{} is not a field of any data.values entry",
        quoted(&channel.field)
    );
    Err(error(format!("encoding.{name}.field"), message))
}

/// Numbers on x are quantitative, anything else nominal.
fn infer_x_type(values: &[&Map<String, Value>], field: &str) -> FieldType {
    let all_numbers = values
        .iter()
        .filter_map(|value| present(value, field))
        .all(Value::is_number);
    match all_numbers {
        true => FieldType::Quantitative,
        false => FieldType::Nominal,
    }
}

/// Rows whose x or y is missing or null are left out, as Vega-Lite does.
fn raw_rows(spec: &Spec, x_kind: FieldType) -> Result<Vec<RawRow>, ChartError> {
    let mut rows = Vec::with_capacity(spec.values.len());
    for (i, value) in spec.values.iter().enumerate() {
        let (Some(x), Some(y)) = (present(value, &spec.x.field), present(value, &spec.y.field))
        else {
            continue;
        };
        let at = |field: &str| format!("data.values[{i}].{field}");
        let x =
            match x_kind {
                FieldType::Quantitative => RawX::Value(number(x, &at(&spec.x.field))?),
                FieldType::Temporal => RawX::Value(time_ms(x, &at(&spec.x.field))?),
                _ => RawX::Label(category_label(x).ok_or_else(|| {
                    error(at(&spec.x.field), "must be a string, number or boolean")
                })?),
            };
        let series = spec.color.as_ref().map(|color| {
            present(value, &color.field)
                .and_then(category_label)
                .unwrap_or_else(|| "null".to_owned())
        });
        let y = number(y, &at(&spec.y.field))?;
        rows.push(RawRow { x, y, series });
    }
    Ok(rows)
}

fn resolve_rows(raw: Vec<RawRow>, categories: &[String], series: &[String]) -> Vec<Row> {
    let index = |labels: &[String]| -> HashMap<String, usize> {
        labels
            .iter()
            .enumerate()
            .map(|(i, label)| (label.clone(), i))
            .collect()
    };
    let (category_index, series_index) = (index(categories), index(series));
    raw.into_iter()
        .map(|row| Row {
            x: match row.x {
                RawX::Label(label) => category_index[&label] as f64,
                RawX::Value(value) => value,
            },
            y: row.y,
            series: row.series.map_or(0, |label| series_index[&label]),
        })
        .collect()
}

fn order_categories(rows: &[RawRow], sort: &Sort) -> Vec<String> {
    let mut labels = distinct(rows.iter().filter_map(|row| match &row.x {
        RawX::Label(label) => Some(label.as_str()),
        RawX::Value(_) => None,
    }));
    match sort {
        Sort::DataOrder => {}
        Sort::Ascending => labels.sort_by(|a, b| compare_labels(a, b)),
        Sort::Descending => labels.sort_by(|a, b| compare_labels(b, a)),
        Sort::ByY { descending } => {
            let totals = totals_by_label(rows);
            labels.sort_by(|a, b| match descending {
                true => totals[b].total_cmp(&totals[a]),
                false => totals[a].total_cmp(&totals[b]),
            });
        }
        Sort::Explicit(order) => {
            labels.sort_by_key(|label| order.iter().position(|o| o == label).unwrap_or(order.len()))
        }
    }
    labels
}

fn totals_by_label(rows: &[RawRow]) -> HashMap<String, f64> {
    let mut totals = HashMap::new();
    for row in rows {
        if let RawX::Label(label) = &row.x {
            *totals.entry(label.clone()).or_insert(0.0) += row.y;
        }
    }
    totals
}

/// Distinct strings in order of first appearance.
fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    items
        .filter(|item| seen.insert(*item))
        .map(str::to_owned)
        .collect()
}

/// Numbers compare as numbers, anything else as text.
fn compare_labels(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(a), Ok(b)) => a.total_cmp(&b),
        _ => a.cmp(b),
    }
}

fn present<'a>(value: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    value.get(field).filter(|value| !value.is_null())
}

fn category_label(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn number(value: &Value, path: &str) -> Result<f64, ChartError> {
    let parsed = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    parsed
        .filter(|number| number.is_finite())
        .ok_or_else(|| error(path, format!("{} is not a number", describe(value))))
}

/// Milliseconds since the epoch: numbers are taken as such, strings parsed
/// as ISO dates (times without an offset are UTC).
fn time_ms(value: &Value, path: &str) -> Result<f64, ChartError> {
    let parsed = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => parse_time(text),
        _ => None,
    };
    parsed.ok_or_else(|| {
        let message = format!(
            "{} is not an ISO date (YYYY-MM-DD or RFC 3339)",
            describe(value)
        );
        error(path, message)
    })
}

fn parse_time(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp.as_millisecond() as f64);
    }
    let text = match text.len() {
        4 => format!("{text}-01-01"),
        7 => format!("{text}-01"),
        _ => text.to_owned(),
    };
    let civil = text.parse::<DateTime>().ok()?;
    let timestamp = civil.to_zoned(TimeZone::UTC).ok()?.timestamp();
    Some(timestamp.as_millisecond() as f64)
}

/// A value as an error message shows it: strings quoted (and cut), other
/// values by kind.
fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => quoted(&clip(text, 40)),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        Value::Null => "null".to_owned(),
    }
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

// ------------------------------------------------------------------ scales

/// The y span of each row: stacked for bars (rows sharing an x pile up in
/// color order, negative values downwards), the value itself otherwise.
fn y_extents(spec: &Spec, data: &Data) -> Vec<(f64, f64)> {
    if spec.mark != Mark::Bar {
        return data.rows.iter().map(|row| (row.y, row.y)).collect();
    }
    let mut order: Vec<usize> = (0..data.rows.len()).collect();
    order.sort_by_key(|&i| data.rows[i].series);
    let mut ends: HashMap<u64, (f64, f64)> = HashMap::new();
    let mut extents = vec![(0.0, 0.0); data.rows.len()];
    for i in order {
        let row = data.rows[i];
        let (up, down) = ends.entry((row.x + 0.0).to_bits()).or_insert((0.0, 0.0));
        let end = if row.y >= 0.0 { up } else { down };
        extents[i] = (*end, *end + row.y);
        *end += row.y;
    }
    extents
}

/// A linear map from a data domain to a pixel range.
#[derive(Debug, Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    fn map(&self, value: f64) -> f64 {
        if self.d1 == self.d0 {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (value - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// The step between ticks for about `count` ticks over `lo..hi`: 1, 2 or
/// 5 times a power of ten (d3's `tickIncrement`).
fn tick_step(lo: f64, hi: f64, count: usize) -> f64 {
    nice_step((hi - lo) / count.max(1) as f64)
}

fn nice_step(raw: f64) -> f64 {
    let base = 10f64.powf(raw.log10().floor());
    let error = raw / base;
    let factor = if error >= 50f64.sqrt() {
        10.0
    } else if error >= 10f64.sqrt() {
        5.0
    } else if error >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    factor * base
}

/// Ticks covering `lo..hi` (the first at or below `lo`, the last at or
/// above `hi`) about `count` of them, on a nice step.
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    ticks_on(lo, hi, tick_step(lo, hi, count))
}

fn ticks_on(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    // Dividing by the inverse of a fractional step keeps 0.3 from
    // becoming 0.30000000000000004.
    let inverse = (1.0 / step).round();
    (first..=last)
        .map(|i| match step < 1.0 {
            true => i as f64 / inverse,
            false => i as f64 * step,
        })
        .collect()
}

/// Tick labels with as many decimals as the step needs and thousands
/// separators.
fn tick_labels(ticks: &[f64], step: f64) -> Vec<String> {
    let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as usize;
    ticks
        .iter()
        .map(|tick| group_thousands(&format!("{tick:.decimals$}")))
        .collect()
}

fn group_thousands(number: &str) -> String {
    let (sign, digits) = match number.strip_prefix('-') {
        Some(rest) if rest.bytes().any(|b| (b'1'..=b'9').contains(&b)) => ("-", rest),
        Some(rest) => ("", rest),
        None => ("", number),
    };
    let (whole, fraction) = digits.split_at(digits.find('.').unwrap_or(digits.len()));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}{fraction}")
}

/// The domain of a continuous axis, never empty.
fn widen(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    match hi > lo {
        true => (lo, hi),
        false => (lo - pad, hi + pad),
    }
}

#[derive(Debug, Clone, Copy)]
enum Interval {
    Millis(i64),
    Months(i64),
}

impl Interval {
    fn approx_ms(self) -> f64 {
        match self {
            Interval::Millis(ms) => ms as f64,
            Interval::Months(months) => months as f64 * 30.44 * DAY as f64,
        }
    }
}

const TIME_INTERVALS: [Interval; 18] = [
    Interval::Millis(SECOND),
    Interval::Millis(5 * SECOND),
    Interval::Millis(15 * SECOND),
    Interval::Millis(30 * SECOND),
    Interval::Millis(MINUTE),
    Interval::Millis(5 * MINUTE),
    Interval::Millis(15 * MINUTE),
    Interval::Millis(30 * MINUTE),
    Interval::Millis(HOUR),
    Interval::Millis(3 * HOUR),
    Interval::Millis(6 * HOUR),
    Interval::Millis(12 * HOUR),
    Interval::Millis(DAY),
    Interval::Millis(2 * DAY),
    Interval::Millis(7 * DAY),
    Interval::Months(1),
    Interval::Months(3),
    Interval::Months(12),
];

/// Ticks on calendar boundaries (UTC) within `lo..=hi` milliseconds, about
/// `count` of them, with labels as precise as each tick needs.
fn time_ticks(lo: f64, hi: f64, count: usize) -> Vec<(f64, String)> {
    let ticks = match time_interval((hi - lo) / count.max(1) as f64) {
        Interval::Millis(step) => fixed_ticks(lo, hi, step),
        Interval::Months(months) => month_ticks(lo, hi, months),
    };
    ticks
        .into_iter()
        .map(|tick| (tick, time_label(tick)))
        .collect()
}

fn time_interval(target_ms: f64) -> Interval {
    if target_ms < SECOND as f64 {
        return Interval::Millis(nice_step(target_ms).max(1.0) as i64);
    }
    let years = nice_step(target_ms / (365.25 * DAY as f64)).ceil().max(1.0) as i64;
    TIME_INTERVALS
        .iter()
        .copied()
        .find(|interval| interval.approx_ms() >= target_ms)
        .unwrap_or(Interval::Months(12 * years))
}

fn fixed_ticks(lo: f64, hi: f64, step: i64) -> Vec<f64> {
    let step = step as f64;
    let (first, last) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
    (first..=last).map(|i| i as f64 * step).collect()
}

fn month_ticks(lo: f64, hi: f64, months: i64) -> Vec<f64> {
    let Some(start) = month_index(lo) else {
        return Vec::new();
    };
    let first = start - start.rem_euclid(months);
    (0..)
        .map_while(|k| month_start_ms(first + k * months))
        .take_while(|&tick| tick <= hi)
        .filter(|&tick| tick >= lo)
        .collect()
}

/// Months since year 0 of the UTC month holding `ms`.
fn month_index(ms: f64) -> Option<i64> {
    let date = Timestamp::from_millisecond(ms as i64)
        .ok()?
        .to_zoned(TimeZone::UTC)
        .date();
    Some(i64::from(date.year()) * 12 + i64::from(date.month()) - 1)
}

fn month_start_ms(index: i64) -> Option<f64> {
    let year = i16::try_from(index.div_euclid(12)).ok()?;
    let month = (index.rem_euclid(12) + 1) as i8;
    let start = Date::new(year, month, 1)
        .ok()?
        .to_zoned(TimeZone::UTC)
        .ok()?;
    Some(start.timestamp().as_millisecond() as f64)
}

/// d3's multi-scale format: the year on new years, the month on the first,
/// the day at midnight, the time otherwise.
fn time_label(ms: f64) -> String {
    let Ok(timestamp) = Timestamp::from_millisecond(ms.round() as i64) else {
        return num(ms);
    };
    let millis = timestamp.as_millisecond();
    let date = timestamp.to_zoned(TimeZone::UTC).date();
    let format = if millis.rem_euclid(SECOND) != 0 {
        "%H:%M:%S%.3f"
    } else if millis.rem_euclid(MINUTE) != 0 {
        "%H:%M:%S"
    } else if millis.rem_euclid(DAY) != 0 {
        "%H:%M"
    } else if date.day() != 1 {
        "%b %d"
    } else if date.month() != 1 {
        "%b"
    } else {
        "%Y"
    };
    timestamp.strftime(format).to_string()
}

// ------------------------------------------------------------------ layout

#[derive(Debug, Clone, Copy)]
struct Frame {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

#[derive(Debug)]
struct Axis {
    scale: Scale,
    /// Tick positions in data units, with their labels.
    ticks: Vec<(f64, String)>,
}

#[derive(Debug)]
struct XAxis {
    axis: Axis,
    bar_width: f64,
    /// Labels too wide for their band are drawn at -45°.
    rotated: bool,
}

#[derive(Debug)]
struct Layout {
    frame: Frame,
    x: XAxis,
    y: Axis,
}

impl Layout {
    fn new(spec: &Spec, data: &Data, extents: &[(f64, f64)]) -> Self {
        let top = if spec.title.is_some() { 44.0 } else { 16.0 };
        let (y_values, y_labels) = y_ticks(spec, extents, spec.height - top - 60.0);
        let y_label_width = y_labels
            .iter()
            .map(|label| text_width(label))
            .fold(0.0, f64::max);
        let left = 14.0 + y_label_width + if spec.y.title.is_some() { 24.0 } else { 6.0 };
        let right = spec.width - legend_width(spec, data).map_or(20.0, |width| width + 16.0);
        let x = x_axis(spec, data, left, right);
        let bottom = spec.height - x_axis_height(&x, spec.x.title.is_some());
        let y_scale = Scale {
            d0: y_values[0],
            d1: y_values[y_values.len() - 1],
            r0: bottom,
            r1: top,
        };
        let y = Axis {
            scale: y_scale,
            ticks: y_values.into_iter().zip(y_labels).collect(),
        };
        let frame = Frame {
            left,
            top,
            right,
            bottom,
        };
        Layout { frame, x, y }
    }
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH
}

fn tick_count(extent: f64, spacing: f64) -> usize {
    (extent / spacing).round().max(2.0) as usize
}

/// The y ticks (which also bound the y domain) and their labels.
fn y_ticks(spec: &Spec, extents: &[(f64, f64)], plot_height: f64) -> (Vec<f64>, Vec<String>) {
    let lo = extents
        .iter()
        .map(|e| e.0.min(e.1))
        .fold(f64::INFINITY, f64::min);
    let hi = extents
        .iter()
        .map(|e| e.0.max(e.1))
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = match spec.y.zero || matches!(spec.mark, Mark::Bar | Mark::Area) {
        true => (lo.min(0.0), hi.max(0.0)),
        false => (lo, hi),
    };
    numeric_ticks(lo, hi, tick_count(plot_height, 50.0))
}

fn numeric_ticks(lo: f64, hi: f64, count: usize) -> (Vec<f64>, Vec<String>) {
    let pad = if lo == 0.0 { 1.0 } else { lo.abs() / 10.0 };
    let (lo, hi) = widen(lo, hi, pad);
    let step = tick_step(lo, hi, count);
    let ticks = ticks_on(lo, hi, step);
    let labels = tick_labels(&ticks, step);
    (ticks, labels)
}

fn x_axis(spec: &Spec, data: &Data, left: f64, right: f64) -> XAxis {
    if data.x_kind.is_discrete() {
        return band_axis(&data.categories, left, right);
    }
    let (lo, hi) = data
        .rows
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), row| {
            (lo.min(row.x), hi.max(row.x))
        });
    let count = tick_count(right - left, 80.0);
    let (ticks, d0, d1) = match data.x_kind {
        FieldType::Temporal => {
            let (lo, hi) = widen(lo, hi, DAY as f64);
            (time_ticks(lo, hi, count), lo, hi)
        }
        _ => {
            let (lo, hi) = if spec.x.zero {
                (lo.min(0.0), hi.max(0.0))
            } else {
                (lo, hi)
            };
            let (values, labels) = numeric_ticks(lo, hi, count);
            let (d0, d1) = (values[0], values[values.len() - 1]);
            (values.into_iter().zip(labels).collect(), d0, d1)
        }
    };
    let bar_width = continuous_bar_width(&data.rows, right - left);
    let inset = if spec.mark == Mark::Bar {
        bar_width / 2.0 + 2.0
    } else {
        0.0
    };
    let scale = Scale {
        d0,
        d1,
        r0: left + inset,
        r1: right - inset,
    };
    XAxis {
        axis: Axis { scale, ticks },
        bar_width,
        rotated: false,
    }
}

fn continuous_bar_width(rows: &[Row], plot_width: f64) -> f64 {
    let distinct: HashSet<u64> = rows.iter().map(|row| (row.x + 0.0).to_bits()).collect();
    (plot_width / distinct.len() as f64 * 0.7).clamp(1.0, 30.0)
}

/// One band per category; labels that do not fit their band turn -45° and,
/// when the bands are thinner than a line, only every few are shown.
fn band_axis(categories: &[String], left: f64, right: f64) -> XAxis {
    let n = categories.len().max(1);
    let step = (right - left) / n as f64;
    let widest = categories
        .iter()
        .map(|c| text_width(&clip(c, MAX_LABEL_CHARS)))
        .fold(0.0, f64::max);
    let rotated = widest > step - 6.0;
    let every = if rotated {
        (14.0 / step).ceil().max(1.0) as usize
    } else {
        1
    };
    let ticks = categories
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, label)| (i as f64, clip(label, MAX_LABEL_CHARS)))
        .collect();
    let scale = Scale {
        d0: -0.5,
        d1: n as f64 - 0.5,
        r0: left,
        r1: right,
    };
    XAxis {
        axis: Axis { scale, ticks },
        bar_width: step * 0.8,
        rotated,
    }
}

fn x_axis_height(x: &XAxis, has_title: bool) -> f64 {
    let widest = x
        .axis
        .ticks
        .iter()
        .map(|(_, label)| text_width(label))
        .fold(0.0, f64::max);
    let labels = if x.rotated {
        16.0 + widest * std::f64::consts::FRAC_1_SQRT_2
    } else {
        22.0
    };
    labels + if has_title { 24.0 } else { 6.0 }
}

fn legend_width(spec: &Spec, data: &Data) -> Option<f64> {
    let color = spec.color.as_ref()?;
    let title = color.title.as_deref().map_or(0.0, text_width);
    let widest = data
        .series
        .iter()
        .map(|s| text_width(&clip(s, MAX_LABEL_CHARS)))
        .fold(title, f64::max);
    Some(widest + 24.0)
}

fn clip(text: &str, max_chars: usize) -> String {
    match text.chars().count() > max_chars {
        true => text.chars().take(max_chars - 1).chain(['…']).collect(),
        false => text.to_owned(),
    }
}

// ----------------------------------------------------------------- drawing

fn draw(spec: &Spec, data: &Data, extents: &[(f64, f64)], layout: &Layout) -> String {
    let (width, height) = (num(spec.width), num(spec.height));
    let mut svg = String::with_capacity(4096 + data.rows.len() * 96);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" style="background:#fff" role="img""##
    );
    if let Some(title) = &spec.title {
        let _ = write!(
            svg,
            r#" aria-label="{}"><title>{}</title>"#,
            escape(title),
            escape(title)
        );
        let x = num(spec.width / 2.0);
        let _ = write!(
            svg,
            r#"<text x="{x}" y="26" text-anchor="middle" font-size="15" font-weight="bold">{}</text>"#,
            escape(title)
        );
    } else {
        svg.push('>');
    }
    draw_y_axis(&mut svg, layout, spec.y.title.as_deref());
    draw_x_axis(&mut svg, layout, spec.x.title.as_deref(), spec.height);
    let colors = series_colors(spec, data);
    svg.push_str(r#"<g class="marks">"#);
    match spec.mark {
        Mark::Bar => draw_bars(&mut svg, data, extents, layout, &colors),
        Mark::Line => draw_lines(&mut svg, data, layout, &colors, false),
        Mark::Area => draw_lines(&mut svg, data, layout, &colors, true),
        Mark::Point => draw_points(&mut svg, data, layout, &colors),
    }
    svg.push_str("</g>");
    if let Some(color) = &spec.color {
        draw_legend(
            &mut svg,
            spec,
            data,
            layout,
            color.title.as_deref(),
            &colors,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn series_colors(spec: &Spec, data: &Data) -> Vec<String> {
    if data.series.is_empty() {
        let color = spec.fixed_color.as_deref().unwrap_or(PALETTE[0]);
        return vec![escape(color)];
    }
    (0..data.series.len())
        .map(|i| PALETTE[i % PALETTE.len()].to_owned())
        .collect()
}

fn draw_y_axis(svg: &mut String, layout: &Layout, title: Option<&str>) {
    let Frame {
        left,
        top,
        right,
        bottom,
    } = layout.frame;
    svg.push_str(r#"<g class="y-axis">"#);
    for (value, label) in &layout.y.ticks {
        let y = num(layout.y.scale.map(*value));
        let _ = write!(
            svg,
            r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#e5e5e5"/><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#888"/><text x="{}" y="{y}" dy="0.32em" text-anchor="end">{}</text>"##,
            num(left),
            num(right),
            num(left - 5.0),
            num(left),
            num(left - 8.0),
            escape(label)
        );
    }
    let _ = write!(
        svg,
        r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#888"/>"##,
        num(top),
        num(bottom),
        x = num(left)
    );
    if let Some(title) = title {
        let (x, y) = (14, num((top + bottom) / 2.0));
        let _ = write!(
            svg,
            r#"<text x="{x}" y="{y}" transform="rotate(-90 {x} {y})" text-anchor="middle" font-weight="bold">{}</text>"#,
            escape(title)
        );
    }
    svg.push_str("</g>");
}

fn draw_x_axis(svg: &mut String, layout: &Layout, title: Option<&str>, height: f64) {
    let Frame {
        left,
        right,
        bottom,
        ..
    } = layout.frame;
    let base = num(bottom);
    svg.push_str(r#"<g class="x-axis">"#);
    let _ = write!(
        svg,
        r##"<line x1="{}" y1="{base}" x2="{}" y2="{base}" stroke="#888"/>"##,
        num(left),
        num(right)
    );
    for (value, label) in &layout.x.axis.ticks {
        let x = num(layout.x.axis.scale.map(*value));
        let _ = write!(
            svg,
            r##"<line x1="{x}" y1="{base}" x2="{x}" y2="{}" stroke="#888"/>"##,
            num(bottom + 5.0)
        );
        let label = escape(label);
        let _ = match layout.x.rotated {
            true => write!(
                svg,
                r#"<text x="{x}" y="{y}" transform="rotate(-45 {x} {y})" text-anchor="end">{label}</text>"#,
                y = num(bottom + 12.0)
            ),
            false => write!(
                svg,
                r#"<text x="{x}" y="{}" text-anchor="middle">{label}</text>"#,
                num(bottom + 18.0)
            ),
        };
    }
    if let Some(title) = title {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
            num((left + right) / 2.0),
            num(height - 10.0),
            escape(title)
        );
    }
    svg.push_str("</g>");
}

fn draw_bars(
    svg: &mut String,
    data: &Data,
    extents: &[(f64, f64)],
    layout: &Layout,
    colors: &[String],
) {
    let width = layout.x.bar_width;
    for (row, (base, end)) in data.rows.iter().zip(extents) {
        let x = layout.x.axis.scale.map(row.x) - width / 2.0;
        let (y0, y1) = (layout.y.scale.map(*base), layout.y.scale.map(*end));
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
            num(x),
            num(y0.min(y1)),
            num(width),
            num((y0 - y1).abs()),
            colors[row.series]
        );
    }
}

/// One polyline per series, its points in x order.
/// A polyline per series; with `filled`, the area down to zero (or the
/// axis) under it too.
fn draw_lines(svg: &mut String, data: &Data, layout: &Layout, colors: &[String], filled: bool) {
    for (series, color) in colors.iter().enumerate() {
        let mut rows: Vec<&Row> = data
            .rows
            .iter()
            .filter(|row| row.series == series)
            .collect();
        rows.sort_by(|a, b| a.x.total_cmp(&b.x));
        let points: Vec<String> = rows
            .iter()
            .map(|row| {
                format!(
                    "{},{}",
                    num(layout.x.axis.scale.map(row.x)),
                    num(layout.y.scale.map(row.y))
                )
            })
            .collect();
        if filled {
            if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
                let (lo, hi) = (
                    layout.y.scale.d0.min(layout.y.scale.d1),
                    layout.y.scale.d0.max(layout.y.scale.d1),
                );
                let base = num(layout.y.scale.map(0.0_f64.clamp(lo, hi)));
                let _ = write!(
                    svg,
                    r#"<polygon points="{},{base} {} {},{base}" fill="{color}" fill-opacity="0.35" stroke="none"/>"#,
                    num(layout.x.axis.scale.map(first.x)),
                    points.join(" "),
                    num(layout.x.axis.scale.map(last.x)),
                );
            }
        }
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
            points.join(" ")
        );
    }
}

fn draw_points(svg: &mut String, data: &Data, layout: &Layout, colors: &[String]) {
    for row in &data.rows {
        let _ = write!(
            svg,
            r#"<circle cx="{}" cy="{}" r="3.5" fill="none" stroke="{}" stroke-width="2"/>"#,
            num(layout.x.axis.scale.map(row.x)),
            num(layout.y.scale.map(row.y)),
            colors[row.series]
        );
    }
}

/// The color legend right of the plot; series that do not fit in its
/// height are summed up in a last "… N more" row.
fn draw_legend(
    svg: &mut String,
    spec: &Spec,
    data: &Data,
    layout: &Layout,
    title: Option<&str>,
    colors: &[String],
) {
    let x = layout.frame.right + 16.0;
    let mut y = layout.frame.top + 4.0;
    svg.push_str(r#"<g class="legend">"#);
    if let Some(title) = title {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" dy="0.32em" font-weight="bold">{}</text>"#,
            num(x),
            num(y),
            escape(&clip(title, MAX_LABEL_CHARS))
        );
        y += LEGEND_ROW + 2.0;
    }
    let room = ((layout.frame.bottom - y) / LEGEND_ROW).floor().max(1.0) as usize;
    let shown = if data.series.len() > room {
        room - 1
    } else {
        data.series.len()
    };
    for (label, color) in data.series.iter().zip(colors).take(shown) {
        draw_swatch(svg, spec.mark, x + 5.0, y, color);
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" dy="0.32em">{}</text>"#,
            num(x + 16.0),
            num(y),
            escape(&clip(label, MAX_LABEL_CHARS))
        );
        y += LEGEND_ROW;
    }
    if shown < data.series.len() {
        let more = data.series.len() - shown;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" dy="0.32em">… {more} more</text>"#,
            num(x),
            num(y)
        );
    }
    svg.push_str("</g>");
}

fn draw_swatch(svg: &mut String, mark: Mark, cx: f64, cy: f64, color: &str) {
    let _ = match mark {
        Mark::Bar => write!(
            svg,
            r#"<rect x="{}" y="{}" width="10" height="10" fill="{color}"/>"#,
            num(cx - 5.0),
            num(cy - 5.0)
        ),
        Mark::Line | Mark::Area => write!(
            svg,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{color}" stroke-width="2"/>"#,
            num(cx - 6.0),
            num(cx + 6.0),
            y = num(cy)
        ),
        Mark::Point => write!(
            svg,
            r#"<circle cx="{}" cy="{}" r="3.5" fill="none" stroke="{color}" stroke-width="2"/>"#,
            num(cx),
            num(cy)
        ),
    };
}

/// A number with at most two decimals, trailing zeros trimmed.
fn num(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" | "" => "0".to_owned(),
        text => text.to_owned(),
    }
}

/// Text for XML content or attributes: the five special characters
/// escaped, characters XML 1.0 does not allow dropped.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    /// The values of `attr` on every `<tag ` element, in document order.
    fn attr_strings(svg: &str, tag: &str, attr: &str) -> Vec<String> {
        let open = format!("<{tag} ");
        let key = format!(" {attr}=\"");
        svg.match_indices(&open)
            .map(|(start, _)| {
                let element = &svg[start..start + svg[start..].find('>').unwrap()];
                let value = &element[element.find(&key).unwrap() + key.len()..];
                value[..value.find('"').unwrap()].to_owned()
            })
            .collect()
    }

    fn attr_numbers(svg: &str, tag: &str, attr: &str) -> Vec<f64> {
        attr_strings(svg, tag, attr)
            .iter()
            .map(|value| value.parse().unwrap())
            .collect()
    }

    fn bar_spec(values: Value) -> Value {
        json!({
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": "Sales",
            "data": {"values": values},
            "mark": "bar",
            "encoding": {
                "x": {"field": "region", "type": "nominal"},
                "y": {"field": "sales", "type": "quantitative"}
            }
        })
    }

    fn message(spec: Value) -> String {
        render_svg(&spec).unwrap_err().to_string()
    }

    /// Parses the SVG with quick-xml: one `svg` root with the namespace
    /// and a viewBox, balanced tags, valid attributes and entities.
    fn assert_well_formed(svg: &str) {
        let mut reader = quick_xml::Reader::from_str(svg);
        let (mut depth, mut roots) = (0, 0);
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(element) => {
                    if depth == 0 {
                        roots += 1;
                        assert_eq!(element.name().as_ref(), b"svg");
                        let attrs: Vec<_> = element.attributes().map(|a| a.unwrap()).collect();
                        let value = |key: &[u8]| {
                            attrs
                                .iter()
                                .find(|a| a.key.as_ref() == key)
                                .map(|a| a.unescape_value().unwrap())
                        };
                        assert_eq!(
                            value(b"xmlns").as_deref(),
                            Some("http://www.w3.org/2000/svg")
                        );
                        assert!(value(b"viewBox").is_some());
                    }
                    for attr in element.attributes() {
                        attr.expect("valid attribute")
                            .unescape_value()
                            .expect("valid entities");
                    }
                    depth += 1;
                }
                Event::Empty(element) => {
                    assert!(depth > 0, "element outside the root");
                    for attr in element.attributes() {
                        attr.expect("valid attribute")
                            .unescape_value()
                            .expect("valid entities");
                    }
                }
                Event::End(_) => depth -= 1,
                Event::GeneralRef(reference) => {
                    let name = reference.decode().unwrap();
                    assert!(
                        reference.is_char_ref()
                            || ["amp", "lt", "gt", "quot", "apos"].contains(&&*name),
                        "unknown entity &{name};"
                    );
                }
                Event::Text(_) => assert!(depth > 0, "text outside the root"),
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!((depth, roots), (0, 1));
    }

    #[test]
    fn bar_chart_has_one_rect_per_value_with_heights_proportional_to_values() {
        let values = [("a", 10.0), ("b", 40.0), ("c", 25.0)];
        let rows: Vec<Value> = values
            .iter()
            .map(|(r, s)| json!({"region": r, "sales": s}))
            .collect();
        let svg = render_svg(&bar_spec(json!(rows))).unwrap();
        let heights = attr_numbers(&svg, "rect", "height");
        assert_eq!(heights.len(), values.len());
        for (height, (_, value)) in heights.iter().zip(&values) {
            let expected = value / 40.0;
            assert!(
                (height / heights[1] - expected).abs() < 0.005,
                "{height} for {value}"
            );
        }
        // Bars stand on the zero line: all end at the same y.
        let ys = attr_numbers(&svg, "rect", "y");
        let bottoms: Vec<f64> = ys.iter().zip(&heights).map(|(y, h)| y + h).collect();
        assert!(
            bottoms.iter().all(|b| (b - bottoms[0]).abs() < 0.02),
            "{bottoms:?}"
        );
        let xs = attr_numbers(&svg, "rect", "x");
        assert!(xs[0] < xs[1] && xs[1] < xs[2], "categories ascend: {xs:?}");
        assert_well_formed(&svg);
    }

    #[test]
    fn bars_sharing_an_x_stack_in_color_order() {
        let mut spec = bar_spec(json!([
            {"region": "a", "sales": 30, "year": "2024"},
            {"region": "a", "sales": 10, "year": "2023"},
            {"region": "b", "sales": 40, "year": "2023"}
        ]));
        spec["encoding"]["color"] = json!({"field": "year", "type": "nominal"});
        let svg = render_svg(&spec).unwrap();
        // Three bars and two legend swatches.
        let heights = attr_numbers(&svg, "rect", "height");
        let ys = attr_numbers(&svg, "rect", "y");
        assert_eq!(heights.len(), 5);
        // 2023 (first in the color domain) at the bottom, 2024 on top of it.
        assert!(
            (ys[1] - (ys[0] + heights[0])).abs() < 0.02,
            "{ys:?} {heights:?}"
        );
        assert!(((heights[0] + heights[1]) / heights[2] - 1.0).abs() < 0.005);
        assert!(svg.contains(r#"<g class="legend">"#) && svg.contains(">2023</text>"));
        assert_well_formed(&svg);
    }

    #[test]
    fn sort_minus_y_orders_bands_by_descending_value() {
        let mut spec = bar_spec(json!([
            {"region": "a", "sales": 1}, {"region": "b", "sales": 3}, {"region": "c", "sales": 2}
        ]));
        spec["encoding"]["x"]["sort"] = json!("-y");
        let svg = render_svg(&spec).unwrap();
        let xs = attr_numbers(&svg, "rect", "x");
        assert!(xs[1] < xs[2] && xs[2] < xs[0], "b, c, a: {xs:?}");
    }

    #[test]
    fn nice_ticks_use_one_two_five_steps() {
        assert_eq!(
            nice_ticks(0.0, 97.0, 5),
            [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(
            nice_ticks(-3.0, 12.0, 5),
            [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
        );
        assert_eq!(
            nice_ticks(1234.0, 5678.0, 4),
            [1000.0, 2000.0, 3000.0, 4000.0, 5000.0, 6000.0]
        );
        assert_eq!(nice_ticks(0.0, 0.3, 3), [0.0, 0.1, 0.2, 0.3]);
    }

    #[test]
    fn tick_labels_have_the_decimals_of_the_step_and_group_thousands() {
        assert_eq!(tick_labels(&[0.0, 0.2, 0.4], 0.2), ["0.0", "0.2", "0.4"]);
        assert_eq!(
            tick_labels(&[-2000.0, 0.0, 12000.0], 2000.0),
            ["-2,000", "0", "12,000"]
        );
        assert_eq!(tick_labels(&[1000000.0], 500000.0), ["1,000,000"]);
        assert_eq!(num(12.3456), "12.35");
        assert_eq!(num(2.50), "2.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(120.0), "120");
    }

    #[test]
    fn text_is_escaped_for_xml() {
        let mut spec = bar_spec(json!([{"region": "x<y & 'z'", "sales": 1}]));
        spec["title"] = json!("Revenue <&> \"Q1\"\u{0007}");
        let svg = render_svg(&spec).unwrap();
        assert!(svg.contains("Revenue &lt;&amp;&gt; &quot;Q1&quot;</text>"));
        assert!(!svg.contains("<&>"));
        assert!(svg.contains("x&lt;y &amp; &apos;z&apos;"));
        assert_well_formed(&svg);
    }

    fn line_spec(values: Value, x_type: &str) -> Value {
        json!({
            "data": {"values": values},
            "mark": {"type": "line"},
            "encoding": {
                "x": {"field": "t", "type": x_type},
                "y": {"field": "v", "type": "quantitative"},
                "color": {"field": "s", "type": "nominal"}
            }
        })
    }

    #[test]
    fn line_chart_draws_one_polyline_per_series_in_x_order() {
        let values = json!([
            {"t": 3, "v": 30, "s": "a"}, {"t": 1, "v": 10, "s": "a"}, {"t": 2, "v": 20, "s": "a"},
            {"t": 2, "v": 5, "s": "b"}, {"t": 1, "v": 7, "s": "b"}
        ]);
        let svg = render_svg(&line_spec(values, "quantitative")).unwrap();
        let lines = attr_strings(&svg, "polyline", "points");
        assert_eq!(lines.len(), 2);
        let points: Vec<(f64, f64)> = lines[0]
            .split(' ')
            .map(|point| {
                let (x, y) = point.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert_eq!(points.len(), 3);
        assert!(
            points.windows(2).all(|w| w[0].0 < w[1].0),
            "x ascends: {points:?}"
        );
        // y grows with x in series a, so the pixel y falls.
        assert!(
            points.windows(2).all(|w| w[0].1 > w[1].1),
            "values follow x: {points:?}"
        );
        assert_eq!(lines[1].split(' ').count(), 2);
        assert_well_formed(&svg);
    }

    #[test]
    fn temporal_x_is_placed_by_time_not_by_input_order() {
        let values = json!([
            {"t": "2024-03-01", "v": 3, "s": "a"},
            {"t": "2024-01-01T00:00:00Z", "v": 1, "s": "a"},
            {"t": "2024-02-01T12:00:00+02:00", "v": 2, "s": "a"}
        ]);
        let mut spec = line_spec(values, "temporal");
        spec["mark"] = json!("point");
        let svg = render_svg(&spec).unwrap();
        let cxs = attr_numbers(&svg, "circle", "cx");
        // The last circle is the legend swatch.
        assert_eq!(cxs.len(), 4);
        assert!(cxs[1] < cxs[2] && cxs[2] < cxs[0], "{cxs:?}");
        // Equal time spans make equal distances: Jan 1 → Feb 1 10:00 UTC
        // vs Feb 1 10:00 → Mar 1.
        let (jan, feb, mar) = (0.0, (31.0 * 24.0 + 10.0) / 24.0, 60.0);
        let ratio = (cxs[2] - cxs[1]) / (cxs[0] - cxs[2]);
        assert!((ratio - (feb - jan) / (mar - feb)).abs() < 0.01, "{ratio}");
        assert_well_formed(&svg);
    }

    #[test]
    fn time_ticks_ascend_on_calendar_boundaries() {
        let ms = |text: &str| parse_time(text).unwrap();
        let ticks = time_ticks(ms("2023-11-15"), ms("2024-06-20"), 8);
        let labels: Vec<&str> = ticks.iter().map(|(_, label)| label.as_str()).collect();
        assert!(ticks.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(labels, ["Dec", "2024", "Feb", "Mar", "Apr", "May", "Jun"]);
        let days = time_ticks(ms("2024-01-01"), ms("2024-01-04"), 3);
        let labels: Vec<&str> = days.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(labels, ["2024", "Jan 02", "Jan 03", "Jan 04"]);
        assert_eq!(ms("2024"), ms("2024-01-01T00:00:00Z"));
        assert!(ms("2024-01-01T00:00:00+01:00") < ms("2024-01-01"));
    }

    #[test]
    fn errors_name_the_spec_path_at_fault() {
        let mut spec = bar_spec(json!([{"region": "a", "sales": 1}]));
        spec["encoding"]["y"]
            .as_object_mut()
            .unwrap()
            .remove("field");
        assert_eq!(message(spec), "encoding.y.field: missing");

        let mut spec = bar_spec(json!([{"region": "a", "sales": 1}]));
        spec["mark"] = json!({"type": "arc"});
        assert_eq!(
            message(spec),
            r#"mark: unsupported mark "arc"; use bar, line, area or point"#
        );

        let empty = "data.values: must be a non-empty array of objects";
        assert_eq!(message(bar_spec(json!([]))), empty);
        assert_eq!(message(bar_spec(json!({"a": 1}))), empty);
        assert_eq!(
            message(bar_spec(json!([1]))),
            "data.values[0]: must be an object"
        );

        let many: Vec<Value> = (0..=MAX_VALUES)
            .map(|i| json!({"region": "a", "sales": i}))
            .collect();
        assert_eq!(
            message(bar_spec(json!(many))),
            "data.values: at most 10 000 values, got 10001"
        );

        let spec = bar_spec(json!([{"region": "a", "sales": 1}, {"region": "b", "sales": "lots"}]));
        assert_eq!(
            message(spec),
            r#"data.values[1].sales: "lots" is not a number"#
        );

        let spec = bar_spec(json!([{"place": "a", "sales": 1}]));
        assert_eq!(
            message(spec),
            r#"encoding.x.field: "region" is not a field of any data.values entry"#
        );

        let mut spec = bar_spec(json!([{"region": "a", "sales": 1}]));
        spec["encoding"]["y"]["aggregate"] = json!("sum");
        assert_eq!(
            message(spec),
            "encoding.y.aggregate: not supported; compute it in data.values"
        );

        let values = json!([{"t": "03/01/2024", "v": 1, "s": "a"}]);
        assert_eq!(
            message(line_spec(values, "temporal")),
            r#"data.values[0].t: "03/01/2024" is not an ISO date (YYYY-MM-DD or RFC 3339)"#
        );
    }

    #[test]
    fn chart_document_holds_the_spec_and_its_svg() {
        let spec = bar_spec(json!([{"region": "a", "sales": 1}]));
        let document = chart_document(spec.clone()).unwrap();
        assert_eq!(document["spec"], spec);
        let svg = document["svg"].as_str().unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\" viewBox=\"0 0 640 400\""));
        assert_eq!(svg, render_svg(&spec).unwrap(), "deterministic");
    }

    #[test]
    fn many_long_categories_rotate_and_still_parse() {
        let rows: Vec<Value> = (0..120)
            .map(|i| json!({"region": format!("a rather long region name {i}"), "sales": i * 3 - 50}))
            .collect();
        let mut spec = bar_spec(json!(rows));
        spec["width"] = json!(500);
        let svg = render_svg(&spec).unwrap();
        assert!(svg.contains("rotate(-45"));
        assert_eq!(attr_numbers(&svg, "rect", "height").len(), 120);
        assert_well_formed(&svg);
    }
}
