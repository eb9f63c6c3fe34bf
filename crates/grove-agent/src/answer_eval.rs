//! `grove eval answers`: how well answerers answer a labelled set, each over
//! the same sources. Every question is searched once as a default redwood
//! agent searches (hybrid, top 8, the agent threshold); then each answerer
//! answers from those sources, and is scored on:
//!
//! - **gold hit**: the answer contains one of the question's gold sentences
//!   (compared as lower-case words, so whitespace, quotes and punctuation
//!   do not matter);
//! - **headings or questions**: answers with a piece that does not end a
//!   statement (a heading, a lead-in, a fragment) or that asks something;
//! - **cited precision**: the first cited source is a relevant page;
//! - mean length in words, and the answerer's own time (p50 / p99).
//!
//! Baselines: the first two sentences of the top source, and the answerer
//! as it was before issue 21 (`previous`, kept verbatim for comparison).
//!
//! Follow-ups (`first<TAB>second<TAB>pages`): the second turn's retrieval
//! hit@5 as redwood asks it and as cedar rewrites it without a model.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use grove_llm::{Prompt, SourceText};
use grove_search::eval::{is_page, page_key};
use grove_search::{Mode, SearchEngine, SearchError, SearchHit, SearchRequest};

use crate::citations::cited_numbers;

pub mod previous;

/// Sources an answer is made from: as the redwood strategy retrieves.
const SOURCES: usize = 8;

/// A labelled question: `question<TAB>page,page<TAB>gold || gold`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerItem {
    pub question: String,
    pub pages: Vec<String>,
    pub gold: Vec<String>,
}

/// Reads an answer set; `#` lines and blank lines are skipped.
pub fn parse_answer_set(tsv: &str) -> Result<Vec<AnswerItem>, String> {
    let mut items = Vec::new();
    for (n, line) in tsv.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [question, pages, gold] = fields[..] else {
            return Err(format!(
                "line {}: expected question, pages and gold sentences",
                n + 1
            ));
        };
        items.push(AnswerItem {
            question: question.trim().to_owned(),
            pages: pages.split(',').map(|p| p.trim().to_owned()).collect(),
            gold: gold.split(" || ").map(|g| g.trim().to_owned()).collect(),
        });
    }
    Ok(items)
}

