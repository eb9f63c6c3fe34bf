//! The website connector against a local site: links, HTTP and meta-refresh
//! redirects, robots.txt, sitemap.xml, URL patterns, `max_pages`, failing
//! and skipped pages; and the SSRF guard on direct addresses, names and
//! redirects.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use grove_core::config::Config;
use grove_ingest::net::{FetchError, HttpClient};
use grove_ingest::source::{Connector, SourceItem};
use grove_ingest::web::{WebsiteConfig, WebsiteConnector};
use serde_json::json;
use tokio::sync::mpsc;

/// What the site answers for a path: status, extra header, content type, body.
type Reply = (u16, Option<(&'static str, String)>, &'static str, String);

#[derive(Clone, Default)]
struct Site {
    pages: Arc<HashMap<String, Reply>>,
    requested: Arc<Mutex<Vec<String>>>,
}

async fn answer(State(site): State<Site>, uri: Uri) -> Response {
    site.requested.lock().unwrap().push(uri.path().to_owned());
    let Some((status, extra, content_type, body)) = site.pages.get(uri.path()).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut resp = (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, content_type)],
        body,
    )
        .into_response();
    if let Some((name, value)) = extra {
        resp.headers_mut().insert(name, value.parse().unwrap());
    }
    resp
}

async fn serve(pages: HashMap<String, Reply>) -> (String, Site) {
    let site = Site {
        pages: Arc::new(pages),
        requested: Arc::default(),
    };
    let app = Router::new().fallback(answer).with_state(site.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), site)
}

fn html(title: &str, body: &str) -> Reply {
    (
        200,
        None,
        "text/html; charset=utf-8",
        format!("<html><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"),
    )
}

fn site_pages(base_hint: &str) -> HashMap<String, Reply> {
    let mut p = HashMap::new();
    p.insert(
        "/robots.txt".into(),
        (
            200,
            None,
            "text/plain",
            "User-agent: *\nDisallow: /private/\n".into(),
        ),
    );
    p.insert(
        "/sitemap.xml".into(),
        (
            200,
            None,
            "application/xml",
            format!("<urlset><url><loc>{base_hint}/orphan.html</loc></url></urlset>"),
        ),
    );
    p.insert(
        "/index.html".into(),
        html(
            "Home",
            r##"<p>Welcome.</p><a href="a.html">A</a> <a href="/moved">moved</a>
            <a href="stub.html">old</a> <a href="/private/secret.html">secret</a>
            <a href="/skip/me.html">skip</a> <a href="https://elsewhere.example/x">out</a>
            <a href="#top">top</a> <a href="a.html#part">A again</a> <a href="mailto:x@y.z">mail</a>"##,
        ),
    );
    p.insert(
        "/a.html".into(),
        html(
            "A",
            r#"<p>Page A text.</p><a href="index.html">home</a> <a href="b.html">B</a> <a href="notes.txt">notes</a> <a href="logo.png">logo</a>"#,
        ),
    );
    p.insert(
        "/moved".into(),
        (
            302,
            Some(("location", "/b.html".into())),
            "text/plain",
            String::new(),
        ),
    );
    p.insert(
        "/b.html".into(),
        html(
            "B",
            r#"<p>Page B text.</p><a href="broken.html">broken</a>"#,
        ),
    );
    p.insert(
        "/stub.html".into(),
        (
            200,
            None,
            "text/html",
            r#"<html><head><title>Redirecting...</title><meta http-equiv="refresh" content="0; URL=c.html"></head><body><p>Redirecting to <a href="c.html">c</a></p></body></html>"#.into(),
        ),
    );
    p.insert("/c.html".into(), html("C", "<p>Page C text.</p>"));
    p.insert("/private/secret.html".into(), html("Secret", "<p>no</p>"));
    p.insert("/skip/me.html".into(), html("Skip", "<p>no</p>"));
    p.insert(
        "/orphan.html".into(),
        html("Orphan", "<p>Only in the sitemap.</p>"),
    );
    p.insert(
        "/broken.html".into(),
        (500, None, "text/plain", "boom".into()),
    );
    p.insert(
        "/logo.png".into(),
        (200, None, "image/png", "\u{89}PNG".into()),
    );
    p.insert(
        "/notes.txt".into(),
        (
            200,
            None,
            "text/plain",
            "Plain notes about the site.".into(),
        ),
    );
    p
}

