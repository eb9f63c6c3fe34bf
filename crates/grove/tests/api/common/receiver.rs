//! A webhook receiver for tests: a loopback HTTP server that records every
//! request and answers with a status the test sets, and signature checking
//! written from RFC 2104 over SHA-256 — independent of the server's signing
//! code, as a customer's receiver would be.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: SystemTime,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The status the receiver answered with.
    pub answered: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn event(&self) -> String {
        self.json()["event"].as_str().unwrap_or("").to_owned()
    }
}

#[derive(Default)]
struct Inner {
    status: u16,
    /// How long to take before answering.
    delay: Duration,
    received: Vec<Received>,
}

pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    /// Starts answering 200 on a loopback port.
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            status: 200,
            ..Inner::default()
        }));
        let shared = inner.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let shared = shared.clone();
            async move {
                let (answered, delay) = {
                    let mut inner = shared.lock().unwrap();
                    let answered = inner.status;
                    inner.received.push(Received {
                        at: SystemTime::now(),
                        headers,
                        body: body.to_vec(),
                        answered,
                    });
                    (answered, inner.delay)
                };
                tokio::time::sleep(delay).await;
                StatusCode::from_u16(answered).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/hooks"),
            inner,
        }
    }

    /// Answers every following request with `status`.
    pub fn answer_with(&self, status: u16) {
        self.inner.lock().unwrap().status = status;
    }

    /// Takes `delay` before answering each following request.
    pub fn answer_after(&self, delay: Duration) {
        self.inner.lock().unwrap().delay = delay;
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Waits until at least `n` requests have arrived.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = std::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} webhook requests, got {}: {:?}",
                got.len(),
                got.iter().map(Received::event).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// HMAC-SHA256 as RFC 2104 defines it: H((K ^ opad) || H((K ^ ipad) || m)).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    hex::encode(outer)
}

/// What a receiver checks: the header's `t` is recent (replay window) and
/// one of its `v1` values is the HMAC of `"<t>.<body>"` under `secret`.
pub fn verify(header: &str, body: &[u8], secret: &str, max_age: Duration) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<u64>().ok(),
            Some(("v1", value)) => signatures.push(value.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if now.abs_diff(t) > max_age.as_secs() {
        return false;
    }
    let mut message = format!("{t}.").into_bytes();
    message.extend_from_slice(body);
    let expected = hmac_sha256_hex(secret.as_bytes(), &message);
    signatures.contains(&expected)
}

#[test]
fn hmac_matches_rfc_4231() {
    // Test case 2 and test case 6 (a key longer than the block).
    assert_eq!(
        hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(
        hmac_sha256_hex(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        ),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}
