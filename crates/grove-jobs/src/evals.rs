//! Running an eval run: the handler of `eval.run` queue items.
//!
//! The run is marked running, then each item not yet scored is answered in
//! order with the agent's settings as snapshotted when the run was created
//! ([`Answerer::answer_unrecorded`]: no session, nothing in the interaction
//! log), scored, and stored at once. A run cut short (`kill -9`, a graceful
//! stop, a store error) is handed out again by the queue and resumes from
//! its first unscored item, so no scored item is answered twice. When every
//! item is scored the store writes the aggregate and the `eval.completed`
//! event in one transaction.

use std::sync::Arc;

use async_trait::async_trait;
use grove_agent::{AgentError, Answerer};
use grove_core::agents::{Agent, Outcome};
use grove_core::evals::{source_matches, CitedRef, EvalItemResult, EvalRunStatus, ItemScore};
use grove_core::ids::{EvalRunId, QueueItemId};
use grove_store::queue::{JobHandler, Leased};
use grove_store::{Store, StoreError};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use grove_llm::TextEmbedder;

/// Runs `eval.run` items.
pub struct EvalHandler {
    store: Arc<dyn Store>,
    answerer: Arc<Answerer>,
    embedder: Option<Arc<TextEmbedder>>,
    /// Why there is no embedder, for the run's `similarity_note`.
    embedder_status: String,
}

impl EvalHandler {
    pub fn new(
        store: Arc<dyn Store>,
        answerer: Arc<Answerer>,
        embedder: Option<Arc<TextEmbedder>>,
        embedder_status: &str,
    ) -> Self {
        Self {
            store,
            answerer,
            embedder,
            embedder_status: embedder_status.to_owned(),
        }
    }

    /// Runs (or resumes) a run; a store error is returned so the queue
    /// hands the item out again, and the run resumes where it stopped.
    pub async fn run(&self, id: &EvalRunId, item: &QueueItemId) -> Result<(), StoreError> {
        let Some((before, queue_item)) = self.store.eval_run_for_worker(id).await? else {
            return Ok(()); // deleted with its set
        };
        if queue_item.as_deref() != Some(item.as_str()) {
            tracing::debug!(run = %id, item = %item, "stale eval run item ignored");
            return Ok(());
        }
        if before.status.is_terminal() {
            return Ok(());
        }
        let note = self.embedder.is_none().then(|| {
            format!(
                "answer similarity is null: no embedder is loaded ({})",
                self.embedder_status
            )
        });
        let Some(run) = self.store.start_eval_run(id, note).await? else {
            return Ok(()); // over meanwhile (cancelled)
        };
        if before.status == EvalRunStatus::Running {
            tracing::info!(run = %id, scored = run.items_scored, "resuming an interrupted eval run");
        }
        let agent = match self.store.get_agent(&run.org_id, &run.agent_id).await? {
            Some(agent) => with_snapshot(agent, &run.agent_snapshot),
            None => {
                let error = format!("agent {} was deleted", run.agent_id);
                self.store
                    .finish_eval_run(id, EvalRunStatus::Failed, Some(error))
                    .await?;
                return Ok(());
            }
        };
        let items = self.store.eval_run_items(id).await?;
        for item in items.iter().filter(|i| i.scored_at.is_none()) {
            let score = self.score(&agent, item).await;
            if !self
                .store
                .record_eval_item(id, item.position, score)
                .await?
            {
                tracing::info!(run = %id, "eval run stopped: cancelled or deleted");
                return Ok(());
            }
        }
        if let Some(ended) = self
            .store
            .finish_eval_run(id, EvalRunStatus::Succeeded, None)
            .await?
        {
            tracing::info!(run = %id, aggregate = ?ended.aggregate, "eval run finished");
            metrics::counter!("grove_eval_runs_total", "status" => ended.status.as_str())
                .increment(1);
        }
        Ok(())
    }

