//! The tool-using analyst loop, used when an agent's model is a language
//! model and it has data connectors: the model lists and describes the
//! allowed tables, runs read-only queries, charts results and writes a
//! report, one tool round at a time, over the provider's tool-call format
//! (`grove_llm::tools`). Every call is a `tool` message of the chat — the
//! call, its arguments, a short result and the model that made it — so the
//! chat is the record of the queries run. A query's whole result is kept
//! under its `result_id`; the model sees at most [`ROWS_SHOWN`] rows.
//!
//! By default one loop holds every tool. An agent with `components` is
//! split as Interact splits its agents: the orchestrating loop calls a
//! `query` component (schema, SQL, results) and an `analysis` component
//! (charts, report) as tools, and each runs a loop of its own with its own
//! model (the component's `model`, else the agent's, which is the
//! organisation's default when the agent sets none). Results, charts and
//! the report are shared by the loops of one run.
//!
//! Budgets: at most `max_steps` tool rounds per loop, then one last turn in
//! which the model may only answer (`tool_choice: none`); and the agent's
//! `max_run_tokens` and `max_run_cost_usd` over the whole run, after which
//! no model is called again. The answer says which budget ended it. Usage
//! and cost are summed over every loop of the run.

use std::collections::HashMap;
use std::sync::Arc;

use grove_core::agents::{Agent, CitedSource};
use grove_core::connectors::DataConnector;
use grove_core::ids::OrgId;
use grove_core::jobs::{ChartChoice, ChartType, DocumentKind, MessageRole, ModelUsage};
use grove_llm::tools::{ChatTurn, ToolCall, ToolRequest, ToolResult, ToolSpec};
use grove_llm::{Providers, Settings};
use grove_report::chart;
use grove_report::choose::chart_spec;
use grove_report::documents::{table_content, Report, Section};
use grove_search::{Mode, SearchEngine, SearchHit, SearchRequest};
use grove_sql::{Connector, ConnectorPool, QueryResult, SqlError};
use grove_store::{NewDocument, NewMessage, Store};
use serde_json::{json, Map, Value};

use crate::citations::cite;

/// Tool rounds before the model must answer, unless the agent says
/// otherwise (`max_steps`).
pub const DEFAULT_MAX_STEPS: u32 = 8;
/// Rows of a result the model sees.
pub const ROWS_SHOWN: usize = 50;
/// Characters of a step's arguments kept in its chat message.
const ARGUMENTS_SHOWN: usize = 2_000;

/// What the loop is asked.
pub struct AnalystRequest<'a> {
    pub org: &'a OrgId,
    pub agent: &'a Agent,
    pub question: String,
    pub max_steps: u32,
}

/// What the loop left: the answer and the model that wrote it, the
/// passages it cites, the steps as chat messages, the tables, charts and
/// report it made, and what every model of the run used.
#[derive(Debug, Default)]
pub struct AnalystOutcome {
    pub answer: String,
    pub model: String,
    pub sources: Vec<CitedSource>,
    pub steps: Vec<NewMessage>,
    pub documents: Vec<NewDocument>,
    pub usage: ModelUsage,
    /// Whether a budget (steps, tokens or cost) ended the run.
    pub stopped_by_budget: bool,
}

impl AnalystOutcome {
    /// The answer as a chat message.
    pub fn reply(&self) -> NewMessage {
        NewMessage {
            role: MessageRole::Assistant,
            content: self.answer.clone(),
            sources: self.sources.clone(),
            model: Some(self.model.clone()),
        }
    }
}

/// Runs analyst loops.
pub struct Analyst {
    store: Arc<dyn Store>,
    search: Arc<SearchEngine>,
    connectors: Arc<ConnectorPool>,
    providers: Arc<Providers>,
}

/// Passages `search_documents` answers with.
const PASSAGES: usize = 5;

/// A connector the agent may use, with its record (credentials opened).
struct Database {
    record: DataConnector,
    connector: Arc<Connector>,
}

/// Which loop is talking: the whole analyst, or a part of a split one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Every tool in one loop (agents without components).
    Whole,
    /// Calls the components (and searches documents).
    Orchestrator,
    /// Schema, SQL and results.
    Query,
    /// Charts and the report over the run's results.
    Analysis,
}

