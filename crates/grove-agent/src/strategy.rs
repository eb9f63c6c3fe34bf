//! The retrieval strategies. `redwood` searches with the question as asked.
//! `cedar` first makes it standalone from the session's last turns (by the
//! agent's model when it can follow instructions, else by carrying the key
//! words of the earlier questions). `cypress` does the same, expands it into
//! several queries (the model's alternatives, or the key words alone and the
//! key words plus terms frequent in the first hits), retrieves 50 per query,
//! fuses the lists by reciprocal rank and reranks to the best 10.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use grove_core::agents::{Agent, RagStrategy, RetrievalTrace};
use grove_llm::text::{bag, cosine, idf, is_stop_word, terms};
use grove_llm::{Completion, Resolved, Settings, Turn, Usage};
use grove_search::fusion::reciprocal_rank_lists;
use grove_search::{Mode, SearchEngine, SearchHit, SearchRequest};

use crate::AgentError;

/// Chunks given to the model by redwood and cedar.
const TOP_K: usize = 8;
/// Chunks retrieved per query by cypress, and the final cut after reranking.
const WIDE_K: usize = 50;
const RERANKED: usize = 10;
/// Earlier questions whose key words a deterministic rewrite carries.
const CARRIED_TURNS: usize = 3;
/// Key words added by pseudo-relevance feedback.
const FEEDBACK_TERMS: usize = 5;
/// Hits read for pseudo-relevance feedback.
const FEEDBACK_HITS: usize = 3;

/// What retrieval found, best first, with how it got there.
pub struct Retrieved {
    pub hits: Vec<SearchHit>,
    pub trace: RetrievalTrace,
    /// Tokens the model spent rewriting or expanding the question.
    pub usage: Usage,
}

/// What retrieval needs besides the agent.
pub struct RetrievalContext<'a> {
    pub search: &'a SearchEngine,
    pub generator: &'a Resolved,
    pub settings: &'a Settings,
}

fn millis(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

pub async fn retrieve(
    ctx: &RetrievalContext<'_>,
    agent: &Agent,
    question: &str,
    history: &[Turn],
) -> Result<Retrieved, AgentError> {
    let mut trace = RetrievalTrace::default();
    let mut usage = Usage::default();
    let started = Instant::now();
    let standalone = match agent.rag_strategy {
        RagStrategy::Redwood => question.to_owned(),
        RagStrategy::Cedar | RagStrategy::Cypress => {
            standalone(ctx, question, history, &mut usage).await
        }
    };
    trace.rewrite_ms = millis(started);
    let hits = match agent.rag_strategy {
        RagStrategy::Redwood | RagStrategy::Cedar => {
            trace.queries = vec![standalone.clone()];
            let started = Instant::now();
            let hits = search(ctx.search, agent, &standalone, TOP_K).await?;
            trace.search_ms = millis(started);
            trace.candidates = hits.len();
            hits
        }
        RagStrategy::Cypress => cypress(ctx, agent, &standalone, &mut trace, &mut usage).await?,
    };
    Ok(Retrieved { hits, trace, usage })
}

async fn search(
    engine: &SearchEngine,
    agent: &Agent,
    query: &str,
    top_k: usize,
) -> Result<Vec<SearchHit>, AgentError> {
    let request = SearchRequest {
        org_id: agent.org_id.to_string(),
        query: query.to_owned(),
        mode: Mode::Hybrid,
        top_k,
        threshold: agent.similarity_threshold,
        data_source_ids: Some(
            agent
                .data_source_ids
                .iter()
                .map(|d| d.to_string())
                .collect(),
        ),
    };
    Ok(engine.search(request).await?.hits)
}

/// The question made standalone from the session's last turns; what the
/// model spent on it is added to `usage`.
async fn standalone(
    ctx: &RetrievalContext<'_>,
    question: &str,
    history: &[Turn],
    usage: &mut Usage,
) -> String {
    if history.is_empty() {
        return question.to_owned();
    }
    let (system, user) = rewrite_prompt(question, history);
    let generator = &ctx.generator.generator;
    match generator.complete(&system, &user, ctx.settings).await {
        Ok(Some(Completion { text, usage: spent })) => {
            *usage += spent;
            match text.trim() {
                "" => carry_key_words(question, history),
                rewritten => rewritten.to_owned(),
            }
        }
        Ok(None) => carry_key_words(question, history),
        Err(e) => {
            tracing::warn!(error = %e, "question rewrite failed; carrying key words instead");
            carry_key_words(question, history)
        }
    }
}

fn rewrite_prompt(question: &str, history: &[Turn]) -> (String, String) {
    let system = "Rewrite the user's last question as a standalone question that can be \
                  understood without the conversation. Keep its language. Reply with the \
                  question only."
        .to_owned();
    let mut user = String::from("Conversation:\n");
    for turn in history {
        user.push_str(&format!(
            "User: {}\nAssistant: {}\n",
            turn.question, turn.answer
        ));
    }
    user.push_str(&format!("\nLast question: {question}"));
    (system, user)
}

/// The words of `text` that carry its topic, as written, first occurrence.
pub fn key_words(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty() && !is_stop_word(&w.to_lowercase()))
        .filter(|w| seen.insert(w.to_lowercase()))
        .map(str::to_owned)
        .collect()
}