    /// Answers and scores one item; an agent failure is the item's error.
    async fn score(&self, agent: &Agent, item: &EvalItemResult) -> ItemScore {
        let answered = self.answerer.answer_unrecorded(agent, &item.question).await;
        let answer = match answered {
            Ok(answer) => answer,
            Err(e) => return failed(item, String::new(), 0, error_text(e)),
        };
        if !matches!(answer.outcome, Outcome::Answered | Outcome::NoAnswer) {
            let error = answer
                .error
                .clone()
                .unwrap_or_else(|| format!("the answer ended {}", answer.outcome));
            return failed(item, answer.text, answer.latency_ms, error);
        }
        let cited: Vec<CitedRef> = answer
            .sources
            .iter()
            .filter(|s| s.cited)
            .map(|s| CitedRef {
                document_id: s.document_id.clone(),
                title: s.document_title.clone(),
                url: s.document_url.clone(),
            })
            .collect();
        let retrieval_hit = (!item.expected_sources.is_empty()).then(|| {
            item.expected_sources
                .iter()
                .any(|expected| cited.iter().any(|c| source_matches(expected, c)))
        });
        let answer_similarity = match (&item.expected_answer, &self.embedder) {
            (Some(expected), Some(embedder)) => {
                similarity(embedder.as_ref(), &answer.text, expected).await
            }
            _ => None,
        };
        ItemScore {
            citation_present: !cited.is_empty(),
            answer: answer.text,
            cited_sources: cited,
            retrieval_hit,
            answer_similarity,
            latency_ms: answer.latency_ms,
            error: None,
        }
    }
}

fn error_text(e: AgentError) -> String {
    e.to_string()
}

/// An item the agent could not answer: a miss when it expects sources, no
/// citation, no similarity.
fn failed(item: &EvalItemResult, answer: String, latency_ms: u64, error: String) -> ItemScore {
    ItemScore {
        answer,
        cited_sources: Vec::new(),
        retrieval_hit: (!item.expected_sources.is_empty()).then_some(false),
        answer_similarity: None,
        citation_present: false,
        latency_ms,
        error: Some(error),
    }
}

/// The agent as it is, with the settings of the snapshot taken when the
/// run was created (what the run evaluates).
fn with_snapshot(mut agent: Agent, snapshot: &Value) -> Agent {
    fn field<T: DeserializeOwned>(snapshot: &Value, key: &str) -> Option<T> {
        snapshot
            .get(key)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }
    if let Some(v) = field(snapshot, "system_prompt") {
        agent.system_prompt = v;
    }
    if let Some(v) = field(snapshot, "rag_strategy") {
        agent.rag_strategy = v;
    }
    if let Some(v) = field(snapshot, "model") {
        agent.model = v;
    }
    if let Some(v) = field(snapshot, "temperature") {
        agent.temperature = v;
    }
    if let Some(v) = field(snapshot, "max_tokens") {
        agent.max_tokens = v;
    }
    if let Some(v) = field(snapshot, "similarity_threshold") {
        agent.similarity_threshold = v;
    }
    if let Some(v) = field(snapshot, "data_source_ids") {
        agent.data_source_ids = v;
    }
    agent
}

/// The answer without its citation markers (`[1]`, `[2][3]`).
pub fn strip_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(']') {
            rest = &after[digits + 1..];
        } else {
            out.push('[');
            rest = after;
        }
    }
    out.push_str(rest);
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" .", ".")
}

/// Cosine between the embeddings of the answer (markers removed) and the
/// expected answer; `None` when embedding fails.
async fn similarity(embedder: &TextEmbedder, answer: &str, expected: &str) -> Option<f32> {
    let texts = vec![strip_markers(answer), expected.trim().to_owned()];
    match embedder(texts).await {
        Ok(vectors) if vectors.len() == 2 => cosine(&vectors[0], &vectors[1]),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "could not embed an eval answer");
            None
        }
    }
}

/// Cosine similarity in [-1, 1]; `None` for a zero vector or mismatched
/// dimensions.
pub fn cosine(a: &[f32], b: &[f32]) -> Option<f32> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        return None;
    }
    Some((dot / (na * nb)).clamp(-1.0, 1.0) as f32)
}

#[async_trait]
impl JobHandler for EvalHandler {
    async fn handle(&self, item: &Leased) -> Result<(), String> {
        let id = item
            .payload
            .get("eval_run_id")
            .and_then(|v| v.as_str())
            .and_then(|s| EvalRunId::parse(s).ok())
            .ok_or_else(|| format!("bad eval run payload: {}", item.payload))?;
        self.run(&id, &item.id).await.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_stripped() {
        assert_eq!(
            strip_markers("Vents open at 28 degrees [1]. They close [2][3] at night."),
            "Vents open at 28 degrees. They close at night."
        );
        assert_eq!(strip_markers("a [b] [12x]"), "a [b] [12x]");
    }

    #[test]
    fn cosine_is_bounded() {
        assert_eq!(cosine(&[1.0, 0.0], &[2.0, 0.0]), Some(1.0));
        assert_eq!(cosine(&[1.0, 0.0], &[-1.0, 0.0]), Some(-1.0));
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 1.0]), Some(0.0));
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), None);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), None);
    }
}
