//! Agent jobs end to end over HTTP: the seed's API trigger and chat shapes,
//! the duplicate guard under 50 concurrent triggers, a fan-out's
//! concurrency limit, cancellation, retries and timeouts, the scheduler's
//! grace window, and validation. Agents answer with the extractive model
//! or a local OpenAI-wire fake whose answers the test holds or releases.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::response::Response;
use grove_core::config::{ProviderApi, ProviderConfig};
use grove_core::ids::{JobId, OrgId};
use grove_store::NewJob;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::common::{greenhouse_source, Reply, TestServer};

// ------------------------------------------------------------- fake model

/// An OpenAI-wire model that answers once `open` is true (each answer
/// after `delay`), counting requests and the most answering at once.
struct Gate {
    base: String,
    open: watch::Sender<bool>,
    requests: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
}

impl Gate {
    async fn start(open: bool, delay: Duration) -> Self {
        let (tx, rx) = watch::channel(open);
        let requests = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let (seen, max) = (requests.clone(), max_in_flight.clone());
        let app = axum::Router::new().fallback(move |_body: Bytes| {
            let (mut rx, seen, in_flight, max) =
                (rx.clone(), seen.clone(), in_flight.clone(), max.clone());
            async move {
                seen.fetch_add(1, Ordering::SeqCst);
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(now, Ordering::SeqCst);
                let _ = rx.wait_for(|open| *open).await;
                tokio::time::sleep(delay).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                answer("The greenhouse vents open above 28 degrees [1].")
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base,
            open: tx,
            requests,
            max_in_flight,
        }
    }

    fn release(&self) {
        self.open.send_replace(true);
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A whole streamed Chat Completions answer.
fn answer(text: &str) -> Response {
    let delta =
        json!({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
    let end = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 9, "total_tokens": 59}});
    let body = format!("data: {delta}\n\ndata: {end}\n\ndata: [DONE]\n\n");
    let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(Bytes::from(body)) });
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap()
}

// ------------------------------------------------------------- grove side

/// A server with a synced file source and an agent over it using `model`
/// (`extractive`, or `fake:m` answered by `gate`); returns the agent id.
async fn grove(
    gate: Option<&Gate>,
    tweak: impl FnOnce(&mut grove_core::config::Config),
) -> (TestServer, String) {
    let base = gate.map(|g| g.base.clone());
    let t = TestServer::start_with(|c| {
        c.queue.poll_interval_ms = 20;
        c.llm.max_retries = 0;
        if let Some(base) = base {
            c.llm.providers.insert(
                "fake".into(),
                ProviderConfig {
                    api: ProviderApi::OpenaiChat,
                    base_url: format!("{base}/v1"),
                    api_key: Some("sk-fake".into()),
                },
            );
        }
        tweak(c);
    })
    .await;
    let key = t.org_a.api_key.clone();
    let source = greenhouse_source(&t, &key).await;
    let model = if gate.is_some() {
        "fake:m"
    } else {
        "extractive"
    };
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Gardener", "data_source_ids": [source], "model": model,
                   "similarity_threshold": 0.0}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    (t, agent.body["id"].as_str().unwrap().to_owned())
}

async fn create_job(t: &TestServer, agent: &str, body: Value) -> String {
    let job = t
        .post(
            &format!("/api/v1/agents/{agent}/jobs"),
            &t.org_a.api_key,
            body,
        )
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{}", job.body);
    job.body["id"].as_str().unwrap().to_owned()
}

/// `POST /api/agents/jobs/{id}/trigger` exactly as the seed's curl sends
/// it: two headers and no body (unless `body`).
async fn trigger(t: &TestServer, key: &str, job: &str, body: Option<Value>) -> Reply {
    let mut req = t
        .client
        .post(t.url(&format!("/api/agents/jobs/{job}/trigger")))
        .header("X-API-Key", key)
        .header("X-Organization-Id", &t.org_a.org_id);
    if let Some(body) = body {
        req = req.json(&body);
    }
    crate::common::read(req.send().await.unwrap()).await
}

