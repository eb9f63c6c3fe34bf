//! Who is signed in: passwords (argon2id), the session cookie and its
//! server-side record, the checks every unsafe request passes (same
//! origin, and the session's CSRF token), and the limit on failed
//! sign-ins per account and per address.
//!
//! The cookie carries a random 256-bit id; the store keeps only its
//! SHA-256, so a copy of the database signs nobody in. Sessions end after
//! [`IDLE`] without a request, after [`LIFETIME`] in any case, on sign-out,
//! when the user's password changes and when the user is deleted. A page
//! asks for a [`Viewer`] and checks the role its work needs with the API's
//! own table ([`Requirement::least_role`]).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use base64::Engine;
use grove_core::model::User;
use grove_core::scope::Requirement;
use grove_server::ratelimit::{Limiters, RateKey};
use grove_server::state::AppState;
use grove_store::console::{ConsoleSession, SessionLimits};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::pages::PageError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "grove_session";
/// The cookie that ties the sign-in form to the browser that loaded it.
pub const LOGIN_COOKIE: &str = "grove_login";
/// A session unused this long ends.
pub const IDLE: Duration = SessionLimits::CONSOLE.idle;
/// A session ends this long after sign-in whatever happens.
pub const LIFETIME: Duration = SessionLimits::CONSOLE.lifetime;
/// How long a setup, invitation or reset link stays valid.
pub const LINK_TTL: Duration = Duration::from_secs(24 * 3600);
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// The limits the store applies (also swept hourly by the server).
pub const LIMITS: SessionLimits = SessionLimits::CONSOLE;

/// A random 256-bit token, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An argon2id PHC string of `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the stored PHC string.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Why a new password is refused, if it is.
pub fn check_new_password(password: &str, again: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Some(format!(
            "The password needs at least {MIN_PASSWORD} characters."
        ));
    }
    if password != again {
        return Some("The two passwords differ.".into());
    }
    None
}

/// Whether the browser reached Grove over HTTPS, as a TLS proxy in front
/// says (`X-Forwarded-Proto: https`). A client that claims it over plain
/// HTTP only gets cookies its browser will not send back.
pub fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// A cookie's value from the request: the `__Host-` one when present.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let pairs = || {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
    };
    let host_only = format!("__Host-{name}");
    pairs()
        .find(|(key, _)| *key == host_only)
        .or_else(|| pairs().find(|(key, _)| *key == name))
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, whole site; over HTTPS
/// also Secure and `__Host-`-prefixed (bound to this host). `max_age`
/// zero deletes it.
pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: Duration) -> String {
    let (prefix, secure) = if over_https(headers) {
        ("__Host-", "; Secure")
    } else {
        ("", "")
    };
    format!(
        "{prefix}{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}; Max-Age={}",
        max_age.as_secs()
    )
}

/// Refuses an unsafe request that another site made: the browser's
/// `Sec-Fetch-Site` must say `same-origin` (or `none`, typed by the
/// user); without it, `Origin` must name this host.
pub fn check_same_origin(method: &Method, headers: &HeaderMap) -> Result<(), PageError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(PageError::Forbidden(
                "This form was sent from another site.".into(),
            )),
        };
    }
    let host = text("host").unwrap_or_default();
    match text("origin") {
        Some(origin) if origin_host(origin) == Some(host) => Ok(()),
        Some(_) => Err(PageError::Forbidden(
            "This form was sent from another site.".into(),
        )),
        None => Err(PageError::Forbidden(
            "The browser did not say where this form came from (no Origin header).".into(),
        )),
    }
}

fn origin_host(origin: &str) -> Option<&str> {
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
}

/// The signed-in user of a page, with their session's CSRF token.
#[derive(Clone)]
pub struct Viewer {
    pub user: User,
    pub csrf_token: String,
    id_hash: String,
    limiters: Arc<Limiters>,
}

impl Viewer {
    /// Refuses a user whose role is below what `requirement` needs in the
    /// API, and spends from the user's quota for its scope, as the API
    /// route doing the same work would: the console never does more than
    /// the API would let them.
    pub fn require(&self, requirement: Requirement) -> Result<(), PageError> {
        let needed = requirement.least_role();
        if !self.can(requirement) {
            return Err(PageError::Forbidden(format!(
                "Your role, {}, does not allow this; it needs {} or above.",
                self.user.role.as_str(),
                needed.as_str()
            )));
        }
        let status = self
            .limiters
            .check(requirement.scope, &RateKey::User(self.user.id.clone()));
        match status.retry_after {
            Some(seconds) => Err(PageError::RateLimited(seconds)),
            None => Ok(()),
        }
    }

    /// Whether the user's role allows `requirement` (spends nothing).
    pub fn can(&self, requirement: Requirement) -> bool {
        self.user.role.includes(requirement.least_role())
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if !sent.is_empty() && constant_time_eq(sent.as_bytes(), self.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::Forbidden(
                "This form has expired; reload the page and try again.".into(),
            ))
        }
    }

    pub fn session_hash(&self) -> &str {
        &self.id_hash
    }
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        check_same_origin(&parts.method, &parts.headers)?;
        let sign_in = || PageError::SignIn {
            next: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
        };
        let Some(id) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(sign_in());
        };
        let id_hash = token_hash(id);
        let session: Option<ConsoleSession> = state
            .store
            .console_session(&id_hash, LIMITS)
            .await
            .map_err(|e| PageError::Internal(e.to_string()))?;
        match session {
            Some(session) => Ok(Viewer {
                user: session.user,
                csrf_token: session.csrf_token,
                id_hash,
                limiters: state.limiters.clone(),
            }),
            None => Err(sign_in()),
        }
    }
}

