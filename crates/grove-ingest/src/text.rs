//! Plain text and Markdown to blocks: blank lines separate paragraphs, `#`
//! lines are headings, fenced code is kept verbatim.

use crate::{BlockKind, DocBuilder, ParsedDoc};

pub fn parse(text: &str, fallback_title: &str) -> ParsedDoc {
    let mut b = DocBuilder::default();
    let mut paragraph = String::new();
    let mut code: Option<String> = None;
    let mut title = None;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            match code.take() {
                Some(c) => b.block(&c, BlockKind::Code),
                None => {
                    b.block(&std::mem::take(&mut paragraph), BlockKind::Paragraph);
                    code = Some(String::new());
                }
            }
            continue;
        }
        if let Some(c) = code.as_mut() {
            c.push_str(line);
            c.push('\n');
            continue;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            b.block(&std::mem::take(&mut paragraph), BlockKind::Paragraph);
            let heading = line[hashes..].trim();
            title.get_or_insert_with(|| heading.to_owned());
            b.heading(hashes, heading);
        } else if line.trim().is_empty() {
            b.block(&std::mem::take(&mut paragraph), BlockKind::Paragraph);
        } else {
            paragraph.push_str(line);
            paragraph.push('\n');
        }
    }
    if let Some(c) = code {
        b.block(&c, BlockKind::Code);
    }
    b.block(&paragraph, BlockKind::Paragraph);
    b.finish(title.unwrap_or_else(|| fallback_title.to_owned()), None)
}

#[cfg(test)]
mod tests {
    #[test]
    fn markdown_headings_paragraphs_and_code() {
        let doc = super::parse(
            "# Guide\n\nIntro line\ncontinues.\n\n## Setup\n\n```\ncargo run\n```\n",
            "x",
        );
        assert_eq!(doc.title, "Guide");
        assert!(doc.text.contains("Intro line continues."));
        let code = doc
            .blocks
            .iter()
            .find(|b| b.kind == crate::BlockKind::Code)
            .unwrap();
        assert_eq!(&doc.text[code.start..code.end], "cargo run");
        assert_eq!(code.heading_path, vec!["Guide", "Setup"]);
    }
}
