//! Timestamps: stored as Unix milliseconds, shown as RFC 3339 UTC.

use jiff::Timestamp;

/// Now, as Unix milliseconds.
pub fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// Unix milliseconds as RFC 3339 UTC (`2026-01-15T10:30:00.123Z`).
pub fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Parses an RFC 3339 timestamp into Unix milliseconds.
pub fn parse_rfc3339(raw: &str) -> Option<i64> {
    raw.parse::<Timestamp>().ok().map(|t| t.as_millisecond())
}

/// Midnight UTC of a `YYYY-MM-DD` date.
pub fn day_start(raw: &str) -> Option<Timestamp> {
    let date: jiff::civil::Date = raw.parse().ok()?;
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_midnights() {
        assert_eq!(
            day_start("2024-01-15").map(|t| t.as_millisecond()),
            Some(1_705_276_800_000)
        );
        assert_eq!(day_start("2024-13-01"), None);
        assert_eq!(day_start("15/01/2024"), None);
    }

    #[test]
    fn round_trips() {
        let ms = 1_705_314_600_000;
        assert_eq!(rfc3339(ms), "2024-01-15T10:30:00Z");
        assert_eq!(parse_rfc3339("2024-01-15T10:30:00Z"), Some(ms));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
