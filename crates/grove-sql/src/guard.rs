//! The parser's half of "read-only, enforced twice": a statement runs only
//! if `sqlparser`, in the connector's dialect, finds exactly one query whose
//! every table is in the connector's catalog of allowed tables and whose
//! every function is off the dialect's deny-list. Anything the parser cannot
//! classify is refused, never guessed. The database's half (read-only
//! transactions, authorizers, dry runs) lives with each driver.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Ident, ObjectName, ObjectNamePart, Query, Select, SetExpr, Statement, TableFactor, Visit,
    Visitor,
};
use sqlparser::dialect::{
    BigQueryDialect, Dialect as ParserDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::parser::Parser;

use crate::catalog::{Catalog, TableRef};

/// The SQL dialect of a connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    MySql,
    Sqlite,
    BigQuery,
}

impl Dialect {
    fn parser(self) -> Box<dyn ParserDialect> {
        match self {
            Dialect::Postgres => Box::new(PostgreSqlDialect {}),
            Dialect::MySql => Box::new(MySqlDialect {}),
            Dialect::Sqlite => Box::new(SQLiteDialect {}),
            Dialect::BigQuery => Box::new(BigQueryDialect {}),
        }
    }

    /// An identifier as the database resolves it: PostgreSQL folds unquoted
    /// names to lower case, SQLite compares without case, MySQL (on Linux)
    /// and BigQuery compare table names exactly.
    pub fn fold(self, ident: &Ident) -> String {
        match self {
            Dialect::Postgres if ident.quote_style.is_none() => ident.value.to_lowercase(),
            Dialect::Sqlite => ident.value.to_lowercase(),
            _ => ident.value.clone(),
        }
    }

    /// Whether `function` (lower case, unqualified) is denied in this dialect.
    pub(crate) fn denies(self, function: &str) -> bool {
        if function.contains("sleep") {
            return true;
        }
        match self {
            Dialect::Postgres => {
                ["pg_", "lo_", "dblink"]
                    .iter()
                    .any(|p| function.starts_with(p))
                    || function.contains("_to_xml")
                    || PG_DENIED.contains(&function)
            }
            Dialect::MySql => MYSQL_DENIED.contains(&function),
            Dialect::Sqlite => SQLITE_DENIED.contains(&function),
            Dialect::BigQuery => BIGQUERY_DENIED.contains(&function),
        }
    }
}

/// PostgreSQL functions that change state or reach outside the allowed
/// tables (besides every `pg_*`, `lo_*`, `dblink*` and `*_to_xml*`).
const PG_DENIED: &[&str] = &[
    "ts_stat",
    "ts_rewrite",
    "xpath_table",
    "set_config",
    "nextval",
    "setval",
    "currval",
    "lastval",
    "txid_current",
    "current_setting",
    "query_to_xml",
    "xmlexists",
    "copy",
];
const MYSQL_DENIED: &[&str] = &[
    "benchmark",
    "load_file",
    "get_lock",
    "release_lock",
    "release_all_locks",
    "is_free_lock",
    "is_used_lock",
    "master_pos_wait",
    "source_pos_wait",
    "wait_for_executed_gtid_set",
    "wait_until_sql_thread_after_gtids",
    "sys_exec",
    "sys_eval",
    "last_insert_id",
];
const SQLITE_DENIED: &[&str] = &[
    "load_extension",
    "readfile",
    "writefile",
    "edit",
    "fts3_tokenizer",
    "zipfile",
    "randomblob",
    "zeroblob",
];
const BIGQUERY_DENIED: &[&str] = &["external_query", "session_user"];

/// Table functions that only generate rows (nothing read from storage).
const ROW_GENERATORS: &[&str] = &["generate_series"];

/// Why a statement was refused: the rule broken and the offending part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rule}: {detail}")]
pub struct Refusal {
    /// A short, stable name of the rule (`one_statement`, `read_only`,
    /// `table_not_allowed`, `function_denied`, `unparsable`, …).
    pub rule: &'static str,
    pub detail: String,
}

impl Refusal {
    fn new(rule: &'static str, detail: impl Into<String>) -> Self {
        Refusal {
            rule,
            detail: detail.into(),
        }
    }
}

/// What a checked statement reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The catalog's tables the statement names, each once, in order.
    pub tables: Vec<TableRef>,
}