impl Part {
    fn tools(self) -> &'static [&'static str] {
        match self {
            Part::Whole => &[
                "list_tables",
                "describe_table",
                "run_query",
                "create_chart",
                "write_report",
            ],
            Part::Orchestrator => &["query", "analysis"],
            Part::Query => &["list_tables", "describe_table", "run_query"],
            Part::Analysis => &["create_chart", "write_report"],
        }
    }

    /// Whether the part may search the agent's documents.
    fn searches(self) -> bool {
        matches!(self, Part::Whole | Part::Orchestrator)
    }
}

/// Everything one run has made and used so far, shared by its loops.
#[derive(Default)]
struct Run {
    /// By result id: the result and its table document's id.
    results: HashMap<String, (QueryResult, String)>,
    /// Result ids in the order they were made.
    result_order: Vec<String>,
    charts: Vec<String>,
    reports: Vec<String>,
    documents: Vec<NewDocument>,
    /// Every passage `search_documents` answered, numbered from 1 in
    /// order of first appearance.
    passages: Vec<SearchHit>,
    steps: Vec<NewMessage>,
    usage: ModelUsage,
    /// Set when a token or cost budget is spent: why.
    spent: Option<String>,
}

/// How one loop ended.
struct LoopEnd {
    text: String,
    /// Why a budget ended it, if one did.
    stopped: Option<String>,
}

impl Analyst {
    pub fn new(
        store: Arc<dyn Store>,
        search: Arc<SearchEngine>,
        connectors: Arc<ConnectorPool>,
        providers: Arc<Providers>,
    ) -> Self {
        Analyst {
            store,
            search,
            connectors,
            providers,
        }
    }

    /// Whether `agent` gets the analyst loop: a language model and at
    /// least one data connector.
    pub fn applies_to(agent: &Agent) -> bool {
        agent.model != grove_llm::EXTRACTIVE && !agent.data_connector_ids.is_empty()
    }

    /// Runs the loop (or the orchestrator and its components); the error
    /// says what stopped it.
    pub async fn run(&self, request: AnalystRequest<'_>) -> Result<AnalystOutcome, String> {
        let databases = self.databases(request.org, request.agent).await?;
        let part = if request.agent.components.is_some() {
            Part::Orchestrator
        } else {
            Part::Whole
        };
        let mut run = Run::default();
        let end = self
            .converse(&request, &databases, &mut run, part, &request.question)
            .await?;
        let mut answer = end.text;
        let stopped = end.stopped;
        if let Some(why) = &stopped {
            if answer.trim().is_empty() {
                answer = "The run ended before the model answered.".into();
            }
            answer.push_str(&format!("\n\n({why})"));
        }
        let sources = if run.passages.is_empty() {
            Vec::new()
        } else {
            cite(&answer, &run.passages)
        };
        Ok(AnalystOutcome {
            answer,
            model: request.agent.model.clone(),
            sources,
            steps: run.steps,
            documents: run.documents,
            usage: run.usage,
            stopped_by_budget: stopped.is_some(),
        })
    }

