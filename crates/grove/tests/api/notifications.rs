//! Notification channels: CRUD and validation over HTTP; delivery by the
//! real notifier to receivers on loopback — an SMTP server spoken to line by
//! line, Slack and Teams webhooks, the Teams one failing its first attempt to
//! show the queue's retry — end to end from a job's run; and the notifier on
//! its own: channels deleted, disabled or narrowed get nothing, a failing
//! webhook and an absent SMTP server are errors the queue retries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use grove_core::config::Config;
use grove_core::ids::{AgentId, ChannelId, OrgId, QueueItemId};
use grove_core::jobs::{Initiator, RetryPolicy};
use grove_jobs::notify::Notifier;
use grove_store::queue::{JobHandler, Leased};
use grove_store::{NewJob, PlannedRun, TriggerOutcome, TriggerRequest, NOTIFY_KIND};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::common::{upload, wait_for_sync, TestServer};

const CHANNELS: &str = "/api/v1/notification-channels";

// ---------------------------------------------------------------- receivers

/// A message as the SMTP receiver took it.
#[derive(Debug, Clone, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server: greeting, EHLO/HELO, MAIL, RCPT, DATA (with
/// dot-unstuffing), RSET, NOOP, QUIT. Keeps every message.
async fn smtp_receiver() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let sink = mails.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let _ = smtp_session(socket, sink).await;
            });
        }
    });
    (port, mails)
}

async fn smtp_session(socket: TcpStream, sink: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 grove-test ESMTP\r\n").await?;
    let mut mail = Mail::default();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 grove-test\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            mail = Mail {
                from: line[10..].trim().to_owned(),
                ..Mail::default()
            };
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            mail.to.push(line[8..].trim().to_owned());
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            while let Some(line) = lines.next_line().await? {
                if line == "." {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
                data.push('\n');
            }
            mail.data = data;
            sink.lock().unwrap().push(std::mem::take(&mut mail));
            b"250 OK queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 OK\r\n"
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

/// Webhook receivers at `/<name>`, recording every attempt's JSON body.
/// `/teams` answers 500 to its first attempt, `/gone` always 404; the rest
/// answer 200.
#[derive(Clone, Default)]
struct Hooks {
    calls: Arc<Mutex<HashMap<String, Vec<Value>>>>,
}

impl Hooks {
    fn bodies(&self, name: &str) -> Vec<Value> {
        self.calls
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .unwrap_or_default()
    }

    fn total(&self) -> usize {
        self.calls.lock().unwrap().values().map(Vec::len).sum()
    }
}

async fn hook(
    State(hooks): State<Hooks>,
    Path(name): Path<String>,
    axum::Json(body): axum::Json<Value>,
) -> (axum::http::StatusCode, &'static str) {
    let attempt = {
        let mut calls = hooks.calls.lock().unwrap();
        let bodies = calls.entry(name.clone()).or_default();
        bodies.push(body);
        bodies.len()
    };
    match name.as_str() {
        "teams" if attempt == 1 => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "busy"),
        "gone" => (axum::http::StatusCode::NOT_FOUND, "no_service"),
        _ => (axum::http::StatusCode::OK, "ok"),
    }
}

async fn webhook_receivers() -> (String, Hooks) {
    let hooks = Hooks::default();
    let app = axum::Router::new()
        .route("/{name}", axum::routing::post(hook))
        .with_state(hooks.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), hooks)
}

/// Polls `check` until it gives a value (two minutes at most).
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------- helpers

