//! PDF export of chat documents: a report (title, summary, highlights,
//! sections with the tables and charts they name), or one table, chart or
//! text. Laid out by hand on A4 pages — headings, wrapped paragraphs,
//! bullet lists, tables with a repeated header row, charts as vector
//! graphics — then drawn with krilla, whose embedded, subsetted fonts keep
//! the text selectable. Every page carries "Page i of n".
//!
//! Layout is a first pass that places [`Op`]s on pages; the second pass
//! draws them, once the page count is known.

use std::sync::{Arc, OnceLock};

use grove_core::jobs::{ChatDocument, DocumentKind};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};
use serde_json::Value;
use skrifa::MetadataProvider;

use crate::documents::Report;

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where content stops, above the page number.
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 10.0;
const BODY: f32 = 10.0;
const LINE: f32 = 1.35;
/// Table rows drawn at most; the rest are counted in a note.
const MAX_TABLE_ROWS: usize = 500;
/// Table columns drawn at most.
const MAX_TABLE_COLUMNS: usize = 8;
const CELL_PADDING: f32 = 3.0;
/// Characters of one word laid out; the rest of a longer one is dropped.
const MAX_WORD_CHARS: usize = 400;

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the chart could not be read: {0}")]
    Chart(String),
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// Something a page shows, in reading order.
#[derive(Debug, Clone)]
pub enum Block {
    /// The document's title.
    Title(String),
    Heading(String),
    Paragraph(String),
    Bullets(Vec<String>),
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<Value>>,
        note: Option<String>,
    },
    /// A chart's SVG, drawn as vector graphics at the content width.
    Chart(String),
}

/// The two fonts, parsed once.
struct Fonts {
    regular: Font,
    bold: Font,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        // The fonts are compiled in; they parse or the build is broken.
        regular: Font::new(REGULAR.into(), 0).expect("the embedded regular font parses"),
        bold: Font::new(BOLD.into(), 0).expect("the embedded bold font parses"),
    })
}

/// The width of `text` at `size` in points.
fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let Ok(font) = skrifa::FontRef::new(if bold { BOLD } else { REGULAR }) else {
        return text.chars().count() as f32 * size * 0.6;
    };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(
        skrifa::instance::Size::new(size),
        skrifa::instance::LocationRef::default(),
    );
    text.chars()
        .map(|c| {
            charmap
                .map(c)
                .and_then(|g| metrics.advance_width(g))
                .unwrap_or(size * 0.6)
        })
        .sum()
}

/// `text` broken into lines no wider than `width` (a word longer than a
/// line is cut where it must be).
fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            // Measuring is linear in the word: cut absurd ones first.
            let word = match word.char_indices().nth(MAX_WORD_CHARS) {
                Some((at, _)) => &word[..at],
                None => word,
            };
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, size, bold) <= width
                || line.is_empty() && text_width(word, size, bold) <= width
            {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word.to_owned();
            while text_width(&rest, size, bold) > width {
                let cut = fitting(&rest, size, bold, width);
                lines.push(rest[..cut].to_owned());
                rest = rest[cut..].to_owned();
            }
            line = rest;
        }
        lines.push(line);
    }
    lines
}

/// The byte length of the longest prefix of `text` that fits (at least
/// one character).
fn fitting(text: &str, size: f32, bold: bool, width: f32) -> usize {
    let mut end = text.chars().next().map_or(0, char::len_utf8);
    for (i, c) in text.char_indices().skip(1) {
        if text_width(&text[..i + c.len_utf8()], size, bold) > width {
            break;
        }
        end = i + c.len_utf8();
    }
    end
}

/// `text` cut with an ellipsis to fit `width`.
fn clipped(text: &str, size: f32, bold: bool, width: f32) -> String {
    if text_width(text, size, bold) <= width {
        return text.to_owned();
    }
    let room = width - text_width("…", size, bold);
    if room <= 0.0 {
        return String::new();
    }
    format!("{}…", &text[..fitting(text, size, bold, room)])
}

