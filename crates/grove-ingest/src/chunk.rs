//! Token-aware, structure-aware chunking. A document's blocks are packed into
//! chunks of at most `max_tokens` (counted with the embedding model's
//! tokenizer), breaking at headings first, then between blocks; a block too
//! big for one chunk is cut at sentence ends, and a sentence too big at word
//! boundaries. Consecutive chunks of one section share up to
//! `overlap_tokens` of trailing text. Every chunk is one contiguous span of
//! the document text, so its byte offsets cite it exactly.

use crate::{BlockKind, ParsedDoc};

/// Counts tokens the way the embedder will.
pub trait TokenCounter: Send + Sync {
    fn count(&self, text: &str) -> usize;
}

/// A Hugging Face tokenizer, without truncation, as a counter.
pub struct TokenizerCounter(tokenizers::Tokenizer);

impl TokenizerCounter {
    pub fn new(tokenizer: &tokenizers::Tokenizer) -> Self {
        let mut t = tokenizer.clone();
        let _ = t.with_truncation(None);
        t.with_padding(None);
        Self(t)
    }
}

impl TokenCounter for TokenizerCounter {
    fn count(&self, text: &str) -> usize {
        self.0
            .encode(text, false)
            .map(|e| e.get_ids().len())
            .unwrap_or_else(|_| WordCounter.count(text))
    }
}

/// Counts tokens with the embedding model's tokenizer when it is available,
/// else estimates from words.
pub fn token_counter(config: &grove_core::config::Config) -> std::sync::Arc<dyn TokenCounter> {
    let tokenizer =
        grove_search::embed::models::locate_minilm(config.embedding.model_path.as_deref())
            .ok()
            .and_then(|dir| tokenizers::Tokenizer::from_file(dir.join("tokenizer.json")).ok());
    match tokenizer {
        Some(t) => std::sync::Arc::new(TokenizerCounter::new(&t)),
        None => std::sync::Arc::new(WordCounter),
    }
}

/// An estimate for when no tokenizer is loaded: four tokens per three words.
pub struct WordCounter;

