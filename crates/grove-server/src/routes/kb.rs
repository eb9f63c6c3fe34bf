//! `/api/v1/kb`: knowledge-base articles with versions. Every create, update
//! and restore records a version (1, 2, …) with who wrote it, in the same
//! transaction as the article. A write that changes what is published
//! (an article published before or after it) queues, in the store's same
//! transaction, a sync of every `kb` data source of the organisation, or a
//! follow-up of the one under way, so published articles become searchable
//! and the rest leave the index.
//! Without a `kb` data source nothing is indexed. Legacy `GET /api/kb` lists.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json as JsonResponse};
use grove_core::ids::{KbArticleId, OrgId};
use grove_core::scope::Scope;
use grove_core::sources::{ArticleStatus, KbArticle, KbArticleVersion};
use grove_core::ApiError;
use grove_store::{KbArticlePatch, KbAuthor, NewKbArticle};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{both_families, v1_route, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::{one_of, path_id, trimmed_text, Json, ListParams, Query};
use crate::state::AppState;

/// Characters of a title.
pub const MAX_TITLE: usize = 300;
/// Characters of an article's Markdown.
pub const MAX_CONTENT: usize = 100_000;
/// Tags per article, and characters per tag.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG: usize = 50;

/// An article as created or updated. On create, `title` and `content` are
/// required, `tags` default to none and `status` to `draft`; on update
/// every field is optional and the given ones replace the stored ones.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleBody {
    /// 1 to 300 characters.
    #[schema(min_length = 1, max_length = 300, pattern = "\\S")]
    pub title: Option<String>,
    /// Markdown, 1 to 100,000 characters.
    #[schema(min_length = 1, max_length = 100000, pattern = "\\S")]
    pub content: Option<String>,
    /// At most 20 tags of 1 to 50 characters; repeats are dropped.
    #[schema(max_items = 20)]
    pub tags: Option<Vec<String>>,
    /// `draft` or `published`: only published articles are indexed.
    pub status: Option<ArticleStatus>,
}

