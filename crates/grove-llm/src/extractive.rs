//! The extractive answerer, Grove's embedded default: no model, no network.
//! It answers with the best 1–3 sentences of the retrieved sources, each
//! followed by its citation marker (`… [2]`).
//!
//! What may be quoted: sentences of prose. Headings, list lead-ins ending
//! in `:`, questions, code lines and fragments (too short, or starting in
//! lower case as the tail of a broken line) never are. A sentence that
//! leans on its predecessor ("This …", "It …", "So, …", "Here's …") is
//! quoted only joined with that predecessor, as one passage; and a picked
//! sentence that such a sentence follows is given with it, since the
//! thought goes on there ("… the order matters. However, in Rust …").
//!
//! Passages come from the three best-ranked sources. How they are ranked:
//! the tf-idf cosine of each passage's terms to the
//! question, plus — when an embedding model is loaded — the cosine of their
//! vectors (one batched call over the best passages by terms), plus a small
//! preference for the opening sentence of a paragraph and of a section
//! (where definitions stand) and for better-ranked sources. Passages are
//! picked by maximal marginal relevance, so one repeating an earlier pick
//! is passed over; picks from one source are given in document order. Ties
//! break by source and position, so the same sources and question always
//! give the same answer.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::text::{bag, cosine, idf, sentence_spans, Bag};
use crate::{Completion, Generator, LlmError, Prompt, Settings, TextEmbedder, Usage};

/// Sentences (passages) in an answer by default.
pub const DEFAULT_SENTENCES: usize = 3;
/// Relevance against redundancy in the pick (1 = relevance only).
const LAMBDA: f32 = 0.7;
/// Sentences shorter or longer than this many words are not quoted.
const WORDS: std::ops::RangeInclusive<usize> = 5..=80;
/// A passage sharing this share of its terms (of the shorter one) with a
/// passage already picked says nothing new.
const REDUNDANT: f32 = 0.8;
/// Passages scoring below this share of the best one are off topic.
const MIN_SHARE_OF_BEST: f32 = 0.5;
/// Score bonus of the first source over the last, spread linearly.
const RANK_BONUS: f32 = 0.05;
/// Bonus of a paragraph's opening sentence, and again of a section's.
const OPENING_BONUS: f32 = 0.04;
/// Bonus of a sentence that defines a term of the question ("Closures are
/// …", "A slice is …").
const DEFINITION_BONUS: f32 = 0.15;
/// Verbs that make a definition of the subject before them.
const DEFINING: &[&str] = &["is", "are", "means", "refers", "lets", "allows"];
/// Sources quoted from: the best-ranked three, or all when those hold
/// nothing quotable (the rest still stand in the answer's source list). Quoting from all
/// eight lost gold sentences on the dev answer sets (docs/BENCHMARKS.md).
const SOURCES_QUOTED: usize = 3;
/// Passages embedded per answer (the best by terms): bounds the added
/// latency to one small batch.
const EMBEDDED: usize = 24;
/// Weight of the term cosine beside the vector cosine.
const LEXICAL_WEIGHT: f32 = 0.5;

/// Openings of narration about the text itself rather than its subject
/// ("Let's see what happens…", "Listing 4-2 shows…", "Now we'll…").
const NARRATING: &[&str] = &[
    "let's",
    "let’s",
    "listing",
    "now",
    "next,",
    "first,",
    "second,",
    "finally,",
    "we'll",
    "we’ll",
    "we're",
    "we’re",
    "in this",
    "this chapter",
    "as you",
    "you'll",
    "you’ll",
    "recall",
];

/// Words that make a sentence lean on the one before it.
const LEANING: &[&str] = &[
    "this",
    "these",
    "that",
    "those",
    "it",
    "its",
    "they",
    "their",
    "them",
    "here",
    "here's",
    "so",
    "such",
    "thus",
    "hence",
    "therefore",
    "then",
    "also",
    "however",
    "instead",
    "otherwise",
    "likewise",
    "similarly",
    "both",
];

