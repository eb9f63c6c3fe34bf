//! Signing of delivery bodies: `X-Grove-Signature: t=<unix>,v1=<hex>` where
//! the hex is HMAC-SHA256 of `"<t>.<raw body>"` with the endpoint's secret.
//! While a rotated-out secret is still valid, a second `v1=` signs with it,
//! so receivers holding either secret accept the delivery.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-grove-signature";
pub const EVENT_ID_HEADER: &str = "x-grove-event-id";
pub const EVENT_HEADER: &str = "x-grove-event";
pub const DELIVERY_ID_HEADER: &str = "x-grove-delivery-id";

/// The signature header value for `body` sent at unix time `t`, one `v1`
/// per secret, current first.
pub fn signature_header(secrets: &[String], t: i64, body: &[u8]) -> String {
    let mut header = format!("t={t}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hmac_hex(secret.as_bytes(), &signed_message(t, body)));
    }
    header
}

/// What is signed: the timestamp, a dot, and the raw body.
fn signed_message(t: i64, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{t}.").into_bytes();
    message.extend_from_slice(body);
    message
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn header_signs_timestamp_dot_body_with_each_secret() {
        let secrets = vec!["new".to_owned(), "old".to_owned()];
        let header = signature_header(&secrets, 1_700_000_000, b"{}");
        let expected_new = hmac_hex(b"new", b"1700000000.{}");
        let expected_old = hmac_hex(b"old", b"1700000000.{}");
        assert_eq!(
            header,
            format!("t=1700000000,v1={expected_new},v1={expected_old}")
        );
        assert_ne!(expected_new, expected_old);
    }
}
