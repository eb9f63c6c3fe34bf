//! Times the PDF export of a report: a summary, highlights, a line chart
//! and a table long enough to fill five A4 pages in all.
//!
//! `cargo run --release -p grove-report --example pdf_bench -- [RUNS] [OUT.pdf]`

use std::time::Instant;

use grove_core::ids::DocumentOutputId;
use grove_core::jobs::{ChatDocument, DocumentKind};
use grove_report::choose::chart_spec;
use grove_report::documents::{table_content, Report, Section};
use grove_report::highlights::highlights;
use grove_report::pdf::{document_blocks, render};
use grove_sql::{Column, QueryResult};
use serde_json::{json, Value};

fn document(kind: DocumentKind, title: &str, content: Value) -> ChatDocument {
    ChatDocument {
        id: DocumentOutputId::generate(),
        kind,
        title: title.into(),
        content,
        created_at: jiff::Timestamp::now(),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let out = args.next();
    let result = QueryResult {
        columns: vec![
            Column {
                name: "day".into(),
                data_type: "date".into(),
            },
            Column {
                name: "orders".into(),
                data_type: "int8".into(),
            },
            Column {
                name: "revenue".into(),
                data_type: "numeric".into(),
            },
        ],
        rows: (0..130)
            .map(|i| {
                let day = jiff::civil::date(2026, 1, 1)
                    .checked_add(jiff::Span::new().days(i))
                    .unwrap();
                vec![
                    json!(day.to_string()),
                    json!(40 + (i * 7) % 23),
                    json!(1000.0 + (i as f64 * 0.3).sin() * 250.0),
                ]
            })
            .collect(),
        row_count: 130,
        ..QueryResult::default()
    };
    let table = document(
        DocumentKind::Table,
        "Daily orders",
        table_content(&result, "res_bench", "SELECT …"),
    );
    let spec = chart_spec(&result, None, "Orders by day").unwrap().unwrap();
    let chart = document(
        DocumentKind::Chart,
        "Orders by day",
        grove_report::chart::chart_document(spec).unwrap(),
    );
    let report = Report {
        title: "Daily orders".into(),
        summary: "One query ran: Daily orders (130 rows).".into(),
        highlights: highlights(&result),
        sections: vec![Section {
            heading: "Daily orders".into(),
            text: "Orders and revenue for each day of the period.".into(),
            document_ids: vec![chart.id.to_string(), table.id.to_string()],
        }],
    };
    let report = document(
        DocumentKind::Report,
        "Daily orders",
        serde_json::to_value(&report).unwrap(),
    );
    let chat = vec![table, chart, report.clone()];
    let mut times = Vec::with_capacity(runs);
    let mut pdf = Vec::new();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        pdf = render("Daily orders", &document_blocks(&report, &chat)).unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let pages = String::from_utf8_lossy(&pdf)
        .matches("/Type /Page\n")
        .count();
    println!(
        "pdf: {} bytes; render p50 {:.1} ms, max {:.1} ms over {} runs (the first includes loading the fonts)",
        pdf.len(),
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
    let _ = pages;
    if let Some(out) = out {
        std::fs::write(&out, &pdf).unwrap();
        println!("written to {out}");
    }
}
