//! Signing in and out, and setting a password from a one-time link
//! (first-run setup, an invitation, a reset). The sign-in form carries a
//! token that must match a cookie set with it, so another site cannot sign
//! a browser in to an account of its choosing; every form also passes the
//! same-origin check.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;
use axum::{Extension, Form};
use grove_server::state::AppState;
use serde::Deserialize;
use std::sync::Arc;

use super::{local_path, render, see_other, CsrfForm, Layout, PageError};
use crate::session::{
    check_new_password, check_same_origin, client_address, cookie, hash_password, random_token,
    set_cookie, token_hash, verify_password, SignInLimiter, Viewer, LIFETIME, LOGIN_COOKIE,
    MIN_PASSWORD, SESSION_COOKIE,
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    form_token: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextParam {
    #[serde(default)]
    next: String,
}

/// The sign-in form, with a fresh form token in a cookie beside it.
fn login_form(
    headers: &HeaderMap,
    next: &str,
    email: &str,
    error: Option<String>,
    status: u16,
) -> Response {
    let token = random_token();
    let page = LoginPage {
        layout: Layout::public("Sign in"),
        form_token: token.clone(),
        next: local_path(next).to_owned(),
        email: email.to_owned(),
        error,
    };
    let mut response = render(&page);
    *response.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    if let Ok(value) = set_cookie(
        headers,
        LOGIN_COOKIE,
        &token,
        std::time::Duration::from_secs(3600),
    )
    .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn login_page(headers: HeaderMap, Query(params): Query<NextParam>) -> Response {
    login_form(&headers, &params.next, "", None, 200)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<SignInLimiter>>,
    parts: Parts,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    check_same_origin(&Method::POST, &parts.headers)?;
    let expected = cookie(&parts.headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != form.csrf {
        return Ok(login_form(
            &parts.headers,
            &form.next,
            &form.email,
            Some("The sign-in form expired; please try again.".into()),
            403,
        ));
    }
    let email = form.email.trim();
    let address = client_address(&parts);
    if let Some(seconds) = limiter.blocked(email, address) {
        let minutes = seconds.div_ceil(60);
        return Ok(login_form(
            &parts.headers,
            &form.next,
            email,
            Some(format!(
                "Too many failed sign-ins; try again in {minutes} minute(s)."
            )),
            429,
        ));
    }
    // Counted before checking, so parallel guesses cannot pass the limit
    // together; a correct password takes the count back.
    limiter.failed(email, address);
    let logins = state.store.password_logins(email).await?;
    let password = form.password.clone();
    // Hashing is slow on purpose; keep it off the async workers. An email
    // without a password is checked against a dummy hash, so the time
    // taken does not say which emails have one.
    let matched = tokio::task::spawn_blocking(move || {
        if logins.is_empty() {
            verify_password(&password, dummy_hash());
            return None;
        }
        logins
            .into_iter()
            .find(|(_, hash)| verify_password(&password, hash))
            .map(|(user, _)| user)
    })
    .await
    .map_err(|e| PageError::Internal(e.to_string()))?;
    let Some(user) = matched else {
        return Ok(login_form(
            &parts.headers,
            &form.next,
            email,
            Some("The email or the password is wrong.".into()),
            401,
        ));
    };
    limiter.succeeded(email, address);
    start_session(&state, &parts.headers, &user, local_path(&form.next)).await
}

/// A hash no password matches, made once, for emails without a password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// Signs `user` in: a new session, its cookie, and a 303 to `next`.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user: &grove_core::model::User,
    next: &str,
) -> Result<Response, PageError> {
    let id = random_token();
    state
        .store
        .create_console_session(user, &token_hash(&id), &random_token())
        .await?;
    let mut response = see_other(next);
    let cookies = [
        set_cookie(headers, SESSION_COOKIE, &id, LIFETIME),
        set_cookie(headers, LOGIN_COOKIE, "", std::time::Duration::ZERO),
    ];
    for value in cookies {
        if let Ok(value) = value.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    state
        .store
        .end_console_session(viewer.session_hash())
        .await?;
    let mut response = see_other("/login");
    if let Ok(value) = set_cookie(&headers, SESSION_COOKIE, "", std::time::Duration::ZERO).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    heading: &'static str,
    purpose: &'static str,
    email: String,
    token: String,
    error: Option<String>,
    min_password: usize,
}

#[derive(Debug, Deserialize)]
pub struct TokenParam {
    #[serde(default)]
    token: String,
}

fn used_link() -> PageError {
    PageError::NotFound(
        "This link was used already, has expired or never existed. Ask an administrator for a new one, or run `grove users passwd EMAIL` on the server."
            .into(),
    )
}

async fn setup_form(
    state: &AppState,
    token: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (user, purpose) = state
        .store
        .peek_link(&token_hash(token))
        .await?
        .ok_or_else(used_link)?;
    let heading = match purpose {
        grove_core::model::LinkPurpose::Setup => "Set up Grove",
        grove_core::model::LinkPurpose::Invite => "Welcome to Grove",
        grove_core::model::LinkPurpose::Reset => "Choose a new password",
    };
    let page = SetupPage {
        layout: Layout::public(heading),
        heading,
        purpose: purpose.as_str(),
        email: user.email,
        token: token.to_owned(),
        error: error.clone(),
        min_password: MIN_PASSWORD,
    };
    let mut response = render(&page);
    if error.is_some() {
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

pub async fn setup_page(
    State(state): State<AppState>,
    Query(params): Query<TokenParam>,
) -> Result<Response, PageError> {
    setup_form(&state, &params.token, None).await
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

pub async fn setup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Result<Response, PageError> {
    check_same_origin(&Method::POST, &headers)?;
    // An unknown or used link costs no hashing.
    state
        .store
        .peek_link(&token_hash(&form.token))
        .await?
        .ok_or_else(used_link)?;
    if let Some(problem) = check_new_password(&form.password, &form.again) {
        return setup_form(&state, &form.token, Some(problem)).await;
    }
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
        .map_err(PageError::Internal)?;
    let user = state
        .store
        .use_link(&token_hash(&form.token), &hash)
        .await?
        .ok_or_else(used_link)?;
    start_session(&state, &headers, &user, "/").await
}

#[cfg(test)]
mod tests {
    use super::super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        for good in ["/", "/sources?status=failed", "/agents/agent_1/chat"] {
            assert_eq!(local_path(good), good);
        }
        for bad in [
            "//evil.com",
            "/\\evil.com",
            "/\t/evil.com",
            "https://evil.com",
            "/ /x",
            "",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }
}
