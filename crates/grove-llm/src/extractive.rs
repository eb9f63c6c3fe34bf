//! The extractive answerer, Grove's embedded default: no model, no network.
//! It answers with the best sentences of the retrieved sources, each
//! followed by its citation marker (`… [2]`).
//!
//! Sentences are scored by tf-idf cosine to the question (idf over the
//! candidate sentences), with a small preference for better-ranked sources,
//! and picked by maximal marginal relevance so that a sentence repeating an
//! earlier pick is passed over. Ties break by source and position, so the
//! same sources and question always give the same answer.

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::text::{bag, cosine, idf, sentence_spans, Bag};
use crate::{Completion, Generator, LlmError, Prompt, Settings, Usage};

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

pub struct Extractive;

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
        let sentences = compose(prompt, settings.max_tokens);
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
    fn the_answer_is_deterministic_and_bounded_by_max_tokens() {
        let texts = [
            "Ownership is a set of rules that govern memory. Each value in Rust has an owner.",
            "The ownership rules say there can only be one owner at a time. When the owner \
             goes out of scope, the value is dropped. Ownership rules are checked by the compiler.",
        ];
        let p = prompt("What are the rules of ownership?", &texts);
        assert_eq!(compose(&p, 500), compose(&p, 500));
        assert_eq!(compose(&p, 500).len(), 3);
        // Room for one sentence only: the best one is still given.
        assert_eq!(compose(&p, 4).len(), 1);
    }

    #[test]
    fn code_and_unrelated_text_are_not_quoted() {
        let p = prompt(
            "How do I declare a variable?",
            &["let x: i32 = { 5 + 6 } * 2; // x\nThe weather is nice today in the park."],
        );
        assert!(compose(&p, 500).is_empty());
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
        let (tx, mut rx) = mpsc::channel(8);
        let usage = Extractive.generate(&p, &settings, tx).await.unwrap();
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
        let err = Extractive.generate(&p, &settings, tx).await.unwrap_err();
        assert_eq!(err, LlmError::Cancelled);
    }
}
