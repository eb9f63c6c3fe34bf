//! Citations: which sources an answer cites (`[n]` markers) and, for each,
//! the span of its chunk text that supports the answer. Every answer
//! sentence that cites source `n` is matched to the sentence of chunk `n`
//! with the highest term overlap; the span covers the matched sentences.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use grove_core::agents::{CitedSource, Span};
use grove_llm::text::{bag, cosine, idf, sentence_spans, Bag};
use grove_search::SearchHit;
use regex::Regex;

/// A citation marker: `[3]`, or a list such as `[1, 2]`.
pub(crate) fn marker() -> &'static Regex {
    static MARKER: OnceLock<Regex> = OnceLock::new();
    // `[3]`, and lists such as `[1, 2]`.
    MARKER.get_or_init(|| Regex::new(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]").expect("valid regex"))
}

/// The source numbers cited in `text`, in order of first appearance.
pub fn cited_numbers(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for caps in marker().captures_iter(text) {
        for n in caps[1].split(',').filter_map(|n| n.trim().parse().ok()) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// The answer's sentences with their markers removed, each with the source
/// numbers it cites. Markers after the full stop (`… done. [2]`) split off
/// as a sentence of their own; they belong to the sentence before. A
/// sentence without a marker takes those of the next sentence that has one
/// (a passage of two sentences is cited once, at its end: `A. This B. [2]`).
fn citing_sentences(answer: &str) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (s, e) in sentence_spans(answer) {
        let sentence = &answer[s..e];
        let plain = marker().replace_all(sentence, "").trim().to_owned();
        let numbers = cited_numbers(sentence);
        match out.last_mut() {
            Some(previous) if plain.is_empty() => previous.1.extend(numbers),
            _ => out.push((plain, numbers)),
        }
    }
    // Unmarked sentences take the markers that follow them.
    let mut following: Vec<usize> = Vec::new();
    for (_, numbers) in out.iter_mut().rev() {
        if numbers.is_empty() {
            numbers.clone_from(&following);
        } else {
            following.clone_from(numbers);
        }
    }
    out.retain(|(plain, numbers)| !plain.is_empty() && !numbers.is_empty());
    out
}

/// The span of `chunk` best matching `claim`; the whole chunk when no
/// sentence shares a term with it.
fn supporting_span(chunk: &str, claim: &Bag) -> Span {
    let sentences: Vec<((usize, usize), Bag)> = sentence_spans(chunk)
        .into_iter()
        .map(|(s, e)| ((s, e), bag(&chunk[s..e])))
        .collect();
    let weights = idf(sentences.iter().map(|(_, b)| b));
    let best = sentences
        .iter()
        .map(|(span, b)| (cosine(claim, b, &weights), *span))
        .filter(|(score, _)| *score > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1 .0.cmp(&a.1 .0)));
    match best {
        Some((_, (start, end))) => Span { start, end },
        None => Span {
            start: 0,
            end: chunk.len(),
        },
    }
}

fn union(a: Option<Span>, b: Span) -> Span {
    match a {
        Some(a) => Span {
            start: a.start.min(b.start),
            end: a.end.max(b.end),
        },
        None => b,
    }
}

/// The sources of an answer, numbered as the model saw them, each with
/// whether the answer cites it and the supporting span.
pub fn cite(answer: &str, hits: &[SearchHit]) -> Vec<CitedSource> {
    let mut spans: BTreeMap<usize, Span> = BTreeMap::new();
    for (claim, numbers) in citing_sentences(answer) {
        let claim = bag(&claim);
        for n in numbers {
            if let Some(hit) = n.checked_sub(1).and_then(|i| hits.get(i)) {
                let span = supporting_span(&hit.chunk.input.text, &claim);
                spans.insert(n, union(spans.get(&n).copied(), span));
            }
        }
    }
    hits.iter()
        .enumerate()
        .map(|(i, hit)| {
            let span = spans.get(&(i + 1)).copied();
            CitedSource {
                number: i + 1,
                chunk_id: hit.chunk.input.chunk_id.clone(),
                document_id: hit.chunk.owner.document_id.clone(),
                document_title: hit.chunk.input.title.clone(),
                document_url: hit.chunk.input.url.clone(),
                data_source_id: hit.chunk.owner.data_source_id.clone(),
                similarity_score: hit.similarity,
                chunk_text: hit.chunk.input.text.clone(),
                span,
                cited: span.is_some(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use grove_search::chunks::{ChunkInput, ChunkOwner, StoredChunk};

    fn hit(text: &str) -> SearchHit {
        SearchHit {
            chunk: StoredChunk {
                key: 1,
                owner: ChunkOwner {
                    org_id: "org_a".into(),
                    data_source_id: "ds_a".into(),
                    document_id: "doc_a".into(),
                },
                input: ChunkInput {
                    chunk_id: "chk_a".into(),
                    text: text.to_owned(),
                    title: "T".into(),
                    url: None,
                    heading_path: Vec::new(),
                    start: 0,
                    end: text.len(),
                },
            },
            similarity: 0.8,
            raw_score: 0.5,
            coverage: 1.0,
        }
    }

    #[test]
    fn markers_are_read_in_order_including_lists() {
        assert_eq!(
            cited_numbers("A [2]. B [1, 3][2]. C [x] [1000]"),
            vec![2, 1, 3]
        );
    }

    #[test]
    fn each_cited_source_gets_the_span_of_its_supporting_sentence() {
        let first = "Intro line here.\nRefunds are processed within 14 days. Shipping is free.";
        let second = "Support answers within a day.";
        let hits = [hit(first), hit(second), hit("Unrelated.")];
        // Markers before and after the full stop.
        let answer = "Refunds are processed within 14 days [1]. Support replies within a day. [2]";
        let sources = cite(answer, &hits);
        let span = sources[0].span.unwrap();
        assert_eq!(
            &first[span.start..span.end],
            "Refunds are processed within 14 days."
        );
        let span = sources[1].span.unwrap();
        assert_eq!(&second[span.start..span.end], second);
        assert!(!sources[2].cited && sources[2].span.is_none());
        assert_eq!(
            sources.iter().map(|s| s.number).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn markers_past_the_sources_and_uncited_answers_cite_nothing() {
        let hits = [hit("Refunds take 14 days.")];
        assert!(cite("Refunds take 14 days [4].", &hits)
            .iter()
            .all(|s| !s.cited));
        assert!(cite("Refunds take 14 days.", &hits)
            .iter()
            .all(|s| !s.cited));
    }

    #[test]
    fn a_joined_passage_cited_once_spans_both_of_its_sentences() {
        let chunk = "Intro line here. A slice is a reference to part of a collection. \
                     This slice has the type &[i32]. Unrelated closing words follow.";
        let answer =
            "A slice is a reference to part of a collection. This slice has the type &[i32]. [1]";
        let cited = cite(answer, &[hit(chunk)]);
        let span = cited[0].span.expect("cited");
        assert_eq!(
            &chunk[span.start..span.end],
            "A slice is a reference to part of a collection. This slice has the type &[i32]."
        );
    }
}