fn open_config() -> Config {
    Config {
        allow_private_networks: true,
        ..Config::default()
    }
}

/// What a crawl streamed: documents and failures by key, skipped pages with
/// their reasons, and the connector's result.
type Crawled = (
    Vec<String>,
    Vec<String>,
    Vec<(String, String)>,
    Result<(), String>,
);

async fn crawl(config: &Config, website: serde_json::Value) -> Crawled {
    let website = WebsiteConfig::from_json(&website).unwrap();
    let client = HttpClient::new(config).unwrap();
    let connector = WebsiteConnector::new(website, client, &config.ingest);
    let (tx, mut rx) = mpsc::channel(8);
    let collect = async move {
        let (mut docs, mut failed, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(item) = rx.recv().await {
            match item {
                SourceItem::Document(d) => docs.push(d.key),
                SourceItem::Failed { key, .. } => failed.push(key),
                SourceItem::Skipped { key, reason, .. } => skipped.push((key, reason)),
                SourceItem::Discovered(_) => {}
            }
        }
        docs.sort();
        (docs, failed, skipped)
    };
    let (outcome, (docs, failed, skipped)) = tokio::join!(connector.run(tx), collect);
    (docs, failed, skipped, outcome)
}

#[tokio::test]
async fn a_crawl_follows_links_redirects_robots_sitemaps_and_patterns() {
    // The sitemap needs the base URL, which exists once the server is up:
    // serve a first time to learn the port, then build the site for it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = format!("http://127.0.0.1:{port}");
    let site = Site {
        pages: Arc::new(site_pages(&base)),
        requested: Arc::default(),
    };
    let app = Router::new().fallback(answer).with_state(site.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let (docs, failed, skipped, outcome) = crawl(
        &open_config(),
        json!({"url": format!("{base}/index.html"), "exclude_patterns": ["*/skip/*"]}),
    )
    .await;
    outcome.unwrap();
    let expected: Vec<String> = [
        "a.html",
        "b.html",
        "c.html",
        "index.html",
        "notes.txt",
        "orphan.html",
    ]
    .iter()
    .map(|p| format!("{base}/{p}"))
    .collect();
    assert_eq!(docs, expected, "each page once, under its final URL");
    assert_eq!(failed, [format!("{base}/broken.html")]);
    let reason = |page: &str| {
        skipped
            .iter()
            .find(|(key, _)| *key == format!("{base}/{page}"))
            .map(|(_, reason)| reason.clone())
            .unwrap_or_else(|| panic!("{page} not reported as skipped: {skipped:?}"))
    };
    assert!(
        reason("stub.html").contains("meta refresh") && reason("stub.html").ends_with("/c.html"),
        "{skipped:?}"
    );
    assert!(
        reason("logo.png").contains("unsupported content type `image/png`"),
        "{skipped:?}"
    );
    let requested = site.requested.lock().unwrap().clone();
    assert!(
        !requested.iter().any(|p| p.starts_with("/private/")),
        "robots.txt: {requested:?}"
    );
    assert!(
        !requested.iter().any(|p| p.starts_with("/skip/")),
        "exclude pattern: {requested:?}"
    );
    assert_eq!(
        requested.iter().filter(|p| *p == "/b.html").count(),
        1,
        "{requested:?}"
    );
    assert!(
        requested.contains(&"/stub.html".to_owned()),
        "the stub is fetched, not indexed"
    );
}

#[tokio::test]
async fn max_pages_bounds_the_crawl() {
    let (base, _site) = serve(site_pages("http://unused.example")).await;
    let (docs, _, _, outcome) = crawl(
        &open_config(),
        json!({"url": format!("{base}/index.html"), "max_pages": 2}),
    )
    .await;
    outcome.unwrap();
    assert_eq!(docs.len(), 2, "{docs:?}");
}

#[tokio::test]
async fn an_unreachable_start_page_fails_the_crawl() {
    let (base, _site) = serve(HashMap::new()).await;
    let (docs, _, _, outcome) =
        crawl(&open_config(), json!({"url": format!("{base}/index.html")})).await;
    assert!(docs.is_empty());
    let err = outcome.unwrap_err();
    assert!(err.contains("HTTP 404"), "{err}");
}

#[tokio::test]
async fn private_addresses_are_refused_directly_by_name_and_after_redirects() {
    let mut pages = HashMap::new();
    pages.insert(
        "/to-private".into(),
        (
            302,
            Some(("location", "http://10.1.2.3/admin".into())),
            "text/plain",
            String::new(),
        ),
    );
    pages.insert(
        "/to-loopback".into(),
        (
            302,
            Some(("location", "http://[::1]:9/".into())),
            "text/plain",
            String::new(),
        ),
    );
    pages.insert("/ok".into(), html("Ok", "<p>fine</p>"));
    let (base, site) = serve(pages).await;
    let port = base.rsplit(':').next().unwrap();

    let guarded = HttpClient::new(&Config::default()).unwrap();
    let refused = |r: Result<grove_ingest::net::Fetched, FetchError>| match r {
        Err(FetchError::Refused(why)) => why,
        other => panic!("expected a refusal, got {:?}", other.map(|f| f.status)),
    };
    let why = refused(guarded.get(&format!("{base}/ok").parse().unwrap()).await);
    assert!(why.contains("loopback"), "{why}");
    let why = refused(
        guarded
            .get(&format!("http://localhost:{port}/ok").parse().unwrap())
            .await,
    );
    assert!(
        why.contains("localhost resolves to a loopback address"),
        "{why}"
    );
    let why = refused(
        guarded
            .get(&"http://169.254.169.254/latest/meta-data".parse().unwrap())
            .await,
    );
    assert!(why.contains("cloud metadata"), "{why}");
    assert!(
        site.requested.lock().unwrap().is_empty(),
        "nothing reached the server"
    );

    // Loopback opened by an allowlist: the first hop goes through, the
    // redirect to a private or other loopback address does not.
    let mut config = Config::default();
    config.ingest.allowed_cidrs = vec!["127.0.0.1/32".into()];
    let allow_listed = HttpClient::new(&config).unwrap();
    let ok = allow_listed
        .get_following(&format!("{base}/ok").parse().unwrap(), 5)
        .await
        .unwrap();
    assert_eq!(ok.status, 200);
    let why = refused(
        allow_listed
            .get_following(&format!("{base}/to-private").parse().unwrap(), 5)
            .await,
    );
    assert!(why.contains("10.1.2.3") && why.contains("private"), "{why}");
    let why = refused(
        allow_listed
            .get_following(&format!("{base}/to-loopback").parse().unwrap(), 5)
            .await,
    );
    assert!(why.contains("loopback"), "{why}");

    // A crawl with the default policy fails at its start URL.
    let (_, _, _, outcome) = crawl(&Config::default(), json!({"url": format!("{base}/ok")})).await;
    assert!(outcome.unwrap_err().contains("loopback"));
}

#[tokio::test]
async fn oversized_responses_are_refused() {
    let mut pages = HashMap::new();
    pages.insert("/big".into(), html("Big", &"<p>x</p>".repeat(10_000)));
    let (base, _site) = serve(pages).await;
    let mut config = open_config();
    config.ingest.max_response_bytes = 4096;
    let client = HttpClient::new(&config).unwrap();
    let err = client
        .get(&format!("{base}/big").parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TooLarge(4096));
}
