//! The `website` connector: crawls from a start URL within its host (and an
//! optional path prefix), following links, HTTP redirects and meta-refresh
//! redirects hop by hop, so each page is indexed once under its final (or
//! canonical) URL. It honours robots.txt (rules and crawl delay), seeds the
//! frontier from sitemap.xml, applies include/exclude URL patterns, and
//! fetches with bounded concurrency at a per-host request rate.

use std::collections::{HashSet, VecDeque};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use grove_core::config::IngestConfig;
use regex::Regex;
use serde_json::Value;
use texting_robots::Robot;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::Url;

use crate::net::{FetchError, Fetched, HttpClient};
use crate::source::{content_hash, Connector, Content, FieldError, SourceDocument, SourceItem};

pub const DEFAULT_MAX_PAGES: usize = 1_000;
pub const MAX_MAX_PAGES: usize = 10_000;
/// The robots.txt user-agent token Grove answers to.
const ROBOTS_AGENT: &str = "GroveBot";
const MAX_SITEMAPS: usize = 10;

/// A URL pattern: `*` matches any run of characters; nothing else is special.
#[derive(Debug, Clone)]
pub struct UrlPattern(Regex);

impl UrlPattern {
    // A glob of one wildcard is all users write for URL filters; a glob crate
    // would bring path semantics (separators, character classes) URLs lack.
    pub fn new(glob: &str) -> Result<Self, String> {
        let body = glob
            .split('*')
            .map(regex::escape)
            .collect::<Vec<_>>()
            .join(".*");
        Regex::new(&format!("^{body}$"))
            .map(Self)
            .map_err(|e| e.to_string())
    }

    pub fn matches(&self, url: &str) -> bool {
        self.0.is_match(url)
    }
}

/// A website data source's `config`.
#[derive(Debug, Clone)]
pub struct WebsiteConfig {
    pub url: Url,
    pub path_prefix: Option<String>,
    pub max_pages: usize,
    pub include: Vec<UrlPattern>,
    pub exclude: Vec<UrlPattern>,
}

/// The settings a `config` of this type takes; others are refused.
pub const CONFIG_KEYS: &[&str] = &[
    "url",
    "path_prefix",
    "max_pages",
    "include_patterns",
    "exclude_patterns",
];

impl WebsiteConfig {
    /// Reads and checks `config`; errors name the field (`config.url`, …).
    pub fn from_json(config: &Value) -> Result<Self, FieldError> {
        let field = |name: &str| format!("config.{name}");
        let url = config
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| FieldError::new("config.url", "is required: the start URL"))?;
        let url = Url::parse(url)
            .map_err(|e| FieldError::new("config.url", format!("is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(FieldError::new(
                "config.url",
                "must be an http or https URL",
            ));
        }
        let max_pages = match config.get("max_pages") {
            None | Some(Value::Null) => DEFAULT_MAX_PAGES,
            Some(v) => match v.as_u64() {
                Some(n) if (1..=MAX_MAX_PAGES as u64).contains(&n) => n as usize,
                _ => {
                    return Err(FieldError::new(
                        &field("max_pages"),
                        format!("must be an integer from 1 to {MAX_MAX_PAGES}"),
                    ))
                }
            },
        };
        let path_prefix = match config.get("path_prefix") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) if p.starts_with('/') => Some(p.clone()),
            Some(_) => {
                return Err(FieldError::new(
                    "config.path_prefix",
                    "must be a path starting with /",
                ))
            }
        };
        Ok(Self {
            url,
            path_prefix,
            max_pages,
            include: patterns(config, "include_patterns")?,
            exclude: patterns(config, "exclude_patterns")?,
        })
    }

    /// Whether the crawl may visit `url` (robots aside).
    fn in_scope(&self, url: &Url) -> bool {
        let same_site = url.scheme() == self.url.scheme()
            && url.host_str() == self.url.host_str()
            && url.port_or_known_default() == self.url.port_or_known_default();
        let prefixed = self
            .path_prefix
            .as_ref()
            .is_none_or(|p| url.path().starts_with(p.as_str()));
        let text = url.as_str();
        same_site
            && prefixed
            && (self.include.is_empty() || self.include.iter().any(|p| p.matches(text)))
            && !self.exclude.iter().any(|p| p.matches(text))
    }
}