impl TokenCounter for WordCounter {
    fn count(&self, text: &str) -> usize {
        (text.split_whitespace().count() * 4).div_ceil(3)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSettings {
    pub max_tokens: usize,
    pub overlap_tokens: usize,
}

impl Default for ChunkSettings {
    /// The seed's 512 tokens with 50 of overlap.
    fn default() -> Self {
        Self {
            max_tokens: 512,
            overlap_tokens: 50,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub heading_path: Vec<String>,
    pub start: usize,
    pub end: usize,
    pub tokens: usize,
}

#[derive(Debug, Clone)]
struct Piece {
    start: usize,
    end: usize,
    tokens: usize,
    heading: bool,
    path: Vec<String>,
}

pub fn chunk(doc: &ParsedDoc, settings: ChunkSettings, counter: &dyn TokenCounter) -> Vec<Chunk> {
    let max = settings.max_tokens.max(8);
    let pieces = pieces(doc, max, counter);
    let mut chunks = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    for piece in pieces {
        let tokens: usize = current.iter().map(|p| p.tokens).sum();
        let has_body = current.iter().any(|p| !p.heading);
        let breaks = has_body && (piece.heading || tokens + piece.tokens > max);
        if breaks {
            chunks.push(finish(&current));
            current = if piece.heading {
                Vec::new()
            } else {
                overlap(&current, settings.overlap_tokens, max - piece.tokens)
            };
        }
        current.push(piece);
    }
    if current.iter().any(|p| !p.heading) {
        chunks.push(finish(&current));
    }
    chunks
}

/// Trailing body pieces of `prev` worth at most `budget` tokens.
fn overlap(prev: &[Piece], budget: usize, room: usize) -> Vec<Piece> {
    let budget = budget.min(room);
    let mut kept = Vec::new();
    let mut used = 0;
    for p in prev.iter().rev() {
        if p.heading || used + p.tokens > budget || kept.len() + 1 >= prev.len() {
            break;
        }
        used += p.tokens;
        kept.push(p.clone());
    }
    kept.reverse();
    kept
}

fn finish(pieces: &[Piece]) -> Chunk {
    let body = pieces.iter().find(|p| !p.heading).unwrap_or(&pieces[0]);
    Chunk {
        heading_path: body.path.clone(),
        start: pieces[0].start,
        end: pieces[pieces.len() - 1].end,
        tokens: pieces.iter().map(|p| p.tokens).sum(),
    }
}

/// Blocks, with oversized ones cut into sentences and words.
fn pieces(doc: &ParsedDoc, max: usize, counter: &dyn TokenCounter) -> Vec<Piece> {
    let mut out = Vec::new();
    for block in &doc.blocks {
        let piece = |start: usize, end: usize, tokens: usize| Piece {
            start,
            end,
            tokens,
            heading: block.kind == BlockKind::Heading,
            path: block.heading_path.clone(),
        };
        let tokens = counter.count(&doc.text[block.start..block.end]);
        if tokens <= max {
            out.push(piece(block.start, block.end, tokens));
            continue;
        }
        for (s, e) in spans(&doc.text, block.start, block.end, is_sentence_end) {
            let t = counter.count(&doc.text[s..e]);
            if t <= max {
                out.push(piece(s, e, t));
            } else {
                out.extend(
                    word_windows(&doc.text, s, e, max, counter)
                        .into_iter()
                        .map(|(s, e, t)| piece(s, e, t)),
                );
            }
        }
    }
    out
}

fn is_sentence_end(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    b[i] == b'\n'
        || (matches!(b[i], b'.' | b'?' | b'!')
            && b.get(i + 1).is_some_and(|c| c.is_ascii_whitespace()))
}

/// Cuts `[start, end)` after each position where `boundary` holds, trimming
/// whitespace at the cuts.
fn spans(
    text: &str,
    start: usize,
    end: usize,
    boundary: fn(&str, usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    for i in start..end {
        if text.is_char_boundary(i) && boundary(text, i) {
            push_trimmed(text, from, i + 1, &mut out);
            from = i + 1;
        }
    }
    push_trimmed(text, from, end, &mut out);
    out
}

fn push_trimmed(text: &str, s: usize, e: usize, out: &mut Vec<(usize, usize)>) {
    let slice = &text[s..e];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead + trail < slice.len() {
        out.push((s + lead, e - trail));
    }
}

/// Word-aligned windows of at most `max` tokens.
fn word_windows(
    text: &str,
    start: usize,
    end: usize,
    max: usize,
    counter: &dyn TokenCounter,
) -> Vec<(usize, usize, usize)> {
    let words: Vec<(usize, usize)> = spans(text, start, end, |t, i| {
        t.as_bytes()[i].is_ascii_whitespace()
    });
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        // Grow the window while it fits; every window holds at least one word.
        let mut j = i + 1;
        let mut tokens = counter.count(&text[words[i].0..words[i].1]);
        while j < words.len() {
            let t = counter.count(&text[words[i].0..words[j].1]);
            if t > max {
                break;
            }
            tokens = t;
            j += 1;
        }
        out.push((words[i].0, words[j - 1].1, tokens));
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BlockKind, DocBuilder};

    fn doc() -> ParsedDoc {
        let mut b = DocBuilder::default();
        b.heading(1, "Guide");
        b.block("Intro paragraph with a few words.", BlockKind::Paragraph);
        b.heading(2, "Install");
        for i in 0..6 {
            b.block(
                &format!("Step {i} tells you to run the installer and wait for it."),
                BlockKind::Paragraph,
            );
        }
        b.heading(2, "Use");
        b.block(
            &"Long sentence words here. ".repeat(40),
            BlockKind::Paragraph,
        );
        b.finish("Guide".into(), None)
    }

    #[test]
    fn chunks_respect_the_budget_headings_and_spans() {
        let d = doc();
        let settings = ChunkSettings {
            max_tokens: 40,
            overlap_tokens: 20,
        };
        let chunks = chunk(&d, settings, &WordCounter);
        assert!(chunks.len() >= 5, "{chunks:?}");
        for c in &chunks {
            assert!(c.tokens <= 40 + 2, "{c:?}");
            let text = &d.text[c.start..c.end];
            assert!(!text.trim().is_empty());
            assert_eq!(text.trim(), text, "spans are trimmed");
        }
        // A heading starts a new chunk: nothing mixes "Intro" and "Step".
        assert!(chunks
            .iter()
            .all(|c| !(d.text[c.start..c.end].contains("Intro")
                && d.text[c.start..c.end].contains("Step"))));
        assert_eq!(chunks[0].heading_path, vec!["Guide"]);
        assert!(chunks
            .iter()
            .any(|c| c.heading_path == vec!["Guide", "Install"]));
        // Consecutive chunks of one section overlap.
        let install: Vec<&Chunk> = chunks
            .iter()
            .filter(|c| c.heading_path == vec!["Guide", "Install"])
            .collect();
        assert!(install.len() >= 2);
        assert!(install[1].start < install[0].end, "no overlap: {install:?}");
    }

    #[test]
    fn a_giant_sentence_is_cut_at_words() {
        let mut b = DocBuilder::default();
        b.block(&"word ".repeat(500), BlockKind::Paragraph);
        let d = b.finish("x".into(), None);
        let chunks = chunk(
            &d,
            ChunkSettings {
                max_tokens: 100,
                overlap_tokens: 0,
            },
            &WordCounter,
        );
        assert!(chunks.len() >= 6);
        assert!(chunks.iter().all(|c| c.tokens <= 100));
        assert_eq!(chunks.last().unwrap().end, d.text.len());
    }
}