    /// One loop: the model of `part` talks with its tools until it answers
    /// or a budget ends it.
    async fn converse(
        &self,
        request: &AnalystRequest<'_>,
        databases: &[Database],
        run: &mut Run,
        part: Part,
        question: &str,
    ) -> Result<LoopEnd, String> {
        let model = model_of(request.agent, part);
        let resolved = self.providers.resolve(model).map_err(|e| e.to_string())?;
        let settings = Settings {
            model: resolved.model.clone(),
            temperature: request.agent.temperature,
            max_tokens: request.agent.max_tokens,
        };
        let searches = part.searches() && !request.agent.data_source_ids.is_empty();
        let system = system_prompt(request.agent, databases, part);
        let tools = tool_specs(part, searches);
        let mut turns = vec![ChatTurn::User(question.to_owned())];
        for round in 0..=request.max_steps {
            if let Some(why) = &run.spent {
                return Ok(LoopEnd {
                    text: String::new(),
                    stopped: Some(why.clone()),
                });
            }
            let final_turn = round == request.max_steps;
            let tool_request = ToolRequest {
                system: &system,
                turns: &turns,
                tools: &tools,
                final_turn,
            };
            let turn = resolved
                .generator
                .converse(&tool_request, &settings)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("the model `{model}` cannot call tools"))?;
            run.usage += ModelUsage {
                input_tokens: turn.usage.input_tokens,
                output_tokens: turn.usage.output_tokens,
                cost_usd: resolved.cost_usd(turn.usage),
            };
            run.spent = spent(request.agent, &run.usage);
            // The last round of a loop comes only after max_steps rounds of
            // tool calls; a turn without calls is the model's answer; a turn
            // that spent a budget has its calls dropped.
            let stopped = if final_turn {
                Some(format!(
                    "Stopped after {} tool rounds, the agent's max_steps.",
                    request.max_steps
                ))
            } else if turn.calls.is_empty() {
                None
            } else {
                run.spent.clone()
            };
            if final_turn || turn.calls.is_empty() || stopped.is_some() {
                return Ok(LoopEnd {
                    text: turn.text,
                    stopped,
                });
            }
            let mut results = Vec::with_capacity(turn.calls.len());
            for call in &turn.calls {
                // A component's own steps come after the call that asked for it.
                let at = run.steps.len();
                let (content, is_error) = match self
                    .call(request, databases, run, part, searches, call)
                    .await
                {
                    Ok(content) => (content, false),
                    Err(message) => (message, true),
                };
                run.steps
                    .insert(at, step_message(model, call, &content, is_error));
                results.push(ToolResult {
                    call_id: call.id.clone(),
                    content,
                    is_error,
                });
            }
            turns.push(ChatTurn::Assistant {
                text: turn.text,
                calls: turn.calls,
            });
            turns.push(ChatTurn::Results(results));
        }
        unreachable!("the last round always returns")
    }

    /// The agent's connectors that still exist, opened.
    async fn databases(&self, org: &OrgId, agent: &Agent) -> Result<Vec<Database>, String> {
        let mut databases = Vec::new();
        for id in &agent.data_connector_ids {
            let Some(mut record) = self
                .store
                .get_connector(org, id)
                .await
                .map_err(|e| e.to_string())?
            else {
                continue;
            };
            record.config = self
                .store
                .reveal_config(&record.config)
                .await
                .map_err(|e| e.to_string())?;
            let connector = self.connectors.get(&record).map_err(|e| e.to_string())?;
            databases.push(Database { record, connector });
        }
        if databases.is_empty() {
            return Err("none of the agent's data connectors exists any more".into());
        }
        Ok(databases)
    }

    async fn call(
        &self,
        request: &AnalystRequest<'_>,
        databases: &[Database],
        run: &mut Run,
        part: Part,
        searches: bool,
        call: &ToolCall,
    ) -> Result<String, String> {
        let org = request.org;
        let arguments = match &call.arguments {
            Ok(Value::Object(map)) => map.clone(),
            Ok(_) | Err(_) => {
                return Err(format!(
                    "the arguments of {} are not a JSON object: {}",
                    call.name,
                    call.arguments_text()
                ))
            }
        };
        let name = call.name.as_str();
        let offered = (searches && name == "search_documents") || part.tools().contains(&name);
        if !offered {
            let mut names: Vec<&str> = part.tools().to_vec();
            if searches {
                names.insert(0, "search_documents");
            }
            return Err(format!(
                "there is no tool `{name}`; the tools are {}",
                names.join(", ")
            ));
        }
        match name {
            "search_documents" => self.search_documents(request.agent, run, &arguments).await,
            "list_tables" => list_tables(databases, &arguments).await,
            "describe_table" => describe_table(databases, &arguments).await,
            "run_query" => self.run_query(org, databases, run, &arguments).await,
            "create_chart" => create_chart(run, &arguments),
            "write_report" => write_report(run, &arguments),
            "query" | "analysis" => {
                let component = if name == "query" {
                    Part::Query
                } else {
                    Part::Analysis
                };
                Box::pin(self.component(request, databases, run, component, &arguments)).await
            }
            _ => unreachable!("every offered tool is matched"),
        }
    }

    /// Runs a component's loop on the orchestrator's `task`; answers its
    /// text and what it made.
    async fn component(
        &self,
        request: &AnalystRequest<'_>,
        databases: &[Database],
        run: &mut Run,
        part: Part,
        arguments: &Map<String, Value>,
    ) -> Result<String, String> {
        let task = text_argument(arguments, "task")?;
        let question = match part {
            Part::Analysis => format!("{task}\n\n{}", results_overview(run)),
            _ => task.to_owned(),
        };
        let (results_before, charts_before, reports_before) =
            (run.result_order.len(), run.charts.len(), run.reports.len());
        let end = self
            .converse(request, databases, run, part, &question)
            .await?;
        let results: Vec<Value> = run.result_order[results_before..]
            .iter()
            .map(|id| {
                let (result, _) = &run.results[id];
                json!({"result_id": id, "columns": result.column_names(), "row_count": result.row_count})
            })
            .collect();
        let mut answer = json!({
            "answer": end.text,
            "results": results,
            "chart_ids": run.charts[charts_before..],
            "report_ids": run.reports[reports_before..],
        });
        if let Some(why) = end.stopped {
            answer["stopped"] = json!(why);
        }
        Ok(answer.to_string())
    }

    /// The agent's data sources searched as its knowledge answers do:
    /// numbered passages with their titles and addresses. Numbers run on
    /// across calls, so the answer's `[n]` markers name one passage each.
    async fn search_documents(
        &self,
        agent: &Agent,
        run: &mut Run,
        arguments: &Map<String, Value>,
    ) -> Result<String, String> {
        let query = text_argument(arguments, "query")?;
        let request = SearchRequest {
            org_id: agent.org_id.to_string(),
            query: query.to_owned(),
            mode: Mode::Hybrid,
            top_k: PASSAGES,
            threshold: agent.similarity_threshold,
            data_source_ids: Some(
                agent
                    .data_source_ids
                    .iter()
                    .map(|id| id.to_string())
                    .collect(),
            ),
        };
        let found = self
            .search
            .search(request)
            .await
            .map_err(|e| e.to_string())?;
        let mut passages = Vec::with_capacity(found.hits.len());
        for hit in found.hits {
            let known = run
                .passages
                .iter()
                .position(|p| p.chunk.input.chunk_id == hit.chunk.input.chunk_id);
            let number = match known {
                Some(i) => i + 1,
                None => {
                    run.passages.push(hit.clone());
                    run.passages.len()
                }
            };
            passages.push(json!({
                "number": number,
                "title": hit.chunk.input.title,
                "url": hit.chunk.input.url,
                "text": hit.chunk.input.text,
            }));
        }
        Ok(json!({ "passages": passages }).to_string())
    }

    async fn run_query(
        &self,
        org: &OrgId,
        databases: &[Database],
        run: &mut Run,
        arguments: &Map<String, Value>,
    ) -> Result<String, String> {
        let database = pick(databases, arguments)?;
        let sql = text_argument(arguments, "sql")?;
        let result = match database.connector.query(sql, &Map::new()).await {
            Ok(result) => result,
            Err(SqlError::Failed(message)) => {
                return Err(format!(
                    "the database failed the query: {message}{}",
                    columns_hint(database, sql).await
                ))
            }
            Err(e) => return Err(e.to_string()),
        };
        let kept = serde_json::to_value(&result).map_err(|e| e.to_string())?;
        let stored = self
            .store
            .save_result(org, Some(&database.record.id), sql, kept)
            .await
            .map_err(|e| e.to_string())?;
        let result_id = stored.id.to_string();
        let table = NewDocument::new(
            DocumentKind::Table,
            format!("Query {}", run.results.len() + 1),
            table_content(&result, &result_id, sql),
        );
        let answer = json!({
            "result_id": result_id,
            "columns": result.column_names(),
            "rows": result.rows.iter().take(ROWS_SHOWN).collect::<Vec<_>>(),
            "row_count": result.row_count,
            "truncated": result.truncated,
        });
        run.results
            .insert(result_id.clone(), (result, table.id.to_string()));
        run.result_order.push(result_id);
        run.documents.push(table);
        Ok(answer.to_string())
    }
}

