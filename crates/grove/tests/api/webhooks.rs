//! Outgoing webhooks over real HTTP to a receiver on loopback: signatures
//! checked by an independent HMAC, secret rotation with both signatures,
//! test events, retries on the configured schedule, an endpoint disabled by
//! a user and one disabled by failing every attempt, re-sending, the legacy
//! route with a caller's secret, and validation. Restarts are in resume.rs.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::receiver::{verify, Receiver};
use crate::common::TestServer;

const HOOKS: &str = "/api/v1/webhooks";
const WAIT: Duration = Duration::from_secs(20);
const REPLAY_WINDOW: Duration = Duration::from_secs(300);

async fn server(schedule: Vec<u64>) -> TestServer {
    TestServer::start_with(|c| {
        c.allow_private_networks = true;
        c.webhooks.allow_http = true;
        c.webhooks.retry_schedule_seconds = schedule;
        c.queue.poll_interval_ms = 50;
    })
    .await
}

async fn create_hook(t: &TestServer, url: &str, events: Value) -> (String, String) {
    let reply = t
        .post(
            HOOKS,
            &t.org_a.api_key,
            json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    (
        reply.body["id"].as_str().unwrap().to_owned(),
        reply.body["secret"].as_str().unwrap().to_owned(),
    )
}

async fn create_agent(t: &TestServer, name: &str) -> String {
    let source = t
        .post(
            "/api/v1/data-sources",
            &t.org_a.api_key,
            json!({"type": "file", "name": format!("{name} files")}),
        )
        .await;
    assert_eq!(source.status, StatusCode::CREATED, "{}", source.body);
    let reply = t
        .post(
            "/api/v1/agents",
            &t.org_a.api_key,
            json!({"name": name, "data_source_ids": [source.body["id"]]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn deliveries(t: &TestServer, hook: &str) -> Vec<Value> {
    let reply = t
        .get(&format!("{HOOKS}/{hook}/deliveries"), &t.org_a.api_key)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["deliveries"].as_array().unwrap().clone()
}

/// Polls the endpoint's deliveries until `done` holds.
async fn wait_deliveries(
    t: &TestServer,
    hook: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let list = deliveries(t, hook).await;
        if done(&list) {
            return list;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "deliveries never settled: {list:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn settled(list: &[Value], n: usize) -> bool {
    list.len() == n && list.iter().all(|d| d["status"] != "pending")
}

fn attempt_times(delivery: &Value) -> Vec<jiff::Timestamp> {
    delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["at"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn deliveries_are_signed_and_verify_with_an_independent_hmac() {
    let t = server(vec![1]).await;
    let receiver = Receiver::start().await;
    let (hook, secret) = create_hook(
        &t,
        &receiver.url,
        json!(["agent.created", "agent.updated", "agent.deleted"]),
    )
    .await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    // The secret is shown once: not in reads or lists.
    let shown = t.get(&format!("{HOOKS}/{hook}"), &t.org_a.api_key).await;
    assert_eq!(shown.body["status"], "active");
    assert!(!shown.body.to_string().contains(&secret));
    let listed = t.get(HOOKS, &t.org_a.api_key).await;
    assert_eq!(listed.body["total"], 1);
    assert!(!listed.body.to_string().contains(&secret));

    let agent = create_agent(&t, "Hook watcher").await;
    let renamed = t
        .call(
            Method::PUT,
            &format!("/api/v1/agents/{agent}"),
            Some(&t.org_a.api_key),
            Some(json!({"name": "Hook watcher II"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let deleted = t
        .call(
            Method::DELETE,
            &format!("/api/v1/agents/{agent}"),
            Some(&t.org_a.api_key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let got = receiver.wait_for(3, WAIT).await;
    // Deliveries run side by side (two in flight per endpoint), so they may
    // arrive in any order; each is there once.
    let mut events: Vec<String> = got.iter().map(|r| r.event()).collect();
    events.sort();
    assert_eq!(events, ["agent.created", "agent.deleted", "agent.updated"]);
    for request in &got {
        let body = request.json();
        assert!(
            verify(
                request.header("x-grove-signature"),
                &request.body,
                &secret,
                REPLAY_WINDOW
            ),
            "signature {} does not verify",
            request.header("x-grove-signature")
        );
        assert!(!verify(
            request.header("x-grove-signature"),
            &request.body,
            "whsec_wrong",
            REPLAY_WINDOW
        ));
        // A changed body no longer verifies.
        let mut tampered = request.body.clone();
        tampered.push(b' ');
        assert!(!verify(
            request.header("x-grove-signature"),
            &tampered,
            &secret,
            REPLAY_WINDOW
        ));
        assert_eq!(
            request.header("x-grove-event-id"),
            body["id"].as_str().unwrap()
        );
        assert!(body["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(request.header("content-type"), "application/json");
        assert!(body["timestamp"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok());
        assert_eq!(body["data"]["agent_id"], agent.as_str());
    }
    let updated = got
        .iter()
        .find(|r| r.event() == "agent.updated")
        .expect("an agent.updated delivery");
    assert_eq!(updated.json()["data"]["name"], "Hook watcher II");
    let ids: std::collections::HashSet<&str> =
        got.iter().map(|r| r.header("x-grove-event-id")).collect();
    assert_eq!(ids.len(), 3, "every event has its own id");

    // Rotation: the new secret signs, and the old one still does for a while.
    let rotated = t
        .post(
            &format!("{HOOKS}/{hook}/rotate-secret"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let until: jiff::Timestamp = rotated.body["previous_secret_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let hours = until.duration_since(jiff::Timestamp::now()).as_secs_f64() / 3600.0;
    assert!((23.9..=24.0).contains(&hours), "{hours}");
    create_agent(&t, "After rotation").await;
    let got = receiver.wait_for(4, WAIT).await;
    let last = &got[3];
    let header = last.header("x-grove-signature");
    assert_eq!(header.matches("v1=").count(), 2, "{header}");
    assert!(verify(header, &last.body, &new_secret, REPLAY_WINDOW));
    assert!(verify(header, &last.body, &secret, REPLAY_WINDOW));

    // A test event: one attempt, reported in the answer.
    let test = t
        .post(&format!("{HOOKS}/{hook}/test"), &t.org_a.api_key, json!({}))
        .await;
    assert_eq!(test.status, StatusCode::OK, "{}", test.body);
    assert_eq!(test.body["status"], "succeeded");
    assert_eq!(test.body["event"], "webhook.test");
    assert_eq!(test.body["attempts"][0]["status_code"], 200);
    let got = receiver.wait_for(5, WAIT).await;
    assert_eq!(got[4].event(), "webhook.test");
    assert!(verify(
        got[4].header("x-grove-signature"),
        &got[4].body,
        &new_secret,
        REPLAY_WINDOW
    ));
    t.stop().await;
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_on_schedule_then_disabled_without_holding_back_others() {
    let t = server(vec![1, 2]).await;
    let broken = Receiver::start().await;
    broken.answer_with(500);
    let healthy = Receiver::start().await;
    let (broken_hook, _) = create_hook(&t, &broken.url, json!(["agent.created"])).await;
    let (healthy_hook, _) = create_hook(&t, &healthy.url, json!(["*"])).await;
    // Switched off by a user: gets nothing.
    let off = Receiver::start().await;
    let (off_hook, _) = create_hook(&t, &off.url, json!(["agent.created"])).await;
    let disabled = t
        .call(
            Method::PUT,
            &format!("{HOOKS}/{off_hook}"),
            Some(&t.org_a.api_key),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert_eq!(disabled.body["status"], "disabled");
    assert_eq!(disabled.body["status_message"], "disabled by a user");

    create_agent(&t, "First").await;
    // The healthy endpoint has it at once, while the broken one is retrying.
    let got = healthy.wait_for(1, WAIT).await;
    assert_eq!(got[0].event(), "agent.created");
    let list = wait_deliveries(&t, &broken_hook, |l| settled(l, 1)).await;
    let delivery = &list[0];
    assert_eq!(delivery["status"], "failed");
    let attempts = delivery["attempts"].as_array().unwrap();
    assert_eq!(
        attempts.len(),
        3,
        "one attempt and a retry per scheduled wait: {delivery:#}"
    );
    for (i, a) in attempts.iter().enumerate() {
        assert_eq!(a["attempt"], i + 1);
        assert_eq!(a["status_code"], 500);
        assert!(a["error"].as_str().unwrap().contains("500"), "{a}");
        assert!(a["latency_ms"].is_u64());
    }
    // The waits between attempts are at least the schedule's.
    let at = attempt_times(delivery);
    for (i, wait) in [1.0, 2.0].iter().enumerate() {
        let gap = at[i + 1].duration_since(at[i]).as_secs_f64();
        // At least the wait, and not much more: the queue's 50 ms poll.
        assert!(
            gap >= *wait - 0.01 && gap < *wait + 2.0,
            "gap {i} was {gap}s, scheduled {wait}s"
        );
    }
    assert_eq!(broken.received().len(), 3);
    // Giving up disabled the endpoint, and says why.
    let hook = t
        .get(&format!("{HOOKS}/{broken_hook}"), &t.org_a.api_key)
        .await;
    assert_eq!(hook.body["status"], "disabled", "{}", hook.body);
    assert_eq!(hook.body["enabled"], false);
    let message = hook.body["status_message"].as_str().unwrap();
    assert!(
        message.contains(delivery["id"].as_str().unwrap()),
        "{message}"
    );
    assert!(message.contains("500"), "{message}");
    assert_eq!(hook.body["consecutive_failures"], 3);

    // A disabled endpoint gets no new events; the others still do.
    create_agent(&t, "Second").await;
    healthy.wait_for(2, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(broken.received().len(), 3);
    assert_eq!(deliveries(&t, &broken_hook).await.len(), 1);
    assert!(off.received().is_empty());
    assert!(deliveries(&t, &off_hook).await.is_empty());
    assert_eq!(deliveries(&t, &healthy_hook).await.len(), 2);

    // Fixed and enabled again: its failures are cleared, and the failed
    // delivery can be re-sent, with the same event id.
    broken.answer_with(204);
    let enabled = t
        .call(
            Method::PUT,
            &format!("{HOOKS}/{broken_hook}"),
            Some(&t.org_a.api_key),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(enabled.body["status"], "active", "{}", enabled.body);
    assert_eq!(enabled.body["consecutive_failures"], 0);
    let failed_id = delivery["id"].as_str().unwrap();
    let resent = t
        .post(
            &format!("{HOOKS}/{broken_hook}/deliveries/{failed_id}/resend"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    assert_eq!(resent.status, StatusCode::ACCEPTED, "{}", resent.body);
    assert_eq!(resent.body["resent_from"], failed_id);
    assert_eq!(resent.body["event_id"], delivery["event_id"]);
    let got = broken.wait_for(4, WAIT).await;
    assert_eq!(got[3].answered, 204);
    assert_eq!(
        got[3].header("x-grove-event-id"),
        delivery["event_id"].as_str().unwrap()
    );
    let list = wait_deliveries(&t, &broken_hook, |l| settled(l, 2)).await;
    assert_eq!(list[0]["status"], "succeeded", "newest first: {list:#?}");
    assert_eq!(list[0]["attempts"][0]["status_code"], 204);
    let hook = t
        .get(&format!("{HOOKS}/{broken_hook}"), &t.org_a.api_key)
        .await;
    assert!(hook.body["last_success_at"].is_string(), "{}", hook.body);
    // Prometheus counts the attempts: three failed, and the healthy
    // endpoint's two plus the re-send succeeded.
    let metrics = t.client.get(t.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    let count = |outcome: &str| -> f64 {
        let prefix = format!("grove_webhook_attempts_total{{outcome=\"{outcome}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0)
    };
    assert_eq!(count("failed"), 3.0, "{metrics}");
    assert_eq!(count("succeeded"), 3.0, "{metrics}");
    t.stop().await;
}

#[tokio::test]
async fn the_legacy_route_signs_with_the_callers_secret_and_events_follow_their_sources() {
    let t = server(vec![1]).await;
    let receiver = Receiver::start().await;
    let secret = "a-secret-of-our-own-choosing";
    let reply = t
        .post(
            "/api/webhooks",
            &t.org_a.api_key,
            json!({"url": receiver.url, "events": ["interaction.created", "user.created", "interaction.feedback"], "secret": secret}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(
        reply.body["events"],
        json!([
            "interaction.completed",
            "user.created",
            "interaction.feedback"
        ])
    );
    assert!(
        reply.body.get("secret").is_none(),
        "the caller's secret is not echoed"
    );
    let user = t
        .post(
            "/api/v1/users",
            &t.org_a.api_key,
            json!({"email": "dana@a.example", "name": "Dana", "role": "readonly"}),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
    let got = receiver.wait_for(1, WAIT).await;
    assert_eq!(got[0].event(), "user.created");
    assert_eq!(got[0].json()["data"]["email"], "dana@a.example");
    assert!(verify(
        got[0].header("x-grove-signature"),
        &got[0].body,
        secret,
        REPLAY_WINDOW
    ));
    // An agent event is not among the endpoint's, so it is not sent.
    create_agent(&t, "Quiet").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.received().len(), 1);
    t.stop().await;
}

#[tokio::test]
async fn bad_webhook_bodies_name_their_field() {
    let t = server(vec![1]).await;
    let key = &t.org_a.api_key;
    let url = "https://hooks.example.com/in";
    for (body, field) in [
        (json!({"events": ["agent.created"]}), "url"),
        (json!({"url": url}), "events"),
        (
            json!({"url": "ftp://hooks.example.com", "events": ["*"]}),
            "url",
        ),
        (json!({"url": "not a url", "events": ["*"]}), "url"),
        (
            json!({"url": "https://u:p@hooks.example.com", "events": ["*"]}),
            "url",
        ),
        (json!({"url": url, "events": []}), "events"),
        (
            json!({"url": url, "events": ["agent.created", "agent.exploded"]}),
            "events[1]",
        ),
        (
            json!({"url": url, "events": ["*", "agent.created"]}),
            "events",
        ),
        (
            json!({"url": url, "events": ["*"], "secret": "mine"}),
            "secret",
        ),
        (
            json!({"url": url, "events": ["*"], "enabled": "yes"}),
            "enabled",
        ),
    ] {
        let reply = t.post(HOOKS, key, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(
            reply.body["error"]["details"]["field"], field,
            "{body}: {}",
            reply.body
        );
    }
    let legacy = t
        .post(
            "/api/webhooks",
            key,
            json!({"url": url, "events": ["*"], "secret": "short"}),
        )
        .await;
    assert_eq!(legacy.status, StatusCode::BAD_REQUEST);
    assert_eq!(legacy.body["error"]["details"]["field"], "secret");
    // Plain http is refused unless the configuration allows it.
    let strict = TestServer::start().await;
    let reply = strict
        .post(
            HOOKS,
            &strict.org_a.api_key,
            json!({"url": "http://hooks.example.com/in", "events": ["*"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("https"),
        "{}",
        reply.body
    );
    let loopback = strict
        .post(
            HOOKS,
            &strict.org_a.api_key,
            json!({"url": "https://127.0.0.1:9/in", "events": ["*"]}),
        )
        .await;
    assert_eq!(loopback.status, StatusCode::BAD_REQUEST);
    assert!(
        loopback.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("loopback"),
        "{}",
        loopback.body
    );
    // Unknown ids are 404s naming the webhook.
    let missing = t.get(&format!("{HOOKS}/wh_doesnotexist"), key).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad_id = t.get(&format!("{HOOKS}/nch_wrongkind"), key).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    strict.stop().await;
    t.stop().await;
}

#[tokio::test]
async fn a_slow_endpoint_never_takes_every_delivery_slot() {
    let t = TestServer::start_with(|c| {
        c.allow_private_networks = true;
        c.webhooks.allow_http = true;
        c.webhooks.timeout_seconds = 5;
        c.webhooks.max_concurrent_deliveries = 4;
        c.webhooks.max_in_flight_per_endpoint = 2;
        c.queue.poll_interval_ms = 50;
    })
    .await;
    let slow = Receiver::start().await;
    slow.answer_after(Duration::from_secs(30));
    let healthy = Receiver::start().await;
    create_hook(&t, &slow.url, json!(["user.created"])).await;
    create_hook(&t, &healthy.url, json!(["user.created"])).await;
    for n in 0..10 {
        let user = t
            .post(
                "/api/v1/users",
                &t.org_a.api_key,
                json!({"email": format!("slow{n}@a.example"), "name": "S", "role": "readonly"}),
            )
            .await;
        assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
    }
    // Every event reaches the healthy endpoint while the slow one holds
    // only its two slots: its other deliveries wait their turn instead of
    // filling the other two.
    let got = healthy.wait_for(10, WAIT).await;
    assert_eq!(got.len(), 10);
    assert_eq!(
        slow.received().len(),
        2,
        "the slow endpoint had more attempts in flight than allowed"
    );
    t.stop().await;
}

#[tokio::test]
async fn events_written_while_the_server_is_down_are_delivered_when_it_starts() {
    let t = server(vec![1]).await;
    let receiver = Receiver::start().await;
    create_hook(&t, &receiver.url, json!(["user.created"])).await;
    let (store, search) = (t.store.clone(), t.search.clone());
    let org = grove_core::ids::OrgId::parse(&t.org_a.org_id).unwrap();
    let dir = t.stop_keeping_data().await;
    // Written to the outbox with nothing running to deliver them.
    for n in 0..3 {
        let user = grove_store::NewUser {
            email: format!("offline{n}@a.example"),
            name: "Offline".into(),
            role: grove_core::model::Role::Readonly,
        };
        store.create_user(&org, user).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.received().is_empty());
    let mut config = grove_core::config::Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        allow_private_networks: true,
        ..Default::default()
    };
    config.webhooks.allow_http = true;
    let server =
        grove_server::Server::start(config, store, search, "restarted", axum::Router::new())
            .await
            .unwrap();
    let got = receiver.wait_for(3, WAIT).await;
    let mut emails: Vec<String> = got
        .iter()
        .map(|r| r.json()["data"]["email"].as_str().unwrap().to_owned())
        .collect();
    emails.sort();
    assert_eq!(
        emails,
        [
            "offline0@a.example",
            "offline1@a.example",
            "offline2@a.example"
        ]
    );
    server.shutdown();
    server.wait().await.unwrap();
}
