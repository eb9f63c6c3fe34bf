//! The SaaS connectors against local servers that speak each service's wire
//! format: Slack's Web API (cursor pages, `ok:false`, 429 + Retry-After),
//! Confluence Cloud's content API (`_links.next`, Basic auth), Google Drive
//! v3 (`nextPageToken`, exports, `alt=media`) and Microsoft Graph drive items
//! (folders, `@odata.nextLink`, `/content` redirects).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use grove_core::config::Config;
use grove_ingest::net::HttpClient;
use grove_ingest::source::{Connector, Content, SourceItem};
use serde_json::{json, Value};
use tokio::sync::mpsc;

type Params = Query<HashMap<String, String>>;

#[derive(Clone, Default)]
struct Fake {
    base: Arc<std::sync::OnceLock<String>>,
    /// Requests answered 429 so far (the first of some kinds is).
    limited: Arc<AtomicUsize>,
    requests: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Fake {
    fn log(&self, uri: &Uri) {
        self.requests.lock().unwrap().push(uri.to_string());
    }

    /// 429 the first time only.
    fn rate_limit_once(&self) -> Option<Response> {
        (self.limited.fetch_add(1, Ordering::SeqCst) == 0).then(|| {
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                "slow down",
            )
                .into_response()
        })
    }
}

async fn serve(app: Router<Fake>) -> (String, Fake) {
    let fake = Fake::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    fake.base.set(base.clone()).unwrap();
    let app = app.with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, fake)
}

fn http() -> HttpClient {
    HttpClient::new(&Config {
        allow_private_networks: true,
        ..Config::default()
    })
    .unwrap()
}

fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
}

/// What a connector streamed: documents by key with their text and URL,
/// failures and skipped items (`key: reason`), and its result.
type Streamed = (
    HashMap<String, (String, Option<String>)>,
    Vec<String>,
    Vec<String>,
    Result<(), String>,
);

/// Runs a connector to its end.
async fn run(connector: impl Connector) -> Streamed {
    let (tx, mut rx) = mpsc::channel(8);
    let collect = async move {
        let (mut docs, mut failed, mut skipped) = (HashMap::new(), Vec::new(), Vec::new());
        while let Some(item) = rx.recv().await {
            match item {
                SourceItem::Document(d) => {
                    let text = match d.content {
                        Content::Parsed(p) => format!("{}\n{}", p.title, p.text),
                        Content::Raw { name, bytes, .. } => {
                            let p = grove_ingest::parse::parse_raw(&name, "", &bytes).unwrap();
                            format!("{}\n{}", p.title, p.text)
                        }
                    };
                    docs.insert(d.key, (text, d.url));
                }
                SourceItem::Failed { key, message } => failed.push(format!("{key}: {message}")),
                SourceItem::Skipped { key, reason, .. } => skipped.push(format!("{key}: {reason}")),
                SourceItem::Discovered(_) => {}
            }
        }
        (docs, failed, skipped)
    };
    let (result, (docs, failed, skipped)) = tokio::join!(connector.run(tx), collect);
    (docs, failed, skipped, result)
}

// --- Slack -----------------------------------------------------------------

async fn slack_list(
    State(f): State<Fake>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Params,
) -> Json<Value> {
    f.log(&uri);
    if bearer(&headers) != "xoxb-good" {
        return Json(json!({"ok": false, "error": "invalid_auth"}));
    }
    Json(match q.get("cursor").map(String::as_str) {
        None => {
            json!({"ok": true, "channels": [{"id": "C1", "name": "general"}], "response_metadata": {"next_cursor": "page2"}})
        }
        Some("page2") => {
            json!({"ok": true, "channels": [{"id": "C2", "name": "random"}, {"id": "C3", "name": "ignored"}], "response_metadata": {"next_cursor": ""}})
        }
        Some(other) => json!({"ok": false, "error": format!("invalid_cursor {other}")}),
    })
}

