//! `/connectors` and `/connectors/{id}`: the databases analyst agents may
//! query — add one, change its allow-lists and limits, test it (and see
//! the allowed tables with their columns), try a read-only query, delete
//! it. Every action goes through the API's own functions
//! (`routes::data_connectors`), so the console checks what the API checks,
//! credentials are masked and kept as the API does, and a query runs
//! through the same parser check and read-only mode.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use grove_core::connectors::{ConnectorKind, DataConnector};
use grove_core::ids::DataConnectorId;
use grove_core::scope::{Requirement, Scope};
use grove_server::error::Failure;
use grove_server::routes::data_connectors::{
    create_connector, delete_connector, find_connector, open, run_query, update_connector,
    ConnectorBody, QueryBody,
};
use grove_server::state::AppState;
use serde_json::Value;

use super::jobs::cell;
use super::{
    choices, page_at, render_form, see_other, submit, Choice, CsrfForm, Fields, Layout,
    OffsetParam, PageError, Pager,
};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Adding, changing and deleting connectors: the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);
/// Running a query: the API's execute scope.
const RUN: Requirement = Requirement::scope(Scope::Execute);
/// Rows of a tried query shown on the page (the whole result is kept).
const ROWS_SHOWN: usize = 100;

/// A connector's settings as the form holds them (text, as typed).
#[derive(Debug)]
pub struct ConnectorForm {
    pub name: String,
    pub kind: String,
    /// The type's settings as JSON (credentials masked).
    pub config: String,
    /// Comma-separated lists.
    pub allowed_datasets: String,
    pub allowed_tables: String,
    pub max_rows: String,
    pub timeout_seconds: String,
    pub max_estimated_rows: String,
    pub max_cost_usd: String,
    pub price_per_tib_usd: String,
}