async fn run(t: &TestServer, id: &str) -> Value {
    let reply = t.get(&format!("/api/v1/runs/{id}"), &t.org_a.api_key).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn wait_run(t: &TestServer, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let run = run(t, id).await;
        if done(&run) {
            return run;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {run}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn over(run: &Value) -> bool {
    !matches!(run["status"].as_str(), Some("queued" | "running"))
}

async fn wait_for(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

// ------------------------------------------------------------------ tests

#[tokio::test]
async fn the_seed_trigger_runs_the_job_and_its_chat_holds_question_answer_and_documents() {
    let (t, agent) = grove(None, |_| {}).await;
    let job = create_job(
        &t,
        &agent,
        json!({"name": "Vents", "prompt": "When do the {{the_thing}} open?",
               "parameters": [{"name": "the_thing", "type": "string", "default": "greenhouse vents"}]}),
    )
    .await;
    let (trigger_key, _) = t.key_with(&[], &["agent_jobs_trigger"]).await;
    let started = trigger(&t, &trigger_key, &job, None).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.body["success"], true);
    assert_eq!(started.body["job_id"], job.as_str());
    let chat = started.body["chat_id"].as_str().unwrap().to_owned();
    assert!(chat.starts_with("chat_"), "{}", started.body);
    let run_id = started.body["run_id"].as_str().unwrap().to_owned();
    let done = wait_run(&t, &run_id, over).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["initiator"], "api");
    assert_eq!(done["attempts"], 1);
    assert_eq!(done["parameters"], json!({"the_thing": "greenhouse vents"}));

    // The seed's fetch: the chat with its history, documents and run.
    let (read_key, _) = t.key_with(&["read"], &[]).await;
    let fetched = t
        .client
        .get(t.url(&format!("/api/agents/chats/{chat}")))
        .header("X-API-Key", &read_key)
        .header("X-Organization-Id", &t.org_a.org_id)
        .send()
        .await
        .unwrap();
    let fetched = crate::common::read(fetched).await;
    assert_eq!(fetched.status, StatusCode::OK, "{}", fetched.body);
    let body = &fetched.body;
    assert_eq!(body["status"], "succeeded");
    assert_eq!(body["run"]["initiator"], "api");
    // Parameter names are data: they keep their keys in the camelCase view.
    assert_eq!(
        body["run"]["parameters"]["the_thing"], "greenhouse vents",
        "{body}"
    );
    assert_eq!(body["run"]["prompt"], "When do the greenhouse vents open?");
    assert!(
        body["run"]["startedAt"].is_string() && body["run"]["finishedAt"].is_string(),
        "{body}"
    );
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{body}");
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[0]["content"], "When do the greenhouse vents open?");
    assert_eq!(messages[1]["role"], "assistant");
    let reply = messages[1]["content"].as_str().unwrap();
    assert!(reply.contains("28 degrees"), "{reply}");
    assert!(
        messages[1]["sources"][0]["documentTitle"].is_string(),
        "{body}"
    );
    let kinds: Vec<&str> = body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["text", "table", "chart"]);
    let chart = &body["documents"][2]["content"];
    assert_eq!(chart["spec"]["mark"], "bar");
    assert!(
        chart["svg"].as_str().unwrap().starts_with("<svg"),
        "{chart}"
    );
    let table = body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "table")
        .unwrap();
    assert_eq!(table["content"]["rows"][0][1], "Greenhouse", "{table}");

    // The seed's lists, by agent and by job.
    for query in [format!("agentId={agent}"), format!("jobId={job}")] {
        let listed = t
            .get(&format!("/api/agents/chats?{query}"), &read_key)
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        let first = &listed.body["chats"][0];
        assert_eq!(first["id"], chat.as_str(), "{}", listed.body);
        assert_eq!(first["status"], "succeeded");
        assert_eq!(first["initiator"], "api");
        assert!(first["createdAt"].is_string());
        assert_eq!(first["job"], json!({"id": job, "name": "Vents"}));
        assert_eq!(first["agent"], json!({"id": agent, "name": "Gardener"}));
    }
    let other = t
        .get(
            &format!("/api/agents/chats?jobId={}", JobId::generate()),
            &read_key,
        )
        .await;
    assert_eq!(other.body["chats"], json!([]));

    // Parameters: one run with given values; unknown ones are named.
    let bad = trigger(
        &t,
        &trigger_key,
        &job,
        Some(json!({"parameters": {"nope": 1}})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.body["error"]["details"]["field"], "parameters");
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope"),
        "{}",
        bad.body
    );
    let given = trigger(
        &t,
        &trigger_key,
        &job,
        Some(json!({"parameters": {"the_thing": "vents"}})),
    )
    .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    let second = wait_run(&t, given.body["run_id"].as_str().unwrap(), over).await;
    assert_eq!(second["parameters"]["the_thing"], "vents");

    // The history, newest first.
    let history = t
        .get(&format!("/api/v1/jobs/{job}/runs"), &t.org_a.api_key)
        .await;
    assert_eq!(history.body["total"], 2, "{}", history.body);
    assert_eq!(history.body["runs"][1]["id"], run_id.as_str());
    // Runs are counted for Prometheus.
    let metrics = t
        .client
        .get(t.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("grove_job_runs_total{status=\"succeeded\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("grove_job_run_duration_seconds_bucket"),
        "{metrics}"
    );
    // A key without the permission or execute scope is refused.
    let refused = trigger(&t, &read_key, &job, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn fifty_concurrent_triggers_start_exactly_one_run() {
    let gate = Gate::start(false, Duration::ZERO).await;
    let (t, agent) = grove(Some(&gate), |_| {}).await;
    let job = create_job(
        &t,
        &agent,
        json!({"name": "Once", "prompt": "When do the vents open?"}),
    )
    .await;
    let (key, _) = t.key_with(&["execute"], &[]).await;
    let t = Arc::new(t);
    let calls = (0..50).map(|_| {
        let (t, key, job) = (t.clone(), key.clone(), job.clone());
        tokio::spawn(async move { trigger(&t, &key, &job, None).await })
    });
    let replies: Vec<Reply> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let started: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert_eq!(started.len(), 1, "exactly one trigger starts a run");
    let run_id = started[0].body["run_id"].as_str().unwrap();
    let chat_id = started[0].body["chat_id"].as_str().unwrap();
    for refused in replies.iter().filter(|r| r.status != StatusCode::OK) {
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        assert_eq!(refused.error_code(), "job_already_running");
        assert_eq!(refused.body["error"]["details"]["run_id"], run_id);
        assert_eq!(refused.body["error"]["details"]["chat_id"], chat_id);
    }
    let history = t
        .get(&format!("/api/v1/jobs/{job}/runs"), &t.org_a.api_key)
        .await;
    assert_eq!(history.body["total"], 1, "{}", history.body);
    // A manual run is refused the same way while the run is held.
    wait_for("the model to be asked", || gate.requests() == 1).await;
    assert_eq!(run(&t, run_id).await["status"], "running");
    let manual = t
        .post(
            &format!("/api/v1/jobs/{job}/runs"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    assert_eq!(
        manual.error_code(),
        "job_already_running",
        "{}",
        manual.body
    );
    gate.release();
    assert_eq!(wait_run(&t, run_id, over).await["status"], "succeeded");
    // Finished, the job is free again.
    let again = trigger(&t, &key, &job, None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
}

#[tokio::test]
async fn a_fan_out_of_20_sets_at_concurrency_4_gives_20_chats_never_more_than_4_at_once() {
    let gate = Gate::start(true, Duration::from_millis(150)).await;
    let (t, agent) = grove(Some(&gate), |c| c.jobs.max_concurrent_runs = 8).await;
    let sets: Vec<Value> = (0..20).map(|n| json!({"campaign_id": n})).collect();
    let job = create_job(
        &t,
        &agent,
        json!({"name": "Campaigns", "prompt": "How did campaign {{campaign_id}} do?",
               "parameters": [{"name": "campaign_id", "type": "integer"}],
               "parameter_sets": sets, "fan_out_concurrency": 4}),
    )
    .await;
    let started = t
        .post(
            &format!("/api/v1/jobs/{job}/runs"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let runs = started.body["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 20);
    let mut done = Vec::new();
    for r in &runs {
        done.push(wait_run(&t, r["id"].as_str().unwrap(), over).await);
    }
    assert!(done.iter().all(|r| r["status"] == "succeeded"), "{done:?}");
    assert_eq!(gate.requests(), 20);
    let most = gate.max_in_flight.load(Ordering::SeqCst);
    assert!(most <= 4, "{most} runs answered at once");
    assert!(most >= 2, "the fan-out ran in parallel ({most})");
    // The same from the runs' own timestamps.
    let spans: Vec<(i64, i64)> = done
        .iter()
        .map(|r| (millis(&r["started_at"]), millis(&r["finished_at"])))
        .collect();
    for &(start, _) in &spans {
        let overlapping = spans
            .iter()
            .filter(|&&(s, f)| s <= start && start < f)
            .count();
        assert!(overlapping <= 4, "{overlapping} runs running at {start}");
    }
    let chats = t
        .get(
            &format!("/api/v1/chats?job_id={job}&limit=50"),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(chats.body["total"], 20, "{}", chats.body);
    let mut prompts: Vec<String> = Vec::new();
    for r in &done {
        let chat = t
            .get(
                &format!("/api/v1/chats/{}", r["chat_id"].as_str().unwrap()),
                &t.org_a.api_key,
            )
            .await;
        prompts.push(
            chat.body["messages"][0]["content"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    prompts.sort();
    prompts.dedup();
    assert_eq!(prompts.len(), 20, "each chat asks about its own campaign");
}

fn millis(value: &Value) -> i64 {
    value
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond()
}

#[tokio::test]
async fn cancelling_a_running_run_stops_it_and_frees_the_job() {
    let gate = Gate::start(false, Duration::ZERO).await;
    let (t, agent) = grove(Some(&gate), |_| {}).await;
    let job = create_job(
        &t,
        &agent,
        json!({"name": "Long", "prompt": "When do the vents open?"}),
    )
    .await;
    let started = t
        .post(
            &format!("/api/v1/jobs/{job}/runs"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    let run_id = started.body["runs"][0]["id"].as_str().unwrap().to_owned();
    wait_for("the model to be asked", || gate.requests() == 1).await;
    let cancelled = t
        .post(
            &format!("/api/v1/runs/{run_id}/cancel"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert!(cancelled.body["finished_at"].is_string());
    let again = t
        .post(
            &format!("/api/v1/jobs/{job}/runs"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.body);
    gate.release();
    let next = again.body["runs"][0]["id"].as_str().unwrap();
    assert_eq!(wait_run(&t, next, over).await["status"], "succeeded");
    // The cancelled run stays cancelled, its chat without an answer.
    let first = run(&t, &run_id).await;
    assert_eq!(first["status"], "cancelled");
    let chat = t
        .get(
            &format!("/api/v1/chats/{}", first["chat_id"].as_str().unwrap()),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(
        chat.body["messages"].as_array().unwrap().len(),
        1,
        "{}",
        chat.body
    );
}

#[tokio::test]
async fn a_run_that_times_out_is_retried_by_its_policy_then_ends_timed_out() {
    let gate = Gate::start(false, Duration::ZERO).await;
    let (t, agent) = grove(Some(&gate), |_| {}).await;
    let job = create_job(
        &t,
        &agent,
        json!({"name": "Stuck", "prompt": "When do the vents open?", "timeout_seconds": 1,
               "retry": {"max_retries": 1, "delay_seconds": 0}}),
    )
    .await;
    let started = t
        .post(
            &format!("/api/v1/jobs/{job}/runs"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    let run_id = started.body["runs"][0]["id"].as_str().unwrap().to_owned();
    let done = wait_run(&t, &run_id, over).await;
    assert_eq!(done["status"], "timed_out", "{done}");
    assert_eq!(done["attempts"], 2, "{done}");
    assert_eq!(done["max_attempts"], 2);
    assert!(
        done["error"].as_str().unwrap().contains("within 1 s"),
        "{done}"
    );
    assert_eq!(gate.requests(), 2, "one model call per attempt");
}

/// Moves a job's next run time, as if the server had been down since.
async fn set_next_run(t: &TestServer, job: &str, at: jiff::Timestamp) {
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let id = JobId::parse(job).unwrap();
    let j = t.store.get_job(&org, &id).await.unwrap().unwrap();
    let new = NewJob {
        next_run_at: Some(at),
        ..j.into()
    };
    t.store.replace_job(&org, &id, new).await.unwrap().unwrap();
}

#[tokio::test]
async fn the_scheduler_runs_a_recent_missed_fire_once_and_skips_an_old_one() {
    let (t, agent) = grove(None, |c| c.jobs.missed_fire_grace_seconds = 120).await;
    let body = |name: &str| {
        json!({"name": name, "prompt": "When do the vents open?", "schedule": "*/5 * * * *",
               "timezone": "Europe/Berlin"})
    };
    let recent = create_job(&t, &agent, body("Recent")).await;
    // Yearly: its latest missed time is the one three hours ago.
    let mut yearly = body("Old");
    yearly["schedule"] = json!("0 0 1 1 *");
    let old = create_job(&t, &agent, yearly).await;
    let created = t
        .get(&format!("/api/v1/jobs/{recent}"), &t.org_a.api_key)
        .await;
    let next: jiff::Timestamp = created.body["next_run_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(next > jiff::Timestamp::now(), "{}", created.body);
    assert_eq!(
        next.as_second() % 300,
        0,
        "on a five-minute boundary: {next}"
    );
    let now = jiff::Timestamp::now();
    set_next_run(&t, &recent, now - jiff::SignedDuration::from_secs(30)).await;
    set_next_run(&t, &old, now - jiff::SignedDuration::from_hours(3)).await;
    // Any schedule change wakes the scheduler.
    create_job(
        &t,
        &agent,
        json!({"name": "Wake", "prompt": "x", "schedule": "@daily"}),
    )
    .await;

    let deadline = Instant::now() + Duration::from_secs(60);
    let (recent_runs, old_runs) = loop {
        let r = t
            .get(&format!("/api/v1/jobs/{recent}/runs"), &t.org_a.api_key)
            .await;
        let o = t
            .get(&format!("/api/v1/jobs/{old}/runs"), &t.org_a.api_key)
            .await;
        if r.body["total"] == 1 && o.body["total"] == 1 && over(&r.body["runs"][0]) {
            break (r.body, o.body);
        }
        assert!(Instant::now() < deadline, "{} {}", r.body, o.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let ran = &recent_runs["runs"][0];
    assert_eq!(ran["initiator"], "schedule");
    assert_eq!(ran["status"], "succeeded", "{ran}");
    assert!(ran["scheduled_for"].is_string());
    let skipped = &old_runs["runs"][0];
    assert_eq!(skipped["status"], "skipped", "{skipped}");
    assert!(
        skipped["error"].as_str().unwrap().contains("grace"),
        "{skipped}"
    );
    // Both moved to their next time, in the future: no burst of catch-ups.
    for job in [&recent, &old] {
        let j = t
            .get(&format!("/api/v1/jobs/{job}"), &t.org_a.api_key)
            .await;
        let next: jiff::Timestamp = j.body["next_run_at"].as_str().unwrap().parse().unwrap();
        assert!(next > now, "{}", j.body);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = t
        .get(&format!("/api/v1/jobs/{recent}/runs"), &t.org_a.api_key)
        .await;
    assert_eq!(r.body["total"], 1, "ran once: {}", r.body);
}

#[tokio::test]
async fn job_bodies_are_validated_field_by_field() {
    let (t, agent) = grove(None, |_| {}).await;
    let path = format!("/api/v1/agents/{agent}/jobs");
    let cases = [
        (json!({"prompt": "x"}), "name"),
        (json!({"name": "J"}), "prompt"),
        (
            json!({"name": "J", "prompt": "About {{campaign}}"}),
            "prompt",
        ),
        (
            json!({"name": "J", "prompt": "x", "schedule": "61 * * * *"}),
            "schedule",
        ),
        (
            json!({"name": "J", "prompt": "x", "schedule": "@daily", "timezone": "Mars/Base"}),
            "timezone",
        ),
        (
            json!({"name": "J", "prompt": "x", "fan_out_concurrency": 0}),
            "fan_out_concurrency",
        ),
        (
            json!({"name": "J", "prompt": "x", "timeout_seconds": 0}),
            "timeout_seconds",
        ),
        (
            json!({"name": "J", "prompt": "x", "retry": {"max_retries": 99, "delay_seconds": 1}}),
            "retry.max_retries",
        ),
        (
            json!({"name": "J", "prompt": "x", "channel_ids": ["nch_nothere"]}),
            "channel_ids[0]",
        ),
        (
            json!({"name": "J", "prompt": "{{n}}", "parameters": [{"name": "n", "type": "integer"}],
                "parameter_sets": [{"n": 1}, {"n": "two"}]}),
            "parameter_sets[1]",
        ),
        (
            json!({"name": "J", "prompt": "x", "parameters": [{"name": "n", "type": "colour"}]}),
            "parameters[0].type",
        ),
        (
            json!({"name": "J", "prompt": "x", "surprise": 1}),
            "surprise",
        ),
    ];
    for (body, field) in cases {
        let reply = t.post(&path, &t.org_a.api_key, body.clone()).await;
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
    let unknown_agent = t
        .post(
            "/api/v1/agents/agent_nothere/jobs",
            &t.org_a.api_key,
            json!({"name": "J", "prompt": "x"}),
        )
        .await;
    assert_eq!(unknown_agent.status, StatusCode::NOT_FOUND);
    // An update keeps what it does not name; null removes the schedule.
    let job = create_job(
        &t,
        &agent,
        json!({"name": "J", "prompt": "x", "schedule": "@first-weekday"}),
    )
    .await;
    let updated = t
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/jobs/{job}"),
            Some(&t.org_a.api_key),
            Some(json!({"schedule": null})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["name"], "J");
    assert!(updated.body["schedule"].is_null() && updated.body["next_run_at"].is_null());
    let deleted = t
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/jobs/{job}"),
            Some(&t.org_a.api_key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get(&format!("/api/v1/jobs/{job}"), &t.org_a.api_key)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_scheduled_fire_while_the_job_runs_is_recorded_as_skipped() {
    let gate = Gate::start(false, Duration::ZERO).await;
    let (t, agent) = grove(Some(&gate), |_| {}).await;
    let job = create_job(
        &t,
        &agent,
        json!({"name": "Busy", "prompt": "When do the vents open?", "schedule": "@hourly"}),
    )
    .await;
    let started = t
        .post(
            &format!("/api/v1/jobs/{job}/runs"),
            &t.org_a.api_key,
            json!({}),
        )
        .await;
    let manual = started.body["runs"][0]["id"].as_str().unwrap().to_owned();
    wait_for("the model to be asked", || gate.requests() == 1).await;
    set_next_run(&t, &job, jiff::Timestamp::now()).await;
    create_job(
        &t,
        &agent,
        json!({"name": "Wake", "prompt": "x", "schedule": "@daily"}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let skipped = loop {
        let runs = t
            .get(&format!("/api/v1/jobs/{job}/runs"), &t.org_a.api_key)
            .await;
        if runs.body["total"] == 2 {
            break runs.body["runs"][0].clone();
        }
        assert!(Instant::now() < deadline, "{}", runs.body);
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(skipped["status"], "skipped", "{skipped}");
    assert_eq!(skipped["initiator"], "schedule");
    assert!(
        skipped["error"].as_str().unwrap().contains(&manual),
        "{skipped}"
    );
    assert!(skipped["chat_id"].is_null());
    gate.release();
    assert_eq!(wait_run(&t, &manual, over).await["status"], "succeeded");
}

#[tokio::test]
async fn an_ad_hoc_chat_is_answered_at_once_and_listed_without_a_job() {
    let (t, agent) = grove(None, |_| {}).await;
    let created = t
        .post(
            "/api/v1/chats",
            &t.org_a.api_key,
            json!({"agent_id": agent, "message": "When do the greenhouse vents open?"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let chat = &created.body;
    assert!(chat["job_id"].is_null() && chat["run"].is_null(), "{chat}");
    assert_eq!(chat["messages"][0]["role"], "user");
    assert_eq!(chat["messages"][1]["role"], "assistant");
    let answer = chat["messages"][1]["content"].as_str().unwrap();
    assert!(answer.contains("28 degrees"), "{answer}");
    let listed = t
        .get(&format!("/api/v1/chats?agent_id={agent}"), &t.org_a.api_key)
        .await;
    assert_eq!(listed.body["total"], 1, "{}", listed.body);
    assert!(listed.body["chats"][0]["job"].is_null());
    assert_eq!(listed.body["chats"][0]["agent"]["name"], "Gardener");
    let empty = t
        .post(
            "/api/v1/chats",
            &t.org_a.api_key,
            json!({"agent_id": agent, "message": "  "}),
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.body["error"]["details"]["field"], "message");
}
