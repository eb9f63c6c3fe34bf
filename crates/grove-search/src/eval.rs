//! Retrieval evaluation over a question set in the format of
//! `eval/rust-book/questions.tsv`: a question, a tab, and the relevant pages
//! (comma-separated, without `.html`), or `-` for a question the corpus cannot
//! answer. A page is named by its path, or any trailing part of it at a `/`
//! (`ch04-03-slices`, `commands/cargo-build`), so page names need only be as
//! long as it takes to tell pages apart.
//!
//! Every system is scored from a [`Ranking`] — the distinct pages it returned
//! for one question in one mode, best first — by one implementation
//! ([`score_rankings`]): hit@5 (a relevant page among the first five pages),
//! MRR@10 (reciprocal rank of the first relevant page among the first ten) and
//! recall@10 (share of the relevant pages among the first ten), over the
//! answerable questions. Grove's rankings come from [`rank_questions`]; a
//! peer's (`eval/peers/`) are read from the same JSON lines.

use serde::{Deserialize, Serialize};

use crate::{Mode, SearchEngine, SearchError, SearchRequest};

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub text: String,
    /// Page names; empty for a question the corpus cannot answer.
    pub relevant: Vec<String>,
}

impl Question {
    pub fn answerable(&self) -> bool {
        !self.relevant.is_empty()
    }
}