async fn create_channel(t: &TestServer, body: Value) -> Value {
    let reply = t.post(CHANNELS, &t.org_a.api_key, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().unwrap().to_owned()
}

/// A knowledge agent over a synced file source.
async fn knowledge_agent(t: &TestServer) -> String {
    let ds = t
        .post(
            "/api/v1/data-sources",
            &t.org_a.api_key,
            json!({"type": "file", "name": "Handbook"}),
        )
        .await;
    let source = id_of(&ds.body);
    let doc = "# Retention\n\nSessions are deleted after thirty days without activity.\n";
    let uploaded = upload(
        t,
        &t.org_a.api_key,
        &source,
        &[("retention.md", doc.as_bytes().to_vec())],
    )
    .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let status = wait_for_sync(t, &t.org_a.api_key, &source).await;
    assert_eq!(status["sync_status"], "succeeded", "{status}");
    let agent = t
        .post(
            "/api/v1/agents",
            &t.org_a.api_key,
            json!({"name": "Handbook agent", "data_source_ids": [source], "similarity_threshold": 0.1}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    id_of(&agent.body)
}

// ---------------------------------------------------------------- CRUD

#[tokio::test]
async fn channels_are_created_listed_updated_and_deleted() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;
    let email = create_channel(
        &t,
        json!({"name": "  Ops mail  ", "kind": "email", "config": {"to": ["ops@example.com", "lead@example.com"]}}),
    )
    .await;
    assert!(email["id"].as_str().unwrap().starts_with("nch_"));
    assert_eq!(email["name"], "Ops mail");
    assert_eq!(email["kind"], "email");
    assert_eq!(email["config"]["to"][1], "lead@example.com");
    // Defaults.
    assert_eq!(email["min_level"], "info");
    assert_eq!(email["topics"], json!(["completed_run", "failed_run"]));
    assert_eq!(email["enabled"], true);
    assert_eq!(email["org_id"], t.org_a.org_id);
    assert!(email["created_at"].is_string() && email["updated_at"].is_string());

    // Webhook URLs are credentials: shown masked, stored whole.
    let secret = "https://hooks.slack.com/services/T000/B000/secret";
    let slack = create_channel(
        &t,
        json!({"name": "Alerts", "kind": "slack", "config": {"webhook_url": secret},
               "min_level": "error", "topics": ["failed_run", "failed_run"], "enabled": false}),
    )
    .await;
    let slack_id = id_of(&slack);
    assert_eq!(
        slack["config"]["webhook_url"],
        "https://hooks.slack.com/********"
    );
    assert!(!slack.to_string().contains("secret"));
    assert_eq!(slack["min_level"], "error");
    assert_eq!(slack["topics"], json!(["failed_run"]));
    assert_eq!(slack["enabled"], false);
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let channel_id = ChannelId::parse(&slack_id).unwrap();
    let stored = t
        .store
        .get_channel(&org, &channel_id)
        .await
        .unwrap()
        .unwrap();
    // Stored sealed; opened, it is the URL given.
    let sealed = stored.config["webhook_url"].as_str().unwrap();
    assert!(sealed.starts_with("sealed:v1:"), "{sealed}");
    let opened = t.store.reveal_config(&stored.config).await.unwrap();
    assert_eq!(opened["webhook_url"], secret);

    let teams = create_channel(
        &t,
        json!({"name": "Team", "kind": "teams", "config": {"webhook_url": "http://127.0.0.1:9/teams"}}),
    )
    .await;

    let one = t.get(&format!("{CHANNELS}/{slack_id}"), key).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body, slack);

    let list = t.get(&format!("{CHANNELS}?limit=2"), key).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 3);
    assert_eq!(list.body["limit"], 2);
    assert_eq!(list.body["offset"], 0);
    let rest = t.get(&format!("{CHANNELS}?offset=2"), key).await;
    assert_eq!(rest.body["total"], 3);
    let mut listed: Vec<Value> = list.body["channels"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    listed.extend(rest.body["channels"].as_array().unwrap().iter().cloned());
    let mut ids: Vec<&str> = listed.iter().map(|c| c["id"].as_str().unwrap()).collect();
    ids.sort();
    let mut expected = [&email, &slack, &teams].map(|c| c["id"].as_str().unwrap());
    expected.sort();
    assert_eq!(ids, expected);
    let teams_listed = listed.iter().find(|c| c["id"] == teams["id"]).unwrap();
    assert_eq!(
        teams_listed["config"]["webhook_url"],
        "http://127.0.0.1:9/********"
    );

    // PUT changes what it names and keeps the rest; the masked URL sent
    // back as shown keeps the stored one.
    let path = format!("{CHANNELS}/{slack_id}");
    let updated = t
        .call(
            Method::PUT,
            &path,
            Some(key),
            Some(
                json!({"name": "Alerts (all)", "enabled": true, "min_level": "info",
                        "config": {"webhook_url": "https://hooks.slack.com/********"}}),
            ),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["name"], "Alerts (all)");
    assert_eq!(updated.body["enabled"], true);
    assert_eq!(updated.body["min_level"], "info");
    assert_eq!(updated.body["topics"], json!(["failed_run"]));
    let stored = t
        .store
        .get_channel(&org, &channel_id)
        .await
        .unwrap()
        .unwrap();
    let opened = t.store.reveal_config(&stored.config).await.unwrap();
    assert_eq!(opened["webhook_url"], secret);
    // A new URL replaces it.
    let moved = t
        .call(
            Method::PUT,
            &path,
            Some(key),
            Some(
                json!({"config": {"webhook_url": "https://hooks.slack.com/services/T1/B1/other"}}),
            ),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let stored = t
        .store
        .get_channel(&org, &channel_id)
        .await
        .unwrap()
        .unwrap();
    let opened = t.store.reveal_config(&stored.config).await.unwrap();
    assert!(opened["webhook_url"].as_str().unwrap().ends_with("/other"));
    // A new kind needs its config.
    let no_config = t
        .call(
            Method::PUT,
            &path,
            Some(key),
            Some(json!({"kind": "email"})),
        )
        .await;
    assert_eq!(no_config.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_config.body["error"]["details"]["field"], "config");
    let to_email = t
        .call(
            Method::PUT,
            &path,
            Some(key),
            Some(json!({"kind": "email", "config": {"to": ["a@example.com"]}})),
        )
        .await;
    assert_eq!(to_email.status, StatusCode::OK, "{}", to_email.body);
    assert_eq!(to_email.body["kind"], "email");

    let deleted = t.call(Method::DELETE, &path, Some(key), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    for method in [Method::GET, Method::DELETE] {
        let gone = t.call(method, &path, Some(key), None).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert_eq!(gone.error_code(), "not_found");
    }
    let gone = t
        .call(Method::PUT, &path, Some(key), Some(json!({"name": "x"})))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get(CHANNELS, key).await.body["total"], 2);

    // Another organisation sees none of them.
    let other = t.get(CHANNELS, &t.org_b.api_key).await;
    assert_eq!(other.body["total"], 0);
    let foreign = t
        .get(
            &format!("{CHANNELS}/{}", teams["id"].as_str().unwrap()),
            &t.org_b.api_key,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_channels_get_400_naming_the_field_and_write_nothing() {
    let t = TestServer::start().await;
    let key = &t.org_a.api_key;
    let hook = json!({"webhook_url": "https://hooks.example.com/x"});
    let cases = [
        (json!({"kind": "slack", "config": hook}), "name"),
        (
            json!({"name": "   ", "kind": "slack", "config": hook}),
            "name",
        ),
        (
            json!({"name": "x".repeat(201), "kind": "slack", "config": hook}),
            "name",
        ),
        (json!({"name": "n", "config": hook}), "kind"),
        (json!({"name": "n", "kind": "sms", "config": hook}), "kind"),
        (json!({"name": "n", "kind": "slack"}), "config"),
        (
            json!({"name": "n", "kind": "slack", "config": "https://x.example"}),
            "config",
        ),
        (
            json!({"name": "n", "kind": "slack", "config": {}}),
            "config.webhook_url",
        ),
        (
            json!({"name": "n", "kind": "slack", "config": {"webhook_url": "ftp://x.example/h"}}),
            "config.webhook_url",
        ),
        (
            json!({"name": "n", "kind": "teams", "config": {"webhook_url": "not a url"}}),
            "config.webhook_url",
        ),
        (
            json!({"name": "n", "kind": "teams", "config": {"webhook_url": 5}}),
            "config.webhook_url",
        ),
        (
            json!({"name": "n", "kind": "slack", "config": {"webhook_url": "https://x.example/h", "channel": "#ops"}}),
            "config.channel",
        ),
        (
            json!({"name": "n", "kind": "email", "config": {"to": []}}),
            "config.to",
        ),
        (
            json!({"name": "n", "kind": "email", "config": {"to": "a@example.com"}}),
            "config.to",
        ),
        (
            json!({"name": "n", "kind": "email", "config": {"to": ["not-an-address"]}}),
            "config.to",
        ),
        (
            json!({"name": "n", "kind": "email", "config": {"to": [5]}}),
            "config.to",
        ),
        (
            json!({"name": "n", "kind": "email", "config": {"to": ["a@example.com"], "cc": ["b@example.com"]}}),
            "config.cc",
        ),
        (
            json!({"name": "n", "kind": "email", "config": {"webhook_url": "https://x.example/h"}}),
            "config.webhook_url",
        ),
        (
            json!({"name": "n", "kind": "slack", "config": hook, "min_level": "debug"}),
            "min_level",
        ),
        (
            json!({"name": "n", "kind": "slack", "config": hook, "topics": []}),
            "topics",
        ),
        (
            json!({"name": "n", "kind": "slack", "config": hook, "topics": ["started_run"]}),
            "topics[0]",
        ),
        (
            json!({"name": "n", "kind": "slack", "config": hook, "enabled": "yes"}),
            "enabled",
        ),
        (
            json!({"name": "n", "kind": "slack", "config": hook, "color": "red"}),
            "color",
        ),
    ];
    for (body, field) in cases {
        let reply = t.post(CHANNELS, key, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "invalid_request");
        assert_eq!(
            reply.body["error"]["details"]["field"], field,
            "{body}: {}",
            reply.body
        );
    }
    assert_eq!(t.get(CHANNELS, key).await.body["total"], 0);

    // The same checks on update, and the id is checked first.
    let channel = create_channel(
        &t,
        json!({"name": "n", "kind": "email", "config": {"to": ["a@example.com"]}}),
    )
    .await;
    let path = format!("{CHANNELS}/{}", id_of(&channel));
    for (body, field) in [
        (json!({"config": {"to": ["nope"]}}), "config.to"),
        (json!({"name": ""}), "name"),
        (json!({"topics": []}), "topics"),
        (json!({"kind": "teams"}), "config"),
        (json!({"id": "nch_x"}), "id"),
    ] {
        let reply = t
            .call(Method::PUT, &path, Some(key), Some(body.clone()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.body["error"]["details"]["field"], field, "{body}");
    }
    let unchanged = t.get(&path, key).await;
    assert_eq!(unchanged.body, channel);
    let bad_id = t.get(&format!("{CHANNELS}/agt_123"), key).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_id.body["error"]["details"]["field"], "id");
}

// ---------------------------------------------------------------- delivery

#[tokio::test]
async fn a_finished_run_is_announced_on_every_channel_of_its_job() {
    let (smtp_port, mails) = smtp_receiver().await;
    let (hooks_base, hooks) = webhook_receivers().await;
    let t = TestServer::start_with(|c| {
        c.allow_private_networks = true; // the receivers are on loopback
        c.jobs.smtp.host = "127.0.0.1".into();
        c.jobs.smtp.port = smtp_port;
        c.jobs.smtp.timeout_seconds = 10;
        c.jobs.public_url = "http://grove.test/".into();
        c.queue.backoff_base_ms = 100;
        c.queue.backoff_max_ms = 1_000;
        c.queue.poll_interval_ms = 50;
    })
    .await;
    let key = &t.org_a.api_key;
    let agent = knowledge_agent(&t).await;

    let email = create_channel(
        &t,
        json!({"name": "Ops mail", "kind": "email",
               "config": {"to": ["ops@example.com", "lead@example.com"]}}),
    )
    .await;
    let slack = create_channel(
        &t,
        json!({"name": "Slack", "kind": "slack", "config": {"webhook_url": format!("{hooks_base}/slack")}}),
    )
    .await;
    let teams = create_channel(
        &t,
        json!({"name": "Teams", "kind": "teams", "config": {"webhook_url": format!("{hooks_base}/teams")}}),
    )
    .await;
    // Neither of these takes a succeeded run.
    let failures_only = create_channel(
        &t,
        json!({"name": "Failures", "kind": "slack", "topics": ["failed_run"],
               "config": {"webhook_url": format!("{hooks_base}/never")}}),
    )
    .await;
    let errors_only = create_channel(
        &t,
        json!({"name": "Errors", "kind": "slack", "min_level": "error",
               "config": {"webhook_url": format!("{hooks_base}/never")}}),
    )
    .await;
    let disabled = create_channel(
        &t,
        json!({"name": "Off", "kind": "teams", "enabled": false,
               "config": {"webhook_url": format!("{hooks_base}/never")}}),
    )
    .await;
    let channel_ids: Vec<String> = [
        &email,
        &slack,
        &teams,
        &failures_only,
        &errors_only,
        &disabled,
    ]
    .iter()
    .map(|c| id_of(c))
    .collect();

    let job = t
        .post(
            &format!("/api/v1/agents/{agent}/jobs"),
            key,
            json!({"name": "Weekly report", "prompt": "How long are sessions kept?",
                   "channel_ids": channel_ids}),
        )
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{}", job.body);
    let job_id = id_of(&job.body);
    let triggered = t
        .post(&format!("/api/v1/jobs/{job_id}/runs"), key, json!({}))
        .await;
    assert!(triggered.status.is_success(), "{}", triggered.body);
    let run = &triggered.body["runs"][0];
    let run_id = run["id"].as_str().unwrap().to_owned();
    let chat_id = run["chat_id"].as_str().unwrap().to_owned();
    let link = format!("http://grove.test/api/v1/chats/{chat_id}");

    // Email: one message to both recipients, from the configured sender.
    let mail = eventually("the email", || mails.lock().unwrap().first().cloned()).await;
    assert_eq!(mail.from, "<grove@localhost>");
    let mut to = mail.to.clone();
    to.sort();
    assert_eq!(to, ["<lead@example.com>", "<ops@example.com>"]);
    assert!(
        mail.data
            .contains("Subject: [Grove] Job \"Weekly report\" succeeded"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("To: "), "{}", mail.data);
    for part in [
        "Status:",
        "succeeded",
        "Started by:",
        "Attempts:",
        "Duration:",
        run_id.as_str(),
        link.as_str(),
    ] {
        assert!(
            mail.data.contains(part),
            "{part} missing from\n{}",
            mail.data
        );
    }

    // Slack: a fallback text and section blocks ending with the link.
    let slack_body = eventually("the Slack message", || {
        hooks.bodies("slack").first().cloned()
    })
    .await;
    assert_eq!(slack_body["text"], "Job \"Weekly report\" succeeded");
    let blocks = slack_body["blocks"].as_array().unwrap();
    assert!(
        blocks.iter().all(|b| b["type"] == "section"),
        "{slack_body}"
    );
    assert!(blocks[0]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("*Job \"Weekly report\" succeeded*"));
    assert!(slack_body.to_string().contains(&run_id));
    assert_eq!(
        blocks.last().unwrap()["text"]["text"],
        format!("<{link}|Open the chat>")
    );

    // Teams: the first attempt got a 500; the queue retried with backoff.
    let teams_bodies = eventually("the Teams retry", || {
        let bodies = hooks.bodies("teams");
        (bodies.len() >= 2).then_some(bodies)
    })
    .await;
    assert_eq!(
        teams_bodies[0], teams_bodies[1],
        "the retry sends the same card"
    );
    let card = &teams_bodies[1];
    assert_eq!(card["type"], "message");
    let attachment = &card["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let content = &attachment["content"];
    assert_eq!(content["type"], "AdaptiveCard");
    assert_eq!(content["version"], "1.4");
    assert_eq!(content["body"][0]["type"], "TextBlock");
    assert_eq!(
        content["body"][0]["text"],
        "Job \"Weekly report\" succeeded"
    );
    let facts = content["body"][1]["facts"].as_array().unwrap();
    assert!(facts
        .iter()
        .any(|f| f["title"] == "Status" && f["value"] == "succeeded"));
    assert_eq!(content["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(content["actions"][0]["url"], link);

    // Nothing else arrives: one email, one Slack post, two Teams attempts,
    // nothing for the channels that do not take a succeeded run.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(mails.lock().unwrap().len(), 1);
    assert_eq!(hooks.bodies("slack").len(), 1);
    assert_eq!(hooks.bodies("teams").len(), 2);
    assert!(
        hooks.bodies("never").is_empty(),
        "{:?}",
        hooks.bodies("never")
    );
    assert_eq!(hooks.total(), 3);

    // The deliveries API: Teams' delivery with its failed then delivered
    // attempt; none for the channels that took nothing.
    let teams_id = id_of(&teams);
    let listed = t
        .get(&format!("{CHANNELS}/{teams_id}/deliveries"), key)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["total"], 1, "{}", listed.body);
    let delivery = &listed.body["deliveries"][0];
    assert!(
        delivery["id"].as_str().unwrap().starts_with("ntf_"),
        "{delivery}"
    );
    assert_eq!(delivery["event"], "job.run.succeeded");
    assert_eq!(delivery["run_id"], run_id.as_str());
    assert_eq!(delivery["status"], "delivered", "{delivery}");
    assert_eq!(delivery["next_attempt_at"], Value::Null);
    let attempts = delivery["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{delivery}");
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[0]["status"], "failed");
    assert!(
        attempts[0]["error"].as_str().unwrap().contains("500"),
        "{delivery}"
    );
    assert_eq!(attempts[1]["attempt"], 2);
    assert_eq!(attempts[1]["status"], "delivered");
    assert_eq!(attempts[1]["error"], Value::Null);
    assert!(attempts[1]["latency_ms"].is_u64());
    for quiet in [&failures_only, &disabled] {
        let listed = t
            .get(&format!("{CHANNELS}/{}/deliveries", id_of(quiet)), key)
            .await;
        assert_eq!(listed.body["total"], 0, "{}", listed.body);
    }
    let slack_listed = t
        .get(&format!("{CHANNELS}/{}/deliveries", id_of(&slack)), key)
        .await;
    assert_eq!(slack_listed.body["deliveries"][0]["status"], "delivered");
    // Another organisation sees none of it.
    let foreign = t
        .get(
            &format!("{CHANNELS}/{teams_id}/deliveries"),
            &t.org_b.api_key,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);

    // A test message: sent at once, answered with its delivered attempt.
    let tested = t
        .post(
            &format!("{CHANNELS}/{}/test", id_of(&slack)),
            key,
            json!({}),
        )
        .await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.body);
    assert_eq!(tested.body["event"], "test");
    assert_eq!(tested.body["run_id"], Value::Null);
    assert_eq!(tested.body["status"], "delivered", "{}", tested.body);
    assert_eq!(tested.body["attempts"][0]["status"], "delivered");
    let test_body = hooks.bodies("slack").last().cloned().unwrap();
    assert!(
        test_body["text"]
            .as_str()
            .unwrap()
            .contains("test message from Grove: the channel \"Slack\" receives job notifications"),
        "{test_body}"
    );
    let slack_listed = t
        .get(&format!("{CHANNELS}/{}/deliveries", id_of(&slack)), key)
        .await;
    assert_eq!(slack_listed.body["total"], 2, "{}", slack_listed.body);
    assert_eq!(
        slack_listed.body["deliveries"][0]["event"], "test",
        "newest first"
    );

    // The link leads to the run's chat.
    let chat = t.get(&format!("/api/v1/chats/{chat_id}"), key).await;
    assert_eq!(chat.status, StatusCode::OK, "{}", chat.body);

    // A deleted channel leaves its jobs.
    let slack_id = id_of(&slack);
    let deleted = t
        .call(
            Method::DELETE,
            &format!("{CHANNELS}/{slack_id}"),
            Some(key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let job = t.get(&format!("/api/v1/jobs/{job_id}"), key).await;
    assert_eq!(job.status, StatusCode::OK, "{}", job.body);
    let remaining: Vec<&str> = job.body["channel_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(remaining.len(), channel_ids.len() - 1);
    assert!(!remaining.contains(&slack_id.as_str()));
}

fn item(org: Option<&OrgId>, channel: &str, run: &str, level: &str, topic: &str) -> Leased {
    Leased {
        id: QueueItemId::generate(),
        kind: NOTIFY_KIND.to_owned(),
        payload: json!({"channel_id": channel, "run_id": run, "level": level, "topic": topic}),
        org_id: org.cloned(),
        attempts: 1,
        max_attempts: 5,
        lease_token: "test".into(),
    }
}

#[tokio::test]
async fn the_notifier_drops_what_is_gone_and_reports_failed_deliveries() {
    let (hooks_base, hooks) = webhook_receivers().await;
    let t = TestServer::start().await;
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let org_b = OrgId::parse(&t.org_b.org_id).unwrap();

    // A job and a run, straight through the store (the job has no
    // channels, so the server itself sends nothing).
    let ds = t
        .post(
            "/api/v1/data-sources",
            &t.org_a.api_key,
            json!({"type": "file", "name": "Empty"}),
        )
        .await;
    let agent = t
        .post(
            "/api/v1/agents",
            &t.org_a.api_key,
            json!({"name": "Agent", "data_source_ids": [id_of(&ds.body)]}),
        )
        .await;
    let agent_id = AgentId::parse(&id_of(&agent.body)).unwrap();
    let job = t
        .store
        .create_job(
            &org,
            NewJob {
                agent_id,
                name: "Direct job".into(),
                prompt: "Report on {{region}}".into(),
                parameters: Vec::new(),
                schedule: None,
                timezone: "UTC".into(),
                schedule_enabled: false,
                parameter_sets: Vec::new(),
                fan_out_concurrency: 1,
                timeout_seconds: 60,
                retry: RetryPolicy::default(),
                channel_ids: Vec::new(),
                next_run_at: None,
                queries: Vec::new(),
            },
        )
        .await
        .unwrap();
    let mut parameters = serde_json::Map::new();
    parameters.insert("region".into(), json!("EU"));
    let outcome = t
        .store
        .trigger_job(
            &org,
            &job.id,
            TriggerRequest {
                initiator: Initiator::Api,
                runs: vec![PlannedRun {
                    parameters,
                    prompt: "Report on EU".into(),
                }],
                schedule: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    let runs = match outcome {
        TriggerOutcome::Started(runs) => runs,
        other => panic!("the trigger did not start a run: {other:?}"),
    };
    let run_id = runs[0].id.as_str().to_owned();
    let chat_id = runs[0].chat_id.clone().unwrap();

    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut config = Config::default();
    config.jobs.public_url = "http://grove.test".into();
    config.jobs.smtp.port = closed_port;
    config.jobs.smtp.timeout_seconds = 5;
    // By default webhooks on loopback are refused, as crawls are.
    let guarded = Notifier::new(t.store.clone(), Arc::new(config.clone())).unwrap();
    config.allow_private_networks = true;
    let notifier = Notifier::new(t.store.clone(), Arc::new(config)).unwrap();

    let hook_channel = |name: &str, url: String, extra: Value| {
        let mut body = json!({"name": name, "kind": "slack", "config": {"webhook_url": url}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let ok = id_of(
        &create_channel(
            &t,
            hook_channel("ok", format!("{hooks_base}/slack"), json!({})),
        )
        .await,
    );
    let disabled = id_of(
        &create_channel(
            &t,
            hook_channel(
                "off",
                format!("{hooks_base}/never"),
                json!({"enabled": false}),
            ),
        )
        .await,
    );
    let failures = id_of(
        &create_channel(
            &t,
            hook_channel(
                "failures",
                format!("{hooks_base}/failures"),
                json!({"topics": ["failed_run"]}),
            ),
        )
        .await,
    );
    let gone_url = format!("{hooks_base}/gone");
    let gone = id_of(&create_channel(&t, hook_channel("gone", gone_url.clone(), json!({}))).await);
    let mail = id_of(
        &create_channel(
            &t,
            json!({"name": "mail", "kind": "email", "config": {"to": ["ops@example.com"]}}),
        )
        .await,
    );

    let info = |channel: &str| item(Some(&org), channel, &run_id, "info", "completed_run");

    // Nothing to do: an unknown channel, another organisation's item, a
    // disabled channel, a channel that does not take the topic.
    let unknown = ChannelId::generate();
    for leased in [
        info(unknown.as_str()),
        item(Some(&org_b), &ok, &run_id, "info", "completed_run"),
        info(&disabled),
        info(&failures),
    ] {
        assert_eq!(
            notifier.handle(&leased).await,
            Ok(()),
            "{:?}",
            leased.payload
        );
    }
    assert_eq!(hooks.total(), 0);

    let refused = guarded.handle(&info(&ok)).await.unwrap_err();
    assert!(refused.contains("loopback"), "{refused}");
    assert_eq!(hooks.total(), 0);

    // Delivered, with the run's parameters and the chat link.
    notifier.handle(&info(&ok)).await.unwrap();
    let body = hooks.bodies("slack")[0].clone();
    assert!(body["text"]
        .as_str()
        .unwrap()
        .starts_with("Job \"Direct job\""));
    let text = body.to_string();
    assert!(text.contains("region = EU"), "{text}");
    assert!(text.contains(&format!("http://grove.test/api/v1/chats/{chat_id}")));
    // The organisation may ride in the payload instead.
    let mut in_payload = item(None, &ok, &run_id, "info", "completed_run");
    in_payload.payload["org_id"] = json!(t.org_a.org_id);
    notifier.handle(&in_payload).await.unwrap();
    assert_eq!(hooks.bodies("slack").len(), 2);
    // Without one anywhere it is an error.
    let orphan = item(None, &ok, &run_id, "info", "completed_run");
    assert!(notifier.handle(&orphan).await.is_err());

    // The topic it takes is delivered.
    let failed = item(Some(&org), &failures, &run_id, "error", "failed_run");
    notifier.handle(&failed).await.unwrap();
    assert_eq!(hooks.bodies("failures").len(), 1);

    // A webhook answering 404 is an error naming the answer, not the URL.
    let error = notifier.handle(&info(&gone)).await.unwrap_err();
    assert!(
        error.contains("404") && error.contains("no_service"),
        "{error}"
    );
    assert!(!error.contains(&gone_url), "{error}");
    // No SMTP server listening: an error for the queue to retry.
    let error = notifier.handle(&info(&mail)).await.unwrap_err();
    assert!(error.contains("SMTP"), "{error}");

    // The job deleted: the notification names it by id.
    assert!(t.store.delete_job(&org, &job.id).await.unwrap());
    notifier.handle(&info(&ok)).await.unwrap();
    let last = hooks.bodies("slack").last().cloned().unwrap();
    assert!(
        last["text"].as_str().unwrap().contains(job.id.as_str()),
        "{last}"
    );
    assert!(hooks.bodies("never").is_empty());
}
