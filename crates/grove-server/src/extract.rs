//! Request extractors whose rejections name the field and the reason:
//! [`Json`] for bodies, [`Query`] for query strings, [`path_id`] for typed
//! ids in paths. Bodies are read as JSON whatever the `Content-Type`, so a
//! plain `curl -d` works.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use grove_core::ids::IdError;
use grove_core::page::Page;
use grove_core::suggest;
use grove_core::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::Failure;

/// A JSON body deserialised into `T`.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Failure(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    "request body is larger than the server accepts",
                ))
            } else {
                Failure(ApiError::invalid_field("body", rejection.body_text()))
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Failure(ApiError::invalid_field(
                "body",
                "a JSON object is required",
            )));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(Json).map_err(|e| {
            Failure(field_error(
                e.path().to_string(),
                &e.into_inner().to_string(),
            ))
        })
    }
}

/// A body that may be empty (then `T::default()`), or JSON for `T`; for
/// routes where every field is optional, such as a trigger.
pub fn optional_json<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, Failure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        Failure(field_error(
            e.path().to_string(),
            &e.into_inner().to_string(),
        ))
    })
}

/// A query string deserialised into `T`.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(raw));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                Failure(field_error(
                    e.path().to_string(),
                    &e.into_inner().to_string(),
                ))
            })
    }
}

fn form_urlencoded_parse(raw: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(raw.as_bytes())
}

/// Builds a 400 from a serde error at `path`. serde reports a missing field
/// at its parent, naming it in backticks; that name is lifted into the path.
/// Syntax errors have no usable path and name the body.
fn field_error(path: String, message: &str) -> ApiError {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    if let Some((name, known)) = suggest::parse_serde_unknown_field(&message) {
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        let parent = path.trim_end_matches(&name).trim_end_matches('.');
        let field = match parent {
            "" | "." => name.clone(),
            parent => format!("{parent}.{name}"),
        };
        return ApiError::invalid_field(&field, suggest::unknown_field_reason(&name, &known));
    }
    let named = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let at_root = path == "." || path.is_empty() || path.starts_with('?');
    let field = match (named, at_root) {
        (Some(name), true) => name.to_owned(),
        (Some(name), false) => format!("{path}.{name}"),
        (None, true) => "body".to_owned(),
        (None, false) => path,
    };
    ApiError::invalid_field(&field, message)
}

/// `limit` and `offset` as sent; validated by [`ListParams::page`].
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl ListParams {
    pub fn page(&self) -> Result<Page, Failure> {
        Page::new(self.limit, self.offset).map_err(Failure)
    }
}

/// Parses a typed id from a path segment, naming the parameter on failure.
pub fn path_id<T>(
    raw: &str,
    field: &str,
    parse: fn(&str) -> Result<T, IdError>,
) -> Result<T, Failure> {
    parse(raw).map_err(|e| Failure(ApiError::invalid_field(field, e.to_string())))
}

