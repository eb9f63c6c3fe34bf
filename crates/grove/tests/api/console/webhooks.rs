//! `/webhooks` (admin): endpoints added through the API's checks with the
//! secret shown once, a test event and what the receiver answered, the
//! deliveries with their attempts, switching off and on, rotation,
//! re-sending and deleting; other roles are refused.

use std::time::Duration;

use reqwest::StatusCode;

use super::{admin_of_a, member, with_password, Browser, PASSWORD};
use crate::common::receiver::Receiver;
use crate::common::TestServer;

#[tokio::test]
async fn admins_add_test_and_manage_webhook_endpoints_others_may_not() {
    let t = TestServer::start_with(|c| {
        c.allow_private_networks = true;
        c.webhooks.allow_http = true;
        c.webhooks.retry_schedule_seconds = vec![];
        c.queue.poll_interval_ms = 50;
    })
    .await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let receiver = Receiver::start().await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let list = browser.get("/webhooks").await;
    assert!(list.html.contains("No endpoints yet"), "{}", list.html);
    let csrf = list.input("csrf");

    // The API's reasons, with what was typed kept.
    let refused = browser
        .post(
            "/webhooks",
            &[
                ("csrf", &csrf),
                ("url", &receiver.url),
                ("events", "no.such_event"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("events"), "{}", refused.html);
    assert!(refused.html.contains(&receiver.url));
    let refused = browser
        .post(
            "/webhooks",
            &[
                ("csrf", &csrf),
                ("url", "ftp://files.example"),
                ("events", "*"),
            ],
        )
        .await;
    assert!(refused.html.contains("url"), "{}", refused.html);

    let created = browser
        .post(
            "/webhooks",
            &[("csrf", &csrf), ("url", &receiver.url), ("events", "*")],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.html);
    assert!(created.html.contains("shown only this once"));
    let secret = {
        let at =
            created.html.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
        created.html[at..at + created.html[at..].find('<').unwrap()].to_owned()
    };
    assert!(secret.starts_with("whsec_"), "{secret}");
    let hooks = t.get("/api/v1/webhooks", &t.org_a.api_key).await;
    let id = hooks.body["webhooks"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/webhooks/{id}");
    let page = browser.get(&path).await;
    assert!(
        !page.html.contains(&secret),
        "the secret is not shown again"
    );

    // A test event reaches the receiver; the page says what it answered.
    let tested = browser
        .post(&format!("{path}/test"), &[("csrf", &csrf)])
        .await;
    assert_eq!(tested.status, StatusCode::OK);
    assert!(
        tested
            .html
            .contains("The test event was delivered: HTTP 200"),
        "{}",
        tested.html
    );
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].event(), "webhook.test");
    receiver.answer_with(500);
    let failed = browser
        .post(&format!("{path}/test"), &[("csrf", &csrf)])
        .await;
    assert!(
        failed.html.contains("The test event failed"),
        "{}",
        failed.html
    );
    assert!(
        failed.html.contains("#1") && failed.html.contains(">failed<"),
        "{}",
        failed.html
    );

    // Re-sending a delivery queues it again.
    receiver.answer_with(200);
    let at = failed.html.find("/resend\"").unwrap();
    let start = failed.html[..at].rfind("action=\"").unwrap() + "action=\"".len();
    let resend = failed.html[start..at + "/resend".len()].to_owned();
    assert_eq!(
        browser.post(&resend, &[("csrf", &csrf)]).await.status,
        StatusCode::SEE_OTHER
    );
    receiver.wait_for(3, Duration::from_secs(10)).await;

    let off = browser
        .post(
            &format!("{path}/enabled"),
            &[("csrf", &csrf), ("enabled", "false")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let api = t
        .get(&format!("/api/v1/webhooks/{id}"), &t.org_a.api_key)
        .await;
    assert_eq!(api.body["enabled"], false);
    assert!(browser.get(&path).await.html.contains("Switch on"));

    let rotated = browser
        .post(&format!("{path}/rotate"), &[("csrf", &csrf)])
        .await;
    assert!(rotated.html.contains("shown only this once") && !rotated.html.contains(&secret));

    // Not an admin: neither the pages nor the actions.
    let (_, mut configurer) = member(&t, "conf@a.example", "configure").await;
    assert_eq!(
        configurer.get("/webhooks").await.status,
        StatusCode::FORBIDDEN
    );
    let home = configurer.get("/").await;
    assert!(!home.html.contains("href=\"/webhooks\""));
    let their_csrf = home.input("csrf");
    let refused = configurer
        .post(&format!("{path}/delete"), &[("csrf", &their_csrf)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let deleted = browser
        .post(&format!("{path}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND);
}
