//! The catalog of a connector: the tables it may read, as the database
//! lists them inside the allow-lists. It is the one truth for listing,
//! describing and checking: a name the catalog cannot resolve is refused,
//! and the refusal lists the tables that do exist.

use serde::Serialize;
use sqlparser::ast::Ident;

use crate::guard::Dialect;

/// Whether a relation is a base table or a view. Views are readable only
/// when named in `allowed_tables`: a view in an allowed dataset may read
/// tables outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Table,
    View,
}

/// One allowed table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRef {
    /// Schema (PostgreSQL), database (MySQL), `main` (SQLite) or dataset
    /// (BigQuery).
    pub dataset: String,
    pub name: String,
    pub kind: TableKind,
}

impl TableRef {
    /// `dataset.table`, as allow-lists and answers spell it.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.dataset, self.name)
    }
}

/// The allowed tables that exist, and how unqualified names resolve.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub tables: Vec<TableRef>,
    /// Datasets an unqualified name is looked up in, in order (PostgreSQL's
    /// search path of allowed schemas; MySQL's database of the URL; `main`).
    pub unqualified: Vec<String>,
    /// BigQuery's project: a three-part name must name it.
    pub project: Option<String>,
    /// Every relation of the `unqualified` datasets, allowed or not, where
    /// the database resolves unqualified names by a search path
    /// (PostgreSQL): an unqualified name resolves to the first dataset
    /// holding a relation of that name, as the database's would, so an
    /// unallowed relation earlier on the path is refused rather than an
    /// allowed one later being assumed. Empty where there is one dataset.
    pub present: Vec<(String, String)>,
}

/// The allow-lists a connector is configured with.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    pub datasets: Vec<String>,
    /// `dataset.table`; when not empty, only these tables (and views).
    pub tables: Vec<String>,
}

impl AllowList {
    /// Whether a relation the database lists is allowed.
    pub fn admits(&self, dataset: &str, name: &str, kind: TableKind) -> bool {
        if !self.datasets.iter().any(|d| d == dataset) {
            return false;
        }
        let named = self
            .tables
            .iter()
            .any(|t| t == &format!("{dataset}.{name}"));
        match kind {
            TableKind::View => named,
            TableKind::Table => self.tables.is_empty() || named,
        }
    }
}

impl Catalog {
    /// The table `parts` names, or why it may not be read.
    pub fn resolve(&self, dialect: Dialect, parts: &[Ident]) -> Result<TableRef, String> {
        let folded: Vec<String> = parts.iter().map(|p| dialect.fold(p)).collect();
        let (dataset, name) = match folded.as_slice() {
            [name] => return self.unqualified(dialect, name),
            [dataset, name] => (dataset, name),
            [project, dataset, name] if self.project.as_deref() == Some(project.as_str()) => {
                (dataset, name)
            }
            _ => {
                return Err(format!(
                    "is not a table name this connector reads; {}",
                    self.known()
                ))
            }
        };
        self.find(dialect, dataset, name)
            .cloned()
            .ok_or_else(|| self.unknown())
    }

    fn unqualified(&self, dialect: Dialect, name: &str) -> Result<TableRef, String> {
        if self.present.is_empty() {
            let found = self
                .unqualified
                .iter()
                .find_map(|d| self.find(dialect, d, name));
            return found.cloned().ok_or_else(|| self.unknown());
        }
        let first = self
            .unqualified
            .iter()
            .find(|d| self.present.iter().any(|(pd, pn)| pd == *d && pn == name));
        match first {
            Some(dataset) => self.find(dialect, dataset, name).cloned().ok_or_else(|| {
                format!(
                    "resolves to `{dataset}.{name}`, which is not an allowed table; {}",
                    self.known()
                )
            }),
            None => Err(self.unknown()),
        }
    }

    fn find(&self, dialect: Dialect, dataset: &str, name: &str) -> Option<&TableRef> {
        let same = |a: &str, b: &str| match dialect {
            Dialect::Sqlite => a.eq_ignore_ascii_case(b),
            _ => a == b,
        };
        self.tables
            .iter()
            .find(|t| same(&t.dataset, dataset) && same(&t.name, name))
    }

    fn unknown(&self) -> String {
        format!("is not an allowed table; {}", self.known())
    }

    /// "the allowed tables are: a.b, a.c" (at most 30 named).
    pub fn known(&self) -> String {
        if self.tables.is_empty() {
            return "this connector has no allowed tables".into();
        }
        let names: Vec<String> = self
            .tables
            .iter()
            .take(30)
            .map(TableRef::qualified)
            .collect();
        let more = self.tables.len().saturating_sub(names.len());
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!("the allowed tables are: {}{tail}", names.join(", "))
    }

    /// The table named `dataset.table` or `table`, as a caller spells it.
    pub fn lookup(&self, dialect: Dialect, name: &str) -> Result<TableRef, String> {
        let parts: Vec<Ident> = name.split('.').map(Ident::new).collect();
        self.resolve(dialect, &parts)
            .map_err(|reason| format!("`{name}` {reason}"))
    }
}