fn patterns(config: &Value, name: &str) -> Result<Vec<UrlPattern>, FieldError> {
    let field = format!("config.{name}");
    match config.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let glob = item
                    .as_str()
                    .ok_or_else(|| FieldError::new(&format!("{field}[{i}]"), "must be a string"))?;
                UrlPattern::new(glob).map_err(|e| FieldError::new(&format!("{field}[{i}]"), e))
            })
            .collect(),
        Some(_) => Err(FieldError::new(&field, "must be a list of URL patterns")),
    }
}

/// What fetching one URL came to.
enum Outcome {
    Page {
        key: Url,
        hash: String,
        bytes: u64,
        page: Box<crate::html::Page>,
        parse_time: Duration,
    },
    /// Another document type (text, Markdown, PDF, …) to parse by type.
    Raw {
        key: Url,
        content_type: String,
        bytes: Vec<u8>,
    },
    /// A page that only redirects (meta refresh) to this URL.
    Refresh(Url),
    Skipped(String),
    Failed(String),
}

pub struct WebsiteConnector {
    config: WebsiteConfig,
    client: HttpClient,
    concurrency: usize,
    rate: u32,
    max_redirects: u32,
}

/// The state of one crawl: what is queued, seen and emitted.
struct Crawl {
    frontier: VecDeque<Url>,
    /// URLs queued or fetched, redirect targets included (shared with the
    /// fetch tasks so a page reached by a redirect is not fetched again).
    seen: Seen,
    emitted: HashSet<String>,
    robots: Option<Robot>,
    failed: usize,
}

impl Crawl {
    fn allowed(&self, url: &Url) -> bool {
        self.robots.as_ref().is_none_or(|r| r.allowed(url.as_str()))
    }
}

type Seen = Arc<std::sync::Mutex<HashSet<String>>>;

/// Marks `url` seen; false if it already was.
fn first_visit(seen: &Seen, url: &Url) -> bool {
    seen.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(url.to_string())
}

fn without_fragment(mut url: Url) -> Url {
    url.set_fragment(None);
    url
}

impl WebsiteConnector {
    pub fn new(config: WebsiteConfig, client: HttpClient, ingest: &IngestConfig) -> Self {
        Self {
            config,
            client,
            concurrency: ingest.crawl_concurrency.max(1),
            rate: ingest.requests_per_second_per_host.max(1),
            max_redirects: ingest.max_redirects,
        }
    }

    /// Adds `url` to the frontier if it is new, in scope and allowed.
    fn enqueue(&self, crawl: &mut Crawl, url: Url) {
        let url = without_fragment(url);
        if self.config.in_scope(&url) && crawl.allowed(&url) && first_visit(&crawl.seen, &url) {
            crawl.frontier.push_back(url);
        }
    }

    async fn robots(&self, limiter: &DefaultDirectRateLimiter) -> Option<Robot> {
        let url = self.config.url.join("/robots.txt").ok()?;
        limiter.until_ready().await;
        let fetched = self.client.get(&url).await.ok()?;
        (fetched.status == 200)
            .then(|| Robot::new(ROBOTS_AGENT, &fetched.body).ok())
            .flatten()
    }

