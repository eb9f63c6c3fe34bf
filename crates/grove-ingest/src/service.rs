//! What the SaaS connectors (Confluence, Slack, Google Drive, SharePoint)
//! share: their config fields (a base URL that can point at a self-hosted or
//! test server, credentials), and an API client over the guarded HTTP client
//! that sends the credentials, waits out 429s for the time `Retry-After`
//! asks (bounded), retries 5xx with backoff, and names refused credentials.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::net::{FetchError, Fetched, HttpClient};
use crate::oauth::OAuthClient;
use crate::source::{FieldError, SourceDocument, SourceItem};

/// Attempts per request (the first included) on 429 and 5xx answers.
const ATTEMPTS: u32 = 5;
/// The longest `Retry-After` waited for; longer asks fail the request.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// Why a service request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// The service refused the credentials: the whole sync fails.
    #[error("{0}")]
    Credentials(String),
    /// Anything else: the document at hand fails, the sync goes on.
    #[error("{0}")]
    Other(String),
}

impl From<ServiceError> for String {
    fn from(e: ServiceError) -> Self {
        e.to_string()
    }
}

/// One document's outcome as a sync item: refused credentials end the
/// sync (`Err`); any other failure is that document's, and the sync goes on.
pub fn sync_item(
    key: String,
    fetched: Result<SourceDocument, ServiceError>,
) -> Result<SourceItem, String> {
    match fetched {
        Ok(doc) => Ok(SourceItem::Document(doc)),
        Err(ServiceError::Credentials(e)) => Err(e),
        Err(ServiceError::Other(message)) => Ok(SourceItem::Failed { key, message }),
    }
}

/// How requests authenticate.
#[derive(Clone)]
pub enum Auth {
    Bearer(String),
    Basic {
        user: String,
        password: String,
    },
    /// A Bearer token from OAuth refresh, renewed once after a 401.
    OAuth(Arc<OAuthClient>),
}

/// A service's HTTP API.
#[derive(Clone)]
pub struct ServiceApi {
    http: HttpClient,
    base: Url,
    auth: Auth,
    /// The service's name, for error messages.
    service: &'static str,
}

impl ServiceApi {
    pub fn new(http: HttpClient, base: Url, auth: Auth, service: &'static str) -> Self {
        Self {
            http,
            base,
            auth,
            service,
        }
    }

    /// `path` joined to the base URL (an absolute URL is taken as is, for
    /// services whose next-page links are absolute).
    pub fn url(&self, path: &str) -> Result<Url, ServiceError> {
        let joined = if path.starts_with("http://") || path.starts_with("https://") {
            Url::parse(path)
        } else {
            let base = self.base.as_str().trim_end_matches('/');
            Url::parse(&format!("{base}/{}", path.trim_start_matches('/')))
        };
        joined.map_err(|e| ServiceError::Other(format!("{}: bad URL {path}: {e}", self.service)))
    }

    /// GETs JSON.
    pub async fn get_json(&self, url: Url) -> Result<Value, ServiceError> {
        let fetched = self.get(url).await?;
        serde_json::from_slice(&fetched.body).map_err(|e| {
            ServiceError::Other(format!(
                "{} answered something that is not JSON: {e}",
                self.service
            ))
        })
    }

    /// GETs a body, following redirects (downloads often redirect to a
    /// storage host; credentials go only to the first hop).
    pub async fn get(&self, url: Url) -> Result<Fetched, ServiceError> {
        let mut attempt = 1;
        let mut renewed = false;
        loop {
            let req = self.http.request(reqwest::Method::GET, url.clone());
            let req = match &self.auth {
                Auth::Bearer(token) => req.bearer_auth(token),
                Auth::Basic { user, password } => req.basic_auth(user, Some(password)),
                Auth::OAuth(client) => req.bearer_auth(client.access_token().await?),
            };
            let result = match self.http.send(req).await {
                Ok(f) if (300..400).contains(&f.status) => self.follow(&url, f).await,
                other => other,
            };
            let wait = match result {
                Ok(fetched) => return Ok(fetched),
                // An access token revoked or expired early: renew it once.
                Err(FetchError::Status { status: 401, .. })
                    if matches!(self.auth, Auth::OAuth(_)) && !renewed =>
                {
                    if let Auth::OAuth(client) = &self.auth {
                        client.invalidate().await;
                    }
                    renewed = true;
                    continue;
                }
                Err(FetchError::Status {
                    status: 401 | 403, ..
                }) => {
                    return Err(ServiceError::Credentials(format!(
                        "{} refused the credentials (HTTP 401/403 at {})",
                        self.service,
                        url.path()
                    )))
                }
                Err(FetchError::Status {
                    status: 429,
                    retry_after,
                }) => Duration::from_secs(retry_after.unwrap_or(1 << attempt)),
                Err(FetchError::Status { status, .. }) if status >= 500 => {
                    Duration::from_secs(1 << attempt)
                }
                Err(e) => {
                    return Err(ServiceError::Other(format!(
                        "{}: {e} ({})",
                        self.service,
                        url.path()
                    )))
                }
            };
            if attempt >= ATTEMPTS || wait > MAX_RETRY_AFTER {
                return Err(ServiceError::Other(format!(
                    "{} kept answering 429/5xx at {} ({attempt} attempts)",
                    self.service,
                    url.path()
                )));
            }
            tracing::info!(
                service = self.service,
                ?wait,
                "rate limited or failing; waiting"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn follow(&self, from: &Url, redirect: Fetched) -> Result<Fetched, FetchError> {
        let next = redirect
            .location
            .as_deref()
            .and_then(|l| from.join(l).ok())
            .ok_or_else(|| FetchError::Transport(format!("{from}: redirect without a Location")))?;
        self.http.get_following(&next, 5).await
    }
}

/// Reads the connector config fields every service shares.
pub struct ConfigReader<'a> {
    config: &'a Value,
}

impl<'a> ConfigReader<'a> {
    pub fn new(config: &'a Value) -> Self {
        Self { config }
    }

    pub fn optional(&self, field: &str) -> Result<Option<String>, FieldError> {
        match self.config.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(FieldError::new(
                &format!("config.{field}"),
                "must be a non-empty string",
            )),
        }
    }

    pub fn required(&self, field: &str) -> Result<String, FieldError> {
        self.optional(field)?
            .ok_or_else(|| FieldError::new(&format!("config.{field}"), "is required"))
    }

    /// `base_url`, or the service's public default.
    pub fn base_url(&self, default: &str) -> Result<Url, FieldError> {
        let raw = self
            .optional("base_url")?
            .unwrap_or_else(|| default.to_owned());
        let url = Url::parse(&raw)
            .map_err(|e| FieldError::new("config.base_url", format!("is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FieldError::new("config.base_url", "must be http or https"));
        }
        Ok(url)
    }
}
