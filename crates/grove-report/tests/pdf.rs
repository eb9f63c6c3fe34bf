//! A report rendered to PDF and read back with poppler (`pdftotext`,
//! `pdftoppm`): the title, a highlight, table cells and the chart's labels
//! are selectable text, long tables run over pages with page numbers, and
//! the pages render.

use std::process::Command;

use grove_core::ids::DocumentOutputId;
use grove_core::jobs::{ChatDocument, DocumentKind};
use grove_report::choose::chart_spec;
use grove_report::documents::{table_content, Report, Section};
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

fn orders(rows: usize) -> QueryResult {
    QueryResult {
        columns: vec![
            Column {
                name: "day".into(),
                data_type: "date".into(),
            },
            Column {
                name: "region".into(),
                data_type: "text".into(),
            },
            Column {
                name: "revenue".into(),
                data_type: "numeric".into(),
            },
        ],
        rows: (0..rows)
            .map(|i| {
                let day = jiff::civil::date(2026, 1, 1)
                    .checked_add(jiff::Span::new().days(i as i64))
                    .unwrap();
                vec![
                    json!(day.to_string()),
                    json!(if i % 2 == 0 { "EU" } else { "US" }),
                    json!(100.0 + i as f64 * 1.5),
                ]
            })
            .collect(),
        row_count: rows as u64,
        ..QueryResult::default()
    }
}

fn text_of(pdf: &[u8]) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8_lossy(&out.stdout).into_owned(), dir)
}

#[test]
fn a_report_becomes_a_paged_pdf_with_selectable_text_and_vector_charts() {
    let result = orders(150);
    let table = document(
        DocumentKind::Table,
        "Daily revenue",
        table_content(&result, "res_abc", "SELECT 1"),
    );
    let spec = chart_spec(&result, None, "Revenue by day")
        .unwrap()
        .unwrap();
    let chart = document(
        DocumentKind::Chart,
        "Revenue by day",
        grove_report::chart::chart_document(spec).unwrap(),
    );
    let report = Report {
        title: "Quarterly revenue review".into(),
        summary: "One query ran: Daily revenue (150 rows).".into(),
        highlights: vec![
            "revenue: total 31,762.5, average 211.75".into(),
            "Largest revenue: 323.5 (region US)".into(),
        ],
        sections: vec![Section {
            heading: "Daily revenue".into(),
            text: "Revenue rose steadily through the quarter.".into(),
            document_ids: vec![chart.id.to_string(), table.id.to_string()],
        }],
    };
    let report = document(
        DocumentKind::Report,
        "Quarterly revenue review",
        serde_json::to_value(&report).unwrap(),
    );
    let chat = vec![table.clone(), chart.clone(), report.clone()];

    let pdf = render("Quarterly revenue review", &document_blocks(&report, &chat)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let (text, dir) = text_of(&pdf);
    for expected in [
        "Quarterly revenue review",
        "Largest revenue: 323.5 (region US)",
        "Revenue rose steadily",
        "2026-01-01",
        "323.5",
        "Revenue by day",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` is not in the PDF's text:\n{text}"
        );
    }
    let pages = text.matches("Page ").count();
    assert!(
        pages >= 4,
        "150 rows and a chart should run over several pages: {pages}\n{text}"
    );
    assert!(text.contains(&format!("Page {pages} of {pages}")), "{text}");

    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "1", "-l", "1"])
        .arg(dir.path().join("report.pdf"))
        .arg(dir.path().join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    let rendered: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .collect();
    assert_eq!(rendered.len(), 1);
    assert!(rendered[0].metadata().unwrap().len() > 1000);
}

#[test]
fn a_single_table_or_text_document_exports_on_its_own() {
    let table = document(
        DocumentKind::Table,
        "Regions",
        json!({"columns": ["region", "total"], "rows": [["EU", 10.5], ["US", null]], "truncated": true}),
    );
    let (text, _dir) = text_of(&render("Regions", &document_blocks(&table, &[])).unwrap());
    assert!(
        text.contains("Regions") && text.contains("EU") && text.contains("10.5"),
        "{text}"
    );
    assert!(
        text.contains("more rows than the connector's max_rows"),
        "{text}"
    );
    assert!(text.contains("Page 1 of 1"), "{text}");
    let long = "word ".repeat(2000);
    let answer = document(DocumentKind::Text, "Answer", json!({"text": long}));
    let (text, _dir) = text_of(&render("Answer", &document_blocks(&answer, &[])).unwrap());
    assert!(
        text.contains("Page 2 of"),
        "a long text wraps onto a second page:\n{text}"
    );
}