#[derive(Debug, Deserialize)]
pub struct ListArticles {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `draft` or `published`.
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KbArticleList {
    pub articles: Vec<KbArticle>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KbVersionList {
    pub versions: Vec<KbArticleVersion>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

fn article_id(raw: &str) -> Result<KbArticleId, Failure> {
    path_id(raw, "id", KbArticleId::parse)
}

fn version_number(raw: &str) -> Result<u32, Failure> {
    raw.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
        Failure(ApiError::invalid_field(
            "version",
            "must be a version number (1, 2, …)",
        ))
    })
}

fn not_found(id: &KbArticleId) -> Failure {
    Failure(ApiError::not_found("knowledge-base article", id.as_str()))
}

async fn find(state: &AppState, org: &OrgId, id: &KbArticleId) -> Result<KbArticle, Failure> {
    state
        .store
        .get_kb_article(org, id)
        .await?
        .ok_or_else(|| not_found(id))
}

/// Who is writing: the caller's key and its user.
pub(crate) fn author(caller: &Caller) -> KbAuthor {
    KbAuthor {
        key_id: Some(caller.key.id.clone()),
        user_id: caller.key.user_id.clone(),
    }
}

/// A title checked: trimmed, 1 to [`MAX_TITLE`] characters.
pub(crate) fn checked_title(raw: &str) -> Result<String, Failure> {
    trimmed_text("title", raw, MAX_TITLE, true)
}

fn checked_content(raw: String) -> Result<String, Failure> {
    if raw.trim().is_empty() || raw.chars().count() > MAX_CONTENT {
        return Err(Failure(ApiError::invalid_field(
            "content",
            format!("must be 1 to {MAX_CONTENT} characters"),
        )));
    }
    Ok(raw)
}

fn checked_tags(raw: Vec<String>) -> Result<Vec<String>, Failure> {
    if raw.len() > MAX_TAGS {
        return Err(Failure(ApiError::invalid_field(
            "tags",
            format!("must list at most {MAX_TAGS} tags"),
        )));
    }
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for (i, tag) in raw.iter().enumerate() {
        let tag = trimmed_text(&format!("tags[{i}]"), tag, MAX_TAG, true)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// A new article from `body`: title and content required, each field
/// checked; tags default to none and status to `draft`.
pub fn new_article(body: ArticleBody) -> Result<NewKbArticle, Failure> {
    let required = |field: &str| Failure(ApiError::invalid_field(field, "is required"));
    if body.title.is_none() {
        return Err(required("title"));
    }
    if body.content.is_none() {
        return Err(required("content"));
    }
    let patch = checked_patch(body)?;
    Ok(NewKbArticle {
        title: patch.title.unwrap_or_default(),
        content: patch.content.unwrap_or_default(),
        tags: patch.tags.unwrap_or_default(),
        status: patch.status.unwrap_or(ArticleStatus::Draft),
    })
}

/// The fields `body` gives, each checked.
pub fn checked_patch(body: ArticleBody) -> Result<KbArticlePatch, Failure> {
    Ok(KbArticlePatch {
        title: body.title.as_deref().map(checked_title).transpose()?,
        content: body.content.map(checked_content).transpose()?,
        tags: body.tags.map(checked_tags).transpose()?,
        status: body.status,
    })
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListArticles>,
) -> ApiResult<JsonResponse<KbArticleList>> {
    let page = ListParams {
        limit: params.limit,
        offset: params.offset,
    }
    .page()?;
    let status = one_of(
        "status",
        params.status.as_deref(),
        ArticleStatus::parse,
        &ArticleStatus::names(),
    )?;
    let listed = state
        .store
        .list_kb_articles(caller.org(), status, page)
        .await?;
    Ok(JsonResponse(KbArticleList {
        articles: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<ArticleBody>,
) -> ApiResult<(StatusCode, JsonResponse<KbArticle>)> {
    let new = new_article(body)?;
    let article = state
        .store
        .create_kb_article_by(caller.org(), new, author(&caller))
        .await?;
    Ok((StatusCode::CREATED, JsonResponse(article)))
}

async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse<KbArticle>> {
    let id = article_id(&id)?;
    Ok(JsonResponse(find(&state, caller.org(), &id).await?))
}

async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<ArticleBody>,
) -> ApiResult<JsonResponse<KbArticle>> {
    let id = article_id(&id)?;
    let patch = checked_patch(body)?;
    let article = state
        .store
        .update_kb_article_by(caller.org(), &id, patch, author(&caller))
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(JsonResponse(article))
}

async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = article_id(&id)?;
    if !state.store.delete_kb_article(caller.org(), &id).await? {
        return Err(not_found(&id));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn versions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<JsonResponse<KbVersionList>> {
    let id = article_id(&id)?;
    let page = params.page()?;
    find(&state, caller.org(), &id).await?;
    let listed = state
        .store
        .kb_article_versions(caller.org(), &id, page)
        .await?;
    Ok(JsonResponse(KbVersionList {
        versions: listed.items,
        total: listed.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn version(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, n)): Path<(String, String)>,
) -> ApiResult<JsonResponse<KbArticleVersion>> {
    let id = article_id(&id)?;
    let n = version_number(&n)?;
    find(&state, caller.org(), &id).await?;
    state
        .store
        .kb_article_version(caller.org(), &id, n)
        .await?
        .map(JsonResponse)
        .ok_or_else(|| {
            Failure(ApiError::not_found(
                "knowledge-base article version",
                &format!("{id}/versions/{n}"),
            ))
        })
}

async fn restore(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, n)): Path<(String, String)>,
) -> ApiResult<JsonResponse<KbArticle>> {
    let id = article_id(&id)?;
    let n = version_number(&n)?;
    find(&state, caller.org(), &id).await?;
    let article = state
        .store
        .restore_kb_article(caller.org(), &id, n, author(&caller))
        .await?
        .ok_or_else(|| {
            Failure(ApiError::not_found(
                "knowledge-base article version",
                &format!("{id}/versions/{n}"),
            ))
        })?;
    Ok(JsonResponse(article))
}

fn doc(operation_id: &'static str, summary: &'static str) -> RouteDoc {
    RouteDoc {
        operation_id,
        summary,
        tag: "kb",
        request: None,
        response: (200, Some("KbArticle")),
        paginated: false,
        camel_case: false,
        required: &[],
        query: None,
    }
}

pub fn routes() -> Vec<Route> {
    const ALL: &str = "/api/v1/kb";
    const ONE: &str = "/api/v1/kb/{id}";
    const VERSIONS: &str = "/api/v1/kb/{id}/versions";
    const VERSION: &str = "/api/v1/kb/{id}/versions/{version}";
    let mut routes: Vec<Route> = both_families(
        Method::GET,
        ALL,
        "/api/kb",
        Scope::Read,
        RouteDoc {
            response: (200, Some("KbArticleList")),
            paginated: true,
            ..doc(
                "listKbArticles",
                "List knowledge-base articles (filter: status)",
            )
        },
        || get(list),
    )
    .into();
    routes.extend([
        v1_route(
            Method::POST,
            ALL,
            Scope::Write,
            RouteDoc {
                request: Some("ArticleBody"),
                required: &["title", "content"],
                response: (201, Some("KbArticle")),
                ..doc(
                    "createKbArticle",
                    "Create a knowledge-base article (version 1; draft by default)",
                )
            },
            post(create),
        ),
        v1_route(
            Method::GET,
            ONE,
            Scope::Read,
            doc("getKbArticle", "Get a knowledge-base article"),
            get(get_one),
        ),
        v1_route(
            Method::PUT,
            ONE,
            Scope::Write,
            RouteDoc {
                request: Some("ArticleBody"),
                ..doc(
                    "updateKbArticle",
                    "Update an article: the given fields replace the stored ones; records a version",
                )
            },
            put(update),
        ),
        v1_route(
            Method::DELETE,
            ONE,
            Scope::Write,
            RouteDoc {
                response: (204, None),
                ..doc(
                    "deleteKbArticle",
                    "Delete an article and its versions; it leaves the index",
                )
            },
            delete(remove),
        ),
        v1_route(
            Method::GET,
            VERSIONS,
            Scope::Read,
            RouteDoc {
                response: (200, Some("KbVersionList")),
                paginated: true,
                ..doc("listKbArticleVersions", "An article's versions, newest first")
            },
            get(versions),
        ),
        v1_route(
            Method::GET,
            VERSION,
            Scope::Read,
            RouteDoc {
                response: (200, Some("KbArticleVersion")),
                ..doc("getKbArticleVersion", "One version of an article")
            },
            get(version),
        ),
        v1_route(
            Method::POST,
            "/api/v1/kb/{id}/versions/{version}/restore",
            Scope::Write,
            doc(
                "restoreKbArticleVersion",
                "Make the article equal to a version again, as a new version",
            ),
            post(restore),
        ),
    ]);
    routes
}