async fn slack_history(State(f): State<Fake>, uri: Uri, Query(q): Params) -> Response {
    f.log(&uri);
    if q.get("channel").map(String::as_str) == Some("C2") {
        if let Some(limited) = f.rate_limit_once() {
            return limited;
        }
        return Json(json!({"ok": true, "messages": [{"ts": "1700000000.000100", "user": "U2", "text": "Lunch is at noon on Fridays"}], "has_more": false})).into_response();
    }
    Json(match q.get("cursor").map(String::as_str) {
        // Newest first, as Slack answers.
        None => json!({"ok": true, "messages": [{"ts": "1700000300.000200", "user": "U1", "text": "second: the deploy finished"}], "has_more": true, "response_metadata": {"next_cursor": "older"}}),
        _ => json!({"ok": true, "messages": [{"ts": "1700000100.000100", "user": "U1", "text": "first: the deploy starts at 9"}], "has_more": false}),
    })
    .into_response()
}

fn slack_app() -> Router<Fake> {
    Router::new()
        .route("/api/conversations.list", get(slack_list))
        .route("/api/conversations.history", get(slack_history))
}

#[tokio::test]
async fn slack_pages_channels_and_history_and_waits_out_a_429() {
    use grove_ingest::slack::{SlackConfig, SlackConnector};
    let (base, fake) = serve(slack_app()).await;
    let config = SlackConfig::from_json(&json!({
        "base_url": format!("{base}/api"), "token": "xoxb-good",
        "channels": ["C1", "C2"], "workspace_url": "https://acme.slack.com"
    }))
    .unwrap();
    let (docs, failed, skipped, result) = run(SlackConnector::new(config, http())).await;
    result.unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(docs.len(), 2, "C3 is not among the configured channels");
    let (general, url) = &docs["channel/C1"];
    assert_eq!(url.as_deref(), Some("https://acme.slack.com/archives/C1"));
    let (first, second) = (
        general.find("first:").unwrap(),
        general.find("second:").unwrap(),
    );
    assert!(
        general.starts_with("#general") && first < second,
        "{general}"
    );
    assert!(docs["channel/C2"].0.contains("U2: Lunch is at noon"));
    assert_eq!(
        fake.limited.load(Ordering::SeqCst),
        2,
        "one 429, then served"
    );
    let requests = fake.requests.lock().unwrap().clone();
    let oldest: f64 = requests
        .iter()
        .find_map(|r| r.split("oldest=").nth(1))
        .and_then(|v| v.split('&').next())
        .unwrap()
        .parse()
        .unwrap();
    let ninety_days_ago = jiff::Timestamp::now().as_second() as f64 - 90.0 * 86_400.0;
    assert!((oldest - ninety_days_ago).abs() < 120.0, "oldest={oldest}");

    let config =
        SlackConfig::from_json(&json!({"base_url": format!("{base}/api"), "token": "xoxb-bad"}))
            .unwrap();
    let (_, _, _, result) = run(SlackConnector::new(config, http())).await;
    assert!(result
        .unwrap_err()
        .contains("refused the token (invalid_auth)"));
}

// --- Confluence --------------------------------------------------------------

async fn confluence_content(
    State(f): State<Fake>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    f.log(&uri);
    // "ann@acme.test:good-token" in Basic.
    let good = "Basic YW5uQGFjbWUudGVzdDpnb29kLXRva2Vu";
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(good) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"statusCode": 401, "message": "Unauthorized"})),
        )
            .into_response();
    }
    assert_eq!(q.get("spaceKey").map(String::as_str), Some("ENG"));
    assert_eq!(
        q.get("expand").map(String::as_str),
        Some("body.storage,version")
    );
    let base = format!("{}/wiki", f.base.get().unwrap());
    let page = |id: &str, title: &str, body: &str| {
        json!({"id": id, "type": "page", "title": title, "version": {"number": 3},
               "body": {"storage": {"value": body, "representation": "storage"}},
               "_links": {"webui": format!("/spaces/ENG/pages/{id}")}})
    };
    Json(match q.get("start").map(String::as_str) {
        None | Some("0") => json!({
            "results": [page("101", "On-call guide", "<h2>Paging</h2><p>Acknowledge pages within five minutes.</p>")],
            "start": 0, "limit": 1, "size": 1,
            "_links": {"base": base, "next": "/rest/api/content?spaceKey=ENG&type=page&expand=body.storage,version&limit=1&start=1"}
        }),
        _ => json!({
            "results": [page("102", "Release checklist", "<ul><li>Tag the release</li><li>Publish notes</li></ul>")],
            "start": 1, "limit": 1, "size": 1, "_links": {"base": base}
        }),
    })
    .into_response()
}

