//! Jobs managed in the console: created, changed and deleted through the
//! API's checks (its reasons shown, what was typed kept), with parameters,
//! saved sets and channels; "run every saved set" fans out as the API's
//! trigger without parameters; readers see the settings and change nothing.

use grove_core::ids::{JobId, OrgId};
use reqwest::StatusCode;

use super::{admin_of_a, gardener, member, with_password, Browser, PASSWORD};
use crate::common::TestServer;

#[tokio::test]
async fn editors_create_change_run_and_delete_jobs_with_the_api_checks() {
    let t = TestServer::start_with(|c| c.queue.poll_interval_ms = 20).await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let agent = gardener(&t).await;
    let channel = t
        .post(
            "/api/v1/notification-channels",
            &t.org_a.api_key,
            serde_json::json!({"name": "Ops mail", "kind": "email", "config": {"to": ["ops@example.com"]}}),
        )
        .await;
    let channel = channel.body["id"].as_str().unwrap().to_owned();
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let empty = browser.get("/jobs").await;
    assert!(empty.html.contains("href=\"/jobs/new\""), "{}", empty.html);
    let form = browser.get(&format!("/jobs/new?agent_id={agent}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains(&format!(
        "<option value=\"{agent}\" selected>Gardener</option>"
    )));
    assert!(form.html.contains("Ops mail"));
    let csrf = form.input("csrf");
    let fields = |schedule: &'static str, parameters: &'static str, prompt: &'static str| {
        vec![
            ("agent_id", agent.clone()),
            ("name", "Vents by house".to_owned()),
            ("prompt", prompt.to_owned()),
            ("schedule", schedule.to_owned()),
            ("timezone", "Europe/Berlin".to_owned()),
            ("schedule_enabled", "true".to_owned()),
            ("parameters", parameters.to_owned()),
            (
                "parameter_sets",
                r#"[{"house": "north"}, {"house": "south"}]"#.to_owned(),
            ),
            ("queries", String::new()),
            ("channel_ids", channel.clone()),
            ("timeout_seconds", "120".to_owned()),
            ("fan_out_concurrency", "2".to_owned()),
            ("max_retries", "1".to_owned()),
            ("retry_delay_seconds", "30".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields);
        form
    };
    let params = r#"[{"name": "house", "type": "string"}]"#;
    let prompt = "When do the vents of the {{house}} house open?";

    // The API's reasons; what was typed stays in the form.
    for (schedule, parameters, prompt, reason) in [
        ("0 25 * * *", params, prompt, "schedule"),
        ("0 8 * * 1", "[{name: house}]", prompt, "parameters: "),
        ("0 8 * * 1", params, "Open at {{hour}}?", "hour"),
    ] {
        let form = post(fields(schedule, parameters, prompt));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = browser.post("/jobs", &pairs).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{reason}");
        assert!(refused.html.contains(reason), "{reason}: {}", refused.html);
        assert!(refused.html.contains("value=\"Vents by house\""));
    }
    let jobs = t
        .get(&format!("/api/v1/agents/{agent}/jobs"), &t.org_a.api_key)
        .await;
    assert_eq!(jobs.body["total"], 0, "nothing refused was stored");

    let form = post(fields("0 8 * * 1", params, prompt));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = browser.post("/jobs", &pairs).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let path = created.location().to_owned();
    let id = path.trim_start_matches("/jobs/").to_owned();
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let job_id = JobId::parse(&id).unwrap();
    let stored = t.store.get_job(&org, &job_id).await.unwrap().unwrap();
    assert_eq!(stored.schedule.as_deref(), Some("0 8 * * 1"));
    assert_eq!(stored.timezone, "Europe/Berlin");
    assert_eq!(stored.parameter_sets.len(), 2);
    assert_eq!(stored.channel_ids.len(), 1);
    assert_eq!(
        (stored.timeout_seconds, stored.fan_out_concurrency),
        (120, 2)
    );
    assert_eq!(stored.retry.max_retries, 1);
    assert!(stored.next_run_at.is_some());

    // The page shows the saved sets; "run every saved set" fans out.
    let page = browser.get(&path).await;
    assert!(
        page.html.contains("<li>house = north</li>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Run every saved set (2 runs)"));
    let ran = browser
        .post(
            &format!("{path}/run"),
            &[("csrf", &csrf), ("param.house", ""), ("every_set", "true")],
        )
        .await;
    assert_eq!(ran.status, StatusCode::SEE_OTHER, "{}", ran.html);
    let runs = t
        .get(&format!("/api/v1/jobs/{id}/runs"), &t.org_a.api_key)
        .await;
    assert_eq!(runs.body["total"], 2, "{}", runs.body);

    // Changed: schedule paused, one channel fewer; the settings page shows it.
    let mut changed = fields("@daily", params, prompt);
    changed.retain(|(k, _)| *k != "schedule_enabled" && *k != "channel_ids");
    let form = post(changed);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = browser.post(&format!("{path}/settings"), &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let stored = t.store.get_job(&org, &job_id).await.unwrap().unwrap();
    assert_eq!(stored.schedule.as_deref(), Some("@daily"));
    assert!(!stored.schedule_enabled && stored.next_run_at.is_none());
    assert!(stored.channel_ids.is_empty());
    let settings = browser.get(&format!("{path}/settings?saved=true")).await;
    assert!(settings.html.contains("Saved."));
    assert!(settings.html.contains("value=\"@daily\""));

    // Readers see the settings but change nothing.
    let (_, mut reader) = member(&t, "reader@a.example", "readonly").await;
    let shown = reader.get(&format!("{path}/settings")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.html.contains("<fieldset class=\"stack\" disabled>"));
    assert!(!shown.html.contains("Delete this job"));
    assert_eq!(reader.get("/jobs/new").await.status, StatusCode::FORBIDDEN);
    let reader_csrf = shown.input("csrf");
    for action in [
        "/jobs".to_owned(),
        format!("{path}/settings"),
        format!("{path}/delete"),
    ] {
        let refused = reader.post(&action, &[("csrf", &reader_csrf)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
    }

    let deleted = browser
        .post(&format!("{path}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.location(), "/jobs");
    let gone = t.get(&format!("/api/v1/jobs/{id}"), &t.org_a.api_key).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