#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: u8,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Svg {
        tree: Arc<usvg::Tree>,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// The first pass: ops placed on pages.
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Layout {
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a layout always has a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Makes room for `height`, starting a page if it does not fit.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > MARGIN {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, text: String) {
        let y = self.y + size;
        self.ops().push(Op::Text {
            x,
            y,
            size,
            bold,
            text,
        });
    }

    fn lines(&mut self, text: &str, size: f32, bold: bool, indent: f32) {
        for line in wrap(text, size, bold, CONTENT_WIDTH - indent) {
            self.room(size * LINE);
            self.text(MARGIN + indent, size, bold, line);
            self.y += size * LINE;
        }
    }

    fn block(&mut self, block: &Block) -> Result<(), PdfError> {
        match block {
            Block::Title(text) => {
                self.lines(text, 20.0, true, 0.0);
                self.y += 8.0;
            }
            Block::Heading(text) => {
                self.room(14.0 * LINE * 3.0);
                self.y += 6.0;
                self.lines(text, 14.0, true, 0.0);
                self.y += 2.0;
            }
            Block::Paragraph(text) => {
                self.lines(text, BODY, false, 0.0);
                self.y += 6.0;
            }
            Block::Bullets(items) => {
                for item in items {
                    self.room(BODY * LINE);
                    self.text(MARGIN + 4.0, BODY, false, "•".into());
                    self.lines(item, BODY, false, 14.0);
                }
                self.y += 6.0;
            }
            Block::Table {
                columns,
                rows,
                note,
            } => self.table(columns, rows, note.as_deref()),
            Block::Chart(svg) => self.chart(svg)?,
        }
        Ok(())
    }

    fn table(&mut self, columns: &[String], rows: &[Vec<Value>], note: Option<&str>) {
        let shown = columns.len().clamp(1, MAX_TABLE_COLUMNS);
        let width = CONTENT_WIDTH / shown as f32;
        let height = BODY * LINE + 2.0 * CELL_PADDING;
        let header = |layout: &mut Layout| {
            let y = layout.y;
            layout.ops().push(Op::Rect {
                x: MARGIN,
                y,
                w: CONTENT_WIDTH,
                h: height,
                gray: 225,
            });
            for (i, name) in columns.iter().take(shown).enumerate() {
                let x = MARGIN + i as f32 * width + CELL_PADDING;
                let text = clipped(name, BODY, true, width - 2.0 * CELL_PADDING);
                layout.ops().push(Op::Text {
                    x,
                    y: y + CELL_PADDING + BODY,
                    size: BODY,
                    bold: true,
                    text,
                });
            }
            layout.y += height;
        };
        self.room(height * 2.0);
        header(self);
        for row in rows.iter().take(MAX_TABLE_ROWS) {
            if self.y + height > BOTTOM {
                self.new_page();
                header(self);
            }
            let y = self.y;
            for (i, cell) in row.iter().take(shown).enumerate() {
                let x = MARGIN + i as f32 * width + CELL_PADDING;
                let text = clipped(&cell_text(cell), BODY, false, width - 2.0 * CELL_PADDING);
                self.ops().push(Op::Text {
                    x,
                    y: y + CELL_PADDING + BODY,
                    size: BODY,
                    bold: false,
                    text,
                });
            }
            self.y += height;
            let y = self.y;
            self.ops().push(Op::Line {
                x1: MARGIN,
                y1: y,
                x2: MARGIN + CONTENT_WIDTH,
                y2: y,
            });
        }
        let mut notes: Vec<String> = note.map(str::to_owned).into_iter().collect();
        if rows.len() > MAX_TABLE_ROWS {
            notes.push(format!(
                "{} more rows are not shown.",
                rows.len() - MAX_TABLE_ROWS
            ));
        }
        if columns.len() > shown {
            notes.push(format!(
                "{} more columns are not shown.",
                columns.len() - shown
            ));
        }
        self.y += 4.0;
        for note in notes {
            self.lines(&note, BODY - 1.0, false, 0.0);
        }
        self.y += 8.0;
    }

    fn chart(&mut self, svg: &str) -> Result<(), PdfError> {
        let tree = chart_tree(svg)?;
        let size = tree.size();
        let w = CONTENT_WIDTH;
        let h = (w * size.height() / size.width()).min(BOTTOM - MARGIN);
        self.room(h);
        let y = self.y;
        self.ops().push(Op::Svg {
            tree: Arc::new(tree),
            x: MARGIN,
            y,
            w,
            h,
        });
        self.y += h + 10.0;
        Ok(())
    }
}

fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Parses a chart SVG with the embedded fonts standing for `sans-serif`.
fn chart_tree(svg: &str) -> Result<usvg::Tree, PdfError> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    let options = OPTIONS.get_or_init(|| {
        let mut options = usvg::Options::default();
        let db = options.fontdb_mut();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        options.font_family = "DejaVu Sans".into();
        options
    });
    usvg::Tree::from_str(svg, options).map_err(|e| PdfError::Chart(e.to_string()))
}