    async fn sitemap_urls(
        &self,
        robots: Option<&Robot>,
        limiter: &DefaultDirectRateLimiter,
    ) -> Vec<Url> {
        let mut pending: Vec<Url> = robots
            .map(|r| {
                r.sitemaps
                    .iter()
                    .filter_map(|s| Url::parse(s).ok())
                    .collect()
            })
            .unwrap_or_default();
        if pending.is_empty() {
            pending.extend(self.config.url.join("/sitemap.xml").ok());
        }
        let (mut pages, mut fetched) = (Vec::new(), 0);
        while let Some(sitemap) = pending.pop() {
            if fetched == MAX_SITEMAPS || self.client.check_url(&sitemap).is_err() {
                break;
            }
            fetched += 1;
            limiter.until_ready().await;
            let Ok(resp) = self.client.get(&sitemap).await else {
                continue;
            };
            let (locs, is_index) = sitemap_locs(&resp.body);
            let urls = locs.iter().filter_map(|l| Url::parse(l).ok());
            if is_index {
                pending.extend(urls);
            } else {
                pages.extend(urls);
            }
        }
        pages
    }

    /// Fetches `url`, following HTTP redirects within scope.
    async fn fetch(&self, url: Url, limiter: Arc<DefaultDirectRateLimiter>, seen: Seen) -> Outcome {
        let mut current = url;
        for _ in 0..=self.max_redirects {
            limiter.until_ready().await;
            let resp = match self.client.get(&current).await {
                Ok(r) => r,
                Err(FetchError::Status { status, .. }) => {
                    return Outcome::Failed(format!("{current}: HTTP {status}"))
                }
                Err(e) => return Outcome::Failed(format!("{current}: {e}")),
            };
            if (300..400).contains(&resp.status) {
                let Some(next) = resp.location.as_deref().and_then(|l| current.join(l).ok()) else {
                    return Outcome::Failed(format!("{current}: redirect without a Location"));
                };
                let next = without_fragment(next);
                if !self.config.in_scope(&next) {
                    return Outcome::Skipped(format!("{current} redirects out of scope to {next}"));
                }
                if !first_visit(&seen, &next) {
                    return Outcome::Skipped(format!(
                        "{current} redirects to {next}, already crawled"
                    ));
                }
                current = next;
                continue;
            }
            return self.read(current, resp);
        }
        Outcome::Failed(format!(
            "{current}: more than {} redirects",
            self.max_redirects
        ))
    }

    /// Turns a final response into a page, a refresh or a raw document.
    fn read(&self, url: Url, resp: Fetched) -> Outcome {
        let media = resp
            .content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let looks_html = media.is_empty() && url.path().ends_with(".html");
        if media == "text/html" || media == "application/xhtml+xml" || looks_html {
            let started = std::time::Instant::now();
            let text = String::from_utf8_lossy(&resp.body);
            let page = crate::html::parse_page(&text);
            let parse_time = started.elapsed();
            if let Some(target) = page.doc.redirect.as_deref().and_then(|t| url.join(t).ok()) {
                return Outcome::Refresh(without_fragment(target));
            }
            let key = page
                .canonical
                .as_deref()
                .and_then(|c| url.join(c).ok())
                .map(without_fragment)
                .filter(|c| self.config.in_scope(c))
                .unwrap_or(url);
            return Outcome::Page {
                key,
                hash: content_hash(&resp.body),
                bytes: resp.body.len() as u64,
                page: Box::new(page),
                parse_time,
            };
        }
        if crate::parse::supported(&media, url.path()) {
            return Outcome::Raw {
                key: url,
                content_type: media,
                bytes: resp.body,
            };
        }
        Outcome::Skipped(format!("{url}: unsupported content type `{media}`"))
    }

