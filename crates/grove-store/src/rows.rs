//! Stored rows read the same way on both backends. The embedded store
//! (rusqlite) and the PostgreSQL store (tokio-postgres) keep the same
//! columns — ids and enums as text, times as Unix milliseconds, JSON as
//! text, flags as booleans — so each record is built from a row by one
//! function here (in the submodule of its domain), over [`StoredRow`], and
//! only the SQL differs between backends.

pub(crate) mod agents;
pub(crate) mod channels;
pub(crate) mod chats;
pub(crate) mod connectors;
pub(crate) mod console;
pub(crate) mod data_sources;
pub(crate) mod documents;
pub(crate) mod evals;
pub(crate) mod interactions;
pub(crate) mod jobs;
pub(crate) mod kb;
pub(crate) mod keys;
pub(crate) mod notifications;
pub(crate) mod syncs;
pub(crate) mod tenancy;
pub(crate) mod webhooks;

use jiff::Timestamp;

use crate::StoreError;

/// A value a column holds that both drivers can read.
pub(crate) trait Cell:
    rusqlite::types::FromSql + for<'a> tokio_postgres::types::FromSql<'a>
{
}

impl<T> Cell for T where T: rusqlite::types::FromSql + for<'a> tokio_postgres::types::FromSql<'a> {}

/// A row of either backend, read by column position.
pub(crate) trait StoredRow {
    /// Column `i` as a `T`.
    fn col<T: Cell>(&self, i: usize) -> Result<T, BadRow>;

    /// Column `i`, a typed id or enum this store wrote, parsed back.
    fn parsed<T>(&self, i: usize, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, BadRow> {
        let raw: String = self.col(i)?;
        parse(&raw).ok_or_else(|| BadRow(format!("unexpected stored value `{raw}` in column {i}")))
    }

    /// Column `i`, nullable, a typed id or enum parsed back (`None` for NULL).
    fn parsed_opt<T>(
        &self,
        i: usize,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, BadRow> {
        match self.col::<Option<String>>(i)? {
            None => Ok(None),
            Some(raw) => parse(&raw)
                .map(Some)
                .ok_or_else(|| BadRow(format!("unexpected stored value `{raw}` in column {i}"))),
        }
    }

    /// Column `i`, JSON text this store wrote, decoded.
    fn json<T: serde::de::DeserializeOwned>(&self, i: usize) -> Result<T, BadRow> {
        let raw: String = self.col(i)?;
        serde_json::from_str(&raw)
            .map_err(|e| BadRow(format!("column {i} is not the JSON expected: {e}")))
    }

    /// Column `i`, nullable JSON text, decoded.
    fn json_opt<T: serde::de::DeserializeOwned>(&self, i: usize) -> Result<Option<T>, BadRow> {
        match self.col::<Option<String>>(i)? {
            None => Ok(None),
            Some(raw) => serde_json::from_str(&raw)
                .map(Some)
                .map_err(|e| BadRow(format!("column {i} is not the JSON expected: {e}"))),
        }
    }

    /// Column `i`, a time in Unix milliseconds.
    fn time(&self, i: usize) -> Result<Timestamp, BadRow> {
        Ok(crate::ts(self.col(i)?))
    }

    /// Column `i`, a nullable time in Unix milliseconds.
    fn time_opt(&self, i: usize) -> Result<Option<Timestamp>, BadRow> {
        Ok(self.col::<Option<i64>>(i)?.map(crate::ts))
    }

    /// Column `i`, a count or size stored as a signed integer.
    fn count(&self, i: usize) -> Result<u64, BadRow> {
        let n: i64 = self.col(i)?;
        u64::try_from(n).map_err(|_| BadRow(format!("column {i} holds a negative count {n}")))
    }
}

impl StoredRow for rusqlite::Row<'_> {
    fn col<T: Cell>(&self, i: usize) -> Result<T, BadRow> {
        self.get::<_, T>(i)
            .map_err(|e| BadRow(format!("column {i}: {e}")))
    }
}

impl StoredRow for tokio_postgres::Row {
    fn col<T: Cell>(&self, i: usize) -> Result<T, BadRow> {
        self.try_get::<_, T>(i)
            .map_err(|e| BadRow(format!("column {i}: {e}")))
    }
}

/// A stored row this version cannot read: a column missing, of another
/// type, or holding a value the store never writes.
#[derive(Debug)]
pub(crate) struct BadRow(pub(crate) String);

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unreadable stored row: {}", self.0)
    }
}

impl std::error::Error for BadRow {}

impl From<BadRow> for StoreError {
    fn from(e: BadRow) -> Self {
        StoreError::Backend(e.to_string())
    }
}

impl From<BadRow> for rusqlite::Error {
    fn from(e: BadRow) -> Self {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    }
}
