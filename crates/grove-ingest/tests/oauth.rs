//! OAuth refresh for Google Drive and SharePoint against a local token
//! endpoint speaking RFC 6749's refresh grant (form body, JSON answers,
//! `invalid_grant` errors) and local Drive and Graph servers: a token is
//! refreshed before use and cached while valid, refreshed again once it is
//! about to expire, renewed after a 401, a rotated refresh token is handed
//! to the sink (the store seals it: see grove-store's secrets test), and a
//! revoked grant fails the sync with the provider's message.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use grove_core::config::Config;
use grove_ingest::net::HttpClient;
use grove_ingest::oauth::RefreshTokenSink;
use grove_ingest::source::{Connector, SourceItem};
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// The provider: its token endpoint and its API, sharing what was issued.
#[derive(Clone, Default)]
struct Provider {
    /// Forms the token endpoint received.
    grants: Arc<Mutex<Vec<HashMap<String, String>>>>,
    /// Access tokens the API accepts.
    valid: Arc<Mutex<Vec<String>>>,
    /// Lifetime stated for issued tokens.
    expires_in: Arc<Mutex<u64>>,
    /// API requests, by the token they carried.
    used: Arc<Mutex<Vec<String>>>,
    /// The API answers the next request 401 (a token revoked early).
    reject_next: Arc<Mutex<bool>>,
    /// The API answers every request 401.
    reject_always: Arc<Mutex<bool>>,
}

impl Provider {
    /// Whether the API takes `token` (and records its use).
    fn accepts(&self, token: String) -> bool {
        self.used.lock().unwrap().push(token.clone());
        let once = std::mem::take(&mut *self.reject_next.lock().unwrap());
        !once && !*self.reject_always.lock().unwrap() && self.valid.lock().unwrap().contains(&token)
    }
}

/// `rt-1` is exchanged for `at-1` and rotated to `rt-2`; `rt-2` gives
/// `at-2`; anything else is a revoked grant.
async fn token(State(p): State<Provider>, body: String) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    p.grants.lock().unwrap().push(form.clone());
    assert_eq!(form["grant_type"], "refresh_token");
    assert_eq!(form["client_id"], "client-1");
    assert_eq!(form["client_secret"], "shh");
    let n = p.grants.lock().unwrap().len();
    let answer = match form["refresh_token"].as_str() {
        "rt-1" => json!({"access_token": format!("at-1-{n}"), "token_type": "Bearer",
                          "expires_in": *p.expires_in.lock().unwrap(), "refresh_token": "rt-2"}),
        "rt-2" => json!({"access_token": format!("at-2-{n}"), "token_type": "Bearer",
                          "expires_in": *p.expires_in.lock().unwrap()}),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})),
            )
                .into_response()
        }
    };
    p.valid
        .lock()
        .unwrap()
        .push(answer["access_token"].as_str().unwrap().to_owned());
    Json(answer).into_response()
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

/// Drive's files.list: two pages, so two requests per sync.
async fn drive_files(
    State(p): State<Provider>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    if !p.accepts(bearer(&headers)) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"code": 401}})),
        )
            .into_response();
    }
    Json(match q.get("pageToken") {
        None => json!({"nextPageToken": "p2", "files": []}),
        Some(_) => json!({"files": []}),
    })
    .into_response()
}

/// Graph's drive root: empty.
async fn graph_children(State(p): State<Provider>, headers: HeaderMap) -> Response {
    if !p.accepts(bearer(&headers)) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"code": "InvalidAuthenticationToken"}})),
        )
            .into_response();
    }
    Json(json!({"value": []})).into_response()
}

async fn serve() -> (String, Provider) {
    let provider = Provider::default();
    *provider.expires_in.lock().unwrap() = 3600;
    let app = Router::new()
        .route("/token", post(token))
        .route("/drive/v3/files", get(drive_files))
        .route("/v1.0/drives/D1/root/children", get(graph_children))
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, provider)
}

#[derive(Default)]
struct Sink(Mutex<Vec<String>>);

#[async_trait]
impl RefreshTokenSink for Sink {
    async fn store_refresh_token(&self, token: &str) -> Result<(), String> {
        self.0.lock().unwrap().push(token.to_owned());
        Ok(())
    }
}

fn http() -> HttpClient {
    HttpClient::new(&Config {
        allow_private_networks: true,
        ..Config::default()
    })
    .unwrap()
}

async fn sync(connector: impl Connector) -> Result<(), String> {
    let (tx, mut rx) = mpsc::channel::<SourceItem>(8);
    let drain = async move { while rx.recv().await.is_some() {} };
    tokio::join!(connector.run(tx), drain).0
}

fn drive(
    base: &str,
    refresh_token: &str,
    sink: &Arc<Sink>,
) -> grove_ingest::gdrive::DriveConnector {
    use grove_ingest::gdrive::{DriveConfig, DriveConnector};
    let config = DriveConfig::from_json(&json!({
        "base_url": base, "token_url": format!("{base}/token"),
        "client_id": "client-1", "client_secret": "shh", "refresh_token": refresh_token
    }))
    .unwrap();
    DriveConnector::new(
        config,
        http(),
        Some(sink.clone() as Arc<dyn RefreshTokenSink>),
    )
}