/// The model a part runs on: the component's override, else the agent's
/// (already the organisation's default when the agent sets none).
fn model_of(agent: &Agent, part: Part) -> &str {
    let component = agent.components.as_ref().and_then(|c| match part {
        Part::Query => c.query.model.as_deref(),
        Part::Analysis => c.analysis.model.as_deref(),
        Part::Whole | Part::Orchestrator => None,
    });
    component.unwrap_or(&agent.model)
}

/// Why the run's usage is over the agent's token or cost budget, if it is.
fn spent(agent: &Agent, usage: &ModelUsage) -> Option<String> {
    if let Some(limit) = agent.max_run_tokens {
        if usage.tokens() >= limit {
            return Some(format!(
                "Stopped after {} tokens, the agent's max_run_tokens of {limit}.",
                usage.tokens()
            ));
        }
    }
    if let Some(limit) = agent.max_run_cost_usd {
        if usage.cost_usd >= limit {
            return Some(format!(
                "Stopped at an estimated ${:.4}, the agent's max_run_cost_usd of ${limit}.",
                usage.cost_usd
            ));
        }
    }
    None
}

/// The run's results, for the analysis component to chart and report on.
fn results_overview(run: &Run) -> String {
    if run.result_order.is_empty() {
        return "No query results exist yet.".into();
    }
    let lines: Vec<String> = run
        .result_order
        .iter()
        .map(|id| {
            let (result, _) = &run.results[id];
            format!(
                "- {id}: columns {}; {} rows",
                result.column_names().join(", "),
                result.row_count
            )
        })
        .collect();
    format!("Query results of this run:\n{}", lines.join("\n"))
}