    /// Handles one fetch outcome; false when the output channel is closed.
    async fn settle(
        &self,
        crawl: &mut Crawl,
        from: Url,
        outcome: Outcome,
        out: &mpsc::Sender<SourceItem>,
    ) -> bool {
        let item = match outcome {
            Outcome::Page {
                key,
                hash,
                bytes,
                page,
                parse_time,
            } => {
                for link in &page.links {
                    if let Ok(next) = key.join(link) {
                        self.enqueue(crawl, next);
                    }
                }
                if !crawl.emitted.insert(key.to_string()) {
                    return true;
                }
                SourceItem::Document(SourceDocument {
                    key: key.to_string(),
                    url: Some(key.to_string()),
                    content_hash: hash,
                    bytes,
                    content: Content::Parsed(page.doc),
                    parse_time,
                })
            }
            Outcome::Raw {
                key,
                content_type,
                bytes,
            } => {
                if !crawl.emitted.insert(key.to_string()) {
                    return true;
                }
                SourceItem::Document(SourceDocument {
                    key: key.to_string(),
                    url: Some(key.to_string()),
                    content_hash: content_hash(&bytes),
                    bytes: bytes.len() as u64,
                    content: Content::Raw {
                        name: key.path().rsplit('/').next().unwrap_or("").to_owned(),
                        content_type,
                        bytes,
                    },
                    parse_time: Duration::ZERO,
                })
            }
            Outcome::Refresh(target) => {
                let reason = format!("{from} only redirects (meta refresh) to {target}");
                self.enqueue(crawl, target);
                skipped(&from, reason)
            }
            Outcome::Skipped(reason) => {
                tracing::debug!(url = %from, reason = %reason, "page skipped");
                skipped(&from, reason)
            }
            Outcome::Failed(message) => {
                crawl.failed += 1;
                SourceItem::Failed {
                    key: from.to_string(),
                    message,
                }
            }
        };
        out.send(item).await.is_ok()
    }
}

/// A page recorded as skipped: found, deliberately not indexed.
fn skipped(url: &Url, reason: String) -> SourceItem {
    SourceItem::Skipped {
        key: url.to_string(),
        url: Some(url.to_string()),
        reason,
    }
}

