//! The extractive answerer as it was before issue 21, kept verbatim (only
//! its imports changed) as a baseline for `grove eval answers`: tf-idf
//! cosine of each sentence to the question, MMR, no sentence filters beyond
//! length and letters.

use grove_llm::text::{bag, cosine, idf, sentence_spans, Bag};
use grove_llm::Prompt;

/// Sentences in an answer at most.
const MAX_SENTENCES: usize = 3;
/// Relevance against redundancy in the pick (1 = relevance only).
const LAMBDA: f32 = 0.7;
/// Sentences shorter or longer than this many words are not quoted.
const WORDS: std::ops::RangeInclusive<usize> = 4..=80;
/// A sentence sharing this share of its terms (of the shorter one) with a
/// sentence already picked says nothing new.
const REDUNDANT: f32 = 0.8;
/// Sentences scoring below this share of the best one are off topic.
const MIN_SHARE_OF_BEST: f32 = 0.5;
/// Score bonus of the first source over the last, spread linearly.
const RANK_BONUS: f32 = 0.05;

/// A sentence that may be quoted.
struct Candidate<'a> {
    /// 1-based source number, as cited.
    source: usize,
    text: &'a str,
    bag: Bag,
    relevance: f32,
}

/// Whether a sentence reads as prose: enough words, mostly letters.
fn quotable(sentence: &str) -> bool {
    let words = sentence.split_whitespace().count();
    let letters = sentence.chars().filter(|c| c.is_alphabetic()).count();
    let visible = sentence.chars().filter(|c| !c.is_whitespace()).count();
    WORDS.contains(&words) && letters * 10 >= visible * 7
}

fn candidates(prompt: &Prompt) -> Vec<Candidate<'_>> {
    let mut out = Vec::new();
    for (i, source) in prompt.sources.iter().enumerate() {
        for (start, end) in sentence_spans(&source.text) {
            let text = &source.text[start..end];
            if quotable(text) {
                out.push(Candidate {
                    source: i + 1,
                    text,
                    bag: bag(text),
                    relevance: 0.0,
                });
            }
        }
    }
    out
}

/// Scores every candidate against the question.
fn score(candidates: &mut [Candidate<'_>], question: &Bag, sources: usize) {
    let idf = idf(candidates.iter().map(|c| &c.bag));
    for c in candidates.iter_mut() {
        let rank = 1.0 - (c.source - 1) as f32 / sources.max(1) as f32;
        let similarity = cosine(question, &c.bag, &idf);
        c.relevance = if similarity > 0.0 {
            similarity + RANK_BONUS * rank
        } else {
            0.0
        };
    }
}

/// Shared terms over the terms of the smaller bag.
fn overlap(a: &Bag, b: &Bag) -> f32 {
    let shared = a.keys().filter(|t| b.contains_key(*t)).count();
    shared as f32 / a.len().min(b.len()).max(1) as f32
}

/// Picks up to [`MAX_SENTENCES`] by MMR within `max_words`.
fn pick<'c>(mut pool: Vec<Candidate<'c>>, max_words: usize) -> Vec<Candidate<'c>> {
    let idf = idf(pool.iter().map(|c| &c.bag));
    let mut picked: Vec<Candidate> = Vec::new();
    let mut words = 0;
    let best = pool.iter().map(|c| c.relevance).fold(0.0f32, f32::max);
    pool.retain(|c| c.relevance > 0.0 && c.relevance >= MIN_SHARE_OF_BEST * best);
    while picked.len() < MAX_SENTENCES && !pool.is_empty() {
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
        let repeats = picked
            .iter()
            .any(|p| overlap(&chosen.bag, &p.bag) >= REDUNDANT);
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
    picked
}

/// The answer: each picked sentence with its marker, in pick order.
pub fn compose(prompt: &Prompt, max_tokens: u32) -> Vec<String> {
    let question = bag(&prompt.question);
    let mut pool = candidates(prompt);
    score(&mut pool, &question, prompt.sources.len());
    // Roughly 4 tokens for every 3 words.
    let max_words = (max_tokens as usize * 3 / 4).max(1);
    pick(pool, max_words)
        .into_iter()
        .map(|c| {
            format!(
                "{} [{}]",
                c.text.split_whitespace().collect::<Vec<_>>().join(" "),
                c.source
            )
        })
        .collect()
}
