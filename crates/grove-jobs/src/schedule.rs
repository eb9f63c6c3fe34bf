//! Job schedules: 5-field cron expressions evaluated in an IANA time zone,
//! and the shortcuts `@hourly`, `@daily`, `@weekly`, `@monthly`,
//! `@first-weekday` and `@last-weekday` (midnight of the first or last
//! Monday–Friday of each month).
//!
//! Fields: minute (0–59), hour (0–23), day of month (1–31), month (1–12 or
//! `jan`–`dec`), day of week (0–7 or `sun`–`sat`, 0 and 7 both Sunday); each
//! a list of `*`, `n`, `a-b`, with an optional `/step`. As in Vixie cron,
//! when both day fields are restricted a day matching either one is due.
//!
//! Daylight-saving time: a local time that does not exist (the hour skipped
//! in spring) runs at the same offset after the gap (02:30 becomes 03:30);
//! a local time that happens twice (the hour repeated in autumn) runs once,
//! at its first occurrence. A time is never run twice.
//!
//! Written here rather than taken from a crate: the cron crates evaluate
//! over chrono, and Grove keeps its time in jiff; the evaluation is a
//! day-by-day walk of a few dozen lines.

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// How far ahead a schedule is searched for its next time (covers 29 February).
const HORIZON_DAYS: i32 = 366 * 8;

/// Why a schedule was refused; `field` names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ScheduleError {
    pub field: &'static str,
    pub reason: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> ScheduleError {
    ScheduleError {
        field,
        reason: reason.into(),
    }
}

/// Which days of a month are due.
#[derive(Debug, Clone, PartialEq)]
enum Days {
    /// Cron's two day fields; `None` is `*`.
    Cron {
        month_days: Option<Vec<bool>>,
        weekdays: Option<Vec<bool>>,
    },
    FirstWeekday,
    LastWeekday,
}

/// A parsed schedule in its time zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    expression: String,
    zone: TimeZone,
    minutes: Vec<i8>,
    hours: Vec<i8>,
    months: Vec<bool>,
    days: Days,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// One field as a bitmap over `min..=max`.
fn field(
    name: &'static str,
    raw: &str,
    min: u8,
    max: u8,
    names: &[&str],
    first_name: u8,
) -> Result<Vec<bool>, ScheduleError> {
    let value = |s: &str| -> Result<u8, ScheduleError> {
        let lower = s.to_ascii_lowercase();
        if let Some(i) = names.iter().position(|n| *n == lower) {
            return Ok(first_name + i as u8);
        }
        let n: u8 = s
            .parse()
            .map_err(|_| refuse(name, format!("`{s}` is not a number")))?;
        if n < min || n > max {
            return Err(refuse(name, format!("{n} is outside {min}-{max}")));
        }
        Ok(n)
    };
    let mut set = vec![false; max as usize + 1];
    for part in raw.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u8 =
                    s.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        refuse(name, format!("step `{s}` must be a positive number"))
                    })?;
                (r, step)
            }
            None => (part, 1),
        };
        let (low, high) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                None if step > 1 => (value(r)?, max),
                None => (value(r)?, value(r)?),
            },
        };
        if low > high {
            return Err(refuse(name, format!("range `{range}` runs backwards")));
        }
        for n in (low..=high).step_by(step as usize) {
            set[n as usize] = true;
        }
    }
    Ok(set)
}

fn listed(set: &[bool]) -> Vec<i8> {
    (0..set.len())
        .filter(|&i| set[i])
        .map(|i| i as i8)
        .collect()
}