/// The connector named by `connector_id`, or the only one.
fn pick<'a>(
    databases: &'a [Database],
    arguments: &Map<String, Value>,
) -> Result<&'a Database, String> {
    let listed = || {
        databases
            .iter()
            .map(|d| format!("{} ({})", d.record.id, d.record.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match arguments.get("connector_id").and_then(Value::as_str) {
        Some(id) => databases
            .iter()
            .find(|d| d.record.id.as_str() == id)
            .ok_or_else(|| {
                format!(
                    "no data connector `{id}` for this agent; its connectors are {}",
                    listed()
                )
            }),
        None if databases.len() == 1 => Ok(&databases[0]),
        None => Err(format!(
            "connector_id is required: this agent has {}",
            listed()
        )),
    }
}

fn text_argument<'a>(arguments: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    arguments
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| format!("`{name}` is required (a string)"))
}

async fn list_tables(
    databases: &[Database],
    arguments: &Map<String, Value>,
) -> Result<String, String> {
    let chosen: Vec<&Database> = match arguments.get("connector_id") {
        Some(_) => vec![pick(databases, arguments)?],
        None => databases.iter().collect(),
    };
    let mut listed = Vec::new();
    for database in chosen {
        let catalog = database
            .connector
            .catalog(false)
            .await
            .map_err(|e| e.to_string())?;
        listed.push(json!({
            "connector_id": database.record.id,
            "name": database.record.name,
            "type": database.record.kind,
            "tables": catalog.tables.iter().map(|t| t.qualified()).collect::<Vec<_>>(),
        }));
    }
    Ok(Value::Array(listed).to_string())
}

async fn describe_table(
    databases: &[Database],
    arguments: &Map<String, Value>,
) -> Result<String, String> {
    let database = pick(databases, arguments)?;
    let table = text_argument(arguments, "table")?;
    let described = database
        .connector
        .describe(table)
        .await
        .map_err(|e| match e {
            SqlError::Invalid { reason, .. } => reason,
            other => other.to_string(),
        })?;
    serde_json::to_string(&described).map_err(|e| e.to_string())
}

/// " The tables it reads have these columns: orders(id, region, total)."
async fn columns_hint(database: &Database, sql: &str) -> String {
    let Ok(catalog) = database.connector.catalog(false).await else {
        return String::new();
    };
    let Ok(checked) = grove_sql::guard::check(sql, database.connector.dialect(), &catalog) else {
        return String::new();
    };
    let mut described = Vec::new();
    for table in checked.tables {
        if let Ok(d) = database.connector.describe(&table.qualified()).await {
            let columns: Vec<&str> = d.table.columns.iter().map(|c| c.name.as_str()).collect();
            described.push(format!("{}({})", table.qualified(), columns.join(", ")));
        }
    }
    if described.is_empty() {
        String::new()
    } else {
        format!(
            ". The tables it reads have these columns: {}",
            described.join("; ")
        )
    }
}

