//! What a webhook endpoint may be: its URL (HTTPS unless configuration
//! allows plain HTTP, no credentials, not a restricted address), the events
//! it subscribes to, and its signing secret.

use grove_core::config::Config;
use grove_core::webhooks::{canonical_event, ALL_EVENTS, EVENTS};
use grove_ingest::net::NetworkPolicy;
use rand::distr::{Alphanumeric, SampleString};
use url::Url;

/// Secrets are `whsec_` and this many random base62 characters.
const SECRET_LEN: usize = 40;
const MAX_URL: usize = 2048;
const MAX_EVENTS: usize = 50;

/// A problem with one field of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A new signing secret.
pub fn generate_secret() -> String {
    format!(
        "whsec_{}",
        Alphanumeric.sample_string(&mut rand::rng(), SECRET_LEN)
    )
}

/// Checks an endpoint URL against the configuration's rules.
pub fn check_url(raw: &str, config: &Config) -> Result<Url, FieldError> {
    let bad = |reason: String| FieldError::new("url", reason);
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL {
        return Err(bad(format!("must be 1 to {MAX_URL} characters")));
    }
    let url = Url::parse(raw).map_err(|e| bad(format!("is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if config.webhooks.allow_http => {}
        "http" => {
            return Err(bad(
                "must use https (webhooks.allow_http permits plain http)".into(),
            ))
        }
        other => return Err(bad(format!("must use https, not {other}"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("must name a host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "must not carry credentials; verify deliveries by their signature".into(),
        ));
    }
    let policy = NetworkPolicy::from_config(config).map_err(bad)?;
    if let Some(why) = policy.literal_host_refusal(&url) {
        return Err(bad(format!(
            "points at a {why} address (allow_private_networks or ingest.allowed_cidrs open such addresses)"
        )));
    }
    if url.host_str() == Some("localhost") && policy.refusal([127, 0, 0, 1].into()).is_some() {
        return Err(bad(
            "points at a loopback address (allow_private_networks opens it)".into(),
        ));
    }
    Ok(url)
}

/// Checks and normalises an event list: known names (or `*` alone),
/// duplicates dropped.
pub fn check_events(events: &[String]) -> Result<Vec<String>, FieldError> {
    if events.is_empty() || events.len() > MAX_EVENTS {
        return Err(FieldError::new(
            "events",
            format!("must list 1 to {MAX_EVENTS} events, or \"*\" for all"),
        ));
    }
    let mut names: Vec<String> = Vec::new();
    for (i, raw) in events.iter().enumerate() {
        let name = canonical_event(raw.trim()).ok_or_else(|| {
            FieldError::new(
                format!("events[{i}]"),
                format!(
                    "`{raw}` is not an event; known: {}, or *",
                    EVENTS.join(", ")
                ),
            )
        })?;
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    if names.len() > 1 && names.iter().any(|n| n == ALL_EVENTS) {
        return Err(FieldError::new(
            "events",
            "\"*\" already means every event; list it alone",
        ));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(allow_http: bool, allow_private: bool) -> Config {
        let mut c = Config::default();
        c.webhooks.allow_http = allow_http;
        c.allow_private_networks = allow_private;
        c
    }

    #[test]
    fn urls_must_be_https_public_and_without_credentials() {
        let strict = config(false, false);
        assert!(check_url("https://hooks.example.com/in", &strict).is_ok());
        for (raw, why) in [
            ("http://hooks.example.com/in", "must use https"),
            ("ftp://hooks.example.com/in", "must use https, not ftp"),
            ("https://user:pw@hooks.example.com/", "credentials"),
            ("https://127.0.0.1/in", "loopback"),
            ("https://10.1.2.3/in", "private"),
            ("https://169.254.169.254/latest", "cloud metadata"),
            ("https://localhost:9000/in", "loopback"),
            ("not a url", "is not a URL"),
        ] {
            let err = check_url(raw, &strict).unwrap_err();
            assert_eq!(err.field, "url");
            assert!(err.reason.contains(why), "{raw}: {}", err.reason);
        }
        let open = config(true, true);
        assert!(check_url("http://127.0.0.1:9000/in", &open).is_ok());
    }

    #[test]
    fn events_are_known_names_or_a_lone_star() {
        let list = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_events(&list(&[
                "agent.created",
                "agent.created",
                "interaction.created"
            ]))
            .unwrap(),
            list(&["agent.created", "interaction.completed"])
        );
        assert_eq!(check_events(&list(&["*"])).unwrap(), list(&["*"]));
        assert_eq!(
            check_events(&list(&["agent.created", "agent.exploded"]))
                .unwrap_err()
                .field,
            "events[1]"
        );
        assert_eq!(
            check_events(&list(&["*", "user.created"]))
                .unwrap_err()
                .field,
            "events"
        );
        assert_eq!(check_events(&[]).unwrap_err().field, "events");
    }

    #[test]
    fn secrets_are_random_and_prefixed() {
        let (a, b) = (generate_secret(), generate_secret());
        assert!(a.starts_with("whsec_") && a.len() == 6 + SECRET_LEN);
        assert_ne!(a, b);
    }
}