pub struct Extractive {
    embedder: Option<Arc<TextEmbedder>>,
    max_sentences: usize,
    /// Passage vectors by text, emptied when full.
    cache: std::sync::Mutex<std::collections::HashMap<String, Vec<f32>>>,
}

/// Passage vectors kept (about 1.5 KiB each with 384 dimensions).
const CACHED_PASSAGES: usize = 20_000;

impl Default for Extractive {
    fn default() -> Self {
        Self::new(None, DEFAULT_SENTENCES)
    }
}

/// A passage that may be quoted: one sentence, or two when the second
/// leans on the first.
#[derive(Debug, Clone)]
struct Candidate {
    /// 1-based source number, as cited.
    source: usize,
    /// Byte range in the source's text.
    start: usize,
    end: usize,
    /// The passage, whitespace collapsed.
    text: String,
    /// Its terms, each counted once (a word repeated is not more relevant).
    bag: Bag,
    /// The term of its subject when it reads as a definition (`Closures
    /// are …` → `closur`).
    defines: Option<String>,
    /// Opens its paragraph; opens its section (first paragraph after a
    /// heading, or of the chunk).
    opens_paragraph: bool,
    opens_section: bool,
    /// The tf-idf cosine of its terms to the question's.
    lexical: f32,
    relevance: f32,
}

/// What a piece of text between sentence bounds is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// A sentence of prose that stands on its own.
    Sentence,
    /// A sentence of prose that leans on its predecessor.
    Leaning,
    /// A heading, question, lead-in, code line or fragment.
    Other,
}

/// Whether `text` ends a statement: `.` or `!`, maybe inside a closing
/// quote or bracket.
fn ends_statement(text: &str) -> bool {
    let trimmed = text.trim_end_matches(['"', '\'', ')', ']', '”', '’', '*', '_']);
    trimmed.ends_with('.') || trimmed.ends_with('!')
}

/// Whether a line reads as code rather than prose.
fn looks_like_code(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    letters * 10 < visible * 7
        || text.starts_with("$ ")
        || text.starts_with(">>>")
        || text.ends_with(';')
        || text.ends_with('{')
        || text.contains("=>")
        || text.contains("::<")
        || text.starts_with("Filename:")
        || text.contains(" // ")
        || (text.contains('{') && text.contains(';'))
}

