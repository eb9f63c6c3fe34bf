//! Prompt templates: `{{name}}` placeholders filled from typed parameters.
//!
//! A job declares its parameters (name, type, optional default). Creating a
//! job checks every placeholder is declared; triggering it checks the given
//! values (unknown names, missing required ones, wrong types) and renders
//! the question. Written by hand: the syntax is one kind of placeholder,
//! and a template engine would bring loops and escaping a question needs
//! neither of.

use std::collections::BTreeSet;

use grove_core::jobs::{ParamSpec, ParamType, ParamValues};
use serde_json::Value;

/// Why a template or a set of values is not usable; the message names the
/// parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("placeholder {{{{{0}}}}} is not a declared parameter")]
    Undeclared(String),
    #[error("unclosed placeholder at byte {0}")]
    Unclosed(usize),
    #[error("parameter name `{0}` must be 1 to 64 letters, digits or underscores")]
    BadName(String),
    #[error(
        "placeholder {{{{{0}}}}} must name a parameter: 1 to 64 letters, digits or underscores"
    )]
    BadPlaceholder(String),
    #[error("parameter `{0}` is declared twice")]
    Duplicate(String),
    #[error("default of `{name}`: {reason}")]
    BadDefault { name: String, reason: String },
    #[error("unknown parameter(s): {}", .0.join(", "))]
    Unknown(Vec<String>),
    #[error("missing parameter(s): {}", .0.join(", "))]
    Missing(Vec<String>),
    #[error("parameter `{name}`: {reason}")]
    WrongType { name: String, reason: String },
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The placeholder names of a template, in order of first use.
pub fn placeholders(template: &str) -> Result<Vec<String>, TemplateError> {
    let mut names = Vec::new();
    let mut rest = template;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or(TemplateError::Unclosed(offset + start))?;
        let name = after[..end].trim().to_owned();
        if !valid_name(&name) {
            return Err(TemplateError::BadPlaceholder(name));
        }
        if !names.contains(&name) {
            names.push(name);
        }
        let consumed = start + 2 + end + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    Ok(names)
}

/// Checks a job's declarations against its template.
pub fn check_template(template: &str, specs: &[ParamSpec]) -> Result<(), TemplateError> {
    let mut seen = BTreeSet::new();
    for spec in specs {
        if !valid_name(&spec.name) {
            return Err(TemplateError::BadName(spec.name.clone()));
        }
        if !seen.insert(spec.name.as_str()) {
            return Err(TemplateError::Duplicate(spec.name.clone()));
        }
        if let Some(default) = &spec.default {
            check_type(spec.kind, default).map_err(|reason| TemplateError::BadDefault {
                name: spec.name.clone(),
                reason,
            })?;
        }
    }
    for name in placeholders(template)? {
        if !seen.contains(name.as_str()) {
            return Err(TemplateError::Undeclared(name));
        }
    }
    Ok(())
}

fn check_type(kind: ParamType, value: &Value) -> Result<(), String> {
    let ok = match kind {
        ParamType::String => value.is_string(),
        ParamType::Integer => value.is_i64() || value.is_u64(),
        ParamType::Number => value.is_number(),
        ParamType::Boolean => value.is_boolean(),
        ParamType::Date => {
            return match value.as_str() {
                Some(s) if s.parse::<jiff::civil::Date>().is_ok() => Ok(()),
                _ => Err("must be a date (YYYY-MM-DD)".into()),
            }
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("must be of type {}", kind.as_str()))
    }
}

/// The full values of a run: the given ones checked against the
/// declarations, with defaults for those left out.
pub fn resolve(specs: &[ParamSpec], given: &ParamValues) -> Result<ParamValues, TemplateError> {
    let unknown: Vec<String> = given
        .keys()
        .filter(|k| !specs.iter().any(|s| &s.name == *k))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(TemplateError::Unknown(unknown));
    }
    let missing: Vec<String> = specs
        .iter()
        .filter(|s| s.default.is_none() && !given.contains_key(&s.name))
        .map(|s| s.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(TemplateError::Missing(missing));
    }
    let mut values = ParamValues::new();
    for spec in specs {
        let value = given
            .get(&spec.name)
            .or(spec.default.as_ref())
            .cloned()
            .unwrap_or(Value::Null);
        check_type(spec.kind, &value).map_err(|reason| TemplateError::WrongType {
            name: spec.name.clone(),
            reason,
        })?;
        values.insert(spec.name.clone(), value);
    }
    Ok(values)
}

/// Fills the placeholders of a checked template with resolved values.
pub fn render(template: &str, values: &ParamValues) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = rest[start + 2..start + 2 + end].trim();
        match values.get(name) {
            Some(Value::String(s)) => out.push_str(s),
            Some(other) => out.push_str(&other.to_string()),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &rest[start + 2 + end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, kind: ParamType, default: Option<Value>) -> ParamSpec {
        ParamSpec {
            name: name.into(),
            kind,
            default,
        }
    }

    fn values(v: Value) -> ParamValues {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn renders_declared_placeholders_with_defaults() {
        let specs = [
            spec("campaign_id", ParamType::Integer, None),
            spec("region", ParamType::String, Some(json!("EU"))),
        ];
        let template = "How did campaign {{campaign_id}} do in {{ region }}? ({{campaign_id}})";
        check_template(template, &specs).unwrap();
        let resolved = resolve(&specs, &values(json!({"campaign_id": 42}))).unwrap();
        assert_eq!(
            render(template, &resolved),
            "How did campaign 42 do in EU? (42)"
        );
    }

    #[test]
    fn names_undeclared_unknown_missing_and_mistyped_parameters() {
        let specs = [
            spec("a", ParamType::Integer, None),
            spec("d", ParamType::Date, None),
        ];
        assert_eq!(
            check_template("{{a}} {{b}}", &specs),
            Err(TemplateError::Undeclared("b".into()))
        );
        assert_eq!(
            check_template("{{a", &specs),
            Err(TemplateError::Unclosed(0))
        );
        assert_eq!(
            resolve(&specs, &values(json!({"a": 1, "x": 2, "d": "2026-01-01"}))),
            Err(TemplateError::Unknown(vec!["x".into()]))
        );
        assert_eq!(
            resolve(&specs, &values(json!({}))),
            Err(TemplateError::Missing(vec!["a".into(), "d".into()]))
        );
        let wrong = resolve(&specs, &values(json!({"a": "1", "d": "2026-01-01"}))).unwrap_err();
        assert_eq!(wrong.to_string(), "parameter `a`: must be of type integer");
        let bad_date = resolve(&specs, &values(json!({"a": 1, "d": "soon"}))).unwrap_err();
        assert!(bad_date.to_string().contains("YYYY-MM-DD"), "{bad_date}");
        let bad_default = check_template("", &[spec("n", ParamType::Boolean, Some(json!(1)))]);
        assert!(matches!(bad_default, Err(TemplateError::BadDefault { .. })));
    }
}