#[async_trait]
impl Connector for WebsiteConnector {
    async fn run(&self, out: mpsc::Sender<SourceItem>) -> Result<(), String> {
        self.client
            .check_url(&self.config.url)
            .map_err(|e| e.to_string())?;
        let limiter = Arc::new(RateLimiter::direct(Quota::per_second(
            NonZeroU32::new(self.rate).unwrap_or(NonZeroU32::MIN),
        )));
        let robots = self.robots(&limiter).await;
        let sitemap = self.sitemap_urls(robots.as_ref(), &limiter).await;
        let limiter = match robots.as_ref().and_then(|r| r.delay) {
            Some(delay) if delay > 0.0 => Arc::new(RateLimiter::direct(
                Quota::with_period(Duration::from_secs_f32(delay))
                    .unwrap_or(Quota::per_second(NonZeroU32::MIN)),
            )),
            _ => limiter,
        };
        let mut crawl = Crawl {
            frontier: VecDeque::new(),
            seen: Seen::default(),
            emitted: HashSet::new(),
            robots,
            failed: 0,
        };
        let start = without_fragment(self.config.url.clone());
        first_visit(&crawl.seen, &start);
        crawl.frontier.push_back(start.clone());
        for url in sitemap {
            self.enqueue(&mut crawl, url);
        }
        let mut running: JoinSet<(Url, Outcome)> = JoinSet::new();
        let mut first_error = None;
        loop {
            while running.len() < self.concurrency
                && crawl.emitted.len() + running.len() < self.config.max_pages
            {
                let Some(url) = crawl.frontier.pop_front() else {
                    break;
                };
                let (this, limiter) = (self.clone_for_task(), Arc::clone(&limiter));
                let seen = Arc::clone(&crawl.seen);
                running.spawn(async move {
                    let outcome = this.fetch(url.clone(), limiter, seen).await;
                    (url, outcome)
                });
            }
            let known = (crawl.emitted.len() + crawl.failed + running.len() + crawl.frontier.len())
                .min(self.config.max_pages);
            if out
                .send(SourceItem::Discovered(known as u64))
                .await
                .is_err()
            {
                return Err("the sync stopped".into());
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (url, outcome) = joined.map_err(|e| format!("crawl task failed: {e}"))?;
            if url == start {
                if let Outcome::Failed(message) = &outcome {
                    first_error = Some(message.clone());
                }
            }
            if !self.settle(&mut crawl, url, outcome, &out).await {
                return Err("the sync stopped".into());
            }
        }
        match first_error {
            Some(message) if crawl.emitted.is_empty() => {
                Err(format!("the start page could not be fetched: {message}"))
            }
            _ => Ok(()),
        }
    }
}

impl WebsiteConnector {
    /// A handle for a fetch task (the client and settings are cheap clones).
    fn clone_for_task(&self) -> Arc<Self> {
        Arc::new(Self {
            config: self.config.clone(),
            client: self.client.clone(),
            concurrency: self.concurrency,
            rate: self.rate,
            max_redirects: self.max_redirects,
        })
    }
}

/// The `<loc>` entries of a sitemap, and whether it is a sitemap index.
fn sitemap_locs(xml: &[u8]) -> (Vec<String>, bool) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let (mut locs, mut is_index) = (Vec::new(), false);
    let mut loc: Option<String> = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"sitemapindex" => is_index = true,
                b"loc" => loc = Some(String::new()),
                _ => {}
            },
            Ok(Event::Text(t)) => {
                if let (Some(loc), Ok(text)) = (loc.as_mut(), t.decode()) {
                    loc.push_str(&text);
                }
            }
            // Entities (`&amp;`) arrive as their own events.
            Ok(Event::GeneralRef(r)) => {
                if let Some(loc) = loc.as_mut() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        loc.push(c);
                    } else if let Ok(name) = r.decode() {
                        loc.push_str(
                            quick_xml::escape::resolve_predefined_entity(&name).unwrap_or(""),
                        );
                    }
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"loc" => {
                locs.extend(loc.take().map(|l| l.trim().to_owned()));
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    (locs, is_index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_errors_name_the_field() {
        let err = WebsiteConfig::from_json(&json!({})).unwrap_err();
        assert_eq!(err.field, "config.url");
        let err = WebsiteConfig::from_json(&json!({"url": "ftp://x.example/"})).unwrap_err();
        assert_eq!(err.field, "config.url");
        let err =
            WebsiteConfig::from_json(&json!({"url": "https://x.example", "max_pages": 10_001}))
                .unwrap_err();
        assert_eq!(err.field, "config.max_pages");
        let err = WebsiteConfig::from_json(
            &json!({"url": "https://x.example", "exclude_patterns": ["ok", 3]}),
        )
        .unwrap_err();
        assert_eq!(err.field, "config.exclude_patterns[1]");
        let ok = WebsiteConfig::from_json(&json!({"url": "https://x.example"})).unwrap();
        assert_eq!(ok.max_pages, DEFAULT_MAX_PAGES);
    }

    #[test]
    fn scope_is_host_prefix_and_patterns() {
        let c = WebsiteConfig::from_json(&json!({
            "url": "https://docs.example/guide/",
            "path_prefix": "/guide/",
            "exclude_patterns": ["*/print.html"],
        }))
        .unwrap();
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(c.in_scope(&url("https://docs.example/guide/a.html")));
        assert!(!c.in_scope(&url("https://docs.example/blog/a.html")));
        assert!(!c.in_scope(&url("https://other.example/guide/a.html")));
        assert!(!c.in_scope(&url("http://docs.example/guide/a.html")));
        assert!(!c.in_scope(&url("https://docs.example/guide/print.html")));
    }

    #[test]
    fn sitemaps_and_indexes_are_read() {
        let (locs, index) = sitemap_locs(
            br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>https://a.example/x?a=1&amp;b=2</loc></url><url><loc> https://a.example/y </loc></url></urlset>"#,
        );
        assert_eq!(locs, ["https://a.example/x?a=1&b=2", "https://a.example/y"]);
        assert!(!index);
        let (locs, index) = sitemap_locs(
            b"<sitemapindex><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>",
        );
        assert_eq!(locs, ["https://a.example/s1.xml"]);
        assert!(index);
    }
}
