//! Grove's web console: server-rendered pages (askama templates, a
//! vendored htmx) served by the same binary and port as the API, at `/`.
//! People sign in with email and password; a session cookie names a
//! server-side session, and every page checks the user's role with the
//! API's own table, so the console never does more than the API would let
//! that user do. The console never holds an API key.
//!
//! Built so far: sign-in, sign-out, first-run setup and one-time password
//! links ([`setup_link`], printed by `grove init`, `grove serve` on an
//! empty directory and `grove users passwd`); the home page; what each
//! data source indexed, with its live progress, and adding, changing and
//! deleting data sources and uploading files (`/sources`,
//! `/sources/{id}`, `/documents/{id}`);
//! the retrieval tester (`/search`); agents, their settings with a
//! preview, and a chat that streams and cites (`/agents`, `/agents/{id}`,
//! `/agents/{id}/chat`); jobs, created and changed there, with "run now"
//! and their runs' chats with
//! tables, charts and reports (`/jobs`, `/jobs/{id}`, `/chats/{id}`); the
//! answer log and the review inbox (`/interactions`, `/review`); the
//! knowledge base (`/kb`); analytics (`/analytics`); evals (`/evals`);
//! data connectors, tested and queried read-only (`/connectors`);
//! notification channels (`/channels`);
//! and for admins webhooks (`/webhooks`), the organisation's settings
//! (`/settings`), API keys (`/keys`) and users with invitations (`/users`).
//! Every response carries a strict Content-Security-Policy: no inline
//! script, no other origin.

mod assets;
mod pages;
pub mod session;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::middleware::map_response;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use grove_core::model::{LinkPurpose, User};
use grove_server::state::AppState;
use grove_store::{Store, StoreResult};

use crate::session::{random_token, token_hash, SignInLimiter, LINK_TTL};

