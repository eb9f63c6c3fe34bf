//! HTML to clean structured text with `scraper` (html5ever). The main content
//! (`main`, `article`, `[role=main]`, else `body`) is walked in order;
//! navigation, headers, footers, scripts, styles and forms are skipped.
//! Headings open sections, `pre` keeps code verbatim, list items and table
//! rows become their own blocks (cells joined by ` | `).

use scraper::{ElementRef, Html, Node, Selector};

use crate::{BlockKind, DocBuilder, ParsedDoc};

const SKIPPED: &[&str] = &[
    "nav", "header", "footer", "script", "style", "noscript", "aside", "form", "button", "svg",
    "template", "iframe",
];
const BLOCKS: &[&str] = &[
    "p",
    "li",
    "dt",
    "dd",
    "blockquote",
    "figcaption",
    "summary",
    "caption",
];

fn selector(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

/// A crawled page: its parsed text, and what a crawler follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub doc: ParsedDoc,
    /// `href`s of every link, navigation included, as written.
    pub links: Vec<String>,
    /// `<link rel="canonical">`, as written.
    pub canonical: Option<String>,
}

pub fn parse(html: &str) -> ParsedDoc {
    parse_page(html).doc
}

/// Parses a page once for both its text and its links.
pub fn parse_page(html: &str) -> Page {
    let doc = Html::parse_document(html);
    let links = selector("a[href]")
        .map(|s| {
            doc.select(&s)
                .filter_map(|a| a.value().attr("href"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let canonical = selector("link[rel=canonical][href]")
        .and_then(|s| doc.select(&s).next())
        .and_then(|l| l.value().attr("href"))
        .map(str::to_owned);
    Page {
        doc: parse_document(&doc),
        links,
        canonical,
    }
}

fn parse_document(doc: &Html) -> ParsedDoc {
    let title = selector("title")
        .and_then(|s| doc.select(&s).next())
        .map(|t| crate::collapse_whitespace(&t.text().collect::<String>()))
        .unwrap_or_default();
    let redirect = selector("meta[http-equiv]").and_then(|s| {
        doc.select(&s)
            .find(|m| {
                m.value()
                    .attr("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
            })
            .and_then(|m| m.value().attr("content"))
            .and_then(|c| {
                c.split_once('=')
                    .map(|(_, url)| url.trim().trim_matches(['\'', '"']).to_owned())
            })
    });
    let root = ["main", "article", "[role=main]", "body"]
        .iter()
        .filter_map(|s| selector(s))
        .find_map(|s| doc.select(&s).next());
    let mut builder = DocBuilder::default();
    if let Some(root) = root {
        walk(root, &mut builder);
    }
    let title = if title.is_empty() {
        builder_first_heading(&builder).unwrap_or_default()
    } else {
        title
    };
    builder.finish(title, redirect)
}

fn builder_first_heading(b: &DocBuilder) -> Option<String> {
    b.headings.first().map(|(_, h)| h.clone())
}

fn heading_level(name: &str) -> Option<usize> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

fn walk(el: ElementRef, out: &mut DocBuilder) {
    let mut inline = String::new();
    for child in el.children() {
        match child.value() {
            Node::Text(t) => inline.push_str(t),
            Node::Element(e) => {
                let Some(child_el) = ElementRef::wrap(child) else {
                    continue;
                };
                let name = e.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                let is_block = heading_level(name).is_some()
                    || BLOCKS.contains(&name)
                    || matches!(
                        name,
                        "pre" | "table" | "div" | "section" | "ul" | "ol" | "dl" | "br" | "hr"
                    );
                if !is_block {
                    inline.push_str(&child_el.text().collect::<String>());
                    continue;
                }
                out.block(&std::mem::take(&mut inline), BlockKind::Paragraph);
                if let Some(level) = heading_level(name) {
                    out.heading(level, &child_el.text().collect::<String>());
                } else if name == "pre" {
                    out.block(&child_el.text().collect::<String>(), BlockKind::Code);
                } else if name == "table" {
                    table(child_el, out);
                } else if BLOCKS.contains(&name) && !has_block_children(child_el) {
                    out.block(&child_el.text().collect::<String>(), BlockKind::Paragraph);
                } else {
                    walk(child_el, out);
                }
            }
            _ => {}
        }
    }
    out.block(&inline, BlockKind::Paragraph);
}

fn has_block_children(el: ElementRef) -> bool {
    el.children().filter_map(ElementRef::wrap).any(|c| {
        matches!(
            c.value().name(),
            "p" | "ul" | "ol" | "pre" | "table" | "div"
        )
    })
}

fn table(el: ElementRef, out: &mut DocBuilder) {
    let (Some(rows), Some(cells)) = (selector("tr"), selector("th, td")) else {
        return;
    };
    let text: Vec<String> = el
        .select(&rows)
        .map(|row| {
            row.select(&cells)
                .map(|c| crate::collapse_whitespace(&c.text().collect::<String>()))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .filter(|r| !r.is_empty())
        .collect();
    out.block(&text.join("\n"), BlockKind::Table);
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><head><title>Refunds - Help</title></head><body>
        <nav><a href="/">Home</a> | <a href="/docs">Docs</a></nav>
        <main>
          <h1>Refunds</h1>
          <p>Refunds are   processed <b>within 30 days</b>.</p>
          <h2>Exceptions</h2>
          <ul><li>Gift cards</li><li>Sale items</li></ul>
          <pre><code>fn main() {
    println!("hi");
}</code></pre>
          <table><tr><th>Plan</th><th>Price</th></tr><tr><td>Team</td><td>$99</td></tr></table>
          <script>var tracking = 1;</script>
        </main>
        <footer>© Example</footer></body></html>"#;

    #[test]
    fn keeps_structure_and_drops_boilerplate() {
        let doc = parse(PAGE);
        assert_eq!(doc.title, "Refunds - Help");
        assert!(
            !doc.text.contains("Home"),
            "navigation leaked: {}",
            doc.text
        );
        assert!(!doc.text.contains("tracking") && !doc.text.contains("©"));
        assert!(doc.text.contains("Refunds are processed within 30 days."));
        assert!(
            doc.text.contains("fn main() {\n    println!(\"hi\");\n}"),
            "code kept verbatim"
        );
        assert!(doc.text.contains("Plan | Price\nTeam | $99"));
        let gift = doc
            .blocks
            .iter()
            .find(|b| &doc.text[b.start..b.end] == "Gift cards")
            .unwrap();
        assert_eq!(gift.heading_path, vec!["Refunds", "Exceptions"]);
        assert!(doc.redirect.is_none());
    }

    #[test]
    fn meta_refresh_pages_are_redirects() {
        let doc = parse(
            r#"<html><head><meta http-equiv="refresh" content="0; URL=ch18-00-oop.html"></head><body>Moved</body></html>"#,
        );
        assert_eq!(doc.redirect.as_deref(), Some("ch18-00-oop.html"));
    }
}