#[tokio::test]
async fn confluence_follows_next_links_with_basic_auth() {
    use grove_ingest::confluence::{ConfluenceConfig, ConfluenceConnector};
    let (base, _) =
        serve(Router::new().route("/wiki/rest/api/content", get(confluence_content))).await;
    let config = |token: &str| {
        ConfluenceConfig::from_json(&json!({"base_url": base, "email": "ann@acme.test", "api_token": token, "space_key": "ENG"})).unwrap()
    };
    let (docs, failed, skipped, result) =
        run(ConfluenceConnector::new(config("good-token"), http())).await;
    result.unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(skipped.is_empty(), "{skipped:?}");
    let (guide, url) = &docs["page/101"];
    assert!(
        guide.starts_with("On-call guide")
            && guide.contains("Acknowledge pages within five minutes."),
        "{guide}"
    );
    assert_eq!(
        url.as_deref(),
        Some(format!("{base}/wiki/spaces/ENG/pages/101").as_str())
    );
    assert!(docs["page/102"].0.contains("Tag the release"));

    let (_, _, _, result) = run(ConfluenceConnector::new(config("wrong"), http())).await;
    assert!(result
        .unwrap_err()
        .contains("Confluence refused the credentials"));
}

// --- Google Drive --------------------------------------------------------------

async fn drive_list(
    State(f): State<Fake>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    f.log(&uri);
    if bearer(&headers) != "ya29.good" {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}}))).into_response();
    }
    assert!(
        q["q"].contains("trashed = false") && q["q"].contains("'F1' in parents"),
        "{:?}",
        q
    );
    Json(match q.get("pageToken") {
        None => json!({"nextPageToken": "t2", "files": [
            {"id": "d1", "name": "Travel policy", "mimeType": "application/vnd.google-apps.document", "webViewLink": "https://docs.google.com/document/d/d1"},
            {"id": "s1", "name": "Budget", "mimeType": "application/vnd.google-apps.spreadsheet"}
        ]}),
        Some(_) => json!({"files": [
            {"id": "p1", "name": "manual.pdf", "mimeType": "application/pdf"},
            {"id": "i1", "name": "logo.png", "mimeType": "image/png"}
        ]}),
    })
    .into_response()
}

async fn drive_file(
    State(f): State<Fake>,
    uri: Uri,
    axum::extract::Path(path): axum::extract::Path<String>,
    Query(q): Params,
) -> Response {
    f.log(&uri);
    match path.as_str() {
        "d1/export" => {
            if let Some(limited) = f.rate_limit_once() {
                return limited;
            }
            assert_eq!(q["mimeType"], "text/plain");
            "Economy class is booked for flights under six hours.".into_response()
        }
        "s1/export" => {
            assert_eq!(q["mimeType"], "text/csv");
            "item,amount\nlaptops,12000\n".into_response()
        }
        "p1" if q.get("alt").map(String::as_str) == Some("media") => std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manual.pdf"),
        )
        .unwrap()
        .into_response(),
        other => (StatusCode::NOT_FOUND, format!("no {other}")).into_response(),
    }
}

