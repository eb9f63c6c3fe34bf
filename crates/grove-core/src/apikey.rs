//! API-key material: generating a key, its display prefix and the hash that is
//! stored. Keys are 40 random base62 characters after `grove_live_` or
//! `grove_test_`, so a plain SHA-256 is a sound verifier (no password
//! stretching is needed for 238 bits of entropy).

use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const SECRET_LEN: usize = 40;
/// Characters of the secret kept in the display prefix.
const PREFIX_SECRET_CHARS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyEnvironment {
    Live,
    Test,
}

impl KeyEnvironment {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyEnvironment::Live => "live",
            KeyEnvironment::Test => "test",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "live" => Some(Self::Live),
            "test" => Some(Self::Test),
            _ => None,
        }
    }

    fn marker(self) -> &'static str {
        match self {
            KeyEnvironment::Live => "grove_live_",
            KeyEnvironment::Test => "grove_test_",
        }
    }
}

/// A freshly generated key: the secret is shown once, only the hash is kept.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

pub fn generate(env: KeyEnvironment) -> NewKey {
    let body = Alphanumeric.sample_string(&mut rand::rng(), SECRET_LEN);
    let secret = format!("{}{}", env.marker(), body);
    NewKey {
        prefix: display_prefix(&secret),
        hash: hash(&secret),
        secret,
    }
}

/// The non-secret start of a key that lists show (`grove_live_Ab3dE5gH`).
pub fn display_prefix(secret: &str) -> String {
    let marker_len = "grove_live_".len();
    secret
        .chars()
        .take(marker_len + PREFIX_SECRET_CHARS)
        .collect()
}

/// The stored verifier of a key: SHA-256, deliberately fast. Slow password
/// hashes (argon2, bcrypt) exist to make guessing low-entropy passwords
/// expensive; a Grove key carries about 250 bits from the OS random source,
/// so no guess has a chance and a fast hash loses nothing, while every
/// request can verify its key cheaply.
///
/// Lookups go by this hash (an index in the store, a map in the server's
/// key cache), never by comparing a presented secret with a stored one, so
/// there is no secret-dependent comparison to time: what a timing could at
/// most reveal is how much of the *hash* of the attacker's own guess
/// matches, which says nothing about any key (preimage resistance).
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether a presented string has the shape of a Grove key at all.
pub fn is_well_formed(secret: &str) -> bool {
    let body = secret
        .strip_prefix("grove_live_")
        .or_else(|| secret.strip_prefix("grove_test_"));
    body.is_some_and(|b| b.len() == SECRET_LEN && b.bytes().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_well_formed_and_hash_stably() {
        let key = generate(KeyEnvironment::Test);
        assert!(key.secret.starts_with("grove_test_"));
        assert!(is_well_formed(&key.secret));
        assert_eq!(key.prefix.len(), 19);
        assert!(key.secret.starts_with(&key.prefix));
        assert_eq!(hash(&key.secret), key.hash);
        assert_ne!(generate(KeyEnvironment::Test).hash, key.hash);
    }

    #[test]
    fn malformed_keys_are_recognised() {
        assert!(!is_well_formed("grove_live_short"));
        assert!(!is_well_formed(
            "twigsk_live_0123456789012345678901234567890123456789"
        ));
        assert!(!is_well_formed(""));
    }
}
