//! Every route against keys of every scope, straight from the route catalogue,
//! so each new route is covered as soon as it is added.

use grove_core::ids::{ChunkId, DataSourceId, DocumentId, OrgId};
use grove_server::routes::{route_infos, RouteInfo};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::TestServer;

/// Ids of real org-A resources for routes with an `{id}`.
pub struct Targets {
    pub user_id: String,
    pub key_id: String,
    pub data_source_id: String,
    /// A document of that data source with one chunk.
    pub document_id: String,
    pub chunk_id: String,
    /// A `file` data source holding `a.md`.
    pub file_source_id: String,
    /// An agent over the file source, asked once: its session and interaction.
    pub agent_id: String,
    pub session_id: String,
    pub interaction_id: String,
    /// A Slack notification channel (its webhook is never called).
    pub channel_id: String,
    /// A job of the agent, run once: the run and its chat.
    pub job_id: String,
    pub run_id: String,
    pub chat_id: String,
    /// An eval set of one question, run once against the agent.
    pub eval_set_id: String,
    pub eval_run_id: String,
    /// A draft knowledge-base article (version 1).
    pub kb_article_id: String,
    /// A disabled webhook endpoint on a closed loopback port, and a test
    /// delivery to it.
    pub webhook_id: String,
    pub delivery_id: String,
    /// A SQLite data connector over a file of one `orders` table.
    pub data_connector_id: String,
    pub database_path: String,
    /// A document of the run's chat, once [`Targets::wait_for_chat`] ran
    /// (a well-formed id of nothing until then).
    pub chat_document_id: String,
}

/// A data source body whose syncs fail at once without network traffic
/// (loopback is refused by default).
pub fn data_source_body(n: usize) -> Value {
    json!({ "type": "website", "name": format!("ds{n}"), "config": {"url": "http://127.0.0.1:9/"} })
}

/// A SQLite file with an `orders` table of three rows, outside the data
/// directory; `n` names it.
pub fn shop_database(t: &TestServer, n: usize) -> String {
    let path = t.scratch().join(format!("shop{n}.db"));
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, region TEXT, total REAL);
         INSERT OR REPLACE INTO orders VALUES (1, 'EU', 10.5), (2, 'US', 20.0), (3, 'EU', 4.5);",
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

/// A notification channel body; its webhook is a closed loopback port.
pub fn channel_body(n: usize) -> Value {
    json!({ "name": format!("channel{n}"), "kind": "slack",
            "config": {"webhook_url": "http://127.0.0.1:9/hook"} })
}

