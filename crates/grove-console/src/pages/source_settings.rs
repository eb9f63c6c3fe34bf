//! `/sources/new`, `/sources/{id}/settings`, `/sources/{id}/files` and
//! `/sources/{id}/delete`: adding a data source, changing its settings,
//! uploading files into a `file` source and deleting one. Every change
//! goes through the API's own functions (`routes::data_sources`,
//! `routes::files`), so a setting the API refuses is refused here with
//! the API's reason, and credentials are masked and kept as the API
//! masks and keeps them.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::Form;
use grove_core::scope::{Requirement, Scope};
use grove_core::sources::{DataSource, SourceKind, SyncFrequency, SyncInitiator};
use grove_server::routes::data_sources::{
    create_source, delete_source, shown, update_source, CreateDataSource, UpdateDataSource,
};
use grove_server::routes::files::{check_file_source, receive_upload};
use grove_server::state::AppState;
use serde_json::Value;

use super::sources::find_data_source;
use super::{choices, render_form, see_other, submit, Choice, CsrfForm, Fields, Layout, PageError};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Adding, changing and deleting data sources: the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);

/// The settings as the form holds them (text, as typed).
#[derive(Debug)]
pub struct SourceForm {
    pub name: String,
    pub kind: String,
    /// The type's settings as JSON (credentials masked).
    pub config: String,
    pub sync_frequency: String,
    pub chunk_size: String,
    pub chunk_overlap: String,
    /// Queue the first sync on creation.
    pub sync_now: bool,
}

impl Default for SourceForm {
    fn default() -> Self {
        SourceForm {
            name: String::new(),
            kind: SourceKind::Kb.as_str().to_owned(),
            config: "{}".into(),
            sync_frequency: SyncFrequency::Manual.as_str().to_owned(),
            chunk_size: String::new(),
            chunk_overlap: String::new(),
            sync_now: true,
        }
    }
}

impl SourceForm {
    fn of(ds: &DataSource) -> Self {
        SourceForm {
            name: ds.name.clone(),
            kind: ds.kind.as_str().to_owned(),
            config: serde_json::to_string_pretty(&ds.config).unwrap_or_else(|_| "{}".into()),
            sync_frequency: ds.sync_frequency.as_str().to_owned(),
            chunk_size: ds.chunk_size.to_string(),
            chunk_overlap: ds.chunk_overlap.to_string(),
            sync_now: false,
        }
    }

    fn read(fields: &Fields) -> Self {
        SourceForm {
            name: fields.one("name"),
            kind: fields.one("type"),
            config: fields.one("config"),
            sync_frequency: fields.one("sync_frequency"),
            chunk_size: fields.one("chunk_size"),
            chunk_overlap: fields.one("chunk_overlap"),
            sync_now: fields.has("sync_now"),
        }
    }

    /// The config as JSON (empty means `{}`), or why it is not.
    fn config(&self) -> Result<Value, String> {
        if self.config.is_empty() {
            return Ok(Value::Object(Default::default()));
        }
        serde_json::from_str(&self.config).map_err(|e| format!("config: is not valid JSON ({e})"))
    }

    fn frequency(&self) -> Result<SyncFrequency, String> {
        SyncFrequency::parse(&self.sync_frequency)
            .ok_or_else(|| format!("sync_frequency: must be one of {}", SyncFrequency::names()))
    }

    fn chunking(&self) -> Result<(Option<u32>, Option<u32>), String> {
        fn number(field: &str, raw: &str) -> Result<Option<u32>, String> {
            if raw.is_empty() {
                return Ok(None);
            }
            raw.parse()
                .map(Some)
                .map_err(|_| format!("{field}: `{raw}` is not a whole number"))
        }
        Ok((
            number("chunk_size", &self.chunk_size)?,
            number("chunk_overlap", &self.chunk_overlap)?,
        ))
    }

    fn as_create(&self) -> Result<CreateDataSource, String> {
        let kind = SourceKind::parse(&self.kind)
            .ok_or_else(|| format!("type: must be one of {}", SourceKind::names()))?;
        let (chunk_size, chunk_overlap) = self.chunking()?;
        Ok(CreateDataSource {
            kind,
            name: self.name.clone(),
            config: Some(self.config()?),
            sync_frequency: Some(self.frequency()?),
            chunk_size,
            chunk_overlap,
        })
    }

    fn as_update(&self) -> Result<UpdateDataSource, String> {
        let (chunk_size, chunk_overlap) = self.chunking()?;
        Ok(UpdateDataSource {
            name: Some(self.name.clone()),
            config: Some(self.config()?),
            sync_frequency: Some(self.frequency()?),
            chunk_size,
            chunk_overlap,
        })
    }
}

/// What a type's `config` takes, as the form's help shows it.
pub struct KindHelp {
    pub kind: &'static str,
    pub keys: String,
}