/// Lower-case words of letters and digits, one space apart.
fn normalized(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `answer` contains one of the gold sentences.
pub fn gold_hit(answer: &str, gold: &[String]) -> bool {
    let answer = format!(" {} ", normalized(answer));
    gold.iter()
        .map(|g| normalized(g))
        .any(|g| !g.is_empty() && answer.contains(&format!(" {g} ")))
}

/// Whether a piece of `answer` (split at its citation markers and sentence
/// ends) is a heading, lead-in or fragment (no `.` or `!` at its end) or a
/// question.
pub fn has_heading_or_question(answer: &str) -> bool {
    crate::citations::marker()
        .split(answer)
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .any(|piece| {
            let end = piece.trim_end_matches(['"', '\'', ')', '”', '’']);
            end.ends_with('?') || !(end.ends_with('.') || end.ends_with('!'))
        })
}

/// An answerer under evaluation: question and sources in, answer out.
pub type AnswerFn<'a> =
    Box<dyn Fn(Prompt) -> Pin<Box<dyn Future<Output = String> + Send + 'a>> + Send + Sync + 'a>;

/// The first two sentences of the top source, cited.
pub fn first_two_sentences(prompt: &Prompt) -> String {
    let Some(top) = prompt.sources.first() else {
        return String::new();
    };
    grove_llm::text::sentence_spans(&top.text)
        .into_iter()
        .take(2)
        .map(|(s, e)| {
            format!(
                "{} [1]",
                top.text[s..e]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One answerer's scores over a set.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerScores {
    pub answerer: String,
    pub questions: usize,
    /// Questions given any answer (some sources passed the threshold).
    pub answered: usize,
    pub gold_hits: usize,
    pub headings_or_questions: usize,
    /// Answers citing something, and those whose first citation is relevant.
    pub citing: usize,
    pub relevant_first_citation: usize,
    pub mean_words: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Each question's answer, for reading what went wrong.
    pub answers: Vec<AnswerRecord>,
}

/// One answer as given and judged.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRecord {
    pub question: String,
    pub answer: String,
    pub gold_hit: bool,
    /// The first source (1-based) holding a gold sentence, if any does.
    pub gold_source: Option<usize>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// How often the sources hold a gold sentence at all, counted over every
/// question of the set: in the first source, the first three, any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GoldReach {
    pub questions: usize,
    pub in_first: usize,
    pub in_first_three: usize,
    pub in_any: usize,
}

impl GoldReach {
    /// Counts one question whose sources are `texts`, best first, and
    /// says which source (0-based) first holds a gold sentence.
    fn count(&mut self, texts: &[&str], gold: &[String]) -> Option<usize> {
        self.questions += 1;
        let at = texts.iter().position(|t| gold_hit(t, gold))?;
        self.in_first += (at == 0) as usize;
        self.in_first_three += (at < 3) as usize;
        self.in_any += 1;
        Some(at)
    }
}

/// Every answerer's scores, and what the sources could give.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerEval {
    pub scores: Vec<AnswerScores>,
    pub reach: GoldReach,
}

/// The sources a default redwood agent would answer `question` from.
async fn sources(
    engine: &SearchEngine,
    org: &str,
    data_source: &str,
    question: &str,
    threshold: f32,
) -> Result<Vec<SearchHit>, SearchError> {
    Ok(engine
        .search(SearchRequest {
            org_id: org.to_owned(),
            query: question.to_owned(),
            mode: Mode::Hybrid,
            top_k: SOURCES,
            threshold,
            data_source_ids: Some(vec![data_source.to_owned()]),
        })
        .await?
        .hits)
}

/// Scores each named answerer over `items`, all from the same sources.
pub async fn evaluate_answers(
    engine: &SearchEngine,
    org: &str,
    data_source: &str,
    items: &[AnswerItem],
    threshold: f32,
    answerers: &[(&str, AnswerFn<'_>)],
) -> Result<AnswerEval, SearchError> {
    let mut reach = GoldReach::default();
    let mut scores: Vec<AnswerScores> = answerers
        .iter()
        .map(|(name, _)| AnswerScores {
            answerer: (*name).to_owned(),
            questions: items.len(),
            answered: 0,
            gold_hits: 0,
            headings_or_questions: 0,
            citing: 0,
            relevant_first_citation: 0,
            mean_words: 0.0,
            p50_ms: 0.0,
            p99_ms: 0.0,
            answers: Vec::new(),
        })
        .collect();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); answerers.len()];
    let mut words: Vec<usize> = vec![0; answerers.len()];
    for item in items {
        let hits = sources(engine, org, data_source, &item.question, threshold).await?;
        let texts: Vec<&str> = hits.iter().map(|h| h.chunk.input.text.as_str()).collect();
        let gold_source = reach.count(&texts, &item.gold).map(|at| at + 1);
        if hits.is_empty() {
            continue;
        }
        let prompt = Prompt {
            system_prompt: String::new(),
            question: item.question.clone(),
            sources: hits
                .iter()
                .map(|h| SourceText {
                    title: h.chunk.input.title.clone(),
                    url: h.chunk.input.url.clone(),
                    text: h.chunk.input.text.clone(),
                })
                .collect(),
            history: Vec::new(),
        };
        for (i, (_, answer_fn)) in answerers.iter().enumerate() {
            let started = Instant::now();
            let answer = answer_fn(prompt.clone()).await;
            times[i].push(started.elapsed().as_secs_f64() * 1000.0);
            let s = &mut scores[i];
            if answer.trim().is_empty() {
                continue;
            }
            s.answered += 1;
            words[i] += answer.split_whitespace().count();
            let hit = gold_hit(&answer, &item.gold);
            s.gold_hits += hit as usize;
            s.headings_or_questions += has_heading_or_question(&answer) as usize;
            if let Some(first) = cited_numbers(&answer).first() {
                s.citing += 1;
                let page = first
                    .checked_sub(1)
                    .and_then(|n| hits.get(n))
                    .and_then(|h| h.chunk.input.url.clone())
                    .map(|u| page_key(&u))
                    .unwrap_or_default();
                let relevant = item.pages.iter().any(|p| is_page(&page, p));
                s.relevant_first_citation += relevant as usize;
            }
            s.answers.push(AnswerRecord {
                question: item.question.clone(),
                answer,
                gold_hit: hit,
                gold_source,
            });
        }
    }
    for (i, s) in scores.iter_mut().enumerate() {
        s.mean_words = words[i] as f64 / s.answered.max(1) as f64;
        times[i].sort_by(f64::total_cmp);
        s.p50_ms = percentile(&times[i], 0.5);
        s.p99_ms = percentile(&times[i], 0.99);
    }
    Ok(AnswerEval { scores, reach })
}

/// A two-turn pair: the second question leans on the first.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub first: String,
    pub second: String,
    /// Pages answering the second question in the context of the first.
    pub pages: Vec<String>,
}

/// Reads `first<TAB>second<TAB>page,page` lines; `#` and blank lines skipped.
pub fn parse_followups(tsv: &str) -> Result<Vec<FollowUp>, String> {
    let mut out = Vec::new();
    for (n, line) in tsv.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [first, second, pages] = fields[..] else {
            return Err(format!("line {}: expected two questions and pages", n + 1));
        };
        out.push(FollowUp {
            first: first.trim().to_owned(),
            second: second.trim().to_owned(),
            pages: pages.split(',').map(|p| p.trim().to_owned()).collect(),
        });
    }
    Ok(out)
}