fn classify(text: &str) -> Piece {
    let lower = text.to_lowercase();
    if NARRATING.iter().any(|n| lower.starts_with(n)) || lower.contains("listing ") {
        return Piece::Other;
    }
    let words = text.split_whitespace().count();
    let opens_upper = text
        .chars()
        .find(|c| c.is_alphanumeric() || *c == '`')
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '`');
    if !WORDS.contains(&words) || !ends_statement(text) || !opens_upper || looks_like_code(text) {
        return Piece::Other;
    }
    let first = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if LEANING.contains(&first.as_str()) {
        Piece::Leaning
    } else {
        Piece::Sentence
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The quotable passages of one source.
fn passages(source: usize, text: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    // The sentence before, if it stands in the same paragraph and may be
    // quoted: what a leaning sentence joins.
    let mut previous: Option<(usize, usize, bool, bool)> = None;
    let mut last_end = 0;
    let mut paragraph_has_text = false;
    let mut section_opening = true;
    let mut paragraphs_in_section = 0;
    for (start, end) in sentence_spans(text) {
        let piece = &text[start..end];
        let new_paragraph = last_end == 0 || text[last_end..start].contains('\n');
        if new_paragraph {
            previous = None;
            if paragraph_has_text {
                paragraphs_in_section += 1;
            }
            paragraph_has_text = false;
        }
        last_end = end;
        let kind = classify(piece);
        // A heading (a whole line that is not a statement) starts a section.
        let line_ends = end == text.len() || text[end..].starts_with('\n');
        let whole_line = new_paragraph && line_ends;
        if kind == Piece::Other && new_paragraph && whole_line && !piece.ends_with('?') {
            section_opening = true;
            paragraphs_in_section = 0;
            paragraph_has_text = false;
            continue;
        }
        let opens_paragraph = !paragraph_has_text;
        let opens_section = section_opening && paragraphs_in_section == 0 && opens_paragraph;
        paragraph_has_text = true;
        match kind {
            Piece::Other => previous = None,
            Piece::Sentence => {
                out.push(candidate(
                    source,
                    text,
                    start,
                    end,
                    opens_paragraph,
                    opens_section,
                ));
                previous = Some((start, end, opens_paragraph, opens_section));
            }
            Piece::Leaning => {
                if let Some((p_start, _, p_opens_paragraph, p_opens_section)) = previous {
                    let joined = candidate(
                        source,
                        text,
                        p_start,
                        end,
                        p_opens_paragraph,
                        p_opens_section,
                    );
                    if WORDS.contains(&joined.text.split_whitespace().count()) {
                        out.push(joined);
                    }
                }
                previous = None;
            }
        }
        if !opens_paragraph {
            section_opening = false;
        }
    }
    out
}

fn candidate(
    source: usize,
    text: &str,
    start: usize,
    end: usize,
    opens_paragraph: bool,
    opens_section: bool,
) -> Candidate {
    let passage = &text[start..end];
    Candidate {
        source,
        start,
        end,
        text: collapse(passage),
        bag: once_each(bag(passage)),
        defines: defined_term(passage),
        opens_paragraph,
        opens_section,
        lexical: 0.0,
        relevance: 0.0,
    }
}

fn once_each(mut bag: Bag) -> Bag {
    bag.values_mut().for_each(|n| *n = 1.0);
    bag
}

/// The subject's term of a sentence shaped `[A|An|The] <subject> is|are …`.
fn defined_term(sentence: &str) -> Option<String> {
    let mut words = sentence.split_whitespace();
    let mut subject = words.next()?;
    if ["a", "an", "the"].contains(&subject.to_lowercase().as_str()) {
        subject = words.next()?;
    }
    let verb = words.next()?.to_lowercase();
    if !DEFINING.contains(&verb.as_str()) {
        return None;
    }
    crate::text::terms(subject).into_iter().next()
}

fn candidates(prompt: &Prompt) -> Vec<Candidate> {
    let from = |sources: usize| -> Vec<Candidate> {
        prompt
            .sources
            .iter()
            .enumerate()
            .take(sources)
            .flat_map(|(i, source)| passages(i + 1, &source.text))
            .collect()
    };
    // When the best sources hold nothing quotable, the others may.
    let best = from(SOURCES_QUOTED);
    if best.is_empty() {
        from(prompt.sources.len())
    } else {
        best
    }
}

/// The bonuses for a passage's place and shape: its source's rank, its
/// opening position, and whether it defines a term of the question.
fn place_bonus(c: &Candidate, question: &Bag, sources: usize) -> f32 {
    let rank = 1.0 - (c.source - 1) as f32 / sources.max(1) as f32;
    let mut bonus = RANK_BONUS * rank;
    if c.opens_paragraph {
        bonus += OPENING_BONUS;
    }
    if c.opens_section {
        bonus += OPENING_BONUS;
    }
    if c.defines.as_ref().is_some_and(|t| question.contains_key(t)) {
        bonus += DEFINITION_BONUS;
    }
    bonus
}

/// Scores by terms: the tf-idf cosine to the question (idf over the
/// passages) plus the place bonus; a passage sharing no term scores 0.
fn score_by_terms(candidates: &mut [Candidate], question: &Bag, sources: usize) {
    let idf = idf(candidates.iter().map(|c| &c.bag));
    for c in candidates.iter_mut() {
        c.lexical = cosine(question, &c.bag, &idf);
        c.relevance = if c.lexical > 0.0 {
            c.lexical + place_bonus(c, question, sources)
        } else {
            0.0
        };
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Picks up to `max_sentences` by MMR within `max_words`.
fn pick(mut pool: Vec<Candidate>, max_sentences: usize, max_words: usize) -> Vec<Candidate> {
    let idf = idf(pool.iter().map(|c| &c.bag));
    let mut picked: Vec<Candidate> = Vec::new();
    let mut words = 0;
    let best = pool.iter().map(|c| c.relevance).fold(0.0f32, f32::max);
    pool.retain(|c| c.relevance > 0.0 && c.relevance >= MIN_SHARE_OF_BEST * best);
    while picked.len() < max_sentences && !pool.is_empty() {
        let mmr = |c: &Candidate| {
            let redundancy = picked
                .iter()
                .map(|p| cosine(&c.bag, &p.bag, &idf))
                .fold(0.0f32, f32::max);
            LAMBDA * c.relevance - (1.0 - LAMBDA) * redundancy
        };
        // `max_by` keeps the last of equals; scanning in reverse makes that
        // the earliest source and position.
        let Some(best) = (0..pool.len())
            .rev()
            .max_by(|&a, &b| mmr(&pool[a]).total_cmp(&mmr(&pool[b])))
        else {
            break;
        };
        let chosen = pool.remove(best);
        let repeats = picked.iter().any(|p| {
            overlap(&chosen.bag, &p.bag) >= REDUNDANT
                || (p.source == chosen.source && p.start < chosen.end && chosen.start < p.end)
        });
        if repeats {
            continue;
        }
        let length = chosen.text.split_whitespace().count();
        if !picked.is_empty() && words + length > max_words {
            break;
        }
        words += length;
        picked.push(chosen);
    }
    // From one source, the passages read best in the order written.
    if picked.windows(2).all(|w| w[0].source == w[1].source) {
        picked.sort_by_key(|c| c.start);
    }
    picked
}

/// The passages that join a sentence with the leaning one after it, by
/// source and start.
fn continuations(pool: &[Candidate]) -> Vec<Candidate> {
    pool.iter()
        .filter(|joined| {
            pool.iter().any(|single| {
                single.source == joined.source
                    && single.start == joined.start
                    && single.end < joined.end
            })
        })
        .cloned()
        .collect()
}

/// A picked sentence that the next one leans on ("However, …", "This
/// means …") is given with it: the thought goes on there, and the leaning
/// sentence is often the one that answers.
fn continue_picks(
    picked: Vec<Candidate>,
    continued: &[Candidate],
    max_words: usize,
) -> Vec<Candidate> {
    let taken = |c: &Candidate, picked: &[Candidate]| {
        picked
            .iter()
            .any(|p| p.source == c.source && p.start < c.end && c.start < p.end)
    };
    let length = |c: &Candidate| c.text.split_whitespace().count();
    let mut words: usize = picked.iter().map(length).sum();
    let mut out: Vec<Candidate> = Vec::with_capacity(picked.len());
    for (i, p) in picked.iter().enumerate() {
        let longer = continued.iter().find(|j| {
            j.source == p.source
                && j.start == p.start
                && j.end > p.end
                && words - length(p) + length(j) <= max_words
                && !taken(j, &picked[i + 1..])
                && !taken(j, &out)
        });
        if let Some(j) = longer {
            words = words - length(p) + length(j);
        }
        out.push(longer.unwrap_or(p).clone());
    }
    out
}

/// Shared terms over the terms of the smaller bag.
fn overlap(a: &Bag, b: &Bag) -> f32 {
    let shared = a.keys().filter(|t| b.contains_key(*t)).count();
    shared as f32 / a.len().min(b.len()).max(1) as f32
}

fn with_markers(picked: Vec<Candidate>) -> Vec<String> {
    picked
        .into_iter()
        .map(|c| format!("{} [{}]", c.text, c.source))
        .collect()
}

/// Roughly 4 tokens for every 3 words.
fn word_budget(max_tokens: u32) -> usize {
    (max_tokens as usize * 3 / 4).max(1)
}

/// The answer by terms alone (no embedding model): each picked passage
/// with its marker.
pub fn compose_by_terms(prompt: &Prompt, max_tokens: u32, max_sentences: usize) -> Vec<String> {
    let mut pool = candidates(prompt);
    score_by_terms(&mut pool, &bag(&prompt.question), prompt.sources.len());
    let continued = continuations(&pool);
    let max_words = word_budget(max_tokens);
    with_markers(continue_picks(
        pick(pool, max_sentences, max_words),
        &continued,
        max_words,
    ))
}

impl Extractive {
    /// The question's vector and each passage's, in order: passages seen in
    /// earlier answers come from the cache (popular pages are quoted
    /// again and again), the rest and the question in one batch.
    async fn vectors(
        &self,
        embedder: &TextEmbedder,
        question: &str,
        passages: Vec<String>,
    ) -> Result<(Vec<f32>, Vec<Vec<f32>>), String> {
        let mut found: Vec<Option<Vec<f32>>> = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            passages.iter().map(|p| cache.get(p).cloned()).collect()
        };
        let mut missing = vec![question.to_owned()];
        missing.extend(
            passages
                .iter()
                .zip(&found)
                .filter(|(_, v)| v.is_none())
                .map(|(p, _)| p.clone()),
        );
        let asked = missing.len();
        let mut fresh = embedder(missing.clone()).await?.into_iter();
        if fresh.len() != asked {
            return Err("the embedder answered a different number of vectors".to_owned());
        }
        let q = fresh.next().unwrap_or_default();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() + asked > CACHED_PASSAGES {
            cache.clear();
        }
        for (slot, (text, vector)) in found
            .iter_mut()
            .filter(|v| v.is_none())
            .zip(missing.into_iter().skip(1).zip(fresh))
        {
            cache.insert(text, vector.clone());
            *slot = Some(vector);
        }
        Ok((
            q,
            found.into_iter().map(Option::unwrap_or_default).collect(),
        ))
    }

    /// An answerer quoting up to `max_sentences` passages (1 to 3), ranked
    /// with `embedder`'s vectors when one is given.
    pub fn new(embedder: Option<Arc<TextEmbedder>>, max_sentences: usize) -> Self {
        Self {
            embedder,
            max_sentences: max_sentences.clamp(1, 3),
            cache: Default::default(),
        }
    }

    /// The answer: each picked passage with its marker. An embedder that
    /// fails leaves the ranking by terms.
    pub async fn compose(&self, prompt: &Prompt, max_tokens: u32) -> Vec<String> {
        let Some(embedder) = &self.embedder else {
            return compose_by_terms(prompt, max_tokens, self.max_sentences);
        };
        let mut pool = candidates(prompt);
        let question = bag(&prompt.question);
        score_by_terms(&mut pool, &question, prompt.sources.len());
        let continued = continuations(&pool);
        // The best passages by terms (and place) get vectors; the rest keep
        // their term score, which the pick's share-of-best then drops.
        let mut order: Vec<usize> = (0..pool.len()).collect();
        order.sort_by(|&a, &b| {
            let by_terms = pool[b].relevance.total_cmp(&pool[a].relevance);
            by_terms.then(a.cmp(&b))
        });
        order.truncate(EMBEDDED);
        let texts: Vec<String> = order.iter().map(|&i| pool[i].text.clone()).collect();
        match self
            .vectors(embedder.as_ref(), &prompt.question, texts)
            .await
        {
            Ok((q, vectors)) => {
                let sources = prompt.sources.len();
                let embedded: Vec<Candidate> = order
                    .iter()
                    .zip(&vectors)
                    .map(|(&i, v)| {
                        let mut c = pool[i].clone();
                        c.relevance = dot(&q, v)
                            + LEXICAL_WEIGHT * c.lexical
                            + place_bonus(&c, &question, sources);
                        c
                    })
                    .collect();
                pool = embedded;
            }
            Err(error) => tracing::warn!(%error, "sentence embedding failed; ranking by terms"),
        }
        let max_words = word_budget(max_tokens);
        with_markers(continue_picks(
            pick(pool, self.max_sentences, max_words),
            &continued,
            max_words,
        ))
    }
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

#[async_trait]
impl Generator for Extractive {
    async fn generate(
        &self,
        prompt: &Prompt,
        settings: &Settings,
        deltas: mpsc::Sender<String>,
    ) -> Result<Usage, LlmError> {
        let sentences = self.compose(prompt, settings.max_tokens).await;
        let input_tokens =
            words(&prompt.question) + prompt.sources.iter().map(|s| words(&s.text)).sum::<u64>();
        let mut output_tokens = 0;
        for (i, sentence) in sentences.into_iter().enumerate() {
            output_tokens += words(&sentence);
            let piece = if i == 0 {
                sentence
            } else {
                format!(" {sentence}")
            };
            deltas.send(piece).await.map_err(|_| LlmError::Cancelled)?;
        }
        Ok(Usage {
            input_tokens,
            output_tokens,
        })
    }

    async fn complete(
        &self,
        _system: &str,
        _user: &str,
        _settings: &Settings,
    ) -> Result<Option<Completion>, LlmError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceText;

    fn prompt(question: &str, texts: &[&str]) -> Prompt {
        Prompt {
            system_prompt: String::new(),
            question: question.to_owned(),
            sources: texts
                .iter()
                .map(|t| SourceText {
                    title: "t".into(),
                    url: None,
                    text: (*t).to_owned(),
                })
                .collect(),
            history: Vec::new(),
        }
    }

    fn compose(p: &Prompt, max_tokens: u32) -> Vec<String> {
        compose_by_terms(p, max_tokens, 3)
    }

    #[test]
    fn answers_with_the_most_similar_sentences_cited() {
        let p = prompt(
            "How long do refunds take to process?",
            &[
                "Our office is open on weekdays. Refunds are processed within 14 days of the return arriving.",
                "Shipping is free for orders above fifty euros. Couriers deliver in three days.",
            ],
        );
        let answer = compose(&p, 500);
        assert_eq!(
            answer[0],
            "Refunds are processed within 14 days of the return arriving. [1]"
        );
        assert!(answer.iter().all(|s| !s.contains("Shipping")), "{answer:?}");
    }

    #[test]
    fn a_near_duplicate_is_passed_over_for_new_information() {
        let p = prompt(
            "What is the chunk size and the overlap?",
            &[
                "The default chunk size is 512 tokens.",
                "The default chunk size is 512 tokens for every source.",
                "Chunks overlap by 50 tokens by default.",
            ],
        );
        // `overlap` is the rarer term, so its sentence leads; the second
        // sentence about the chunk size repeats the first and is dropped.
        assert_eq!(
            compose(&p, 500),
            vec![
                "Chunks overlap by 50 tokens by default. [3]",
                "The default chunk size is 512 tokens. [1]"
            ]
        );
    }

    #[test]
    fn the_answer_is_deterministic_and_bounded_by_max_tokens_and_sentences() {
        let texts = [
            "Ownership is a set of rules that govern memory. Each value in Rust has an owner.",
            "The ownership rules say there can only be one owner at a time. When the owner \
             goes out of scope, the value is dropped. Ownership rules are checked by the compiler.",
        ];
        let p = prompt("What are the rules of ownership?", &texts);
        assert_eq!(compose(&p, 500), compose(&p, 500));
        assert_eq!(compose(&p, 500).len(), 3);
        assert_eq!(compose_by_terms(&p, 500, 1).len(), 1);
        // Room for one sentence only: the best one is still given.
        assert_eq!(compose(&p, 4).len(), 1);
    }

    #[test]
    fn the_lower_ranked_sources_are_quoted_when_the_best_hold_nothing_quotable() {
        let code = "let x = 5;\nlet y = x + 1;";
        let p = prompt(
            "How are variables declared?",
            &[
                code,
                code,
                code,
                "Variables are declared with the let keyword in Rust.",
            ],
        );
        assert_eq!(
            compose(&p, 500),
            vec!["Variables are declared with the let keyword in Rust. [4]"]
        );
        let p = prompt(
            "How are variables declared?",
            &[
                "Variables are declared with let.",
                code,
                code,
                "Variables are declared with the let keyword in Rust.",
            ],
        );
        assert!(
            compose(&p, 500).iter().all(|s| s.ends_with("[1]")),
            "only the best three"
        );
    }

    #[test]
    fn code_and_unrelated_text_are_not_quoted() {
        let p = prompt(
            "How do I declare a variable?",
            &["let x: i32 = { 5 + 6 } * 2; // x\nThe weather is nice today in the park."],
        );
        assert!(compose(&p, 500).is_empty());
        // Code flattened into one line with prose-like comments is code too.
        let p = prompt(
            "Can I return a reference to a String created in my function?",
            &["Filename: src/main.rs fn dangle() -> &String { let s = String::from(\"hello\"); &s } \
               // Here, s goes out of scope and is dropped, so its memory goes away.\n\
               let s = String::new(); // the String is created here and returned by reference."],
        );
        assert!(compose(&p, 500).is_empty(), "{:?}", compose(&p, 500));
    }

    #[test]
    fn headings_questions_lead_ins_and_fragments_are_never_quoted() {
        let text = "Sharing a Counter Between Threads\n\n\
            So how do we share a counter between threads safely?\n\n\
            To share a counter between threads, wrap it like this:\n\n\
            counter between threads\n\n\
            and share it between threads safely with a counter.\n\n\
            An Arc<Mutex<T>> shares a counter between threads safely.";
        let p = prompt("How do I share a counter between threads safely?", &[text]);
        assert_eq!(
            compose(&p, 500),
            vec!["An Arc<Mutex<T>> shares a counter between threads safely. [1]"]
        );
    }

    #[test]
    fn a_leaning_sentence_is_joined_with_its_predecessor_or_not_quoted() {
        let text = "A slice is a reference to a contiguous run of elements in a collection. \
            This slice has the type of a reference to an array of elements.\n\n\
            This slice type is used everywhere in the standard library for elements.";
        let p = prompt("What type does a slice of elements have?", &[text]);
        let answer = compose(&p, 500);
        assert_eq!(
            answer,
            vec![
                "A slice is a reference to a contiguous run of elements in a collection. \
                 This slice has the type of a reference to an array of elements. [1]"
            ],
            "the second paragraph leans on nothing it can join"
        );
    }

    #[test]
    fn a_picked_sentence_goes_on_with_the_one_leaning_on_it() {
        let text = "In some test frameworks the order of expected and actual arguments matters. \
            However, in Rust they are called left and right and their order does not matter.\n\n\
            Test frameworks print both arguments when an assertion fails.";
        let p = prompt(
            "Does the order of the test assertion arguments matter?",
            &[text],
        );
        let answer = compose(&p, 500);
        assert_eq!(
            answer[0],
            "In some test frameworks the order of expected and actual arguments matters. \
             However, in Rust they are called left and right and their order does not matter. [1]"
        );
        // Never twice: the joined passage stands once.
        assert_eq!(answer.iter().filter(|a| a.contains("However")).count(), 1);
        // Not past the answer's length: 20 tokens are 15 words, the sentence
        // alone is 12, joined 27.
        let short = compose(&p, 20);
        assert_eq!(
            short[0],
            "In some test frameworks the order of expected and actual arguments matters. [1]"
        );
    }

    #[test]
    fn the_defining_first_sentence_beats_a_later_one_with_more_shared_words() {
        let text = "Closures\n\n\
            Closures are anonymous functions you can save in a variable or pass to other functions. \
            Closures can capture values from the scope in which they are defined, unlike functions.\n\n\
            With closure type inference, a closure needs no annotation: each closure gets its types from its use.";
        let p = prompt("What is a closure?", &[text]);
        let answer = compose_by_terms(&p, 500, 1);
        assert_eq!(
            answer,
            vec!["Closures are anonymous functions you can save in a variable or pass to other functions. [1]"]
        );
    }

    #[test]
    fn picks_from_one_source_come_in_document_order() {
        let text = "Vectors store values of one type next to each other in memory. \
            Values are added to a vector with the push method on a mutable vector. \
            A vector frees its values when it goes out of scope and the memory is returned.";
        let p = prompt(
            "How do I add values to a vector and when is vector memory freed?",
            &[text],
        );
        let answer = compose(&p, 500);
        assert!(answer.len() >= 2, "{answer:?}");
        let positions: Vec<usize> = answer
            .iter()
            .map(|s| text.find(&s[..20]).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{answer:?}");
    }

    #[tokio::test]
    async fn an_embedder_reorders_by_meaning_and_a_failing_one_falls_back() {
        let text = "Mutexes guard data so that one thread at a time may use it. \
            Arc lets several threads own the same value through reference counting.";
        let p = prompt("Which type gives shared ownership across threads?", &[text]);
        // A toy embedder: the Arc sentence points the question's way.
        let embedder: Arc<TextEmbedder> = Arc::new(|texts: Vec<String>| {
            Box::pin(async move {
                Ok(texts
                    .iter()
                    .map(|t| {
                        if t.starts_with("Arc") || t.starts_with("Which") {
                            vec![1.0, 0.0]
                        } else {
                            vec![0.0, 1.0]
                        }
                    })
                    .collect())
            })
        });
        let answer = Extractive::new(Some(embedder), 1).compose(&p, 500).await;
        assert_eq!(
            answer,
            vec!["Arc lets several threads own the same value through reference counting. [1]"]
        );
        let failing: Arc<TextEmbedder> =
            Arc::new(|_| Box::pin(async { Err("model gone".to_owned()) }));
        let fallback = Extractive::new(Some(failing), 2).compose(&p, 500).await;
        assert_eq!(fallback, compose_by_terms(&p, 500, 2));
    }

    #[tokio::test]
    async fn passage_vectors_are_cached_and_only_the_question_is_embedded_again() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = asked.clone();
        let embedder: Arc<TextEmbedder> = Arc::new(move |texts: Vec<String>| {
            counter.fetch_add(texts.len(), Ordering::SeqCst);
            Box::pin(async move { Ok(texts.iter().map(|_| vec![1.0, 0.0]).collect()) })
        });
        let answerer = Extractive::new(Some(embedder), 2);
        let text = "Mutexes guard data so that one thread at a time may use it. \
            Arc lets several threads own the same value through reference counting.";
        let first = answerer
            .compose(
                &prompt("Which type shares ownership across threads?", &[text]),
                500,
            )
            .await;
        assert_eq!(
            asked.load(Ordering::SeqCst),
            3,
            "the question and two passages"
        );
        let second = answerer
            .compose(&prompt("How do threads share ownership?", &[text]), 500)
            .await;
        assert_eq!(asked.load(Ordering::SeqCst), 4, "only the new question");
        assert!(!first.is_empty() && !second.is_empty());
    }

    #[tokio::test]
    async fn streams_one_sentence_per_delta_and_stops_when_the_receiver_goes() {
        let p = prompt(
            "What are the rules of ownership?",
            &["Ownership is a set of rules. Each value in Rust has an owner. Only one owner exists at a time."],
        );
        let settings = Settings {
            model: String::new(),
            temperature: 0.0,
            max_tokens: 500,
        };
        let answerer = Extractive::default();
        let (tx, mut rx) = mpsc::channel(8);
        let usage = answerer.generate(&p, &settings, tx).await.unwrap();
        let mut text = String::new();
        while let Some(piece) = rx.recv().await {
            text.push_str(&piece);
        }
        assert!(
            text.starts_with("Ownership is a set of rules. [1]"),
            "{text}"
        );
        assert_eq!(usage.output_tokens, text.split_whitespace().count() as u64);

        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        let err = answerer.generate(&p, &settings, tx).await.unwrap_err();
        assert_eq!(err, LlmError::Cancelled);
    }
}
