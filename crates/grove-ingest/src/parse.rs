//! Raw content to a [`ParsedDoc`], chosen by media type or file extension.

use crate::ParsedDoc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Text,
}

fn format(media: &str, name: &str) -> Option<Format> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match (media, ext.as_deref()) {
        ("text/html" | "application/xhtml+xml", _) | (_, Some("html" | "htm")) => {
            Some(Format::Html)
        }
        ("text/plain" | "text/markdown" | "text/x-markdown", _)
        | (_, Some("md" | "markdown" | "txt")) => Some(Format::Text),
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
        None => Err(format!("{name}: unsupported content type `{media}`")),
    }
}