/// Second-turn retrieval hit@5 of redwood (the question as asked) and of
/// cedar without a model (the question with the first turn's key words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpScores {
    pub pairs: usize,
    pub redwood_hits: usize,
    pub cedar_hits: usize,
}

async fn hit_at_5(
    engine: &SearchEngine,
    org: &str,
    data_source: &str,
    query: &str,
    pages: &[String],
) -> Result<bool, SearchError> {
    let hits = sources(engine, org, data_source, query, 0.0).await?;
    Ok(pages_of(&hits)
        .iter()
        .take(5)
        .any(|k| pages.iter().any(|p| is_page(k, p))))
}

/// Scores the second turns of `pairs` for redwood and model-less cedar.
pub async fn evaluate_followups(
    engine: &SearchEngine,
    org: &str,
    data_source: &str,
    pairs: &[FollowUp],
) -> Result<FollowUpScores, SearchError> {
    let mut scores = FollowUpScores {
        pairs: pairs.len(),
        redwood_hits: 0,
        cedar_hits: 0,
    };
    for pair in pairs {
        let history = [grove_llm::Turn {
            question: pair.first.clone(),
            answer: String::new(),
        }];
        let cedar = crate::strategy::carry_key_words(&pair.second, &history);
        scores.redwood_hits +=
            hit_at_5(engine, org, data_source, &pair.second, &pair.pages).await? as usize;
        scores.cedar_hits +=
            hit_at_5(engine, org, data_source, &cedar, &pair.pages).await? as usize;
    }
    Ok(scores)
}

/// Retrieval hit@5 of redwood and of cypress (without a model: key words
/// and terms from the first hits) over a question set, overall and on the
/// hard questions: those whose first redwood source is not relevant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StrategyScores {
    pub questions: usize,
    pub redwood_hits: usize,
    pub cypress_hits: usize,
    pub hard: usize,
    pub hard_redwood_hits: usize,
    pub hard_cypress_hits: usize,
}

/// The pages of `hits`, first occurrence first.
fn pages_of(hits: &[SearchHit]) -> Vec<String> {
    let mut pages: Vec<String> = Vec::new();
    for hit in hits {
        let key = page_key(hit.chunk.input.url.as_deref().unwrap_or_default());
        if !pages.contains(&key) {
            pages.push(key);
        }
    }
    pages
}