/// Parses the TSV; blank lines and lines starting with `#` are skipped.
pub fn parse_questions(tsv: &str) -> Result<Vec<Question>, String> {
    tsv.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, line)| {
            let (q, pages) = line
                .split_once('\t')
                .ok_or_else(|| format!("line {}: expected question<TAB>pages", n + 1))?;
            let relevant: Vec<String> = match pages.trim() {
                "-" => Vec::new(),
                pages => pages
                    .split(',')
                    .map(|p| p.trim().trim_end_matches(".html").to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
            };
            if relevant.is_empty() && pages.trim() != "-" {
                return Err(format!(
                    "line {}: no relevant pages (write `-` for a question the corpus cannot answer)",
                    n + 1
                ));
            }
            Ok(Question {
                text: q.trim().to_owned(),
                relevant,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scores {
    pub hit_at_5: f64,
    pub mrr_at_10: f64,
    pub recall_at_10: f64,
    /// Answerable questions scored.
    pub questions: usize,
}

/// What one system returned for one question in one mode: one line of a
/// rankings file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    pub system: String,
    pub mode: String,
    pub question: String,
    /// Distinct page URLs (or paths), best first.
    pub pages: Vec<String>,
    /// The best score among the hits as the system reports it (Grove: the
    /// calibrated relevance in every mode), if it has one.
    #[serde(default)]
    pub top_score: Option<f32>,
    /// Grove: the best raw cosine similarity among the hits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_score: Option<f32>,
    /// Grove: `[cosine, coverage]` of the first hits, what the
    /// calibration reads (for fitting it: `examples/calibrate.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<[f32; 2]>,
}

/// A page's name: its URL without scheme, query, fragment and `.html`.
pub fn page_key(url: &str) -> String {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['#', '?']).next().unwrap_or(path);
    path.trim_end_matches(".html")
        .trim_end_matches(".htm")
        .to_owned()
}

/// Whether page `key` is the page named `name` (equal, or ending in `/name`).
pub fn is_page(key: &str, name: &str) -> bool {
    key == name
        || key
            .strip_suffix(name)
            .is_some_and(|head| head.ends_with('/'))
}

/// Scores one ranked list of pages against the relevant ones.
pub fn score(pages: &[String], relevant: &[String]) -> (bool, f64, f64) {
    let keys: Vec<String> = pages.iter().map(|p| page_key(p)).collect();
    let is_relevant = |k: &String| relevant.iter().any(|r| is_page(k, r));
    let hit = keys.iter().take(5).any(is_relevant);
    let rr = keys
        .iter()
        .take(10)
        .position(is_relevant)
        .map_or(0.0, |i| 1.0 / (i as f64 + 1.0));
    let found = relevant
        .iter()
        .filter(|r| keys.iter().take(10).any(|k| is_page(k, r)))
        .count();
    (hit, rr, found as f64 / relevant.len().max(1) as f64)
}

/// Scores every (system, mode) of `rankings` over the answerable questions,
/// in order of first appearance. A question without a ranking counts as a
/// miss; rankings of questions not in the set are ignored.
pub fn score_rankings(
    questions: &[Question],
    rankings: &[Ranking],
) -> Vec<(String, String, Scores)> {
    let mut groups: Vec<(String, String)> = Vec::new();
    for r in rankings {
        let group = (r.system.clone(), r.mode.clone());
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    groups
        .into_iter()
        .map(|(system, mode)| {
            let mut total = Scores::default();
            for q in questions.iter().filter(|q| q.answerable()) {
                total.questions += 1;
                let Some(r) = rankings
                    .iter()
                    .find(|r| r.system == system && r.mode == mode && r.question == q.text)
                else {
                    continue;
                };
                let (hit, rr, recall) = score(&r.pages, &q.relevant);
                total.hit_at_5 += hit as u8 as f64;
                total.mrr_at_10 += rr;
                total.recall_at_10 += recall;
            }
            let n = total.questions.max(1) as f64;
            total.hit_at_5 /= n;
            total.mrr_at_10 /= n;
            total.recall_at_10 /= n;
            (system, mode, total)
        })
        .collect()
}

/// How a default agent would fare: it answers when its hybrid search returns
/// a hit at or above its threshold, and declines otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AgentRates {
    pub answerable: usize,
    pub answered: usize,
    pub unanswerable: usize,
    pub declined: usize,
}

/// The rates of a default agent: each question searched as the agent
/// searches (hybrid, at `threshold`), answered when any hit passes.
pub async fn agent_rates(
    engine: &SearchEngine,
    org: &str,
    data_source: &str,
    questions: &[Question],
    threshold: f32,
) -> Result<AgentRates, SearchError> {
    let mut rates = AgentRates::default();
    for q in questions {
        let answers = !engine
            .search(SearchRequest {
                org_id: org.to_owned(),
                query: q.text.clone(),
                mode: Mode::Hybrid,
                top_k: 1,
                threshold,
                data_source_ids: Some(vec![data_source.to_owned()]),
            })
            .await?
            .hits
            .is_empty();
        if q.answerable() {
            rates.answerable += 1;
            rates.answered += answers as usize;
        } else {
            rates.unanswerable += 1;
            rates.declined += !answers as usize;
        }
    }
    Ok(rates)
}

/// Hits whose evidence a ranking keeps.
const EVIDENCE_HITS: usize = 50;

/// Grove's ranking of every question (answerable or not) in `mode` over one
/// data source.
pub async fn rank_questions(
    engine: &SearchEngine,
    org: &str,
    data_source: &str,
    questions: &[Question],
    mode: Mode,
) -> Result<Vec<Ranking>, SearchError> {
    let mut out = Vec::with_capacity(questions.len());
    for q in questions {
        let results = engine
            .search(SearchRequest {
                org_id: org.to_owned(),
                query: q.text.clone(),
                mode,
                top_k: 50,
                threshold: 0.0,
                data_source_ids: Some(vec![data_source.to_owned()]),
            })
            .await?;
        let mut pages: Vec<String> = Vec::new();
        for hit in &results.hits {
            let page = hit
                .chunk
                .input
                .url
                .clone()
                .unwrap_or_else(|| hit.chunk.owner.document_id.clone());
            if !pages.contains(&page) {
                pages.push(page);
            }
        }
        // Hybrid ranks by fusion, so the most relevant hit need not be first.
        let best = results
            .hits
            .iter()
            .max_by(|a, b| a.similarity.total_cmp(&b.similarity));
        out.push(Ranking {
            system: "grove".into(),
            mode: mode.as_str().into(),
            question: q.text.clone(),
            pages,
            top_score: best.map(|h| h.similarity),
            raw_score: best.map(|h| h.raw_score),
            evidence: results
                .hits
                .iter()
                .take(EVIDENCE_HITS)
                .map(|h| [h.raw_score, h.coverage])
                .collect(),
        });
    }
    Ok(out)
}

/// Runs every answerable question in `mode` against one data source.
pub async fn evaluate(
    engine: &SearchEngine,
    org: &str,
    data_source: &str,
    questions: &[Question],
    mode: Mode,
) -> Result<Scores, SearchError> {
    let rankings = rank_questions(engine, org, data_source, questions, mode).await?;
    Ok(score_rankings(questions, &rankings)
        .into_iter()
        .next()
        .map(|(_, _, s)| s)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_dev_set_format() {
        let qs = parse_questions("What is x?\tch01-a,ch02-b.html\n\n# comment\nY?\tch03\nZ?\t-\n")
            .unwrap();
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[0].relevant, vec!["ch01-a", "ch02-b"]);
        assert!(!qs[2].answerable());
        assert!(parse_questions("no tab here").is_err());
        assert!(parse_questions("Q?\t , ").is_err(), "empty pages need `-`");
    }

    #[test]
    fn scores_by_distinct_pages() {
        let pages: Vec<String> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|s| format!("file:///docs/{s}.html"))
            .collect();
        assert_eq!(score(&pages, &["c".into()]), (true, 1.0 / 3.0, 1.0));
        assert_eq!(
            score(&pages, &["f".into(), "z".into()]),
            (false, 1.0 / 6.0, 0.5)
        );
        assert_eq!(score(&pages, &["z".into()]), (false, 0.0, 0.0));
        assert_eq!(
            page_key("https://x/book/ch04-03-slices.html#anchor"),
            "x/book/ch04-03-slices"
        );
    }

    #[test]
    fn page_names_match_at_path_segments() {
        assert!(is_page("/c/commands/cargo-build", "commands/cargo-build"));
        assert!(is_page("/c/commands/cargo-build", "cargo-build"));
        assert!(!is_page("/c/commands/cargo-build", "build"));
        assert!(!is_page("/c/reference/index", "tutorial/index"));
    }

    /// A hand-computed ranking: three answerable questions and one that is
    /// not (ignored), two modes, one question missing from one mode.
    #[test]
    fn rankings_are_scored_against_a_hand_computed_table() {
        let questions = parse_questions("q1\tx/p1\nq2\tp2,p9\nq3\tp3\nnone\t-\n").unwrap();
        let ranking = |mode: &str, q: &str, pages: &[&str]| Ranking {
            system: "peer".into(),
            mode: mode.into(),
            question: q.into(),
            pages: pages
                .iter()
                .map(|p| format!("file:///d/{p}.html"))
                .collect(),
            top_score: None,
            raw_score: None,
            evidence: Vec::new(),
        };
        let rankings = vec![
            // q1: relevant first. q2: p9 at rank 6, p2 absent. q3: rank 2.
            ranking("lexical", "q1", &["x/p1", "a"]),
            ranking("lexical", "q2", &["a", "b", "c", "d", "e", "p9"]),
            ranking("lexical", "q3", &["a", "p3"]),
            ranking("lexical", "none", &["p1"]),
            // vector: q1 misses (p1 under another directory), q3 absent.
            ranking("vector", "q1", &["y/p1"]),
            ranking("vector", "q2", &["p2", "p9"]),
        ];
        let scored = score_rankings(&questions, &rankings);
        assert_eq!(scored.len(), 2);
        let (system, mode, lexical) = &scored[0];
        assert_eq!((system.as_str(), mode.as_str()), ("peer", "lexical"));
        assert_eq!(lexical.questions, 3);
        assert!((lexical.hit_at_5 - 2.0 / 3.0).abs() < 1e-9);
        assert!((lexical.mrr_at_10 - (1.0 + 1.0 / 6.0 + 0.5) / 3.0).abs() < 1e-9);
        assert!((lexical.recall_at_10 - (1.0 + 0.5 + 1.0) / 3.0).abs() < 1e-9);
        let vector = scored[1].2;
        assert!((vector.hit_at_5 - 1.0 / 3.0).abs() < 1e-9);
        assert!((vector.mrr_at_10 - 1.0 / 3.0).abs() < 1e-9);
        assert!((vector.recall_at_10 - 1.0 / 3.0).abs() < 1e-9);
    }
}