/// The console's routes, to mount beside the API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home::home))
        .route(
            "/login",
            get(pages::auth::login_page).post(pages::auth::login),
        )
        .route("/logout", post(pages::auth::logout))
        .route(
            "/setup",
            get(pages::auth::setup_page).post(pages::auth::setup),
        )
        .route(
            "/sources",
            get(pages::sources::list).post(pages::source_settings::create),
        )
        .route("/sources/new", get(pages::source_settings::new_form))
        .route("/sources/{id}", get(pages::sources::show))
        .route(
            "/sources/{id}/settings",
            get(pages::source_settings::show).post(pages::source_settings::update),
        )
        .route("/sources/{id}/delete", post(pages::source_settings::delete))
        .route(
            "/sources/{id}/files",
            post(pages::source_settings::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/sources/{id}/progress", get(pages::sources::show_progress))
        .route(
            "/sources/{id}/progress/stream",
            get(pages::sources::stream_progress),
        )
        .route("/sources/{id}/sync", post(pages::sources::sync_now))
        .route("/documents/{id}", get(pages::sources::document))
        .route("/search", get(pages::search::search))
        .route(
            "/agents",
            get(pages::agents::list).post(pages::agent_settings::create),
        )
        .route("/agents/new", get(pages::agent_settings::new_form))
        .route("/agents/preview", post(pages::agent_settings::preview))
        .route(
            "/agents/{id}",
            get(pages::agent_settings::show).post(pages::agent_settings::update),
        )
        .route("/agents/{id}/preview", post(pages::agent_settings::preview))
        .route("/agents/{id}/delete", post(pages::agent_settings::delete))
        .route(
            "/agents/{id}/chat",
            get(pages::agents::chat).post(pages::agents::ask),
        )
        .route("/agents/{id}/chat/stream", post(pages::agents::ask_stream))
        .route(
            "/jobs",
            get(pages::jobs::list).post(pages::job_settings::create),
        )
        .route("/jobs/new", get(pages::job_settings::new_form))
        .route("/jobs/{id}", get(pages::jobs::show))
        .route(
            "/jobs/{id}/settings",
            get(pages::job_settings::show).post(pages::job_settings::update),
        )
        .route("/jobs/{id}/delete", post(pages::job_settings::delete))
        .route("/jobs/{id}/run", post(pages::jobs::run))
        .route("/chats/{id}", get(pages::jobs::chat))
        .route(
            "/chats/{id}/documents/{document_id}/pdf",
            get(pages::jobs::pdf),
        )
        .route("/interactions", get(pages::interactions::log))
        .route("/analytics", get(pages::analytics::analytics))
        .route(
            "/evals",
            get(pages::evals::list).post(pages::eval_sets::create),
        )
        .route("/evals/new", get(pages::eval_sets::new_form))
        .route("/evals/compare", get(pages::evals::compare))
        .route("/evals/{id}", get(pages::evals::show))
        .route(
            "/evals/{id}/edit",
            get(pages::eval_sets::edit_form).post(pages::eval_sets::update),
        )
        .route("/evals/{id}/delete", post(pages::eval_sets::delete))
        .route("/evals/{id}/runs", post(pages::evals::run))
        .route("/review", get(pages::review::inbox))
        .route("/interactions/{id}/article", post(pages::kb::from_review))
        .route("/kb", get(pages::kb::list).post(pages::kb::create))
        .route("/kb/new", get(pages::kb::new_form))
        .route("/kb/{id}", get(pages::kb::show).post(pages::kb::update))
        .route("/kb/{id}/delete", post(pages::kb::delete))
        .route("/kb/{id}/versions/{number}", get(pages::kb::version))
        .route(
            "/kb/{id}/versions/{number}/restore",
            post(pages::kb::restore),
        )
        .route("/interactions/{id}", get(pages::review::show))
        .route("/interactions/{id}/review", post(pages::review::review))
        .route("/interactions/{id}/feedback", post(pages::review::feedback))
        .route(
            "/webhooks",
            get(pages::webhooks::list).post(pages::webhooks::create),
        )
        .route("/webhooks/{id}", get(pages::webhooks::show))
        .route("/webhooks/{id}/test", post(pages::webhooks::test))
        .route("/webhooks/{id}/enabled", post(pages::webhooks::set_enabled))
        .route(
            "/webhooks/{id}/rotate",
            post(pages::webhooks::rotate_secret),
        )
        .route("/webhooks/{id}/delete", post(pages::webhooks::delete))
        .route(
            "/webhooks/{id}/deliveries/{delivery}/resend",
            post(pages::webhooks::resend),
        )
        .route(
            "/settings",
            get(pages::settings::show).post(pages::settings::save),
        )
        .route(
            "/connectors",
            get(pages::connectors::list_connectors).post(pages::connectors::create),
        )
        .route(
            "/connectors/{id}",
            get(pages::connectors::show).post(pages::connectors::update),
        )
        .route("/connectors/{id}/test", post(pages::connectors::test))
        .route("/connectors/{id}/query", post(pages::connectors::query))
        .route("/connectors/{id}/delete", post(pages::connectors::delete))
        .route(
            "/channels",
            get(pages::channels::list).post(pages::channels::create),
        )
        .route(
            "/channels/{id}",
            get(pages::channels::show).post(pages::channels::update),
        )
        .route("/channels/{id}/test", post(pages::channels::test))
        .route("/channels/{id}/delete", post(pages::channels::delete))
        .route("/keys", get(pages::keys::list).post(pages::keys::create))
        .route("/keys/{id}/revoke", post(pages::keys::revoke))
        .route("/users", get(pages::users::list).post(pages::users::invite))
        .route("/users/{id}/role", post(pages::users::change_role))
        .route("/users/{id}/link", post(pages::users::new_link))
        .route("/users/{id}/delete", post(pages::users::delete))
        .route("/assets/{hash}/{name}", get(assets::serve))
        .layer(Extension(Arc::new(SignInLimiter::default())))
        .layer(map_response(security_headers))
}

/// What every console response carries: no script or style from anywhere
/// but this origin and none inline, no framing, no sniffing, and pages
/// (not assets) never cached.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A one-time link at `base` (`http://host:port`) where `user` sets a
/// password; valid for 24 hours.
pub async fn setup_link(
    store: &dyn Store,
    user: &User,
    purpose: LinkPurpose,
    base: &str,
) -> StoreResult<String> {
    let token = random_token();
    store
        .create_link(user, purpose, &token_hash(&token), LINK_TTL)
        .await?;
    Ok(format!(
        "{}/setup?token={token}",
        base.trim_end_matches('/')
    ))
}
