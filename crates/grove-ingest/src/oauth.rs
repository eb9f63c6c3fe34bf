//! OAuth 2.0 refresh for the Google Drive and SharePoint connectors: an
//! access token is obtained from the provider's token endpoint with the
//! `refresh_token` grant (RFC 6749 §6), cached until shortly before it
//! expires, dropped after a 401 so the next request refreshes, and a
//! refresh token the provider rotates is handed to a [`RefreshTokenSink`]
//! (the store, which seals it). A refused grant (`invalid_grant`, revoked
//! consent) fails the sync with the provider's own words.
//!
//! Written here rather than with the `oauth2` crate: only this one grant
//! is needed, over the guarded HTTP client every connector uses (the SSRF
//! rules apply to token endpoints too), which that crate cannot take.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::net::HttpClient;
use crate::service::ServiceError;

/// A token is refreshed this long before its stated expiry.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);
/// Assumed lifetime when the provider states none.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// Where a rotated refresh token goes (the data source's sealed config).
#[async_trait]
pub trait RefreshTokenSink: Send + Sync {
    async fn store_refresh_token(&self, token: &str) -> Result<(), String>;
}

/// What the client needs to refresh.
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    pub token_url: Url,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    /// Sent as `scope` when set (Microsoft's v2 endpoint wants one).
    pub scope: Option<String>,
}

struct Cached {
    access_token: String,
    refresh_at: Instant,
}

struct State {
    refresh_token: String,
    cached: Option<Cached>,
}

/// An access-token source for one sync.
pub struct OAuthClient {
    http: HttpClient,
    settings: OAuthSettings,
    state: Mutex<State>,
    sink: Option<Arc<dyn RefreshTokenSink>>,
    /// The provider's name, for error messages.
    service: &'static str,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct TokenError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl OAuthClient {
    pub fn new(
        http: HttpClient,
        settings: OAuthSettings,
        sink: Option<Arc<dyn RefreshTokenSink>>,
        service: &'static str,
    ) -> Self {
        let state = State {
            refresh_token: settings.refresh_token.clone(),
            cached: None,
        };
        Self {
            http,
            settings,
            state: Mutex::new(state),
            sink,
            service,
        }
    }

    /// A current access token, refreshed when none is cached or it is about
    /// to expire.
    pub async fn access_token(&self) -> Result<String, ServiceError> {
        let mut state = self.state.lock().await;
        if let Some(cached) = &state.cached {
            if Instant::now() < cached.refresh_at {
                return Ok(cached.access_token.clone());
            }
        }
        let answer = self.refresh(&state.refresh_token).await?;
        let lifetime = answer
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_LIFETIME);
        state.cached = Some(Cached {
            access_token: answer.access_token.clone(),
            refresh_at: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN),
        });
        if let Some(rotated) = answer.refresh_token.filter(|t| *t != state.refresh_token) {
            if let Some(sink) = &self.sink {
                sink.store_refresh_token(&rotated).await.map_err(|e| {
                    ServiceError::Other(format!(
                        "{}: the rotated refresh token could not be stored: {e}",
                        self.service
                    ))
                })?;
            }
            state.refresh_token = rotated;
        }
        Ok(answer.access_token)
    }

    /// Forgets the cached access token (the service answered 401 with it).
    pub async fn invalidate(&self) {
        self.state.lock().await.cached = None;
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenAnswer, ServiceError> {
        let s = &self.settings;
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", s.client_id.as_str()),
            ("client_secret", s.client_secret.as_str()),
        ];
        if let Some(scope) = &s.scope {
            form.push(("scope", scope));
        }
        let req = self
            .http
            .request(reqwest::Method::POST, s.token_url.clone())
            .form(&form);
        let answer =
            self.http.send_any(req).await.map_err(|e| {
                ServiceError::Other(format!("{}: token endpoint: {e}", self.service))
            })?;
        if answer.status < 300 {
            return serde_json::from_slice(&answer.body).map_err(|e| {
                ServiceError::Other(format!(
                    "{}: the token endpoint's answer has no access_token: {e}",
                    self.service
                ))
            });
        }
        let why = match serde_json::from_slice::<TokenError>(&answer.body) {
            Ok(TokenError {
                error,
                error_description: Some(description),
            }) => format!("{error}: {description}"),
            Ok(TokenError { error, .. }) => error,
            Err(_) => format!("HTTP {}", answer.status),
        };
        let message = format!(
            "{} refused the OAuth refresh ({why}); reconnect the account and update the data \
             source's refresh_token",
            self.service
        );
        Err(if (400..500).contains(&answer.status) {
            ServiceError::Credentials(message)
        } else {
            ServiceError::Other(message)
        })
    }
}

/// The config keys of OAuth refresh, taken by the connectors that use it.
pub const OAUTH_KEYS: &[&str] = &["client_id", "client_secret", "refresh_token", "token_url"];

/// A connector's credentials: a bare access token (fine for a one-off sync;
/// it expires in about an hour) or what refreshes one.
#[derive(Debug, Clone)]
pub enum Credentials {
    AccessToken(String),
    Refresh(OAuthSettings),
}

impl Credentials {
    /// Reads `access_token`, or `client_id`, `client_secret` and
    /// `refresh_token` with `token_url` (default `default_token_url`; when
    /// there is none, `missing_token_url` says which field would give one).
    pub fn from_config(
        reader: &crate::service::ConfigReader<'_>,
        default_token_url: Option<String>,
        missing_token_url: (&str, &str),
        scope: Option<&str>,
    ) -> Result<Self, crate::source::FieldError> {
        use crate::source::FieldError;
        let Some(refresh_token) = reader.optional("refresh_token")? else {
            return match reader.optional("access_token")? {
                Some(token) => Ok(Self::AccessToken(token)),
                None => Err(FieldError::new(
                    "config.access_token",
                    "is required, or client_id, client_secret and refresh_token to refresh one",
                )),
            };
        };
        let token_url = match reader.optional("token_url")?.or(default_token_url) {
            Some(raw) => Url::parse(&raw)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    FieldError::new("config.token_url", "must be an http or https URL")
                })?,
            None => return Err(FieldError::new(missing_token_url.0, missing_token_url.1)),
        };
        let needed = |field: &str| {
            reader.optional(field)?.ok_or_else(|| {
                FieldError::new(&format!("config.{field}"), "is required with refresh_token")
            })
        };
        Ok(Self::Refresh(OAuthSettings {
            token_url,
            client_id: needed("client_id")?,
            client_secret: needed("client_secret")?,
            refresh_token,
            scope: scope.map(str::to_owned),
        }))
    }

    /// How the connector's requests authenticate.
    pub fn auth(
        self,
        http: &HttpClient,
        sink: Option<Arc<dyn RefreshTokenSink>>,
        service: &'static str,
    ) -> crate::service::Auth {
        match self {
            Self::AccessToken(token) => crate::service::Auth::Bearer(token),
            Self::Refresh(settings) => crate::service::Auth::OAuth(Arc::new(OAuthClient::new(
                http.clone(),
                settings,
                sink,
                service,
            ))),
        }
    }
}
