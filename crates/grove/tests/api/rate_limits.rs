//! Per-key, per-scope rate limits with the seeds' headers and 429 body.

use grove_core::config::RateQuota;
use reqwest::StatusCode;

use crate::common::TestServer;

#[tokio::test]
async fn burst_passes_then_429_then_recovery() {
    let t = TestServer::start_with(|c| {
        c.rate_limits.admin = RateQuota {
            per_minute: 60,
            burst: 3,
        }
    })
    .await;
    let key = &t.org_a.api_key;
    for expected_remaining in ["2", "1", "0"] {
        let reply = t.get("/api/v1/users", key).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("x-ratelimit-limit"), Some("60"));
        assert_eq!(
            reply.header("x-ratelimit-remaining"),
            Some(expected_remaining)
        );
        let reset: u64 = reply.header("x-ratelimit-reset").unwrap().parse().unwrap();
        let now = jiff::Timestamp::now().as_second() as u64;
        assert!(
            reset >= now && reset <= now + 4,
            "reset {reset} vs now {now}"
        );
    }
    let refused = t.get("/api/v1/users", key).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.error_code(), "rate_limit_exceeded");
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "retry-after {retry_after}");
    assert_eq!(refused.body["error"]["retryAfter"], retry_after);
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));

    // Another organisation's key has its own bucket.
    assert_eq!(
        t.get("/api/v1/users", &t.org_b.api_key).await.status,
        StatusCode::OK
    );

    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    assert_eq!(t.get("/api/v1/users", key).await.status, StatusCode::OK);
}