fn kind_help() -> Vec<KindHelp> {
    SourceKind::ALL
        .iter()
        .map(|kind| {
            let keys = grove_ingest::config_keys(*kind);
            KindHelp {
                kind: kind.as_str(),
                keys: if keys.is_empty() {
                    "nothing: leave it {}".into()
                } else {
                    keys.join(", ")
                },
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "source_settings.html")]
struct SettingsPage {
    layout: Layout,
    /// `None` for a new data source.
    source_id: Option<String>,
    heading: String,
    form: SourceForm,
    kinds: Vec<Choice>,
    frequencies: Vec<Choice>,
    help: Vec<KindHelp>,
    can_write: bool,
    error: Option<String>,
    saved: bool,
}

fn settings_page(
    viewer: &Viewer,
    source: Option<&DataSource>,
    form: SourceForm,
    error: Option<String>,
    saved: bool,
) -> Response {
    let heading = source.map_or("New data source".to_owned(), |s| s.name.clone());
    let refused = error.is_some();
    let page = SettingsPage {
        layout: Layout::signed_in(heading.clone(), viewer, "/sources"),
        source_id: source.map(|s| s.id.to_string()),
        heading,
        kinds: choices(
            &form.kind,
            SourceKind::ALL.iter().map(|k| (k.as_str(), k.as_str())),
        ),
        frequencies: choices(
            &form.sync_frequency,
            SyncFrequency::ALL.iter().map(|f| (f.as_str(), f.as_str())),
        ),
        help: kind_help(),
        form,
        can_write: viewer.can(WRITE),
        error,
        saved,
    };
    render_form(&page, refused)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NewParams {
    /// The type chosen in advance (`?type=kb`).
    #[serde(default, rename = "type")]
    kind: String,
}

pub async fn new_form(
    viewer: Viewer,
    Query(params): Query<NewParams>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    let mut form = SourceForm::default();
    if SourceKind::parse(&params.kind).is_some() {
        form.kind = params.kind;
    }
    Ok(settings_page(&viewer, None, form, None, false))
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let form = SourceForm::read(&fields);
    let org = &viewer.user.org_id;
    let created = submit(form.as_create(), |body| create_source(&state, org, body)).await;
    let source = match created {
        Ok(source) => source,
        Err(error) => return Ok(settings_page(&viewer, None, form, Some(error), false)),
    };
    // A `file` source has nothing to read until files are uploaded.
    if form.sync_now && source.kind != SourceKind::File {
        state
            .store
            .start_sync(org, &source.id, SyncInitiator::Manual)
            .await?;
    }
    Ok(see_other(&format!("/sources/{}", source.id)))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedParam {
    #[serde(default)]
    saved: bool,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<SavedParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let source = shown(find_data_source(&state, &viewer, &id).await?);
    let form = SourceForm::of(&source);
    Ok(settings_page(
        &viewer,
        Some(&source),
        form,
        None,
        params.saved,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let source = shown(find_data_source(&state, &viewer, &id).await?);
    let mut form = SourceForm::read(&fields);
    // The type is fixed once created; the form does not send it.
    form.kind = source.kind.as_str().to_owned();
    let updated = submit(form.as_update(), |body| {
        update_source(&state, &viewer.user.org_id, &source.id, body)
    })
    .await;
    match updated {
        Ok(source) => Ok(see_other(&format!(
            "/sources/{}/settings?saved=true",
            source.id
        ))),
        Err(error) => Ok(settings_page(
            &viewer,
            Some(&source),
            form,
            Some(error),
            false,
        )),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let source = find_data_source(&state, &viewer, &id).await?;
    delete_source(&state, &viewer.user.org_id, &source.id).await?;
    Ok(see_other("/sources"))
}

/// Longest CSRF field read (a token is far shorter).
const MAX_CSRF_FIELD: usize = 256;

/// A form field that must be short, read without holding more of it.
async fn short_field(mut field: axum::extract::multipart::Field<'_>) -> Result<String, PageError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| PageError::BadRequest(e.to_string()))?
    {
        if bytes.len() + chunk.len() > MAX_CSRF_FIELD {
            return Ok(String::new());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

/// `POST /sources/{id}/files` (multipart): stores the files, all or
/// nothing, and queues their sync. The form's first field is the CSRF
/// token, checked before any file is read.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    let mut multipart = multipart.map_err(|e| PageError::BadRequest(e.to_string()))?;
    let first = multipart
        .next_field()
        .await
        .map_err(|e| PageError::BadRequest(e.to_string()))?;
    let csrf = match first {
        Some(field) if field.name() == Some("csrf") => short_field(field).await?,
        _ => String::new(),
    };
    viewer.check_csrf(&csrf)?;
    let source = find_data_source(&state, &viewer, &id).await?;
    check_file_source(&source)?;
    let org = &viewer.user.org_id;
    let report = receive_upload(&state, org, &source.id, SyncInitiator::Manual, multipart).await?;
    Ok(see_other(&format!(
        "/sources/{}?uploaded={}",
        source.id,
        report.files.len()
    )))
}
