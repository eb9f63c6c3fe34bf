//! "Did you mean …?": the reason given for a field name nobody knows, with
//! the closest known name when one is close enough to be a typo. Used for
//! JSON bodies (serde's unknown-field errors) and for connector and channel
//! `config` objects, so every refusal of a typo reads the same.

/// Similarity (Jaro-Winkler, 0–1) from which a known name is offered.
const LIKELY_TYPO: f64 = 0.8;

/// The known name most like `unknown`, if it is likely a typo of it.
pub fn closest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let unknown = unknown.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&unknown, &k.to_ascii_lowercase()), *k))
        .filter(|(score, _)| *score >= LIKELY_TYPO)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Why `unknown` is refused: `is not a known field; did you mean
/// `space_key`?`, or the list of known fields when none is close.
pub fn unknown_field_reason(unknown: &str, known: &[&str]) -> String {
    match closest(unknown, known) {
        Some(name) => format!("is not a known field; did you mean `{name}`?"),
        None if known.is_empty() => "is not a known field (none are taken here)".to_owned(),
        None => format!("is not a known field (known: {})", known.join(", ")),
    }
}

/// The unknown field and the known ones in serde's message `unknown field
/// `x`, expected `a`` / `expected one of `a`, `b`` / `there are no fields`.
pub fn parse_serde_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (name, rest) = rest.split_once('`')?;
    let known = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((name.to_owned(), known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_the_closest_name_and_strangers_get_the_list() {
        let known = ["base_url", "email", "api_token", "space_key"];
        assert_eq!(closest("space_keys", &known), Some("space_key"));
        assert_eq!(closest("apitoken", &known), Some("api_token"));
        assert_eq!(closest("Email", &known), Some("email"));
        assert_eq!(closest("colour", &known), None);
        assert_eq!(
            unknown_field_reason("space_keys", &known),
            "is not a known field; did you mean `space_key`?"
        );
        assert_eq!(
            unknown_field_reason("colour", &known),
            "is not a known field (known: base_url, email, api_token, space_key)"
        );
    }

    #[test]
    fn serde_messages_are_read() {
        let (name, known) = parse_serde_unknown_field(
            "unknown field `nmae`, expected one of `name`, `type`, `config`",
        )
        .unwrap();
        assert_eq!(name, "nmae");
        assert_eq!(known, ["name", "type", "config"]);
        let (_, known) = parse_serde_unknown_field("unknown field `x`, expected `name`").unwrap();
        assert_eq!(known, ["name"]);
        let (_, known) =
            parse_serde_unknown_field("unknown field `x`, there are no fields").unwrap();
        assert!(known.is_empty());
        assert!(parse_serde_unknown_field("missing field `name`").is_none());
    }
}
