//! No silent typos: every JSON body of the route catalogue (but the
//! OpenAI-compatible face's, whose clients send OpenAI's every field), and
//! every connector and channel `config`, refuses a field it does not know
//! with a 400 naming the field and the closest known one — and writes
//! nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::TestServer;
use crate::scopes::{ordered_routes, sample_body, Targets};

/// `snake_case` of a camelCase name (the legacy family's names).
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test]
async fn every_body_refuses_an_unknown_field_and_suggests_the_known_one() {
    let t = TestServer::start().await;
    let targets = Targets::create(&t, 0).await;
    let key = t.org_a.api_key.clone();
    let mut checked = 0;
    for (n, route) in ordered_routes().iter().enumerate() {
        // OpenAI's clients send fields Grove has no use for (`n`, `top_p`,
        // …): the compatible face accepts and ignores them, as it documents.
        if route.method == Method::GET
            || route.method == Method::DELETE
            || route.family == grove_server::routes::Family::OpenAi
        {
            continue;
        }
        let Some(Value::Object(mut body)) = sample_body(route, 7000 + n, &t.org_a.org_id, &targets)
        else {
            continue;
        };
        let Some(first) = body.keys().next().cloned() else {
            continue;
        };
        let typo = format!("{first}x");
        let value = body[&first].clone();
        body.remove(&first);
        body.insert(typo.clone(), value);
        let path = targets.path(route);
        let reply = t
            .call(
                route.method.clone(),
                &path,
                Some(&key),
                Some(Value::Object(body)),
            )
            .await;
        let at = format!("{} {path}", route.method);
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{at}: {}",
            reply.body
        );
        let field = reply.body["error"]["details"]["field"]
            .as_str()
            .unwrap_or_default();
        assert!(
            field == typo || field == snake(&typo),
            "{at}: {}",
            reply.body
        );
        let reason = reply.body["error"]["details"]["reason"]
            .as_str()
            .unwrap_or_default();
        assert!(
            reason == format!("is not a known field; did you mean `{first}`?")
                || reason == format!("is not a known field; did you mean `{}`?", snake(&first)),
            "{at}: {}",
            reply.body
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} bodies checked");
    t.stop().await;
}

#[tokio::test]
async fn connector_and_channel_configs_refuse_typos_and_write_nothing() {
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    let cases = [
        (
            "website",
            json!({"url": "https://docs.example/", "max_page": 5}),
            "max_page",
            "max_pages",
        ),
        (
            "confluence",
            json!({"base_url": "https://wiki.example", "email": "a@b.example", "api_token": "t", "space_keys": ["ENG"]}),
            "space_keys",
            "space_key",
        ),
        (
            "slack",
            json!({"token": "xoxb-1", "channel": ["C1"]}),
            "channel",
            "channels",
        ),
        (
            "google_drive",
            json!({"access_token": "ya29", "folder": "f1"}),
            "folder",
            "folder_id",
        ),
        (
            "sharepoint",
            json!({"access_token": "ey", "driveid": "d1"}),
            "driveid",
            "drive_id",
        ),
    ];
    for (kind, config, typo, known) in cases {
        let reply = t
            .post(
                "/api/v1/data-sources",
                &key,
                json!({"type": kind, "name": kind, "config": config}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{kind}: {}",
            reply.body
        );
        assert_eq!(
            reply.body["error"]["details"]["field"],
            format!("config.{typo}"),
            "{kind}"
        );
        assert_eq!(
            reply.body["error"]["details"]["reason"],
            format!("is not a known field; did you mean `{known}`?"),
            "{kind}"
        );
    }
    let listed = t.get("/api/v1/data-sources", &key).await;
    assert_eq!(listed.body["total"], 0, "nothing written: {}", listed.body);

    let reply = t
        .post(
            "/api/v1/notification-channels",
            &key,
            json!({"name": "ops", "kind": "slack", "config": {"webhookurl": "https://hooks.slack.com/x"}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.body["error"]["details"]["field"], "config.webhookurl");
    assert_eq!(
        reply.body["error"]["details"]["reason"],
        "is not a known field; did you mean `webhook_url`?"
    );
    t.stop().await;
}
