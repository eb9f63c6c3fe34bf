//! What every page shares: the layout (title, assets, navigation, the
//! signed-in user and their CSRF token), pagination links, rendering, and
//! [`PageError`], which turns a failure into a page (or a redirect to
//! sign in) rather than the API's JSON envelope.

pub mod agent_settings;
pub mod agents;
pub mod analytics;
pub mod auth;
pub mod channels;
pub mod connectors;
pub mod eval_sets;
pub mod evals;
pub mod home;
pub mod interactions;
pub mod job_settings;
pub mod jobs;
pub mod kb;
pub mod keys;
pub mod review;
pub mod search;
pub mod settings;
pub mod source_settings;
pub mod sources;
pub mod users;
pub mod webhooks;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use grove_core::scope::{Requirement, Scope};
use grove_store::StoreError;

use crate::assets;
use crate::session::Viewer;

/// The pages in the navigation, in order: (address, label, what the
/// page needs); a user sees only the pages their role opens.
const NAV: &[(&str, &str, Requirement)] = &[
    ("/", "Home", Requirement::scope(Scope::Read)),
    ("/sources", "Data sources", Requirement::scope(Scope::Read)),
    ("/search", "Search", Requirement::scope(Scope::Execute)),
    ("/connectors", "Connectors", Requirement::scope(Scope::Read)),
    ("/agents", "Agents", Requirement::scope(Scope::Read)),
    ("/jobs", "Jobs", Requirement::scope(Scope::Read)),
    ("/interactions", "Answers", Requirement::scope(Scope::Read)),
    ("/review", "Review", Requirement::scope(Scope::Read)),
    ("/kb", "Knowledge base", Requirement::scope(Scope::Read)),
    ("/analytics", "Analytics", Requirement::scope(Scope::Admin)),
    ("/evals", "Evals", Requirement::scope(Scope::Read)),
    ("/channels", "Channels", Requirement::scope(Scope::Read)),
    ("/webhooks", "Webhooks", Requirement::scope(Scope::Admin)),
    ("/keys", "API keys", Requirement::scope(Scope::Admin)),
    ("/users", "Users", Requirement::scope(Scope::Admin)),
    ("/settings", "Settings", Requirement::scope(Scope::Admin)),
];

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The signed-in user as the header shows them.
pub struct ShownUser {
    pub email: String,
    pub role: &'static str,
}

pub struct Layout {
    pub title: String,
    pub css: String,
    pub js: String,
    /// Shows times in the browser's zone.
    pub time_js: String,
    pub user: Option<ShownUser>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

impl Layout {
    /// A page of the signed-in `viewer` in navigation section `section`.
    pub fn signed_in(title: impl Into<String>, viewer: &Viewer, section: &str) -> Self {
        Layout {
            user: Some(ShownUser {
                email: viewer.user.email.clone(),
                role: viewer.user.role.as_str(),
            }),
            csrf: viewer.csrf_token.clone(),
            nav: NAV
                .iter()
                .filter(|(_, _, needs)| viewer.can(*needs))
                .map(|(href, label, _)| NavItem {
                    href,
                    label,
                    current: *href == section,
                })
                .collect(),
            ..Layout::public(title)
        }
    }

    /// A page for someone not signed in (sign-in, setup, errors).
    pub fn public(title: impl Into<String>) -> Self {
        Layout {
            title: title.into(),
            css: assets::url("console.css"),
            js: assets::url("htmx.min.js"),
            time_js: assets::url("time.js"),
            user: None,
            csrf: String::new(),
            nav: Vec::new(),
        }
    }
}

/// Links to the neighbouring pages of a list.
pub struct Pager {
    pub first: u64,
    pub last: u64,
    pub total: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// Rows per page of every list.
pub const PAGE_SIZE: u32 = 50;
/// The furthest offset a list is read from (larger ones read as this).
const MAX_OFFSET: u64 = 1 << 40;

/// The page of a list at `offset`, clamped so it stays a valid SQL offset.
pub fn page_at(offset: u64) -> grove_core::page::Page {
    grove_core::page::Page {
        limit: PAGE_SIZE,
        offset: offset.min(MAX_OFFSET),
    }
}

impl Pager {
    /// The pager of a list at `offset` showing `shown` of `total` rows;
    /// `href(offset)` is the address of another page.
    pub fn new(offset: u64, shown: usize, total: u64, href: impl Fn(u64) -> String) -> Self {
        let size = u64::from(PAGE_SIZE);
        let offset = offset.min(MAX_OFFSET);
        Pager {
            first: if shown == 0 { 0 } else { offset + 1 },
            last: offset + shown as u64,
            total,
            previous: (offset > 0).then(|| href(offset.saturating_sub(size))),
            next: (offset + (shown as u64) < total).then(|| href(offset + size)),
        }
    }
}

/// `?offset=` of a paginated list page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct OffsetParam {
    #[serde(default)]
    pub offset: u64,
}

/// One option of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of a `<select>` as (value, label), `current` selected.
pub fn choices<'a>(
    current: &str,
    options: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            selected: value == current,
        })
        .collect()
}

