//! Retrieval evaluation over a question set in the format of
//! `eval/rust-book/questions.tsv`: a question, a tab, and the relevant page
//! names (comma-separated, without `.html`). Hits are scored by the distinct
//! pages of the ranked chunks (a page's name is its URL's file stem):
//! hit@5 (a relevant page among the first five pages), MRR@10 (reciprocal
//! rank of the first relevant page among the first ten) and recall@10 (share
//! of the relevant pages among the first ten).

use crate::{Mode, SearchEngine, SearchError, SearchRequest};

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub text: String,
    pub relevant: Vec<String>,
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
            let relevant: Vec<String> = pages
                .split(',')
                .map(|p| p.trim().trim_end_matches(".html").to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            if relevant.is_empty() {
                return Err(format!("line {}: no relevant pages", n + 1));
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
    pub questions: usize,
}

/// The page name of a document URL: the last path segment without extension.
pub fn page_name(url: &str) -> String {
    let last = url.rsplit('/').next().unwrap_or(url);
    last.split(['#', '?'])
        .next()
        .unwrap_or(last)
        .trim_end_matches(".html")
        .trim_end_matches(".htm")
        .to_owned()
}

/// Scores one ranked list of pages against the relevant ones.
pub fn score(pages: &[String], relevant: &[String]) -> (bool, f64, f64) {
    let is_relevant = |p: &String| relevant.contains(p);
    let hit = pages.iter().take(5).any(is_relevant);
    let rr = pages
        .iter()
        .take(10)
        .position(is_relevant)
        .map_or(0.0, |i| 1.0 / (i as f64 + 1.0));
    let found = relevant
        .iter()
        .filter(|r| pages.iter().take(10).any(|p| p == *r))
        .count();
    (hit, rr, found as f64 / relevant.len() as f64)
}

/// Runs every question in `mode` against one data source.
pub async fn evaluate(
    engine: &SearchEngine,
    org: &str,
    data_source: &str,
    questions: &[Question],
    mode: Mode,
) -> Result<Scores, SearchError> {
    let mut total = Scores {
        questions: questions.len(),
        ..Scores::default()
    };
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
            let page = page_name(
                hit.chunk
                    .input
                    .url
                    .as_deref()
                    .unwrap_or(&hit.chunk.owner.document_id),
            );
            if !pages.contains(&page) {
                pages.push(page);
            }
        }
        let (hit, rr, recall) = score(&pages, &q.relevant);
        total.hit_at_5 += hit as u8 as f64;
        total.mrr_at_10 += rr;
        total.recall_at_10 += recall;
    }
    let n = questions.len().max(1) as f64;
    total.hit_at_5 /= n;
    total.mrr_at_10 /= n;
    total.recall_at_10 /= n;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_dev_set_format() {
        let qs =
            parse_questions("What is x?\tch01-a,ch02-b.html\n\n# comment\nY?\tch03\n").unwrap();
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].relevant, vec!["ch01-a", "ch02-b"]);
        assert!(parse_questions("no tab here").is_err());
    }

    #[test]
    fn scores_by_distinct_pages() {
        let pages: Vec<String> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(score(&pages, &["c".into()]), (true, 1.0 / 3.0, 1.0));
        assert_eq!(
            score(&pages, &["f".into(), "z".into()]),
            (false, 1.0 / 6.0, 0.5)
        );
        assert_eq!(score(&pages, &["z".into()]), (false, 0.0, 0.0));
        assert_eq!(
            page_name("file:///book/ch04-03-slices.html"),
            "ch04-03-slices"
        );
        assert_eq!(
            page_name("https://x/ch04-03-slices.html#anchor"),
            "ch04-03-slices"
        );
    }
}