/// The deterministic rewrite: the question followed by the key words of the
/// last few questions (newest first) that it does not already contain.
pub fn carry_key_words(question: &str, history: &[Turn]) -> String {
    let present: HashSet<String> = terms(question).into_iter().collect();
    let mut carried: Vec<String> = Vec::new();
    let mut carried_terms: HashSet<String> = HashSet::new();
    for turn in history.iter().rev().take(CARRIED_TURNS) {
        for word in key_words(&turn.question) {
            let term = terms(&word).into_iter().next().unwrap_or_default();
            if !present.contains(&term) && carried_terms.insert(term) {
                carried.push(word);
            }
        }
    }
    if carried.is_empty() {
        question.to_owned()
    } else {
        format!("{question} {}", carried.join(" "))
    }
}

/// Alternative queries from the model; none if it cannot. What the model
/// spent is added to `usage`.
async fn model_expansions(
    ctx: &RetrievalContext<'_>,
    question: &str,
    usage: &mut Usage,
) -> Vec<String> {
    let system = "Write three different search queries that would find documents answering \
                  the question: use synonyms and related terms. One query per line, nothing else.";
    let generator = &ctx.generator.generator;
    match generator.complete(system, question, ctx.settings).await {
        Ok(Some(Completion { text, usage: spent })) => {
            *usage += spent;
            expansion_lines(&text)
        }
        Ok(None) => Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "query expansion failed; expanding without the model");
            Vec::new()
        }
    }
}

/// Up to three queries from the model's lines, list markers removed.
fn expansion_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['-', '*', '1', '2', '3', '.', ')', ' '])
        })
        .filter(|l| !l.is_empty())
        .take(3)
        .map(str::to_owned)
        .collect()
}