/// A list of typed ids with repeats dropped; a malformed one is a 400
/// naming `field[i]`.
pub fn id_list<T: PartialEq>(
    field: &str,
    raw: &[String],
    parse: fn(&str) -> Result<T, IdError>,
) -> Result<Vec<T>, Failure> {
    let mut ids = Vec::with_capacity(raw.len());
    for (i, value) in raw.iter().enumerate() {
        let id = parse(value).map_err(|e| {
            Failure(ApiError::invalid_field(
                &format!("{field}[{i}]"),
                e.to_string(),
            ))
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The 400 for ids of a list (`field`) that the organisation does not
/// have (`missing`, not empty): it names the first one's index, and
/// `details.unknown` lists them all. `what` names the kind of resource.
pub fn unknown_ids<T: std::fmt::Display>(
    field: &str,
    raw: &[String],
    missing: &[T],
    what: &str,
) -> Failure {
    let first = missing.first().map(ToString::to_string).unwrap_or_default();
    let i = raw.iter().position(|r| *r == first).unwrap_or(0);
    let field = format!("{field}[{i}]");
    Failure(
        ApiError::invalid_field(&field, format!("no {what} {first} in this organisation"))
            .with_details(serde_json::json!({
                "field": field,
                "reason": format!("unknown {what}"),
                "unknown": missing.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })),
    )
}

/// `raw` trimmed, checked to be at most `max` characters and, if
/// `required`, not empty; the error names `field`.
/// An optional value that must be one of a closed set of names (a wire
/// enum's `parse` and `names`): `None` when absent, a 400 naming `field`
/// when unknown.
pub fn one_of<T>(
    field: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    names: &str,
) -> Result<Option<T>, Failure> {
    raw.map(|raw| {
        parse(raw).ok_or_else(|| {
            Failure(ApiError::invalid_field(
                field,
                format!("must be one of {names}"),
            ))
        })
    })
    .transpose()
}

pub fn trimmed_text(field: &str, raw: &str, max: usize, required: bool) -> Result<String, Failure> {
    let value = raw.trim();
    if (required && value.is_empty()) || value.chars().count() > max {
        let least = usize::from(required);
        return Err(Failure(ApiError::invalid_field(
            field,
            format!("must be {least} to {max} characters"),
        )));
    }
    Ok(value.to_owned())
}

/// A range of whole UTC days from `start_date` to `end_date`, both
/// inclusive, as `[since, until)`. Either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DateRange {
    pub since: Option<jiff::Timestamp>,
    pub until: Option<jiff::Timestamp>,
}

impl DateRange {
    pub fn parse(start_date: Option<&str>, end_date: Option<&str>) -> Result<Self, Failure> {
        let day = |field: &str, raw: Option<&str>| {
            raw.map(|raw| {
                grove_core::time::day_start(raw).ok_or_else(|| {
                    Failure(ApiError::invalid_field(
                        field,
                        "must be a date as YYYY-MM-DD",
                    ))
                })
            })
            .transpose()
        };
        let since = day("start_date", start_date)?;
        let end = day("end_date", end_date)?;
        if let (Some(s), Some(e)) = (since, end) {
            if e < s {
                return Err(Failure(ApiError::invalid_field(
                    "end_date",
                    "must not be before start_date",
                )));
            }
        }
        let until = end.map(|e| e + jiff::SignedDuration::from_hours(24));
        Ok(Self { since, until })
    }
}

/// For a field that `null` clears: `Some(None)` for an explicit `null`,
/// `None` when the field is absent (with `#[serde(default)]`).
pub fn nullable<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn error_for(json: &str) -> ApiError {
        let de = &mut serde_json::Deserializer::from_str(json);
        let e = serde_path_to_error::deserialize::<_, Body>(de).unwrap_err();
        field_error(e.path().to_string(), &e.into_inner().to_string())
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(error_for("{}").details["field"], "name");
        assert_eq!(error_for(r#"{"name": 5}"#).details["field"], "name");
        assert_eq!(
            error_for(r#"{"name":"a","inner":{"count":"x"}}"#).details["field"],
            "inner.count"
        );
        assert_eq!(
            error_for(r#"{"name":"a","inner":{}}"#).details["field"],
            "inner.count"
        );
        assert_eq!(error_for("{").details["field"], "body");
    }

    #[test]
    fn unknown_fields_are_named_with_the_closest_known_one() {
        let e = error_for(r#"{"nmae": "a"}"#);
        assert_eq!(e.details["field"], "nmae");
        assert_eq!(
            e.details["reason"],
            "is not a known field; did you mean `name`?"
        );
        let e = error_for(r#"{"name":"a","inner":{"count":1,"counts":2}}"#);
        assert_eq!(e.details["field"], "inner.counts");
        assert_eq!(
            e.details["reason"],
            "is not a known field; did you mean `count`?"
        );
        let e = error_for(r#"{"name":"a","zebra":1}"#);
        assert_eq!(
            e.details["reason"],
            "is not a known field (known: name, inner)"
        );
    }

    #[test]
    fn date_ranges_include_the_end_day_and_refuse_reversal() {
        let range = DateRange::parse(Some("2024-01-15"), Some("2024-01-15")).unwrap();
        let (since, until) = (range.since.unwrap(), range.until.unwrap());
        assert_eq!(until.duration_since(since).as_hours(), 24);
        let err = DateRange::parse(Some("2024-01-16"), Some("2024-01-15")).unwrap_err();
        assert_eq!(err.0.details["field"], "end_date");
        let err = DateRange::parse(Some("jan"), None).unwrap_err();
        assert_eq!(err.0.details["field"], "start_date");
        assert_eq!(DateRange::parse(None, None).unwrap(), DateRange::default());
    }
}
