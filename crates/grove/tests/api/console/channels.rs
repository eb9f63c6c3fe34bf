//! `/channels`: notification channels added and changed through the API's
//! checks (its reasons shown, what was typed kept), the webhook URL shown
//! masked and kept when sent back masked, a test message with what the
//! receiver answered, the deliveries, deletion; readers only look.

use std::time::Duration;

use grove_core::ids::{ChannelId, OrgId};
use reqwest::StatusCode;

use super::{admin_of_a, member, with_password, Browser, PASSWORD};
use crate::common::receiver::Receiver;
use crate::common::TestServer;

#[tokio::test]
async fn editors_add_test_change_and_delete_channels_readers_only_look() {
    let t = TestServer::start_with(|c| {
        c.allow_private_networks = true; // the receiver is on loopback
        c.queue.poll_interval_ms = 50;
    })
    .await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let receiver = Receiver::start().await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let list = browser.get("/channels").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains("No channels yet"), "{}", list.html);
    let csrf = list.input("csrf");

    // The API's reasons, with what was typed kept.
    let refused = browser
        .post(
            "/channels",
            &[
                ("csrf", &csrf),
                ("name", "Ops mail"),
                ("kind", "email"),
                ("to", "not-an-address"),
                ("min_level", "info"),
                ("topics", "failed_run"),
                ("enabled", "true"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("config.to"), "{}", refused.html);
    assert!(refused.html.contains("value=\"not-an-address\""));
    let no_topic = browser
        .post(
            "/channels",
            &[
                ("csrf", &csrf),
                ("name", "Ops mail"),
                ("kind", "email"),
                ("to", "ops@example.com"),
                ("min_level", "info"),
                ("enabled", "true"),
            ],
        )
        .await;
    assert_eq!(no_topic.status, StatusCode::BAD_REQUEST);
    assert!(
        no_topic.html.contains("topics: must list at least one"),
        "{}",
        no_topic.html
    );
    let listed = t
        .get("/api/v1/notification-channels", &t.org_a.api_key)
        .await;
    assert_eq!(listed.body["total"], 0, "nothing refused was stored");

    let hook_url = format!("{}/services/T1/B1/very-secret", receiver.url);
    let created = browser
        .post(
            "/channels",
            &[
                ("csrf", &csrf),
                ("name", "Alerts"),
                ("kind", "slack"),
                ("webhook_url", &hook_url),
                ("min_level", "warning"),
                ("topics", "failed_run"),
                ("enabled", "true"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let path = created.location().to_owned();
    let id = path.trim_start_matches("/channels/").to_owned();
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.html.contains("very-secret"), "{}", page.html);
    assert!(page.html.contains("<option value=\"warning\" selected>"));
    assert!(page.html.contains("value=\"failed_run\" checked"));
    assert!(page.html.contains("value=\"completed_run\">"));
    let masked = page.input("webhook_url");
    assert!(masked.ends_with("/********"), "{masked}");

    // Sent back masked, the URL is kept; the other changes land.
    let saved = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Team alerts"),
                ("kind", "slack"),
                ("webhook_url", &masked),
                ("min_level", "error"),
                ("topics", "failed_run"),
                ("topics", "completed_run"),
                ("enabled", "true"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains("Saved."));
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let stored = t
        .store
        .get_channel(&org, &ChannelId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, "Team alerts");
    assert_eq!(stored.topics.len(), 2);
    let opened = t.store.reveal_config(&stored.config).await.unwrap();
    assert_eq!(opened["webhook_url"], hook_url.as_str());

    // A test message reaches the receiver; the page says so and lists it.
    let tested = browser
        .post(&format!("{path}/test"), &[("csrf", &csrf)])
        .await;
    assert_eq!(tested.status, StatusCode::OK);
    assert!(
        tested.html.contains("The test message was delivered"),
        "{}",
        tested.html
    );
    let received = receiver.wait_for(1, Duration::from_secs(30)).await;
    assert!(received[0].json().to_string().contains("test message"));
    assert!(tested.html.contains("<td>test</td>"), "{}", tested.html);
    assert!(tested.html.contains("badge delivered"));

    // Readers see the channel, not its secret, and change nothing.
    let (_, mut reader) = member(&t, "reader@a.example", "readonly").await;
    let shown = reader.get(&path).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(!shown.html.contains("very-secret"));
    assert!(!shown.html.contains("Send a test message"));
    let reader_csrf = shown.input("csrf");
    for action in [
        path.clone(),
        format!("{path}/test"),
        format!("{path}/delete"),
    ] {
        let refused = reader.post(&action, &[("csrf", &reader_csrf)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(receiver.received().len(), 1, "the reader sent nothing");

    // Deleted: gone from the API too; another organisation never saw it.
    let deleted = browser
        .post(&format!("{path}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let gone = t
        .get(
            &format!("/api/v1/notification-channels/{id}"),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND);
}
