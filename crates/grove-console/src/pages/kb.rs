//! `/kb`, `/kb/{id}` and `/kb/{id}/versions/{n}`: the knowledge base —
//! articles by status, one article with its edit form and versions, one
//! version with a line diff against the version before it (or any other,
//! `?against=`), restore, delete, and making a draft article from a
//! corrected answer in the review inbox. Every write goes through the
//! API's own checks (`routes::kb`), so a title or tag the API refuses is
//! refused here with the same reason.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use grove_core::ids::{InteractionId, KbArticleId};
use grove_core::scope::{Requirement, Scope};
use grove_core::sources::{ArticleStatus, KbArticle, KbArticleVersion};
use grove_server::routes::kb::{checked_patch, new_article, ArticleBody};
use grove_server::routes::review::article_from_review;
use grove_server::state::AppState;
use grove_store::KbAuthor;
use serde::Deserialize;
use similar::{ChangeTag, TextDiff};

use super::{
    choices, page_at, render, render_form, see_other, Choice, CsrfForm, Layout, PageError, Pager,
    Time,
};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Writing, restoring and deleting articles: the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);
/// Versions listed on an article's page.
const VERSIONS_SHOWN: u32 = 50;

fn author(viewer: &Viewer) -> KbAuthor {
    KbAuthor {
        key_id: None,
        user_id: Some(viewer.user.id.clone()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    offset: u64,
    #[serde(default)]
    status: String,
}

pub struct ArticleRow {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub tags: String,
    pub version: u32,
    pub updated_at: Time,
}

#[derive(Template)]
#[template(path = "kb.html")]
struct ListPage {
    layout: Layout,
    statuses: Vec<Choice>,
    rows: Vec<ArticleRow>,
    pager: Pager,
    can_write: bool,
    filtered: bool,
}

fn status_choices(current: &str, any: Option<&'static str>) -> Vec<Choice> {
    let statuses = ArticleStatus::ALL.iter().map(|s| (s.as_str(), s.as_str()));
    choices(
        current,
        any.map(|label| ("", label)).into_iter().chain(statuses),
    )
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let status = ArticleStatus::parse(&params.status);
    let listed = state
        .store
        .list_kb_articles(&viewer.user.org_id, status, page_at(params.offset))
        .await?;
    let rows: Vec<ArticleRow> = listed
        .items
        .into_iter()
        .map(|a| ArticleRow {
            id: a.id.to_string(),
            title: a.title,
            status: a.status.as_str(),
            tags: a.tags.join(", "),
            version: a.version,
            updated_at: Time::from(a.updated_at),
        })
        .collect();
    let shown_status = status.map(|s| s.as_str()).unwrap_or("");
    let pager = Pager::new(params.offset, rows.len(), listed.total, |offset| {
        format!("/kb?status={shown_status}&offset={offset}")
    });
    let page = ListPage {
        layout: Layout::signed_in("Knowledge base", &viewer, "/kb"),
        statuses: status_choices(shown_status, Some("Any status")),
        rows,
        pager,
        can_write: viewer.can(WRITE),
        filtered: status.is_some(),
    };
    Ok(render(&page))
}

/// The article form as posted: tags one string, separated by commas.
#[derive(Debug, Default, Deserialize)]
pub struct ArticleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    status: String,
}

impl ArticleForm {
    fn as_body(&self) -> ArticleBody {
        ArticleBody {
            title: Some(self.title.clone()),
            content: Some(self.content.clone()),
            tags: Some(
                self.tags
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            status: Some(ArticleStatus::parse(&self.status).unwrap_or(ArticleStatus::Draft)),
        }
    }

    fn of(article: &KbArticle) -> Self {
        ArticleForm {
            csrf: String::new(),
            title: article.title.clone(),
            content: article.content.clone(),
            tags: article.tags.join(", "),
            status: article.status.as_str().to_owned(),
        }
    }
}

pub struct VersionRow {
    pub number: u32,
    pub title: String,
    pub status: &'static str,
    pub note: String,
    pub at: Time,
}

/// The form of a new article (no `article`) or of one article with its
/// versions.
#[derive(Template)]
#[template(path = "kb_article.html")]
struct ArticlePage {
    layout: Layout,
    article: Option<ArticleView>,
    form: ArticleForm,
    statuses: Vec<Choice>,
    can_write: bool,
    error: Option<String>,
}

pub struct ArticleView {
    pub id: String,
    pub status: &'static str,
    pub version: u32,
    pub updated_at: Time,
    pub versions: Vec<VersionRow>,
    pub more_versions: bool,
}

fn version_note(v: &KbArticleVersion) -> String {
    match v.restored_from {
        Some(from) => format!("restored from version {from}"),
        None if v.version == 1 => "created".to_owned(),
        None => "edited".to_owned(),
    }
}

async fn find(state: &AppState, viewer: &Viewer, id: &str) -> Result<KbArticle, PageError> {
    let missing = || PageError::NotFound(format!("There is no article {id}."));
    let article_id = KbArticleId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_kb_article(&viewer.user.org_id, &article_id)
        .await?
        .ok_or_else(missing)
}

async fn article_page(
    state: &AppState,
    viewer: &Viewer,
    article: &KbArticle,
    form: ArticleForm,
    error: Option<String>,
) -> Result<Response, PageError> {
    let versions = state
        .store
        .kb_article_versions(
            &viewer.user.org_id,
            &article.id,
            grove_core::page::Page {
                limit: VERSIONS_SHOWN,
                offset: 0,
            },
        )
        .await?;
    let statuses = status_choices(&form.status, None);
    let page = ArticlePage {
        layout: Layout::signed_in(article.title.clone(), viewer, "/kb"),
        article: Some(ArticleView {
            id: article.id.to_string(),
            status: article.status.as_str(),
            version: article.version,
            updated_at: Time::from(article.updated_at),
            more_versions: versions.total > versions.items.len() as u64,
            versions: versions
                .items
                .iter()
                .map(|v| VersionRow {
                    number: v.version,
                    title: v.title.clone(),
                    status: v.status.as_str(),
                    note: version_note(v),
                    at: Time::from(v.created_at),
                })
                .collect(),
        }),
        form,
        statuses,
        can_write: viewer.can(WRITE),
        error: error.clone(),
    };
    let refused = error.is_some();
    Ok(render_form(&page, refused))
}

fn new_article_page(viewer: &Viewer, form: ArticleForm, error: Option<String>) -> Response {
    let refused = error.is_some();
    let page = ArticlePage {
        layout: Layout::signed_in("New article", viewer, "/kb"),
        article: None,
        statuses: status_choices(&form.status, None),
        form,
        can_write: true,
        error,
    };
    render_form(&page, refused)
}

pub async fn new_form(viewer: Viewer) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    let form = ArticleForm {
        status: ArticleStatus::Draft.as_str().to_owned(),
        ..ArticleForm::default()
    };
    Ok(new_article_page(&viewer, form, None))
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ArticleForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let new = match new_article(form.as_body()) {
        Ok(new) => new,
        Err(failure) => return Ok(new_article_page(&viewer, form, Some(failure.0.message))),
    };
    let article = state
        .store
        .create_kb_article_by(&viewer.user.org_id, new, author(&viewer))
        .await?;
    Ok(see_other(&format!("/kb/{}", article.id)))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let article = find(&state, &viewer, &id).await?;
    article_page(&state, &viewer, &article, ArticleForm::of(&article), None).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ArticleForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let article = find(&state, &viewer, &id).await?;
    let patch = match checked_patch(form.as_body()) {
        Ok(patch) => patch,
        Err(failure) => {
            return article_page(&state, &viewer, &article, form, Some(failure.0.message)).await
        }
    };
    state
        .store
        .update_kb_article_by(&viewer.user.org_id, &article.id, patch, author(&viewer))
        .await?;
    Ok(see_other(&format!("/kb/{}", article.id)))
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let article = find(&state, &viewer, &id).await?;
    state
        .store
        .delete_kb_article(&viewer.user.org_id, &article.id)
        .await?;
    Ok(see_other("/kb"))
}

/// One line of a diff: `+`, `-` or ` `, and its text.
pub struct DiffLine {
    pub sign: &'static str,
    pub class: &'static str,
    pub text: String,
}

fn diff_lines(before: &str, after: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(before, after)
        .iter_all_changes()
        .map(|change| {
            let (sign, class) = match change.tag() {
                ChangeTag::Delete => ("-", "removed"),
                ChangeTag::Insert => ("+", "added"),
                ChangeTag::Equal => (" ", "same"),
            };
            DiffLine {
                sign,
                class,
                text: change.value().trim_end_matches('\n').to_owned(),
            }
        })
        .collect()
}

/// A version as compared: title, status and tags on top, then the body.
fn comparable(v: &KbArticleVersion) -> String {
    format!(
        "# {}\nstatus: {}\ntags: {}\n\n{}",
        v.title,
        v.status.as_str(),
        v.tags.join(", "),
        v.content
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct VersionParams {
    /// The version to compare with (default: the one before).
    against: Option<u32>,
}

#[derive(Template)]
#[template(path = "kb_version.html")]
struct VersionPage {
    layout: Layout,
    article_id: String,
    article_title: String,
    number: u32,
    latest: u32,
    note: String,
    at: Time,
    against: Option<u32>,
    others: Vec<u32>,
    diff: Vec<DiffLine>,
    can_restore: bool,
}

pub async fn version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, number)): Path<(String, u32)>,
    Query(params): Query<VersionParams>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let article = find(&state, &viewer, &id).await?;
    let org = &viewer.user.org_id;
    let missing = |n: u32| PageError::NotFound(format!("Article {id} has no version {n}."));
    let shown = state
        .store
        .kb_article_version(org, &article.id, number)
        .await?
        .ok_or_else(|| missing(number))?;
    let against_number = params
        .against
        .or_else(|| number.checked_sub(1).filter(|n| *n > 0));
    let against = match against_number {
        Some(n) => Some(
            state
                .store
                .kb_article_version(org, &article.id, n)
                .await?
                .ok_or_else(|| missing(n))?,
        ),
        None => None,
    };
    let before = against.as_ref().map(comparable).unwrap_or_default();
    let page = VersionPage {
        layout: Layout::signed_in(format!("{} v{number}", article.title), &viewer, "/kb"),
        article_id: article.id.to_string(),
        article_title: article.title.clone(),
        number,
        latest: article.version,
        note: version_note(&shown),
        at: Time::from(shown.created_at),
        against: against_number,
        others: (1..=article.version).filter(|n| *n != number).collect(),
        diff: diff_lines(&before, &comparable(&shown)),
        can_restore: viewer.can(WRITE) && number != article.version,
    };
    Ok(render(&page))
}

pub async fn restore(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, number)): Path<(String, u32)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let article = find(&state, &viewer, &id).await?;
    state
        .store
        .restore_kb_article(&viewer.user.org_id, &article.id, number, author(&viewer))
        .await?
        .ok_or_else(|| PageError::NotFound(format!("Article {id} has no version {number}.")))?;
    Ok(see_other(&format!("/kb/{}", article.id)))
}

/// `POST /interactions/{id}/article`: a draft article from the answer's
/// correction, through the API's own function (409s shown as the API's
/// reason); then the new article.
pub async fn from_review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(super::review::REVIEW)?;
    viewer.check_csrf(&form.csrf)?;
    let missing = || PageError::NotFound(format!("There is no answer {id}."));
    let interaction = InteractionId::parse(&id).map_err(|_| missing())?;
    match article_from_review(
        &state,
        &viewer.user.org_id,
        &interaction,
        None,
        ArticleStatus::Draft,
        author(&viewer),
    )
    .await
    {
        Ok(article) => Ok(see_other(&format!("/kb/{}", article.id))),
        Err(failure) if failure.0.code.status() == 404 => Err(missing()),
        Err(failure) => Err(failure.into()),
    }
}