/// Renders `blocks` to a PDF whose metadata title is `title`.
pub fn render(title: &str, blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    let mut layout = Layout::new();
    for block in blocks {
        layout.block(block)?;
    }
    let fonts = fonts();
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(title.to_owned()));
    let count = layout.pages.len();
    for (number, ops) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| PdfError::Write("bad page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, fonts, op);
        }
        let label = format!("Page {} of {count}", number + 1);
        let x = (PAGE_WIDTH - text_width(&label, 8.0, false)) / 2.0;
        draw(
            &mut surface,
            fonts,
            &Op::Text {
                x,
                y: PAGE_HEIGHT - MARGIN / 2.0,
                size: 8.0,
                bold: false,
                text: label,
            },
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

fn fill(gray: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(gray, gray, gray).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn draw(surface: &mut krilla::surface::Surface<'_>, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            text,
        } => {
            surface.set_fill(Some(fill(20)));
            surface.set_stroke(None);
            let font = if *bold { &fonts.bold } else { &fonts.regular };
            surface.draw_text(
                Point::from_xy(*x, *y),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rect { x, y, w, h, gray } => {
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                let mut path = PathBuilder::new();
                path.push_rect(rect);
                if let Some(path) = path.finish() {
                    surface.set_fill(Some(fill(*gray)));
                    surface.set_stroke(None);
                    surface.draw_path(&path);
                }
            }
        }
        Op::Line { x1, y1, x2, y2 } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(200, 200, 200).into(),
                    width: 0.5,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Svg { tree, x, y, w, h } => {
            if let Some(size) = Size::from_wh(*w, *h) {
                surface.push_transform(&Transform::from_translate(*x, *y));
                let settings = SvgSettings {
                    embed_text: true,
                    ..SvgSettings::default()
                };
                let _ = surface.draw_svg(tree, size, settings);
                surface.pop();
            }
        }
    }
}

/// The blocks of chat document `document` (titled); a report's sections
/// bring in the documents of `chat` they name.
pub fn document_blocks(document: &ChatDocument, chat: &[ChatDocument]) -> Vec<Block> {
    if document.kind != DocumentKind::Report {
        let mut blocks = vec![Block::Title(document.title.clone())];
        blocks.extend(body_blocks(document));
        return blocks;
    }
    let report: Report = serde_json::from_value(document.content.clone()).unwrap_or(Report {
        title: document.title.clone(),
        summary: String::new(),
        highlights: Vec::new(),
        sections: Vec::new(),
    });
    let mut blocks = vec![Block::Title(report.title)];
    if !report.summary.is_empty() {
        blocks.push(Block::Paragraph(report.summary));
    }
    if !report.highlights.is_empty() {
        blocks.push(Block::Heading("Highlights".into()));
        blocks.push(Block::Bullets(report.highlights));
    }
    for section in report.sections {
        blocks.push(Block::Heading(section.heading));
        if !section.text.is_empty() {
            blocks.push(Block::Paragraph(section.text));
        }
        for id in &section.document_ids {
            if let Some(shown) = chat
                .iter()
                .find(|d| d.id.as_str() == id && d.kind != DocumentKind::Report)
            {
                blocks.extend(body_blocks(shown));
            }
        }
    }
    blocks
}

/// A table, chart or text document's content as blocks.
fn body_blocks(document: &ChatDocument) -> Vec<Block> {
    let content = &document.content;
    match document.kind {
        DocumentKind::Table => {
            let columns = content["columns"]
                .as_array()
                .map(|c| c.iter().map(cell_text).collect())
                .unwrap_or_default();
            let rows: Vec<Vec<Value>> =
                serde_json::from_value(content["rows"].clone()).unwrap_or_default();
            let note = content["truncated"].as_bool().filter(|t| *t).map(|_| {
                "The query had more rows than the connector's max_rows; these are the first."
                    .to_owned()
            });
            vec![Block::Table {
                columns,
                rows,
                note,
            }]
        }
        DocumentKind::Chart => content["svg"]
            .as_str()
            .map(|svg| vec![Block::Chart(svg.to_owned())])
            .unwrap_or_default(),
        DocumentKind::Text => vec![Block::Paragraph(
            content["text"].as_str().unwrap_or_default().to_owned(),
        )],
        DocumentKind::Report => Vec::new(),
    }
}