/// The caller's address, for the per-address sign-in limit.
pub fn client_address(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// Counts sign-in attempts per account and per address in fixed windows;
/// a correct password takes its attempt back, so only failures remain.
/// Written by hand: a token bucket (governor) cannot give a cell back.
/// Someone guessing an account's password can hold that account's sign-in
/// for the window (15 minutes); that is the price of stopping the guesses.
/// Without a known address (no connection info) only the account counts.
pub struct SignInLimiter {
    window: Duration,
    per_account: u32,
    per_address: u32,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Default for SignInLimiter {
    fn default() -> Self {
        SignInLimiter {
            window: Duration::from_secs(15 * 60),
            per_account: 5,
            per_address: 20,
            failures: Mutex::new(HashMap::new()),
        }
    }
}

impl SignInLimiter {
    fn keys(email: &str, address: Option<IpAddr>) -> Vec<(String, bool)> {
        let mut keys = vec![(format!("account:{}", email.to_ascii_lowercase()), true)];
        if let Some(address) = address {
            keys.push((format!("address:{address}"), false));
        }
        keys
    }

    /// Seconds until another attempt is allowed, when the account or the
    /// address has failed too often.
    pub fn blocked(&self, email: &str, address: Option<IpAddr>) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(email, address)
            .iter()
            .filter_map(|(key, account)| {
                let (start, count) = failures.get(key)?;
                let limit = if *account {
                    self.per_account
                } else {
                    self.per_address
                };
                let left = self.window.checked_sub(start.elapsed())?;
                (*count >= limit).then(|| left.as_secs().max(1))
            })
            .max()
    }

    pub fn failed(&self, email: &str, address: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let window = self.window;
        failures.retain(|_, (start, _)| start.elapsed() < window);
        for (key, _) in Self::keys(email, address) {
            let entry = failures.entry(key).or_insert((Instant::now(), 0));
            entry.1 += 1;
        }
    }

    /// A correct sign-in clears the account's count and takes its attempt
    /// back from the address's.
    pub fn succeeded(&self, email: &str, address: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("account:{}", email.to_ascii_lowercase()));
        if let Some(address) = address {
            if let Some((_, count)) = failures.get_mut(&format!("address:{address}")) {
                *count = count.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn failures_block_the_account_then_the_address() {
        let limiter = SignInLimiter::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..4 {
            limiter.failed("ann@example.com", Some(ip));
        }
        assert_eq!(limiter.blocked("ann@example.com", Some(ip)), None);
        limiter.failed("ANN@example.com", Some(ip));
        assert!(limiter.blocked("ann@example.com", None).is_some());
        // Another account from the same address is not blocked yet...
        assert_eq!(limiter.blocked("bob@example.com", Some(ip)), None);
        for n in 0..15 {
            limiter.failed(&format!("user{n}@example.com"), Some(ip));
        }
        // ...until the address has failed 20 times.
        assert!(limiter.blocked("bob@example.com", Some(ip)).is_some());
        limiter.succeeded("ann@example.com", Some(ip));
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(limiter.blocked("ann@example.com", Some(other)), None);
        // Without an address, only the account counts.
        let fresh = SignInLimiter::default();
        for n in 0..30 {
            fresh.failed(&format!("u{n}@example.com"), None);
        }
        assert_eq!(fresh.blocked("someone@example.com", None), None);
    }

    #[test]
    fn over_https_cookies_are_secure_and_host_only() {
        let mut headers = HeaderMap::new();
        let plain = set_cookie(&headers, SESSION_COOKIE, "abc", LIFETIME);
        assert!(plain.starts_with("grove_session=abc;") && !plain.contains("Secure"));
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        let secure = set_cookie(&headers, SESSION_COOKIE, "abc", LIFETIME);
        assert!(secure.starts_with("__Host-grove_session=abc;") && secure.contains("; Secure"));
        headers.insert(
            header::COOKIE,
            "grove_session=old; __Host-grove_session=new"
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("new"));
    }

    #[test]
    fn cross_site_forms_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "grove.local:8080".parse().unwrap());
        assert!(check_same_origin(&Method::GET, &headers).is_ok());
        assert!(
            check_same_origin(&Method::POST, &headers).is_err(),
            "no origin"
        );
        headers.insert("origin", "http://evil.example".parse().unwrap());
        assert!(check_same_origin(&Method::POST, &headers).is_err());
        headers.insert("origin", "http://grove.local:8080".parse().unwrap());
        assert!(check_same_origin(&Method::POST, &headers).is_ok());
        headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(check_same_origin(&Method::POST, &headers).is_err());
        headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(check_same_origin(&Method::POST, &headers).is_ok());
    }
}
