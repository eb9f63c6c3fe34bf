//! Which settings are credentials. One rule for every config Grove stores
//! (data source connectors, notification channels): the store seals these
//! values at rest and the API masks them in answers.

/// How a credential is shown in answers, wherever Grove shows a config.
pub const MASK: &str = "********";

/// Name endings that mark a config key as a credential: `token`,
/// `api_token`, `access_token`, `refresh_token`, `client_secret`,
/// `password`, `api_key`, and a channel's `webhook_url` (anyone holding it
/// can post).
const SECRET_KEY_ENDINGS: &[&str] = &["token", "secret", "password", "api_key", "webhook_url"];

/// Whether the config key `key` holds a credential.
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEY_ENDINGS.iter().any(|end| key.ends_with(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_keys_are_recognised_and_others_are_not() {
        for key in [
            "token",
            "api_token",
            "access_token",
            "refresh_token",
            "client_secret",
            "password",
            "api_key",
            "webhook_url",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "base_url",
            "space_key",
            "client_id",
            "tenant_id",
            "to",
            "url",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