/// Checks `sql` against the rules and the catalog of allowed tables.
pub fn check(sql: &str, dialect: Dialect, catalog: &Catalog) -> Result<Checked, Refusal> {
    refuse_unread_syntax(sql, dialect)?;
    let statements = Parser::parse_sql(dialect.parser().as_ref(), sql)
        .map_err(|e| Refusal::new("unparsable", format!("the parser could not read it ({e})")))?;
    let statement = match statements.as_slice() {
        [one] => one,
        [] => return Err(Refusal::new("one_statement", "there is no statement")),
        many => {
            return Err(Refusal::new(
                "one_statement",
                format!(
                    "exactly one statement may run; found {} (the second: `{}`)",
                    many.len(),
                    clip(&many[1].to_string())
                ),
            ))
        }
    };
    let Statement::Query(query) = statement else {
        return Err(Refusal::new(
            "read_only",
            format!(
                "only queries (SELECT, WITH, VALUES) may run; this is `{}`",
                clip(&statement.to_string())
            ),
        ));
    };
    let mut walk = Walk {
        dialect,
        catalog,
        scopes: Vec::new(),
        cte_scopes: HashMap::new(),
        tables: Vec::new(),
        generator: None,
    };
    match query.visit(&mut walk) {
        ControlFlow::Break(refusal) => Err(refusal),
        ControlFlow::Continue(()) => Ok(Checked {
            tables: walk.tables,
        }),
    }
}

/// Syntax the database reads but the parser does not: PostgreSQL's
/// Unicode-escaped names (`U&"pg\005fsleep"` is `pg_sleep`), MySQL's and
/// MariaDB's executable comments (`/*! … */`, `/*M! … */`) and optimizer
/// hints (`/*+ MAX_EXECUTION_TIME(…) */` would lift the timeout). Refused
/// wherever they appear, quoted text included: fail closed.
fn refuse_unread_syntax(sql: &str, dialect: Dialect) -> Result<(), Refusal> {
    let lower = sql.to_ascii_lowercase();
    let found = match dialect {
        Dialect::Postgres => ["u&\"", "u&'"].into_iter().find(|m| lower.contains(m)),
        Dialect::MySql => ["/*!", "/*m!", "/*+"]
            .into_iter()
            .find(|m| lower.contains(m)),
        Dialect::Sqlite | Dialect::BigQuery => None,
    };
    match found {
        Some(marker) => Err(Refusal::new(
            "unsupported",
            format!("`{marker}` (escaped names, executable comments or hints) is not allowed"),
        )),
        None => Ok(()),
    }
}

fn clip(text: &str) -> String {
    const MAX: usize = 120;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The visitor: a scope stack of the CTE names each query can see, so a
/// name resolves to a CTE only where that CTE is visible (a non-recursive
/// CTE is not visible in its own body: `WITH t AS (SELECT * FROM t)` reads
/// the real `t`).
struct Walk<'a> {
    dialect: Dialect,
    catalog: &'a Catalog,
    scopes: Vec<HashSet<String>>,
    /// CTE bodies not yet entered, by address, with the names they see.
    cte_scopes: HashMap<*const Query, HashSet<String>>,
    tables: Vec<TableRef>,
    /// The name of a row generator just allowed (its relation is no table).
    generator: Option<*const ObjectName>,
}

impl Walk<'_> {
    fn enter(&mut self, query: &Query) -> Result<(), Refusal> {
        let outer = self.scopes.last().cloned().unwrap_or_default();
        let base = self
            .cte_scopes
            .remove(&(query as *const Query))
            .unwrap_or(outer);
        let mut visible = base.clone();
        if let Some(with) = &query.with {
            let names: Vec<String> = with
                .cte_tables
                .iter()
                .map(|cte| self.dialect.fold(&cte.alias.name))
                .collect();
            for (i, cte) in with.cte_tables.iter().enumerate() {
                let mut seen = base.clone();
                // A recursive CTE sees itself and the earlier ones (MySQL
                // allows no forward reference; where PostgreSQL does, a
                // forward name is checked as a table: refused, not leaked).
                let earlier = if with.recursive {
                    &names[..=i]
                } else {
                    &names[..i]
                };
                seen.extend(earlier.iter().cloned());
                self.cte_scopes.insert(&*cte.query as *const Query, seen);
            }
            visible.extend(names);
        }
        self.scopes.push(visible);
        check_query_clauses(query)
    }

    fn relation(&mut self, name: &ObjectName) -> Result<(), Refusal> {
        if self.generator.take() == Some(name as *const ObjectName) {
            return Ok(());
        }
        let parts = identifiers(name)?;
        if let [single] = parts.as_slice() {
            let folded = self.dialect.fold(single);
            if self.scopes.last().is_some_and(|s| s.contains(&folded)) {
                return Ok(());
            }
        }
        let table = self
            .catalog
            .resolve(self.dialect, &parts)
            .map_err(|reason| Refusal::new("table_not_allowed", format!("`{name}` {reason}")))?;
        if !self.tables.contains(&table) {
            self.tables.push(table);
        }
        Ok(())
    }

    fn table_factor(&mut self, factor: &TableFactor) -> Result<(), Refusal> {
        match factor {
            TableFactor::Table { name, args, .. } if args.is_some() => {
                let function = last_name(name);
                let builtin = match name.0.as_slice() {
                    [_] => true,
                    [schema, _] => schema.to_string().eq_ignore_ascii_case("pg_catalog"),
                    _ => false,
                };
                if ROW_GENERATORS.contains(&function.as_str())
                    && self.dialect == Dialect::Postgres
                    && builtin
                {
                    self.generator = Some(name as *const ObjectName);
                    return Ok(());
                }
                Err(Refusal::new(
                    "table_function",
                    format!("table functions may not be read from (`{name}(…)`)"),
                ))
            }
            TableFactor::Table { .. }
            | TableFactor::Derived { .. }
            | TableFactor::NestedJoin { .. }
            | TableFactor::Pivot { .. }
            | TableFactor::Unpivot { .. } => Ok(()),
            other => Err(Refusal::new(
                "table_function",
                format!(
                    "only tables and subqueries may be read from (`{}`)",
                    clip(&other.to_string())
                ),
            )),
        }
    }

    fn function(&self, name: &ObjectName) -> Result<(), Refusal> {
        identifiers(name)?;
        let function = last_name(name);
        if self.dialect.denies(&function) {
            return Err(Refusal::new(
                "function_denied",
                format!("the function `{name}` is not allowed"),
            ));
        }
        Ok(())
    }
}