impl Default for ConnectorForm {
    fn default() -> Self {
        ConnectorForm {
            name: String::new(),
            kind: ConnectorKind::Postgres.as_str().to_owned(),
            config: "{\"url\": \"postgres://user:password@127.0.0.1:5432/db\"}".into(),
            allowed_datasets: String::new(),
            allowed_tables: String::new(),
            max_rows: String::new(),
            timeout_seconds: String::new(),
            max_estimated_rows: String::new(),
            max_cost_usd: String::new(),
            price_per_tib_usd: String::new(),
        }
    }
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn list(raw: &str) -> Vec<String> {
    raw.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ConnectorForm {
    fn of(c: &DataConnector) -> Self {
        ConnectorForm {
            name: c.name.clone(),
            kind: c.kind.as_str().to_owned(),
            config: serde_json::to_string_pretty(&c.config).unwrap_or_else(|_| "{}".into()),
            allowed_datasets: c.allowed_datasets.join(", "),
            allowed_tables: c.allowed_tables.join(", "),
            max_rows: c.max_rows.to_string(),
            timeout_seconds: c.timeout_seconds.to_string(),
            max_estimated_rows: optional(c.max_estimated_rows),
            max_cost_usd: optional(c.max_cost_usd),
            price_per_tib_usd: c.price_per_tib_usd.to_string(),
        }
    }

    fn read(fields: &Fields) -> Self {
        ConnectorForm {
            name: fields.one("name"),
            kind: fields.one("type"),
            config: fields.one("config"),
            allowed_datasets: fields.one("allowed_datasets"),
            allowed_tables: fields.one("allowed_tables"),
            max_rows: fields.one("max_rows"),
            timeout_seconds: fields.one("timeout_seconds"),
            max_estimated_rows: fields.one("max_estimated_rows"),
            max_cost_usd: fields.one("max_cost_usd"),
            price_per_tib_usd: fields.one("price_per_tib_usd"),
        }
    }

    /// The API body of these settings, or the field that cannot be read.
    /// An empty number keeps the default (or stored) value; an empty list
    /// of datasets too, while an empty list of tables allows every table
    /// of the datasets.
    fn as_body(&self) -> Result<ConnectorBody, String> {
        fn number<T: std::str::FromStr>(field: &str, raw: &str) -> Result<Option<T>, String> {
            if raw.is_empty() {
                return Ok(None);
            }
            raw.parse()
                .map(Some)
                .map_err(|_| format!("{field}: `{raw}` is not a number"))
        }
        let kind = ConnectorKind::parse(&self.kind)
            .ok_or_else(|| format!("type: must be one of {}", ConnectorKind::names()))?;
        let config: Value = serde_json::from_str(&self.config)
            .map_err(|e| format!("config: is not valid JSON ({e})"))?;
        let datasets = list(&self.allowed_datasets);
        Ok(ConnectorBody {
            name: Some(self.name.clone()),
            kind: Some(kind),
            config: Some(config),
            allowed_datasets: (!datasets.is_empty()).then_some(datasets),
            allowed_tables: Some(list(&self.allowed_tables)),
            max_rows: number("max_rows", &self.max_rows)?,
            timeout_seconds: number("timeout_seconds", &self.timeout_seconds)?,
            max_cost_usd: number("max_cost_usd", &self.max_cost_usd)?,
            price_per_tib_usd: number("price_per_tib_usd", &self.price_per_tib_usd)?,
            max_estimated_rows: number("max_estimated_rows", &self.max_estimated_rows)?,
        })
    }
}

pub struct ConnectorRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub datasets: String,
}

#[derive(Template)]
#[template(path = "connectors.html")]
struct ListPage {
    layout: Layout,
    action: String,
    submit: &'static str,
    rows: Vec<ConnectorRow>,
    pager: Pager,
    form: ConnectorForm,
    kinds: Vec<Choice>,
    choose_kind: bool,
    can_write: bool,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    offset: u64,
    form: ConnectorForm,
    error: Option<String>,
) -> Result<Response, PageError> {
    let listed = state
        .store
        .list_connectors(&viewer.user.org_id, page_at(offset))
        .await?;
    let rows: Vec<ConnectorRow> = listed
        .items
        .iter()
        .map(|c| ConnectorRow {
            id: c.id.to_string(),
            name: c.name.clone(),
            kind: c.kind.as_str(),
            datasets: c.allowed_datasets.join(", "),
        })
        .collect();
    let pager = Pager::new(offset, rows.len(), listed.total, |offset| {
        format!("/connectors?offset={offset}")
    });
    let refused = error.is_some();
    let page = ListPage {
        layout: Layout::signed_in("Data connectors", viewer, "/connectors"),
        action: "/connectors".into(),
        submit: "Add the connector",
        rows,
        pager,
        kinds: kind_choices(&form.kind),
        choose_kind: true,
        form,
        can_write: viewer.can(WRITE),
        error,
    };
    Ok(render_form(&page, refused))
}

fn kind_choices(current: &str) -> Vec<Choice> {
    choices(
        current,
        ConnectorKind::ALL.iter().map(|k| (k.as_str(), k.as_str())),
    )
}

pub async fn list_connectors(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let form = ConnectorForm::default();
    list_page(&state, &viewer, params.offset, form, None).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let form = ConnectorForm::read(&fields);
    let created = submit(form.as_body(), |body| {
        create_connector(&state, &viewer.user.org_id, body)
    })
    .await;
    match created {
        Ok(connector) => Ok(see_other(&format!("/connectors/{}", connector.id))),
        Err(error) => list_page(&state, &viewer, 0, form, Some(error)).await,
    }
}

/// A table the connector may read, with its columns.
pub struct TableView {
    pub name: String,
    pub columns: String,
}

/// A tried query's answer as the page shows it.
pub struct ResultView {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "connector.html")]
struct ConnectorPage {
    layout: Layout,
    action: String,
    submit: &'static str,
    id: String,
    heading: String,
    form: ConnectorForm,
    kinds: Vec<Choice>,
    choose_kind: bool,
    can_write: bool,
    can_run: bool,
    error: Option<String>,
    notice: Option<String>,
    tables: Vec<TableView>,
    sql: String,
    result: Option<ResultView>,
}

/// What the connector page shows beside its settings.
#[derive(Default)]
struct Shown {
    form: Option<ConnectorForm>,
    error: Option<String>,
    notice: Option<String>,
    tables: Vec<TableView>,
    sql: String,
    result: Option<ResultView>,
}

fn connector_page(viewer: &Viewer, connector: &DataConnector, shown: Shown) -> Response {
    let form = shown.form.unwrap_or_else(|| ConnectorForm::of(connector));
    let refused = shown.error.is_some();
    let id = connector.id.to_string();
    let page = ConnectorPage {
        layout: Layout::signed_in(connector.name.clone(), viewer, "/connectors"),
        action: format!("/connectors/{id}"),
        submit: "Save",
        id,
        heading: connector.name.clone(),
        kinds: kind_choices(&form.kind),
        choose_kind: false,
        form,
        can_write: viewer.can(WRITE),
        can_run: viewer.can(RUN),
        error: shown.error,
        notice: shown.notice,
        tables: shown.tables,
        sql: shown.sql,
        result: shown.result,
    };
    render_form(&page, refused)
}