impl Schedule {
    /// Parses `expression` (cron or a shortcut) for the IANA zone `zone`.
    pub fn parse(expression: &str, zone: &str) -> Result<Self, ScheduleError> {
        let zone = TimeZone::get(zone)
            .map_err(|_| refuse("timezone", format!("`{zone}` is not an IANA time zone")))?;
        let trimmed = expression.trim();
        let (cron, days) = match trimmed {
            "@hourly" => ("0 * * * *", None),
            "@daily" | "@midnight" => ("0 0 * * *", None),
            "@weekly" => ("0 0 * * 0", None),
            "@monthly" => ("0 0 1 * *", None),
            "@first-weekday" => ("0 0 * * *", Some(Days::FirstWeekday)),
            "@last-weekday" => ("0 0 * * *", Some(Days::LastWeekday)),
            other if other.starts_with('@') => {
                return Err(refuse(
                    "schedule",
                    format!("unknown shortcut `{other}`; use @hourly, @daily, @weekly, @monthly, @first-weekday or @last-weekday"),
                ))
            }
            other => (other, None),
        };
        let parts: Vec<&str> = cron.split_whitespace().collect();
        let [minute, hour, dom, month, dow] = parts[..] else {
            return Err(refuse(
                "schedule",
                format!(
                    "expected 5 fields (minute hour day-of-month month day-of-week), got {}",
                    parts.len()
                ),
            ));
        };
        let mut weekdays = field("day_of_week", dow, 0, 7, &WEEKDAYS, 0)?;
        if weekdays[7] {
            weekdays[0] = true;
        }
        let days = days.unwrap_or(Days::Cron {
            month_days: (dom != "*")
                .then(|| field("day_of_month", dom, 1, 31, &[], 1))
                .transpose()?,
            weekdays: (dow != "*").then_some(weekdays),
        });
        Ok(Self {
            expression: trimmed.to_owned(),
            zone,
            minutes: listed(&field("minute", minute, 0, 59, &[], 0)?),
            hours: listed(&field("hour", hour, 0, 23, &[], 0)?),
            months: field("month", month, 1, 12, &MONTHS, 1)?,
            days,
        })
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    fn day_is_due(&self, date: Date) -> bool {
        if !self.months[date.month() as usize] {
            return false;
        }
        let weekday = date.weekday().to_sunday_zero_offset() as usize;
        match &self.days {
            Days::Cron {
                month_days,
                weekdays,
            } => {
                let by_date = month_days.as_ref().map(|d| d[date.day() as usize]);
                let by_weekday = weekdays.as_ref().map(|w| w[weekday]);
                match (by_date, by_weekday) {
                    (Some(a), Some(b)) => a || b,
                    (Some(a), None) | (None, Some(a)) => a,
                    (None, None) => true,
                }
            }
            Days::FirstWeekday => date == first_weekday(date),
            Days::LastWeekday => date == last_weekday(date),
        }
    }

    /// The first time strictly after `after` at which the schedule is due.
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let start = after.to_zoned(self.zone.clone()).date();
        // The day before too: its late times may fall after `after` once a
        // gap shifts them.
        let mut date = start.checked_sub(1.day()).ok()?;
        for _ in 0..HORIZON_DAYS {
            if self.day_is_due(date) {
                if let Some(t) = self.first_on(date, after) {
                    return Some(t);
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The earliest due instant on `date` after `after`.
    fn first_on(&self, date: Date, after: Timestamp) -> Option<Timestamp> {
        let mut best: Option<Timestamp> = None;
        for &hour in &self.hours {
            for &minute in &self.minutes {
                let local = DateTime::from_parts(date, Time::new(hour, minute, 0, 0).ok()?);
                // Compatible: a skipped time moves past the gap, a repeated
                // one takes its first occurrence.
                let Ok(zoned) = local.to_zoned(self.zone.clone()) else {
                    continue;
                };
                let t = zoned.timestamp();
                if t > after && best.is_none_or(|b| t < b) {
                    best = Some(t);
                }
            }
        }
        best
    }
}

fn is_weekday(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The first Monday–Friday of `date`'s month.
fn first_weekday(date: Date) -> Date {
    let mut d = date.first_of_month();
    while !is_weekday(d) {
        d = d.tomorrow().unwrap_or(d);
    }
    d
}

/// The last Monday–Friday of `date`'s month.
fn last_weekday(date: Date) -> Date {
    let mut d = date.last_of_month();
    while !is_weekday(d) {
        d = d.yesterday().unwrap_or(d);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// The next `n` times after `from`, in RFC 3339 UTC.
    fn next(expr: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
        let schedule = Schedule::parse(expr, zone).unwrap();
        let mut t = at(from);
        (0..n)
            .map(|_| {
                t = schedule.next_after(t).unwrap();
                t.to_string()
            })
            .collect()
    }

    #[test]
    fn plain_cron_in_utc() {
        assert_eq!(
            next("*/15 9-10 * * mon-fri", "UTC", "2026-11-20T10:40:00Z", 3),
            [
                "2026-11-20T10:45:00Z",
                "2026-11-23T09:00:00Z",
                "2026-11-23T09:15:00Z"
            ]
        );
        assert_eq!(
            next("@hourly", "UTC", "2026-11-23T10:00:00Z", 1),
            ["2026-11-23T11:00:00Z"]
        );
        assert_eq!(
            next("@weekly", "UTC", "2026-11-23T10:00:00Z", 1),
            ["2026-11-29T00:00:00Z"]
        );
        assert_eq!(
            next("@monthly", "UTC", "2026-11-23T10:00:00Z", 1),
            ["2026-12-01T00:00:00Z"]
        );
        // 29 February, four years on.
        assert_eq!(
            next("0 12 29 2 *", "UTC", "2024-03-01T00:00:00Z", 1),
            ["2028-02-29T12:00:00Z"]
        );
    }

    #[test]
    fn restricted_day_fields_match_either() {
        // The 13th, or any Friday.
        assert_eq!(
            next("0 0 13 * fri", "UTC", "2026-11-10T00:00:00Z", 3),
            [
                "2026-11-13T00:00:00Z",
                "2026-11-20T00:00:00Z",
                "2026-11-27T00:00:00Z"
            ]
        );
        assert_eq!(
            next("0 0 * * 7", "UTC", "2026-11-23T00:00:00Z", 1),
            ["2026-11-29T00:00:00Z"]
        );
    }

    #[test]
    fn the_skipped_spring_hour_runs_once_after_the_gap() {
        // New York skips 02:00–03:00 on 2026-03-08 (EST −5 → EDT −4).
        assert_eq!(
            next("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 3),
            [
                "2026-03-08T07:30:00Z", // 02:30 EST does not exist: 03:30 EDT
                "2026-03-09T06:30:00Z", // 02:30 EDT
                "2026-03-10T06:30:00Z",
            ]
        );
        // Times around the gap keep their order and are never repeated.
        assert_eq!(
            next(
                "0,30 1-3 * * *",
                "America/New_York",
                "2026-03-08T05:00:00Z",
                4
            ),
            [
                "2026-03-08T06:00:00Z", // 01:00 EST
                "2026-03-08T06:30:00Z", // 01:30 EST
                "2026-03-08T07:00:00Z", // 02:00 skipped → 03:00 EDT (= 03:00)
                "2026-03-08T07:30:00Z", // 02:30 → 03:30 EDT (= 03:30)
            ]
        );
    }

    #[test]
    fn the_repeated_autumn_hour_runs_once() {
        // New York repeats 01:00–02:00 on 2026-11-01 (EDT −4 → EST −5).
        assert_eq!(
            next("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2),
            ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]
        );
        // Berlin, hourly across its fall-back night: 02:00 CEST, then 03:00 CET.
        assert_eq!(
            next("0 * * * *", "Europe/Berlin", "2026-10-24T23:30:00Z", 3),
            [
                "2026-10-25T00:00:00Z",
                "2026-10-25T02:00:00Z",
                "2026-10-25T03:00:00Z"
            ]
        );
    }

    #[test]
    fn first_and_last_weekdays_on_known_dates() {
        assert_eq!(
            next("@first-weekday", "UTC", "2026-01-15T00:00:00Z", 3),
            // 1 Feb is a Sunday; 1 Mar a Sunday; 1 Apr a Wednesday.
            [
                "2026-02-02T00:00:00Z",
                "2026-03-02T00:00:00Z",
                "2026-04-01T00:00:00Z"
            ]
        );
        assert_eq!(
            next("@last-weekday", "UTC", "2026-01-01T00:00:00Z", 3),
            // 31 Jan is a Saturday; 28 Feb a Saturday; 31 Mar a Tuesday.
            [
                "2026-01-30T00:00:00Z",
                "2026-02-27T00:00:00Z",
                "2026-03-31T00:00:00Z"
            ]
        );
        assert_eq!(
            next("@first-weekday", "Asia/Tokyo", "2026-12-15T00:00:00Z", 1),
            // 1 January 2027 is a Friday; midnight in Tokyo.
            ["2026-12-31T15:00:00Z"]
        );
    }

    #[test]
    fn first_and_last_weekdays_over_five_years() {
        for (expr, first) in [("@first-weekday", true), ("@last-weekday", false)] {
            let schedule = Schedule::parse(expr, "Europe/London").unwrap();
            let zone = TimeZone::get("Europe/London").unwrap();
            let mut t = at("2026-01-01T00:00:00Z");
            let mut months = Vec::new();
            while t < at("2030-12-31T00:00:00Z") {
                t = schedule.next_after(t).unwrap();
                let date = t.to_zoned(zone.clone()).date();
                assert!(is_weekday(date), "{expr}: {date}");
                assert_eq!(t.to_zoned(zone.clone()).time(), Time::midnight());
                // Every day between it and the month's edge is a weekend day.
                let mut edge = if first {
                    date.first_of_month()
                } else {
                    date.last_of_month()
                };
                while edge != date {
                    assert!(!is_weekday(edge), "{expr}: {date} skips {edge}");
                    edge = if first {
                        edge.tomorrow().unwrap()
                    } else {
                        edge.yesterday().unwrap()
                    };
                }
                months.push((date.year(), date.month()));
            }
            months.dedup();
            assert_eq!(months.len(), 60, "{expr}: one run a month");
        }
    }

    #[test]
    fn bad_expressions_name_the_field() {
        for (expr, zone, field) in [
            ("61 * * * *", "UTC", "minute"),
            ("0 24 * * *", "UTC", "hour"),
            ("0 0 0 * *", "UTC", "day_of_month"),
            ("0 0 * 13 *", "UTC", "month"),
            ("0 0 * * 8", "UTC", "day_of_week"),
            ("0 0 * *", "UTC", "schedule"),
            ("*/0 * * * *", "UTC", "minute"),
            ("5-1 * * * *", "UTC", "minute"),
            ("@yearlyish", "UTC", "schedule"),
            ("@daily", "Mars/Olympus", "timezone"),
        ] {
            let err = Schedule::parse(expr, zone).unwrap_err();
            assert_eq!(err.field, field, "{expr}: {err}");
        }
        assert!(Schedule::parse("0 9 * jan-mar MON", "Europe/Paris").is_ok());
    }
}