#[tokio::test]
async fn google_drive_lists_pages_exports_native_files_and_downloads_others() {
    use grove_ingest::gdrive::{DriveConfig, DriveConnector};
    let app = Router::new()
        .route("/drive/v3/files", get(drive_list))
        .route("/drive/v3/files/{*path}", get(drive_file));
    let (base, fake) = serve(app).await;
    let config = |token: &str| {
        DriveConfig::from_json(&json!({"base_url": base, "access_token": token, "folder_id": "F1"}))
            .unwrap()
    };
    let (docs, failed, skipped, result) =
        run(DriveConnector::new(config("ya29.good"), http(), None)).await;
    result.unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    let mut keys: Vec<&String> = docs.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["file/d1", "file/p1", "file/s1"],
        "the image is skipped"
    );
    assert_eq!(skipped, ["file/i1: logo.png: unsupported type `image/png`"]);
    assert!(docs["file/d1"].0.contains("Economy class"));
    assert_eq!(
        docs["file/d1"].1.as_deref(),
        Some("https://docs.google.com/document/d/d1")
    );
    assert!(docs["file/s1"].0.contains("item: laptops; amount: 12000"));
    assert!(docs["file/p1"].0.contains("Drain the pump"));
    assert_eq!(
        fake.limited.load(Ordering::SeqCst),
        2,
        "one 429, then served"
    );

    let (_, _, _, result) = run(DriveConnector::new(config("expired"), http(), None)).await;
    assert!(result
        .unwrap_err()
        .contains("Google Drive refused the credentials"));
}

// --- SharePoint (Microsoft Graph) ------------------------------------------------

async fn graph(
    State(f): State<Fake>,
    uri: Uri,
    headers: HeaderMap,
    axum::extract::Path(path): axum::extract::Path<String>,
    Query(q): Params,
) -> Response {
    f.log(&uri);
    if bearer(&headers) != "graph-good" {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired."}}))).into_response();
    }
    let base = f.base.get().unwrap();
    let file = |id: &str, name: &str| json!({"id": id, "name": name, "file": {"mimeType": "text/markdown"}, "webUrl": format!("https://acme.sharepoint.com/Shared%20Documents/{name}")});
    match path.as_str() {
        "root/children" if !q.contains_key("$skiptoken") => Json(json!({
            "value": [{"id": "fold1", "name": "Policies", "folder": {"childCount": 1}}, file("m1", "readme.md")],
            "@odata.nextLink": format!("{base}/v1.0/drives/drv1/root/children?$skiptoken=abc")
        })).into_response(),
        "root/children" => Json(json!({"value": [{"id": "x1", "name": "clip.mp4", "file": {"mimeType": "video/mp4"}}]})).into_response(),
        "items/fold1/children" => Json(json!({"value": [file("m2", "security.md")]})).into_response(),
        // Graph redirects downloads to a pre-authenticated URL.
        "items/m1/content" => Redirect::to(&format!("{base}/download/m1")).into_response(),
        "items/m2/content" => Redirect::to(&format!("{base}/download/m2")).into_response(),
        other => (StatusCode::NOT_FOUND, format!("no {other}")).into_response(),
    }
}

async fn download(
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    assert!(
        headers.get("authorization").is_none(),
        "the token must not follow the redirect"
    );
    match id.as_str() {
        "m1" => "# Read me\n\nThe wiki moved to SharePoint in May.".into_response(),
        _ => "# Security\n\nRotate passwords every ninety days.".into_response(),
    }
}

#[tokio::test]
async fn sharepoint_walks_folders_follows_next_links_and_downloads_through_redirects() {
    use grove_ingest::sharepoint::{SharePointConfig, SharePointConnector};
    let app = Router::new()
        .route("/v1.0/drives/drv1/{*path}", get(graph))
        .route("/download/{id}", get(download));
    let (base, _) = serve(app).await;
    let config = |token: &str| {
        SharePointConfig::from_json(
            &json!({"base_url": base, "access_token": token, "drive_id": "drv1"}),
        )
        .unwrap()
    };
    let (docs, failed, skipped, result) =
        run(SharePointConnector::new(config("graph-good"), http(), None)).await;
    result.unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(docs.len(), 2, "the video is skipped: {:?}", docs.keys());
    assert_eq!(skipped, ["item/x1: clip.mp4: unsupported file type"]);
    assert!(docs["item/m1"].0.contains("moved to SharePoint"));
    assert!(docs["item/m2"].0.starts_with("Security"));
    assert_eq!(
        docs["item/m2"].1.as_deref(),
        Some("https://acme.sharepoint.com/Shared%20Documents/security.md")
    );

    let (_, _, _, result) = run(SharePointConnector::new(config("stale"), http(), None)).await;
    assert!(result
        .unwrap_err()
        .contains("Microsoft Graph refused the credentials"));
}
