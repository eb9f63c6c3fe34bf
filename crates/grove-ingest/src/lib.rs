//! Grove's ingestion side: parsers that turn source formats into clean text
//! with its structure (title, headings, lists, code, tables), and the chunker
//! that cuts that text into token-bounded, structure-aligned chunks with byte
//! offsets for citations; connectors (the website crawler) behind one trait,
//! an SSRF-guarded HTTP client, and the sync runner that indexes what
//! connectors stream.

pub mod chunk;
pub mod documents;
pub mod files;
pub mod html;
pub mod local;
pub mod net;
pub mod parse;
pub mod source;
pub mod sync;
pub mod text;
pub mod web;

/// A parsed document: clean text and the blocks it is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDoc {
    pub title: String,
    /// Blocks joined by blank lines; offsets below index into it.
    pub text: String,
    pub blocks: Vec<Block>,
    /// Set when the page only redirects elsewhere (meta refresh).
    pub redirect: Option<String>,
}

/// A paragraph, list item, code block, table or heading of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Headings above the block, outermost first.
    pub heading_path: Vec<String>,
    pub start: usize,
    pub end: usize,
    pub kind: BlockKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading,
    Paragraph,
    Code,
    Table,
}

/// Builds a [`ParsedDoc`] block by block.
#[derive(Default)]
pub struct DocBuilder {
    text: String,
    blocks: Vec<Block>,
    headings: Vec<(usize, String)>,
}

impl DocBuilder {
    /// Opens a section under a heading of `level` (1 = top).
    pub fn heading(&mut self, level: usize, title: &str) {
        let title = collapse_whitespace(title);
        if title.is_empty() {
            return;
        }
        self.headings.retain(|(l, _)| *l < level);
        self.headings.push((level, title.clone()));
        self.push(&title, BlockKind::Heading);
    }

    /// Adds a block of text (whitespace collapsed unless it is code).
    pub fn block(&mut self, text: &str, kind: BlockKind) {
        let text = match kind {
            BlockKind::Code => text.trim_matches('\n').to_owned(),
            BlockKind::Table => text
                .lines()
                .map(collapse_whitespace)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
            _ => collapse_whitespace(text),
        };
        if !text.trim().is_empty() {
            self.push(&text, kind);
        }
    }

    fn push(&mut self, text: &str, kind: BlockKind) {
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        let start = self.text.len();
        self.text.push_str(text);
        self.blocks.push(Block {
            heading_path: self.headings.iter().map(|(_, h)| h.clone()).collect(),
            start,
            end: self.text.len(),
            kind,
        });
    }

    pub fn finish(self, title: String, redirect: Option<String>) -> ParsedDoc {
        ParsedDoc {
            title,
            text: self.text,
            blocks: self.blocks,
            redirect,
        }
    }
}

pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