impl Visitor for Walk<'_> {
    type Break = Refusal;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Refusal> {
        flow(self.enter(query))
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<Refusal> {
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<Refusal> {
        if let Some(into) = &select.into {
            return ControlFlow::Break(Refusal::new(
                "read_only",
                format!(
                    "SELECT … INTO writes its result (`{}`)",
                    clip(&into.to_string())
                ),
            ));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<Refusal> {
        flow(self.relation(relation))
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<Refusal> {
        flow(self.table_factor(factor))
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Refusal> {
        match expr {
            Expr::Function(f) => flow(self.function(&f.name)),
            _ => ControlFlow::Continue(()),
        }
    }

    /// A statement inside the query is a data-modifying CTE or subquery
    /// (`WITH d AS (DELETE … RETURNING *) SELECT …`).
    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<Refusal> {
        ControlFlow::Break(Refusal::new(
            "read_only",
            format!("a query may not contain `{}`", clip(&statement.to_string())),
        ))
    }
}

fn flow(result: Result<(), Refusal>) -> ControlFlow<Refusal> {
    match result {
        Ok(()) => ControlFlow::Continue(()),
        Err(refusal) => ControlFlow::Break(refusal),
    }
}

/// Clauses of a query that lock, write or reach outside a plain read.
fn check_query_clauses(query: &Query) -> Result<(), Refusal> {
    if let Some(lock) = query.locks.first() {
        return Err(Refusal::new(
            "read_only",
            format!("locking clauses are not allowed (`{lock}`)"),
        ));
    }
    if let Some(clause) = &query.for_clause {
        return Err(Refusal::new(
            "unsupported",
            format!("`{clause}` is not allowed"),
        ));
    }
    if query.settings.is_some() || query.format_clause.is_some() || !query.pipe_operators.is_empty()
    {
        return Err(Refusal::new(
            "unsupported",
            "SETTINGS, FORMAT and pipe operators are not allowed",
        ));
    }
    check_set_expr(&query.body)
}

fn check_set_expr(body: &SetExpr) -> Result<(), Refusal> {
    match body {
        SetExpr::Select(_) | SetExpr::Query(_) | SetExpr::Values(_) => Ok(()),
        SetExpr::SetOperation { left, right, .. } => {
            check_set_expr(left)?;
            check_set_expr(right)
        }
        SetExpr::Table(table) => Err(Refusal::new(
            "unsupported",
            format!("write `SELECT * FROM …` instead of `{table}`"),
        )),
        other => Err(Refusal::new(
            "read_only",
            format!("a query may not contain `{}`", clip(&other.to_string())),
        )),
    }
}

fn identifiers(name: &ObjectName) -> Result<Vec<Ident>, Refusal> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) if ident.value.contains('\\') => Err(Refusal::new(
                "unsupported",
                format!("names with escape sequences are not allowed (`{name}`)"),
            )),
            ObjectNamePart::Identifier(ident) => Ok(ident.clone()),
            ObjectNamePart::Function(_) => Err(Refusal::new(
                "unsupported",
                format!("computed table names are not allowed (`{name}`)"),
            )),
        })
        .collect()
}

fn last_name(name: &ObjectName) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(ident)) => ident.value.to_lowercase(),
        // Unknown shapes get a name no allow-list holds.
        _ => name.to_string().to_lowercase(),
    }
}
