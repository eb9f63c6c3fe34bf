//! Evals: sets of questions with what a good answer says and cites, runs of
//! a set against an agent (one durable job per run), each item's score and
//! the run's aggregate.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{AgentId, EvalRunId, EvalSetId, OrgId};

wire_enum!(
    /// Where a run is: `queued` until the worker takes it, `running` while
    /// items are answered, then `succeeded` (every item scored, some may
    /// carry an error), `failed` (the run could not go on, e.g. its agent
    /// was deleted) or `cancelled`.
    EvalRunStatus {
        Queued = "queued",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

impl EvalRunStatus {
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

/// One question of an eval set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EvalItem {
    pub question: String,
    /// What a good answer says; scored by embedding similarity.
    pub expected_answer: Option<String>,
    /// Sources a good answer cites: each is matched against a cited
    /// source's document URL, title or document id (exact, after trimming;
    /// titles case-insensitively).
    #[serde(default)]
    pub expected_sources: Vec<String>,
}

/// An eval set. Lists leave out `items`; `item_count` is always there.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvalSet {
    pub id: EvalSetId,
    pub org_id: OrgId,
    pub name: String,
    pub description: String,
    pub item_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<EvalItem>>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// A source an answer cited, as an eval keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CitedRef {
    pub document_id: String,
    pub title: String,
    pub url: Option<String>,
}

/// What one item scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemScore {
    pub answer: String,
    /// The sources the answer cites (has a marker for).
    pub cited_sources: Vec<CitedRef>,
    /// Whether a cited source matches one of the expected sources; null
    /// without expected sources.
    pub retrieval_hit: Option<bool>,
    /// Cosine between the embeddings of the answer (citation markers
    /// removed) and the expected answer; null without an expected answer
    /// or without an embedder.
    pub answer_similarity: Option<f32>,
    pub citation_present: bool,
    pub latency_ms: u64,
    /// Why the agent could not answer this item; the run goes on.
    pub error: Option<String>,
}

/// An item of a run: the question as snapshotted when the run was created,
/// and its score once answered (`scored_at` null until then).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvalItemResult {
    pub position: u32,
    pub question: String,
    pub expected_answer: Option<String>,
    pub expected_sources: Vec<String>,
    pub answer: Option<String>,
    pub cited_sources: Vec<CitedRef>,
    pub retrieval_hit: Option<bool>,
    pub answer_similarity: Option<f32>,
    pub citation_present: Option<bool>,
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub scored_at: Option<Timestamp>,
}

/// A run's totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EvalAggregate {
    /// Items in the run.
    pub items: u32,
    /// Items answered and scored (errors included).
    pub scored: u32,
    /// Hits ÷ scored items with expected sources (an item with an error
    /// counts as a miss); null when none has expected sources.
    pub retrieval_hit_rate: Option<f64>,
    /// Mean of the non-null similarities; null when there is none.
    pub mean_answer_similarity: Option<f64>,
    /// Scored items whose answer cites a source ÷ scored items.
    pub citation_rate: Option<f64>,
    /// Scored items with an error.
    pub errors: u32,
}

impl EvalAggregate {
    /// The totals of `results` (unscored items count in `items` only).
    pub fn of(results: &[EvalItemResult]) -> Self {
        let scored: Vec<&EvalItemResult> =
            results.iter().filter(|r| r.scored_at.is_some()).collect();
        let hits: Vec<bool> = scored.iter().filter_map(|r| r.retrieval_hit).collect();
        let sims: Vec<f64> = scored
            .iter()
            .filter_map(|r| r.answer_similarity.map(f64::from))
            .collect();
        let rate = |n: usize, of: usize| (of > 0).then(|| n as f64 / of as f64);
        Self {
            items: results.len() as u32,
            scored: scored.len() as u32,
            retrieval_hit_rate: rate(hits.iter().filter(|h| **h).count(), hits.len()),
            mean_answer_similarity: (!sims.is_empty())
                .then(|| sims.iter().sum::<f64>() / sims.len() as f64),
            citation_rate: rate(
                scored
                    .iter()
                    .filter(|r| r.citation_present == Some(true))
                    .count(),
                scored.len(),
            ),
            errors: scored.iter().filter(|r| r.error.is_some()).count() as u32,
        }
    }
}

/// A run of an eval set against an agent.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvalRun {
    pub id: EvalRunId,
    pub org_id: OrgId,
    pub eval_set_id: EvalSetId,
    pub agent_id: AgentId,
    pub status: EvalRunStatus,
    /// The agent's record when the run was created; the run answers with
    /// these settings.
    #[schema(value_type = Object)]
    pub agent_snapshot: serde_json::Value,
    pub items_total: u32,
    pub items_scored: u32,
    /// Set when the run ends; null before.
    pub aggregate: Option<EvalAggregate>,
    /// Why answer similarity is null for every item (no embedder loaded).
    pub similarity_note: Option<String>,
    /// Why the run failed.
    pub error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
}

/// Whether `cited` matches an expected source: its document URL, title
/// (case-insensitively) or document id equals `expected` (both trimmed).
pub fn source_matches(expected: &str, cited: &CitedRef) -> bool {
    let expected = expected.trim();
    !expected.is_empty()
        && (cited.url.as_deref().map(str::trim) == Some(expected)
            || cited.title.trim().eq_ignore_ascii_case(expected)
            || cited.document_id == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(hit: Option<bool>, sim: Option<f32>, cited: bool, error: bool) -> EvalItemResult {
        EvalItemResult {
            position: 0,
            question: "q".into(),
            expected_answer: None,
            expected_sources: Vec::new(),
            answer: Some("a".into()),
            cited_sources: Vec::new(),
            retrieval_hit: hit,
            answer_similarity: sim,
            citation_present: Some(cited),
            latency_ms: Some(1),
            error: error.then(|| "boom".into()),
            scored_at: Some(Timestamp::UNIX_EPOCH),
        }
    }

    #[test]
    fn aggregate_counts_by_hand() {
        let mut pending = result(Some(true), Some(1.0), true, false);
        pending.scored_at = None;
        let results = vec![
            result(Some(true), Some(0.5), true, false),
            result(Some(false), None, false, true),
            result(None, Some(1.0), true, false),
            pending,
        ];
        let agg = EvalAggregate::of(&results);
        assert_eq!(agg.items, 4);
        assert_eq!(agg.scored, 3);
        assert_eq!(agg.retrieval_hit_rate, Some(0.5));
        assert_eq!(agg.mean_answer_similarity, Some(0.75));
        assert!((agg.citation_rate.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(agg.errors, 1);
        assert_eq!(EvalAggregate::of(&[]).citation_rate, None);
    }

    #[test]
    fn sources_match_by_url_title_or_id() {
        let cited = CitedRef {
            document_id: "doc_1".into(),
            title: "Chunking".into(),
            url: Some("file://a.md".into()),
        };
        assert!(source_matches("file://a.md", &cited));
        assert!(source_matches(" chunking ", &cited));
        assert!(source_matches("doc_1", &cited));
        assert!(!source_matches("doc_2", &cited));
        assert!(!source_matches("", &cited));
    }
}