async fn find(state: &AppState, viewer: &Viewer, id: &str) -> Result<DataConnector, PageError> {
    let missing = || PageError::NotFound(format!("There is no data connector {id}."));
    let connector_id = DataConnectorId::parse(id).map_err(|_| missing())?;
    Ok(find_connector(state, &viewer.user.org_id, &connector_id).await?)
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let connector = find(&state, &viewer, &id).await?;
    Ok(connector_page(&viewer, &connector, Shown::default()))
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let connector = find(&state, &viewer, &id).await?;
    let mut form = ConnectorForm::read(&fields);
    // The type is fixed once created; the form does not send it.
    form.kind = connector.kind.as_str().to_owned();
    let updated = submit(form.as_body(), |body| {
        update_connector(&state, &viewer.user.org_id, &connector.id, body)
    })
    .await;
    Ok(match updated {
        Ok(saved) => {
            let shown = Shown {
                notice: Some("Saved.".into()),
                ..Shown::default()
            };
            connector_page(&viewer, &saved, shown)
        }
        Err(error) => {
            let shown = Shown {
                form: Some(form),
                error: Some(error),
                ..Shown::default()
            };
            connector_page(&viewer, &connector, shown)
        }
    })
}

/// `POST /connectors/{id}/test`: connects, and lists the allowed tables
/// with their columns — or says why it could not.
pub async fn test(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    viewer.check_csrf(&form.csrf)?;
    let connector = find(&state, &viewer, &id).await?;
    let shown = match tested(&state, &viewer, &connector).await {
        Ok(shown) => shown,
        Err(failure) => Shown {
            error: Some(format!("The test failed: {}", failure.0.message)),
            ..Shown::default()
        },
    };
    Ok(connector_page(&viewer, &connector, shown))
}

async fn tested(
    state: &AppState,
    viewer: &Viewer,
    connector: &DataConnector,
) -> Result<Shown, Failure> {
    let opened = open(state, &viewer.user.org_id, &connector.id).await?;
    let report = opened.test().await?;
    let schema = opened.schema().await?;
    let tables = schema
        .tables
        .iter()
        .map(|t| TableView {
            name: format!("{}.{}", t.dataset, t.name),
            columns: t
                .columns
                .iter()
                .map(|c| format!("{} ({})", c.name, c.data_type))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    Ok(Shown {
        notice: Some(format!(
            "Connected in {:.0} ms; {} allowed table(s).",
            report.latency_ms,
            report.tables.len()
        )),
        tables,
        ..Shown::default()
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct QueryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    sql: String,
}

/// `POST /connectors/{id}/query`: a read-only statement, its first rows.
pub async fn query(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<QueryForm>,
) -> Result<Response, PageError> {
    viewer.require(RUN)?;
    viewer.check_csrf(&form.csrf)?;
    let connector = find(&state, &viewer, &id).await?;
    let body = QueryBody {
        sql: form.sql.clone(),
        parameters: None,
    };
    let shown = match run_query(&state, &viewer.user.org_id, &connector.id, body).await {
        Ok(answer) => Shown {
            sql: form.sql,
            result: Some(ResultView {
                summary: format!(
                    "{} row(s) in {:.0} ms{}; kept as {}.",
                    answer.row_count,
                    answer.elapsed_ms,
                    if answer.truncated {
                        ", cut at the connector's row limit"
                    } else {
                        ""
                    },
                    answer.result_id
                ),
                columns: answer.columns.into_iter().map(|c| c.name).collect(),
                rows: answer
                    .rows
                    .iter()
                    .take(ROWS_SHOWN)
                    .map(|row| row.iter().map(cell).collect())
                    .collect(),
            }),
            ..Shown::default()
        },
        Err(failure) => Shown {
            sql: form.sql,
            error: Some(failure.0.message),
            ..Shown::default()
        },
    };
    Ok(connector_page(&viewer, &connector, shown))
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let connector = find(&state, &viewer, &id).await?;
    delete_connector(&state, &viewer.user.org_id, &connector.id).await?;
    Ok(see_other("/connectors"))
}