#[tokio::test]
async fn drive_refreshes_caches_renews_after_a_401_and_keeps_the_rotated_token() {
    let (base, provider) = serve().await;
    let sink = Arc::new(Sink::default());

    // One refresh for a whole sync while the token is valid; the rotated
    // refresh token goes to the sink.
    sync(drive(&base, "rt-1", &sink)).await.unwrap();
    assert_eq!(provider.grants.lock().unwrap().len(), 1);
    assert_eq!(*provider.used.lock().unwrap(), ["at-1-1", "at-1-1"]);
    assert_eq!(*sink.0.lock().unwrap(), ["rt-2"]);

    // A token stated to expire within the margin is refreshed before each use.
    *provider.expires_in.lock().unwrap() = 30;
    provider.used.lock().unwrap().clear();
    sync(drive(&base, "rt-2", &sink)).await.unwrap();
    assert_eq!(
        provider.grants.lock().unwrap().len(),
        3,
        "one refresh per request"
    );
    assert_eq!(*provider.used.lock().unwrap(), ["at-2-2", "at-2-3"]);
    assert_eq!(sink.0.lock().unwrap().len(), 1, "rt-2 was not rotated");

    // The API refuses the cached token once (revoked early): one 401, one
    // refresh, and the request is made again with the new token.
    *provider.expires_in.lock().unwrap() = 3600;
    provider.used.lock().unwrap().clear();
    *provider.reject_next.lock().unwrap() = true;
    sync(drive(&base, "rt-2", &sink)).await.unwrap();
    assert_eq!(provider.grants.lock().unwrap().len(), 5);
    assert_eq!(
        *provider.used.lock().unwrap(),
        ["at-2-4", "at-2-5", "at-2-5"]
    );

    // A second 401 in a row is the credentials' fault: the sync fails.
    *provider.reject_always.lock().unwrap() = true;
    let err = sync(drive(&base, "rt-2", &sink)).await.unwrap_err();
    assert!(
        err.contains("Google Drive refused the credentials"),
        "{err}"
    );
}

#[tokio::test]
async fn a_revoked_grant_fails_the_sync_with_the_providers_message() {
    let (base, provider) = serve().await;
    let sink = Arc::new(Sink::default());
    let err = sync(drive(&base, "rt-revoked", &sink)).await.unwrap_err();
    assert!(
        err.contains("Google Drive refused the OAuth refresh (invalid_grant: Token has been expired or revoked.)"),
        "{err}"
    );
    assert!(
        provider.used.lock().unwrap().is_empty(),
        "no API call without a token"
    );

    use grove_ingest::sharepoint::{SharePointConfig, SharePointConnector};
    let config = SharePointConfig::from_json(&json!({
        "base_url": base, "drive_id": "D1", "token_url": format!("{base}/token"),
        "client_id": "client-1", "client_secret": "shh", "refresh_token": "gone"
    }))
    .unwrap();
    let err = sync(SharePointConnector::new(config, http(), None))
        .await
        .unwrap_err();
    assert!(
        err.contains("Microsoft Graph refused the OAuth refresh (invalid_grant"),
        "{err}"
    );
}

#[tokio::test]
async fn sharepoint_refreshes_with_graphs_scope_and_a_bare_token_still_works() {
    use grove_ingest::sharepoint::{SharePointConfig, SharePointConnector};
    let (base, provider) = serve().await;
    let config = SharePointConfig::from_json(&json!({
        "base_url": base, "drive_id": "D1", "token_url": format!("{base}/token"),
        "client_id": "client-1", "client_secret": "shh", "refresh_token": "rt-1"
    }))
    .unwrap();
    sync(SharePointConnector::new(config, http(), None))
        .await
        .unwrap();
    let grants = provider.grants.lock().unwrap().clone();
    assert_eq!(grants.len(), 1);
    assert_eq!(
        grants[0]["scope"],
        "https://graph.microsoft.com/.default offline_access"
    );
    assert_eq!(*provider.used.lock().unwrap(), ["at-1-1"]);

    // An access token alone, for a one-off sync: no refresh.
    let config = SharePointConfig::from_json(&json!({
        "base_url": base, "drive_id": "D1", "access_token": "at-1-1"
    }))
    .unwrap();
    sync(SharePointConnector::new(config, http(), None))
        .await
        .unwrap();
    assert_eq!(provider.grants.lock().unwrap().len(), 1);

    // Config: a refresh token needs the client and, for Microsoft, the tenant.
    let err = |config: Value| SharePointConfig::from_json(&config).unwrap_err();
    let e = err(
        json!({"drive_id": "D1", "refresh_token": "r", "client_id": "c", "client_secret": "s"}),
    );
    assert_eq!(e.field, "config.tenant_id");
    let e = err(
        json!({"drive_id": "D1", "refresh_token": "r", "tenant_id": "t", "client_secret": "s"}),
    );
    assert_eq!(e.field, "config.client_id");
    let e = err(json!({"drive_id": "D1"}));
    assert_eq!(e.field, "config.access_token");
    let ok = SharePointConfig::from_json(&json!({
        "drive_id": "D1", "refresh_token": "r", "tenant_id": "contoso", "client_id": "c", "client_secret": "s"
    }))
    .unwrap();
    match ok.credentials {
        grove_ingest::oauth::Credentials::Refresh(s) => assert_eq!(
            s.token_url.as_str(),
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/token"
        ),
        other => panic!("{other:?}"),
    }
}