/// Runs every answerable question as a redwood and as a cypress agent over
/// `data_source` (threshold `threshold`, the extractive model).
pub async fn evaluate_strategies(
    engine: &SearchEngine,
    org: &grove_core::ids::OrgId,
    data_source: &grove_core::ids::DataSourceId,
    questions: &[grove_search::eval::Question],
    threshold: f32,
) -> Result<StrategyScores, crate::AgentError> {
    use grove_core::agents::{Agent, AgentStatus, RagStrategy};
    let now = jiff::Timestamp::now();
    let agent = |strategy| Agent {
        id: grove_core::ids::AgentId::generate(),
        org_id: org.clone(),
        name: "eval".into(),
        slug: "eval".into(),
        description: String::new(),
        system_prompt: String::new(),
        rag_strategy: strategy,
        model: grove_llm::EXTRACTIVE.into(),
        model_source: grove_core::agents::ModelSource::Agent,
        temperature: 0.0,
        max_tokens: 500,
        similarity_threshold: threshold,
        data_source_ids: vec![data_source.clone()],
        data_connector_ids: Vec::new(),
        max_steps: 8,
        components: None,
        max_run_tokens: None,
        max_run_cost_usd: None,
        active: true,
        status: AgentStatus::Active,
        created_at: now,
        updated_at: now,
    };
    let (redwood, cypress) = (agent(RagStrategy::Redwood), agent(RagStrategy::Cypress));
    let generator = grove_llm::Resolved {
        generator: std::sync::Arc::new(grove_llm::extractive::Extractive::default()),
        model: String::new(),
        price: None,
    };
    let settings = grove_llm::Settings {
        model: String::new(),
        temperature: 0.0,
        max_tokens: 500,
    };
    let ctx = crate::strategy::RetrievalContext {
        search: engine,
        generator: &generator,
        settings: &settings,
    };
    let mut scores = StrategyScores::default();
    for q in questions.iter().filter(|q| q.answerable()) {
        let relevant = |pages: &[String]| {
            pages
                .iter()
                .any(|k| q.relevant.iter().any(|r| is_page(k, r)))
        };
        let plain = pages_of(
            &crate::strategy::retrieve(&ctx, &redwood, &q.text, &[])
                .await?
                .hits,
        );
        let expanded = pages_of(
            &crate::strategy::retrieve(&ctx, &cypress, &q.text, &[])
                .await?
                .hits,
        );
        let (r, c) = (
            relevant(&plain[..plain.len().min(5)]),
            relevant(&expanded[..expanded.len().min(5)]),
        );
        scores.questions += 1;
        scores.redwood_hits += r as usize;
        scores.cypress_hits += c as usize;
        if !relevant(&plain[..plain.len().min(1)]) {
            scores.hard += 1;
            scores.hard_redwood_hits += r as usize;
            scores.hard_cypress_hits += c as usize;
        }
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_sentences_match_whatever_the_spacing_quotes_and_markers() {
        let gold =
            vec!["A slice is a kind of reference, so it does not have ownership.".to_owned()];
        assert!(gold_hit(
            "Slices let you refer to a sequence. [2] A slice is a kind of  reference, so it \
             does not have ownership. [1]",
            &gold
        ));
        assert!(!gold_hit("A slice is a kind of reference. [1]", &gold));
        // Whole words only: a gold sentence inside a longer word run still counts,
        // a partial word does not.
        assert!(!gold_hit(
            "xA slice is a kind of reference, so it does not have ownership.",
            &gold
        ));
    }

    #[test]
    fn headings_and_questions_are_caught_and_statements_pass() {
        assert!(has_heading_or_question(
            "Reading the Argument Values [6] It reads them. [1]"
        ));
        assert!(has_heading_or_question(
            "So, what's the difference here? [1]"
        ));
        assert!(has_heading_or_question("To do so, write this: [2]"));
        assert!(!has_heading_or_question(
            "Arc<T> is safe to share. [1] It counts references. [1, 2]"
        ));
        assert!(!has_heading_or_question("They said \"stop.\" [3]"));
        // Brackets that are not markers are part of the sentence.
        assert!(!has_heading_or_question(
            "A [workspace] section lists members. [2]"
        ));
    }

    #[test]
    fn answer_sets_parse_and_refuse_short_lines() {
        let set = parse_answer_set(
            "# header\n\nWhat is a slice?\tch04-03-slices,ch08-02\tA slice is X. || Slices are Y.\n",
        )
        .unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set[0].pages, ["ch04-03-slices", "ch08-02"]);
        assert_eq!(set[0].gold, ["A slice is X.", "Slices are Y."]);
        assert!(parse_answer_set("What?\tpage\n")
            .unwrap_err()
            .contains("line 1"));
    }

    #[test]
    fn the_first_two_sentences_baseline_quotes_the_top_source() {
        let prompt = Prompt {
            system_prompt: String::new(),
            question: "q".into(),
            sources: vec![SourceText {
                title: "t".into(),
                url: None,
                text: "Slices\n\nA slice is a view. It borrows. It ends.".into(),
            }],
            history: Vec::new(),
        };
        assert_eq!(
            first_two_sentences(&prompt),
            "Slices [1] A slice is a view. [1]"
        );
    }

    #[test]
    fn followups_parse() {
        let pairs =
            parse_followups("# h\nWhat is a slice?\tAnd for arrays?\tch04-03-slices\n").unwrap();
        assert_eq!(pairs[0].second, "And for arrays?");
        assert_eq!(pairs[0].pages, ["ch04-03-slices"]);
        assert!(parse_followups("a\tb\n").is_err());
    }

    #[test]
    fn reach_counts_where_a_gold_sentence_first_stands() {
        let gold = vec!["A slice is a view.".to_owned()];
        let mut reach = GoldReach::default();
        let texts = ["Other.", "x", "Here: a slice is a view. More."];
        assert_eq!(reach.count(&texts, &gold), Some(2));
        assert_eq!(
            reach.count(&["a b", "c", "d", "A slice is a view."], &gold),
            Some(3)
        );
        assert_eq!(reach.count(&[], &gold), None);
        assert_eq!(
            reach,
            GoldReach {
                questions: 3,
                in_first: 0,
                in_first_three: 1,
                in_any: 2
            }
        );
        reach.count(&["A slice is a view."], &gold);
        assert_eq!((reach.in_first, reach.in_first_three), (1, 2));
    }

    #[test]
    fn percentiles_pick_ranks() {
        let v = [1.0, 2.0, 3.0, 4.0, 100.0];
        assert_eq!(percentile(&v, 0.5), 3.0);
        assert_eq!(percentile(&v, 0.99), 100.0);
    }
}
