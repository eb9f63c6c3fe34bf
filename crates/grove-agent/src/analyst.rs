//! The tool-using analyst loop, used when an agent's model is a language
//! model and it has data connectors: the model lists and describes the
//! allowed tables, runs read-only queries, charts results and writes a
//! report, one tool round at a time, over the provider's tool-call format
//! (`grove_llm::tools`). Every call is a `tool` message of the chat — the
//! call, its arguments, a short result and the model that made it — so the
//! chat is the record of the queries run. A query's whole result is kept
//! under its `result_id`; the model sees at most [`ROWS_SHOWN`] rows.
//!
//! Budgets: at most `max_steps` tool rounds, then one last turn in which the
//! model may only answer (`tool_choice: none`); the answer then says the
//! budget ended it.

use std::collections::HashMap;
use std::sync::Arc;

use grove_core::agents::Agent;
use grove_core::connectors::DataConnector;
use grove_core::ids::OrgId;
use grove_core::jobs::{ChartChoice, ChartType, DocumentKind, MessageRole};
use grove_llm::tools::{ChatTurn, ToolCall, ToolRequest, ToolResult, ToolSpec};
use grove_llm::{Providers, Settings, Usage};
use grove_report::chart;
use grove_report::choose::chart_spec;
use grove_report::documents::{table_content, Report, Section};
use grove_search::{Mode, SearchEngine, SearchRequest};
use grove_sql::{Connector, ConnectorPool, QueryResult, SqlError};
use grove_store::{NewDocument, NewMessage, Store};
use serde_json::{json, Map, Value};

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

/// What the loop left: the answer, the steps as chat messages, the tables,
/// charts and report it made, and what the model used.
#[derive(Debug, Default)]
pub struct AnalystOutcome {
    pub answer: String,
    pub steps: Vec<NewMessage>,
    pub documents: Vec<NewDocument>,
    pub usage: Usage,
    pub cost_usd: f64,
    /// Whether the step budget ended the loop.
    pub stopped_by_budget: bool,
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

/// What one loop has made so far.
#[derive(Default)]
struct Workspace {
    /// By result id: the result and its table document's id.
    results: HashMap<String, (QueryResult, String)>,
    charts: Vec<String>,
    documents: Vec<NewDocument>,
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

