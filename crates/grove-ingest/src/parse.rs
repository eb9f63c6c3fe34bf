//! Raw content to a [`ParsedDoc`], chosen by media type or file extension:
//! the one place that knows which formats Grove reads.

use crate::ParsedDoc;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The formats read, for error messages.
pub const SUPPORTED: &str = "HTML, Markdown, plain text, PDF, DOCX and CSV";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Text,
    Pdf,
    Docx,
    Csv,
}

fn format(media: &str, name: &str) -> Option<Format> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match (media, ext.as_deref()) {
        ("text/html" | "application/xhtml+xml", _) | (_, Some("html" | "htm")) => {
            Some(Format::Html)
        }
        ("text/plain" | "text/markdown" | "text/x-markdown", _)
        | (_, Some("md" | "markdown" | "txt")) => Some(Format::Text),
        ("application/pdf", _) | (_, Some("pdf")) => Some(Format::Pdf),
        (DOCX, _) | (_, Some("docx")) => Some(Format::Docx),
        ("text/csv", _) | (_, Some("csv")) => Some(Format::Csv),
        _ => None,
    }
}

/// Whether content of this media type or file name can be parsed.
pub fn supported(media: &str, name: &str) -> bool {
    format(media, name).is_some()
}

/// Parses raw content; the error says why it could not be read.
pub fn parse_raw(name: &str, media: &str, bytes: &[u8]) -> Result<ParsedDoc, String> {
    let stem = name
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.').map(|(s, _)| s).or(Some(n)))
        .filter(|s| !s.is_empty())
        .unwrap_or("document");
    let text = || std::str::from_utf8(bytes).map_err(|e| format!("{name}: not UTF-8 text ({e})"));
    match format(media, name) {
        Some(Format::Html) => Ok(crate::html::parse(&String::from_utf8_lossy(bytes))),
        Some(Format::Text) => Ok(crate::text::parse(text()?, stem)),
        Some(Format::Pdf) => crate::documents::pdf(bytes, stem),
        Some(Format::Docx) => crate::documents::docx(bytes, stem),
        Some(Format::Csv) => crate::documents::csv(bytes, stem),
        None => Err(format!("{name}: unsupported content type `{media}`")),
    }
}
