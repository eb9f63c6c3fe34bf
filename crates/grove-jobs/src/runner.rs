//! Running a job run: the handler of `job.run` queue items.
//!
//! A run is marked running (counting the attempt), its agent answers the
//! rendered question through the knowledge-agent pipeline within the job's
//! timeout, and the run ends with the answer and its documents in the chat.
//! A failure or timeout with retries left goes back to the queue after the
//! job's retry delay. An attempt cut short by a crash (`kill -9`) shows as a
//! run still marked running when the queue re-delivers its item: that
//! attempt counts, and the run is retried or failed by the same policy.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use grove_agent::analyst::{Analyst, AnalystOutcome, AnalystRequest};
use grove_agent::{AgentError, Answerer, Question};
use grove_core::agents::{CitedSource, Interaction, Outcome};
use grove_core::ids::{QueueItemId, RunId};
use grove_core::jobs::{DocumentKind, Job, MessageRole, ModelUsage, Run, RunStatus};
use grove_store::queue::{JobHandler, Leased};
use grove_store::{NewDocument, NewMessage, RunFinish, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use tokio::sync::{mpsc, watch};

use grove_llm::EXTRACTIVE;
use grove_report::chart;
use grove_sql::ConnectorPool;

use crate::analysis::{self, Analysis};
use crate::{template, Jobs};

/// How an attempt ended.
enum Attempt {
    /// The model answered (after the saved queries, if any).
    Answered(Box<Interaction>, Option<Analysis>),
    /// The saved queries ran and the extractive model had nothing to add.
    Analysed(Analysis),
    /// The analyst loop answered (after the saved queries, if any).
    Investigated(Box<AnalystOutcome>, Option<Analysis>),
    Failed(String),
    TimedOut(u32),
    Cancelled,
}

/// Runs `job.run` items.
pub struct RunHandler {
    jobs: Arc<Jobs>,
    answerer: Arc<Answerer>,
    analyst: Arc<Analyst>,
    connectors: Arc<ConnectorPool>,
}

impl RunHandler {
    pub fn new(
        jobs: Arc<Jobs>,
        answerer: Arc<Answerer>,
        analyst: Arc<Analyst>,
        connectors: Arc<ConnectorPool>,
    ) -> Self {
        Self {
            jobs,
            answerer,
            analyst,
            connectors,
        }
    }

    async fn run(&self, id: &RunId, item: &QueueItemId) -> Result<(), StoreError> {
        let store = self.jobs.store();
        let Some(before) = store.run_by_id(id).await? else {
            return Ok(());
        };
        if before.queue_item_id.as_ref() != Some(item) {
            // A crash between a retry and the completion of the item it
            // replaced leaves that item behind; the run is the new one's.
            tracing::debug!(run = %id, item = %item, "stale run item ignored");
            return Ok(());
        }
        let interrupted = before.status == RunStatus::Running;
        if interrupted && before.attempts >= before.max_attempts {
            let error = format!(
                "the server stopped during attempt {} and no retries are left",
                before.attempts
            );
            return self.end(&before, failure(RunStatus::Failed, error)).await;
        }
        let Some(run) = store.start_run(id).await? else {
            return Ok(()); // over already (cancelled while queued)
        };
        if interrupted {
            tracing::warn!(run = %run.id, attempt = run.attempts, "resuming a run interrupted by a stop");
        }
        if let (Some(due), Some(started), 1) = (run.scheduled_for, run.started_at, run.attempts) {
            let late = started.duration_since(due).as_secs_f64().max(0.0);
            metrics::histogram!("grove_job_schedule_lateness_seconds").record(late);
        }
        // Registered until the attempt is settled; a graceful stop aborts
        // this task before that and requeues what is still registered.
        let cancelled = self.jobs.register(&run);
        let outcome = match store.get_job(&run.org_id, &run.job_id).await {
            Ok(Some(job)) => {
                let attempt = self.attempt(&run, &job, cancelled).await;
                self.settle(&run, &job, attempt).await
            }
            Ok(None) => {
                let ended = failure(RunStatus::Cancelled, "the job was deleted".into());
                self.end(&run, ended).await
            }
            Err(e) => Err(e),
        };
        self.jobs.unregister(&run.id);
        outcome
    }

    /// One attempt: the agent answers within the timeout, unless cancelled.
    async fn attempt(&self, run: &Run, job: &Job, mut cancelled: watch::Receiver<bool>) -> Attempt {
        let work = tokio::time::timeout(
            Duration::from_secs(u64::from(job.timeout_seconds.max(1))),
            self.ask(run, job),
        );
        let attempt = tokio::select! {
            result = work => match result {
                Ok(attempt) => attempt,
                Err(_) => Attempt::TimedOut(job.timeout_seconds),
            },
            _ = cancelled.wait_for(|c| *c) => Attempt::Cancelled,
        };
        attempt
    }

    async fn ask(&self, run: &Run, job: &Job) -> Attempt {
        let store = self.jobs.store();
        let agent = match store.get_agent(&run.org_id, &job.agent_id).await {
            Ok(Some(agent)) => agent,
            Ok(None) => return Attempt::Failed(format!("agent {} not found", job.agent_id)),
            Err(e) => return Attempt::Failed(e.to_string()),
        };
        let analysis = if job.queries.is_empty() {
            None
        } else {
            match analysis::run_queries(store, &self.connectors, run, job).await {
                Ok(analysis) if agent.model == EXTRACTIVE => return Attempt::Analysed(analysis),
                Ok(analysis) => Some(analysis),
                Err(e) => return Attempt::Failed(e),
            }
        };
        let mut query = if run.prompt.is_empty() {
            template::render(&job.prompt, &run.parameters)
        } else {
            run.prompt.clone()
        };
        if let Some(analysis) = &analysis {
            // The saved results go in front of the model with the question.
            query.push_str(&analysis.for_model);
        }
        if Analyst::applies_to(&agent) {
            let request = AnalystRequest {
                org: &run.org_id,
                agent: &agent,
                question: query,
                max_steps: agent.max_steps,
            };
            return match self.analyst.run(request).await {
                Ok(outcome) => Attempt::Investigated(Box::new(outcome), analysis),
                Err(e) => Attempt::Failed(e),
            };
        }
        let question = Question {
            agent,
            query,
            session_id: None,
            temperature: None,
            max_tokens: None,
            key_id: None,
            user_id: None,
            history: None,
        };
        let prepared = match self.answerer.prepare(question).await {
            Ok(p) => p,
            Err(e) => return Attempt::Failed(e.to_string()),
        };
        // The run keeps the whole answer; nobody reads the stream.
        let (tx, mut rx) = mpsc::channel::<String>(64);
        let drain = async move { while rx.recv().await.is_some() {} };
        let (answered, ()) = tokio::join!(self.answerer.answer(prepared, tx), drain);
        match answered {
            Ok(i) if matches!(i.outcome, Outcome::Answered | Outcome::NoAnswer) => {
                Attempt::Answered(Box::new(i), analysis)
            }
            Ok(i) => Attempt::Failed(
                i.error
                    .unwrap_or_else(|| format!("the answer ended {}", i.outcome)),
            ),
            Err(AgentError::Inactive(agent)) => {
                Attempt::Failed(format!("agent {agent} is inactive"))
            }
            Err(e) => Attempt::Failed(e.to_string()),
        }
    }

    /// Records the attempt: success, a retry, or the final failure.
    async fn settle(&self, run: &Run, job: &Job, attempt: Attempt) -> Result<(), StoreError> {
        let (status, error) = match attempt {
            Attempt::Answered(interaction, analysis) => {
                return self.end(run, success(&interaction, analysis)).await;
            }
            Attempt::Analysed(analysis) => return self.end(run, analysed(analysis)).await,
            Attempt::Investigated(outcome, analysis) => {
                return self.end(run, investigated(*outcome, analysis)).await
            }
            Attempt::Cancelled => return Ok(()), // the store ended it already
            Attempt::Failed(error) => (RunStatus::Failed, error),
            Attempt::TimedOut(seconds) => (
                RunStatus::TimedOut,
                format!("the run did not finish within {seconds} s"),
            ),
        };
        if run.attempts < run.max_attempts {
            let delay = SignedDuration::from_secs(i64::from(job.retry.delay_seconds));
            let at = Timestamp::now()
                .saturating_add(delay)
                .unwrap_or(Timestamp::MAX);
            tracing::info!(run = %run.id, attempt = run.attempts, %error, "run failed; retrying");
            let store = self.jobs.store();
            persist(|| store.retry_run(&run.id, &error, at)).await?;
            return Ok(());
        }
        self.end(run, failure(status, error)).await
    }

    async fn end(&self, run: &Run, finish: RunFinish) -> Result<(), StoreError> {
        let status = finish.status;
        let store = self.jobs.store();
        if let Some(ended) = persist(|| store.finish_run(&run.id, finish.clone())).await? {
            tracing::info!(run = %run.id, job = %run.job_id, %status, "run ended");
            record_end(&ended);
        }
        Ok(())
    }
}

/// Counts an ended run by status, and how long it ran.
fn record_end(run: &Run) {
    metrics::counter!("grove_job_runs_total", "status" => run.status.as_str()).increment(1);
    if let (Some(started), Some(finished)) = (run.started_at, run.finished_at) {
        let took = finished.duration_since(started).as_secs_f64().max(0.0);
        metrics::histogram!("grove_job_run_duration_seconds").record(took);
    }
}

/// Tries a store write a few times: the attempt's outcome is already
/// known, and a busy database must not turn it into a re-run.
async fn persist<T, F, Fut>(write: F) -> Result<T, StoreError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut wait = Duration::from_millis(100);
    for _ in 0..4 {
        match write().await {
            Ok(value) => return Ok(value),
            Err(e) => {
                tracing::warn!(error = %e, "recording a run's outcome failed; trying again");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
    }
    write().await
}

fn failure(status: RunStatus, error: String) -> RunFinish {
    RunFinish {
        steps: Vec::new(),
        status,
        error: Some(error),
        reply: None,
        documents: Vec::new(),
        usage: ModelUsage::default(),
    }
}

/// A run whose saved queries are its answer: the report's summary and
/// highlights as the reply, the tables, charts and report as documents.
fn analysed(analysis: Analysis) -> RunFinish {
    let mut reply = analysis.report.summary.clone();
    for line in &analysis.report.highlights {
        reply.push_str("\n- ");
        reply.push_str(line);
    }
    RunFinish {
        steps: Vec::new(),
        status: RunStatus::Succeeded,
        error: None,
        reply: Some(NewMessage {
            role: MessageRole::Assistant,
            content: reply,
            sources: Vec::new(),
            model: Some(EXTRACTIVE.to_owned()),
        }),
        documents: analysis.into_documents(),
        usage: ModelUsage::default(),
    }
}

/// A run the analyst loop answered: its steps, its answer, and the saved
/// queries' documents followed by the loop's tables, charts and report.
fn investigated(outcome: AnalystOutcome, analysis: Option<Analysis>) -> RunFinish {
    let reply = outcome.reply();
    let mut documents = analysis.map(Analysis::into_documents).unwrap_or_default();
    documents.extend(outcome.documents);
    RunFinish {
        reply: Some(reply),
        steps: outcome.steps,
        status: RunStatus::Succeeded,
        error: None,
        documents,
        usage: outcome.usage,
    }
}

/// A succeeded run's reply, and its documents: the saved queries' tables,
/// charts and report (if any), the answer as text, and the cited sources
/// as a table.
fn success(interaction: &Interaction, analysis: Option<Analysis>) -> RunFinish {
    let mut documents = analysis.map(Analysis::into_documents).unwrap_or_default();
    documents.push(NewDocument::new(
        DocumentKind::Text,
        "Answer",
        json!({ "text": interaction.response }),
    ));
    let cited: Vec<&CitedSource> = interaction.sources.iter().filter(|s| s.cited).collect();
    if !cited.is_empty() {
        documents.push(NewDocument::new(
            DocumentKind::Table,
            "Sources",
            json!({
                "columns": ["number", "title", "url", "similarity_score"],
                "rows": cited
                    .iter()
                    .map(|s| json!([s.number, s.document_title, s.document_url, s.similarity_score]))
                    .collect::<Vec<_>>(),
            }),
        ));
        documents.extend(relevance_chart(&cited));
    }
    RunFinish {
        steps: Vec::new(),
        status: RunStatus::Succeeded,
        error: None,
        reply: Some(NewMessage {
            role: MessageRole::Assistant,
            content: interaction.response.clone(),
            sources: interaction.sources.clone(),
            model: Some(interaction.model.clone()),
        }),
        documents,
        usage: ModelUsage {
            input_tokens: interaction.tokens_input,
            output_tokens: interaction.tokens_output,
            cost_usd: interaction.cost_usd,
        },
    }
}

/// A bar chart of how closely each cited source matched the question.
fn relevance_chart(cited: &[&CitedSource]) -> Option<NewDocument> {
    let values: Vec<_> = cited
        .iter()
        .map(|s| json!({"source": format!("[{}] {}", s.number, s.document_title), "similarity": s.similarity_score}))
        .collect();
    let spec = json!({
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Similarity of the cited sources",
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "source", "type": "nominal", "title": "Source"},
            "y": {"field": "similarity", "type": "quantitative", "title": "Similarity"},
        },
    });
    match chart::chart_document(spec) {
        Ok(content) => Some(NewDocument::new(
            DocumentKind::Chart,
            "Source similarity",
            content,
        )),
        Err(e) => {
            tracing::warn!(error = %e, "could not render the sources chart");
            None
        }
    }
}

#[async_trait]
impl JobHandler for RunHandler {
    async fn handle(&self, item: &Leased) -> Result<(), String> {
        let id = item
            .payload
            .get("run_id")
            .and_then(|v| v.as_str())
            .and_then(|s| RunId::parse(s).ok())
            .ok_or_else(|| format!("bad run payload: {}", item.payload))?;
        self.run(&id, &item.id).await.map_err(|e| e.to_string())
    }
}