/// Agents offered in a page's list of agents (filters, "run with").
const AGENTS_LISTED: u32 = 200;

/// The organisation's agents as (id, name), the first
/// [`AGENTS_LISTED`], for the lists that choose one.
pub async fn agent_names(
    state: &grove_server::state::AppState,
    viewer: &Viewer,
) -> Result<Vec<(String, String)>, PageError> {
    let page = grove_core::page::Page {
        limit: AGENTS_LISTED,
        offset: 0,
    };
    let agents = state.store.list_agents(&viewer.user.org_id, page).await?;
    Ok(agents
        .items
        .into_iter()
        .map(|a| (a.id.to_string(), a.name))
        .collect())
}

/// A form or query string as its fields in order, for forms that repeat a
/// name (checkboxes): `one` is the first value of a name (trimmed, empty
/// when absent) and `all` every value.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A form whose only field is the session's CSRF token (sign-out,
/// revoke, delete, sync now, …).
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// A page that could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session ended): go to the sign-in page and
    /// come back to `next`.
    SignIn {
        next: String,
    },
    Forbidden(String),
    NotFound(String),
    /// The work cannot be done in the state things are in (the API's 409).
    Conflict(String),
    /// The address asks for something that cannot be (the API's 400).
    BadRequest(String),
    /// The user's quota for the work's scope is spent: seconds to wait.
    RateLimited(u64),
    Internal(String),
}

/// An API function's refusal as a page: the API's status and message.
impl From<grove_server::error::Failure> for PageError {
    fn from(failure: grove_server::error::Failure) -> Self {
        let e = failure.0;
        match e.code.status() {
            403 => PageError::Forbidden(e.message),
            404 => PageError::NotFound(e.message),
            409 => PageError::Conflict(e.message),
            429 => PageError::RateLimited(e.retry_after_secs.unwrap_or(1)),
            // 400, 413, 422 and the rest: the caller's to fix, with the
            // API's reason.
            400..=499 => PageError::BadRequest(e.message),
            _ => PageError::Internal(e.message),
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError::Internal(e.to_string())
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    heading: String,
    text: String,
    link_href: &'static str,
    link_label: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, text) = match self {
            PageError::SignIn { next } => {
                let target = format!("/login?next={}", encode_query(&next));
                return Redirect::to(&target).into_response();
            }
            PageError::Forbidden(text) => (StatusCode::FORBIDDEN, "Not allowed", text),
            PageError::NotFound(text) => (StatusCode::NOT_FOUND, "Not found", text),
            PageError::Conflict(text) => (StatusCode::CONFLICT, "Not done", text),
            PageError::BadRequest(text) => (StatusCode::BAD_REQUEST, "Not possible", text),
            PageError::RateLimited(seconds) => {
                let page = MessagePage {
                    layout: Layout::public("Too many requests"),
                    heading: "Too many requests".into(),
                    text: format!("You have reached your limit for now; try again in {seconds} s."),
                    link_href: "/",
                    link_label: "Back to the console",
                };
                let mut response = (StatusCode::TOO_MANY_REQUESTS, render(&page)).into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, seconds.into());
                return response;
            }
            PageError::Internal(text) => {
                tracing::error!(error = %text, "console page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The server could not show this page; the error is in its log.".into(),
                )
            }
        };
        let page = MessagePage {
            layout: Layout::public(heading),
            heading: heading.into(),
            text,
            link_href: "/",
            link_label: "Back to the console",
        };
        (status, render(&page)).into_response()
    }
}

/// A template as an HTML response.
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a console template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

/// A form's API body (or why the form could not make one: a field that
/// is not a number, …) sent to an API function; either refusal comes back
/// as the text the page shows above the form.
pub async fn submit<B, T, F>(
    body: Result<B, String>,
    call: impl FnOnce(B) -> F,
) -> Result<T, String>
where
    F: std::future::Future<Output = Result<T, grove_server::error::Failure>>,
{
    call(body?).await.map_err(|failure| failure.0.message)
}

/// A form's page: 400 when it shows why the form was refused, else 200.
pub fn render_form(page: &impl Template, refused: bool) -> Response {
    let status = if refused {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, render(page)).into_response()
}

/// Where to send the browser back to (after signing in, after feedback):
/// a path of this site, never another site
/// (no `//` or `\\` that a browser reads as another host, no control
/// characters or spaces, which browsers strip before reading it).
pub fn local_path(next: &str) -> &str {
    let plain = next.bytes().all(|b| b > 0x20 && b != 0x7f);
    if plain && next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

/// A 303 to `to` (after a form).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// `value` percent-encoded for a query string.
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A timestamp as the pages show it: UTC to the second, and RFC 3339 for
/// the `<time>` element and its hover text.
pub struct Time {
    pub iso: String,
    pub shown: String,
}

impl From<jiff::Timestamp> for Time {
    fn from(at: jiff::Timestamp) -> Self {
        Time {
            iso: at.to_string(),
            shown: at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        }
    }
}
