//! Text helpers shared by the extractive answerer and the agent pipeline:
//! sentence spans, content terms (lower-cased, stop words dropped,
//! stemmed) and the tf-idf cosine between bags of terms.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use frostem::{Algorithm, Stemmer};

use unicode_segmentation::UnicodeSegmentation;

/// English function words that carry no topic.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "because",
    "been", "before", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from",
    "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "it's", "just", "me",
    "more", "most", "my", "no", "not", "of", "on", "one", "or", "other", "our", "out", "over",
    "same", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "up", "use",
    "used", "using", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
    "whom", "why", "will", "with", "would", "you", "your", "tell", "explain", "please",
];

/// Whether `word` (lower-cased) is a function word rather than a topic.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// Byte ranges of the sentences of `text`: Unicode sentence boundaries, and
/// line breaks (headings, list items and code lines end without a period).
/// Surrounding whitespace is trimmed; empty pieces are dropped. A `!` that
/// ends a word and is followed on the same line by a lower-case word is a
/// macro's name (`the assert_eq! macro`), not a sentence's end, which
/// Unicode's rules (they keep `.` before lower case, not `!`) would make it.
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for (start, sentence) in macro_bangs_joined(text) {
        let mut offset = start;
        for line in sentence.split_inclusive('\n') {
            let trimmed_start = line.len() - line.trim_start().len();
            let body = line.trim();
            if !body.is_empty() {
                let s = offset + trimmed_start;
                spans.push((s, s + body.len()));
            }
            offset += line.len();
        }
    }
    spans
}

/// Unicode sentences of `text`, with a piece ending in a macro's `!` joined
/// to the piece after it.
fn macro_bangs_joined(text: &str) -> Vec<(usize, &str)> {
    let mut joined: Vec<(usize, &str)> = Vec::new();
    for (start, sentence) in text.split_sentence_bound_indices() {
        match joined.last_mut() {
            Some((s, previous)) if ends_in_macro_bang(previous, sentence) => {
                *previous = &text[*s..start + sentence.len()];
            }
            _ => joined.push((start, sentence)),
        }
    }
    joined
}

/// Whether `sentence` ends in `name!` with `next` going on in lower case on
/// the same line.
fn ends_in_macro_bang(sentence: &str, next: &str) -> bool {
    let Some(head) = sentence.trim_end_matches([' ', '\t']).strip_suffix('!') else {
        return false;
    };
    head.ends_with(|c: char| c.is_alphanumeric() || c == '_')
        && next.starts_with(|c: char| c.is_lowercase())
}

/// The content terms of `text`, in order: lower-cased words of letters,
/// digits and `_`, without stop words, stemmed (Snowball English).
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty() && !is_stop_word(w))
        .map(stem)
        .collect()
}

fn stem(word: String) -> String {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    let stemmer = STEMMER.get_or_init(|| Stemmer::new(Algorithm::English));
    stemmer.stem(&word).into_owned()
}

/// Term counts of a piece of text.
pub type Bag = BTreeMap<String, f32>;

pub fn bag(text: &str) -> Bag {
    let mut bag = Bag::new();
    for term in terms(text) {
        *bag.entry(term).or_insert(0.0) += 1.0;
    }
    bag
}

/// Cosine similarity of two bags with each term weighted by `idf`
/// (terms missing from `idf` weigh 1).
pub fn cosine(a: &Bag, b: &Bag, idf: &BTreeMap<String, f32>) -> f32 {
    let weight = |t: &str| idf.get(t).copied().unwrap_or(1.0);
    let norm = |bag: &Bag| {
        bag.iter()
            .map(|(t, n)| (n * weight(t)).powi(2))
            .sum::<f32>()
            .sqrt()
    };
    let dot: f32 = a
        .iter()
        .filter_map(|(t, n)| b.get(t).map(|m| n * m * weight(t).powi(2)))
        .sum();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 {
        0.0
    } else {
        dot / denominator
    }
}

/// Inverse document frequencies of the terms of `bags`: `ln(1 + n / df)`.
pub fn idf<'a>(bags: impl IntoIterator<Item = &'a Bag>) -> BTreeMap<String, f32> {
    let mut df: BTreeMap<String, f32> = BTreeMap::new();
    let mut n = 0.0f32;
    for bag in bags {
        n += 1.0;
        for term in bag.keys() {
            *df.entry(term.clone()).or_insert(0.0) += 1.0;
        }
    }
    df.into_iter()
        .map(|(t, d)| (t, (1.0 + n / d).ln()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        sentence_spans(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn sentences_split_at_periods_and_lines() {
        let text = "# Ownership\nRust uses ownership. Each value has an owner!\n\n  let x = 5;\n";
        assert_eq!(
            sentences(text),
            vec![
                "# Ownership",
                "Rust uses ownership.",
                "Each value has an owner!",
                "let x = 5;"
            ]
        );
    }

    #[test]
    fn a_macros_bang_does_not_end_its_sentence() {
        let text = "Under the surface, the assert_eq! and assert_ne! macros use ==. Great! Next.\nprintln!\nnext";
        assert_eq!(
            sentences(text),
            vec![
                "Under the surface, the assert_eq! and assert_ne! macros use ==.",
                "Great!",
                "Next.",
                "println!",
                "next"
            ]
        );
    }

    #[test]
    fn terms_drop_stop_words_and_stem() {
        assert_eq!(
            terms("What are the chunk sizes of its Vectors? Processed classes"),
            vec!["chunk", "size", "vector", "process", "class"]
        );
    }

    #[test]
    fn cosine_is_one_for_equal_bags_and_zero_for_disjoint() {
        let (a, b, c) = (bag("chunk size"), bag("size chunk"), bag("borrow checker"));
        let idf = idf([&a, &b, &c]);
        assert!((cosine(&a, &b, &idf) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&a, &c, &idf), 0.0);
    }
}
