//! Office and data formats to blocks: PDF (text layer, by page, through
//! pdf-extract), DOCX (paragraphs, heading styles, lists and tables, through
//! docx-rs; the `Title` style sits above every heading) and CSV (one `column: value` line per row, in table blocks).
//!
//! PDF text comes from the text layer only: scanned pages (images) yield no
//! text, and the reading order is the order of the content stream.

use crate::{BlockKind, DocBuilder, ParsedDoc};

/// CSV rows per table block, so one block fits a chunk comfortably.
const CSV_ROWS_PER_BLOCK: usize = 20;

/// Text of a PDF's pages; each page's paragraphs (blank-line separated)
/// become blocks under a "Page N" heading path.
pub fn pdf(bytes: &[u8], title: &str) -> Result<ParsedDoc, String> {
    // pdf-extract panics on some malformed files; a panic is a parse error.
    let pages = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes))
        .map_err(|_| "the PDF could not be read (malformed file)".to_owned())?
        .map_err(|e| format!("the PDF could not be read: {e}"))?;
    let mut b = DocBuilder::default();
    for (n, page) in pages.iter().enumerate() {
        b.heading(1, &format!("Page {}", n + 1));
        for paragraph in page.split("\n\n") {
            b.block(paragraph, BlockKind::Paragraph);
        }
    }
    let doc = b.finish(title.to_owned(), None);
    if doc.blocks.iter().all(|b| b.kind == BlockKind::Heading) {
        return Err("the PDF has no text layer (scanned pages are not read)".into());
    }
    Ok(drop_empty_pages(doc))
}

/// Removes "Page N" headings that ended up with no text under them.
fn drop_empty_pages(doc: ParsedDoc) -> ParsedDoc {
    let mut b = DocBuilder::default();
    let blocks = &doc.blocks;
    for (i, block) in blocks.iter().enumerate() {
        let text = &doc.text[block.start..block.end];
        if block.kind == BlockKind::Heading {
            let has_text = blocks
                .get(i + 1)
                .is_some_and(|next| next.kind != BlockKind::Heading);
            if has_text {
                b.heading(1, text);
            }
        } else {
            b.block(text, block.kind);
        }
    }
    b.finish(doc.title, None)
}

/// A Word document: `Title`/`HeadingN` styles open sections, numbered
/// paragraphs become list items, tables become `cell | cell` lines.
pub fn docx(bytes: &[u8], fallback_title: &str) -> Result<ParsedDoc, String> {
    use docx_rs::DocumentChild;
    let parsed =
        docx_rs::read_docx(bytes).map_err(|e| format!("the DOCX could not be read: {e}"))?;
    let mut b = DocBuilder::default();
    let mut title = None;
    for child in &parsed.document.children {
        match child {
            DocumentChild::Paragraph(p) => {
                let text = p.raw_text();
                match heading_level(p) {
                    Some(0) => {
                        title.get_or_insert_with(|| text.trim().to_owned());
                        b.heading(0, &text);
                    }
                    Some(level) => b.heading(level, &text),
                    None if is_list_item(p) => b.block(&format!("- {text}"), BlockKind::Paragraph),
                    None => b.block(&text, BlockKind::Paragraph),
                }
            }
            DocumentChild::Table(t) => b.block(&table_text(t), BlockKind::Table),
            _ => {}
        }
    }
    let title = title
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| fallback_title.to_owned());
    Ok(b.finish(title, None))
}

/// 0 for the `Title` style, N for `HeadingN`, `None` for body text.
fn heading_level(p: &docx_rs::Paragraph) -> Option<usize> {
    let style = p.property.style.as_ref()?.val.to_ascii_lowercase();
    if style == "title" {
        return Some(0);
    }
    let level: usize = style.strip_prefix("heading")?.trim().parse().ok()?;
    Some(level.clamp(1, 6))
}

/// Numbered directly, or styled as a list (`ListBullet`, `ListNumber`, …).
fn is_list_item(p: &docx_rs::Paragraph) -> bool {
    p.has_numbering
        || p.property
            .style
            .as_ref()
            .is_some_and(|s| s.val.to_ascii_lowercase().starts_with("list"))
}

fn table_text(table: &docx_rs::Table) -> String {
    use docx_rs::{TableCellContent, TableChild, TableRowChild};
    let mut lines = Vec::new();
    for TableChild::TableRow(row) in &table.rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|TableRowChild::TableCell(cell)| {
                cell.children
                    .iter()
                    .filter_map(|c| match c {
                        TableCellContent::Paragraph(p) => Some(p.raw_text()),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        lines.push(cells.join(" | "));
    }
    lines.join("\n")
}

/// A CSV file with a header row: every row becomes `column: value; …`.
pub fn csv(bytes: &[u8], title: &str) -> Result<ParsedDoc, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("the CSV could not be read: {e}"))?
        .clone();
    let mut b = DocBuilder::default();
    b.heading(1, title);
    let mut lines = Vec::with_capacity(CSV_ROWS_PER_BLOCK);
    for (n, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| format!("the CSV could not be read at row {}: {e}", n + 2))?;
        let line = record
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(i, v)| match headers.get(i) {
                Some(h) if !h.trim().is_empty() => format!("{h}: {v}"),
                _ => v.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        lines.push(line);
        if lines.len() == CSV_ROWS_PER_BLOCK {
            b.block(&lines.join("\n"), BlockKind::Table);
            lines.clear();
        }
    }
    b.block(&lines.join("\n"), BlockKind::Table);
    Ok(b.finish(title.to_owned(), None))
}