fn create_chart(run: &mut Run, arguments: &Map<String, Value>) -> Result<String, String> {
    let result_id = text_argument(arguments, "result_id")?;
    let (result, _) = run.results.get(result_id).ok_or_else(|| {
        format!("no result `{result_id}` in this run; run_query gives result ids")
    })?;
    let kind = text_argument(arguments, "type")?;
    let kind = ChartType::parse(kind)
        .ok_or_else(|| format!("`type` must be one of {}", ChartType::names()))?;
    let choice = ChartChoice {
        kind,
        x: text_argument(arguments, "x")?.to_owned(),
        y: text_argument(arguments, "y")?.to_owned(),
        color: arguments
            .get("color")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    let title = arguments
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("Chart")
        .to_owned();
    let spec = chart_spec(result, Some(&choice), &title)
        .map_err(|e| e.to_string())?
        .ok_or("the result cannot be charted")?;
    let content = chart::chart_document(spec).map_err(|e| e.to_string())?;
    let document = NewDocument::new(DocumentKind::Chart, title, content);
    let chart_id = document.id.to_string();
    run.charts.push(chart_id.clone());
    run.documents.push(document);
    Ok(json!({ "chart_id": chart_id }).to_string())
}

fn write_report(run: &mut Run, arguments: &Map<String, Value>) -> Result<String, String> {
    let strings = |value: Option<&Value>| -> Vec<String> {
        value
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut sections = Vec::new();
    for (i, section) in arguments
        .get("sections")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut document_ids = Vec::new();
        for id in strings(section.get("result_ids")) {
            let (_, table) = run
                .results
                .get(&id)
                .ok_or_else(|| format!("sections[{i}].result_ids: no result `{id}` in this run"))?;
            document_ids.push(table.clone());
        }
        for id in strings(section.get("chart_ids")) {
            if !run.charts.contains(&id) {
                return Err(format!(
                    "sections[{i}].chart_ids: no chart `{id}` in this run"
                ));
            }
            document_ids.push(id);
        }
        sections.push(Section {
            heading: section
                .get("heading")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            text: section
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            document_ids,
        });
    }
    let report = Report {
        title: text_argument(arguments, "title")?.to_owned(),
        summary: arguments
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        highlights: strings(arguments.get("highlights")),
        sections,
    };
    let document = NewDocument::new(DocumentKind::Report, report.title.clone(), report.content());
    let report_id = document.id.to_string();
    run.reports.push(report_id.clone());
    run.documents.push(document);
    Ok(json!({ "report_id": report_id }).to_string())
}

/// A step as the chat keeps it: the model, the call, its arguments and a
/// short result.
fn step_message(model: &str, call: &ToolCall, content: &str, is_error: bool) -> NewMessage {
    let mut arguments = call.arguments_text();
    if let Some((at, _)) = arguments.char_indices().nth(ARGUMENTS_SHOWN) {
        arguments.truncate(at);
        arguments.push('…');
    }
    let summary = if is_error {
        format!("error: {content}")
    } else {
        summarise(content)
    };
    NewMessage {
        role: MessageRole::Tool,
        content: format!("{model} called {}({arguments}) → {summary}", call.name),
        sources: Vec::new(),
        model: Some(model.to_owned()),
    }
}

/// A tool's answer in a line: counts and ids rather than rows.
fn summarise(content: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(content) else {
        return content.chars().take(200).collect();
    };
    if let (Some(answer), Some(results)) = (
        value.get("answer").and_then(Value::as_str),
        value.get("results").and_then(Value::as_array),
    ) {
        let count = |key: &str| value[key].as_array().map_or(0, Vec::len);
        let said: String = answer.chars().take(160).collect();
        return format!(
            "{} results, {} charts, {} reports: {said}",
            results.len(),
            count("chart_ids"),
            count("report_ids")
        );
    }
    if let Some(result_id) = value.get("result_id").and_then(Value::as_str) {
        let rows = value["row_count"].as_u64().unwrap_or_default();
        let more = if value["truncated"] == true {
            ", more cut off"
        } else {
            ""
        };
        return format!("{rows} rows{more} ({result_id})");
    }
    if let Some(id) = value
        .get("chart_id")
        .or_else(|| value.get("report_id"))
        .and_then(Value::as_str)
    {
        return id.to_owned();
    }
    if let Some(passages) = value.get("passages").and_then(Value::as_array) {
        return format!("{} passages", passages.len());
    }
    if let Some(list) = value.as_array() {
        let tables: usize = list
            .iter()
            .map(|d| d["tables"].as_array().map_or(0, Vec::len))
            .sum();
        return format!("{tables} tables");
    }
    if let Some(columns) = value.get("columns").and_then(Value::as_array) {
        return format!("{} columns", columns.len());
    }
    content.chars().take(200).collect()
}

fn system_prompt(agent: &Agent, databases: &[Database], part: Part) -> String {
    let listed: Vec<String> = databases
        .iter()
        .map(|d| format!("- {} ({}, {})", d.record.id, d.record.name, d.record.kind))
        .collect();
    let mut prompt = String::new();
    if !agent.system_prompt.is_empty() && matches!(part, Part::Whole | Part::Orchestrator) {
        prompt.push_str(&agent.system_prompt);
        prompt.push_str("\n\n");
    }
    prompt.push_str(match part {
        Part::Whole => {
            "You are a data analyst. Learn the schema with list_tables and describe_table, then \
             answer with read-only SQL through run_query (one SELECT per call; only the allowed \
             tables). Chart results with create_chart and summarise them with write_report when \
             a report helps. When you are done, answer in plain text without calling a tool."
        }
        Part::Orchestrator => {
            "You lead a data analysis. Give the query component (tool `query`) a task in words \
             when you need data: it learns the schema, runs read-only SQL and answers with \
             result ids. Give the analysis component (tool `analysis`) a task when results \
             should be charted or written up as a report. When you are done, answer in plain \
             text without calling a tool."
        }
        Part::Query => {
            "You are the query component of a data analyst. Learn the schema with list_tables \
             and describe_table, then get the data the task asks for with read-only SQL through \
             run_query (one SELECT per call; only the allowed tables). When you have it, say in \
             plain text what each result holds, naming its result id."
        }
        Part::Analysis => {
            "You are the analysis component of a data analyst. Chart the run's results with \
             create_chart and write the report with write_report as the task asks, then say in \
             plain text what you made and what the data shows."
        }
    });
    if part != Part::Analysis {
        prompt.push_str("\nData connectors:\n");
        prompt.push_str(&listed.join("\n"));
    }
    prompt
}

/// The tools of `part`, with JSON schemas of their arguments;
/// `search_documents` first when the part searches the agent's documents.
fn tool_specs(part: Part, searches: bool) -> Vec<ToolSpec> {
    let connector = json!({"type": "string", "description": "the data connector; may be left out when the agent has one"});
    let task =
        json!({"type": "object", "properties": {"task": {"type": "string"}}, "required": ["task"]});
    let tool = |name: &str, description: &str, parameters: Value| ToolSpec {
        name: name.into(),
        description: description.into(),
        parameters,
    };
    let every = vec![
        tool("search_documents", "Searches the agent's documents; answers numbered passages with titles and addresses (cite them as [n]).", json!({
            "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]})),
        tool("list_tables", "The tables each data connector allows.", json!({
            "type": "object", "properties": {"connector_id": connector}})),
        tool("describe_table", "A table's columns, their types and three sample rows.", json!({
            "type": "object", "properties": {"table": {"type": "string", "description": "dataset.table or table"},
                                             "connector_id": connector}, "required": ["table"]})),
        tool("run_query", "Runs one read-only SELECT; answers result_id, columns, the first 50 rows, row_count and truncated.", json!({
            "type": "object", "properties": {"sql": {"type": "string"}, "connector_id": connector}, "required": ["sql"]})),
        tool("create_chart", "Charts a result: a bar, line, point or area mark with columns on x, y and color.", json!({
            "type": "object", "properties": {
                "result_id": {"type": "string"}, "type": {"type": "string", "enum": ["bar", "line", "point", "area"]},
                "x": {"type": "string"}, "y": {"type": "string"}, "color": {"type": "string"}, "title": {"type": "string"}},
            "required": ["result_id", "type", "x", "y"]})),
        tool("write_report", "Writes the report: a title, a summary, highlights and sections showing results and charts.", json!({
            "type": "object", "properties": {
                "title": {"type": "string"}, "summary": {"type": "string"},
                "highlights": {"type": "array", "items": {"type": "string"}},
                "sections": {"type": "array", "items": {"type": "object", "properties": {
                    "heading": {"type": "string"}, "text": {"type": "string"},
                    "result_ids": {"type": "array", "items": {"type": "string"}},
                    "chart_ids": {"type": "array", "items": {"type": "string"}}},
                    "required": ["heading", "text"]}}},
            "required": ["title", "highlights", "sections"]})),
        tool("query", "The query component: give it a task in words; it learns the schema, runs read-only SQL and answers with the result ids, their columns and row counts.", task.clone()),
        tool("analysis", "The analysis component: give it a task in words; it charts the run's results and writes the report, and answers with the chart and report ids.", task),
    ];
    every
        .into_iter()
        .filter(|spec| {
            (searches && spec.name == "search_documents")
                || part.tools().contains(&spec.name.as_str())
        })
        .collect()
}