impl Targets {
    /// Creates a user and a key in org A; `n` keeps the email unique.
    pub async fn create(t: &TestServer, n: usize) -> Self {
        let user = t
            .post(
                "/api/v1/users",
                &t.org_a.api_key,
                json!({ "email": format!("target{n}@a.example"), "name": "Target", "role": "readonly" }),
            )
            .await;
        let (_, key_id) = t.key_with(&["read"], &[]).await;
        let ds = t
            .post(
                "/api/v1/data-sources",
                &t.org_a.api_key,
                data_source_body(n),
            )
            .await;
        let files = t
            .post(
                "/api/v1/data-sources",
                &t.org_a.api_key,
                json!({ "type": "file", "name": format!("files{n}") }),
            )
            .await;
        let file_source_id = files.body["id"].as_str().unwrap().to_owned();
        let form = reqwest::multipart::Form::new().part(
            "files",
            reqwest::multipart::Part::bytes(&b"# A"[..]).file_name("a.md"),
        );
        let uploaded = t
            .client
            .post(t.url(&format!("/api/v1/data-sources/{file_source_id}/files")))
            .bearer_auth(&t.org_a.api_key)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(uploaded.status(), StatusCode::CREATED);
        let agent = t
            .post(
                "/api/v1/agents",
                &t.org_a.api_key,
                json!({ "name": format!("Target agent {n}"), "data_source_ids": [file_source_id] }),
            )
            .await;
        let agent_id = agent.body["id"].as_str().unwrap().to_owned();
        let answer = t
            .post(
                "/api/v1/query",
                &t.org_a.api_key,
                json!({ "agent_id": agent_id, "query": "What is A?" }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let metadata = &answer.body["metadata"];
        let channel = t
            .post(
                "/api/v1/notification-channels",
                &t.org_a.api_key,
                channel_body(n),
            )
            .await;
        assert_eq!(channel.status, StatusCode::CREATED, "{}", channel.body);
        let job = t
            .post(
                &format!("/api/v1/agents/{agent_id}/jobs"),
                &t.org_a.api_key,
                json!({ "name": format!("Target job {n}"), "prompt": "What is A?" }),
            )
            .await;
        assert_eq!(job.status, StatusCode::CREATED, "{}", job.body);
        let job_id = job.body["id"].as_str().unwrap().to_owned();
        let started = t
            .post(
                &format!("/api/v1/jobs/{job_id}/runs"),
                &t.org_a.api_key,
                json!({}),
            )
            .await;
        assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
        let run = &started.body["runs"][0];
        let (eval_set_id, eval_run_id) = crate::evals::target_eval(t, &agent_id, n).await;
        let article = t
            .post(
                "/api/v1/kb",
                &t.org_a.api_key,
                json!({ "title": format!("Target article {n}"), "content": "About A." }),
            )
            .await;
        assert_eq!(article.status, StatusCode::CREATED, "{}", article.body);
        let (webhook_id, delivery_id) = target_webhook(t).await;
        let database_path = shop_database(t, n);
        let connector = t
            .post(
                "/api/v1/data-connectors",
                &t.org_a.api_key,
                json!({ "name": format!("shop{n}"), "type": "sqlite", "config": {"path": database_path} }),
            )
            .await;
        assert_eq!(connector.status, StatusCode::CREATED, "{}", connector.body);
        let data_source_id = ds.body["id"].as_str().unwrap().to_owned();
        let (document_id, chunk_id) = target_document(t, &data_source_id).await;
        Self {
            data_connector_id: connector.body["id"].as_str().unwrap().to_owned(),
            database_path,
            chat_document_id: grove_core::ids::DocumentOutputId::generate().to_string(),
            webhook_id,
            delivery_id,
            document_id,
            chunk_id,
            eval_set_id,
            eval_run_id,
            kb_article_id: article.body["id"].as_str().unwrap().to_owned(),
            job_id,
            run_id: run["id"].as_str().unwrap().to_owned(),
            chat_id: run["chat_id"].as_str().unwrap().to_owned(),
            user_id: user.body["id"].as_str().unwrap().to_owned(),
            key_id,
            data_source_id,
            file_source_id,
            agent_id,
            session_id: metadata["session_id"].as_str().unwrap().to_owned(),
            interaction_id: metadata["interaction_id"].as_str().unwrap().to_owned(),
            channel_id: channel.body["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Waits for the run to finish and takes its chat's first document.
    pub async fn wait_for_chat(&mut self, t: &TestServer) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let chat = t
                .get(&format!("/api/v1/chats/{}", self.chat_id), &t.org_a.api_key)
                .await;
            if let Some(id) = chat.body["documents"][0]["id"].as_str() {
                self.chat_document_id = id.to_owned();
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the target run left no documents: {}",
                chat.body
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub fn path(&self, route: &RouteInfo) -> String {
        let id = if route.path.starts_with("/api/v1/documents") {
            &self.document_id
        } else if route.path.starts_with("/api/v1/runs") {
            &self.run_id
        } else if route.path.starts_with("/api/v1/eval-runs") {
            &self.eval_run_id
        } else if route.path.starts_with("/api/v1/eval-sets") {
            &self.eval_set_id
        } else if route.path.starts_with("/api/v1/kb") {
            &self.kb_article_id
        } else if route.path.contains("/jobs/") {
            &self.job_id
        } else if route.path.contains("chats") {
            &self.chat_id
        } else if route.path.contains("notification-channels") {
            &self.channel_id
        } else if route.path.contains("data-connectors") {
            &self.data_connector_id
        } else if route.path.contains("users") {
            &self.user_id
        } else if route.path.contains("/files") {
            &self.file_source_id
        } else if is_data_source_route(route) {
            &self.data_source_id
        } else if route.path.contains("agent") {
            &self.agent_id
        } else if route.path.contains("sessions") {
            &self.session_id
        } else if route.path.contains("interactions") {
            &self.interaction_id
        } else {
            &self.key_id
        };
        route
            .path
            .replace("{id}", id)
            .replace("{agent_id}", &self.agent_id)
            .replace("{model}", &self.agent_id)
            .replace("{job_id}", &self.job_id)
            .replace("{*name}", "a.md")
            .replace("{version}", "1")
            .replace("{webhook_id}", &self.webhook_id)
            .replace("{delivery_id}", &self.delivery_id)
            .replace("{chunk_id}", &self.chunk_id)
            .replace("{document_id}", &self.chat_document_id)
            + analytics_range(route)
            + &self.compare_query(route)
    }

    /// The two runs `GET /api/v1/eval-runs/compare` compares.
    fn compare_query(&self, route: &RouteInfo) -> String {
        if route.path == "/api/v1/eval-runs/compare" {
            format!("?base={0}&head={0}", self.eval_run_id)
        } else {
            String::new()
        }
    }
}

/// A disabled endpoint (created through the store: the server's rules
/// refuse loopback URLs) and a test delivery to it, whose attempt is refused
/// without network traffic.
async fn target_webhook(t: &TestServer) -> (String, String) {
    let new = grove_store::webhooks::NewWebhook {
        url: "http://127.0.0.1:9/hook".into(),
        events: vec!["*".into()],
        enabled: false,
    };
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let hook = t
        .store
        .create_webhook(&org, new, "whsec_target".into())
        .await
        .unwrap();
    let delivery = t
        .store
        .queue_test_delivery(&org, &hook.id, "webhook.test", json!({}))
        .await
        .unwrap()
        .unwrap();
    (hook.id.as_str().to_owned(), delivery.id.as_str().to_owned())
}

/// A document with one chunk in data source `ds` (its syncs never reach a
/// site), written straight to the index and the store.
async fn target_document(t: &TestServer, ds: &str) -> (String, String) {
    use grove_core::sources::{Document, DocumentStatus};
    use grove_search::chunks::{ChunkInput, ChunkOwner};
    let (id, chunk_id) = (DocumentId::generate(), ChunkId::generate());
    let text = "A is the first letter.";
    let owner = ChunkOwner {
        org_id: t.org_a.org_id.clone(),
        data_source_id: ds.to_owned(),
        document_id: id.to_string(),
    };
    let chunk = ChunkInput {
        chunk_id: chunk_id.to_string(),
        text: text.into(),
        title: "A".into(),
        url: None,
        heading_path: vec!["A".into()],
        start: 0,
        end: text.len(),
    };
    t.search.replace_document(owner, vec![chunk]).await.unwrap();
    let doc = Document {
        id: id.clone(),
        data_source_id: DataSourceId::parse(ds).unwrap(),
        source_key: format!("letters/{id}"),
        title: "A".into(),
        url: None,
        content_hash: Some(format!("{}:512:50", "0".repeat(64))),
        chunks: 1,
        bytes: Some(text.len() as u64),
        status: DocumentStatus::Indexed,
        error: None,
        indexed_at: Some(jiff::Timestamp::now()),
    };
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    t.store.put_document(&org, doc, None).await.unwrap();
    (id.to_string(), chunk_id.to_string())
}

/// The required date range of the analytics routes.
fn analytics_range(route: &RouteInfo) -> &'static str {
    match route.path {
        "/api/v1/analytics" => "?start_date=2026-01-01&end_date=2026-01-31",
        "/api/analytics/charts/dashboard" => "?startDate=2026-01-01&endDate=2026-01-31",
        _ => "",
    }
}

fn is_data_source_route(route: &RouteInfo) -> bool {
    route.path.contains("data-sources") || route.path.contains("data-specs")
}

/// Answers that mean the route passed its guard though the sample request
/// did not succeed: a sync or job run while one is queued (409), and an
/// upload without a multipart body (400; uploads have their own tests).
pub fn passed_the_guard(route: &RouteInfo, status: StatusCode) -> bool {
    let sync = route.path.ends_with("/sync")
        || route.path.ends_with("/process")
        || route.path.ends_with("/trigger")
        || route.path.ends_with("/runs");
    let upload = route.method == Method::POST && route.path.ends_with("/files");
    // An article from a review needs an edited answer first (own tests).
    let from_review = route.path.ends_with("/kb-article");
    ((sync || from_review) && status == StatusCode::CONFLICT)
        || (upload && status == StatusCode::BAD_REQUEST)
}

/// A valid body for routes that take one; `n` keeps unique fields unique.
pub fn sample_body(route: &RouteInfo, n: usize, org_id: &str, targets: &Targets) -> Option<Value> {
    let users = route.path.contains("users");
    let agents = route.path.contains("agent");
    match route.method {
        Method::POST if route.path == "/api/v1/agents" => Some(json!({
            "name": format!("Agent {n}"), "data_source_ids": [targets.file_source_id]
        })),
        Method::POST if route.path == "/api/ai-agent-managers" => Some(json!({
            "name": format!("Agent {n}"), "strategyCode": "CEDAR",
            "dataSourceIds": [targets.file_source_id]
        })),
        Method::POST if route.path == "/api/v1/notification-channels" => Some(channel_body(n)),
        Method::POST if route.path == "/api/v1/data-connectors" => Some(json!({
            "name": format!("db{n}"), "type": "sqlite", "config": {"path": targets.database_path}
        })),
        Method::PUT if route.path == "/api/v1/organization/settings" => {
            Some(json!({ "default_model": "extractive" }))
        }
        Method::PUT if route.path.starts_with("/api/v1/data-connectors") => {
            Some(json!({ "max_rows": 100 + n }))
        }
        Method::POST if route.path == "/api/v1/data-connectors/{id}/query" => {
            Some(json!({ "sql": "SELECT region, sum(total) AS total FROM orders GROUP BY region" }))
        }
        Method::POST if route.path.ends_with("/jobs") => Some(json!({
            "name": format!("Job {n}"), "prompt": "What is A?"
        })),
        Method::POST if route.path == "/v1/chat/completions" => Some(json!({
            "model": targets.agent_id, "messages": [{"role": "user", "content": "What is A?"}]
        })),
        Method::POST if route.path == "/api/v1/chats" => Some(json!({
            "agent_id": targets.agent_id, "message": "What is A?"
        })),
        Method::POST if route.path == "/api/v1/eval-sets" => {
            Some(crate::evals::eval_set_body(&format!("Set {n}")))
        }
        Method::POST if route.path == "/api/v1/eval-sets/{id}/runs" => {
            Some(json!({ "agent_id": targets.agent_id }))
        }
        Method::POST
            if route.path.ends_with("/runs")
                || route.path.ends_with("/trigger")
                || route.path.ends_with("/cancel") =>
        {
            None
        }
        Method::POST if route.path == "/api/v1/query" => Some(json!({
            "agent_id": targets.agent_id, "query": "What is A?"
        })),
        Method::POST if route.path == "/api/chat" => Some(json!({
            "agentId": targets.agent_id, "prompt": "What is A?"
        })),
        Method::POST if route.path.ends_with("{id}/feedback") => {
            Some(json!({ "feedback": "positive", "comment": "fine" }))
        }
        Method::POST if route.path == "/api/interactions/feedback" => Some(json!({
            "interactionId": targets.interaction_id, "rating": 5
        })),
        Method::PUT if agents => Some(json!({ "description": format!("Changed {n}") })),
        Method::POST if route.path == "/api/v1/kb" => Some(json!({
            "title": format!("Article {n}"), "content": "Some text.", "tags": ["t"]
        })),
        Method::PUT if route.path.starts_with("/api/v1/kb") => {
            Some(json!({ "title": format!("Retitled {n}") }))
        }
        Method::POST if route.path.ends_with("/restore") || route.path.ends_with("/kb-article") => {
            None
        }
        Method::PATCH if route.path.starts_with("/api/v1/interactions") => {
            Some(json!({ "review_status": "accurate" }))
        }
        Method::POST if route.path.contains("{id}") && is_data_source_route(route) => {
            Some(json!({}))
        }
        Method::POST if route.path == "/api/data-specs" => Some(json!({
            "type": "WEBSITE", "name": format!("spec{n}"), "url": "http://127.0.0.1:9/"
        })),
        Method::POST if is_data_source_route(route) => Some(data_source_body(n)),
        // Endpoints stay disabled: no event is ever sent off the machine.
        Method::POST if route.path == "/api/v1/webhooks" => Some(json!({
            "url": format!("https://hooks.example.com/{n}"), "events": ["*"], "enabled": false
        })),
        Method::POST if route.path == "/api/webhooks" => Some(json!({
            "url": format!("https://hooks.example.com/{n}"), "events": ["*"],
            "secret": "a-secret-of-16-chars-or-more", "enabled": false
        })),
        Method::PUT if route.path.starts_with("/api/v1/webhooks") => {
            Some(json!({ "enabled": false }))
        }
        Method::POST if route.path.contains("/api/v1/webhooks/") => None,
        Method::POST if route.path.ends_with("/test") => None,
        Method::POST if route.path.contains("semantic-search") => {
            Some(json!({ "query": "anything", "org_id": org_id }))
        }
        Method::POST if users => {
            Some(json!({ "email": format!("u{n}@a.example"), "name": "U", "role": "train" }))
        }
        Method::POST => Some(json!({ "name": format!("k{n}"), "scopes": ["read"] })),
        Method::PUT => Some(json!({ "name": format!("Renamed {n}") })),
        _ => None,
    }
}

/// Destructive routes last, so the targets exist for the others.
pub fn ordered_routes() -> Vec<RouteInfo> {
    let mut routes = route_infos();
    routes.sort_by_key(|r| r.method == Method::DELETE);
    routes
}

#[tokio::test]
async fn every_route_enforces_its_scope() {
    let t = TestServer::start().await;
    let mut keys = Vec::new();
    for scope in ["read", "write", "execute", "admin"] {
        keys.push((scope, t.key_with(&[scope], &[]).await.0));
    }
    let trigger_only = t.key_with(&[], &["agent_jobs_trigger"]).await.0;
    let mut n = 0;
    for (r, route) in ordered_routes().into_iter().enumerate() {
        // Fresh targets per route, so a DELETE has something to delete.
        let mut targets = Targets::create(&t, r).await;
        if route.path.contains("{document_id}") {
            targets.wait_for_chat(&t).await;
        }
        let mut path = targets.path(&route);
        let required = route.requirement.scope.as_str();
        for (scope, key) in &keys {
            n += 1;
            if route.method == Method::DELETE {
                // Each allowed key deletes something that exists.
                targets = Targets::create(&t, 1000 + n).await;
                path = targets.path(&route);
            }
            let reply = t
                .call(
                    route.method.clone(),
                    &path,
                    Some(key),
                    sample_body(&route, n, &t.org_a.org_id, &targets),
                )
                .await;
            let allowed = *scope == "admin" || *scope == required;
            if allowed {
                assert!(
                    reply.status.is_success() || passed_the_guard(&route, reply.status),
                    "{} {path} with `{scope}` should pass: {} {}",
                    route.method,
                    reply.status,
                    reply.body
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{} {path} with `{scope}`",
                    route.method
                );
                assert_eq!(reply.error_code(), "forbidden");
                assert_eq!(reply.body["error"]["details"]["required_scope"], required);
            }
        }
        if route.requirement.or_permission != Some("agent_jobs_trigger") {
            let reply = t
                .call(
                    route.method.clone(),
                    &path,
                    Some(&trigger_only),
                    sample_body(&route, 0, &t.org_a.org_id, &targets),
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{} {path} with a permission-only key",
                route.method
            );
        }
    }
}