/// Terms frequent in the first hits but absent from the question.
fn feedback_terms(question: &str, hits: &[SearchHit]) -> Vec<String> {
    let present: HashSet<String> = terms(question).into_iter().collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for hit in hits.iter().take(FEEDBACK_HITS) {
        for term in terms(&hit.chunk.input.text) {
            if !present.contains(&term) && term.chars().any(char::is_alphabetic) {
                *counts.entry(term).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(FEEDBACK_TERMS)
        .map(|(t, _)| t)
        .collect()
}

async fn cypress(
    ctx: &RetrievalContext<'_>,
    agent: &Agent,
    standalone: &str,
    trace: &mut RetrievalTrace,
    usage: &mut Usage,
) -> Result<Vec<SearchHit>, AgentError> {
    let started = Instant::now();
    let mut queries = vec![standalone.to_owned()];
    let from_model = model_expansions(ctx, standalone, usage).await;
    let keywords = key_words(standalone).join(" ");
    trace.rewrite_ms += millis(started);

    let started = Instant::now();
    let first = search(ctx.search, agent, standalone, WIDE_K).await?;
    let mut lists = vec![first];
    if from_model.is_empty() {
        let feedback = feedback_terms(standalone, &lists[0]);
        queries.push(keywords.clone());
        if !feedback.is_empty() {
            queries.push(format!("{keywords} {}", feedback.join(" ")));
        }
    } else {
        queries.extend(from_model);
    }
    queries.dedup();
    for query in queries.iter().skip(1) {
        lists.push(search(ctx.search, agent, query, WIDE_K).await?);
    }
    trace.search_ms = millis(started);
    trace.queries = queries;

    let started = Instant::now();
    let hits = fuse_and_rerank(standalone, lists);
    trace.rerank_ms = millis(started);
    trace.candidates = hits.1;
    Ok(hits.0)
}

/// Fuses the lists by reciprocal rank and reranks the union: half the fused
/// score (scaled to the best), half the best similarity any query gave the
/// chunk, plus term overlap with the question to break near-ties. Returns
/// the best [`RERANKED`] and how many distinct chunks there were.
fn fuse_and_rerank(question: &str, lists: Vec<Vec<SearchHit>>) -> (Vec<SearchHit>, usize) {
    let keys: Vec<Vec<u64>> = lists
        .iter()
        .map(|l| l.iter().map(|h| h.chunk.key).collect())
        .collect();
    let fused = reciprocal_rank_lists(&keys, 60.0);
    let best_fused = fused.first().map_or(1.0, |f| f.1.max(f32::MIN_POSITIVE));
    let mut by_key: BTreeMap<u64, SearchHit> = BTreeMap::new();
    for hit in lists.into_iter().flatten() {
        match by_key.get_mut(&hit.chunk.key) {
            Some(kept) if kept.similarity >= hit.similarity => {}
            Some(kept) => *kept = hit,
            None => {
                by_key.insert(hit.chunk.key, hit);
            }
        }
    }
    let candidates = by_key.len();
    let question_bag = bag(question);
    let bags: Vec<_> = by_key.values().map(|h| bag(&h.chunk.input.text)).collect();
    let weights = idf(bags.iter());
    let overlap: BTreeMap<u64, f32> = by_key
        .keys()
        .zip(&bags)
        .map(|(k, b)| (*k, cosine(&question_bag, b, &weights)))
        .collect();
    let mut scored: Vec<(f32, SearchHit)> = fused
        .into_iter()
        .filter_map(|(key, score)| {
            let hit = by_key.remove(&key)?;
            let lexical = overlap.get(&key).copied().unwrap_or(0.0);
            let total = 0.5 * score / best_fused + 0.5 * hit.similarity + 0.1 * lexical;
            Some((total, hit))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.chunk.key.cmp(&b.1.chunk.key)));
    let hits = scored.into_iter().take(RERANKED).map(|(_, h)| h).collect();
    (hits, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(question: &str) -> Turn {
        Turn {
            question: question.to_owned(),
            answer: "An answer.".to_owned(),
        }
    }

    #[test]
    fn a_follow_up_carries_the_key_words_of_the_earlier_question() {
        let history = [turn("How do I configure the chunk size?")];
        assert_eq!(
            carry_key_words("What about its default?", &history),
            "What about its default? configure chunk size"
        );
    }

    #[test]
    fn words_already_asked_about_are_not_repeated_and_newest_turns_come_first() {
        let history = [
            turn("Tell me about tokio runtimes"),
            turn("How big are chunks?"),
        ];
        assert_eq!(
            carry_key_words("And the chunk overlap?", &history),
            "And the chunk overlap? big tokio runtimes"
        );
        assert_eq!(carry_key_words("Anything?", &[]), "Anything?");
    }

    #[test]
    fn key_words_keep_their_spelling_and_drop_function_words() {
        assert_eq!(
            key_words("What is the Default chunk_size of the default?"),
            vec!["Default", "chunk_size"]
        );
    }
}