    /// Runs the loop; the error says what stopped it.
    pub async fn run(&self, request: AnalystRequest<'_>) -> Result<AnalystOutcome, String> {
        let resolved = self
            .providers
            .resolve(&request.agent.model)
            .map_err(|e| e.to_string())?;
        let settings = Settings {
            model: resolved.model.clone(),
            temperature: request.agent.temperature,
            max_tokens: request.agent.max_tokens,
        };
        let databases = self.databases(request.org, request.agent).await?;
        let system = system_prompt(request.agent, &databases);
        let mut tools = tool_specs();
        if !request.agent.data_source_ids.is_empty() {
            tools.insert(0, search_spec());
        }
        let mut turns = vec![ChatTurn::User(request.question.clone())];
        let mut outcome = AnalystOutcome::default();
        let mut workspace = Workspace::default();
        for round in 0..=request.max_steps {
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
                .ok_or_else(|| format!("the model `{}` cannot call tools", request.agent.model))?;
            outcome.usage += turn.usage;
            if turn.calls.is_empty() || final_turn {
                outcome.stopped_by_budget = final_turn && round > 0;
                outcome.answer = turn.text;
                break;
            }
            let mut results = Vec::with_capacity(turn.calls.len());
            for call in &turn.calls {
                let (content, is_error) =
                    match self.call(&request, &databases, &mut workspace, call).await {
                        Ok(content) => (content, false),
                        Err(message) => (message, true),
                    };
                outcome
                    .steps
                    .push(step_message(&request.agent.model, call, &content, is_error));
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
        if outcome.stopped_by_budget {
            outcome.answer.push_str(&format!(
                "\n\n(Stopped after {} tool rounds, the agent's max_steps.)",
                request.max_steps
            ));
        }
        outcome.cost_usd = resolved.cost_usd(outcome.usage);
        outcome.documents = workspace.documents;
        Ok(outcome)
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
        workspace: &mut Workspace,
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
        match call.name.as_str() {
            "search_documents" if !request.agent.data_source_ids.is_empty() => {
                self.search_documents(request.agent, &arguments).await
            }
            "list_tables" => list_tables(databases, &arguments).await,
            "describe_table" => describe_table(databases, &arguments).await,
            "run_query" => self.run_query(org, databases, workspace, &arguments).await,
            "create_chart" => create_chart(workspace, &arguments),
            "write_report" => write_report(workspace, &arguments),
            other => Err(format!(
                "there is no tool `{other}`; the tools are list_tables, describe_table, run_query, create_chart and write_report"
            )),
        }
    }

    /// The agent's data sources searched as its knowledge answers do:
    /// numbered passages with their titles and addresses.
    async fn search_documents(
        &self,
        agent: &Agent,
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
        let passages: Vec<Value> = found
            .hits
            .iter()
            .enumerate()
            .map(|(i, hit)| {
                json!({
                    "number": i + 1,
                    "title": hit.chunk.input.title,
                    "url": hit.chunk.input.url,
                    "text": hit.chunk.input.text,
                })
            })
            .collect();
        Ok(json!({ "passages": passages }).to_string())
    }

    async fn run_query(
        &self,
        org: &OrgId,
        databases: &[Database],
        workspace: &mut Workspace,
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
            format!("Query {}", workspace.results.len() + 1),
            table_content(&result, &result_id, sql),
        );
        let answer = json!({
            "result_id": result_id,
            "columns": result.column_names(),
            "rows": result.rows.iter().take(ROWS_SHOWN).collect::<Vec<_>>(),
            "row_count": result.row_count,
            "truncated": result.truncated,
        });
        workspace
            .results
            .insert(result_id, (result, table.id.to_string()));
        workspace.documents.push(table);
        Ok(answer.to_string())
    }
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

fn create_chart(
    workspace: &mut Workspace,
    arguments: &Map<String, Value>,
) -> Result<String, String> {
    let result_id = text_argument(arguments, "result_id")?;
    let (result, _) = workspace.results.get(result_id).ok_or_else(|| {
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
    workspace.charts.push(chart_id.clone());
    workspace.documents.push(document);
    Ok(json!({ "chart_id": chart_id }).to_string())
}

fn write_report(
    workspace: &mut Workspace,
    arguments: &Map<String, Value>,
) -> Result<String, String> {
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
            let (_, table) = workspace
                .results
                .get(&id)
                .ok_or_else(|| format!("sections[{i}].result_ids: no result `{id}` in this run"))?;
            document_ids.push(table.clone());
        }
        for id in strings(section.get("chart_ids")) {
            if !workspace.charts.contains(&id) {
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
    workspace.documents.push(document);
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
    }
}

/// A tool's answer in a line: counts and ids rather than rows.
fn summarise(content: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(content) else {
        return content.chars().take(200).collect();
    };
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

fn system_prompt(agent: &Agent, databases: &[Database]) -> String {
    let listed: Vec<String> = databases
        .iter()
        .map(|d| format!("- {} ({}, {})", d.record.id, d.record.name, d.record.kind))
        .collect();
    let mut prompt = String::new();
    if !agent.system_prompt.is_empty() {
        prompt.push_str(&agent.system_prompt);
        prompt.push_str("\n\n");
    }
    prompt.push_str(
        "You are a data analyst. Learn the schema with list_tables and describe_table, then \
         answer with read-only SQL through run_query (one SELECT per call; only the allowed \
         tables). Chart results with create_chart and summarise them with write_report when \
         a report helps. When you are done, answer in plain text without calling a tool.\n\
         Data connectors:\n",
    );
    prompt.push_str(&listed.join("\n"));
    prompt
}

/// `search_documents`, offered when the agent has data sources.
fn search_spec() -> ToolSpec {
    ToolSpec {
        name: "search_documents".into(),
        description:
            "Searches the agent's documents; answers numbered passages with titles and addresses."
                .into(),
        parameters: json!({"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}),
    }
}

/// The tools, with JSON schemas of their arguments.
pub fn tool_specs() -> Vec<ToolSpec> {
    let connector = json!({"type": "string", "description": "the data connector; may be left out when the agent has one"});
    let tool = |name: &str, description: &str, parameters: Value| ToolSpec {
        name: name.into(),
        description: description.into(),
        parameters,
    };
    vec![
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
    ]
}
