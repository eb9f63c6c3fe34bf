//! Parameters reach SQL as bind parameters, never as text: `{{name}}`
//! outside quotes becomes the dialect's placeholder and its value is bound.
//! Written by hand because it is a small scan over quotes; the statement
//! that comes out is then checked by the parser like any other.

use serde_json::{Map, Value};

use crate::guard::Dialect;
use crate::SqlError;

/// SQL with placeholders, and the values in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub sql: String,
    pub values: Vec<Value>,
    /// The parameter names in placeholder order.
    pub names: Vec<String>,
}

/// Replaces each `{{name}}` in `sql` by a placeholder bound to
/// `parameters[name]`. A name with no value, a value that is an array or
/// object, or a `{{` inside a quoted string is an error naming it.
pub fn bind(
    sql: &str,
    parameters: &Map<String, Value>,
    dialect: Dialect,
) -> Result<Bound, SqlError> {
    let mut out = String::with_capacity(sql.len());
    let (mut values, mut names) = (Vec::new(), Vec::new());
    let mut quote: Option<char> = None;
    let mut rest = sql;
    while let Some(c) = rest.chars().next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if rest.starts_with("{{") {
                return Err(SqlError::invalid(
                    "sql",
                    "a {{parameter}} is inside a quoted string; write it bare: its value is bound, not pasted",
                ));
            }
        } else if matches!(c, '\'' | '"' | '`') {
            quote = Some(c);
        } else if let Some(after) = rest.strip_prefix("{{") {
            let end = after
                .find("}}")
                .ok_or_else(|| SqlError::invalid("sql", "a {{ is never closed by }}"))?;
            let name = after[..end].trim();
            let value = parameters.get(name).ok_or_else(|| {
                SqlError::invalid(
                    &format!("parameters.{name}"),
                    "is used by the SQL but has no value",
                )
            })?;
            if value.is_array() || value.is_object() {
                return Err(SqlError::invalid(
                    &format!("parameters.{name}"),
                    "must be a string, number, boolean or null",
                ));
            }
            values.push(value.clone());
            names.push(name.to_owned());
            out.push_str(&placeholder(dialect, values.len()));
            rest = &after[end + 2..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Ok(Bound {
        sql: out,
        values,
        names,
    })
}

fn placeholder(dialect: Dialect, position: usize) -> String {
    match dialect {
        Dialect::Postgres => format!("${position}"),
        Dialect::MySql | Dialect::Sqlite | Dialect::BigQuery => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn parameters_become_placeholders_with_values_in_order() {
        let p = params(json!({"region": "EU", "min": 5}));
        let b = bind(
            "SELECT * FROM t WHERE r = {{region}} AND n > {{ min }} AND s = '{x}'",
            &p,
            Dialect::Postgres,
        )
        .unwrap();
        assert_eq!(
            b.sql,
            "SELECT * FROM t WHERE r = $1 AND n > $2 AND s = '{x}'"
        );
        assert_eq!(b.values, vec![json!("EU"), json!(5)]);
        let b = bind("SELECT {{min}}, {{region}}", &p, Dialect::MySql).unwrap();
        assert_eq!(b.sql, "SELECT ?, ?");
        assert_eq!(b.values, vec![json!(5), json!("EU")]);
        let b = bind("SELECT {{region}}", &p, Dialect::BigQuery).unwrap();
        assert_eq!(
            (b.sql.as_str(), b.names[0].as_str()),
            ("SELECT ?", "region")
        );
    }

    #[test]
    fn a_value_never_becomes_sql_text() {
        let p = params(json!({"r": "x'; DROP TABLE t; --"}));
        let b = bind("SELECT * FROM t WHERE r = {{r}}", &p, Dialect::Sqlite).unwrap();
        assert_eq!(b.sql, "SELECT * FROM t WHERE r = ?");
        assert!(!b.sql.contains("DROP"));
    }

    #[test]
    fn missing_quoted_and_structured_parameters_are_errors_naming_them() {
        let p = params(json!({"a": [1], "b": 1}));
        let field = |r: Result<Bound, SqlError>| match r {
            Err(SqlError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(bind("SELECT {{c}}", &p, Dialect::Sqlite)),
            "parameters.c"
        );
        assert_eq!(
            field(bind("SELECT {{a}}", &p, Dialect::Sqlite)),
            "parameters.a"
        );
        assert_eq!(field(bind("SELECT '{{b}}'", &p, Dialect::Sqlite)), "sql");
        assert_eq!(field(bind("SELECT {{b", &p, Dialect::Sqlite)), "sql");
    }
}
