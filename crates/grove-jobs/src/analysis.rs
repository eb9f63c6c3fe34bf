//! A job's saved queries, run in order before (or instead of) its model:
//! each through its connector with the run's parameters bound, its whole
//! result kept under a `result_id`, and the chat given a table, a chart
//! (the one asked for, or one chosen from the result's shape) and one
//! report whose highlights are computed from the results.

use std::sync::Arc;

use grove_core::connectors::DataConnector;
use grove_core::jobs::{DocumentKind, Job, Run, SavedQuery};
use grove_report::chart;
use grove_report::choose::chart_spec;
use grove_report::documents::{table_content, Report, Section};
use grove_report::highlights::highlights;
use grove_sql::{ConnectorPool, QueryResult};
use grove_store::{NewDocument, Store};

/// Rows of each result shown to a language model.
const ROWS_FOR_MODEL: usize = 20;

/// What the saved queries left: the documents, in order, and the report.
pub struct Analysis {
    pub documents: Vec<NewDocument>,
    pub report: Report,
    /// The results as text, for a language model to read.
    pub for_model: String,
}

impl Analysis {
    /// The documents with the report last.
    pub fn into_documents(self) -> Vec<NewDocument> {
        let mut documents = self.documents;
        documents.push(NewDocument::new(
            DocumentKind::Report,
            self.report.title.clone(),
            self.report.content(),
        ));
        documents
    }
}

/// Runs `job`'s saved queries for `run`; the error names the query.
pub async fn run_queries(
    store: &Arc<dyn Store>,
    connectors: &ConnectorPool,
    run: &Run,
    job: &Job,
) -> Result<Analysis, String> {
    let mut analysis = Analysis {
        documents: Vec::new(),
        report: Report {
            title: job.name.clone(),
            summary: String::new(),
            highlights: Vec::new(),
            sections: Vec::new(),
        },
        for_model: String::new(),
    };
    for query in &job.queries {
        let result = run_one(store, connectors, run, query)
            .await
            .map_err(|e| format!("query `{}`: {e}", query.name))?;
        add(
            &mut analysis,
            store,
            run,
            query,
            result,
            job.queries.len() > 1,
        )
        .await?;
    }
    analysis.report.summary = summary(&analysis.report, &job.queries);
    Ok(analysis)
}

async fn connector(
    store: &Arc<dyn Store>,
    connectors: &ConnectorPool,
    run: &Run,
    query: &SavedQuery,
) -> Result<Arc<grove_sql::Connector>, String> {
    let mut record: DataConnector = store
        .get_connector(&run.org_id, &query.connector_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("data connector {} no longer exists", query.connector_id))?;
    record.config = store
        .reveal_config(&record.config)
        .await
        .map_err(|e| e.to_string())?;
    connectors.get(&record).map_err(|e| e.to_string())
}

async fn run_one(
    store: &Arc<dyn Store>,
    connectors: &ConnectorPool,
    run: &Run,
    query: &SavedQuery,
) -> Result<QueryResult, String> {
    let connector = connector(store, connectors, run, query).await?;
    connector
        .query(&query.sql, &run.parameters)
        .await
        .map_err(|e| e.to_string())
}

/// Keeps the result and adds its table, chart, highlights and section.
async fn add(
    analysis: &mut Analysis,
    store: &Arc<dyn Store>,
    run: &Run,
    query: &SavedQuery,
    result: QueryResult,
    several: bool,
) -> Result<(), String> {
    let kept = serde_json::to_value(&result).map_err(|e| e.to_string())?;
    let stored = store
        .save_result(&run.org_id, Some(&query.connector_id), &query.sql, kept)
        .await
        .map_err(|e| e.to_string())?;
    let table = NewDocument::new(
        DocumentKind::Table,
        query.name.clone(),
        table_content(&result, stored.id.as_str(), &query.sql),
    );
    let mut shown = vec![table.id.to_string()];
    analysis.documents.push(table);
    let spec = chart_spec(&result, query.chart.as_ref(), &query.name)
        .map_err(|e| format!("query `{}`: {e}", query.name))?;
    if let Some(spec) = spec {
        let content =
            chart::chart_document(spec).map_err(|e| format!("query `{}`: {e}", query.name))?;
        let chart = NewDocument::new(DocumentKind::Chart, query.name.clone(), content);
        shown.push(chart.id.to_string());
        analysis.documents.push(chart);
    }
    let lines = highlights(&result);
    let prefix = |line: &String| {
        if several {
            format!("{}: {line}", query.name)
        } else {
            line.clone()
        }
    };
    analysis.report.highlights.extend(lines.iter().map(prefix));
    analysis.report.sections.push(Section {
        heading: query.name.clone(),
        text: lines.join(". ") + ".",
        document_ids: shown,
    });
    analysis.for_model.push_str(&model_text(query, &result));
    Ok(())
}

/// "Two queries ran: Revenue by region (3 rows), Orders by day (30 rows)."
fn summary(report: &Report, queries: &[SavedQuery]) -> String {
    let parts: Vec<String> = queries
        .iter()
        .zip(&report.sections)
        .map(|(q, s)| {
            format!(
                "{} ({})",
                q.name,
                s.text.split(". ").next().unwrap_or_default()
            )
        })
        .collect();
    let count = match parts.len() {
        1 => "One query ran".to_owned(),
        n => format!("{n} queries ran"),
    };
    format!("{count}: {}.", parts.join(", "))
}

/// A result as a small pipe table.
fn model_text(query: &SavedQuery, result: &QueryResult) -> String {
    let mut text = format!(
        "\n\nResult of the query \"{}\" ({} rows",
        query.name, result.row_count
    );
    if result.rows.len() > ROWS_FOR_MODEL {
        text.push_str(&format!(", the first {ROWS_FOR_MODEL} shown"));
    }
    text.push_str("):\n");
    text.push_str(&result.column_names().join(" | "));
    for row in result.rows.iter().take(ROWS_FOR_MODEL) {
        let cells: Vec<String> = row
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect();
        text.push('\n');
        text.push_str(&cells.join(" | "));
    }
    text
}
